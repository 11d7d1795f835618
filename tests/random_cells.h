#pragma once
// Random periodic test cells for derivative checks: `atoms` atoms placed uniformly in `cell`
// (rows are lattice vectors), none closer than `minDistance` to another or to an image; atom k
// is Ti (Z 22) when k % speciesPeriod != 0, else Al (Z 13).
#include "graphace/structure.h"

#include <random>

namespace graphace::testing {

inline Structure randomCell(const Mat3& cell, unsigned seed, int atoms, double minDistance,
                            int speciesPeriod = 2) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Structure s;
    s.cell = cell;
    s.pbc = {true, true, true};
    while (int(s.size()) < atoms) {
        const Vec3 p = (Eigen::RowVector3d(u(rng), u(rng), u(rng)) * s.cell).transpose();
        bool ok = true;
        for (const Vec3& q : s.positions)
            for (int a = -1; a <= 1; ++a)
                for (int b = -1; b <= 1; ++b)
                    for (int c = -1; c <= 1; ++c)
                        ok = ok &&
                             (q + (Eigen::RowVector3d(a, b, c) * s.cell).transpose() - p).norm() >
                                 minDistance;
        if (ok) {
            s.positions.push_back(p);
            s.numbers.push_back(s.size() % speciesPeriod ? 22 : 13);
        }
    }
    return s;
}

} // namespace graphace::testing
