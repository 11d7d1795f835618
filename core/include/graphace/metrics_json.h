#pragma once
// Regression metrics as JSON, the same keys everywhere: fit-linear --json, metrics.json of a
// training run, predict --json.

#include "graphace/group_metrics.h"
#include "graphace/regression_metrics.h"

#include <nlohmann/json.hpp>

#include <vector>

namespace graphace {

// The metric object of fit-linear's JSON (energy_rmse_mev_per_atom, energy_mae_mev_per_atom,
// energy_rmse_ev, energy_mae_ev, energy_r2, configurations, and force keys when forces were
// compared).
nlohmann::json metricsToJson(const RegressionMetrics& metrics);
// [{"group": value, ...metric object}, ...] in the order given.
nlohmann::json groupsToJson(const std::vector<GroupMetrics>& groups);

} // namespace graphace
