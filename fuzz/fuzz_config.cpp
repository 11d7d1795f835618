// Any bytes as what a person gives `graphace train`: the first line a --set setting, the second a
// --sweep specification, the rest a --config JSON file. Each is read or refused with the
// documented error (the file: ParseError, as readJsonFile reports it; settings, values, sweeps:
// std::invalid_argument); any other exception, a crash or a hang is a bug. A
// configuration that was accepted must write to JSON and read back to itself.

#include "graphace/error.h"
#include "graphace/experiment_config.h"
#include "graphace/setting_sweep.h"

#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    const std::size_t first = text.find('\n');
    const std::size_t second = first == std::string::npos ? first : text.find('\n', first + 1);
    const std::string setting = text.substr(0, first);
    const std::string sweepText =
        first == std::string::npos ? std::string() : text.substr(first + 1, second - first - 1);
    const std::string document =
        second == std::string::npos ? std::string("{}") : text.substr(second + 1);

    nlohmann::json file;
    try {
        file = graphace::parseJsonText(document, "fuzz.json");
    } catch (const graphace::ParseError&) {
        return 0;
    }
    graphace::ExperimentConfig config;
    try {
        config = graphace::composeConfig("", file, {setting});
    } catch (const std::invalid_argument&) {
        return 0;
    }
    // Accepted: it writes and reads back to the same configuration.
    const nlohmann::json written = config;
    graphace::ExperimentConfig again = written.get<graphace::ExperimentConfig>();
    graphace::validate(again);
    if (nlohmann::json(again).dump() != written.dump())
        std::abort();

    try {
        const graphace::SettingSweep sweep = graphace::parseSettingSweep(sweepText);
        if (sweep.values.empty() || sweep.values.size() > 1000)
            std::abort(); // the documented bounds
        graphace::sweepConfig(config, sweep, 0);
        graphace::sweepConfig(config, sweep, sweep.values.size() - 1);
    } catch (const std::invalid_argument&) {
    }
    return 0;
}
