// GcnTrainer: learning, determinism, schedules, cancellation, divergence, early stopping, and the
// gradient it follows (checked against finite differences of the public predictions).
#include "graphace/gcn_trainer.h"
#include "graphace/graph.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace graphace;

namespace {

// Random periodic cells with a real neighbour graph (buildGraph), random descriptors that depend
// on the species, and an energy that is a smooth function of the descriptors of each atom and of
// its neighbours, so that a GCN can learn it.
GraphDataset syntheticData(int configurations, int atoms, int features, std::uint64_t seed,
                           Normalisation normalisation = Normalisation::Symmetric) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> uniform(0.0, 1.0);
    std::normal_distribution<double> normal(0.0, 1.0);
    GraphOptions options;
    options.cutoff = 3.0;
    options.normalisation = normalisation;
    const double length = std::cbrt(atoms / 0.08);
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    for (int c = 0; c < configurations; ++c) {
        Structure s;
        s.cell = Mat3::Identity() * length;
        s.pbc = {true, true, true};
        GraphSample sample;
        sample.atomCount = atoms;
        sample.descriptors.resize(atoms, features);
        for (int i = 0; i < atoms; ++i) {
            s.positions.emplace_back(uniform(engine) * length, uniform(engine) * length,
                                     uniform(engine) * length);
            const int z = uniform(engine) < 0.4 ? 1 : 0;
            s.numbers.push_back(z ? 72 : 8);
            sample.species.push_back(z);
            for (int f = 0; f < features; ++f)
                sample.descriptors(i, f) = 0.5 * normal(engine) + (z ? 1.0 : -0.5) * (f % 2);
        }
        sample.graph = buildGraph(s, options);
        double energy = 0;
        for (int i = 0; i < atoms; ++i)
            energy += (sample.species[i] ? -8.0 : -4.0) + 0.3 * std::tanh(sample.descriptors(i, 0));
        for (std::size_t k = 0; k < sample.graph.rows.size(); ++k)
            energy += 0.2 * sample.graph.values[k] * sample.descriptors(sample.graph.rows[k], 1) *
                      sample.descriptors(sample.graph.columns[k], 1);
        sample.energy = energy;
        data.samples.push_back(std::move(sample));
    }
    return data;
}

ExperimentConfig smallConfig(int epochs, double lr) {
    ExperimentConfig c;
    c.model.graphLayers = {{8, Activation::Tanh}, {8, Activation::Tanh}};
    c.model.denseLayers = {{8, Activation::Silu}, {1, Activation::Identity}};
    c.model.target = EnergyTarget::PerAtomSum;
    c.model.pooling = Pooling::Sum;
    c.model.standardiseInputs = true;
    c.model.standardiseTargets = true;
    c.model.referenceEnergies = true;
    c.model.precision = Precision::Float64;
    c.optimiser.loss = LossKind::EnergyPerAtom;
    c.optimiser.phases = {{epochs, lr, 0.9, 0.999, true}};
    c.training.batchSize = 4;
    c.training.shuffle = true;
    c.training.seed = 99;
    return c;
}

bool sameLosses(const std::vector<EpochRecord>& a, const std::vector<EpochRecord>& b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (a[i].trainLoss != b[i].trainLoss || a[i].testLoss != b[i].testLoss ||
            a[i].trainRmseMevPerAtom != b[i].trainRmseMevPerAtom ||
            a[i].testMaeMevPerAtom != b[i].testMaeMevPerAtom ||
            a[i].learningRate != b[i].learningRate)
            return false;
    return true;
}

double lossOf(const GcnModel& model, const GraphDataset& data) {
    const std::vector<double> predicted = model.predictEnergies(data);
    double sum = 0;
    for (std::size_t c = 0; c < predicted.size(); ++c)
        sum += std::pow(predicted[c] - data.samples[c].energy, 2);
    return sum / predicted.size();
}

} // namespace

class TestGcnTraining : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void trainingReducesLoss();
    void sameSeedSameHistory();
    void recordsMatchPredictions();
    void gradientMatchesFiniteDifferences_data();
    void gradientMatchesFiniteDifferences();
    void phasesAndDecay();
    void reduceOnPlateauAndEarlyStopping();
    void cancelWithinOneBatch();
    void divergenceKeepsFiniteWeights();
};

