#include "graphace/metrics_json.h"

namespace graphace {

nlohmann::json groupsToJson(const std::vector<GroupMetrics>& groups) {
    nlohmann::json array = nlohmann::json::array();
    for (const GroupMetrics& g : groups) {
        nlohmann::json j = metricsToJson(g.metrics);
        j["group"] = g.group;
        array.push_back(j);
    }
    return array;
}

nlohmann::json metricsToJson(const RegressionMetrics& m) {
    nlohmann::json j = {{"configurations", m.configurations},
                        {"energy_rmse_mev_per_atom", m.energyRmseMevPerAtom},
                        {"energy_mae_mev_per_atom", m.energyMaeMevPerAtom},
                        {"energy_rmse_ev", m.energyRmseEv},
                        {"energy_mae_ev", m.energyMaeEv},
                        {"energy_r2", m.energyR2}};
    if (m.forceComponents) {
        j["force_rmse_ev_per_a"] = m.forceRmseEvPerA;
        j["force_mae_ev_per_a"] = m.forceMaeEvPerA;
    } else {
        j["force_rmse_ev_per_a"] = nullptr;
        j["force_mae_ev_per_a"] = nullptr;
    }
    if (m.virialConfigurations) {
        j["virial_configurations"] = m.virialConfigurations;
        j["virial_rmse_mev_per_atom"] = m.virialRmseMevPerAtom;
        j["virial_mae_mev_per_atom"] = m.virialMaeMevPerAtom;
    }
    return j;
}

} // namespace graphace
