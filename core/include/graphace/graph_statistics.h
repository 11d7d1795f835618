#pragma once
// What a person needs to judge a cutoff: how many edges, how connected, which distances.

#include "graphace/neighbor_list.h"

#include <vector>

namespace graphace {

struct DegreeStatistics {
    // Directed edges (i, j, S), i ≠ j or S ≠ 0, d < cutoff; both directions counted.
    std::size_t edges = 0;
    int minDegree = 0;
    int maxDegree = 0;
    double meanDegree = 0.0;
    int isolatedAtoms = 0;   // atoms with no neighbour inside the cutoff
    // True when the graph has no edge at all: with self-loops added, every graph convolution is
    // then a per-atom dense layer and no message passing happens (the 2023 study's 0.5 Å case).
    bool trivial = true;
};

DegreeStatistics degreeStatistics(const NeighborList& neighbors, int atomCount);

// Histogram of pair distances 0 … maxDistance for one ordered species pair or all pairs,
// with the radial distribution function g(r) normalised by the ideal-gas pair density
// (periodic structures; for non-periodic ones `rdf` is left empty).
struct PairDistribution {
    int speciesA = 0;          // atomic number; 0 means "any"
    int speciesB = 0;
    double binWidth = 0.0;
    std::vector<double> binCentres;
    std::vector<double> counts;  // directed pairs (i of species A, j of species B) per bin,
                                 // summed over all structures added
    std::vector<double> rdf;
};

// Accumulates over structures; `neighbors` must be computed with cutoff ≥ maxDistance.
class PairDistributionAccumulator {
public:
    PairDistributionAccumulator(double maxDistance, int bins, int speciesA = 0, int speciesB = 0);
    void add(const Structure& structure, const NeighborList& neighbors);
    PairDistribution result() const;

private:
    double m_maxDistance;
    int m_speciesA;
    int m_speciesB;
    std::vector<double> m_counts;
    double m_rdfNormalisation = 0.0;  // Σ over structures of N_A · N_B / V (periodic only)
    bool m_allPeriodic = true;
};

} // namespace graphace
