// Resumable training (GcnTrainer::setCheckpoints / resume): a run stopped at an epoch boundary or
// in the middle of an epoch and resumed from its checkpoint by a new trainer ends with exactly
// the weights and history of the run never stopped, for every optimiser, schedule and batching
// (fixed, shuffled, force batches); a checkpoint of another config or other data, a truncated
// file and a failed write are reported.
#include "graphace/ace_basis.h"
#include "graphace/gcn_trainer.h"

#include "random_cells.h"

#include <QtTest>

#include <QTemporaryDir>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <random>

using namespace graphace;

namespace {

// Random periodic cells with energies and forces (arbitrary but fixed) and graphs with geometry.
Dataset cells(int count, unsigned seed) {
    Mat3 cell;
    cell << 5.1, 0.0, 0.0, 1.1, 4.8, 0.0, -0.8, 0.9, 5.3;
    std::mt19937 rng(seed);
    std::normal_distribution<double> normal(0.0, 0.5);
    Dataset d;
    for (int c = 0; c < count; ++c) {
        Structure s = testing::randomCell(cell, seed + c, 6 + c % 3, 1.7, 3);
        s.energy = -4.0 * s.size() + normal(rng);
        for (std::size_t a = 0; a < s.size(); ++a)
            s.forces.emplace_back(normal(rng), normal(rng), normal(rng));
        d.structures.push_back(std::move(s));
    }
    return d;
}

ExperimentConfig baseConfig() {
    ExperimentConfig c;
    c.ace = AceConfig{};
    c.ace.species = {13, 22};
    c.ace.body_order = 3;
    c.ace.max_degree = 3;
    c.ace.r0 = 2.5;
    c.ace.rcut = 3.6;
    c.graph.options.cutoff = 3.3;
    c.graph.options.weighting = EdgeWeighting::SmoothPolynomial;
    c.model.graphLayers = {{6, Activation::Silu}, {5, Activation::Tanh}};
    c.model.denseLayers = {{4, Activation::Softplus}, {1, Activation::Identity}};
    c.model.target = EnergyTarget::PerAtomSum;
    c.model.pooling = Pooling::Sum;
    c.model.standardiseInputs = true;
    c.model.standardiseTargets = true;
    c.model.referenceEnergies = true;
    c.model.precision = Precision::Float32;
    c.optimiser.loss = LossKind::EnergyPerAtom;
    c.optimiser.phases = {{5, 3e-3, 0.9, 0.999, true}, {4, 1e-3, 0.8, 0.99, false}};
    c.training.batchSize = 1;
    c.training.shuffle = false;
    c.training.threads = 1;
    return c;
}

struct Graphs {
    GraphDataset train, test;
};

Graphs graphsOf(const ExperimentConfig& c, const Dataset& train, const Dataset& test) {
    const AceBasis basis(c.ace);
    return {buildGraphDataset(basis, c.graph.options, train, 1, {}, true),
            buildGraphDataset(basis, c.graph.options, test, 1, {}, true)};
}

// Equal in everything but the timings.
void compareHistories(const std::vector<EpochRecord>& a, const std::vector<EpochRecord>& b) {
    QCOMPARE(a.size(), b.size());
    auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    for (std::size_t k = 0; k < a.size(); ++k) {
        const EpochRecord &x = a[k], &y = b[k];
        QCOMPARE(x.epoch, y.epoch);
        QCOMPARE(x.phase, y.phase);
        for (auto field :
             {&EpochRecord::trainLoss, &EpochRecord::testLoss, &EpochRecord::trainRmseMevPerAtom,
              &EpochRecord::testMaeMevPerAtom, &EpochRecord::trainForceRmseEvPerA,
              &EpochRecord::testForceMaeEvPerA, &EpochRecord::learningRate})
            QVERIFY2(same(x.*field, y.*field),
                     qPrintable(QStringLiteral("epoch %1 differs").arg(x.epoch)));
    }
}

} // namespace

