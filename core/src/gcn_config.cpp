#include "graphace/gcn_config.h"

#include <cmath>
#include <stdexcept>
#include <utility>

namespace graphace {
namespace {

// One table per enum: toString and parse share it, so the accepted names cannot drift apart.
template <typename E> using NameTable = std::initializer_list<std::pair<E, const char*>>;

const NameTable<Activation> kActivations = {{Activation::Identity, "identity"},
                                            {Activation::Relu, "relu"},
                                            {Activation::LeakyRelu, "leaky_relu"},
                                            {Activation::Tanh, "tanh"},
                                            {Activation::Sigmoid, "sigmoid"},
                                            {Activation::Silu, "silu"},
                                            {Activation::Gelu, "gelu"},
                                            {Activation::Softplus, "softplus"}};
const NameTable<Pooling> kPoolings = {{Pooling::Sum, "sum"}, {Pooling::Mean, "mean"}};
const NameTable<EnergyTarget> kTargets = {{EnergyTarget::Total, "total"},
                                          {EnergyTarget::PerAtomSum, "per_atom_sum"}};
const NameTable<Precision> kPrecisions = {{Precision::Float32, "float32"},
                                          {Precision::Float64, "float64"}};
const NameTable<LossKind> kLosses = {{LossKind::TotalEnergy, "total_energy"},
                                     {LossKind::EnergyPerAtom, "energy_per_atom"}};
const NameTable<OptimiserKind> kOptimisers = {
    {OptimiserKind::Adam, "adam"}, {OptimiserKind::AdamW, "adamw"}, {OptimiserKind::Sgd, "sgd"}};
const NameTable<LearningRateDecay> kDecays = {
    {LearningRateDecay::None, "none"},
    {LearningRateDecay::Exponential, "exponential"},
    {LearningRateDecay::Cosine, "cosine"},
    {LearningRateDecay::ReduceOnPlateau, "reduce_on_plateau"}};

template <typename E> std::string nameOf(const NameTable<E>& table, E value) {
    for (const auto& [v, name] : table)
        if (v == value)
            return name;
    throw std::invalid_argument("unknown enumeration value");
}

template <typename E>
E parseName(const NameTable<E>& table, const std::string& text, const char* what) {
    std::string list;
    for (const auto& [v, name] : table) {
        if (text == name)
            return v;
        list += (list.empty() ? "" : ", ") + std::string(name);
    }
    throw std::invalid_argument("unknown " + std::string(what) + " \"" + text +
                                "\" (accepted: " + list + ")");
}

void require(bool ok, const std::string& message) {
    if (!ok)
        throw std::invalid_argument("config: " + message);
}

bool finite(double x) {
    return std::isfinite(x);
}

} // namespace

std::string toString(Activation a) {
    return nameOf(kActivations, a);
}
std::string toString(Pooling p) {
    return nameOf(kPoolings, p);
}
std::string toString(EnergyTarget t) {
    return nameOf(kTargets, t);
}
std::string toString(Precision p) {
    return nameOf(kPrecisions, p);
}
std::string toString(LossKind l) {
    return nameOf(kLosses, l);
}
std::string toString(OptimiserKind k) {
    return nameOf(kOptimisers, k);
}
std::string toString(LearningRateDecay d) {
    return nameOf(kDecays, d);
}

Activation parseActivation(const std::string& t) {
    return parseName(kActivations, t, "activation");
}
Pooling parsePooling(const std::string& t) {
    return parseName(kPoolings, t, "pooling");
}
EnergyTarget parseEnergyTarget(const std::string& t) {
    return parseName(kTargets, t, "energy target");
}
Precision parsePrecision(const std::string& t) {
    return parseName(kPrecisions, t, "precision");
}
LossKind parseLossKind(const std::string& t) {
    return parseName(kLosses, t, "loss");
}
OptimiserKind parseOptimiserKind(const std::string& t) {
    return parseName(kOptimisers, t, "optimiser");
}
LearningRateDecay parseLearningRateDecay(const std::string& t) {
    return parseName(kDecays, t, "learning-rate decay");
}

void validate(const ModelConfig& m) {
    require(!m.graphLayers.empty(), "model.graph_layers needs at least one layer");
    for (std::size_t k = 0; k < m.graphLayers.size(); ++k)
        require(m.graphLayers[k].width >= 1,
                "model.graph_layers." + std::to_string(k) + ".width must be at least 1");
    require(!m.denseLayers.empty(),
            "model.dense_layers needs at least one layer (the last, of width 1, is the energy)");
    for (std::size_t k = 0; k < m.denseLayers.size(); ++k)
        require(m.denseLayers[k].width >= 1,
                "model.dense_layers." + std::to_string(k) + ".width must be at least 1");
    require(m.denseLayers.back().width == 1,
            "the last of model.dense_layers must have width 1 (the energy), not " +
                std::to_string(m.denseLayers.back().width));
    require(!m.whitenInputs || m.standardiseInputs,
            "model.whiten_inputs needs model.standardise_inputs (it whitens the standardised "
            "descriptors)");
    require(!m.linearTerm || m.target == EnergyTarget::PerAtomSum,
            "model.linear_term needs model.target \"per_atom_sum\" (the linear fit is a sum of "
            "per-atom energies); set model.linear_term=false for a pooled total-energy model");
}

void validate(const OptimiserConfig& o) {
    require(finite(o.eps) && o.eps > 0, "optimiser.eps must be a positive number");
    require(finite(o.weightDecay) && o.weightDecay >= 0, "optimiser.weight_decay must be >= 0");
    require(!o.phases.empty(), "optimiser.phases needs at least one phase");
    for (std::size_t k = 0; k < o.phases.size(); ++k) {
        const OptimiserPhase& p = o.phases[k];
        const std::string at = "optimiser.phases." + std::to_string(k) + ".";
        require(p.epochs >= 1, at + "epochs must be at least 1");
        require(finite(p.learningRate) && p.learningRate > 0,
                at + "learning_rate must be a positive number");
        require(finite(p.beta1) && p.beta1 >= 0 && p.beta1 < 1, at + "beta1 must be in [0, 1)");
        require(finite(p.beta2) && p.beta2 >= 0 && p.beta2 < 1, at + "beta2 must be in [0, 1)");
    }
    require(finite(o.gamma) && o.gamma > 0 && o.gamma <= 1, "optimiser.gamma must be in (0, 1]");
    require(finite(o.factor) && o.factor > 0 && o.factor < 1, "optimiser.factor must be in (0, 1)");
    require(o.patience >= 1, "optimiser.patience must be at least 1");
    require(finite(o.minLearningRate) && o.minLearningRate >= 0,
            "optimiser.min_learning_rate must be >= 0");
    require(finite(o.gradientClipNorm) && o.gradientClipNorm >= 0,
            "optimiser.gradient_clip_norm must be >= 0 (0: off)");
    require(o.earlyStoppingPatience >= 0,
            "optimiser.early_stopping_patience must be >= 0 (0: off)");
    require(finite(o.energyWeight) && o.energyWeight >= 0, "optimiser.energy_weight must be >= 0");
    require(finite(o.forcesWeight) && o.forcesWeight >= 0,
            "optimiser.forces_weight must be >= 0 (0: energies only)");
    require(!o.autoForcesWeight || o.energyWeight > 0,
            "optimiser.forces_weight = \"auto\" is relative to optimiser.energy_weight, which "
            "must then be > 0");
    require(o.energyWeight > 0 || o.forcesWeight > 0,
            "optimiser.energy_weight and optimiser.forces_weight cannot both be 0");
    require(finite(o.virialWeight) && o.virialWeight >= 0,
            "optimiser.virial_weight must be >= 0 (0: no virial term)");
    require(!o.autoVirialWeight || o.energyWeight > 0,
            "optimiser.virial_weight = \"auto\" is relative to optimiser.energy_weight, which "
            "must then be > 0");
    require(o.virialWeight == 0 || o.autoVirialWeight || o.forcesWeight > 0 || o.autoForcesWeight,
            "optimiser.virial_weight > 0 needs training on forces (optimiser.forces_weight > 0 "
            "or \"auto\"): virials come from the same derivative");
}

void validate(const TrainingConfig& t) {
    require(t.batchSize >= 0, "training.batch_size must be >= 0 (0: all training graphs)");
    require(t.threads >= 0, "training.threads must be >= 0 (0: all cores)");
    require(t.checkpointEvery >= 0,
            "training.checkpoint_every must be >= 0 (0: a checkpoint only when stopped)");
    bool deviceOk = t.device == "cpu" || t.device == "cuda";
    if (!deviceOk && t.device.rfind("cuda:", 0) == 0 && t.device.size() > 5) {
        deviceOk = true;
        for (std::size_t k = 5; k < t.device.size(); ++k)
            deviceOk = deviceOk && t.device[k] >= '0' && t.device[k] <= '9';
    }
    require(deviceOk,
            "training.device must be \"cpu\", \"cuda\" or \"cuda:N\", not \"" + t.device + "\"");
}

int totalEpochs(const OptimiserConfig& optimiser) {
    int total = 0;
    for (const auto& p : optimiser.phases)
        total += p.epochs;
    return total;
}

} // namespace graphace
