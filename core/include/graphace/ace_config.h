#pragma once
// Parameters of an ACE descriptor basis (as in ACE1.jl's `rpi_basis`; equations in
// ace_radial_basis.h and ace_basis.h, science in docs/science.md §2).
//
// Field names are the JSON keys (to_json / from_json below, nlohmann-json):
//   {"species": ["O", "Hf"], "body_order": 3, "max_degree": 3, "wL": 1, "csp": 1,
//    "r0": 1, "rcut": 5, "max_degree_per_order": [20, 14, 10]}
// `species` may be given as symbols or atomic numbers; it is stored as atomic numbers.
// `max_degree_per_order` is optional (absent or empty: max_degree for every order).
// "r0", "rcut" and "max_degree_per_order" also take "auto": chosen from the training data by
// resolveAceFromData (ace_defaults.h); the value chosen is then written beside it as
// "resolved_r0", "resolved_rcut", "resolved_max_degree_per_order" (as graph.cutoff does).

#include "graphace/structure.h"

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

namespace graphace {

struct AceConfig {
    // Atomic numbers, ascending. Empty: take those present in the data (resolvedFor()).
    std::vector<int> species;
    // Body order 2…5, i.e. correlation order ν = body_order − 1 = 1…4.
    int body_order = 3;
    // Total degree bound: csp · Σ_k (n_k + wL · l_k) ≤ max_degree over the ν factors.
    int max_degree = 3;
    // Optional bound per correlation order (ACE1.jl `maxdeg` per order, ACEpotentials
    // `totaldegree = [20, 16, 12]`): entry k bounds ν = k + 1 and replaces max_degree there.
    // Empty: max_degree for all orders. Otherwise exactly correlationOrder() entries, 1…40.
    // Pair functions (ν = 1) are few, so a high pair degree is cheap and helps forces most.
    std::vector<int> max_degree_per_order;
    double wL = 1.0;   // weight of the angular degree l (> 0)
    double csp = 1.0;  // scale of the whole degree sum (> 0)
    double r0 = 1.0;   // Å, typical nearest-neighbour distance of the transform t(r) (> 0)
    double rcut = 5.0; // Å, cutoff (> 0.65·r0)
    // "auto": the field above holds the value chosen from the data once resolved, and a
    // fallback before (ace_defaults.h). A number given for the field clears its flag.
    bool autoR0 = false;
    bool autoRcut = false;
    bool autoDegrees = false; // max_degree_per_order sized to the species count

    int correlationOrder() const { return body_order - 1; }
    // The degree bound of correlation order ν (1…correlationOrder()).
    int maxDegreeOfOrder(int nu) const {
        return max_degree_per_order.empty() ? max_degree : max_degree_per_order.at(nu - 1);
    }
};

// Throws std::invalid_argument (message names the field) for parameters outside their range,
// an unknown or repeated species, or species not in ascending order.
void validate(const AceConfig& config);

// A copy with `species` filled from the data when empty (ascending atomic numbers), then
// validated. Throws std::invalid_argument when the data has no atoms and no species are given.
AceConfig resolvedFor(const AceConfig& config, const Dataset& data);

// JSON mapping (found by ADL). from_json accepts species as symbols or numbers, sorts them,
// keeps defaults for absent keys and throws std::invalid_argument for bad values or unknown keys.
void to_json(nlohmann::json& j, const AceConfig& config);
void from_json(const nlohmann::json& j, AceConfig& config);

// The JSON keys from_json accepts, for error messages that list the alternatives.
// (The "resolved_*" keys a config as run records are accepted too.)
const std::vector<std::string>& aceConfigKeys();

bool operator==(const AceConfig& a, const AceConfig& b);
inline bool operator!=(const AceConfig& a, const AceConfig& b) {
    return !(a == b);
}

} // namespace graphace
