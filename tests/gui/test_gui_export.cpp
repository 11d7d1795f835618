// Export of training results and sessions: CSV series read back, config JSON round trip, chart
// PNG/SVG files, session save → load field by field (NaN included), documented errors for bad
// session files, a real tiny trained model exported and loaded back, and every export left whole
// by a writer process killed at random moments. Needs a display for the chart tests (run under
// xvfb-run).
#include "graphace/error.h"
#include "graphace/experiment_run.h"
#include "graphace/gcn_trainer.h"
#include "graphace/sample_dataset.h"
#include "graphace/training_outputs.h"
#include "graphace/ui/session_file.h"
#include "graphace/ui/training_export.h"
#include "testing.h"

#include <QChart>
#include <QChartView>
#include <QElapsedTimer>
#include <QFile>
#include <QImage>
#include <QLabel>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPainter>
#include <QProcess>
#include <QSet>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QValueAxis>
#include <QXmlStreamReader>
#include <QtTest>

#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <random>
#include <set>

using namespace graphace;
using namespace graphace::ui;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

// Distinct values on purpose: a field written under another field's key shows up.
EpochRecord epoch(int n, bool withTest) {
    EpochRecord e;
    e.epoch = n;
    e.phase = n > 3 ? 1 : 0;
    e.trainLoss = 1.0 / (n + 0.5);
    e.testLoss = withTest ? 1.3 / (n + 0.25) : kNaN;
    e.trainRmseMevPerAtom = 40.0 / n + 0.125;
    e.trainMaeMevPerAtom = 30.0 / n + 0.0625;
    e.testRmseMevPerAtom = withTest ? 45.0 / n + 0.375 : kNaN;
    e.testMaeMevPerAtom = withTest ? 33.0 / n + 0.1875 : kNaN;
    e.trainForceRmseEvPerA = 0.5 / n + 0.0078125;
    e.trainForceMaeEvPerA = 0.375 / n + 0.00390625;
    e.testForceRmseEvPerA = withTest ? 0.625 / n + 0.015625 : kNaN;
    e.testForceMaeEvPerA = withTest ? 0.4375 / n + 0.01171875 : kNaN;
    e.trainVirialRmseMevPerAtom = 7.0 / n + 0.5;
    e.testVirialRmseMevPerAtom = withTest ? 9.0 / n + 0.25 : kNaN;
    e.learningRate = n > 3 ? 1e-5 : 0.1 * std::pow(0.9, n);
    e.seconds = 0.01 * n + 0.003;
    e.atomsPerSecond = 12345.678 + n;
    return e;
}

RegressionMetrics metrics(double base, std::size_t configurations) {
    RegressionMetrics m;
    m.configurations = configurations;
    m.energyRmseMevPerAtom = base;
    m.energyMaeMevPerAtom = base * 0.75;
    m.energyRmseEv = base * 0.096;
    m.energyMaeEv = base * 0.07;
    m.energyR2 = 1.0 - base * 1e-4;
    m.forceComponents = 0;
    m.virialConfigurations = configurations / 2;
    m.virialRmseMevPerAtom = base * 3.5;
    m.virialMaeMevPerAtom = base * 2.25;
    return m;
}

ParityPoints parity(int n, double offset) {
    ParityPoints p;
    for (int i = 0; i < n; ++i) {
        p.referencePerAtom.push_back(-9.5 + 0.125 * i);
        p.predictedPerAtom.push_back(-9.5 + 0.125 * i + offset * (i % 2 ? 1 : -1));
    }
    return p;
}

// A run with a test set (5 epochs) and one without (3 epochs, test values NaN).
TrainingRunRecord runWithTest() {
    TrainingRunRecord run;
    run.name = QStringLiteral("train 50, \"tanh\""); // a comma and quotes: CSV quoting
    run.config.preset = "recommended";
    run.config.training.seed = 11;
    run.config.graph.options.cutoff = 3.25;
    run.config.optimiser.loss = LossKind::EnergyPerAtom;
    run.config.model.graphLayers = {{8, Activation::Relu}, {8, Activation::Silu}};
    for (int n = 1; n <= 5; ++n)
        run.history.push_back(epoch(n, true));
    run.finished = true;
    run.outcome.stop = TrainingStop::EarlyStopped;
    run.outcome.message = "no improvement for 2 epochs";
    run.outcome.epochsRun = 5;
    run.outcome.bestEpoch = 3;
    run.outcome.seconds = 0.5625;
    run.outcome.history = run.history;
    run.linear.train = metrics(12.5, 4);
    run.linear.test = metrics(17.25, 2);
    run.linear.trainPredicted = {-100.5, -101.25, -99.75, -98.0};
    run.linear.testPredicted = {-97.5, -102.0};
    run.linear.basisSize = 42;
    run.linear.seconds = 0.0625;
    run.gcnTrain = metrics(8.5, 4);
    run.gcnTest = metrics(11.75, 2);
    run.gcnParityTrain = parity(4, 0.01);
    run.gcnParityTest = parity(2, 0.02);
    run.linearParityTrain = parity(4, 0.03);
    run.linearParityTest = parity(2, 0.04);
    run.gcnForceParityTrain = parity(12, 0.05);
    run.gcnForceParityTest = parity(6, 0.06);
    run.linearForceParityTrain = parity(12, 0.07);
    run.linearForceParityTest = parity(6, 0.08);
    run.gcnGroups[0] = {{"bulk", metrics(7.5, 3)}, {"", metrics(11.5, 1)}};
    run.gcnGroups[1] = {{"bulk", metrics(10.25, 2)}};
    run.linearGroups[0] = {{"bulk", metrics(11.0, 3)}, {"", metrics(17.0, 1)}};
    run.seconds = 1.875;
    return run;
}

