#pragma once
// The graph convolutional network and its trainer (LibTorch behind a torch-free interface, so
// only the graphace_gcn sources pay for torch headers). See gcn_config.h for the model.
//
// Batching: a batch of graphs is one disjoint union; the aggregation Â H is an index-add over
// the union's COO entries and pooling an index-add over atoms (no per-element tensor indexing).
//
// Determinism: the same config and data give the identical history on CPU (weights initialised
// from training.seed; batch order fixed, or shuffled by a generator seeded from it).

#include "graphace/experiment_config.h"
#include "graphace/graph_dataset.h"
#include "graphace/regression_metrics.h"

#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace graphace {

struct LinearAceModel;
namespace gcn_library {
struct Access;
}

// One line of history.csv and one progress report.
struct EpochRecord {
    int epoch = 0; // 1-based over all phases
    int phase = 0; // 0-based index into optimiser.phases
    double trainLoss =
        0; // the optimised loss (optimiser.loss) over the training set, after the epoch
    double testLoss = 0; // same on the test set; NaN without one
    double trainRmseMevPerAtom = 0, trainMaeMevPerAtom = 0;
    double testRmseMevPerAtom = 0, testMaeMevPerAtom = 0; // NaN without a test set
    // Force errors over all components (eV/Å); NaN when the set has no forces or the graphs
    // were built without geometry (energy-only training).
    double trainForceRmseEvPerA = 0, trainForceMaeEvPerA = 0;
    double testForceRmseEvPerA = 0, testForceMaeEvPerA = 0;
    // Virial RMSE per atom (meV/atom) over the configurations with a reference virial; NaN
    // when none has one or without geometry.
    double trainVirialRmseMevPerAtom = 0, testVirialRmseMevPerAtom = 0;
    double learningRate = 0;   // used during this epoch
    double seconds = 0;        // wall time of the epoch (optimisation + evaluation)
    double atomsPerSecond = 0; // training atoms per second in the optimisation pass
};

enum class TrainingStop {
    Completed,    // all phases ran
    Cancelled,    // the callback or the cancel flag asked to stop
    Diverged,     // NaN/Inf in the loss or the weights; the best weights so far are kept
    EarlyStopped, // optimiser.earlyStoppingPatience epochs without improvement; best kept
};
std::string toString(TrainingStop stop);

struct TrainingOutcome {
    TrainingStop stop = TrainingStop::Completed;
    std::string message; // one sentence for a person, e.g. why it diverged
    int epochsRun = 0;
    int bestEpoch = 0;                // epoch whose weights the model holds
    double seconds = 0;               // training time, earlier processes of a resumed run included
    std::vector<EpochRecord> history; // all epochs, those before a resume included
    // Set when a checkpoint could not be written (training went on without it): why.
    std::string checkpointError;
};

// Predictions of a model with the derivatives of its energy (GcnModel::predictWithForces).
struct GcnPrediction {
    std::vector<double> energies; // eV per configuration
    std::vector<double> forces;   // eV/Å, x y z per atom, configurations in order
    std::vector<double> virials; // eV, 9 per configuration (row-major W = −Σ_e r_e ⊗ ∂E/∂r_e)
    std::vector<double> stresses; // eV/Å³, 9 per configuration, −W / V; NaN unless 3D-periodic
};

// A trained (or freshly initialised) network with everything needed to apply it: its config
// (ace, graph, model), the input standardisation, μ/σ, reference energies, species.
class GcnModel {
public:
    GcnModel(GcnModel&&) noexcept;
    GcnModel& operator=(GcnModel&&) noexcept;
    ~GcnModel();

    const ExperimentConfig& config() const;
    int parameterCount() const;

    // Total energies (eV) of each sample, evaluated in fixed chunks so that the same samples in
    // the same order always give bit-identical numbers (train-time metrics = predict metrics).
    std::vector<double> predictEnergies(const GraphDataset& data) const;
    // Each atom's energy (eV, atoms of each sample in order): the network's per-atom output with
    // its share of the baseline (μ, ε(z_i), c·B_i with model.linearTerm); they sum to
    // predictEnergies. Throws std::invalid_argument unless model.target is "per_atom_sum".
    std::vector<double> predictAtomEnergies(const GraphDataset& data) const;

    // Whether the energy is differentiable in the positions (smooth edge weights, self-loops
    // with a normalised adjacency), i.e. whether predictWithForces can be used.
    bool supportsForces() const;
    // Energies with forces, virials and stress: the exact derivatives of the predicted energy
    // through the descriptors and the adjacency weights. The data must be built with geometry
    // (buildGraphDataset(..., withGeometry = true)); throws std::invalid_argument otherwise or
    // when !supportsForces().
    GcnPrediction predictWithForces(const GraphDataset& data) const;

    // One file (torch archive: weights, standardisation, reference energies, and the config as
    // JSON text), written atomically (temporary file + rename).
    void save(const std::string& path) const;
    // Throws std::runtime_error naming the file when it is missing or not a GraphACE model.
    // `device` as in training.device ("cpu" when empty: a CUDA-trained model loads anywhere).
    static GcnModel load(const std::string& path, const std::string& device = "cpu");