void TestGcnTraining::trainingReducesLoss() {
    const GraphDataset train = syntheticData(24, 12, 6, 1), test = syntheticData(8, 12, 6, 2);
    QVERIFY(train.samples[0].graph.edgeCount > 0); // a real graph
    GcnTrainer trainer(smallConfig(40, 3e-3), train, test);
    int calls = 0;
    const TrainingOutcome outcome = trainer.train([&](const EpochRecord& r) {
        ++calls;
        return r.epoch == calls;
    });
    QVERIFY2(outcome.stop == TrainingStop::Completed, outcome.message.c_str());
    QCOMPARE(outcome.epochsRun, 40);
    QCOMPARE(calls, 40);
    QCOMPARE(static_cast<int>(outcome.history.size()), 40);
    const EpochRecord& first = outcome.history.front();
    const EpochRecord& last = outcome.history.back();
    QVERIFY(std::isfinite(first.testLoss) && std::isfinite(last.testRmseMevPerAtom));
    QVERIFY2(last.trainLoss < 0.5 * first.trainLoss,
             qPrintable(QString("train loss %1 -> %2").arg(first.trainLoss).arg(last.trainLoss)));
    QVERIFY(last.atomsPerSecond > 0 && last.seconds > 0);
    // RMSE in meV/atom is the square root of the per-atom loss (eV²/atom²) × 1000.
    QVERIFY(std::abs(last.trainRmseMevPerAtom - 1000 * std::sqrt(last.trainLoss)) <
            1e-9 * last.trainRmseMevPerAtom);
    QVERIFY(outcome.bestEpoch >= 1 && outcome.bestEpoch <= 40);
    QVERIFY(!outcome.message.empty());
}

void TestGcnTraining::sameSeedSameHistory() {
    const GraphDataset train = syntheticData(12, 10, 5, 3), test = syntheticData(4, 10, 5, 4);
    for (int batch : {1, 4, 0}) {
        ExperimentConfig config = smallConfig(6, 1e-2);
        config.training.batchSize = batch;
        config.model.precision = Precision::Float32;
        GcnTrainer a(config, train, test), b(config, train, test);
        const TrainingOutcome ha = a.train(), hb = b.train();
        QVERIFY2(sameLosses(ha.history, hb.history), qPrintable(QString("batch %1").arg(batch)));
        QCOMPARE(a.model().parameterValues(), b.model().parameterValues());
        // A different seed gives a different curve (the seed is used).
        config.training.seed = 100;
        GcnTrainer c(config, train, test);
        QVERIFY(!sameLosses(ha.history, c.train().history));
    }
}

void TestGcnTraining::recordsMatchPredictions() {
    // The last record's metrics are those of predictEnergies on the kept weights, exactly.
    const GraphDataset train = syntheticData(10, 8, 4, 5), test = syntheticData(5, 8, 4, 6);
    ExperimentConfig config = smallConfig(3, 1e-3);
    config.model.precision = Precision::Float32;
    GcnTrainer trainer(config, train, test);
    const TrainingOutcome outcome = trainer.train();
    const EpochRecord& best = outcome.history.at(outcome.bestEpoch - 1);
    const RegressionMetrics trainMetrics =
        scoreEnergies(train, trainer.model().predictEnergies(train));
    const RegressionMetrics testMetrics =
        scoreEnergies(test, trainer.model().predictEnergies(test));
    QCOMPARE(trainMetrics.energyRmseMevPerAtom, best.trainRmseMevPerAtom);
    QCOMPARE(testMetrics.energyMaeMevPerAtom, best.testMaeMevPerAtom);
}

void TestGcnTraining::gradientMatchesFiniteDifferences_data() {
    QTest::addColumn<int>("normalisation");
    QTest::addColumn<int>("target");
    QTest::newRow("symmetric, per-atom sum")
        << int(Normalisation::Symmetric) << int(EnergyTarget::PerAtomSum);
    QTest::newRow("row (non-symmetric), total mean")
        << int(Normalisation::Row) << int(EnergyTarget::Total);
}