TrainingRunRecord runWithoutTest() {
    TrainingRunRecord run;
    run.name = QStringLiteral("no test");
    run.config.optimiser.loss = LossKind::TotalEnergy;
    for (int n = 1; n <= 3; ++n)
        run.history.push_back(epoch(n, false));
    run.finished = false; // stopped while running: outcome not valid, empty history there
    run.outcome.stop = TrainingStop::Cancelled;
    run.linear.train = metrics(20.0, 3);
    run.linear.test = metrics(kNaN, 0);
    run.linear.test.energyR2 = kNaN;
    run.gcnTrain = metrics(15.0, 3);
    run.gcnTest = metrics(kNaN, 0);
    run.gcnTest.energyR2 = kNaN;
    run.gcnParityTrain = parity(3, 0.05);
    run.linearParityTrain = parity(3, 0.06);
    run.seconds = 0.25;
    return run;
}

// One CSV line split into fields (RFC 4180 quoting).
QStringList csvFields(const QString& line) {
    QStringList fields;
    QString field;
    bool quoted = false;
    for (int i = 0; i < line.size(); ++i) {
        const QChar c = line[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < line.size() && line[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            fields << field;
            field.clear();
        } else {
            field += c;
        }
    }
    fields << field;
    return fields;
}

using Points = std::vector<std::pair<double, double>>;

QByteArray readAll(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

QString jsonText(const ExperimentConfig& config) {
    const nlohmann::json j = config;
    return QString::fromStdString(j.dump());
}

QChartView* makeChart(QWidget* parent = nullptr) {
    auto* chart = new QChart;
    auto* train = new QLineSeries;
    auto* test = new QLineSeries;
    train->setName(QStringLiteral("train loss"));
    test->setName(QStringLiteral("test loss"));
    for (int n = 1; n <= 50; ++n) {
        train->append(n, 1.0 / n);
        test->append(n, 1.5 / std::sqrt(double(n)));
    }
    chart->addSeries(train);
    chart->addSeries(test);
    auto* x = new QValueAxis;
    auto* y = new QLogValueAxis;
    x->setTitleText(QStringLiteral("epoch"));
    y->setTitleText(QStringLiteral("loss"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (auto* s : {train, test}) {
        s->attachAxis(x);
        s->attachAxis(y);
    }
    chart->setTitle(QStringLiteral("Loss"));
    auto* view = new QChartView(chart, parent);
    view->setRenderHint(QPainter::Antialiasing);
    return view;
}

// A really trained (tiny) run, with the weights and prepared data that exportModel needs.
TrainingRunRecord trainTinyRun() {
    SampleOptions options;
    options.configurations = 6;
    const Dataset data = generateSampleDataset(options);
    ExperimentConfig config;
    config.data.trainSize = 4;
    config.data.testSize = 2;
    config.ace.max_degree = 2;
    config.graph.options.cutoff = 3.0;
    config.model.graphLayers = {{4, Activation::Tanh}};
    config.optimiser.phases = {{3, 1e-3, 0.9, 0.999, true}};
    config.training.batchSize = 2;
    config.training.threads = 1;

    TrainingRunRecord run;
    run.name = QStringLiteral("tiny");
    auto prepared = std::make_shared<PreparedExperiment>(prepareExperiment(config, data, nullptr));
    run.config = prepared->config;
    run.linear = fitLinearBaseline(*prepared);
    GcnTrainer trainer(prepared->config, prepared->trainGraphs, prepared->testGraphs,
                       &run.linear.model);
    run.outcome = trainer.train();
    run.history = run.outcome.history;
    run.finished = true;
    run.model = std::make_shared<GcnModel>(trainer.takeModel());
    run.prepared = prepared;
    return run;
}

// The window's exports as killedExportWritersLeaveCompleteFiles reads them: `dir` holds a
// session, a series CSV, a chart as PNG and SVG, a config JSON and a model folder.
struct ExportFiles {
    explicit ExportFiles(const QString& dir) : m_dir(dir) {}
    QString session() const { return m_dir.filePath(QStringLiteral("session.json")); }
    QString csv() const { return m_dir.filePath(QStringLiteral("series.csv")); }
    QString png() const { return m_dir.filePath(QStringLiteral("chart.png")); }
    QString svg() const { return m_dir.filePath(QStringLiteral("chart.svg")); }
    QString config() const { return m_dir.filePath(QStringLiteral("config.json")); }
    QString model() const { return m_dir.filePath(QStringLiteral("model")); }

private:
    QDir m_dir;
};

// The writer process of killedExportWritersLeaveCompleteFiles (this test binary started with
// GRAPHACE_EXPORT_WRITER_DIR): writes every export again and again, alternating two versions
// (one run or two; a PNG 800 or 960 pixels wide), until it is killed. Prints "ready" before
// the first write and "round N" after each round.
[[noreturn]] void writeExportsUntilKilled(const QString& dir) {
    const ExportFiles files(dir);
    const TrainingRunRecord tiny = trainTinyRun();
    const std::vector<TrainingRunRecord> runs = {runWithTest(), runWithoutTest()};
    QChartView* chart = makeChart();
    chart->resize(640, 400);
    std::printf("ready\n");
    std::fflush(stdout);
    for (int round = 0;; ++round) {
        const int version = round % 2;
        Session session;
        session.runs.assign(runs.begin(), runs.begin() + 1 + version);
        saveSession(session, files.session());
        exportSeriesCsv(session.runs, files.csv());
        exportWidgetPng(chart, files.png(), 800 + 160 * version, 500);
        exportWidgetSvg(chart, files.svg(), QStringLiteral("version %1").arg(version));
        exportConfigJson(runs[version], files.config());
        exportModel(tiny, files.model());
        std::printf("round %d\n", round);
        std::fflush(stdout);
    }
}

} // namespace

// Field-by-field comparison of two run records (NaN equals NaN).
#define COMPARE_REAL(a, b)                                                                         \
    QVERIFY2(same((a), (b)), qPrintable(QStringLiteral("%1: %2 vs %3").arg(#a).arg(a).arg(b)))

#define COMPARE_METRICS(a, b)                                                                      \
    do {                                                                                           \
        QCOMPARE((a).configurations, (b).configurations);                                          \
        COMPARE_REAL((a).energyRmseMevPerAtom, (b).energyRmseMevPerAtom);                          \
        COMPARE_REAL((a).energyMaeMevPerAtom, (b).energyMaeMevPerAtom);                            \
        COMPARE_REAL((a).energyRmseEv, (b).energyRmseEv);                                          \
        COMPARE_REAL((a).energyMaeEv, (b).energyMaeEv);                                            \
        COMPARE_REAL((a).energyR2, (b).energyR2);                                                  \
        QCOMPARE((a).forceComponents, (b).forceComponents);                                        \
        COMPARE_REAL((a).forceRmseEvPerA, (b).forceRmseEvPerA);                                    \
        COMPARE_REAL((a).forceMaeEvPerA, (b).forceMaeEvPerA);                                      \
        QCOMPARE((a).virialConfigurations, (b).virialConfigurations);                              \
        COMPARE_REAL((a).virialRmseMevPerAtom, (b).virialRmseMevPerAtom);                          \
        COMPARE_REAL((a).virialMaeMevPerAtom, (b).virialMaeMevPerAtom);                            \
    } while (0)

class TestGuiExport : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    QString path(const QString& name) const { return m_dir.filePath(name); }

    static void compareVectors(const std::vector<double>& a, const std::vector<double>& b) {
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i)
            COMPARE_REAL(a[i], b[i]);
    }

    static void compareHistory(const std::vector<EpochRecord>& a,
                               const std::vector<EpochRecord>& b) {
        QCOMPARE(a.size(), b.size());
        for (std::size_t i = 0; i < a.size(); ++i) {
            QCOMPARE(a[i].epoch, b[i].epoch);
            QCOMPARE(a[i].phase, b[i].phase);
            COMPARE_REAL(a[i].trainLoss, b[i].trainLoss);
            COMPARE_REAL(a[i].testLoss, b[i].testLoss);
            COMPARE_REAL(a[i].trainRmseMevPerAtom, b[i].trainRmseMevPerAtom);
            COMPARE_REAL(a[i].trainMaeMevPerAtom, b[i].trainMaeMevPerAtom);
            COMPARE_REAL(a[i].testRmseMevPerAtom, b[i].testRmseMevPerAtom);
            COMPARE_REAL(a[i].testMaeMevPerAtom, b[i].testMaeMevPerAtom);
            COMPARE_REAL(a[i].trainForceRmseEvPerA, b[i].trainForceRmseEvPerA);
            COMPARE_REAL(a[i].trainForceMaeEvPerA, b[i].trainForceMaeEvPerA);
            COMPARE_REAL(a[i].testForceRmseEvPerA, b[i].testForceRmseEvPerA);
            COMPARE_REAL(a[i].testForceMaeEvPerA, b[i].testForceMaeEvPerA);
            COMPARE_REAL(a[i].trainVirialRmseMevPerAtom, b[i].trainVirialRmseMevPerAtom);
            COMPARE_REAL(a[i].testVirialRmseMevPerAtom, b[i].testVirialRmseMevPerAtom);
            COMPARE_REAL(a[i].learningRate, b[i].learningRate);
            COMPARE_REAL(a[i].seconds, b[i].seconds);
            COMPARE_REAL(a[i].atomsPerSecond, b[i].atomsPerSecond);
        }
    }

    static void compareRuns(const TrainingRunRecord& a, const TrainingRunRecord& b) {
        QCOMPARE(a.name, b.name);
        QCOMPARE(jsonText(a.config), jsonText(b.config));
        compareHistory(a.history, b.history);
        if (QTest::currentTestFailed())
            return;
        QCOMPARE(a.finished, b.finished);
        QCOMPARE(int(a.outcome.stop), int(b.outcome.stop));
        QCOMPARE(a.outcome.message, b.outcome.message);
        QCOMPARE(a.outcome.epochsRun, b.outcome.epochsRun);
        QCOMPARE(a.outcome.bestEpoch, b.outcome.bestEpoch);
        COMPARE_REAL(a.outcome.seconds, b.outcome.seconds);
        compareHistory(a.outcome.history, b.outcome.history);
        if (QTest::currentTestFailed())
            return;
        COMPARE_METRICS(a.linear.train, b.linear.train);
        COMPARE_METRICS(a.linear.test, b.linear.test);
        compareVectors(a.linear.trainPredicted, b.linear.trainPredicted);
        compareVectors(a.linear.testPredicted, b.linear.testPredicted);
        QCOMPARE(a.linear.basisSize, b.linear.basisSize);
        COMPARE_REAL(a.linear.seconds, b.linear.seconds);
        COMPARE_METRICS(a.gcnTrain, b.gcnTrain);
        COMPARE_METRICS(a.gcnTest, b.gcnTest);
        using Pair = std::pair<const ParityPoints*, const ParityPoints*>;
        for (auto [x, y] :
             std::initializer_list<Pair>{{&a.gcnParityTrain, &b.gcnParityTrain},
                                         {&a.gcnParityTest, &b.gcnParityTest},
                                         {&a.linearParityTrain, &b.linearParityTrain},
                                         {&a.linearParityTest, &b.linearParityTest},
                                         {&a.gcnForceParityTrain, &b.gcnForceParityTrain},
                                         {&a.gcnForceParityTest, &b.gcnForceParityTest},
                                         {&a.linearForceParityTrain, &b.linearForceParityTrain},
                                         {&a.linearForceParityTest, &b.linearForceParityTest}}) {
            compareVectors(x->referencePerAtom, y->referencePerAtom);
            compareVectors(x->predictedPerAtom, y->predictedPerAtom);
        }
        for (int set = 0; set < 2; ++set)
            for (auto [x, y] : {std::pair{&a.gcnGroups[set], &b.gcnGroups[set]},
                                std::pair{&a.linearGroups[set], &b.linearGroups[set]}}) {
                QCOMPARE(x->size(), y->size());
                for (std::size_t g = 0; g < x->size(); ++g) {
                    QCOMPARE((*x)[g].group, (*y)[g].group);
                    COMPARE_METRICS((*x)[g].metrics, (*y)[g].metrics);
                }
            }
        COMPARE_REAL(a.seconds, b.seconds);
    }

    // Every (run, series) of a CSV file, in file order.
    std::map<std::pair<QString, QString>, Points> readCsv(const QString& file) {
        std::map<std::pair<QString, QString>, Points> series;
        const QStringList lines =
            QString::fromUtf8(readAll(file)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (lines.isEmpty() || lines.front() != QStringLiteral("run,series,x,y"))
            return series;
        for (int i = 1; i < lines.size(); ++i) {
            const QStringList f = csvFields(lines[i]);
            if (f.size() != 4)
                return {};
            bool okX = false, okY = false;
            const double x = f[2].toDouble(&okX);
            const double y = f[3].toDouble(&okY);
            if (!okX || !okY)
                return {};
            series[{f[0], f[1]}].emplace_back(x, y);
        }
        return series;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // --- CSV ------------------------------------------------------------------------------

    void seriesCsvReadsBack() {
        const TrainingRunRecord a = runWithTest();
        const TrainingRunRecord b = runWithoutTest();
        const QString file = path(QStringLiteral("series.csv"));
        exportSeriesCsv({a, b}, file);
        const QStringList lines =
            QString::fromUtf8(readAll(file)).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY(!lines.isEmpty());
        QCOMPARE(lines.front(), QStringLiteral("run,series,x,y"));
        const auto csv = readCsv(file);
        QVERIFY(!csv.empty());

        // Run a: 5 epochs with a test set; every series present.
        auto get = [&](const TrainingRunRecord& run, const char* series) {
            const auto it = csv.find({run.name, QString::fromLatin1(series)});
            return it == csv.end() ? Points{} : it->second;
        };
        auto checkEpochs = [&](const TrainingRunRecord& run, const char* series,
                               double EpochRecord::*field) {
            const Points points = get(run, series);
            QCOMPARE(points.size(), run.history.size());
            for (std::size_t i = 0; i < points.size(); ++i) {
                QCOMPARE(points[i].first, double(run.history[i].epoch));
                QCOMPARE(points[i].second, run.history[i].*field); // shortest round trip: exact
            }
        };
        checkEpochs(a, "train_loss", &EpochRecord::trainLoss);
        checkEpochs(a, "test_loss", &EpochRecord::testLoss);
        checkEpochs(a, "train_rmse_mev_per_atom", &EpochRecord::trainRmseMevPerAtom);
        checkEpochs(a, "test_rmse_mev_per_atom", &EpochRecord::testRmseMevPerAtom);
        checkEpochs(a, "train_force_rmse_ev_per_a", &EpochRecord::trainForceRmseEvPerA);
        checkEpochs(a, "test_force_rmse_ev_per_a", &EpochRecord::testForceRmseEvPerA);
        checkEpochs(a, "learning_rate", &EpochRecord::learningRate);
        // Linear reference lines: the linear fit's mean squared error in the loss's units
        // (loss per atom here: (RMSE in eV/atom)²), one point per epoch.
        const Points linearTrain = get(a, "linear_train_loss");
        const Points linearTest = get(a, "linear_test_loss");
        QCOMPARE(linearTrain.size(), a.history.size());
        QCOMPARE(linearTest.size(), a.history.size());
        const double trainRmse = a.linear.train.energyRmseMevPerAtom / 1000;
        const double testRmse = a.linear.test.energyRmseMevPerAtom / 1000;
        for (std::size_t i = 0; i < linearTrain.size(); ++i) {
            QCOMPARE(linearTrain[i].first, double(a.history[i].epoch));
            QVERIFY(std::abs(linearTrain[i].second - trainRmse * trainRmse) <= 1e-15);
            QVERIFY(std::abs(linearTest[i].second - testRmse * testRmse) <= 1e-15);
        }
        auto checkParity = [&](const TrainingRunRecord& run, const char* series,
                               const ParityPoints& p) {
            const Points points = get(run, series);
            QCOMPARE(points.size(), p.referencePerAtom.size());
            for (std::size_t i = 0; i < points.size(); ++i) {
                QCOMPARE(points[i].first, p.referencePerAtom[i]);
                QCOMPARE(points[i].second, p.predictedPerAtom[i]);
            }
        };
        checkParity(a, "parity_gcn_train", a.gcnParityTrain);
        checkParity(a, "parity_gcn_test", a.gcnParityTest);
        checkParity(a, "parity_linear_train", a.linearParityTrain);
        checkParity(a, "parity_linear_test", a.linearParityTest);
        checkParity(a, "force_parity_gcn_train", a.gcnForceParityTrain);
        checkParity(a, "force_parity_gcn_test", a.gcnForceParityTest);
        checkParity(a, "force_parity_linear_train", a.linearForceParityTrain);
        checkParity(a, "force_parity_linear_test", a.linearForceParityTest);

        // Run b: no test set, so no test points (NaN has nothing to plot) and no linear test
        // line; total-energy loss: the linear line is RMSE_eV².
        checkEpochs(b, "train_loss", &EpochRecord::trainLoss);
        checkEpochs(b, "learning_rate", &EpochRecord::learningRate);
        QVERIFY(get(b, "test_loss").empty());
        QVERIFY(get(b, "test_rmse_mev_per_atom").empty());
        QVERIFY(get(b, "linear_test_loss").empty());
        QVERIFY(get(b, "parity_gcn_test").empty());
        const Points bLinear = get(b, "linear_train_loss");
        QCOMPARE(bLinear.size(), b.history.size());
        QVERIFY(std::abs(bLinear.front().second -
                         b.linear.train.energyRmseEv * b.linear.train.energyRmseEv) <= 1e-15);
        checkParity(b, "parity_gcn_train", b.gcnParityTrain);

        QVERIFY(get(b, "test_force_rmse_ev_per_a").empty());
        QVERIFY(get(b, "force_parity_gcn_train").empty()); // b has no forces

        // Total rows: run a 9 epoch series × 5 + parity 4+2+4+2 + force parity 12+6+12+6,
        // run b 5 × 3 + 3 + 3.
        QCOMPARE(lines.size() - 1, 9 * 5 + 12 + 36 + 5 * 3 + 6);
    }

    // A run that cannot be exported fails before anything is written: the old file stays.
    void failedCsvExportLeavesOldFile() {
        const QString file = path(QStringLiteral("kept.csv"));
        exportSeriesCsv({runWithTest()}, file);
        const QByteArray before = readAll(file);
        TrainingRunRecord bad = runWithTest();
        bad.gcnParityTest.predictedPerAtom.pop_back();
        try {
            exportSeriesCsv({runWithoutTest(), bad}, file);
            QFAIL("mismatched parity points were exported");
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(file), e.what());
        }
        QCOMPARE(readAll(file), before);
        QVERIFY_THROWS_EXCEPTION(
            std::runtime_error,
            exportSeriesCsv({runWithTest()}, path(QStringLiteral("no/such/dir/x.csv"))));
    }

    // --- config JSON ----------------------------------------------------------------------

    void configJsonRoundTrip() {
        const TrainingRunRecord run = runWithTest();
        const QString file = path(QStringLiteral("config.json"));
        exportConfigJson(run, file);
        const QByteArray text = readAll(file);
        QVERIFY(text.startsWith("{\n  \"")); // 2-space indent
        const nlohmann::json document = readJsonFile(file.toStdString());
        const ExperimentConfig back = document.get<ExperimentConfig>();
        QCOMPARE(jsonText(back), jsonText(run.config));
        QCOMPARE(back.graph.options.cutoff, 3.25);
        QCOMPARE(back.training.seed, std::uint64_t(11));
        QCOMPARE(back.model.graphLayers.size(), std::size_t(2));
        QCOMPARE(int(back.model.graphLayers[1].activation), int(Activation::Silu));
        QCOMPARE(int(back.optimiser.loss), int(LossKind::EnergyPerAtom));
    }

    // --- charts ---------------------------------------------------------------------------

    void chartPngHasRequestedSizeAndContent() {
        QWidget window;
        window.resize(420, 320);
        QChartView* view = makeChart(&window);
        view->setGeometry(10, 10, 400, 300);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));

        const QString big = path(QStringLiteral("chart-big.png"));
        exportWidgetPng(view, big, 900, 600);
        QCOMPARE(view->size(), QSize(400, 300)); // the view on screen is left as it was
        QImage image(big);
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), QSize(900, 600));
        QVERIFY(!image.hasAlphaChannel());
        QSet<QRgb> colours;
        int dark = 0;
        for (int y = 0; y < image.height(); y += 3)
            for (int x = 0; x < image.width(); x += 3) {
                const QRgb p = image.pixel(x, y);
                QCOMPARE(qAlpha(p), 255);
                colours.insert(p);
                dark += qGray(p) < 128 ? 1 : 0;
            }
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));
        QVERIFY(dark > 100); // text, axes and lines, not just a background

        // Size as shown.
        const QString shown = path(QStringLiteral("chart.png"));
        exportWidgetPng(view, shown);
        QCOMPARE(QImage(shown).size(), QSize(400, 300));
    }

    // A chart on a tab that is not shown (the Training tab's other charts) still exports.
    void hiddenChartPng() {
        QTabWidget tabs;
        tabs.addTab(new QLabel(QStringLiteral("first")), QStringLiteral("first"));
        QChartView* view = makeChart();
        tabs.addTab(view, QStringLiteral("chart"));
        tabs.resize(400, 300);
        tabs.show();
        QVERIFY(QTest::qWaitForWindowExposed(&tabs));
        QVERIFY(!view->isVisible());
        const QString file = path(QStringLiteral("hidden.png"));
        exportWidgetPng(view, file, 640, 360);
        const QImage image(file);
        QCOMPARE(image.size(), QSize(640, 360));
        int dark = 0;
        for (int y = 0; y < image.height(); y += 2)
            for (int x = 0; x < image.width(); x += 2)
                dark += qGray(image.pixel(x, y)) < 128 ? 1 : 0;
        QVERIFY2(dark > 50, qPrintable(QString::number(dark)));
        QVERIFY(!view->isVisible());
    }

    void transparentBecomesWhite() {
        QWidget parent;
        parent.resize(200, 200);
        auto* child = new QWidget(&parent); // paints nothing: fully transparent
        child->setGeometry(0, 0, 50, 40);
        const QString file = path(QStringLiteral("empty.png"));
        exportWidgetPng(child, file);
        const QImage image(file);
        QCOMPARE(image.size(), QSize(50, 40));
        for (int y = 0; y < image.height(); ++y)
            for (int x = 0; x < image.width(); ++x)
                QCOMPARE(image.pixel(x, y), qRgb(255, 255, 255));
    }

    void chartSvgIsValidXmlWithPaths() {
        std::unique_ptr<QChartView> view(makeChart());
        view->resize(500, 350);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view.get()));
        const QString file = path(QStringLiteral("chart.svg"));
        exportWidgetSvg(view.get(), file, QStringLiteral("Loss per epoch"));
        const QByteArray text = readAll(file);
        QVERIFY(text.contains("<svg"));
        QVERIFY(text.contains("Loss per epoch")); // the document's <title>
        QVERIFY(!text.contains("<image"));        // vector, not a picture of the chart
        QXmlStreamReader xml(text);
        QString root;
        QStringList texts;
        int shapes = 0; // elements with path data: lines, axes, grid, frames
        while (!xml.atEnd()) {
            if (xml.readNext() != QXmlStreamReader::StartElement)
                continue;
            if (root.isEmpty())
                root = xml.name().toString();
            const auto attributes = xml.attributes();
            if ((xml.name() == QLatin1String("path") && !attributes.value("d").isEmpty()) ||
                ((xml.name() == QLatin1String("polyline") ||
                  xml.name() == QLatin1String("polygon")) &&
                 !attributes.value("points").isEmpty()))
                ++shapes;
            if (xml.name() == QLatin1String("text"))
                texts << xml.readElementText().trimmed();
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QCOMPARE(root, QStringLiteral("svg"));
        QVERIFY2(shapes >= 2, qPrintable(QString::number(shapes)));
        // Text stays text: the chart title and the axis titles.
        QVERIFY2(texts.contains(QStringLiteral("Loss")), qPrintable(texts.join(',')));
        QVERIFY(texts.contains(QStringLiteral("epoch")));
        QVERIFY_THROWS_EXCEPTION(std::runtime_error, exportWidgetSvg(nullptr, file));
    }

    // --- sessions -------------------------------------------------------------------------

    void sessionRoundTrip() {
        Session session;
        session.files = {QStringLiteral("/data/a.xyz"), QStringLiteral("/data/b c.extxyz")};
        session.currentStructure = 7;
        session.cutoff = 3.675;
        session.settings.preset = "study-2023";
        session.settings.data.trainSize = 50;
        session.settings.data.testSize = 25;
        session.settings.graph.options.cutoff = 0.5;
        session.settings.training.batchSize = 4;
        session.runs = {runWithTest(), runWithoutTest()};
        // A diverged run's infinities survive too, and an outcome history that is not the
        // run's own is kept separately.
        TrainingRunRecord diverged = runWithTest();
        diverged.name = QStringLiteral("diverged");
        diverged.history.back().trainLoss = std::numeric_limits<double>::infinity();
        diverged.history.back().testLoss = -std::numeric_limits<double>::infinity();
        diverged.outcome.stop = TrainingStop::Diverged;
        diverged.outcome.history.pop_back();
        session.runs.push_back(diverged);

        const QString file = path(QStringLiteral("session.json"));
        saveSession(session, file);
        const nlohmann::json document = readJsonFile(file.toStdString());
        QCOMPARE(document.at("format").get<std::string>(), std::string("graphace-session"));
        QCOMPARE(document.at("version").get<int>(), 1);
        // JSON has no NaN: the missing test metrics are written as null.
        QVERIFY(document.at("runs").at(1).at("history").at(0).at("test_loss").is_null());

        const Session back = loadSession(file);
        QCOMPARE(back.files, session.files);
        QCOMPARE(back.currentStructure, 7);
        QCOMPARE(back.cutoff, 3.675);
        QCOMPARE(jsonText(back.settings), jsonText(session.settings));
        QCOMPARE(back.runs.size(), session.runs.size());
        for (std::size_t i = 0; i < back.runs.size(); ++i) {
            compareRuns(back.runs[i], session.runs[i]);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("run %1 differs").arg(i)));
        }
        QVERIFY(std::isnan(back.runs[1].history[0].testLoss));
        QVERIFY(std::isnan(back.runs[1].gcnTest.energyRmseMevPerAtom));
        QVERIFY(std::isinf(back.runs[2].history.back().trainLoss));
        // Restored runs carry no weights: export refuses with a clear reason.
        QVERIFY(!back.runs[0].model && !back.runs[0].prepared);
        try {
            exportModel(back.runs[0], path(QStringLiteral("restored-model")));
            QFAIL("a restored run was exported");
        } catch (const std::runtime_error& e) {
            QVERIFY2(
                QString::fromUtf8(e.what()).contains(QStringLiteral("restored from a session")),
                e.what());
        }
        QVERIFY(!QDir(path(QStringLiteral("restored-model"))).exists(QStringLiteral("model.pt")));
    }

    void badSessionFiles_data() {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<bool>("parseError");
        QTest::addColumn<int>("line");         // for parse errors
        QTest::addColumn<QString>("mentions"); // for the other errors
        QTest::addRow("invalid JSON") << QByteArray("{\n  \"format\": \"graphace-session\",\n"
                                                    "  \"version\": 1,\n  files: []\n}\n")
                                      << true << 4 << QString();
        QTest::addRow("truncated") << QByteArray("{\n  \"format\": \"graphace-session\",\n"
                                                 "  \"version\": 1,\n  \"files\": [\n")
                                   << true << 4 << QString(); // the last line, as --config says
        QTest::addRow("empty") << QByteArray() << true << 1 << QString();
        // Found by fuzz_session: a number beyond double range escaped as nlohmann's out_of_range.
        QTest::addRow("number out of range")
            << QByteArray("{\n  \"format\": \"graphace-session\",\n  \"cutoff\": 1e400\n}\n")
            << true << 3 << QString();
        QTest::addRow("not an object")
            << QByteArray("[1, 2, 3]") << false << 0 << QStringLiteral("format");
        QTest::addRow("wrong format") << QByteArray(R"({"format": "graphace-model", "version": 1})")
                                      << false << 0 << QStringLiteral("graphace-session");
        QTest::addRow("wrong version")
            << QByteArray(R"({"format": "graphace-session", "version": 2})") << false << 0
            << QStringLiteral("version 2");
        QTest::addRow("missing field")
            << QByteArray(R"({"format": "graphace-session", "version": 1, "files": [],
                             "current_structure": 0, "settings": {}, "runs": []})")
            << false << 0 << QStringLiteral("cutoff: missing");
        QTest::addRow("wrong type")
            << QByteArray(R"({"format": "graphace-session", "version": 1, "files": [3],
                             "current_structure": 0, "cutoff": 4, "settings": {}, "runs": []})")
            << false << 0 << QStringLiteral("files[0]");
        QTest::addRow("bad config")
            << QByteArray(R"({"format": "graphace-session", "version": 1, "files": [],
                             "current_structure": 0, "cutoff": 4,
                             "settings": {"modle": {}}, "runs": []})")
            << false << 0 << QStringLiteral("settings");
    }
    void badSessionFiles() {
        QFETCH(QByteArray, text);
        QFETCH(bool, parseError);
        QFETCH(int, line);
        QFETCH(QString, mentions);
        const QString file = path(QStringLiteral("bad-session.json"));
        {
            QFile out(file);
            QVERIFY(out.open(QIODevice::WriteOnly | QIODevice::Truncate));
            out.write(text);
        }
        try {
            loadSession(file);
            QFAIL("a bad session file was accepted");
        } catch (const ParseError& e) {
            QVERIFY2(parseError, e.what());
            QCOMPARE(QString::fromStdString(e.file()), file);
            QCOMPARE(int(e.line()), line);
        } catch (const std::runtime_error& e) {
            QVERIFY2(!parseError, e.what());
            const QString what = QString::fromUtf8(e.what());
            QVERIFY2(what.contains(file), e.what());
            QVERIFY2(what.contains(mentions), e.what());
        }
    }

    void missingSessionFile() {
        const QString file = path(QStringLiteral("does-not-exist.json"));
        try {
            loadSession(file);
            QFAIL("a missing file was accepted");
        } catch (const ParseError& e) {
            QFAIL(e.what());
        } catch (const std::runtime_error& e) {
            QVERIFY2(QString::fromUtf8(e.what()).contains(file), e.what());
        }
    }

    // --- model export with a real (tiny) trained run ----------------------------------------

    void exportTrainedModel() {
        const TrainingRunRecord run = trainTinyRun();
        const auto& prepared = run.prepared;
        const auto& model = run.model;
        QCOMPARE(run.outcome.epochsRun, 3);

        const QString dir = path(QStringLiteral("model-out/nested"));
        exportModel(run, dir);
        for (const char* name : {"config.json", "history.csv", "metrics.json", "model.pt",
                                 "linear_model.json", "linear_model.yace"})
            QVERIFY2(QFileInfo(QDir(dir).filePath(QLatin1String(name))).size() > 0, name);

        // history.csv: one row per epoch.
        const std::vector<EpochRecord> history =
            readHistoryCsv(QDir(dir).filePath(QStringLiteral("history.csv")).toStdString());
        QCOMPARE(history.size(), run.outcome.history.size());
        for (std::size_t i = 0; i < history.size(); ++i) {
            QCOMPARE(history[i].epoch, run.outcome.history[i].epoch);
            QVERIFY(std::abs(history[i].trainLoss - run.outcome.history[i].trainLoss) <=
                    1e-9 * std::abs(run.outcome.history[i].trainLoss));
        }
        // metrics.json and config.json describe this run.
        const nlohmann::json metricsJson =
            readJsonFile(QDir(dir).filePath(QStringLiteral("metrics.json")).toStdString());
        QCOMPARE(metricsJson.at("epochs").get<int>(), 3);
        QVERIFY(metricsJson.contains("linear"));
        nlohmann::json configJson =
            readJsonFile(QDir(dir).filePath(QStringLiteral("config.json")).toStdString());
        configJson.erase("split");
        QCOMPARE(jsonText(configJson.get<ExperimentConfig>()), jsonText(prepared->config));

        // model.pt loads and predicts what the trained model predicts.
        const GcnModel loaded =
            GcnModel::load(QDir(dir).filePath(QStringLiteral("model.pt")).toStdString());
        for (const GraphDataset* graphs : {&prepared->trainGraphs, &prepared->testGraphs}) {
            const std::vector<double> expected = model->predictEnergies(*graphs);
            const std::vector<double> got = loaded.predictEnergies(*graphs);
            QCOMPARE(got.size(), expected.size());
            QVERIFY(!got.empty());
            for (std::size_t i = 0; i < got.size(); ++i)
                QCOMPARE(got[i], expected[i]);
        }
    }

    // --- Killed writers ------------------------------------------------------------------

    // The window's exports (session, CSV, PNG, SVG, config, model folder) written again and again
    // by another process that is killed (SIGKILL) at random moments: every file there must
    // then read whole, as one version or the other, never cut short.
    void killedExportWritersLeaveCompleteFiles() {
        const QString dir = path(QStringLiteral("killed-exports"));
        QVERIFY(QDir().mkpath(dir));
        const ExportFiles files(dir);
        // The writers train the same tiny model (seeded, one thread): their model.pt predicts this.
        const TrainingRunRecord tiny = trainTinyRun();
        const std::vector<double> expected =
            tiny.model->predictEnergies(tiny.prepared->trainGraphs);
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("GRAPHACE_EXPORT_WRITER_DIR"), dir);
        auto startWriter = [&](QProcess& writer) {
            writer.setProcessEnvironment(environment);
            writer.setProcessChannelMode(QProcess::ForwardedErrorChannel);
            writer.start(QCoreApplication::applicationFilePath(), {});
            return writer.waitForStarted();
        };
        // The line the writer prints next ("ready", "round N"), or empty if it printed none.
        auto nextLine = [](QProcess& writer) {
            while (!writer.canReadLine())
                if (!writer.waitForReadyRead(120000))
                    return QByteArray();
            return writer.readLine().trimmed();
        };

        // A first writer runs two whole rounds: both versions exist, and their duration sets the
        // range of the kill times.
        qint64 twoRounds = 0;
        {
            QProcess writer;
            QVERIFY(startWriter(writer));
            QCOMPARE(nextLine(writer), QByteArray("ready"));
            // From the start: a new process's first round (fonts, first rendering) is the slow
            // one, and the kills below must also land after it.
            QElapsedTimer clock;
            clock.start();
            QCOMPARE(nextLine(writer), QByteArray("round 0"));
            QCOMPARE(nextLine(writer), QByteArray("round 1"));
            twoRounds = std::max<qint64>(clock.elapsed(), 10);
            writer.kill();
            writer.waitForFinished();
        }

        std::mt19937 random(11);
        QSet<int> pngWidths, sessionRuns;
        // Stratified: kill k falls at a random moment of the k-th of 20 equal slices of three
        // times the first writer's two rounds, so that early and late moments are both tried.
        constexpr int kills = 20;
        for (int kill = 0; kill < kills; ++kill) {
            QProcess writer;
            QVERIFY(startWriter(writer));
            QCOMPARE(nextLine(writer), QByteArray("ready"));
            const double slice = 3.0 * double(twoRounds) / kills;
            const int delay = static_cast<int>(
                slice * (kill + std::uniform_real_distribution<double>(0, 1)(random)));
            QTest::qWait(delay);
            writer.kill(); // SIGKILL, wherever it is
            QVERIFY(writer.waitForFinished());

            const QString when = QStringLiteral("killed %1 ms into its writes").arg(delay);
            try {
                // Session: loads, with one run or two.
                const Session session = loadSession(files.session());
                QVERIFY2(session.runs.size() == 1 || session.runs.size() == 2, qPrintable(when));
                sessionRuns.insert(int(session.runs.size()));
                // CSV: every line read, for one run or two.
                std::set<QString> csvRuns;
                for (const auto& entry : readCsv(files.csv()))
                    csvRuns.insert(entry.first.first);
                QVERIFY2(csvRuns.size() == 1 || csvRuns.size() == 2, qPrintable(when));
                // PNG: decodes whole at one of the two sizes.
                const QImage image(files.png());
                QVERIFY2(image.size() == QSize(800, 500) || image.size() == QSize(960, 500),
                         qPrintable(when));
                pngWidths.insert(image.width());
                // SVG: well-formed XML to its end.
                QFile svgFile(files.svg());
                QVERIFY(svgFile.open(QIODevice::ReadOnly));
                QXmlStreamReader svg(&svgFile);
                while (!svg.atEnd())
                    svg.readNext();
                QVERIFY2(!svg.hasError(),
                         qPrintable(when + QStringLiteral(": ") + svg.errorString()));
                // Config JSON and the model folder: each file reads.
                const ExperimentConfig config =
                    readJsonFile(files.config().toStdString()).get<ExperimentConfig>();
                QVERIFY2(config.training.seed == 11 ||
                             config.optimiser.loss == LossKind::TotalEnergy,
                         qPrintable(when));
                const QDir model(files.model());
                const GcnModel loaded =
                    GcnModel::load(model.filePath(QStringLiteral("model.pt")).toStdString());
                const std::vector<double> predicted =
                    loaded.predictEnergies(tiny.prepared->trainGraphs);
                QVERIFY2(!predicted.empty() && predicted == expected, qPrintable(when));
                QCOMPARE(readHistoryCsv(model.filePath(QStringLiteral("history.csv")).toStdString())
                             .size(),
                         std::size_t(3));
                QCOMPARE(readJsonFile(model.filePath(QStringLiteral("metrics.json")).toStdString())
                             .at("epochs")
                             .get<int>(),
                         3);
                readJsonFile(model.filePath(QStringLiteral("config.json")).toStdString())
                    .get<ExperimentConfig>();
            } catch (const std::exception& e) {
                QFAIL(qPrintable(when + QStringLiteral(": ") + QString::fromUtf8(e.what())));
            }
        }
        // The kills landed at different moments: both versions were found afterwards.
        QVERIFY2(pngWidths.size() == 2 && sessionRuns.size() == 2,
                 "every kill found the same version: the writers were not killed mid-way");
    }
};

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    const QString writerDir = qEnvironmentVariable("GRAPHACE_EXPORT_WRITER_DIR");
    if (!writerDir.isEmpty())
        writeExportsUntilKilled(writerDir);
    TestGuiExport test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}
#include "test_gui_export.moc"
