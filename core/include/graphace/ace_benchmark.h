#pragma once
// Timing of ACE descriptor evaluation, for `graphace bench` (figures, not test assertions).

#include "graphace/ace_descriptors.h"

#include <string>

namespace graphace {

struct AceBenchmarkResult {
    int basisSize = 0;   // AceBasis::size()
    long long atoms = 0; // atoms per pass over the data
    long long edges = 0; // neighbour-list edges (within rcut) per pass
    int threads = 1;
    int passes = 0;               // how many passes the timing averages
    double neighborSeconds = 0.0; // wall time of computeNeighborList alone, per pass
    double totalSeconds = 0.0;    // wall time of computeAceDescriptors (incl. neighbours)
    // totalSeconds / atoms, in µs, and the same × threads (the cost on one core).
    double microsecondsPerAtom() const { return atoms ? 1e6 * totalSeconds / atoms : 0.0; }
    double coreMicrosecondsPerAtom() const { return microsecondsPerAtom() * threads; }
    double neighborMicrosecondsPerAtom() const {
        return atoms ? 1e6 * neighborSeconds / atoms : 0.0;
    }
    std::string summary() const; // one line: "ACE 26 fns, 9264 atoms, 1 thread: 0.8 µs/atom …"
};

// Runs computeAceDescriptors over `data` repeatedly (at least once, until `minSeconds` of wall
// time have passed) with `threads` threads (≥ 1) and reports the mean per pass.
AceBenchmarkResult benchmarkAceDescriptors(const AceBasis& basis, const Dataset& data,
                                           AceDerivatives mode, int threads = 1,
                                           double minSeconds = 0.5);

} // namespace graphace