void TestGcnTraining::gradientMatchesFiniteDifferences() {
    // One SGD step (no momentum) over one batch of everything moves the weights by −η ∇L; ∇L is
    // compared with central differences of L computed from predictEnergies.
    QFETCH(int, normalisation);
    QFETCH(int, target);
    const GraphDataset train = syntheticData(5, 7, 3, 8, static_cast<Normalisation>(normalisation));
    ExperimentConfig config = smallConfig(1, 1e-4);
    config.model.graphLayers = {{4, Activation::Tanh}, {3, Activation::Softplus}};
    config.model.denseLayers = {{1, Activation::Identity}};
    config.model.target = static_cast<EnergyTarget>(target);
    config.model.pooling = Pooling::Mean;
    config.optimiser.kind = OptimiserKind::Sgd;
    config.optimiser.loss = LossKind::TotalEnergy;
    config.optimiser.phases = {{1, 1e-4, 0.0, 0.0, true}};
    config.training.batchSize = 0;
    config.training.shuffle = false;
    GcnTrainer trainer(config, train, {});
    const std::vector<double> before = trainer.model().parameterValues();
    trainer.train();
    const std::vector<double> after = trainer.model().parameterValues();

    GcnModel probe = GcnTrainer(config, train, {}).takeModel();
    QCOMPARE(probe.parameterValues(), before);
    const double h = 1e-6, lr = 1e-4;
    double worst = 0, scale = 0;
    for (std::size_t k = 0; k < before.size(); ++k) {
        std::vector<double> theta = before;
        theta[k] = before[k] + h;
        probe.setParameterValues(theta);
        const double up = lossOf(probe, train);
        theta[k] = before[k] - h;
        probe.setParameterValues(theta);
        const double down = lossOf(probe, train);
        const double numeric = (up - down) / (2 * h);
        const double analytic = (before[k] - after[k]) / lr;
        worst = std::max(worst, std::abs(numeric - analytic));
        scale = std::max(scale, std::abs(numeric));
    }
    QVERIFY(scale > 0);
    QVERIFY2(worst <= 1e-5 * scale,
             qPrintable(QString("gradient error %1 of %2").arg(worst).arg(scale)));
}

void TestGcnTraining::phasesAndDecay() {
    const GraphDataset train = syntheticData(6, 6, 3, 9);
    ExperimentConfig config = smallConfig(1, 1e-3);
    config.optimiser.phases = {
        {3, 0.1, 0.9, 0.8, true}, {2, 1e-5, 0.9, 0.8, true}, {2, 1e-4, 0.5, 0.9, false}};
    config.optimiser.decay = LearningRateDecay::Exponential;
    config.optimiser.gamma = 0.5;
    GcnTrainer trainer(config, train, {});
    const TrainingOutcome outcome = trainer.train();
    QCOMPARE(outcome.epochsRun, 7);
    const std::vector<int> phase{0, 0, 0, 1, 1, 2, 2};
    const std::vector<double> lr{0.1, 0.05, 0.025, 1e-5, 0.5e-5, 1e-4, 0.5e-4};
    for (int e = 0; e < 7; ++e) {
        QCOMPARE(outcome.history[e].epoch, e + 1);
        QCOMPARE(outcome.history[e].phase, phase[e]);
        QVERIFY(std::abs(outcome.history[e].learningRate - lr[e]) < 1e-15);
        QVERIFY(std::isnan(outcome.history[e].testLoss)); // no test set
    }
    config.optimiser.decay = LearningRateDecay::Cosine;
    config.optimiser.minLearningRate = 0.01;
    config.optimiser.phases = {{4, 0.1, 0.9, 0.999, true}};
    GcnTrainer cosine(config, train, {});
    const TrainingOutcome c = cosine.train();
    for (int e = 0; e < 4; ++e) {
        const double expected = 0.01 + 0.5 * 0.09 * (1 + std::cos(M_PI * e / 4));
        QVERIFY(std::abs(c.history[e].learningRate - expected) < 1e-15);
    }
}