    // All weights as one vector, in a fixed order: for each graph layer W (in × out, row-major)
    // then b, then the same for each dense layer. For tests and inspection; setParameterValues
    // throws std::invalid_argument on a size mismatch.
    std::vector<double> parameterValues() const;
    void setParameterValues(const std::vector<double>& values);

private:
    friend class GcnTrainer;
    friend struct gcn_library::Access;
    struct Impl;
    // Out of line, so that a program which loads the network on demand (gcn_library.h) deletes
    // the state through the library that made it.
    struct ImplDeleter {
        void operator()(Impl* impl) const;
    };
    explicit GcnModel(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl, ImplDeleter> m_impl;
};

// Called after every epoch; return false to stop (TrainingStop::Cancelled).
using EpochCallback = std::function<bool(const EpochRecord&)>;

// Resumable training. A checkpoint is one file (a torch archive) holding the trainer's whole
// state after an epoch: the weights, the best weights so far, the optimiser's state, the phase
// and epoch, the plateau and early-stopping counters, the shuffle generator and batch order, the
// history so far, fingerprints of the config and of the data (resuming with others is refused),
// and the caller's note. A run resumed from it ends with the same weights and history (timings
// aside) as one never stopped, given the same device and thread count.
struct CheckpointOptions {
    std::string path;    // written atomically (temporary file + rename); empty: none
    int everyEpochs = 0; // after every this many epochs; and always when cancelled
    std::string note;    // the caller's text, kept in the file (the CLI: how to rebuild the data)
    // At most this fraction of the training time goes to periodic checkpoints: one that is due
    // is skipped while the last write took longer than this share of the training time since
    // (epochs of milliseconds, where an fsync'ed write costs more than the epochs). 0: no limit.
    double maxOverhead = 0;
};

struct CheckpointInfo {
    int epoch = 0;                    // epochs completed when it was written
    int totalEpochs = 0;              // of the whole schedule
    double seconds = 0;               // training time up to then
    std::vector<EpochRecord> history; // the epochs up to then
    std::string note;
    ExperimentConfig config; // the run's (resolved) config
};
// Throws std::runtime_error naming the file when it is missing, truncated (e.g. still being
// written by another program) or not a GraphACE checkpoint.
CheckpointInfo readCheckpointInfo(const std::string& path);

class GcnTrainer {
public:
    // Fits input statistics and reference energies on `train`, initialises the weights.
    // Throws std::invalid_argument for an invalid config, an empty training set or samples
    // without energy, and std::runtime_error for an unavailable device ("CUDA was requested but
    // this build of LibTorch has no CUDA" / "no CUDA device is available").
    // With model.linearTerm, `linear` is the linear fit the network adds to (fitted on `train`
    // with the same basis; experiment_run.h's fitLinearBaseline), required then, ignored else.
    GcnTrainer(const ExperimentConfig& config, const GraphDataset& train, const GraphDataset& test,
               const LinearAceModel* linear = nullptr);
    ~GcnTrainer();

    // Runs the whole schedule. `cancel` (optional) is checked before every batch, so a stop
    // request returns within one batch; the callback is called after every epoch.
    TrainingOutcome train(const EpochCallback& onEpoch = {},
                          const std::atomic<bool>* cancel = nullptr);

    // Checkpoints during train(): after every options.everyEpochs epochs, and when cancelled (the
    // state after the last whole epoch). A failed write does not stop training: the outcome's
    // checkpointError says why.
    void setCheckpoints(const CheckpointOptions& options);
    // Before train(): continue from a checkpoint; train() then runs the epochs after it (the
    // callback sees those) and its outcome covers the whole run. Throws std::runtime_error when
    // the file cannot be read or was written for another config (data file names,
    // training.threads, device and checkpoint_every aside) or other data (compared by content).
    void resume(const std::string& path);
    int resumedEpoch() const; // epochs restored by resume(); 0 otherwise
    // Their history (the checkpoint's), e.g. to show the earlier epochs; empty otherwise.
    const std::vector<EpochRecord>& resumedHistory() const;

    const GcnModel& model() const; // the weights as described by the outcome's bestEpoch
    GcnModel takeModel();

private:
    friend struct gcn_library::Access;
    struct Impl;
    struct ImplDeleter {
        void operator()(Impl* impl) const;
    };
    std::unique_ptr<Impl, ImplDeleter> m_impl;
};

// Energy metrics of predictions against the samples' reference energies (no forces).
RegressionMetrics scoreEnergies(const GraphDataset& data, const std::vector<double>& predicted);
// Energy and force metrics of a prediction with forces (forces of the configurations that have
// reference forces; none compared when no configuration has them).
RegressionMetrics scorePrediction(const GraphDataset& data, const GcnPrediction& predicted);
// The model's metrics on `data`: with forces when the model has them and the graphs carry
// geometry (predictWithForces), else energies only. Energies always come from predictEnergies
// (bit-identical whether or not forces are computed). Fills `prediction` when given.
RegressionMetrics scoreModel(const GcnModel& model, const GraphDataset& data,
                             GcnPrediction* prediction = nullptr);
bool hasGeometry(const GraphDataset& data);

// Torch build information for Help → About and `--version`.
struct TorchInfo {
    std::string version; // e.g. "1.13.1"
    bool cudaAvailable = false;
    int cudaDevices = 0;
};
TorchInfo torchInfo();

// Throws std::runtime_error with a clear message when `device` cannot be used here.
void checkDevice(const std::string& device);

} // namespace graphace
