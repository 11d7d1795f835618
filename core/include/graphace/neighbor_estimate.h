#pragma once
// How many neighbour pairs a cutoff will give, before any search: a guard for callers that must
// not start a search whose result would not fit in memory (the window's live graph).

#include "graphace/structure.h"

namespace graphace {

// Directed pairs (i, j, S), i ≠ j or S ≠ 0, expected within `cutoff` (Å) at the cell's mean
// density, N · (N / V) · 4/3 π r³: close to the real count beyond the first shell of a condensed
// structure. Without a cell (V = 0), N (N − 1), every pair once each way.
double estimatedNeighborPairs(const Structure& structure, double cutoff);

} // namespace graphace
