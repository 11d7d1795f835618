#include "graphace/experiment_run.h"

#include "graphace/linear_ace_fit.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <optional>
#include <stdexcept>

namespace graphace {
namespace {

void requireEnergies(const Dataset& data, const char* which) {
    for (std::size_t k = 0; k < data.size(); ++k) {
        const Structure& s = data.structures[k];
        if (!s.energy || !std::isfinite(*s.energy)) {
            std::string where =
                "configuration " + std::to_string(k + 1) + " of the " + which + " set";
            if (!s.sourceFile.empty())
                where += " (" + s.sourceFile + ":" + std::to_string(s.sourceLine) + ")";
            throw std::invalid_argument(where + " has no energy; a network is trained on energies");
        }
    }
}

std::string formatCutoff(double cutoff) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.2f Å", cutoff);
    return buffer;
}

std::string graphWarningFor(const DegreeStatistics& stats, const GraphOptions& options,
                            std::size_t atoms) {
    const std::string at = formatCutoff(options.cutoff);
    if (stats.trivial) {
        if (options.selfLoops)
            return "The graph has only self-loops at " + at +
                   " (no pair of atoms is that close): every graph convolution is a per-atom "
                   "dense layer and no message passing happens.";
        return "The graph has no edge at " + at +
               " (no pair of atoms is that close) and no self-loops: every graph convolution "
               "sees only zeros.";
    }
    if (stats.isolatedAtoms > 0)
        return std::to_string(stats.isolatedAtoms) + " of " + std::to_string(atoms) +
               " training atoms have no neighbour within " + at +
               ": for them a graph convolution is a per-atom dense layer.";
    return {};
}

bool everyConfigurationHasForces(const Dataset& data) {
    for (const Structure& s : data.structures)
        if (!s.hasForces())
            return false;
    return true;
}

// Maps a sub-task's progress into [begin, end) of the whole.
ProgressCallback subProgress(const ProgressCallback& progress, double begin, double end) {
    if (!progress)
        return {};
    return [progress, begin, end](double f) { return progress(begin + (end - begin) * f); };
}

// The data split of prepareExperiment: p.train, p.test and their indices.
void splitData(const ExperimentConfig& config, const Dataset& trainFile, const Dataset* testFile,
               PreparedExperiment& p) {
    if (trainFile.size() == 0)
        throw std::invalid_argument("the training data has no configuration");

    if (testFile) {
        if (config.data.trainSize > 0 || config.data.testSize > 0)
            throw std::invalid_argument("data.train_size/test_size split the training file; "
                                        "they cannot be combined with a separate test file");
        p.train = trainFile;
        p.test = *testFile;
        p.trainIndices.resize(trainFile.size());
        std::iota(p.trainIndices.begin(), p.trainIndices.end(), std::size_t{0});
        p.testIndices.resize(testFile->size());
        std::iota(p.testIndices.begin(), p.testIndices.end(), std::size_t{0});
    } else if (config.data.trainSize == 0 && config.data.testSize == 0) {
        // No split asked for: everything trains, in file order.
        p.train = trainFile;
        p.trainIndices.resize(trainFile.size());
        std::iota(p.trainIndices.begin(), p.trainIndices.end(), std::size_t{0});
    } else {
        const std::size_t n = trainFile.size();
        const std::size_t testCount = static_cast<std::size_t>(config.data.testSize);
        if (testCount >= n)
            throw std::invalid_argument("data.test_size " + std::to_string(testCount) +
                                        " leaves no training configuration out of " +
                                        std::to_string(n));
        const std::size_t trainCount = config.data.trainSize > 0
                                           ? static_cast<std::size_t>(config.data.trainSize)
                                           : n - testCount;
        const DatasetSplit split = splitIndices(n, trainCount, testCount, config.training.seed);
        p.trainIndices = split.train;
        p.testIndices = split.test;
        p.train = subset(trainFile, split.train);
        p.test = subset(trainFile, split.test);
    }
}

// Species from both sets, the "auto" ACE settings and graph cutoff from the training set.
ExperimentConfig resolvedData(const ExperimentConfig& config, const Dataset& train,
                              const Dataset& test, AceDataChoice* choice) {
    ExperimentConfig resolved = config;
    // Species from both sets: a test atom of a species the training set lacks must fail loudly
    // in the descriptors, not be silently dropped from the basis.
    Dataset all = train;
    all.structures.insert(all.structures.end(), test.structures.begin(), test.structures.end());
    resolved.ace = resolvedFor(config.ace, all);
    // "auto" ACE radii and the "auto" graph cutoff read one g(r) of the training set (the test
    // set stays unseen). Without any pair in range each says so in its own words below.
    std::optional<PairShells> shells;
    if (config.ace.autoR0 || config.ace.autoRcut || config.graph.autoCutoff) {
        try {
            shells = pairShells(train);
        } catch (const std::invalid_argument&) {
        }
    }
    const PairShells* known = shells ? &*shells : nullptr;
    resolved.ace = resolveAceFromData(resolved.ace, train, choice, known);
    if (config.graph.autoCutoff)
        resolved.graph.options.cutoff = known ? suggestCutoff(*known) : suggestCutoff(train);
    return resolved;
}

} // namespace

