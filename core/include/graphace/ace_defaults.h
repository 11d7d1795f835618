#pragma once
// ACE settings chosen from the training data when none are given: the first answer on data
// without a recipe (docs/cli.md, "ACE settings from the data"). The rule:
//   r0      the nearest-neighbour distance: the first peak of the training set's smoothed pair
//           distribution g(r) (pair_shells.h), to 0.01 Å;
//   rcut    max(kAutoRcutOverR0 · r0, kAutoRcutFloor) = max(1.8 r0, 5 Å): past the first two or
//           three coordination shells, and never below 5 Å, where an ionic compound's short
//           bond (HfO2: 2.1 Å) would leave its second-neighbour shells out;
//   degrees the zuo2020 recipes' shape (body order 4, wL 0.25, [20, 10, 7] per correlation
//           order: 345 functions for one species), scaled down by a common factor (steps of
//           0.05) until the basis has at most autoBasisBudget(S) = 400 √S functions for S
//           species: the count grows steeply with species (two at [20, 10, 7]: 3,574), and the
//           network's cost and memory grow with it (HfO2 sample, two species: 1.4 meV/atom
//           with 354 functions, 1.0 with 714, at twice the cost).
// Chosen on splits of training files only (README, "ACE settings from the data"): on the
// zuo2020 elements rcut between 1.8 r0 and 5 Å changed validation errors by at most 13 %; on
// the HfO2 slab and the built-in sample 5 Å instead of 1.8 r0 (3.8–4.1 Å) lowered them by 1.5–3×.

#include "graphace/ace_config.h"
#include "graphace/pair_shells.h"
#include "graphace/structure.h"

#include <cstddef>
#include <string>
#include <vector>

namespace graphace {

// Shown before any data is known (and used where resolution is skipped): a typical metal.
inline constexpr double kAutoR0Fallback = 2.5;
inline constexpr double kAutoRcutFallback = 5.0;
inline constexpr double kAutoRcutOverR0 = 1.8;
inline constexpr double kAutoRcutFloor = 5.0;        // Å
inline constexpr std::size_t kAutoBasisBudget = 400; // functions for one species

// The most functions "auto" degrees allow for `speciesCount` species: 400 √S.
std::size_t autoBasisBudget(std::size_t speciesCount);

// The recipes' degrees per correlation order, [20, 10, 7, 5] cut to body_order − 1 entries.
std::vector<int> autoDegreesFallback(int bodyOrder);

// The settings used when a configuration names none: body order 4, wL 0.25, csp 1, r0, rcut
// and max_degree_per_order "auto" (species from the data).
AceConfig dataDerivedAceConfig();

// What resolveAceFromData chose, for the CLI table, --json and the GUI.
struct AceDataChoice {
    bool anyAuto = false;
    double nearestNeighbour = 0; // Å (0 when r0 and rcut were given)
    std::size_t basisSize = 0;   // with "auto" degrees (0 otherwise: the caller builds the basis)
    std::string summary;         // "r0 2.35 Å (first g(r) peak), rcut 4.23 Å (1.8 r0), ..."
};

// Replaces every "auto" field of `config` by its value for `train` (the flags stay set, so
// that the config as run says "auto" beside the value). `config.species` must be resolved
// (resolvedFor) when max_degree_per_order is "auto". Throws std::invalid_argument when r0 or
// rcut are "auto" and the training data has no pair of atoms within 6 Å.
// `shells`, when given, are the training set's (pairShells up to 6 Å), already computed for
// another default (the graph cutoff); else they are computed here.
AceConfig resolveAceFromData(const AceConfig& config, const Dataset& train,
                             AceDataChoice* choice = nullptr, const PairShells* shells = nullptr);

} // namespace graphace
