#pragma once
// Throughput of GCN training, for `graphace bench --gcn` (figures, not test assertions). Built on
// the public GcnTrainer API, so it measures what `graphace train` does, evaluation included.
//
// Data: synthetic and seeded. Descriptors are random normal numbers (26 per atom, two species),
// energies random around the study's −953 eV. The study graph is self-loops only (as the 2023
// study's 0.5 Å cutoff gave); the real graph comes from buildGraph on random atom positions in a
// periodic cube at a density that puts ~30 neighbours within 4 Å.

#include <cstdint>
#include <string>

namespace graphace {

struct GcnBenchmarkOptions {
    int studyEpochs = 60; // epochs run of the study schedule (the rest is extrapolated)
    int batchEpochs = 25; // epochs of the one-batch benchmark (the median is reported)
    int threads = 2;      // torch intra-op threads; the targets are for 2 cores
    std::string device = "cpu";
    std::uint64_t seed = 2023;
};

struct GcnBenchmarkResult {
    int threads = 0;
    std::string device;
    double loadAverage = -1; // the machine's 1-minute load average at the start (-1: unknown)

    // (1) The study schedule: GCN(26→26, tanh) → GCN(26→26) → mean → Dense(26→1), float32,
    // Adam, batch of 1 graph in fixed order, train and test sets evaluated after every epoch.
    int studyTrainGraphs = 100, studyTestGraphs = 100, studyAtoms = 96, studyFeatures = 26;
    int studyEpochsRun = 0;
    int studyEpochsFull = 1000;
    double studyStepsPerSecond = 0;   // optimiser steps (graphs) per second, optimisation only
    double studySecondsPerEpoch = 0;  // mean wall time of an epoch, evaluation included
    double studyProjectedSeconds = 0; // studySecondsPerEpoch × studyEpochsFull

    // (2) One epoch over all graphs as a single batch on a real neighbour graph: the same layers
    // with per-atom energies summed, float32, Adam.
    int batchGraphs = 200, batchAtoms = 96;
    double batchCutoff = 4.0;
    double batchNeighbours = 0;        // mean neighbours per atom (self-loop not counted)
    double batchStepMilliseconds = 0;  // median optimisation step (forward, backward, Adam)
    double batchEpochMilliseconds = 0; // median epoch including the evaluation pass
    double batchAtomsPerSecond = 0;    // atoms per second of the optimisation step

    std::string summary() const; // the lines `graphace bench --gcn` prints
};

// Takes about ten seconds on 2 idle cores with the default options. Timings on a machine whose
// cores are busy with other work (see loadAverage) can be many times slower with 2 threads than
// with 1 (threads wait for each other), so `graphace bench --gcn` reports both.
GcnBenchmarkResult runGcnBenchmark(const GcnBenchmarkOptions& options = {});

} // namespace graphace
