// GcnTrainer: statistics, the schedule of optimiser phases, per-epoch evaluation, best weights,
// divergence, early stopping and cancellation.
#include "gcn_internal.h"

#include "graphace/least_squares.h"
#include "graphace/linear_ace_fit.h"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

namespace graphace {
namespace {

using Clock = std::chrono::steady_clock;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

// The checks the network itself relies on (the full schema check is validate(config)).
void checkConfig(const ExperimentConfig& config) {
    const OptimiserConfig& o = config.optimiser;
    auto fail = [](const std::string& what) { throw std::invalid_argument("GCN config: " + what); };
    if (o.phases.empty())
        fail("optimiser.phases is empty");
    for (std::size_t p = 0; p < o.phases.size(); ++p) {
        const OptimiserPhase& phase = o.phases[p];
        const std::string name = "optimiser.phases." + std::to_string(p);
        if (phase.epochs < 1)
            fail(name + ".epochs must be at least 1");
        if (!(phase.learningRate > 0) || !std::isfinite(phase.learningRate))
            fail(name + ".learning_rate must be > 0");
        if (!(phase.beta1 >= 0 && phase.beta1 < 1) || !(phase.beta2 >= 0 && phase.beta2 < 1))
            fail(name + ": betas must lie in [0, 1)");
    }
    if (!(o.eps > 0) || !(o.weightDecay >= 0) || !(o.gamma > 0) ||
        !(o.factor > 0 && o.factor <= 1) || o.patience < 0 || !(o.minLearningRate >= 0) ||
        !(o.gradientClipNorm >= 0) || o.earlyStoppingPatience < 0)
        fail("optimiser: eps, gamma > 0; factor in (0, 1]; weight decay, minimum learning rate, "
             "clip norm and patiences >= 0");
    if (config.training.batchSize < 0)
        fail("training.batch_size must be >= 0");
    if (config.model.whitenInputs && !config.model.standardiseInputs)
        fail("model.whiten_inputs needs model.standardise_inputs");
}

void checkEnergies(const GraphDataset& data, const std::string& what) {
    for (std::size_t c = 0; c < data.samples.size(); ++c)
        if (!std::isfinite(data.samples[c].energy))
            throw std::invalid_argument("GCN training: " + what + " configuration " +
                                        std::to_string(c) + " has no energy");
}

std::unique_ptr<torch::optim::Optimizer> makeOptimiser(const OptimiserConfig& o,
                                                       const OptimiserPhase& phase,
                                                       const torch::Tensor& parameters) {
    const std::vector<torch::Tensor> list{parameters};
    switch (o.kind) {
    case OptimiserKind::Adam: {
        torch::optim::AdamOptions options(phase.learningRate);
        options.betas({phase.beta1, phase.beta2}).eps(o.eps).weight_decay(o.weightDecay);
        return std::make_unique<torch::optim::Adam>(list, options);
    }
    case OptimiserKind::AdamW: {
        torch::optim::AdamWOptions options(phase.learningRate);
        options.betas({phase.beta1, phase.beta2}).eps(o.eps).weight_decay(o.weightDecay);
        return std::make_unique<torch::optim::AdamW>(list, options);
    }
    case OptimiserKind::Sgd: {
        torch::optim::SGDOptions options(phase.learningRate);
        options.momentum(phase.beta1).weight_decay(o.weightDecay);
        return std::make_unique<torch::optim::SGD>(list, options);
    }
    }
    throw std::invalid_argument("GCN: unknown optimiser");
}

// A phase without resetMoments keeps the optimiser state and takes the phase's betas.
void setBetas(torch::optim::Optimizer& optimiser, const OptimiserPhase& phase) {
    for (auto& group : optimiser.param_groups()) {
        if (auto* adam = dynamic_cast<torch::optim::AdamOptions*>(&group.options()))
            adam->betas({phase.beta1, phase.beta2});
        else if (auto* adamW = dynamic_cast<torch::optim::AdamWOptions*>(&group.options()))
            adamW->betas({phase.beta1, phase.beta2});
        else if (auto* sgd = dynamic_cast<torch::optim::SGDOptions*>(&group.options()))
            sgd->momentum(phase.beta1);
    }
}

void setLearningRate(torch::optim::Optimizer& optimiser, double lr) {
    for (auto& group : optimiser.param_groups())
        group.options().set_lr(lr);
}

struct Evaluation {
    double loss = kNaN, rmse = kNaN, mae = kNaN; // loss as optimised; meV/atom
    double forceRmse = kNaN, forceMae = kNaN;    // eV/Å; NaN without forces
    double virialRmse = kNaN;                    // meV/atom; NaN without virials
};

// The energy term of the loss for one configuration's error.
double energyTerm(double error, int atoms, LossKind kind) {
    if (kind == LossKind::EnergyPerAtom)
        error /= atoms;
    return error * error;
}

// Energies and forces through the force path (the numbers force training optimises).
Evaluation evaluateForceSet(const gcn::Network& net, const GraphDataset& data,
                            const std::vector<gcn::GeometryTensors>& parts,
                            const OptimiserConfig& o) {
    Evaluation result;
    if (data.samples.empty())
        return result;
    gcn::Network::HostForces host = net.evaluateForces(data, &parts);
    GcnPrediction predicted;
    predicted.energies = std::move(host.energies);
    predicted.forces = std::move(host.forces);
    predicted.virials = std::move(host.virials);
    const RegressionMetrics metrics = scorePrediction(data, predicted);
    double energySum = 0;
    for (std::size_t c = 0; c < data.samples.size(); ++c)
        energySum += energyTerm(predicted.energies[c] - data.samples[c].energy,
                                data.samples[c].atomCount, o.loss);
    result.loss = o.energyWeight * energySum / data.samples.size();
    if (metrics.forceComponents > 0) {
        result.forceRmse = metrics.forceRmseEvPerA;
        result.forceMae = metrics.forceMaeEvPerA;
        if (o.forcesWeight > 0)
            result.loss += o.forcesWeight * metrics.forceRmseEvPerA * metrics.forceRmseEvPerA;
    }
    if (metrics.virialConfigurations > 0) {
        result.virialRmse = metrics.virialRmseMevPerAtom;
        if (o.virialWeight > 0)
            result.loss += o.virialWeight * std::pow(1e-3 * metrics.virialRmseMevPerAtom, 2);
    }
    result.rmse = metrics.energyRmseMevPerAtom;
    result.mae = metrics.energyMaeMevPerAtom;
    return result;
}

Evaluation evaluateSet(const gcn::Network& net, const std::vector<gcn::Batch>& chunks,
                       const GraphDataset& data, const OptimiserConfig& o) {
    Evaluation result;
    if (data.samples.empty())
        return result;
    const std::vector<double> predicted = net.evaluate(chunks);
    double sum = 0;
    for (std::size_t c = 0; c < predicted.size(); ++c)
        sum += energyTerm(predicted[c] - data.samples[c].energy, data.samples[c].atomCount, o.loss);
    result.loss = o.energyWeight * sum / predicted.size();
    const RegressionMetrics metrics = scoreEnergies(data, predicted);
    result.rmse = metrics.energyRmseMevPerAtom;
    result.mae = metrics.energyMaeMevPerAtom;
    return result;
}

// Graphs without descriptors: what shuffled mini-batches need besides the precomputed inputs.
GraphDataset withoutDescriptors(const GraphDataset& data) {
    GraphDataset light;
    light.featureCount = data.featureCount;
    light.speciesCount = data.speciesCount;
    light.samples.reserve(data.samples.size());
    for (const GraphSample& s : data.samples) {
        GraphSample copy;
        copy.atomCount = s.atomCount;
        copy.species = s.species;
        copy.graph = s.graph;
        copy.energy = s.energy;
        copy.geometry = s.geometry;
        light.samples.push_back(std::move(copy));
    }
    return light;
}

std::string formatNumber(double value) {
    std::ostringstream out;
    out.precision(3);
    out << value;
    return out.str();
}

} // namespace


struct GcnTrainer::Impl {
    explicit Impl(GcnModel m) : model(std::move(m)) {}
    GcnModel model;
    GraphDataset train;                              // without descriptors (see withoutDescriptors)
    GraphDataset test;                               // without descriptors
    std::vector<gcn::Batch> trainChunks, testChunks; // evaluation, fixed chunks
    std::vector<torch::Tensor> trainInputs;          // per graph, for shuffled mini-batches
    std::vector<gcn::Batch> fixedBatches;            // the optimisation batches when fixed
    std::size_t batchGraphs = 1;
    bool rebuildBatches = false; // shuffled mini-batches of more than one graph
    std::size_t trainAtoms = 0;
    // Force path: training on forces, force metrics (graphs with geometry and a model whose
    // energy has forces), the samples' geometry on the device.
    bool forceTraining = false, forceMetrics = false;
    std::vector<gcn::GeometryTensors> trainParts, testParts;
    // Checkpoints: where and how often, the run's identity, and a state to resume from.
    CheckpointOptions checkpoints;
    uint64_t fingerprint = 0;
    std::unique_ptr<gcn::LoadedCheckpoint> resumed;
    std::vector<EpochRecord> resumedHistory; // of the checkpoint resume() restored
};

GcnTrainer::GcnTrainer(const ExperimentConfig& config, const GraphDataset& train,
                       const GraphDataset& test, const LinearAceModel* linear) {
    checkConfig(config);
    checkDevice(config.training.device);
    if (train.samples.empty())
        throw std::invalid_argument("GCN training: the training set is empty");
    const int features = train.featureCount > 0
                             ? train.featureCount
                             : static_cast<int>(train.samples[0].descriptors.cols());
    int species = train.speciesCount;
    for (const GraphDataset* d : {&train, &test})
        for (const GraphSample& s : d->samples)
            for (int z : s.species)
                species = std::max(species, z + 1);
    if (test.featureCount > 0 && test.featureCount != features)
        throw std::invalid_argument("GCN training: train and test descriptors differ in width");
    gcn::checkDataset(train, features, species, "training");
    gcn::checkDataset(test, features, species, "test");
    checkEnergies(train, "training");
    checkEnergies(test, "test");
    if (config.training.threads > 0)
        torch::set_num_threads(config.training.threads);
    const bool forceTraining = config.optimiser.forcesWeight > 0;
    if (forceTraining) {
        const GraphOptions& g = config.graph.options;
        gcn::checkForcesSupported(g.weighting, g.selfLoops, g.normalisation);
        if (!hasReferenceForces(train))
            throw std::invalid_argument(
                "GCN training: optimiser.forces_weight > 0 but the training configurations have "
                "no forces (every one needs them); set optimiser.forces_weight = 0 to train on "
                "energies only");
    }
    if (config.optimiser.virialWeight > 0 && (!forceTraining || referenceVirialCount(train) == 0))
        throw std::invalid_argument(
            "GCN training: optimiser.virial_weight > 0 needs training on forces and at least one "
            "training configuration with a reference virial");

    const bool linearTerm = config.model.linearTerm;
    if (linearTerm &&
        (!linear || linear->coefficients.size() != static_cast<Eigen::Index>(features) ||
         static_cast<int>(linear->referenceEnergies.size()) < species))
        throw std::invalid_argument(
            "GCN training: model.linear_term needs the linear ACE fit on the same descriptors "
            "(" +
            std::to_string(features) + " columns, " + std::to_string(species) + " species)");

    auto impl = std::make_unique<GcnModel::Impl>();
    gcn::Network& net = *impl;
    net.config = config;
    net.featureCount = features;
    net.speciesCount = species;
    net.device = gcn::parseDevice(config.training.device);
    net.dtype = config.model.precision == Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
    const ModelConfig& m = config.model;

    // Input statistics over all training atoms.
    net.inputMean.assign(features, 0.0);
    net.inputStd.assign(features, 1.0);
    if (m.standardiseInputs) {
        Eigen::ArrayXd sum = Eigen::ArrayXd::Zero(features),
                       squares = Eigen::ArrayXd::Zero(features);
        double atoms = 0;
        for (const GraphSample& s : train.samples) {
            sum += s.descriptors.colwise().sum().transpose().array();
            atoms += s.atomCount;
        }
        const Eigen::ArrayXd mean = sum / atoms;
        for (const GraphSample& s : train.samples)
            squares += (s.descriptors.rowwise() - mean.transpose().matrix())
                           .array()
                           .square()
                           .colwise()
                           .sum()
                           .transpose();
        for (int f = 0; f < features; ++f) {
            const double deviation = std::sqrt(squares[f] / atoms);
            net.inputMean[f] = mean[f];
            // A constant column (e.g. a species absent from the training set) only gets centred.
            net.inputStd[f] =
                deviation > 1e-12 * std::max(1.0, std::abs(mean[f])) ? deviation : 1.0;
        }
        // ZCA whitening P = V Λ^-1/2 Vᵀ of the standardised inputs' covariance. The floor keeps
        // near-null directions (constant columns, exact linear dependences, noise) from being
        // blown up; 3e-4 of the largest eigenvalue was chosen by validation on training data
        // (1e-6 overfits, 1e-2 underfits; docs/cli.md, "Presets").
        constexpr double kWhiteningFloor = 3e-4;
        if (m.whitenInputs) {
            Eigen::MatrixXd covariance = Eigen::MatrixXd::Zero(features, features);
            for (const GraphSample& s : train.samples) {
                Eigen::MatrixXd z = s.descriptors;
                for (int f = 0; f < features; ++f)
                    z.col(f) = (z.col(f).array() - net.inputMean[f]) / net.inputStd[f];
                covariance.noalias() += z.transpose() * z;
            }
            covariance /= atoms;
            const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eigen(covariance);
            if (eigen.info() != Eigen::Success)
                throw std::runtime_error("GCN: the input covariance could not be diagonalised");
            const double floor = kWhiteningFloor * std::max(eigen.eigenvalues().maxCoeff(), 1e-300);
            const Eigen::VectorXd scale =
                eigen.eigenvalues().cwiseMax(floor).cwiseSqrt().cwiseInverse();
            const Eigen::MatrixXd p =
                eigen.eigenvectors() * scale.asDiagonal() * eigen.eigenvectors().transpose();
            net.inputWhitening.resize(static_cast<std::size_t>(features) * features);
            for (int r = 0; r < features; ++r)
                for (int c = 0; c < features; ++c)
                    net.inputWhitening[static_cast<std::size_t>(r) * features + c] = p(r, c);
        }
    }

    // Reference energies: least squares of E on species counts, or the linear term's e0.
    const std::size_t n = train.samples.size();
    net.referenceEnergies.assign(species, 0.0);
    if (linearTerm) {
        net.linearCoefficients.assign(linear->coefficients.data(),
                                      linear->coefficients.data() + features);
        std::copy_n(linear->referenceEnergies.begin(), species, net.referenceEnergies.begin());
    } else if (m.referenceEnergies) {
        Eigen::MatrixXd counts = Eigen::MatrixXd::Zero(n, species);
        Eigen::VectorXd energies(n);
        for (std::size_t c = 0; c < n; ++c) {
            for (int z : train.samples[c].species)
                counts(c, z) += 1.0;
            energies[c] = train.samples[c].energy;
        }
        const Eigen::VectorXd epsilon = solveLeastSquares(counts, energies).coefficients;
        for (int s = 0; s < species; ++s)
            net.referenceEnergies[s] = epsilon[s];
    }
    // μ, σ of the per-atom residual energy (PerAtomSum only). With the linear term μ = 0 and σ
    // the RMS of the linear fit's residual, so that the model starts as exactly that fit.
    if (m.standardiseTargets && m.target == EnergyTarget::PerAtomSum) {
        std::vector<double> residual;
        for (const GraphSample& s : train.samples) {
            double e = s.energy;
            for (int z : s.species)
                e -= net.referenceEnergies[z];
            if (linearTerm)
                e -= net.linearEnergy(s);
            residual.push_back(e / s.atomCount);
        }
        double mean = 0, variance = 0;
        for (double r : residual)
            mean += r;
        mean = linearTerm ? 0.0 : mean / residual.size();
        for (double r : residual)
            variance += (r - mean) * (r - mean);
        const double deviation = std::sqrt(variance / residual.size());
        net.targetMean = mean;
        net.targetStd = deviation > 1e-12 ? deviation : 1.0;
    }

    torch::manual_seed(config.training.seed);
    net.initialise();
    if (linearTerm) {
        // The network's output starts at zero: the model starts as the linear fit.
        torch::NoGradGuard noGrad;
        const int64_t last = net.sizes[net.sizes.size() - 2] + net.sizes.back();
        net.parameters.narrow(0, net.parameterCount() - last, last).zero_();
    }

    m_impl.reset(new Impl(GcnModel(std::move(impl))));
    Impl& t = *m_impl;
    const gcn::Network& built = *t.model.m_impl;
    t.forceTraining = forceTraining;
    t.fingerprint = gcn::trainingFingerprint(config, train, test);
    auto withGeometry = [](const GraphDataset& d) {
        return std::all_of(d.samples.begin(), d.samples.end(),
                           [](const GraphSample& s) { return s.geometry != nullptr; });
    };
    t.forceMetrics = t.model.supportsForces() && withGeometry(train) && withGeometry(test);
    if (t.forceMetrics) {
        t.trainParts = built.makeGeometryTensors(train);
        t.testParts = built.makeGeometryTensors(test);
    }
    if (!t.forceMetrics) {
        t.trainChunks = built.makeChunks(train);
        t.testChunks = built.makeChunks(test);
    }
    for (const GraphSample& s : train.samples)
        t.trainAtoms += s.atomCount;
    t.batchGraphs =
        config.training.batchSize == 0
            ? n
            : std::min<std::size_t>(n, static_cast<std::size_t>(config.training.batchSize));
    t.rebuildBatches = config.training.shuffle && t.batchGraphs > 1 && t.batchGraphs < n;
    // The linear term's energy is part of each batch's baseline, made from the descriptors.
    t.train = linearTerm ? train : withoutDescriptors(train);
    t.test = linearTerm ? test : withoutDescriptors(test);
    // Force batches are assembled per step from the samples' geometry tensors instead.
    if (!forceTraining && t.rebuildBatches) {
        t.trainInputs = built.makeInputs(train);
    } else if (!forceTraining) {
        // Fixed batches (or single graphs, whose order a shuffle permutes): built once.
        for (std::size_t begin = 0; begin < n; begin += t.batchGraphs) {
            std::vector<std::size_t> indices;
            for (std::size_t c = begin; c < std::min(n, begin + t.batchGraphs); ++c)
                indices.push_back(c);
            t.fixedBatches.push_back(built.makeBatch(train, indices));
        }
    }
}

void GcnTrainer::ImplDeleter::operator()(Impl* impl) const {
    delete impl;
}
GcnTrainer::~GcnTrainer() = default;

const GcnModel& GcnTrainer::model() const {
    return m_impl->model;
}

GcnModel GcnTrainer::takeModel() {
    return std::move(m_impl->model);
}

TrainingOutcome GcnTrainer::train(const EpochCallback& onEpoch, const std::atomic<bool>* cancel) {
#if defined(__GLIBC__)
    // LibTorch's CPU allocator is plain malloc: every step frees and reallocates the same
    // megabyte-sized activations, which glibc would hand back to the kernel (mmap/trim) and fault
    // in zeroed again each time, about a fifth of a large-batch step. Keep them in the heap.
    static const bool tuned = [] {
        mallopt(M_MMAP_THRESHOLD, 256 << 20);
        mallopt(M_TRIM_THRESHOLD, 512 << 20);
        return true;
    }();
    (void)tuned;
#endif
    Impl& t = *m_impl;
    if (!t.model.m_impl)
        throw std::logic_error("GcnTrainer::train after takeModel");
    gcn::Network& net = *t.model.m_impl;
    const ExperimentConfig& config = net.config;
    const OptimiserConfig& o = config.optimiser;
    if (config.training.threads > 0)
        torch::set_num_threads(config.training.threads);
    const bool hasTest = !t.test.samples.empty();
    // Optimisation batches below torch's parallel grain (the study's one graph of 96 atoms) gain
    // nothing from more threads, but some element-wise kernels still open a parallel region per
    // call, which costs far more than the work when the cores are shared. Such steps run on one
    // thread (same numbers: these kernels are element-wise); evaluation keeps all threads.
    const int threads = torch::get_num_threads();
    int width = net.featureCount;
    for (const LayerConfig& layer : config.model.graphLayers)
        width = std::max(width, layer.width);
    std::size_t largestBatch = 0;
    const bool perSampleOrder = t.rebuildBatches || t.forceTraining;
    if (perSampleOrder) {
        std::size_t largestGraph = 0;
        for (const GraphSample& s : t.train.samples)
            largestGraph = std::max<std::size_t>(largestGraph, s.atomCount);
        largestBatch = largestGraph * t.batchGraphs;
    }
    for (const gcn::Batch& b : t.fixedBatches)
        largestBatch = std::max<std::size_t>(largestBatch, b.atoms);
    const int stepThreads = largestBatch * width < 32768 ? 1 : threads;
    const auto start = Clock::now();

    // All that carries over from one epoch to the next: fresh, or restored by resume().
    gcn::TrainingState s;
    std::unique_ptr<torch::optim::Optimizer> optimiser;
    const bool resumed = t.resumed != nullptr;
    if (resumed) {
        s = std::move(t.resumed->state);
        torch::NoGradGuard noGrad;
        net.parameters.copy_(s.last);
        if (t.resumed->hasOptimiser) {
            optimiser = makeOptimiser(o, o.phases[s.phase], net.parameters);
            optimiser->load(t.resumed->optimiser);
            gcn::moveOptimiserState(*optimiser, net.device);
            setBetas(*optimiser, o.phases[s.phase]);
        }
        t.resumed.reset();
    } else {
        s.last = net.parameters.detach().clone();
        s.best = s.last.clone();
        s.engine.seed(config.training.seed);
        s.order.resize(perSampleOrder ? t.train.samples.size() : t.fixedBatches.size());
        for (std::size_t i = 0; i < s.order.size(); ++i)
            s.order[i] = i;
    }
    const double earlierSeconds = s.seconds;
    TrainingOutcome outcome;

    // The state after the last whole epoch, for a checkpoint written when cancelled mid-epoch
    // (the live optimiser, generator and order have moved on by then).
    const bool checkpoints = !t.checkpoints.path.empty();
    gcn::OptimiserState committedOptimiser;
    std::mt19937_64 committedEngine = s.engine;
    std::vector<std::size_t> committedOrder = s.order;
    if (checkpoints && optimiser)
        committedOptimiser = gcn::copyOptimiserState(*optimiser);
    double lastWriteSeconds = 0;                // how long the last checkpoint took to write
    Clock::time_point lastWrite = Clock::now(); // and when it was written
    auto writeCheckpoint = [&](const torch::optim::Optimizer* state) {
        const auto writeStart = Clock::now();
        try {
            gcn::saveCheckpoint(t.checkpoints.path, net, s, state, t.fingerprint,
                                t.checkpoints.note);
        } catch (const std::exception& e) {
            outcome.checkpointError = e.what();
        }
        lastWrite = Clock::now();
        lastWriteSeconds = secondsSince(writeStart);
    };
    auto checkpointDue = [&](int epoch) {
        const CheckpointOptions& c = t.checkpoints;
        return c.everyEpochs > 0 && epoch % c.everyEpochs == 0 &&
               (c.maxOverhead <= 0 || lastWriteSeconds <= c.maxOverhead * secondsSince(lastWrite));
    };

    auto energyLoss = [&](const torch::Tensor& predicted, const gcn::Batch& batch) {
        torch::Tensor error = predicted - batch.energy;
        if (o.loss == LossKind::EnergyPerAtom)
            error = error * batch.invAtoms;
        return error.square().mean();
    };
    auto stepLoss = [&](const gcn::Batch& batch) {
        torch::Tensor loss = energyLoss(net.forward(batch), batch);
        return o.energyWeight == 1.0 ? loss : loss * o.energyWeight;
    };
    // Energy and force terms through the exact forces (double backward).
    auto forceStepLoss = [&](const gcn::ForceBatch& fb) {
        const gcn::ForceOutput out = net.forwardWithForces(fb, true);
        const torch::Tensor forceError =
            ((out.forces - fb.forces).square() * fb.forceMask).sum() /
            static_cast<double>(3 * std::max<int64_t>(1, fb.forceAtoms));
        torch::Tensor loss =
            energyLoss(out.energy, fb.batch) * o.energyWeight + forceError * o.forcesWeight;
        if (o.virialWeight > 0 && fb.virialGraphs > 0) {
            const torch::Tensor perAtom =
                (out.virial - fb.virials) * fb.batch.invAtoms.unsqueeze(1);
            loss = loss + (perAtom.square() * fb.virialMask).sum() /
                              static_cast<double>(9 * fb.virialGraphs) * o.virialWeight;
        }
        return loss;
    };
    // Completed and cancelled runs keep the weights they ended with (the last history row
    // describes them, and nothing is selected on the test set); diverged and early-stopped runs
    // go back to the best weights so far.
    auto finish = [&](TrainingStop stop, const std::string& message) {
        torch::NoGradGuard noGrad;
        outcome.history = s.history;
        outcome.epochsRun = s.epoch;
        if (stop == TrainingStop::Diverged || stop == TrainingStop::EarlyStopped) {
            net.parameters.copy_(s.best);
            outcome.bestEpoch = s.bestEpoch;
        } else {
            net.parameters.copy_(s.last); // a cancel mid-epoch drops that epoch's partial steps
            outcome.bestEpoch = s.epoch;
        }
        if (stop == TrainingStop::Cancelled && checkpoints) {
            // The checkpoint of the last whole epoch: its optimiser state, generator and order.
            if (optimiser)
                optimiser->state() = std::move(committedOptimiser);
            s.engine = committedEngine;
            s.order = committedOrder;
            writeCheckpoint(optimiser.get());
        }
        outcome.stop = stop;
        outcome.message = message;
        outcome.seconds = earlierSeconds + secondsSince(start);
        return outcome;
    };
    auto kept = [&] {
        return s.bestEpoch > 0 ? "the weights of epoch " + std::to_string(s.bestEpoch) +
                                     " (the best so far) are kept"
                               : std::string("the initial weights are kept");
    };

    for (std::size_t p = s.phase; p < o.phases.size(); ++p) {
        const OptimiserPhase& phase = o.phases[p];
        // A resumed run re-enters its phase where it left it, with the state it had there.
        if (p != s.phase || !optimiser) {
            if (!optimiser || phase.resetMoments)
                optimiser = makeOptimiser(o, phase, net.parameters);
            else
                setBetas(*optimiser, phase);
        }
        if (p != s.phase || s.epochInPhase == 0) {
            s.phase = p;
            s.epochInPhase = 0;
            s.plateauLearningRate = phase.learningRate;
            s.plateauBest = std::numeric_limits<double>::infinity();
            s.plateauWait = 0;
        }
        for (int e = s.epochInPhase; e < phase.epochs; ++e) {
            double lr = phase.learningRate;
            if (o.decay == LearningRateDecay::Exponential)
                lr = phase.learningRate * std::pow(o.gamma, e);
            else if (o.decay == LearningRateDecay::Cosine)
                lr = o.minLearningRate + 0.5 * (phase.learningRate - o.minLearningRate) *
                                             (1 + std::cos(kPi * e / phase.epochs));
            else if (o.decay == LearningRateDecay::ReduceOnPlateau)
                lr = s.plateauLearningRate;
            setLearningRate(*optimiser, lr);

            const auto epochStart = Clock::now();
            if (stepThreads != threads)
                torch::set_num_threads(stepThreads);
            std::vector<std::size_t>& order = s.order;
            if (config.training.shuffle)
                std::shuffle(order.begin(), order.end(), s.engine);
            for (std::size_t b = 0; b < order.size(); b += perSampleOrder ? t.batchGraphs : 1) {
                if (cancel && cancel->load()) {
                    torch::set_num_threads(threads);
                    const int epoch = s.epoch;
                    return finish(TrainingStop::Cancelled,
                                  "Cancelled during epoch " + std::to_string(epoch + 1) +
                                      (epoch > 0 ? "; the weights of epoch " +
                                                       std::to_string(epoch) + " are kept."
                                                 : "; the initial weights are kept."));
                }
                optimiser->zero_grad();
                if (t.forceTraining) {
                    const std::vector<std::size_t> indices(
                        order.begin() + b,
                        order.begin() + std::min(order.size(), b + t.batchGraphs));
                    forceStepLoss(net.makeForceBatch(t.train, t.trainParts, indices)).backward();
                } else {
                    gcn::Batch rebuilt;
                    if (t.rebuildBatches) {
                        const std::vector<std::size_t> indices(
                            order.begin() + b,
                            order.begin() + std::min(order.size(), b + t.batchGraphs));
                        rebuilt = net.makeBatch(t.train, indices, &t.trainInputs);
                    }
                    const gcn::Batch& batch = t.rebuildBatches ? rebuilt : t.fixedBatches[order[b]];
                    stepLoss(batch).backward();
                }
                if (o.gradientClipNorm > 0) {
                    // Global norm of the one flat gradient, without a host round trip.
                    torch::NoGradGuard noGrad;
                    torch::Tensor gradient = net.parameters.mutable_grad();
                    gradient.mul_((o.gradientClipNorm / (gradient.norm() + 1e-6)).clamp_max(1.0));
                }
                optimiser->step();
            }
            const double optimisationSeconds = secondsSince(epochStart);
            if (stepThreads != threads)
                torch::set_num_threads(threads);
            const int epoch = s.epoch + 1;

            const Evaluation train = t.forceMetrics
                                         ? evaluateForceSet(net, t.train, t.trainParts, o)
                                         : evaluateSet(net, t.trainChunks, t.train, o);
            const Evaluation test = t.forceMetrics ? evaluateForceSet(net, t.test, t.testParts, o)
                                                   : evaluateSet(net, t.testChunks, t.test, o);
            EpochRecord record;
            record.epoch = epoch;
            record.phase = static_cast<int>(p);
            record.trainLoss = train.loss;
            record.testLoss = test.loss;
            record.trainRmseMevPerAtom = train.rmse;
            record.trainMaeMevPerAtom = train.mae;
            record.testRmseMevPerAtom = test.rmse;
            record.testMaeMevPerAtom = test.mae;
            record.trainForceRmseEvPerA = train.forceRmse;
            record.trainForceMaeEvPerA = train.forceMae;
            record.testForceRmseEvPerA = test.forceRmse;
            record.testForceMaeEvPerA = test.forceMae;
            record.trainVirialRmseMevPerAtom = train.virialRmse;
            record.testVirialRmseMevPerAtom = test.virialRmse;
            record.learningRate = lr;
            record.seconds = secondsSince(epochStart);
            record.atomsPerSecond =
                optimisationSeconds > 0 ? t.trainAtoms / optimisationSeconds : 0.0;

            const bool finiteWeights = torch::isfinite(net.parameters.detach()).all().item<bool>();
            if (!std::isfinite(train.loss) || (hasTest && !std::isfinite(test.loss)) ||
                !finiteWeights) {
                // The diverged epoch is in the history but not in the state: s.last stays the
                // weights before it.
                s.history.push_back(record);
                s.epoch = epoch;
                return finish(TrainingStop::Diverged,
                              "Training diverged at epoch " + std::to_string(epoch) +
                                  (finiteWeights ? " (the loss became NaN or infinite"
                                                 : " (the weights became NaN or infinite") +
                                  ", learning rate " + formatNumber(lr) + "); " + kept() +
                                  ". Try a smaller learning rate or gradient clipping.");
            }

            // The epoch is whole: it becomes the state.
            s.history.push_back(record);
            s.epoch = epoch;
            s.epochInPhase = e + 1;
            s.last.copy_(net.parameters.detach());
            // Best weights, early stopping and the plateau all watch the test loss when there is
            // a test set, else the training loss.
            const double monitored = hasTest ? test.loss : train.loss;
            if (monitored < s.bestLoss) {
                s.bestLoss = monitored;
                s.best.copy_(net.parameters.detach());
                s.bestEpoch = epoch;
                s.sinceBest = 0;
            } else {
                ++s.sinceBest;
            }
            if (o.decay == LearningRateDecay::ReduceOnPlateau) {
                if (monitored < s.plateauBest * (1 - 1e-4)) {
                    s.plateauBest = monitored;
                    s.plateauWait = 0;
                } else if (++s.plateauWait >= o.patience) {
                    s.plateauLearningRate =
                        std::max(o.minLearningRate, s.plateauLearningRate * o.factor);
                    s.plateauWait = 0;
                }
            }
            s.seconds = earlierSeconds + secondsSince(start);
            if (checkpoints) {
                committedOptimiser = gcn::copyOptimiserState(*optimiser);
                committedEngine = s.engine;
                committedOrder = s.order;
                if (checkpointDue(epoch))
                    writeCheckpoint(optimiser.get());
            }
            if (onEpoch && !onEpoch(record))
                return finish(TrainingStop::Cancelled, "Cancelled after epoch " +
                                                           std::to_string(epoch) +
                                                           "; the weights of that epoch are kept.");
            if (o.earlyStoppingPatience > 0 && s.sinceBest >= o.earlyStoppingPatience)
                return finish(TrainingStop::EarlyStopped,
                              "Stopped early at epoch " + std::to_string(epoch) +
                                  ": no improvement for " + std::to_string(s.sinceBest) +
                                  " epochs; " + kept() + ".");
        }
    }
    return finish(TrainingStop::Completed,
                  "Completed " + std::to_string(s.epoch) + " epochs; the final weights are kept.");
}

void GcnTrainer::setCheckpoints(const CheckpointOptions& options) {
    m_impl->checkpoints = options;
}

void GcnTrainer::resume(const std::string& path) {
    Impl& t = *m_impl;
    if (!t.model.m_impl)
        throw std::logic_error("GcnTrainer::resume after takeModel");
    const gcn::Network& net = *t.model.m_impl;
    auto loaded = std::make_unique<gcn::LoadedCheckpoint>(gcn::loadCheckpoint(path, net.device));
    if (loaded->fingerprint != t.fingerprint) {
        // Name the first setting that differs when it is the config.
        const nlohmann::json patch =
            nlohmann::json::diff(nlohmann::json(loaded->info.config), nlohmann::json(net.config));
        std::string where;
        for (const nlohmann::json& op : patch) {
            const std::string key = op.at("path").get<std::string>();
            if (key != "/training/threads" && key != "/training/device" &&
                key != "/training/checkpoint_every" && key != "/data/train" &&
                key != "/data/test") {
                where = key;
                break;
            }
        }
        throw std::runtime_error(
            "checkpoint '" + path + "' belongs to another run: " +
            (where.empty() ? std::string("the training or test data differ from the data it was "
                                         "trained on")
                           : "its config differs at " + where) +
            ". Resume with the same data and settings, or start a new run.");
    }
    const gcn::TrainingState& s = loaded->state;
    if (s.last.numel() != net.parameterCount() || s.best.numel() != net.parameterCount() ||
        s.phase >= net.config.optimiser.phases.size() ||
        s.epochInPhase > net.config.optimiser.phases[s.phase].epochs)
        throw std::runtime_error("checkpoint '" + path + "' does not match this network");
    const std::size_t orderSize =
        t.rebuildBatches || t.forceTraining ? t.train.samples.size() : t.fixedBatches.size();
    bool orderValid = s.order.size() == orderSize;
    for (std::size_t k = 0; k < s.order.size(); ++k)
        orderValid = orderValid && s.order[k] < orderSize;
    if (!orderValid)
        throw std::runtime_error("checkpoint '" + path + "' does not match the batches");
    if (loaded->hasOptimiser) {
        // Loaded once here to check it, so that train() cannot meet a damaged state.
        try {
            const OptimiserConfig& o = net.config.optimiser;
            auto probe = makeOptimiser(o, o.phases[s.phase], net.parameters);
            probe->load(loaded->optimiser);
            gcn::checkOptimiserState(*probe, net.parameters);
        } catch (const std::exception& e) {
            throw std::runtime_error("checkpoint '" + path + "' is not usable (" +
                                     gcn::firstLine(e.what()) + ")");
        }
    }
    t.resumedHistory = s.history;
    t.resumed = std::move(loaded);
}

int GcnTrainer::resumedEpoch() const {
    return static_cast<int>(m_impl->resumedHistory.size());
}

const std::vector<EpochRecord>& GcnTrainer::resumedHistory() const {
    return m_impl->resumedHistory;
}

} // namespace graphace
