#include "graphace/ace_defaults.h"

#include "graphace/ace_basis.h"
#include "graphace/pair_shells.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <stdexcept>

namespace graphace {
namespace {

constexpr double kShellReach = 6.0;         // Å: the pair distances g(r) is read from
constexpr std::size_t kShellAtoms = 100000; // atoms enough for a smooth g(r)

double roundTo(double x, double step) {
    return std::round(x / step) * step;
}

std::string format(const char* pattern, double value) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, pattern, value);
    return buffer;
}

// Every k-th configuration, so that g(r) of a huge set costs no more than that of ~10^5 atoms.
Dataset shellSample(const Dataset& train) {
    const std::size_t atoms = train.atomCount();
    if (atoms <= kShellAtoms)
        return train;
    const std::size_t stride = (atoms + kShellAtoms - 1) / kShellAtoms;
    Dataset sample;
    for (std::size_t k = 0; k < train.structures.size(); k += stride)
        sample.structures.push_back(train.structures[k]);
    return sample;
}

std::vector<int> scaledDegrees(const std::vector<int>& base, double factor, double csp) {
    std::vector<int> out(base.size());
    for (std::size_t k = 0; k < base.size(); ++k) {
        const int floor = static_cast<int>(std::ceil(csp * static_cast<double>(k + 1)));
        out[k] = std::max(floor, static_cast<int>(std::lround(factor * base[k])));
    }
    return out;
}

} // namespace

std::size_t autoBasisBudget(std::size_t speciesCount) {
    return static_cast<std::size_t>(
        std::lround(kAutoBasisBudget * std::sqrt(static_cast<double>(speciesCount))));
}

std::vector<int> autoDegreesFallback(int bodyOrder) {
    const std::vector<int> all = {20, 10, 7, 5};
    const int orders = std::clamp(bodyOrder - 1, 0, static_cast<int>(all.size()));
    return {all.begin(), all.begin() + orders};
}

AceConfig dataDerivedAceConfig() {
    AceConfig c;
    c.body_order = 4;
    c.wL = 0.25;
    c.csp = 1;
    c.max_degree = 10; // unused while the per-order degrees are set; kept valid
    c.autoR0 = c.autoRcut = c.autoDegrees = true;
    c.r0 = kAutoR0Fallback;
    c.rcut = kAutoRcutFallback;
    c.max_degree_per_order = autoDegreesFallback(c.body_order);
    return c;
}

AceConfig resolveAceFromData(const AceConfig& config, const Dataset& train, AceDataChoice* choice,
                             const PairShells* given) {
    AceConfig out = config;
    AceDataChoice chosen;
    chosen.anyAuto = config.autoR0 || config.autoRcut || config.autoDegrees;
    std::string summary;
    if (config.autoR0 || config.autoRcut) {
        PairShells shells;
        try {
            shells = given ? *given : pairShells(shellSample(train), kShellReach);
        } catch (const std::invalid_argument&) {
            throw std::invalid_argument(
                "ace.r0/rcut \"auto\": the training data has no pair of atoms within " +
                format("%.0f", kShellReach) +
                " Å to read a nearest-neighbour distance from; give ace.r0 and ace.rcut");
        }
        chosen.nearestNeighbour = roundTo(shells.firstPeak, 0.01);
        if (config.autoR0) {
            out.r0 = chosen.nearestNeighbour;
            summary += format("r0 %.2f Å (nearest neighbour: first g(r) peak)", out.r0);
        }
        if (config.autoRcut) {
            const double scaled = roundTo(kAutoRcutOverR0 * chosen.nearestNeighbour, 0.01);
            out.rcut = std::max(scaled, kAutoRcutFloor);
            summary += (summary.empty() ? "" : ", ") + format("rcut %.2f Å", out.rcut) +
                       (scaled >= kAutoRcutFloor
                            ? format(" (%.1f × nearest neighbour)", kAutoRcutOverR0)
                            : format(" (%.0f Å floor", kAutoRcutFloor) +
                                  format(" above %.1f × nearest neighbour)", kAutoRcutOverR0));
        }
    }
    if (config.autoDegrees) {
        if (config.species.empty())
            throw std::invalid_argument("ace.max_degree_per_order \"auto\" needs the species "
                                        "(resolve them from the data first)");
        const std::vector<int> base = autoDegreesFallback(config.body_order);
        const std::size_t budget = autoBasisBudget(config.species.size());
        for (int step = 0;; ++step) {
            const double factor = 1.0 - 0.05 * step;
            out.max_degree_per_order = scaledDegrees(base, factor, config.csp);
            validate(out);
            const std::size_t size = AceBasis(out).size();
            chosen.basisSize = size;
            // The smallest degrees that still leave a function of each order end the search.
            if (size <= budget || factor <= 0.05 + 1e-9)
                break;
        }
        std::string list;
        for (int d : out.max_degree_per_order)
            list += (list.empty() ? "" : ", ") + std::to_string(d);
        summary += (summary.empty() ? "" : ", ") + std::string("degrees per order [") + list +
                   "] (" + std::to_string(chosen.basisSize) + " functions, at most " +
                   std::to_string(budget) + " for " + std::to_string(config.species.size()) +
                   (config.species.size() == 1 ? " species)" : " species)");
    }
    validate(out);
    chosen.summary = summary;
    if (choice)
        *choice = chosen;
    return out;
}

} // namespace graphace
