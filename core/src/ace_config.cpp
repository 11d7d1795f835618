#include "graphace/ace_config.h"

#include "graphace/ace_defaults.h"
#include "graphace/element.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace graphace {

namespace {

void require(bool ok, const std::string& message) {
    if (!ok)
        throw std::invalid_argument("ACE parameters: " + message);
}

bool finitePositive(double x) {
    return std::isfinite(x) && x > 0.0;
}

double readResolved(const nlohmann::json& j, const char* key) {
    require(j.at(key).is_number(), std::string(key) + " must be a number of Å");
    return j.at(key).get<double>();
}

} // namespace

void validate(const AceConfig& c) {
    for (std::size_t k = 0; k < c.species.size(); ++k) {
        require(c.species[k] >= 1 && c.species[k] <= 118,
                "species: atomic number " + std::to_string(c.species[k]) + " is not an element");
        require(k == 0 || c.species[k] > c.species[k - 1],
                "species must be distinct and in ascending atomic number");
    }
    require(c.body_order >= 2 && c.body_order <= 5, "body_order must be 2…5");
    require(c.max_degree >= 1 && c.max_degree <= 40, "max_degree must be 1…40");
    require(finitePositive(c.wL), "wL must be a positive number");
    require(finitePositive(c.csp), "csp must be a positive number");
    require(finitePositive(c.r0), "r0 must be a positive number");
    require(finitePositive(c.rcut), "rcut must be a positive number");
    // The polynomials are orthonormal on [t(rcut), t(0.65·r0)], which must not be empty.
    require(c.rcut > 0.65 * c.r0, "rcut must exceed 0.65·r0");
    require(c.csp * 1.0 <= c.max_degree, "max_degree / csp leaves no radial function (n ≥ 1)");
    if (!c.max_degree_per_order.empty()) {
        require(static_cast<int>(c.max_degree_per_order.size()) == c.correlationOrder(),
                "max_degree_per_order needs one entry per correlation order (body_order − 1 = " +
                    std::to_string(c.correlationOrder()) + "), got " +
                    std::to_string(c.max_degree_per_order.size()));
        for (std::size_t k = 0; k < c.max_degree_per_order.size(); ++k) {
            const int d = c.max_degree_per_order[k];
            const std::string entry = "max_degree_per_order[" + std::to_string(k) +
                                      "] (ν = " + std::to_string(k + 1) + ")";
            require(d >= 1 && d <= 40, entry + " must be 1…40");
            // ν factors each need n ≥ 1, i.e. degree ≥ csp per factor.
            require(c.csp * static_cast<double>(k + 1) <= d,
                    entry + " = " + std::to_string(d) + " leaves no function of that order " +
                        "(needs ≥ csp·ν)");
        }
    }
}

AceConfig resolvedFor(const AceConfig& config, const Dataset& data) {
    AceConfig out = config;
    if (out.species.empty()) {
        out.species = data.species();
        require(!out.species.empty(), "species: none given and the data has no atoms");
    }
    validate(out);
    return out;
}

const std::vector<std::string>& aceConfigKeys() {
    static const std::vector<std::string> keys = {"species",
                                                  "body_order",
                                                  "max_degree",
                                                  "max_degree_per_order",
                                                  "wL",
                                                  "csp",
                                                  "r0",
                                                  "rcut",
                                                  "resolved_r0",
                                                  "resolved_rcut",
                                                  "resolved_max_degree_per_order"};
    return keys;
}

void to_json(nlohmann::json& j, const AceConfig& c) {
    nlohmann::json species = nlohmann::json::array();
    for (int z : c.species)
        species.push_back(elementSymbol(z));
    j = nlohmann::json{{"species", species},
                       {"body_order", c.body_order},
                       {"max_degree", c.max_degree},
                       {"wL", c.wL},
                       {"csp", c.csp},
                       {"r0", c.r0},
                       {"rcut", c.rcut},
                       {"max_degree_per_order", c.max_degree_per_order}};
    // "auto" with the value chosen beside it, so that a config as run records it.
    if (c.autoR0) {
        j["r0"] = "auto";
        j["resolved_r0"] = c.r0;
    }
    if (c.autoRcut) {
        j["rcut"] = "auto";
        j["resolved_rcut"] = c.rcut;
    }
    if (c.autoDegrees) {
        j["max_degree_per_order"] = "auto";
        j["resolved_max_degree_per_order"] = c.max_degree_per_order;
    }
}

