#include "graphace/linear_ace_model_file.h"

#include "graphace/atomic_file.h"
#include "graphace/element.h"

#include <nlohmann/json.hpp>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace graphace {

namespace {
constexpr const char* kFormat = "graphace-linear-ace";
constexpr int kVersion = 1;
} // namespace

void writeLinearAceModel(const LinearAceModel& model, const std::string& path) {
    nlohmann::json saved;
    saved["format"] = kFormat;
    saved["version"] = kVersion;
    saved["ace"] = model.ace;
    saved["coefficients"] = std::vector<double>(
        model.coefficients.data(), model.coefficients.data() + model.coefficients.size());
    nlohmann::json reference = nlohmann::json::object();
    for (std::size_t s = 0; s < model.ace.species.size(); ++s)
        reference[elementSymbol(model.ace.species[s])] =
            s < model.referenceEnergies.size() ? model.referenceEnergies[s] : 0.0;
    saved["reference_energies"] = reference;
    writeFileAtomically(path, saved.dump(2) + "\n");
}

LinearAceModel readLinearAceModel(const std::string& path) {
    auto fail = [&](const std::string& what) { return std::invalid_argument(path + ": " + what); };
    if (std::filesystem::is_directory(path))
        throw fail("is a folder, not a linear model file (fit-linear --save-coefficients)");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw fail("cannot be opened");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::parse_error& e) {
        throw fail(std::string("not a linear model file (invalid JSON: ") + e.what() + ")");
    }
    if (!j.is_object())
        throw fail("not a linear model file (expected a JSON object)");
    if (j.contains("format") && j.at("format") != kFormat)
        throw fail("\"format\" is " + j.at("format").dump() + ", expected \"" + kFormat + "\"");
    if (j.contains("version")) {
        if (!j.at("version").is_number_integer())
            throw fail("\"version\" must be an integer");
        if (j.at("version").get<int>() > kVersion)
            throw fail("version " + j.at("version").dump() +
                       " was written by a newer GraphACE; this one reads up to version " +
                       std::to_string(kVersion));
    }
    for (const char* key : {"ace", "coefficients", "reference_energies"})
        if (!j.contains(key))
            throw fail(std::string("no \"") + key + "\" (is it a model written by fit-linear?)");
    LinearAceModel model;
    try {
        model.ace = j.at("ace").get<AceConfig>();
    } catch (const std::exception& e) {
        throw fail(std::string("\"ace\": ") + e.what());
    }
    if (model.ace.species.empty())
        throw fail("\"ace\" names no species");
    const auto& coefficients = j.at("coefficients");
    if (!coefficients.is_array())
        throw fail("\"coefficients\" must be an array of numbers");
    model.coefficients.resize(static_cast<Eigen::Index>(coefficients.size()));
    for (std::size_t k = 0; k < coefficients.size(); ++k) {
        if (!coefficients[k].is_number())
            throw fail("coefficient " + std::to_string(k) + " is " + coefficients[k].dump() +
                       ", not a number");
        model.coefficients[static_cast<Eigen::Index>(k)] = coefficients[k].get<double>();
    }
    const int expected = AceBasis(model.ace).size();
    if (model.coefficients.size() != expected)
        throw fail(std::to_string(model.coefficients.size()) + " coefficients, but its \"ace\" " +
                   "settings give a basis of " + std::to_string(expected) + " functions");
    const auto& reference = j.at("reference_energies");
    if (!reference.is_object())
        throw fail("\"reference_energies\" must map element symbols to eV/atom");
    model.referenceEnergies.assign(model.ace.species.size(), 0.0);
    for (const auto& [symbol, value] : reference.items()) {
        const int z = atomicNumber(symbol);
        std::size_t s = 0;
        while (s < model.ace.species.size() && model.ace.species[s] != z)
            ++s;
        if (z <= 0 || s == model.ace.species.size())
            throw fail("a reference energy for \"" + symbol +
                       "\", which is not one of the model's species");
        if (!value.is_number())
            throw fail("the reference energy of " + symbol + " is not a number");
        model.referenceEnergies[s] = value.get<double>();
    }
    return model;
}

bool looksLikeLinearAceModel(const std::string& path) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        return false;
    std::ifstream in(path, std::ios::binary);
    char c = 0;
    while (in.get(c) && std::isspace(static_cast<unsigned char>(c)))
        ;
    return in && c == '{';
}

} // namespace graphace
