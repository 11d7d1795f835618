#include "graphace/graph_statistics.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace graphace {
namespace {

constexpr double kPi = 3.14159265358979323846;

void checkIndices(const NeighborList& neighbors, std::size_t e, int atomCount, const char* who) {
    const int i = neighbors.first[e], j = neighbors.second[e];
    if (i < 0 || i >= atomCount || j < 0 || j >= atomCount)
        throw std::invalid_argument(std::string(who) + ": neighbour list edge " +
                                    std::to_string(e) + " refers to an atom outside 0.." +
                                    std::to_string(atomCount - 1));
}

bool isSelfLoop(const NeighborList& neighbors, std::size_t e) {
    const Shift& s = neighbors.shifts[e];
    return neighbors.first[e] == neighbors.second[e] && s[0] == 0 && s[1] == 0 && s[2] == 0;
}

} // namespace

DegreeStatistics degreeStatistics(const NeighborList& neighbors, int atomCount) {
    if (atomCount < 0)
        throw std::invalid_argument("degree statistics: negative atom count");
    const std::size_t m = neighbors.edgeCount();
    if (neighbors.second.size() != m || neighbors.shifts.size() != m)
        throw std::invalid_argument("degree statistics: inconsistent neighbour list");
    std::vector<int> degree(atomCount, 0);
    DegreeStatistics stats;
    for (std::size_t e = 0; e < m; ++e) {
        checkIndices(neighbors, e, atomCount, "degree statistics");
        if (isSelfLoop(neighbors, e))
            continue;
        ++degree[neighbors.first[e]];
        ++stats.edges;
    }
    if (atomCount > 0) {
        const auto [lo, hi] = std::minmax_element(degree.begin(), degree.end());
        stats.minDegree = *lo;
        stats.maxDegree = *hi;
        stats.meanDegree = double(stats.edges) / atomCount;
        stats.isolatedAtoms = static_cast<int>(std::count(degree.begin(), degree.end(), 0));
    }
    stats.trivial = stats.edges == 0;
    return stats;
}

PairDistributionAccumulator::PairDistributionAccumulator(double maxDistance, int bins, int speciesA,
                                                         int speciesB)
    : m_maxDistance(maxDistance), m_speciesA(speciesA), m_speciesB(speciesB) {
    if (!std::isfinite(maxDistance) || maxDistance <= 0.0)
        throw std::invalid_argument("pair distribution: the maximum distance must be positive");
    if (bins <= 0)
        throw std::invalid_argument("pair distribution: the number of bins must be positive");
    if (speciesA < 0 || speciesB < 0)
        throw std::invalid_argument("pair distribution: atomic numbers must be ≥ 0 (0 = any)");
    m_counts.assign(bins, 0.0);
}

void PairDistributionAccumulator::add(const Structure& structure, const NeighborList& neighbors) {
    // A list with a shorter cutoff would silently miss the outer pairs.
    if (neighbors.cutoff < m_maxDistance)
        throw std::invalid_argument(
            "pair distribution: the neighbour list cutoff " + std::to_string(neighbors.cutoff) +
            " Å is smaller than the histogram range " + std::to_string(m_maxDistance) + " Å");
    const int atomCount = static_cast<int>(structure.size());
    if (structure.numbers.size() != structure.size())
        throw std::invalid_argument("pair distribution: structure has " +
                                    std::to_string(structure.numbers.size()) +
                                    " atomic numbers for " + std::to_string(atomCount) + " atoms");
    const std::size_t m = neighbors.edgeCount();
    if (neighbors.second.size() != m || neighbors.distances.size() != m ||
        neighbors.shifts.size() != m)
        throw std::invalid_argument("pair distribution: inconsistent neighbour list");
    const auto matches = [](int wanted, int number) { return wanted == 0 || wanted == number; };

    const int bins = static_cast<int>(m_counts.size());
    const double binWidth = m_maxDistance / bins;
    for (std::size_t e = 0; e < m; ++e) {
        checkIndices(neighbors, e, atomCount, "pair distribution");
        const double d = neighbors.distances[e];
        if (isSelfLoop(neighbors, e) || !(d < m_maxDistance))
            continue;
        if (!matches(m_speciesA, structure.numbers[neighbors.first[e]]) ||
            !matches(m_speciesB, structure.numbers[neighbors.second[e]]))
            continue;
        m_counts[std::min(bins - 1, static_cast<int>(d / binWidth))] += 1.0;
    }

    // g(r) needs a bulk density: only structures periodic in all three directions have one
    // (a slab's volume includes its vacuum).
    if (!(structure.pbc[0] && structure.pbc[1] && structure.pbc[2]) || !(structure.volume() > 0)) {
        m_allPeriodic = false;
        return;
    }
    double countA = 0, countB = 0;
    for (int z : structure.numbers) {
        countA += matches(m_speciesA, z);
        countB += matches(m_speciesB, z);
    }
    m_rdfNormalisation += countA * countB / structure.volume();
}

PairDistribution PairDistributionAccumulator::result() const {
    PairDistribution out;
    out.speciesA = m_speciesA;
    out.speciesB = m_speciesB;
    const int bins = static_cast<int>(m_counts.size());
    out.binWidth = m_maxDistance / bins;
    out.counts = m_counts;
    out.binCentres.resize(bins);
    for (int b = 0; b < bins; ++b)
        out.binCentres[b] = (b + 0.5) * out.binWidth;
    // Empty rdf when it is undefined: nothing added, a non-periodic structure, or no pair of
    // the requested species at all.
    if (!m_allPeriodic || !(m_rdfNormalisation > 0.0))
        return out;
    out.rdf.resize(bins);
    for (int b = 0; b < bins; ++b) {
        // The exact shell volume 4/3 π (r_hi³ − r_lo³), i.e. 4π r² dr without its O(dr³) error
        // (which matters in the first bins).
        const double lo = b * out.binWidth, hi = (b + 1) * out.binWidth;
        const double shell = 4.0 / 3.0 * kPi * (hi * hi * hi - lo * lo * lo);
        out.rdf[b] = m_counts[b] / (m_rdfNormalisation * shell);
    }
    return out;
}

} // namespace graphace
