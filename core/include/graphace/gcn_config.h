#pragma once
// Settings of the graph convolutional network and of its training: the "model", "optimiser" and
// "training" sections of the experiment config (see experiment_config.h, docs/cli.md).
//
// Model (docs/science.md §3): per configuration with atoms i, ACE descriptors X (N × F),
// adjacency Â:
//   H0 = standardise(X)                     (training-set mean/std per column, when enabled;
//                                            then ZCA-whitened with whitenInputs)
//   H_{k+1} = act_k(Â H_k W_k + b_k)       for each graph layer k
//   per-atom head: e_i = dense layers on row i of the last H (the last dense layer has width 1)
//   EnergyTarget::PerAtomSum:  Ê = Σ_i (σ e_i + μ) + Σ_i ε(z_i)       (extensive; default)
//   EnergyTarget::Total:       Ê = dense(pool_i H_i) with pool = mean or sum (the 2023 study)
// where ε are per-species reference energies (linear fit of E on species counts over the
// training set, zero when disabled) and μ, σ the mean/std of the per-atom residual energy
// (1 and 0 when standardisation is off).

#include <cstdint>
#include <string>
#include <vector>

namespace graphace {

enum class Activation { Identity, Relu, LeakyRelu, Tanh, Sigmoid, Silu, Gelu, Softplus };
enum class Pooling { Sum, Mean };
enum class EnergyTarget { Total, PerAtomSum };
enum class Precision { Float32, Float64 };
enum class LossKind {
    TotalEnergy,   // mean over configurations of (Ê − E)², eV²  (the study)
    EnergyPerAtom, // mean over configurations of ((Ê − E) / N)², eV²/atom²
};

struct LayerConfig {
    int width = 26;
    Activation activation = Activation::Tanh;
};

struct ModelConfig {
    std::vector<LayerConfig> graphLayers{{26, Activation::Tanh}, {26, Activation::Identity}};
    // Dense layers after the graph layers; the last must have width 1 (the energy).
    std::vector<LayerConfig> denseLayers{{1, Activation::Identity}};
    Pooling pooling = Pooling::Mean;
    EnergyTarget target = EnergyTarget::Total;
    bool standardiseInputs = false;  // descriptors: (x − mean) / std, training statistics
    bool standardiseTargets = false; // per-atom residual energy: μ, σ (PerAtomSum only)
    bool referenceEnergies = false;  // per-species ε from the training set
    // After standardising: z ← z P with P = C^-1/2 (ZCA; C the covariance of z over the training
    // atoms, eigenvalues floored at 3e-4 of the largest). ACE columns are strongly correlated, so
    // gradient descent on merely standardised inputs stalls far from the least-squares optimum
    // that the linear fit reaches; decorrelated inputs remove that. Needs standardiseInputs.
    bool whitenInputs = false;
    // E = (the linear ACE fit) + (the network): Ê = Σ_i (c·B_i + e0(z_i)) + Σ_i (σ e_i + μ), with
    // c, e0 the least-squares fit on the training set (linear_ace_fit.h, the baseline that
    // `train` fits anyway), fixed; ε is then e0, μ = 0 and σ the RMS of the linear fit's
    // per-atom residual. The last dense layer starts at zero, so the model starts as exactly
    // the linear fit and the network learns only what the linear model cannot express.
    // PerAtomSum only.
    bool linearTerm = false;
    Precision precision = Precision::Float32;
};

enum class OptimiserKind { Adam, AdamW, Sgd };
enum class LearningRateDecay { None, Exponential, Cosine, ReduceOnPlateau };

// One phase of the schedule. A phase with resetMoments starts a fresh optimiser (moments and
// step count zero), as the study did between its two phases.
struct OptimiserPhase {
    int epochs = 500;
    double learningRate = 1e-3;
    double beta1 = 0.9; // Adam/AdamW betas; beta1 is the SGD momentum
    double beta2 = 0.999;
    bool resetMoments = true;
    // "auto" (JSON `"epochs": "auto"`): resolved when the experiment is prepared, to
    // kAutoEpochsWithForces when it trains on forces, else kAutoEpochsEnergiesOnly; `epochs` then
    // holds the resolved value (before: the energies-only one). Force labels carry 3N numbers
    // per configuration: the same validation error takes far fewer epochs.
    bool autoEpochs = false;
};

struct OptimiserConfig {
    OptimiserKind kind = OptimiserKind::Adam;
    double eps = 1e-8;
    double weightDecay = 0.0;
    std::vector<OptimiserPhase> phases{{500, 0.1, 0.9, 0.8, true}, {500, 1e-5, 0.9, 0.8, true}};
    // Applied within each phase, starting from the phase's learning rate:
    //   Exponential: lr = lr0 · gamma^(epoch in phase)
    //   Cosine:      lr = minLr + ½ (lr0 − minLr)(1 + cos(π · epoch in phase / phase epochs))
    //   ReduceOnPlateau: lr ← max(minLr, lr · factor) after `patience` epochs without the
    //                    monitored loss (test if any, else train) improving by a relative 1e-4
    LearningRateDecay decay = LearningRateDecay::None;
    double gamma = 0.99;
    double factor = 0.5;
    int patience = 20;
    double minLearningRate = 0.0;
    double gradientClipNorm = 0.0; // 0: off; else clip the global gradient norm
    int earlyStoppingPatience = 0; // 0: off; else stop after this many epochs without improvement
    LossKind loss = LossKind::TotalEnergy;
    // Loss = energyWeight · (energy term of `loss`) + forcesWeight · mean over force components
    // of (F̂ − F)² (eV²/Å²) + virialWeight · mean over the configurations with a reference virial
    // and their 9 components of ((Ŵ − W) / N)² (eV²/atom²); F̂ = −∂Ê/∂r and Ŵ exactly (double
    // backward). forcesWeight 0: energies only; > 0 needs training data with forces and smooth
    // edge weights. virialWeight > 0 needs forcesWeight > 0 (the same derivative) and a
    // reference virial in at least one training configuration (reference_virial.h).
    double energyWeight = 1.0;
    double forcesWeight = 0.0;
    double virialWeight = 0.0;
    // "auto" (JSON `"forces_weight": "auto"`): resolved against the data when the experiment is
    // prepared: forcesWeight = energyWeight · kAutoForcesRatio when every configuration has
    // forces and the graph settings admit forces (smooth weights, self-loops if normalised),
    // else 0 (energies only). forcesWeight then holds the resolved value.
    bool autoForcesWeight = false;
    // "auto" (JSON `"virial_weight": "auto"`): virialWeight = energyWeight · kAutoVirialRatio
    // when the experiment trains on forces and every training configuration has a reference
    // virial, else 0.
    bool autoVirialWeight = false;
};

// The force weight "auto" gives, relative to energyWeight: the per-atom energy error (eV)
// weighted 100 times the force error (eV/Å) in the squared loss, validated on zuo2020 Si
// (train split only; docs/cli.md, "Presets").
inline constexpr double kAutoForcesRatio = 1e-2;
// The virial weight "auto" gives, relative to energyWeight (the per-atom virial error is an
// energy per atom, like the energy term; docs/cli.md, "Presets").
inline constexpr double kAutoVirialRatio = 1e-1;
// What "epochs": "auto" resolves to (the recommended schedule, validated on training splits:
// energies only, the sample and Si_train; with forces, Si_train; docs/cli.md, "Presets").
inline constexpr int kAutoEpochsEnergiesOnly = 1000;
inline constexpr int kAutoEpochsWithForces = 150;

struct TrainingConfig {
    int batchSize = 1;          // graphs per optimiser step; 0 means all training graphs
    bool shuffle = false;       // reshuffle the batch order every epoch (seeded)
    std::uint64_t seed = 2023;  // weights, split and shuffling
    int threads = 0;            // torch intra-op threads; 0: all cores
    std::string device = "cpu"; // "cpu", "cuda" or "cuda:N"
    // A resumable checkpoint every this many epochs (and when stopped) where the caller asks for
    // checkpoints (GcnTrainer::setCheckpoints); 0: only when stopped.
    int checkpointEvery = 10;
};

std::string toString(Activation activation);
std::string toString(Pooling pooling);
std::string toString(EnergyTarget target);
std::string toString(Precision precision);
std::string toString(LossKind loss);
std::string toString(OptimiserKind kind);
std::string toString(LearningRateDecay decay);
// Inverses of toString ("identity", "relu", "leaky_relu", "tanh", "sigmoid", "silu", "gelu",
// "softplus"; "sum"/"mean"; "total"/"per_atom_sum"; "float32"/"float64";
// "total_energy"/"energy_per_atom"; "adam"/"adamw"/"sgd";
// "none"/"exponential"/"cosine"/"reduce_on_plateau"). Throw std::invalid_argument listing the
// accepted names.
Activation parseActivation(const std::string& text);
Pooling parsePooling(const std::string& text);
EnergyTarget parseEnergyTarget(const std::string& text);
Precision parsePrecision(const std::string& text);
LossKind parseLossKind(const std::string& text);
OptimiserKind parseOptimiserKind(const std::string& text);
LearningRateDecay parseLearningRateDecay(const std::string& text);

// Throws std::invalid_argument naming the field: no graph layer, a width < 1, last dense width
// ≠ 1, no phase, epochs < 1, lr ≤ 0, betas outside [0, 1), batch size < 0, …
void validate(const ModelConfig& model);
void validate(const OptimiserConfig& optimiser);
void validate(const TrainingConfig& training);

int totalEpochs(const OptimiserConfig& optimiser);

} // namespace graphace
