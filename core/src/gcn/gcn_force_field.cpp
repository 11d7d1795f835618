#include "graphace/gcn_force_field.h"

#include "graphace/ace_basis.h"
#include "graphace/gcn_trainer.h"
#include "graphace/graph_dataset.h"

#include <stdexcept>

namespace graphace {

ForceField gcnForceField(std::shared_ptr<const GcnModel> model, const ExperimentConfig& config,
                         int threads) {
    if (!model->supportsForces())
        throw std::invalid_argument(
            "this model's edge weights (graph.weighting = " +
            toString(config.graph.options.weighting) +
            ") make its energy discontinuous in the positions: no forces, no dynamics");
    auto basis = std::make_shared<const AceBasis>(config.ace);
    const GraphOptions graph = config.graph.options;
    const bool float32 = config.model.precision == Precision::Float32;
    return [basis, graph, float32, model, threads](const Structure& s) {
        Dataset one;
        one.structures.push_back(s);
        const GraphDataset graphs =
            buildGraphDataset(*basis, graph, one, threads, {}, true, float32);
        const GcnPrediction p = model->predictWithForces(graphs);
        EnergyAndForces out;
        out.energy = p.energies.at(0);
        for (std::size_t a = 0; a < s.size(); ++a)
            out.forces.emplace_back(p.forces[3 * a], p.forces[3 * a + 1], p.forces[3 * a + 2]);
        return out;
    };
}

} // namespace graphace
