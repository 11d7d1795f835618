#pragma once
// Live cutoff tuning for one structure: the neighbour list at any cutoff, fast (a Verlet list
// whose skin grows as the cutoff does).
//
// A slider sends many cutoffs in a row. Searching afresh each time costs a cell-list search;
// instead the list is searched once at the largest cutoff asked for so far (plus headroom) and
// every smaller cutoff is a filter on distance (strictly less, as in computeNeighborList), which
// keeps the core's convention and order of edges exactly.

#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"
#include "graphace/structure.h"

#include <memory>
#include <vector>

namespace graphace {

class CutoffGraph {
public:
    // The structure is shared, not copied: the caller keeps it alive and unchanged.
    explicit CutoffGraph(std::shared_ptr<const Structure> structure);

    const Structure& structure() const { return *m_structure; }
    // Edges with d < cutoff, sorted as computeNeighborList sorts them. Throws what
    // computeNeighborList throws (e.g. std::invalid_argument for a degenerate periodic cell).
    const NeighborList& at(double cutoff);
    // The list last returned by at() (empty before the first call).
    const NeighborList& current() const { return m_current; }
    // Degree of every atom in the list last returned by at().
    const std::vector<int>& degrees() const { return m_degrees; }
    const DegreeStatistics& statistics() const { return m_statistics; }
    // Cutoff of the cached search (0 before the first call).
    double searchedCutoff() const { return m_cache.cutoff; }
    // A list computed elsewhere at a larger cutoff (e.g. for the histogram) replaces the cache.
    void offerLargerList(NeighborList list);

private:
    std::shared_ptr<const Structure> m_structure;
    NeighborList m_cache;
    NeighborList m_current;
    std::vector<int> m_degrees;
    DegreeStatistics m_statistics;
};

// Headroom factor on the cached search: dragging a slider upwards then searches again only
// every 25 % of cutoff instead of on every step.
inline constexpr double kCutoffSearchHeadroom = 1.25;

} // namespace graphace