ExperimentConfig resolveDataDefaults(const ExperimentConfig& config, const Dataset& trainFile,
                                     const Dataset* testFile, AceDataChoice* choice) {
    validate(config);
    PreparedExperiment p;
    splitData(config, trainFile, testFile, p);
    return resolvedData(config, p.train, p.test, choice);
}

PreparedExperiment prepareExperiment(const ExperimentConfig& config, const Dataset& trainFile,
                                     const Dataset* testFile, int threads,
                                     const ProgressCallback& progress) {
    validate(config);
    PreparedExperiment p;
    splitData(config, trainFile, testFile, p);
    requireEnergies(p.train, "training");
    requireEnergies(p.test, "test");
    // One reference virial per configuration from here on (`virial`, or `stress` as the user
    // said to read it).
    std::size_t unreadStresses = 0, trainVirials = 0;
    for (Dataset* d : {&p.train, &p.test})
        for (Structure& s : d->structures) {
            s.virial = referenceVirial(s, config.data.stress);
            unreadStresses += s.stress && !s.virial;
            trainVirials += d == &p.train && s.virial;
        }
    p.config = resolvedData(config, p.train, p.test, &p.aceChoice);
    reportProgress(progress, 0.02);

    p.basis = std::make_shared<const AceBasis>(p.config.ace);
    OptimiserConfig& optimiser = p.config.optimiser;
    bool forcesWarning = false;
    if (optimiser.autoForcesWeight) {
        const bool dataHasForces =
            everyConfigurationHasForces(p.train) && everyConfigurationHasForces(p.test);
        const bool graphHasForces = whyNoForces(p.config.graph.options).empty();
        const bool withForces = dataHasForces && graphHasForces;
        // Worth a warning: the data could train a potential, the graph settings prevent it.
        forcesWarning = dataHasForces && !graphHasForces;
        optimiser.forcesWeight = withForces ? optimiser.energyWeight * kAutoForcesRatio : 0.0;
        if (withForces)
            p.forcesNote = "every configuration has forces: training on energies and forces";
        else if (!dataHasForces)
            p.forcesNote = "not every configuration has forces: training on energies only";
        else
            p.forcesNote =
                "graph.weighting = " + toString(p.config.graph.options.weighting) +
                (hasContinuousDerivative(p.config.graph.options.weighting) ? " without self-loops"
                                                                           : "") +
                " has no forces: training on energies only";
        p.forcesNote = "optimiser.forces_weight auto: " + p.forcesNote;
    }
    if (optimiser.autoVirialWeight) {
        const bool every = trainVirials == p.train.size();
        const bool withVirials = every && optimiser.forcesWeight > 0;
        optimiser.virialWeight = withVirials ? optimiser.energyWeight * kAutoVirialRatio : 0.0;
        // Data without any virial (most sets) needs no word about them.
        if (trainVirials > 0)
            p.virialNote = std::string("optimiser.virial_weight auto: ") +
                           (withVirials ? "every training configuration has a virial: training on "
                                          "virials too"
                            : !every    ? "not every training configuration has a virial (or a "
                                          "stress read by data.stress_unit): no virial term"
                                        : "no force training, so no virial term");
    }
    if (unreadStresses > 0)
        p.virialNote += (p.virialNote.empty() ? "" : "; ") + std::to_string(unreadStresses) +
                        " configurations have a stress that is not used (data.stress_unit is "
                        "\"none\": name its unit and data.stress_sign to train and score on it)";
    if (optimiser.virialWeight > 0 && trainVirials == 0)
        throw std::invalid_argument(
            "optimiser.virial_weight > 0 trains on virials, but no training configuration has a "
            "virial (or a stress with data.stress_unit set)");
    if (optimiser.virialWeight > 0 && !(optimiser.forcesWeight > 0))
        throw std::invalid_argument("optimiser.virial_weight > 0 needs training on forces "
                                    "(optimiser.forces_weight > 0): virials come from the same "
                                    "derivative");
    // Training on forces needs each sample's geometry (descriptor Jacobians, edge weights).
    const bool geometry = optimiser.forcesWeight > 0;
    for (OptimiserPhase& phase : optimiser.phases)
        if (phase.autoEpochs)
            phase.epochs = geometry ? kAutoEpochsWithForces : kAutoEpochsEnergiesOnly;
    if (geometry) {
        for (const Dataset* d : {&p.train, &p.test})
            for (std::size_t k = 0; k < d->size(); ++k)
                if (!d->structures[k].hasForces()) {
                    const Structure& s = d->structures[k];
                    std::string where = "configuration " + std::to_string(k + 1) + " of the " +
                                        (d == &p.train ? "training" : "test") + " set";
                    if (!s.sourceFile.empty())
                        where += " (" + s.sourceFile + ":" + std::to_string(s.sourceLine) + ")";
                    throw std::invalid_argument(
                        where + " has no forces; optimiser.forces_weight > 0 trains on forces, "
                                "so every configuration needs them (set optimiser.forces_weight "
                                "= 0 to train on energies only)");
                }
        if (const std::string why = whyNoForces(p.config.graph.options); !why.empty())
            throw std::invalid_argument("optimiser.forces_weight > 0 trains on forces, but " + why);
    }
    const double trainShare =
        0.02 + 0.98 * double(p.train.size()) / double(p.train.size() + p.test.size());
    // A float32 model keeps its Jacobians in float32 (half the memory, used in place).
    const bool single = p.config.model.precision == Precision::Float32;
    p.trainGraphs = buildGraphDataset(*p.basis, p.config.graph.options, p.train, threads,
                                      subProgress(progress, 0.02, trainShare), geometry, single);
    if (p.test.size() > 0)
        p.testGraphs = buildGraphDataset(*p.basis, p.config.graph.options, p.test, threads,
                                         subProgress(progress, trainShare, 1.0), geometry, single);
    else {
        p.testGraphs.featureCount = p.basis->size();
        p.testGraphs.speciesCount = p.basis->speciesCount();
    }
    p.graphStatistics = graphDatasetStatistics(p.trainGraphs);
    p.graphWarning =
        graphWarningFor(p.graphStatistics, p.config.graph.options, p.trainGraphs.atomCount());
    if (forcesWarning)
        p.graphWarning += (p.graphWarning.empty() ? "" : " ") +
                          std::string("The data has forces, but ") +
                          p.forcesNote.substr(p.forcesNote.find("graph.")) +
                          " (smooth-polynomial weights with self-loops train on forces).";
    reportProgress(progress, 1.0);
    return p;
}