Q_DECLARE_METATYPE(graphace::ExperimentConfig)

class TestGcnCheckpoint : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    Dataset m_train = cells(6, 11), m_test = cells(3, 41);

    std::string path(const char* name) const { return m_dir.filePath(name).toStdString(); }

private Q_SLOTS:
    void resumedRunEqualsUninterrupted_data();
    void resumedRunEqualsUninterrupted();
    void periodicCheckpointsSurviveAKill();
    void otherRunsAndBadFilesAreRefused();
    void failedWriteDoesNotStopTraining();
    void modelFilesStoreEnumNames();
};

// model.pt format 2 stores the network's enums by name (readable without our source); files of
// format 1 (integer codes, e.g. the fuzzer's seed, written before) still load, and the same
// model saved again is format 2 with the same settings and weights.
void TestGcnCheckpoint::modelFilesStoreEnumNames() {
    const std::string old = GRAPHACE_SOURCE_DIR "/fuzz/seeds/model/model.pt";
    const GcnModel v1 = GcnModel::load(old);
    std::ifstream oldIn(old, std::ios::binary);
    const std::string oldBytes((std::istreambuf_iterator<char>(oldIn)), {});
    QVERIFY(oldBytes.find("\"pooling\":" + std::to_string(static_cast<int>(
                                               v1.config().model.pooling))) != std::string::npos);

    v1.save(path("renamed.pt"));
    std::ifstream in(path("renamed.pt"), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    const ModelConfig& m = v1.config().model;
    for (const std::string& stored : {"\"pooling\":\"" + toString(m.pooling) + "\"",
                                      "\"target\":\"" + toString(m.target) + "\"",
                                      "\"precision\":\"" + toString(m.precision) + "\"",
                                      "\"" + toString(m.graphLayers.at(0).activation) + "\"]"})
        QVERIFY2(bytes.find(stored) != std::string::npos, stored.c_str());

    const GcnModel v2 = GcnModel::load(path("renamed.pt"));
    QCOMPARE(nlohmann::json(v2.config()).dump(), nlohmann::json(v1.config()).dump());
    QCOMPARE(v2.parameterValues(), v1.parameterValues());
}

void TestGcnCheckpoint::resumedRunEqualsUninterrupted_data() {
    QTest::addColumn<ExperimentConfig>("config");
    QTest::addColumn<int>("stopAfter");    // epochs completed when stopped
    QTest::addColumn<bool>("midEpoch");    // stopped by the cancel flag inside the next epoch
    QTest::addColumn<bool>("withTestSet"); // best weights, early stopping and plateau on it

    ExperimentConfig c = baseConfig();
    QTest::newRow("two phases, moments kept, at a boundary") << c << 3 << false << false;
    QTest::newRow("at the end of a phase") << c << 5 << false << true;
    c.training.shuffle = true;
    c.training.batchSize = 2;
    QTest::newRow("shuffled mini-batches, mid-epoch") << c << 6 << true << true;
    ExperimentConfig plateau = c;
    plateau.optimiser.decay = LearningRateDecay::ReduceOnPlateau;
    plateau.optimiser.patience = 1;
    plateau.optimiser.factor = 0.5;
    plateau.optimiser.earlyStoppingPatience = 3;
    plateau.optimiser.phases = {{12, 2e-2, 0.9, 0.999, true}};
    QTest::newRow("plateau and early stopping") << plateau << 4 << true << true;
    ExperimentConfig forces = c;
    forces.optimiser.forcesWeight = 1.0;
    QTest::newRow("forces, shuffled batches, mid-epoch") << forces << 4 << true << true;
    ExperimentConfig adamW = c;
    adamW.optimiser.kind = OptimiserKind::AdamW;
    adamW.optimiser.weightDecay = 1e-2;
    adamW.optimiser.decay = LearningRateDecay::Cosine;
    QTest::newRow("AdamW, cosine") << adamW << 2 << true << false;
    ExperimentConfig sgd = baseConfig();
    sgd.optimiser.kind = OptimiserKind::Sgd;
    sgd.optimiser.decay = LearningRateDecay::Exponential;
    QTest::newRow("SGD with momentum, exponential") << sgd << 7 << false << true;
    QTest::newRow("nothing done yet") << baseConfig() << 0 << true << false;
}

void TestGcnCheckpoint::resumedRunEqualsUninterrupted() {
    QFETCH(ExperimentConfig, config);
    QFETCH(int, stopAfter);
    QFETCH(bool, midEpoch);
    QFETCH(bool, withTestSet);
    const Graphs g = graphsOf(config, m_train, withTestSet ? m_test : Dataset{});

    GcnTrainer whole(config, g.train, g.test);
    const TrainingOutcome expected = whole.train();
    QVERIFY2(expected.epochsRun > stopAfter, expected.message.c_str());

    const std::string file = path("resume.pt");
    std::filesystem::remove(file);
    TrainingOutcome stopped;
    {
        GcnTrainer first(config, g.train, g.test);
        first.setCheckpoints({file, 0, "note"});
        std::atomic<bool> cancel{stopAfter == 0 && midEpoch};
        stopped = first.train(
            [&](const EpochRecord& r) {
                if (r.epoch == stopAfter && midEpoch)
                    cancel = true; // after the next epoch's shuffle, before its first step
                return midEpoch || r.epoch < stopAfter;
            },
            &cancel);
        QVERIFY2(stopped.stop == TrainingStop::Cancelled, stopped.message.c_str());
        QCOMPARE(stopped.epochsRun, stopAfter);
        QVERIFY(stopped.checkpointError.empty());
    }
    const CheckpointInfo info = readCheckpointInfo(file);
    QCOMPARE(info.epoch, stopAfter);
    QCOMPARE(info.totalEpochs, totalEpochs(config.optimiser));
    QCOMPARE(info.note, std::string("note"));

    GcnTrainer second(config, g.train, g.test);
    second.resume(file);
    QCOMPARE(second.resumedEpoch(), stopAfter);
    int firstSeen = 0;
    const TrainingOutcome resumed = second.train([&](const EpochRecord& r) {
        if (firstSeen == 0)
            firstSeen = r.epoch;
        return true;
    });
    QCOMPARE(firstSeen, stopAfter + 1); // the callback sees only the new epochs
    QCOMPARE(int(resumed.stop), int(expected.stop));
    QCOMPARE(resumed.epochsRun, expected.epochsRun);
    QCOMPARE(resumed.bestEpoch, expected.bestEpoch);
    compareHistories(resumed.history, expected.history);
    QCOMPARE(second.model().parameterValues(), whole.model().parameterValues());
    QVERIFY(resumed.seconds >= info.seconds);
}

// A process killed between checkpoints loses only the epochs since the last one: the file as it
// stood after epoch 6 of a run checkpointed every 3 epochs resumes to the same end.
void TestGcnCheckpoint::periodicCheckpointsSurviveAKill() {
    ExperimentConfig config = baseConfig();
    config.training.shuffle = true;
    config.training.batchSize = 2;
    const Graphs g = graphsOf(config, m_train, m_test);
    const std::string file = path("every3.pt"), six = path("every3-6.pt");
    GcnTrainer whole(config, g.train, g.test);
    whole.setCheckpoints({file, 3, {}});
    std::vector<int> seen; // the checkpoint's epoch after each epoch
    const TrainingOutcome expected = whole.train([&](const EpochRecord& r) {
        seen.push_back(std::filesystem::exists(file) ? readCheckpointInfo(file).epoch : 0);
        if (r.epoch == 6)
            std::filesystem::copy_file(file, six);
        return true;
    });
    QCOMPARE(expected.epochsRun, 9);
    QCOMPARE(seen, (std::vector<int>{0, 0, 3, 3, 3, 6, 6, 6, 9}));

    GcnTrainer resumed(config, g.train, g.test);
    resumed.resume(six);
    compareHistories(resumed.train().history, expected.history);
    QCOMPARE(resumed.model().parameterValues(), whole.model().parameterValues());

    // A cap on the time spent writing them skips those due too soon after the last one.
    const std::string capped = path("capped.pt");
    GcnTrainer thrifty(config, g.train, g.test);
    thrifty.setCheckpoints({capped, 3, {}, 1e-12});
    thrifty.train();
    QCOMPARE(readCheckpointInfo(capped).epoch, 3); // the first is always written
}

void TestGcnCheckpoint::otherRunsAndBadFilesAreRefused() {
    const ExperimentConfig config = baseConfig();
    const Graphs g = graphsOf(config, m_train, m_test);
    const std::string file = path("refuse.pt");
    {
        GcnTrainer first(config, g.train, g.test);
        first.setCheckpoints({file, 2, {}});
        first.train([](const EpochRecord& r) { return r.epoch < 2; });
    }
    auto resumeError = [&](const ExperimentConfig& c, const Graphs& data,
                           const std::string& from) -> std::string {
        GcnTrainer trainer(c, data.train, data.test);
        try {
            trainer.resume(from);
        } catch (const std::runtime_error& e) {
            return e.what();
        }
        return {};
    };

    // Other data: one training energy changed.
    Dataset changed = m_train;
    *changed.structures[2].energy += 1e-3;
    std::string error = resumeError(config, graphsOf(config, changed, m_test), file);
    QVERIFY2(error.find("data differ") != std::string::npos, error.c_str());
    // Another setting is named.
    ExperimentConfig other = config;
    other.optimiser.phases[1].learningRate = 5e-4;
    error = resumeError(other, g, file);
    QVERIFY2(error.find("/optimiser/phases/1/learning_rate") != std::string::npos, error.c_str());
    // Threads, device and the checkpoint interval do not change what is computed.
    ExperimentConfig threads = config;
    threads.training.threads = 2;
    threads.training.checkpointEvery = 7;
    QCOMPARE(resumeError(threads, g, file), std::string());

    // Missing, truncated (as while another program still writes it), and not a checkpoint.
    error = resumeError(config, g, path("absent.pt"));
    QVERIFY2(error.find("does not exist") != std::string::npos, error.c_str());
    const auto size = std::filesystem::file_size(file);
    for (auto cut : {size / 2, size - 30, std::uintmax_t{10}}) {
        const std::string truncated = path("partial.pt");
        std::filesystem::copy_file(file, truncated,
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::resize_file(truncated, cut);
        error = resumeError(config, g, truncated);
        QVERIFY2(error.find("not a usable GraphACE checkpoint") != std::string::npos &&
                     error.find("cut short") != std::string::npos,
                 error.c_str());
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, readCheckpointInfo(truncated));
    }
    const std::string model = path("model.pt");
    GcnTrainer(config, g.train, g.test).model().save(model);
    error = resumeError(config, g, model);
    QVERIFY2(error.find("no checkpoint header") != std::string::npos, error.c_str());
}

void TestGcnCheckpoint::failedWriteDoesNotStopTraining() {
    const ExperimentConfig config = baseConfig();
    const Graphs g = graphsOf(config, m_train, {});
    GcnTrainer trainer(config, g.train, g.test);
    trainer.setCheckpoints({path("no-such-folder/checkpoint.pt"), 2, {}});
    const TrainingOutcome outcome = trainer.train();
    QVERIFY2(outcome.stop == TrainingStop::Completed, outcome.message.c_str());
    QCOMPARE(outcome.epochsRun, totalEpochs(config.optimiser));
    QVERIFY2(outcome.checkpointError.find("no-such-folder") != std::string::npos,
             outcome.checkpointError.c_str());
}

QTEST_APPLESS_MAIN(TestGcnCheckpoint)
#include "test_gcn_checkpoint.moc"
