#include "graphace/pair_shells.h"

#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace graphace {

PairShells pairShells(const Dataset& data, double maxDistance) {
    if (!std::isfinite(maxDistance) || maxDistance <= 0)
        throw std::invalid_argument("pairShells: maxDistance must be a positive number of Å");
    constexpr double kBinWidth = 0.02;
    const int bins = std::max(1, static_cast<int>(std::lround(maxDistance / kBinWidth)));
    PairDistributionAccumulator accumulator(maxDistance, bins);
    for (const auto& s : data.structures)
        accumulator.add(s, computeNeighborList(s, maxDistance));
    const PairDistribution pd = accumulator.result();
    double total = 0;
    for (double c : pd.counts)
        total += c;
    if (!(total > 0))
        throw std::invalid_argument("no pair of atoms is closer than " +
                                    std::to_string(maxDistance) + " Å");

    std::vector<double> g(bins, 0.0);
    for (int b = 0; b < bins; ++b) {
        const double lo = b * pd.binWidth, hi = (b + 1) * pd.binWidth;
        g[b] = pd.counts[b] / (hi * hi * hi - lo * lo * lo);
    }
    const double sigma = 0.06 / pd.binWidth;
    const int reach = static_cast<int>(std::ceil(4 * sigma));
    PairShells out;
    out.binCentres = pd.binCentres;
    std::vector<double>& smooth = out.smoothed;
    smooth.assign(bins, 0.0);
    for (int b = 0; b < bins; ++b) {
        double sum = 0, weight = 0;
        for (int k = std::max(0, b - reach); k <= std::min(bins - 1, b + reach); ++k) {
            const double w = std::exp(-0.5 * (k - b) * (k - b) / (sigma * sigma));
            sum += w * g[k];
            weight += w;
        }
        smooth[b] = sum / weight;
    }

    const double highest = *std::max_element(smooth.begin(), smooth.end());
    int peak = -1;
    for (int b = 0; b < bins && peak < 0; ++b) {
        const bool rising = b == 0 || smooth[b] >= smooth[b - 1];
        const bool falling = b == bins - 1 || smooth[b] > smooth[b + 1];
        if (smooth[b] >= 0.25 * highest && rising && falling)
            peak = b;
    }
    if (peak < 0)
        peak = static_cast<int>(std::max_element(smooth.begin(), smooth.end()) - smooth.begin());
    out.firstPeak = pd.binCentres[peak];

    // Follow the curve down until it has clearly risen again (by a tenth of the peak height),
    // then take the middle of the flat bottom.
    int lowest = peak;
    int b = peak + 1;
    for (; b < bins; ++b) {
        if (smooth[b] < smooth[lowest])
            lowest = b;
        if (smooth[b] > smooth[lowest] + 0.1 * smooth[peak])
            break;
    }
    const double tolerance = smooth[lowest] + 0.02 * smooth[peak];
    int left = lowest, right = lowest;
    while (left - 1 > peak && smooth[left - 1] <= tolerance)
        --left;
    while (right + 1 < std::min(b, bins) && smooth[right + 1] <= tolerance)
        ++right;
    out.firstMinimum = 0.5 * (pd.binCentres[left] + pd.binCentres[right]);
    return out;
}

} // namespace graphace
