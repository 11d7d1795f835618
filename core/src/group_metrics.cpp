#include "graphace/group_metrics.h"

#include <cmath>
#include <stdexcept>

namespace graphace {

namespace {

void checkSizes(const Dataset& data, const std::vector<double>& predictedEnergies,
                const std::vector<double>& predictedForces, const char* what) {
    if (predictedEnergies.size() != data.size())
        throw std::invalid_argument(std::string(what) +
                                    ": one predicted energy per configuration needed");
    if (!predictedForces.empty() && predictedForces.size() != 3 * data.atomCount())
        throw std::invalid_argument(std::string(what) +
                                    ": predicted forces do not match the atoms");
}

} // namespace

std::vector<GroupMetrics> metricsByGroup(const Dataset& data,
                                         const std::vector<double>& predictedEnergies,
                                         const std::vector<double>& predictedForces,
                                         const std::string& key) {
    checkSizes(data, predictedEnergies, predictedForces, "group metrics");
    struct Group {
        std::string name;
        std::vector<double> referenceEnergy, predictedEnergy, referenceForces, predictedForces;
        std::vector<int> atoms;
    };
    std::vector<Group> groups;
    std::size_t atom = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        const Structure& s = data.structures[c];
        if (!s.energy || !std::isfinite(*s.energy))
            throw std::invalid_argument("group metrics: configuration " + std::to_string(c + 1) +
                                        " has no energy");
        const std::string* value = s.findInfo(key);
        const std::string name = value ? *value : std::string();
        std::size_t g = 0;
        while (g < groups.size() && groups[g].name != name)
            ++g;
        if (g == groups.size())
            groups.push_back({name, {}, {}, {}, {}, {}});
        Group& group = groups[g];
        group.referenceEnergy.push_back(*s.energy);
        group.predictedEnergy.push_back(predictedEnergies[c]);
        group.atoms.push_back(static_cast<int>(s.size()));
        if (!predictedForces.empty() && s.hasForces())
            for (std::size_t a = 0; a < s.size(); ++a)
                for (int k = 0; k < 3; ++k) {
                    group.referenceForces.push_back(s.forces[a][k]);
                    group.predictedForces.push_back(predictedForces[3 * (atom + a) + k]);
                }
        atom += s.size();
    }
    std::vector<GroupMetrics> out;
    for (const Group& g : groups)
        out.push_back(
            {g.name, computeRegressionMetrics(g.referenceEnergy, g.predictedEnergy, g.atoms,
                                              g.referenceForces, g.predictedForces)});
    return out;
}

ConfigurationErrors configurationErrors(const Dataset& data,
                                        const std::vector<double>& predictedEnergies,
                                        const std::vector<double>& predictedForces) {
    checkSizes(data, predictedEnergies, predictedForces, "configuration errors");
    const double nan = std::nan("");
    ConfigurationErrors out;
    out.energyPerAtom.reserve(data.size());
    out.forceRmse.reserve(data.size());
    out.atomForceError.resize(data.size());
    std::size_t atom = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        const Structure& s = data.structures[c];
        const bool energy = s.energy && std::isfinite(*s.energy) && s.size() > 0;
        out.energyPerAtom.push_back(
            energy ? (predictedEnergies[c] - *s.energy) / static_cast<double>(s.size()) : nan);
        double squares = 0;
        if (!predictedForces.empty() && s.hasForces() && s.size() > 0) {
            std::vector<double>& norms = out.atomForceError[c];
            for (std::size_t a = 0; a < s.size(); ++a) {
                const double* f = &predictedForces[3 * (atom + a)];
                const Vec3 d = Vec3(f[0], f[1], f[2]) - s.forces[a];
                norms.push_back(d.norm());
                squares += d.squaredNorm();
            }
            out.forceRmse.push_back(std::sqrt(squares / (3.0 * static_cast<double>(s.size()))));
        } else {
            out.forceRmse.push_back(nan);
        }
        atom += s.size();
    }
    return out;
}

} // namespace graphace
