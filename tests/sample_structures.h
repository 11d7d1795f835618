#pragma once
// Small structures the suites share: the built-in sample cut to a few configurations, and a
// two-atom cell whose every distance is known by hand.
#include "graphace/sample_dataset.h"
#include "graphace/structure.h"

namespace graphace::testing {

inline Dataset smallSample(int configurations) {
    SampleOptions options;
    options.configurations = configurations;
    return generateSampleDataset(options);
}

// A two-atom rock-salt-like cell, 4 Å cubic (Hf at the origin, O at the body centre).
inline Structure twoAtomCell() {
    Structure s;
    s.cell = Mat3::Identity() * 4.0;
    s.pbc = {true, true, true};
    s.positions = {Vec3(0, 0, 0), Vec3(2, 2, 2)};
    s.numbers = {72, 8};
    return s;
}

} // namespace graphace::testing
