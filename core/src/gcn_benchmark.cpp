#include "graphace/gcn_benchmark.h"

#include "graphace/gcn_trainer.h"
#include "graphace/graph.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>

namespace graphace {
namespace {

// Random descriptors (two species, shifted apart) and energies around the study's −953 eV.
GraphSample randomSample(int atoms, int features, std::mt19937_64& engine) {
    std::normal_distribution<double> normal(0.0, 1.0);
    GraphSample s;
    s.atomCount = atoms;
    s.descriptors.resize(atoms, features);
    for (int i = 0; i < atoms; ++i) {
        s.species.push_back(i % 3 == 0 ? 1 : 0);
        for (int f = 0; f < features; ++f)
            s.descriptors(i, f) = normal(engine) + 0.5 * s.species.back();
    }
    s.energy = -953.0 + 0.6 * normal(engine);
    return s;
}

AtomGraph selfLoopGraph(int atoms) {
    AtomGraph g;
    g.atomCount = atoms;
    for (int i = 0; i < atoms; ++i) {
        g.rows.push_back(i);
        g.columns.push_back(i);
        g.values.push_back(1.0); // D^-1/2 I D^-1/2 = I
    }
    return g;
}

// Uniform random positions in a periodic cube with `neighbours` expected within `cutoff`.
AtomGraph randomNeighbourGraph(int atoms, double cutoff, double neighbours,
                               std::mt19937_64& engine) {
    const double density =
        neighbours / (4.0 / 3.0 * 3.14159265358979323846 * cutoff * cutoff * cutoff);
    const double length = std::cbrt(atoms / density);
    std::uniform_real_distribution<double> uniform(0.0, length);
    Structure s;
    s.cell = Mat3::Identity() * length;
    s.pbc = {true, true, true};
    for (int i = 0; i < atoms; ++i) {
        s.positions.emplace_back(uniform(engine), uniform(engine), uniform(engine));
        s.numbers.push_back(i % 3 == 0 ? 72 : 8);
    }
    GraphOptions options;
    options.cutoff = cutoff;
    return buildGraph(s, options);
}

ExperimentConfig studyConfig(const GcnBenchmarkOptions& options, int epochs) {
    ExperimentConfig c;
    c.model.graphLayers = {{26, Activation::Tanh}, {26, Activation::Identity}};
    c.model.denseLayers = {{1, Activation::Identity}};
    c.model.pooling = Pooling::Mean;
    c.model.target = EnergyTarget::Total;
    c.model.precision = Precision::Float32;
    c.optimiser.kind = OptimiserKind::Adam;
    c.optimiser.phases = {{epochs, 0.1, 0.9, 0.8, true}};
    c.optimiser.loss = LossKind::TotalEnergy;
    c.training.batchSize = 1;
    c.training.shuffle = false;
    c.training.seed = options.seed;
    c.training.threads = options.threads;
    c.training.device = options.device;
    return c;
}

double median(std::vector<double> values) {
    if (values.empty())
        return 0.0;
    std::sort(values.begin(), values.end());
    return values[values.size() / 2];
}

} // namespace

GcnBenchmarkResult runGcnBenchmark(const GcnBenchmarkOptions& options) {
    GcnBenchmarkResult r;
    r.threads = options.threads;
    r.device = options.device;
    std::ifstream loadFile("/proc/loadavg");
    if (!(loadFile >> r.loadAverage))
        r.loadAverage = -1;
    std::mt19937_64 engine(options.seed);

    // (1) The study schedule, shortened: the per-epoch cost does not depend on the epoch.
    {
        GraphDataset train, test;
        for (GraphDataset* d : {&train, &test}) {
            d->featureCount = r.studyFeatures;
            d->speciesCount = 2;
        }
        for (int c = 0; c < r.studyTrainGraphs + r.studyTestGraphs; ++c) {
            GraphSample s = randomSample(r.studyAtoms, r.studyFeatures, engine);
            s.graph = selfLoopGraph(r.studyAtoms);
            (c < r.studyTrainGraphs ? train : test).samples.push_back(std::move(s));
        }
        const int epochs = std::max(2, options.studyEpochs);
        GcnTrainer trainer(studyConfig(options, epochs), train, test);
        const TrainingOutcome outcome = trainer.train();
        // The first epoch pays for one-off allocations: leave it out when there are more.
        double seconds = 0, stepSeconds = 0;
        int counted = 0;
        for (const EpochRecord& e : outcome.history)
            if (e.epoch > 1 && e.atomsPerSecond > 0) {
                seconds += e.seconds;
                stepSeconds += r.studyTrainGraphs * r.studyAtoms / e.atomsPerSecond;
                ++counted;
            }
        r.studyEpochsRun = outcome.epochsRun;
        if (counted > 0) {
            r.studySecondsPerEpoch = seconds / counted;
            r.studyStepsPerSecond = counted * r.studyTrainGraphs / stepSeconds;
            r.studyProjectedSeconds = r.studySecondsPerEpoch * r.studyEpochsFull;
        }
    }

    // (2) One epoch = one batch of all graphs on a real neighbour graph.
    {
        GraphDataset train;
        train.featureCount = r.studyFeatures;
        train.speciesCount = 2;
        double edges = 0;
        for (int c = 0; c < r.batchGraphs; ++c) {
            GraphSample s = randomSample(r.batchAtoms, r.studyFeatures, engine);
            s.graph = randomNeighbourGraph(r.batchAtoms, r.batchCutoff, 30.0, engine);
            edges += static_cast<double>(s.graph.edgeCount);
            train.samples.push_back(std::move(s));
        }
        r.batchNeighbours = edges / (r.batchGraphs * r.batchAtoms);
        ExperimentConfig config = studyConfig(options, std::max(2, options.batchEpochs));
        config.model.target = EnergyTarget::PerAtomSum;
        config.model.graphLayers = {{26, Activation::Tanh}, {26, Activation::Tanh}};
        config.model.denseLayers = {{1, Activation::Identity}};
        config.model.standardiseInputs = true;
        config.model.standardiseTargets = true;
        config.model.referenceEnergies = true;
        config.optimiser.phases = {{std::max(2, options.batchEpochs), 1e-3, 0.9, 0.999, true}};
        config.optimiser.loss = LossKind::EnergyPerAtom;
        config.training.batchSize = 0;
        GcnTrainer trainer(config, train, {});
        const TrainingOutcome outcome = trainer.train();
        std::vector<double> step, epoch;
        const double atoms = static_cast<double>(r.batchGraphs) * r.batchAtoms;
        for (const EpochRecord& e : outcome.history)
            if (e.epoch > 1 && e.atomsPerSecond > 0) {
                step.push_back(1e3 * atoms / e.atomsPerSecond);
                epoch.push_back(1e3 * e.seconds);
            }
        r.batchStepMilliseconds = median(step);
        r.batchEpochMilliseconds = median(epoch);
        r.batchAtomsPerSecond =
            r.batchStepMilliseconds > 0 ? 1e3 * atoms / r.batchStepMilliseconds : 0;
    }
    return r;
}

std::string GcnBenchmarkResult::summary() const {
    char line[1024];
    std::string text;
    if (loadAverage >= 0) {
        std::snprintf(line, sizeof line,
                      "GCN benchmarks with %d thread(s); machine load average %.1f at the start\n",
                      threads, loadAverage);
        text += line;
    }
    std::snprintf(
        line, sizeof line,
        "GCN study schedule  %.0f steps/s, %.1f ms/epoch -> projected %.1f s for %d epochs "
        "(target < 120 s; measured %d epochs and extrapolated; %d train + %d test graphs "
        "of %d atoms, %d features, self-loop graphs, batch 1, Adam, float32, evaluation "
        "every epoch, %d threads, %s, synthetic random descriptors)\n",
        studyStepsPerSecond, 1e3 * studySecondsPerEpoch, studyProjectedSeconds, studyEpochsFull,
        studyEpochsRun, studyTrainGraphs, studyTestGraphs, studyAtoms, studyFeatures, threads,
        device.c_str());
    text += line;
    std::snprintf(line, sizeof line,
                  "GCN one-batch epoch %.1f ms/epoch step, %.1f ms with evaluation, %.2f M atoms/s "
                  "(target < 20 ms; %d graphs x %d atoms as one batch, %.1f neighbours/atom at "
                  "%.1f A, GCN 26-26-26 tanh, per-atom sum, float32, %d threads, %s, synthetic "
                  "random positions and descriptors)\n",
                  batchStepMilliseconds, batchEpochMilliseconds, batchAtomsPerSecond / 1e6,
                  batchGraphs, batchAtoms, batchNeighbours, batchCutoff, threads, device.c_str());
    text += line;
    return text;
}

} // namespace graphace
