#pragma once
// The steps of a training experiment before the network: data split, cutoff choice, descriptors,
// graphs and the linear baseline on the same descriptors. Shared by `graphace train` and the
// GUI's training worker so that both report identical numbers. No torch here.

#include "graphace/ace_basis.h"
#include "graphace/dataset_split.h"
#include "graphace/experiment_config.h"
#include "graphace/graph_dataset.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/progress.h"
#include "graphace/regression_metrics.h"

#include <memory>
#include <string>
#include <vector>

namespace graphace {

struct PreparedExperiment {
    // As run: ace.species resolved from the data, graph.options.cutoff set when autoCutoff was
    // asked for (autoCutoff stays true so that the record says how it was chosen).
    ExperimentConfig config;
    Dataset train;
    Dataset test;                          // may be empty
    std::vector<std::size_t> trainIndices; // into the train file when split from it, else 0…n−1
    std::vector<std::size_t> testIndices; // into the train file when split, else into the test file
    std::shared_ptr<const AceBasis> basis;
    GraphDataset trainGraphs;
    GraphDataset testGraphs;
    DegreeStatistics graphStatistics; // over the training graphs
    // Empty, or one sentence for a person: "The graph has only self-loops at 0.50 Å (no pair of
    // atoms is that close): every graph convolution is a per-atom dense layer and no message
    // passing happens." / "N atoms have no neighbour within …".
    std::string graphWarning;
    // What optimiser.forces_weight = "auto" decided and why (empty for a number).
    std::string forcesNote;
    // What optimiser.virial_weight = "auto" decided, and stresses left unread (else empty).
    std::string virialNote;
    // What the "auto" ACE settings became for this training set (ace_defaults.h).
    AceDataChoice aceChoice;
};

// `trainFile`: the data of config.data.trainFile (or the built-in sample); `testFile`: the data
// of config.data.testFile, or null to split trainFile by data.trainSize/testSize with
// training.seed. Throws std::invalid_argument for impossible sizes or data without energies.
PreparedExperiment prepareExperiment(const ExperimentConfig& config, const Dataset& trainFile,
                                     const Dataset* testFile, int threads = 0,
                                     const ProgressCallback& progress = {});

// The settings "auto" stands for on this data, exactly as prepareExperiment chooses them (same
// split; species, ACE r0 / rcut / degrees, graph cutoff), without descriptors or graphs: to show
// them before a run. Throws as prepareExperiment does for an impossible split.
ExperimentConfig resolveDataDefaults(const ExperimentConfig& config, const Dataset& trainFile,
                                     const Dataset* testFile = nullptr,
                                     AceDataChoice* choice = nullptr);

struct LinearBaseline {
    RegressionMetrics train;
    RegressionMetrics test;             // configurations == 0 without a test set
    std::vector<double> trainPredicted; // eV per configuration
    std::vector<double> testPredicted;
    // Forces (eV/Å, x y z per atom, configurations in order) when fitted with forces; else empty.
    std::vector<double> trainPredictedForces;
    std::vector<double> testPredictedForces;
    int basisSize = 0;
    double seconds = 0;
    LinearAceModel model; // what model.linear_term adds the network to (GcnTrainer)
};

// Linear least squares on exactly the descriptors of `prepared`, scored on its train and test
// sets: energies only (config.linear with forcesWeight 0), or with forces (config.linear's
// weights, forces weight 1 when it is 0) when the network trains on forces.
LinearBaseline fitLinearBaseline(const PreparedExperiment& prepared);

} // namespace graphace
