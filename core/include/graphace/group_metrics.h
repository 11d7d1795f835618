#pragma once
// Errors where they are: the regression metrics of each group of configurations that share the
// value of an info key (config_type by default), so that a model that is good on average but
// bad on surfaces or liquids says so.

#include "graphace/regression_metrics.h"
#include "graphace/structure.h"

#include <string>
#include <vector>

namespace graphace {

struct GroupMetrics {
    std::string group; // the key's value; "" for the configurations without the key
    RegressionMetrics metrics;
};

// Groups in order of first appearance. `predictedEnergies`: eV, one per configuration;
// `predictedForces`: eV/Å, x y z per atom over all configurations in order, or empty (no force
// metrics); forces are compared for the configurations that have reference forces. Throws
// std::invalid_argument when the sizes do not match the data or a configuration has no energy.
std::vector<GroupMetrics> metricsByGroup(const Dataset& data,
                                         const std::vector<double>& predictedEnergies,
                                         const std::vector<double>& predictedForces = {},
                                         const std::string& key = "config_type");

// The errors of one model on each configuration and each atom: what the dataset table sorts by
// and the 3D view colours atoms with.
struct ConfigurationErrors {
    // (predicted − reference) / atoms, eV/atom; NaN for a configuration without energy.
    std::vector<double> energyPerAtom;
    // RMSE over the configuration's force components, eV/Å; NaN without reference or predicted
    // forces.
    std::vector<double> forceRmse;
    // |F_predicted − F_reference| of each atom, eV/Å; empty where forceRmse is NaN.
    std::vector<std::vector<double>> atomForceError;
};

// Arguments as metricsByGroup's; configurations without energy are allowed (NaN). Throws
// std::invalid_argument when the sizes do not match the data.
ConfigurationErrors configurationErrors(const Dataset& data,
                                        const std::vector<double>& predictedEnergies,
                                        const std::vector<double>& predictedForces = {});

} // namespace graphace
