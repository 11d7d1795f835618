#pragma once
// Private to graphace_gcn (src/gcn/): the torch side of GcnModel.
//
// The network keeps all weights in ONE flat parameter vector (graph layers W, b, then dense
// layers W, b; W stored in × out). The optimiser, gradient clipping, the finiteness check and the
// best-weights copy then each cost one tensor operation per step instead of one per layer, which
// is most of the time of the study's batch-of-one schedule.
//
// A batch is the disjoint union of its graphs, built once (tensors ready for the device):
//   Identity  every graph has only unit self-loops: Â H = H, nothing to do (the 2023 study)
//   Diagonal  only self-loops: Â H = d ⊙ H
//   Sparse    CPU: CSR product with a hand-written kernel (and Âᵀ for the backward pass);
//             other devices: index_select / index_add_ over the COO entries.

#include "graphace/gcn_trainer.h"

#include <torch/torch.h>

#include <cstdint>
#include <cstdlib>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace graphace::gcn {

// Compressed sparse rows of the batch adjacency (and of its transpose), on the CPU.
struct CsrMatrix {
    torch::Tensor rowPointers; // int64, rows + 1
    torch::Tensor columns;     // int32, nnz
    torch::Tensor values;      // model dtype, nnz
};

enum class Aggregation { Identity, Diagonal, Sparse };

struct Batch {
    int64_t graphs = 0;
    int64_t atoms = 0;
    torch::Tensor x; // atoms × F: Â X, X the standardised inputs; model dtype, on the device

    Aggregation aggregation = Aggregation::Identity;
    torch::Tensor diagonal;           // atoms × 1 (Diagonal)
    CsrMatrix csr, csrTransposed;     // Sparse on the CPU
    torch::Tensor rows, cols, values; // Sparse elsewhere: int64, int64, nnz × 1

    torch::Tensor graphIndex; // atoms, int64: graph of each atom (when graphs > 1)
    torch::Tensor invAtoms;   // graphs, 1 / atom count
    torch::Tensor baseline;   // graphs: Σ ε(z_i) (+ N μ for PerAtomSum, + Σ c·B_i with
                              // model.linearTerm), added to the output
    bool hasBaseline = false; // false when the baseline is zero everywhere
    torch::Tensor energy;     // graphs: reference energies (NaN where unknown)
};

// One sample's geometry (SampleGeometry) as tensors on the device, built once; atom indices
// local to the sample.
struct GeometryTensors {
    int64_t atoms = 0;
    torch::Tensor z;                                // atoms × F: standardised (whitened) inputs X
    torch::Tensor entryRows, entryCols, entryBase;  // adjacency entries: int64, int64, values
    torch::Tensor edgeFirst, edgeSecond, edgeEntry; // graph edges, int64
    torch::Tensor edgeWeights;                      // graph edges
    torch::Tensor edgeWeightGradients, edgeVectors; // graph edges × 3
    torch::Tensor aceFirst, aceSecond, aceBlock;    // ACE edges, int64; aceBlock = i S + s_i
    torch::Tensor aceGradients;                     // ACE edges × 3 × K
    torch::Tensor aceVectors;                       // ACE edges × 3
    torch::Tensor forces;                           // atoms × 3 reference; undefined without
    torch::Tensor virial;                           // 9 reference (eV); undefined without
    Normalisation normalisation = Normalisation::Symmetric;
};

// A batch for the force path: the energy batch's per-graph parts (no Â X) and the union of
// the samples' geometry, indices shifted to the batch.
struct ForceBatch {
    Batch batch;
    std::vector<const GeometryTensors*> parts;
    torch::Tensor z, entryRows, entryCols, entryBase;
    torch::Tensor edgeFirst, edgeSecond, edgeEntry, edgeWeights, edgeWeightGradients, edgeVectors,
        edgeGraph;
    torch::Tensor aceFirst, aceSecond, aceVectors, aceGraph;
    std::vector<torch::Tensor> aceBlocks; // per part, shifted to the batch
    torch::Tensor forces;                 // atoms × 3 (NaN rows where a sample has none)
    torch::Tensor forceMask;              // atoms × 1: 1 where reference forces exist
    int64_t forceAtoms = 0;
    torch::Tensor virials;    // graphs × 9 reference (zero rows where none)
    torch::Tensor virialMask; // graphs × 1: 1 where a reference virial exists
    int64_t virialGraphs = 0;
    Normalisation normalisation = Normalisation::Symmetric;
};

struct ForceOutput {
    torch::Tensor energy; // graphs
    torch::Tensor forces; // atoms × 3, eV/Å
    torch::Tensor virial; // graphs × 9 (row-major 3 × 3), eV: W = −Σ_e r_e ⊗ ∂E/∂r_e
};

