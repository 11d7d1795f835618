#pragma once
// The error measures everyone in the field reports, for linear fits and networks alike.
//   energy RMSE / MAE per atom:  sqrt(mean_c ((Ê_c − E_c) / N_c)²),  mean_c |Ê_c − E_c| / N_c
//     (reported in meV/atom)
//   energy RMSE / MAE per configuration in eV, and R² = 1 − Σ(Ê−E)² / Σ(E−Ē)²
//   force RMSE / MAE over all Cartesian components in eV/Å
//   virial RMSE / MAE per atom over the 9 components of the configurations with a reference
//     virial: sqrt(mean_{c,k} ((Ŵ_ck − W_ck) / N_c)²) (reported in meV/atom)

#include <Eigen/Core>

#include <cstddef>
#include <vector>

namespace graphace {

struct RegressionMetrics {
    std::size_t configurations = 0;
    double energyRmseMevPerAtom = 0.0;
    double energyMaeMevPerAtom = 0.0;
    double energyRmseEv = 0.0;
    double energyMaeEv = 0.0;
    double energyR2 = 0.0;
    std::size_t forceComponents = 0;  // 0 when no forces were compared
    double forceRmseEvPerA = 0.0;
    double forceMaeEvPerA = 0.0;
    std::size_t virialConfigurations = 0; // 0 when no virials were compared
    double virialRmseMevPerAtom = 0.0;
    double virialMaeMevPerAtom = 0.0;
};

// `atoms[c]` atoms in configuration c. Forces: flattened (x, y, z per atom) over all
// configurations, same order for reference and prediction; pass empty vectors when unused.
RegressionMetrics computeRegressionMetrics(const std::vector<double>& referenceEnergy,
                                           const std::vector<double>& predictedEnergy,
                                           const std::vector<int>& atoms,
                                           const std::vector<double>& referenceForces = {},
                                           const std::vector<double>& predictedForces = {});

// Sets the virial fields: 9 numbers (eV) per compared configuration in both vectors, `atoms`
// one per compared configuration.
void setVirialMetrics(RegressionMetrics& metrics, const std::vector<double>& referenceVirials,
                      const std::vector<double>& predictedVirials, const std::vector<int>& atoms);

} // namespace graphace
