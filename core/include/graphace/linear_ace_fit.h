#pragma once
// The linear ACE baseline: E_c = Σ_{i∈c} c·B_i + Σ_{i∈c} e0(z_i).
//
// Design (one row per configuration with an energy, three per atom with forces; rows are folded
// into the solver configuration by configuration, never held all at once):
//   energy row c:  [ Σ_i B_i , n_z ] / N_c        target E_c / N_c   weight energyWeight
//   force row a,k: [ −∂(Σ_i B_i)/∂r_{a,k} , 0 ]    target F_{a,k}     weight forcesWeight
// (n_z: atoms of species z; energies per atom so that large cells do not dominate.)
// Solved by graphace::solveLeastSquares (scaled columns, pivoted QR, optional ridge).
//
// Regularisation: λ Σ_k (Γ_k ĉ_k)² on the SCALED coefficients ĉ_k = scale_k · c_k (columns
// scaled to unit RMS over the unweighted design's rows, see least_squares.h), λ = ridge. Without
// a smoothness prior Γ_k = 1 for every column, reference energies included (plain ridge). With
// smoothnessPrior = p > 0 (ACE1.jl / ACEpotentials' algebraic smoothness prior) basis function
// k gets Γ_k = deg_k^p, deg_k = csp·Σ(n + wL·l) of its channels (AceBasisFunction::degree,
// ≥ csp), so rough high-degree functions are damped more than smooth low-degree ones; the
// one-body reference energies are left unregularised (Γ = 0).
//
// Reference energies the data cannot separate (every configuration with the same composition
// ratios, e.g. only HfO2) are not all fitted: an independent subset of the species keeps one,
// the others get 0, and the kept ones absorb the per-atom offset. Energies of configurations with
// the training compositions are the same either way.

#include "graphace/ace_basis.h"
#include "graphace/ace_descriptors.h"
#include "graphace/least_squares.h"
#include "graphace/regression_metrics.h"

#include <vector>

namespace graphace {

struct LinearFitOptions {
    double energyWeight = 1.0;
    double forcesWeight = 0.0;     // 0: energies only
    double ridge = 0.0;            // λ ≥ 0, on the scaled problem (see above)
    double smoothnessPrior = 0.0;  // exponent p ≥ 0 of Γ_k = deg_k^p; 0: plain ridge
    bool referenceEnergies = true; // fit a one-body energy per species
};

struct LinearAceModel {
    AceConfig ace;                         // resolved (species filled in)
    Eigen::VectorXd coefficients;          // AceBasis::size() entries
    std::vector<double> referenceEnergies; // per species of `ace.species`, eV/atom (0 if off)
    int rank = 0;
    double conditionEstimate = 0;
};

struct LinearPrediction {
    std::vector<double> energies; // per configuration, eV
    std::vector<double> forces;   // flattened x, y, z per atom over all configurations
    // From the adjoint predictLinearAce only, 9 per configuration, row-major: virials
    // W = −Σ_e r_e ⊗ ∂E/∂r_e (eV) and stresses −W/V (eV/Å³; NaN unless 3D-periodic), as
    // GcnPrediction has them.
    std::vector<double> virials, stresses;
};

// `descriptors[c]` for `data.structures[c]`, computed with AceDerivatives::Forces when
// options.forcesWeight > 0. Configurations without an energy contribute only force rows.
// Throws std::invalid_argument when no configuration has an energy.
LinearAceModel fitLinearAce(const AceBasis& basis, const Dataset& data,
                            const std::vector<AceStructureDescriptors>& descriptors,
                            const LinearFitOptions& options);

// The same fit without holding the descriptors: they are computed a few configurations at a
// time (on `threads` threads, 0: all cores; with derivatives when forces are fitted), their rows
// folded into the least-squares factor (StreamingLeastSquares) and dropped, so memory is that of
// one block of configurations and the (columns × columns) factor, not of the data set. The
// result equals fitLinearAce's to round-off. `progress`: fraction of configurations; returning
// false throws Cancelled.
LinearAceModel fitLinearAceStreaming(const AceBasis& basis, const Dataset& data,
                                     const LinearFitOptions& options, int threads = 0,
                                     const ProgressCallback& progress = {});

// The Tikhonov diagonal Γ over the fit's columns (basis functions, then one per species when
// referenceEnergies): all 1 when options.smoothnessPrior == 0, else deg_k^p and 0 for the
// reference energies. Throws std::invalid_argument for a negative or non-finite exponent.
Eigen::VectorXd linearFitRegularisation(const AceBasis& basis, const LinearFitOptions& options);

// Forces are predicted only when every descriptor set has sumGradient.
LinearPrediction predictLinearAce(const LinearAceModel& model, const AceBasis& basis,
                                  const Dataset& data,
                                  const std::vector<AceStructureDescriptors>& descriptors);

// Energies, forces and virials of every configuration by the adjoint
// (AceEvaluator::linearEnergyForces, neighbour lists built here), on `threads` threads; no
// descriptors are kept. Errors are rethrown with the configuration in *failedIndex when given.
LinearPrediction predictLinearAce(const LinearAceModel& model, const AceBasis& basis,
                                  const Dataset& data, int threads = 0,
                                  const ProgressCallback& progress = {},
                                  int* failedIndex = nullptr);

// Metrics of a prediction against the data's reference labels; forces are compared where both
// the data and the prediction have them. Throws when a configuration has no energy.
RegressionMetrics scoreLinearPrediction(const Dataset& data, const LinearPrediction& prediction);

} // namespace graphace
