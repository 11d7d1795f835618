#include "graphace/regression_metrics.h"

#include <cmath>
#include <stdexcept>

namespace graphace {

RegressionMetrics computeRegressionMetrics(const std::vector<double>& referenceEnergy,
                                           const std::vector<double>& predictedEnergy,
                                           const std::vector<int>& atoms,
                                           const std::vector<double>& referenceForces,
                                           const std::vector<double>& predictedForces) {
    const std::size_t n = referenceEnergy.size();
    if (predictedEnergy.size() != n || atoms.size() != n)
        throw std::invalid_argument("regression metrics: energy and atom-count arrays differ in size");
    if (referenceForces.size() != predictedForces.size())
        throw std::invalid_argument("regression metrics: force arrays differ in size");

    RegressionMetrics m;
    m.configurations = n;
    if (n > 0) {
        double mean = 0.0;
        for (double e : referenceEnergy)
            mean += e;
        mean /= n;
        double squaredPerAtom = 0, absolutePerAtom = 0, squared = 0, absolute = 0, total = 0;
        for (std::size_t c = 0; c < n; ++c) {
            if (atoms[c] <= 0)
                throw std::invalid_argument("regression metrics: configuration without atoms");
            const double error = predictedEnergy[c] - referenceEnergy[c];
            squared += error * error;
            absolute += std::abs(error);
            squaredPerAtom += (error / atoms[c]) * (error / atoms[c]);
            absolutePerAtom += std::abs(error) / atoms[c];
            total += (referenceEnergy[c] - mean) * (referenceEnergy[c] - mean);
        }
        m.energyRmseMevPerAtom = 1000.0 * std::sqrt(squaredPerAtom / n);
        m.energyMaeMevPerAtom = 1000.0 * absolutePerAtom / n;
        m.energyRmseEv = std::sqrt(squared / n);
        m.energyMaeEv = absolute / n;
        // A constant reference has no variance to explain: R² is then defined only for a perfect fit.
        m.energyR2 = total > 0 ? 1.0 - squared / total : (squared == 0 ? 1.0 : 0.0);
    }
    m.forceComponents = referenceForces.size();
    if (m.forceComponents > 0) {
        double squared = 0, absolute = 0;
        for (std::size_t k = 0; k < m.forceComponents; ++k) {
            const double error = predictedForces[k] - referenceForces[k];
            squared += error * error;
            absolute += std::abs(error);
        }
        m.forceRmseEvPerA = std::sqrt(squared / m.forceComponents);
        m.forceMaeEvPerA = absolute / m.forceComponents;
    }
    return m;
}

void setVirialMetrics(RegressionMetrics& metrics, const std::vector<double>& referenceVirials,
                      const std::vector<double>& predictedVirials, const std::vector<int>& atoms) {
    if (referenceVirials.size() != predictedVirials.size() ||
        referenceVirials.size() != 9 * atoms.size())
        throw std::invalid_argument("regression metrics: virial arrays differ in size");
    metrics.virialConfigurations = atoms.size();
    metrics.virialRmseMevPerAtom = metrics.virialMaeMevPerAtom = 0.0;
    if (atoms.empty())
        return;
    double squared = 0, absolute = 0;
    for (std::size_t k = 0; k < referenceVirials.size(); ++k) {
        const double error = (predictedVirials[k] - referenceVirials[k]) / atoms[k / 9];
        squared += error * error;
        absolute += std::abs(error);
    }
    metrics.virialRmseMevPerAtom = 1000.0 * std::sqrt(squared / referenceVirials.size());
    metrics.virialMaeMevPerAtom = 1000.0 * absolute / referenceVirials.size();
}

} // namespace graphace