void TestGcnTraining::reduceOnPlateauAndEarlyStopping() {
    // A learning rate far below round-off leaves the weights, hence the loss, unchanged: no
    // epoch after the first improves.
    const GraphDataset train = syntheticData(6, 6, 3, 10), test = syntheticData(3, 6, 3, 11);
    ExperimentConfig config = smallConfig(10, 1e-30);
    config.optimiser.decay = LearningRateDecay::ReduceOnPlateau;
    config.optimiser.patience = 2;
    config.optimiser.factor = 0.5;
    GcnTrainer plateau(config, train, test);
    const TrainingOutcome p = plateau.train();
    QVERIFY2(p.stop == TrainingStop::Completed, p.message.c_str());
    // After epochs 2 and 3 without improvement the rate halves; the count restarts, so it halves
    // again after epochs 4 and 5, and 6 and 7.
    const std::vector<double> lr{1e-30,   1e-30,    1e-30,    0.5e-30,
                                 0.5e-30, 0.25e-30, 0.25e-30, 0.125e-30};
    for (std::size_t e = 0; e < lr.size(); ++e)
        QVERIFY2(std::abs(p.history[e].learningRate - lr[e]) < 1e-40,
                 qPrintable(QString("epoch %1: %2").arg(e + 1).arg(p.history[e].learningRate)));

    config.optimiser.decay = LearningRateDecay::None;
    config.optimiser.earlyStoppingPatience = 3;
    GcnTrainer early(config, train, test);
    const TrainingOutcome e = early.train();
    QVERIFY2(e.stop == TrainingStop::EarlyStopped, e.message.c_str());
    QCOMPARE(e.epochsRun, 4);
    QCOMPARE(e.bestEpoch, 1);
}

void TestGcnTraining::cancelWithinOneBatch() {
    const GraphDataset train = syntheticData(8, 6, 3, 12);
    ExperimentConfig config = smallConfig(50, 1e-3);
    config.training.batchSize = 1;
    std::atomic<bool> cancel{false};
    GcnTrainer trainer(config, train, {});
    const TrainingOutcome outcome = trainer.train(
        [&](const EpochRecord& r) {
            if (r.epoch == 1)
                cancel = true; // the next batch must not run
            return true;
        },
        &cancel);
    QVERIFY2(outcome.stop == TrainingStop::Cancelled, outcome.message.c_str());
    QCOMPARE(outcome.epochsRun, 1);
    QCOMPARE(static_cast<int>(outcome.history.size()), 1);
    QCOMPARE(outcome.bestEpoch, 1);

    // The callback's own "stop" answer.
    GcnTrainer second(config, train, {});
    const TrainingOutcome byCallback =
        second.train([](const EpochRecord& r) { return r.epoch < 2; });
    QVERIFY2(byCallback.stop == TrainingStop::Cancelled, byCallback.message.c_str());
    QCOMPARE(byCallback.epochsRun, 2);

    // A flag set before training: nothing runs, the initial weights stay.
    cancel = true;
    GcnTrainer third(config, train, {});
    const std::vector<double> initial = third.model().parameterValues();
    const TrainingOutcome none = third.train({}, &cancel);
    QCOMPARE(none.epochsRun, 0);
    QCOMPARE(third.model().parameterValues(), initial);
}

void TestGcnTraining::divergenceKeepsFiniteWeights() {
    const GraphDataset train = syntheticData(8, 6, 3, 13), test = syntheticData(3, 6, 3, 14);
    for (OptimiserKind kind : {OptimiserKind::Sgd, OptimiserKind::Adam}) {
        ExperimentConfig config = smallConfig(200, 1e6);
        config.optimiser.kind = kind;
        config.model.graphLayers = {{8, Activation::Relu}, {8, Activation::Identity}};
        config.model.denseLayers = {{8, Activation::Identity}, {1, Activation::Identity}};
        config.model.precision = Precision::Float32;
        config.optimiser.loss = LossKind::TotalEnergy;
        config.training.batchSize = 1;
        GcnTrainer trainer(config, train, test);
        const TrainingOutcome outcome = trainer.train();
        QVERIFY2(outcome.stop == TrainingStop::Diverged, outcome.message.c_str());
        QVERIFY2(outcome.message.find("diverged") != std::string::npos, outcome.message.c_str());
        QVERIFY(outcome.epochsRun < 200);
        QVERIFY(outcome.bestEpoch < outcome.epochsRun);
        for (double w : trainer.model().parameterValues())
            QVERIFY(std::isfinite(w));
        for (double e : trainer.model().predictEnergies(test))
            QVERIFY(std::isfinite(e));
    }
}

QTEST_APPLESS_MAIN(TestGcnTraining)
#include "test_gcn_training.moc"
