#include "graphace/setting_sweep.h"

#include <charconv>
#include <cmath>
#include <stdexcept>

namespace graphace {
namespace {

std::string shortest(double x) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, x);
    return std::string(buffer, result.ptr);
}

} // namespace

SettingSweep parseSettingSweep(const std::string& text) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size())
        throw std::invalid_argument("sweep \"" + text +
                                    "\": expected KEY=FIRST:LAST:STEP or KEY=V1,V2,... (e.g. "
                                    "graph.cutoff=2:6:0.5)");
    SettingSweep sweep;
    sweep.key = text.substr(0, equals);
    if (sweep.key == "data.train" || sweep.key == "data.test")
        throw std::invalid_argument("sweep " + sweep.key +
                                    ": the data files cannot be swept (every run reads the same "
                                    "data); sweep data.train_size or data.test_size instead");
    const std::string values = text.substr(equals + 1);
    const char separator = values.find(':') != std::string::npos ? ':' : ',';
    std::vector<std::string> parts;
    for (std::size_t begin = 0;;) {
        const auto end = values.find(separator, begin);
        std::string part = values.substr(begin, end - begin);
        while (!part.empty() && part.front() == ' ')
            part.erase(part.begin());
        while (!part.empty() && part.back() == ' ')
            part.pop_back();
        if (part.empty())
            throw std::invalid_argument("sweep \"" + text + "\": an empty value");
        parts.push_back(part);
        if (end == std::string::npos)
            break;
        begin = end + 1;
    }
    if (separator == ',') {
        if (parts.size() > 1000)
            throw std::invalid_argument("sweep \"" + text + "\": more than 1000 values");
        sweep.values = parts;
        return sweep;
    }
    auto number = [&](const std::string& part) {
        double x = 0;
        const auto result = std::from_chars(part.data(), part.data() + part.size(), x);
        if (result.ec != std::errc() || result.ptr != part.data() + part.size() ||
            !std::isfinite(x))
            throw std::invalid_argument("sweep \"" + text + "\": \"" + part +
                                        "\" is not a number (a range is FIRST:LAST:STEP)");
        return x;
    };
    if (parts.size() != 3)
        throw std::invalid_argument("sweep \"" + text +
                                    "\": a range is FIRST:LAST:STEP (three numbers)");
    const double first = number(parts[0]), last = number(parts[1]), step = number(parts[2]);
    if (!(step > 0) || last < first)
        throw std::invalid_argument("sweep \"" + text + "\": needs STEP > 0 and LAST >= FIRST");
    const double count = std::floor((last - first) / step + 1e-9) + 1;
    if (count > 1000)
        throw std::invalid_argument("sweep \"" + text + "\": more than 1000 values");
    // first + k·step, rounded to the step's decimals so that 0.1 steps do not print 0.30000000004.
    const double scale = std::pow(10.0, std::ceil(std::max(0.0, -std::log10(step))) + 6);
    for (int k = 0; k < static_cast<int>(count); ++k)
        sweep.values.push_back(shortest(std::round((first + k * step) * scale) / scale));
    return sweep;
}

ExperimentConfig sweepConfig(const ExperimentConfig& base, const SettingSweep& sweep,
                             std::size_t index) {
    const std::string setting = sweep.key + "=" + sweep.values.at(index);
    try {
        // Composed as a --set over the base (with composeConfig's rules), under the base's name.
        nlohmann::json document = base;
        document["preset"] = "";
        ExperimentConfig config = composeConfig("", document, {setting});
        config.preset = base.preset;
        return config;
    } catch (const std::exception& e) {
        throw std::invalid_argument("sweep " + setting + ": " + e.what());
    }
}

} // namespace graphace
