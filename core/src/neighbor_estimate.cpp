#include "graphace/neighbor_estimate.h"

#include <algorithm>
#include <cmath>

namespace graphace {

double estimatedNeighborPairs(const Structure& structure, double cutoff) {
    const double atoms = static_cast<double>(structure.size());
    const double volume = structure.volume();
    if (!(volume > 0.0))
        return atoms * std::max(0.0, atoms - 1.0);
    return atoms * (atoms / volume) * 4.0 / 3.0 * M_PI * cutoff * cutoff * cutoff;
}

} // namespace graphace
