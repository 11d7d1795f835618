#pragma once
// A trained network as the force field of molecular dynamics (molecular_dynamics.h): each call
// builds the configuration's ACE descriptors and graph as the run's config says and
// differentiates the network's energy (GcnModel::predictWithForces). Used by `graphace md
// --model DIR` and the window's Dynamics tab. Part of graphace_gcn.

#include "graphace/experiment_config.h"
#include "graphace/molecular_dynamics.h"

#include <memory>

namespace graphace {

class GcnModel;

// `config`: the run's configuration as run (species and cutoffs resolved). Throws
// std::invalid_argument when the model has no forces (its edge weights make the energy
// discontinuous in the positions). `threads` for the descriptors (0: all cores).
ForceField gcnForceField(std::shared_ptr<const GcnModel> model, const ExperimentConfig& config,
                         int threads = 1);

} // namespace graphace