LinearBaseline fitLinearBaseline(const PreparedExperiment& prepared) {
    if (!prepared.basis)
        throw std::invalid_argument("linear baseline: the experiment is not prepared");
    const auto start = std::chrono::steady_clock::now();
    LinearFitOptions options = prepared.config.linear;
    // The baseline sees what the network sees: forces when the network trains on them (with
    // the linear section's own weights), else energies only.
    const bool forces =
        prepared.config.optimiser.forcesWeight > 0 && hasReferenceForces(prepared.trainGraphs);
    if (!forces)
        options.forcesWeight = 0;
    else if (!(options.forcesWeight > 0))
        options.forcesWeight = 1;
    const AceBasis& basis = *prepared.basis;
    const auto trainDescriptors = aceDescriptorsOf(prepared.trainGraphs);
    LinearBaseline out;
    out.model = fitLinearAce(basis, prepared.train, trainDescriptors, options);
    const LinearAceModel& model = out.model;
    out.basisSize = basis.size();
    const LinearPrediction trainPrediction =
        predictLinearAce(model, basis, prepared.train, trainDescriptors);
    out.train = scoreLinearPrediction(prepared.train, trainPrediction);
    out.trainPredicted = trainPrediction.energies;
    if (forces)
        out.trainPredictedForces = trainPrediction.forces;
    if (prepared.test.size() > 0) {
        const auto testDescriptors = aceDescriptorsOf(prepared.testGraphs);
        const LinearPrediction testPrediction =
            predictLinearAce(model, basis, prepared.test, testDescriptors);
        out.test = scoreLinearPrediction(prepared.test, testPrediction);
        out.testPredicted = testPrediction.energies;
        if (forces)
            out.testPredictedForces = testPrediction.forces;
    }
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return out;
}

} // namespace graphace
