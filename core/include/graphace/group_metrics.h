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

} // namespace graphace
