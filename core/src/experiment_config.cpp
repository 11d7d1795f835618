#include "graphace/experiment_config.h"

#include "graphace/error.h"

#include <fstream>
#include <set>
#include <sstream>
#include <stdexcept>

namespace graphace {
namespace {

void rejectUnknownKeys(const nlohmann::json& j, const std::set<std::string>& known,
                       const std::string& section) {
    if (!j.is_object())
        throw std::invalid_argument("config: \"" + section + "\" must be a JSON object");
    for (const auto& item : j.items())
        if (!known.count(item.key())) {
            std::string list;
            for (const auto& k : known)
                list += (list.empty() ? "" : ", ") + k;
            throw std::invalid_argument("config: unknown key \"" + section + "." + item.key() +
                                        "\" (known: " + list + ")");
        }
}

template <typename T> void readNumber(const nlohmann::json& j, const char* key, T& value,
                                      const std::string& section) {
    if (!j.contains(key))
        return;
    if (!j.at(key).is_number())
        throw std::invalid_argument("config: \"" + section + "." + key + "\" must be a number");
    value = j.at(key).get<T>();
}

} // namespace

void to_json(nlohmann::json& j, const LinearFitOptions& o) {
    j = {{"energy_weight", o.energyWeight},
         {"forces_weight", o.forcesWeight},
         {"ridge", o.ridge},
         {"reference_energies", o.referenceEnergies}};
}

void from_json(const nlohmann::json& j, LinearFitOptions& o) {
    rejectUnknownKeys(j, {"energy_weight", "forces_weight", "ridge", "reference_energies"}, "linear");
    readNumber(j, "energy_weight", o.energyWeight, "linear");
    readNumber(j, "forces_weight", o.forcesWeight, "linear");
    readNumber(j, "ridge", o.ridge, "linear");
    if (j.contains("reference_energies")) {
        if (!j.at("reference_energies").is_boolean())
            throw std::invalid_argument("config: \"linear.reference_energies\" must be true or false");
        o.referenceEnergies = j.at("reference_energies").get<bool>();
    }
    if (o.energyWeight < 0 || o.forcesWeight < 0 || o.ridge < 0)
        throw std::invalid_argument("config: linear weights and ridge must be >= 0");
}

void to_json(nlohmann::json& j, const ExperimentConfig& c) {
    j = {{"ace", c.ace}, {"linear", c.linear}};
}

void from_json(const nlohmann::json& j, ExperimentConfig& c) {
    rejectUnknownKeys(j, {"ace", "linear"}, "config");
    if (j.contains("ace"))
        j.at("ace").get_to(c.ace);
    if (j.contains("linear"))
        j.at("linear").get_to(c.linear);
}

nlohmann::json readJsonFile(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw ParseError(path, 0, "cannot open the file");
    std::stringstream buffer;
    buffer << in.rdbuf();
    const std::string text = buffer.str();
    try {
        return nlohmann::json::parse(text);
    } catch (const nlohmann::json::parse_error& e) {
        // Byte offset → line, for a message a person can act on.
        const std::size_t offset = std::min<std::size_t>(e.byte, text.size());
        long line = 1;
        for (std::size_t i = 0; i + 1 < offset; ++i)
            line += text[i] == '\n';
        std::string what = e.what();
        const auto colon = what.rfind(": ");
        throw ParseError(path, line, "invalid JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
    }
}

void applySetting(nlohmann::json& document, const std::string& setting) {
    const auto equals = setting.find('=');
    if (equals == std::string::npos || equals == 0)
        throw std::invalid_argument("setting \"" + setting + "\" is not of the form section.key=value");
    const std::string path = setting.substr(0, equals), text = setting.substr(equals + 1);
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded())
        value = text;  // bare words such as a species symbol
    nlohmann::json* node = &document;
    std::size_t begin = 0;
    while (true) {
        const auto dot = path.find('.', begin);
        const std::string key = path.substr(begin, dot == std::string::npos ? std::string::npos : dot - begin);
        if (key.empty())
            throw std::invalid_argument("setting \"" + setting + "\" has an empty key");
        if (!node->is_object())
            *node = nlohmann::json::object();
        node = &(*node)[key];
        if (dot == std::string::npos)
            break;
        begin = dot + 1;
    }
    *node = value;
}

} // namespace graphace
