#pragma once
// Timing of ACE descriptor evaluation, for `graphace bench` (figures, not test assertions).

#include "graphace/ace_descriptors.h"

#include <string>
#include <vector>

namespace graphace {

struct AceBenchmarkResult {
    int basisSize = 0;   // AceBasis::size()
    long long atoms = 0; // atoms per pass over the data
    long long edges = 0; // neighbour-list edges (within rcut) per pass
    int threads = 1;
    int passes = 0;               // passes per figure; each figure is the best of them
    double neighborSeconds = 0.0; // wall time of computeNeighborList alone, per pass
    double totalSeconds = 0.0;    // wall time of computeAceDescriptors (incl. neighbours)
    // AceEvaluator::compute given neighbour lists built beforehand, per
    // pass (the evaluation and its output, without the neighbour search).
    double evaluationSeconds = 0.0;
    // With mode Forces: energy, forces and virial of a linear model on this basis (all
    // coefficients non-zero) by AceEvaluator::linearEnergyForces (the adjoint), given the
    // neighbour lists, per pass: what MD and prediction pay, against evaluationSeconds for the
    // per-function gradients that fitting needs.
    double adjointSeconds = 0.0;
    // totalSeconds / atoms, in µs, and the same × threads (the cost on one core).
    double microsecondsPerAtom() const { return atoms ? 1e6 * totalSeconds / atoms : 0.0; }
    double coreMicrosecondsPerAtom() const { return microsecondsPerAtom() * threads; }
    double neighborMicrosecondsPerAtom() const {
        return atoms ? 1e6 * neighborSeconds / atoms : 0.0;
    }
    double evaluationMicrosecondsPerAtom() const {
        return atoms ? 1e6 * evaluationSeconds / atoms : 0.0;
    }
    double adjointMicrosecondsPerAtom() const { return atoms ? 1e6 * adjointSeconds / atoms : 0.0; }
    // Neighbours within rcut per atom (all periodic images), the main cost driver with size().
    double neighboursPerAtom() const { return atoms ? double(edges) / double(atoms) : 0.0; }
    std::string summary() const; // one line: "ACE 26 fns, 9264 atoms, 1 thread: 0.8 µs/atom …"
};

// One thread, the best of `repeat` (≥ 1) passes of each of: computeAceDescriptors end to end
// (neighbour search and output allocation included: totalSeconds), the neighbour search alone
// (neighborSeconds), AceEvaluator::compute given the neighbour lists (evaluationSeconds) and,
// for mode Forces, linearEnergyForces given them (adjointSeconds).
// The best pass is the one least disturbed by other work on the machine; passes = repeat.
AceBenchmarkResult benchmarkAceBestOf(const AceBasis& basis, const Dataset& data,
                                      AceDerivatives mode, int repeat = 3);

// `base` with the (max_degree, wL) pair, from degrees × wLs, whose basis size is closest to
// `target` (ties: the smaller basis, then the earlier pair). Basis sizes jump with the degree
// (70, 134, 244, 428 … for two species, body order 4, wL = 1); wL fills the gaps. Throws
// std::invalid_argument when degrees or wLs is empty, or as AceBasis does for invalid values.
AceConfig aceConfigClosestToSize(const AceConfig& base, int target, const std::vector<int>& degrees,
                                 const std::vector<double>& wLs);

} // namespace graphace