// Everything a model is: config, statistics, weights. GcnModel::Impl is this.
struct Network {
    ExperimentConfig config;
    int featureCount = 0;
    int speciesCount = 0;
    torch::Device device = torch::kCPU;
    torch::Dtype dtype = torch::kFloat32;
    // The hand-written CPU kernels (CSR product, Eigen GEMM), unless the environment variable
    // GRAPHACE_GCN_PORTABLE_OPS is set: then the CPU takes the plain torch ops that CUDA takes,
    // so that a CPU-only machine can test that path (tests/core/test_gcn_model.cpp).
    bool cpuKernels = std::getenv("GRAPHACE_GCN_PORTABLE_OPS") == nullptr;

    // Statistics (double, on the host; stored in the model file).
    std::vector<double> inputMean, inputStd;  // F each; 0 and 1 when not standardised
    std::vector<double> inputWhitening;       // F × F row-major P (model.whitenInputs), else empty
    std::vector<double> referenceEnergies;    // S; zeros when disabled
    double targetMean = 0.0, targetStd = 1.0; // μ, σ of the per-atom residual energy
    // model.linearTerm: the linear fit's c (F, on the raw descriptors B), else empty. Its energy
    // Σ_i c·B_i is data, not a function of the weights: it joins the baseline of each batch
    // (which then needs the samples' descriptors), and its ∂E/∂B = c joins the descriptor
    // gradient of the force path.
    std::vector<double> linearCoefficients;

    torch::Tensor parameters; // flat, requires grad, on the device
    // The readout after the graph layers: dense layers, pooling, σ, baseline (forward's tail).
    torch::Tensor readout(torch::Tensor h, const Batch& batch,
                          const std::vector<torch::Tensor>& pieces, std::size_t p) const;
    std::vector<int64_t> sizes; // element count of each weight / bias, in order
    std::vector<std::vector<int64_t>> shapes;

    // The weight layout (sizes, shapes) for config.model and featureCount; throws
    // std::invalid_argument for an impossible model.
    void layout();
    // layout(), then Glorot uniform weights and zero biases from torch's global generator.
    void initialise();
    int64_t parameterCount() const;

    // Per-graph energies (graphs), differentiable with respect to `parameters`.
    torch::Tensor forward(const Batch& batch) const;
    // The network's part of each atom's energy (atoms: σ × the dense layers' output; without μ,
    // ε(z) and the linear term). PerAtomSum only: throws std::invalid_argument otherwise.
    torch::Tensor atomTerms(const Batch& batch) const;
    // The graph layers (h after the last one; p advanced past their weights), and the dense
    // layers applied to each row of h.
    torch::Tensor graphLayers(const Batch& batch, const std::vector<torch::Tensor>& pieces,
                              std::size_t& p) const;
    torch::Tensor atomDense(torch::Tensor h, const std::vector<torch::Tensor>& pieces,
                            std::size_t& p) const;
    // Energies with forces and virials, the exact derivatives of the energy through the
    // descriptors and the adjacency weights (double backward: with createGraph the outputs stay
    // differentiable with respect to `parameters`, for a loss on forces).
    ForceOutput forwardWithForces(const ForceBatch& batch, bool createGraph) const;
    // Throws std::invalid_argument when the sample has no geometry or cannot give forces.
    GeometryTensors makeGeometryTensors(const GraphSample& sample) const;
    std::vector<GeometryTensors> makeGeometryTensors(const GraphDataset& data) const;
    ForceBatch makeForceBatch(const GraphDataset& data, const std::vector<GeometryTensors>& parts,
                              const std::vector<std::size_t>& indices) const;
    // Energies, forces (3N per sample, flattened) and virials (9 per sample) without a graph to
    // the weights, in fixed chunks. `parts` null: each chunk's geometry tensors are made for it
    // and released after it (one-off predictions hold one chunk, not the whole set, on the
    // device).
    struct HostForces {
        std::vector<double> energies, forces, virials;
    };
    HostForces evaluateForces(const GraphDataset& data, const std::vector<GeometryTensors>* parts,
                              std::size_t chunk = 16) const;
    // Σ_i c·B_i of one sample (model.linearTerm); throws std::logic_error without descriptors.
    double linearEnergy(const GraphSample& sample) const;
    Eigen::VectorXd linearAtomEnergies(const GraphSample& sample) const; // c·B_i per atom
    // Standardised (and whitened) inputs X of one sample, row-major atoms × F, double.
    std::vector<double> standardisedInputs(const GraphSample& sample) const;

    // Batch of samples `indices` of `data` (which must match featureCount / speciesCount). With
    // `inputs` (makeInputs of the same data) the standardised rows are concatenated from there
    // and the descriptors of `data` are not read.
    // withAdjacency false: only the per-graph parts (no x, no aggregation), for ForceBatch.
    Batch makeBatch(const GraphDataset& data, const std::vector<std::size_t>& indices,
                    const std::vector<torch::Tensor>* inputs = nullptr,
                    bool withAdjacency = true) const;
    // Â X of each sample (as Batch::x), on the device.
    std::vector<torch::Tensor> makeInputs(const GraphDataset& data) const;
    // Batches of at most `chunk` graphs in order: the evaluation layout, fixed so that the same
    // samples always give bit-identical energies.
    std::vector<Batch> makeChunks(const GraphDataset& data, std::size_t chunk = 64) const;
    // Energies (eV, host) of the chunks, in order, without gradients.
    std::vector<double> evaluate(const std::vector<Batch>& chunks) const;
};

