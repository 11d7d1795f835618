#include "graphace/cutoff_graph.h"

#include <algorithm>
#include <stdexcept>

namespace graphace {

CutoffGraph::CutoffGraph(std::shared_ptr<const Structure> structure)
    : m_structure(std::move(structure)) {
    if (!m_structure)
        throw std::invalid_argument("CutoffGraph: no structure");
}

void CutoffGraph::offerLargerList(NeighborList list) {
    if (list.cutoff > m_cache.cutoff)
        m_cache = std::move(list);
}

const NeighborList& CutoffGraph::at(double cutoff) {
    if (!(cutoff > 0.0))
        throw std::invalid_argument("cutoff must be positive");
    if (cutoff > m_cache.cutoff) {
        // Headroom only helps periodic cells whose image count stays sane; the search itself
        // validates the cell, so let it throw before anything is cached.
        const double searched = std::min(cutoff * kCutoffSearchHeadroom, std::max(cutoff, 10.0));
        m_cache = computeNeighborList(*m_structure, searched);
    }

    const std::size_t total = m_cache.edgeCount();
    m_current = NeighborList{};
    m_current.cutoff = cutoff;
    std::size_t kept = 0;
    for (std::size_t e = 0; e < total; ++e)
        kept += m_cache.distances[e] < cutoff ? 1 : 0;
    m_current.first.reserve(kept);
    m_current.second.reserve(kept);
    m_current.shifts.reserve(kept);
    m_current.vectors.reserve(kept);
    m_current.distances.reserve(kept);
    for (std::size_t e = 0; e < total; ++e) {
        if (!(m_cache.distances[e] < cutoff))
            continue;
        m_current.first.push_back(m_cache.first[e]);
        m_current.second.push_back(m_cache.second[e]);
        m_current.shifts.push_back(m_cache.shifts[e]);
        m_current.vectors.push_back(m_cache.vectors[e]);
        m_current.distances.push_back(m_cache.distances[e]);
    }

    const int atoms = static_cast<int>(m_structure->size());
    m_degrees.assign(atoms, 0);
    for (int i : m_current.first)
        ++m_degrees[i];
    m_statistics = degreeStatistics(m_current, atoms);
    return m_current;
}

} // namespace graphace
