#pragma once
// Periodic neighbour search (cell lists, triclinic cells, partial periodicity, any cutoff).
//
// Convention, exactly:
//   An edge (i, j, S) with integer shift S = (S1, S2, S3) joins atom i to the image of atom j
//   translated by S1·a1 + S2·a2 + S3·a3 (rows of Structure::cell):
//       r_ij = r_j − r_i + S · cell           (S as a row vector)
//       d_ij = |r_ij| < cutoff                 (strictly less)
//   S_k is always 0 along a non-periodic direction. The pair i == j with S = 0 (the atom itself)
//   is never listed; i == j with S ≠ 0 (an atom and its own image) is, whenever d < cutoff.
//   The list is "full": (i, j, S) present ⇔ (j, i, −S) present, with r_ji = −r_ij.
//   Positions are used as given (not wrapped into the cell); shifts refer to those positions.
//   Edges are sorted by (i, j, S1, S2, S3).

#include "graphace/progress.h"
#include "graphace/structure.h"

#include <array>
#include <vector>

namespace graphace {

using Shift = std::array<int, 3>;

// Structure-of-arrays edge list; all vectors have edgeCount() entries.
struct NeighborList {
    double cutoff = 0.0;
    std::vector<int> first;           // i
    std::vector<int> second;          // j
    std::vector<Shift> shifts;        // S
    std::vector<Vec3> vectors;        // r_ij
    std::vector<double> distances;    // |r_ij|

    std::size_t edgeCount() const { return first.size(); }
};

// Cell-list search. Throws std::invalid_argument for cutoff ≤ 0 or non-finite, for a periodic
// direction whose lattice vector is degenerate (zero volume), and for a periodic system that
// would need an absurd number of images (more than 10^8 image cells, or more than 2^31 periodic
// images of atoms in all).
NeighborList computeNeighborList(const Structure& structure, double cutoff,
                                 const ProgressCallback& progress = {});

// O(N² · images) reference search with the same convention, for tests.
NeighborList bruteForceNeighborList(const Structure& structure, double cutoff);

} // namespace graphace
