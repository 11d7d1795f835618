#pragma once
// The file of a fitted linear ACE model: written by `graphace fit-linear --save-coefficients`,
// read by `graphace predict --model FILE` and by anything that evaluates the model (MD). JSON:
//   {"format": "graphace-linear-ace", "version": 1,
//    "ace": {AceConfig, ace_config.h}, "coefficients": [AceBasis::size() numbers],
//    "reference_energies": {"O": e0, "Hf": e0}}          (eV/atom, one per species of "ace")
// Files from before "format"/"version" existed (the same keys without them) still load.

#include "graphace/linear_ace_fit.h"

#include <string>

namespace graphace {

// Atomically (atomic_file.h); throws std::runtime_error naming the path.
void writeLinearAceModel(const LinearAceModel& model, const std::string& path);

// Throws std::invalid_argument naming the file and what is wrong (not JSON, another format or a
// newer version, a missing or malformed key, a coefficient count that does not match the basis
// the "ace" settings give, a reference energy for a species the basis does not have).
LinearAceModel readLinearAceModel(const std::string& path);

// Whether the file at `path` starts like a linear model file (a JSON object, not a folder):
// how `graphace predict --model` tells it from a network's folder.
bool looksLikeLinearAceModel(const std::string& path);

} // namespace graphace
