// Devices: the names training.device accepts, whether this LibTorch can use them, and the
// version line of Help → About and `--version`.
#include "gcn_internal.h"

#include <torch/version.h>

#include <algorithm>
#include <stdexcept>

namespace graphace {
namespace gcn {

torch::Device parseDevice(const std::string& device) {
    return device.empty() ? torch::Device(torch::kCPU) : torch::Device(device);
}

} // namespace gcn

TorchInfo torchInfo() {
    TorchInfo info;
    info.version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                   "." + std::to_string(TORCH_VERSION_PATCH);
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDevices = static_cast<int>(torch::cuda::device_count());
    return info;
}

void checkDevice(const std::string& device) {
    if (device == "cpu")
        return;
    int index = 0;
    if (device.rfind("cuda:", 0) == 0) {
        const std::string digits = device.substr(5);
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw std::runtime_error("unknown device \"" + device + "\" (use cpu, cuda or cuda:N)");
        index = std::stoi(digits);
    } else if (device != "cuda") {
        throw std::runtime_error("unknown device \"" + device + "\" (use cpu, cuda or cuda:N)");
    }
    if (!at::hasCUDA())
        throw std::runtime_error("CUDA was requested but this build of LibTorch has no CUDA "
                                 "support (device \"" +
                                 device + "\"); use the cpu device");
    const int count = static_cast<int>(torch::cuda::device_count());
    if (count == 0)
        throw std::runtime_error("CUDA was requested but no CUDA device is available (device \"" +
                                 device + "\"); use the cpu device");
    if (index >= count)
        throw std::runtime_error("CUDA device " + std::to_string(index) +
                                 " was requested but only " + std::to_string(count) +
                                 " CUDA device(s) are available");
}

} // namespace graphace