// Input checks shared by the trainer and predictEnergies: sizes, indices, species in range.
void checkDataset(const GraphDataset& data, int featureCount, int speciesCount,
                  const std::string& what);

// Throws std::invalid_argument (one sentence for a person) unless a model on these graphs has
// an energy that is differentiable in the positions: smooth edge weights, and self-loops when
// the adjacency is normalised (else a degree can reach zero, where D^-1/2 is singular).
void checkForcesSupported(EdgeWeighting weighting, bool selfLoops, Normalisation normalisation);

// x W (+ b; b may be undefined): Eigen kernels on the CPU unless cpuKernels is false; twice
// differentiable either way.
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                     bool cpuKernels);
torch::Tensor activate(const torch::Tensor& x, Activation activation);
// Â m for a batch (gcn_kernels.cpp): nothing, a diagonal, or the sparse product.
torch::Tensor aggregate(const Batch& batch, const torch::Tensor& m);
// CSR of a COO list (entries kept in their order within a row), values as `dtype`.
CsrMatrix toCsr(int64_t n, const std::vector<int32_t>& rows, const std::vector<int32_t>& columns,
                const std::vector<double>& values, torch::Dtype dtype);
torch::Tensor hostTensor(const std::vector<double>& values, torch::Dtype dtype,
                         const torch::Device& device);

torch::Device parseDevice(const std::string& device); // after checkDevice
std::vector<double> toHostVector(const torch::Tensor& tensor);

// Archive fields: text as a byte tensor and back, doubles as a float64 tensor.
torch::Tensor bytesTensor(const std::string& text);
std::string tensorText(const torch::Tensor& t);
torch::Tensor doublesTensor(const std::vector<double>& values);
std::string firstLine(const std::string& text); // of an exception message, for a person
// Tensors read from a file, checked to hold the data their shape says (LibTorch 1.13 does not
// check a stored tensor's shape against its data: a damaged or crafted file would make any use
// read past it; found by fuzz_model). Throw std::runtime_error naming the key.
void checkStoredTensor(const torch::Tensor& t, const std::string& key);
bool tryReadStoredTensor(torch::serialize::InputArchive& archive, const std::string& key,
                         torch::Tensor& tensor);
torch::Tensor readStoredTensor(torch::serialize::InputArchive& archive, const std::string& key);

// The trainer's state between two epochs (GcnTrainer::train), all a checkpoint restores.
struct TrainingState {
    std::size_t phase = 0; // phase of the next epoch
    int epochInPhase = 0;  // epochs of that phase completed
    int epoch = 0;         // epochs completed
    torch::Tensor last;    // the weights after `epoch`
    torch::Tensor best;    // the best weights so far (those of bestEpoch; initial when 0)
    double bestLoss = std::numeric_limits<double>::infinity();
    int bestEpoch = 0, sinceBest = 0;
    // ReduceOnPlateau within the current phase.
    double plateauLearningRate = 0, plateauBest = std::numeric_limits<double>::infinity();
    int plateauWait = 0;
    std::mt19937_64 engine;         // shuffles
    std::vector<std::size_t> order; // batch (or sample) order after the last shuffle
    std::vector<EpochRecord> history;
    double seconds = 0; // training time up to `epoch`
};

// Optimiser state: a deep copy (the live one is updated in place) and a move to a device.
using OptimiserState =
    ska::flat_hash_map<std::string, std::unique_ptr<torch::optim::OptimizerParamState>>;
OptimiserState copyOptimiserState(const torch::optim::Optimizer& optimiser);
void moveOptimiserState(torch::optim::Optimizer& optimiser, const torch::Device& device);
// Throws std::runtime_error unless every state tensor holds its data and has the weights' shape.
void checkOptimiserState(torch::optim::Optimizer& optimiser, const torch::Tensor& parameters);

// A checkpoint file (gcn_checkpoint.cpp). `optimiser` null: none made yet (epoch 0).
// `fingerprint` identifies the config and the data (trainingFingerprint).
void saveCheckpoint(const std::string& path, const Network& net, const TrainingState& state,
                    const torch::optim::Optimizer* optimiser, uint64_t fingerprint,
                    const std::string& note);
struct LoadedCheckpoint {
    TrainingState state;
    bool hasOptimiser = false;
    torch::serialize::InputArchive optimiser;
    uint64_t fingerprint = 0;
    CheckpointInfo info;
};
LoadedCheckpoint loadCheckpoint(const std::string& path, const torch::Device& device);
// The config (data file names, training.threads, device and checkpoint_every aside) and the data
// (by content) as one number.
uint64_t trainingFingerprint(const ExperimentConfig& config, const GraphDataset& train,
                             const GraphDataset& test);

} // namespace graphace::gcn

namespace graphace {
struct GcnModel::Impl : gcn::Network {};
} // namespace graphace