void from_json(const nlohmann::json& j, AceConfig& c) {
    require(j.is_object(), "expected a JSON object");
    AceConfig out;
    for (auto it = j.begin(); it != j.end(); ++it) {
        const std::string& key = it.key();
        const nlohmann::json& v = it.value();
        auto number = [&]() {
            require(v.is_number(), key + " must be a number");
            return v.get<double>();
        };
        auto integer = [&]() {
            require(v.is_number_integer(), key + " must be an integer");
            return v.get<int>();
        };
        if (key == "species") {
            require(v.is_array(), "species must be an array of symbols or atomic numbers");
            out.species.clear();
            for (const auto& s : v) {
                int z = 0;
                if (s.is_string())
                    z = atomicNumber(s.get<std::string>());
                else if (s.is_number_integer())
                    z = s.get<int>();
                require(z >= 1 && z <= 118, "species: " + s.dump() + " is not an element");
                out.species.push_back(z);
            }
            std::sort(out.species.begin(), out.species.end());
        } else if (key == "body_order") {
            out.body_order = integer();
        } else if (key == "max_degree") {
            out.max_degree = integer();
        } else if (key == "max_degree_per_order" && v == "auto") {
            out.autoDegrees = true;
        } else if (key == "max_degree_per_order") {
            require(v.is_array(), "max_degree_per_order must be an array of integers, one per "
                                  "correlation order (e.g. [20, 14, 10] for body_order 4)");
            out.max_degree_per_order.clear();
            for (const auto& d : v) {
                require(d.is_number_integer(),
                        "max_degree_per_order entries must be integers, got " + d.dump());
                out.max_degree_per_order.push_back(d.get<int>());
            }
        } else if (key == "wL") {
            out.wL = number();
        } else if (key == "csp") {
            out.csp = number();
        } else if ((key == "r0" || key == "rcut") && v == "auto") {
            (key == "r0" ? out.autoR0 : out.autoRcut) = true;
        } else if (key == "r0") {
            require(v.is_number(), "r0 must be a number of Å or \"auto\"");
            out.r0 = number();
        } else if (key == "rcut") {
            require(v.is_number(), "rcut must be a number of Å or \"auto\"");
            out.rcut = number();
        } else if (key.rfind("resolved_", 0) == 0 &&
                   std::find(aceConfigKeys().begin(), aceConfigKeys().end(), key) !=
                       aceConfigKeys().end()) {
            // Read below, only beside "auto" (beside a number it is stale: the number wins).
        } else {
            std::string known;
            for (const std::string& k : aceConfigKeys())
                known += (known.empty() ? "" : ", ") + k;
            require(false, "unknown key \"" + key + "\" (known: " + known + ")");
        }
    }
    // The values an "auto" run chose; before any data, the fallbacks of ace_defaults.h.
    if (out.autoR0)
        out.r0 = j.contains("resolved_r0") ? readResolved(j, "resolved_r0") : kAutoR0Fallback;
    if (out.autoRcut)
        out.rcut =
            j.contains("resolved_rcut") ? readResolved(j, "resolved_rcut") : kAutoRcutFallback;
    if (out.autoDegrees) {
        out.max_degree_per_order = autoDegreesFallback(out.body_order);
        // Chosen for another body order (e.g. --set ace.body_order over a config as run): stale.
        if (j.contains("resolved_max_degree_per_order")) {
            const nlohmann::json& d = j.at("resolved_max_degree_per_order");
            require(d.is_array(), "resolved_max_degree_per_order must be an array of integers");
            std::vector<int> resolved;
            for (const auto& x : d) {
                require(x.is_number_integer(),
                        "resolved_max_degree_per_order entries must be integers");
                resolved.push_back(x.get<int>());
            }
            if (static_cast<int>(resolved.size()) == out.correlationOrder())
                out.max_degree_per_order = resolved;
        }
    }
    validate(out);
    c = out;
}

bool operator==(const AceConfig& a, const AceConfig& b) {
    return a.species == b.species && a.body_order == b.body_order && a.max_degree == b.max_degree &&
           a.max_degree_per_order == b.max_degree_per_order && a.wL == b.wL && a.csp == b.csp &&
           a.r0 == b.r0 && a.rcut == b.rcut && a.autoR0 == b.autoR0 && a.autoRcut == b.autoRcut &&
           a.autoDegrees == b.autoDegrees;
}

} // namespace graphace
