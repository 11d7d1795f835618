// Any bytes as a file given where a trained model or a training checkpoint is read: model.pt of a
// model folder (`graphace predict --model`, the window's model import) and checkpoint.pt
// (`graphace train --resume`, the window's Continue and Resume). Each is a torch archive read by
// LibTorch's own reader; both must load or be refused with std::runtime_error naming the file
// (a truncated file, one still being written, or another archive). Any other exception, a crash
// or a hang is a bug.

#include "graphace/gcn_trainer.h"

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

namespace {

// The bytes as a file: both readers take a path.
std::string writeInput(const std::uint8_t* data, std::size_t size) {
    static const std::string path = [] {
        const char* dir = std::getenv("TMPDIR");
        return std::string(dir && *dir ? dir : "/tmp") + "/graphace-fuzz-model-" +
               std::to_string(::getpid()) + ".pt";
    }();
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (!file)
        std::abort();
    if (size > 0 && std::fwrite(data, 1, size, file) != size)
        std::abort();
    std::fclose(file);
    return path;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string path = writeInput(data, size);
    try {
        const graphace::GcnModel model = graphace::GcnModel::load(path);
        // Loaded: its weights are all there.
        if (static_cast<int>(model.parameterValues().size()) != model.parameterCount())
            std::abort();
    } catch (const std::runtime_error&) {
    }
    try {
        const graphace::CheckpointInfo info = graphace::readCheckpointInfo(path);
        if (info.epoch < 0 || static_cast<int>(info.history.size()) != info.epoch)
            std::abort();
    } catch (const std::runtime_error&) {
    }
    return 0;
}
