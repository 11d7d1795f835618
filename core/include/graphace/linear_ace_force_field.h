#pragma once
// A fitted linear ACE model as the force field of molecular dynamics (molecular_dynamics.h):
// energy and forces by the adjoint (AceEvaluator::linearEnergyForces), one neighbour list per
// call. Used by `graphace md --model MODEL.json` and the window's Dynamics tab.

#include "graphace/linear_ace_fit.h"
#include "graphace/molecular_dynamics.h"

namespace graphace {

// Throws std::invalid_argument when the coefficients do not match the model's basis. The
// returned function is not thread-safe (it reuses the evaluator's buffers): one per thread.
ForceField linearAceForceField(LinearAceModel model);

} // namespace graphace
