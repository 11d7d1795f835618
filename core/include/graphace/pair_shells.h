#pragma once
// Coordination shells of a dataset: where its smoothed pair distribution peaks and dips. Two
// data-derived defaults read them: the neighbour-graph cutoff (the end of the first shell,
// suggestCutoff in graph_dataset.h) and the ACE radial scale r0 (the nearest-neighbour distance,
// ace_defaults.h).

#include "graphace/structure.h"

#include <vector>

namespace graphace {

struct PairShells {
    std::vector<double> binCentres; // Å, 0.02 Å bins from 0 to maxDistance
    // Pairs per shell volume (g(r) up to a constant, defined for non-periodic data too),
    // smoothed with a Gaussian of 0.06 Å.
    std::vector<double> smoothed;
    // The nearest-neighbour distance: the first local maximum that reaches a quarter of the
    // highest (noise bumps in the sparse short-distance tail do not count).
    double firstPeak = 0;
    // The end of the first shell: the minimum after the first peak (the middle of its flat
    // bottom, since a crystal's gap between shells is a run of zeros).
    double firstMinimum = 0;
};

// All pairs of all structures up to maxDistance (> 0). Throws std::invalid_argument when no
// pair is within maxDistance.
PairShells pairShells(const Dataset& data, double maxDistance = 6.0);

} // namespace graphace
