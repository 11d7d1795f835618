#include "graphace/linear_ace_force_field.h"

#include "graphace/ace_basis.h"
#include "graphace/ace_descriptors.h"
#include "graphace/neighbor_list.h"

#include <memory>
#include <stdexcept>
#include <string>

namespace graphace {

ForceField linearAceForceField(LinearAceModel model) {
    auto shared = std::make_shared<const LinearAceModel>(std::move(model));
    auto basis = std::make_shared<const AceBasis>(shared->ace);
    if (shared->coefficients.size() != basis->size())
        throw std::invalid_argument("linear model: " + std::to_string(shared->coefficients.size()) +
                                    " coefficients for a basis of " +
                                    std::to_string(basis->size()));
    auto evaluator = std::make_shared<AceEvaluator>(*basis);
    return [shared, basis, evaluator](const Structure& s) {
        const AceForces f =
            evaluator->linearEnergyForces(s, computeNeighborList(s, basis->config().rcut),
                                          shared->coefficients, shared->referenceEnergies);
        return EnergyAndForces{f.energy, f.forces};
    };
}

} // namespace graphace
