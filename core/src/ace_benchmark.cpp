#include "graphace/ace_benchmark.h"

#include <chrono>
#include <cstdio>

namespace graphace {

namespace {
double now() {
    using clock = std::chrono::steady_clock;
    return std::chrono::duration<double>(clock::now().time_since_epoch()).count();
}
} // namespace

std::string AceBenchmarkResult::summary() const {
    char line[256];
    std::snprintf(line, sizeof line,
                  "ACE %d functions, %lld atoms, %lld edges, %d thread%s: %.3g µs/atom "
                  "(%.3g µs/atom per core; neighbour list %.3g µs/atom)",
                  basisSize, atoms, edges, threads, threads == 1 ? "" : "s", microsecondsPerAtom(),
                  coreMicrosecondsPerAtom(), neighborMicrosecondsPerAtom());
    return line;
}

AceBenchmarkResult benchmarkAceDescriptors(const AceBasis& basis, const Dataset& data,
                                           AceDerivatives mode, int threads, double minSeconds) {
    AceBenchmarkResult r;
    r.basisSize = basis.size();
    r.threads = std::max(1, threads);
    r.atoms = static_cast<long long>(data.atomCount());
    const double rcut = basis.config().rcut;

    double t0 = now();
    for (const Structure& s : data.structures) {
        const NeighborList nl = computeNeighborList(s, rcut);
        r.edges += static_cast<long long>(nl.edgeCount());
    }
    r.neighborSeconds = now() - t0;

    t0 = now();
    double elapsed = 0.0;
    do {
        const auto out = computeAceDescriptors(basis, data, mode, r.threads);
        ++r.passes;
        elapsed = now() - t0;
    } while (elapsed < minSeconds);
    r.totalSeconds = elapsed / r.passes;
    return r;
}

} // namespace graphace
