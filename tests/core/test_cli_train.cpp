// Drives `graphace train` and `graphace predict` end to end: the four files of a run, their keys
// and rows, predict reproducing metrics.json, Ctrl-C, and the errors a person meets first.

#include "testing.h"

#include "graphace/dataset_split.h"
#include "graphace/extxyz.h"
#include "graphace/gcn_trainer.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/training_outputs.h"

#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <signal.h>

#include <cmath>
#include <nlohmann/json.hpp>

using namespace graphace;

namespace {

using graphace::testing::CliResult;
using graphace::testing::runCli;

nlohmann::json readJson(const QString& path) {
    return readJsonFile(path.toStdString());
}

const char* const kMetricKeys[] = {"configurations",          "energy_rmse_mev_per_atom",
                                   "energy_mae_mev_per_atom", "energy_rmse_ev",
                                   "energy_mae_ev",           "energy_r2",
                                   "force_rmse_ev_per_a",     "force_mae_ev_per_a"};

void checkMetricKeys(const nlohmann::json& m, const char* where) {
    QVERIFY2(m.is_object(), where);
    for (const char* key : kMetricKeys)
        QVERIFY2(m.contains(key), qPrintable(QStringLiteral("%1: no %2").arg(where, key)));
}

} // namespace

class TestCliTrain : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_sample; // 12 configurations of the built-in sample
    QString m_run;    // the study-preset run of trainStudyPreset

    QString path(const QString& name) const { return m_dir.filePath(name); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_sample = path("sample.xyz");
        const CliResult r =
            runCli({"sample", "--out", m_sample, "--configurations", "12", "--seed", "5"});
        QCOMPARE(r.exitCode, 0);
    }

    void helpListsTheCommands() {
        for (const char* command : {"train", "predict"}) {
            const CliResult help = runCli({command, "--help"});
            QCOMPARE(help.exitCode, 0);
            QVERIFY2(help.out.contains("--out") || help.out.contains("--model"), command);
        }
    }

    void trainStudyPreset() {
        m_run = path("study");
        const CliResult r =
            runCli({"train", "--train", m_sample, "--split", "6:3", "--preset", "study-2023",
                    "--set", "optimiser.phases.0.epochs=3", "--set", "optimiser.phases.1.epochs=2",
                    "--threads", "1", "--out", m_run});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        // The study's graph is trivial: said clearly.
        QVERIFY2(r.err.contains("warning: The graph has only self-loops at 0.50 Å"),
                 r.err.constData());
        // The final comparison table.
        QVERIFY2(r.out.contains("GCN") && r.out.contains("linear") && r.out.contains("test"),
                 r.out.constData());

        // config.json: the config as run, plus the split.
        const nlohmann::json config = readJson(path("study/config.json"));
        QCOMPARE(config.at("preset").get<std::string>(), std::string("study-2023"));
        QCOMPARE(config.at("graph").at("cutoff").get<double>(), 0.5);
        QCOMPARE(config.at("optimiser").at("phases").at(0).at("epochs").get<int>(), 3);
        QCOMPARE(config.at("optimiser").at("phases").at(1).at("epochs").get<int>(), 2);
        QCOMPARE(config.at("optimiser").at("phases").at(1).at("learning_rate").get<double>(), 1e-5);
        QCOMPARE(config.at("data").at("train").get<std::string>(), m_sample.toStdString());
        QCOMPARE(config.at("data").at("train_size").get<int>(), 6);
        QCOMPARE(config.at("ace").at("species"), nlohmann::json::parse(R"(["O", "Hf"])"));
        const DatasetSplit split = splitIndices(12, 6, 3, 2023); // training.seed of the preset
        QCOMPARE(config.at("split").at("train").get<std::vector<std::size_t>>(), split.train);
        QCOMPARE(config.at("split").at("test").get<std::vector<std::size_t>>(), split.test);
        nlohmann::json bare = config;
        bare.erase("split");
        validate(bare.get<ExperimentConfig>()); // the record parses as a config

        // history.csv: a header and one row per epoch, phases as scheduled.
        const std::vector<EpochRecord> history =
            readHistoryCsv(path("study/history.csv").toStdString());
        QCOMPARE(history.size(), std::size_t(5));
        for (int k = 0; k < 5; ++k) {
            QCOMPARE(history[k].epoch, k + 1);
            QCOMPARE(history[k].phase, k < 3 ? 0 : 1);
            QVERIFY(std::isfinite(history[k].trainLoss));
            QVERIFY(std::isfinite(history[k].testLoss)); // there is a test set
        }
        QCOMPARE(history[0].learningRate, 0.1);
        QCOMPARE(history[4].learningRate, 1e-5);

        // metrics.json.
        const nlohmann::json metrics = readJson(path("study/metrics.json"));
        checkMetricKeys(metrics.at("train"), "train");
        checkMetricKeys(metrics.at("test"), "test");
        checkMetricKeys(metrics.at("linear").at("train"), "linear.train");
        checkMetricKeys(metrics.at("linear").at("test"), "linear.test");
        QCOMPARE(metrics.at("train").at("configurations").get<int>(), 6);
        QCOMPARE(metrics.at("test").at("configurations").get<int>(), 3);
        QCOMPARE(metrics.at("stop").get<std::string>(), std::string("completed"));
        QCOMPARE(metrics.at("epochs").get<int>(), 5);
        QVERIFY(metrics.at("best_epoch").get<int>() >= 1 &&
                metrics.at("best_epoch").get<int>() <= 5);
        // GCN(26→26) → GCN(26→26) → Dense(26→1): two (W, b) of 26×26 + 26 and one of 26 + 1.
        QCOMPARE(metrics.at("parameters").get<int>(), 2 * (26 * 26 + 26) + 26 + 1);
        QVERIFY(metrics.at("graph").at("trivial").get<bool>());
        QCOMPARE(metrics.at("graph").at("edges").get<int>(), 0);
        QVERIFY(metrics.at("graph").at("warning").get<std::string>().find("self-loops") !=
                std::string::npos);
        QVERIFY(QFileInfo(path("study/model.pt")).size() > 0);
        // No temporary files left behind.
        QCOMPARE(QDir(m_run).entryList(QDir::Files).size(), 6);
        // The linear baseline as a model file (graphace predict/md) and a .yace (LAMMPS), the
        // latter what export-yace makes of the former.
        const LinearAceModel baseline =
            readLinearAceModel(path("study/linear_model.json").toStdString());
        QCOMPARE(static_cast<int>(baseline.coefficients.size()),
                 metrics.at("linear").at("basis_size").get<int>());
        const CliResult yace =
            runCli({"export-yace", path("study/linear_model.json"), path("again.yace")});
        QVERIFY2(yace.exitCode == 0, yace.err.constData());
        QFile exported(path("study/linear_model.yace")), again(path("again.yace"));
        QVERIFY(exported.open(QIODevice::ReadOnly) && again.open(QIODevice::ReadOnly));
        const QByteArray text = exported.readAll();
        QVERIFY(text.contains("radbasename: ACE.jl.base"));
        QCOMPARE(again.readAll(), text);

        // The linear baseline is fit-linear's fit with the same settings (the run's config.json:
        // the study's ACE(3,3) and plain least squares on energies) on the same split: the same
        // --split gives the same test set in both commands (training.seed, no --seed needed).
        const CliResult linear = runCli({"fit-linear", "--train", m_sample, "--split", "6:3",
                                         "--config", path("study/config.json"), "--json", "-"});
        QCOMPARE(linear.exitCode, 0);
        const nlohmann::json fit = nlohmann::json::parse(linear.out.toStdString());
        // Its config records what was fitted: the file and the split.
        const nlohmann::json& data = fit.at("config").at("data");
        QCOMPARE(QString::fromStdString(data.at("train").get<std::string>()),
                 QFileInfo(m_sample).absoluteFilePath());
        QCOMPARE(data.at("train_size").get<int>(), 6);
        QCOMPARE(data.at("test_size").get<int>(), 3);
        QCOMPARE(fit.at("config").at("training").at("seed").get<std::uint64_t>(), 2023u);
        for (const char* set : {"train", "test"}) {
            const double expected = fit.at(set).at("energy_rmse_mev_per_atom").get<double>();
            const double got =
                metrics.at("linear").at(set).at("energy_rmse_mev_per_atom").get<double>();
            QVERIFY2(
                std::abs(got - expected) <= 1e-6 * std::abs(expected) + 1e-9,
                qPrintable(
                    QStringLiteral("%1: %2 vs fit-linear %3").arg(set).arg(got).arg(expected)));
            // Per config_type (the sample has one): the same numbers again.
            const nlohmann::json& groups = fit.at("per_group").at(set);
            QCOMPARE(groups.size(), std::size_t(1));
            QCOMPARE(groups[0].at("group").get<std::string>(), std::string("sample"));
            QCOMPARE(groups[0].at("energy_rmse_mev_per_atom").get<double>(), expected);
        }
    }

    void sweepTrainsOncePerValue() {
        // A cutoff sweep (issue 13): one run per value in OUT/KEY=VALUE/, and a summary whose
        // numbers are those runs' own metrics.
        const QString dir = path("sweep");
        const CliResult r =
            runCli({"train", "--train", m_sample, "--split", "6:3", "--preset", "study-2023",
                    "--set", "optimiser.phases.0.epochs=1", "--set", "optimiser.phases.1.epochs=1",
                    "--threads", "1", "--sweep", "graph.cutoff=2.5:3.5:1", "--out", dir});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.out.contains("sweep of graph.cutoff"), r.out.constData());
        const nlohmann::json sweep = readJson(dir + "/sweep.json");
        QCOMPARE(sweep.at("key").get<std::string>(), std::string("graph.cutoff"));
        const nlohmann::json& runs = sweep.at("runs");
        QCOMPARE(runs.size(), std::size_t(2));
        const double cutoffs[] = {2.5, 3.5};
        for (std::size_t k = 0; k < 2; ++k) {
            const nlohmann::json& row = runs[k];
            const QString folder = dir + "/" + QString::fromStdString(row.at("folder"));
            const nlohmann::json metrics = readJson(folder + "/metrics.json");
            QCOMPARE(row.at("cutoff").get<double>(), cutoffs[k]);
            QCOMPARE(metrics.at("graph").at("cutoff").get<double>(), cutoffs[k]);
            QCOMPARE(row.at("mean_degree").get<double>(),
                     metrics.at("graph").at("mean_degree").get<double>());
            QCOMPARE(row.at("energy_mae_mev_per_atom").get<double>(),
                     metrics.at("test").at("energy_mae_mev_per_atom").get<double>());
            QCOMPARE(row.at("linear_energy_mae_mev_per_atom").get<double>(),
                     metrics.at("linear").at("test").at("energy_mae_mev_per_atom").get<double>());
            QVERIFY(QFileInfo(folder + "/model.pt").size() > 0);
        }
        // A longer cutoff has more neighbours.
        QVERIFY(runs[1].at("mean_degree").get<double>() > runs[0].at("mean_degree").get<double>());
        // The CSV: a header and one line per value.
        QFile csv(dir + "/sweep.csv");
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> lines = csv.readAll().trimmed().split('\n');
        QCOMPARE(lines.size(), 3);
        QVERIFY(lines[0].startsWith("value,scored,cutoff,mean_degree,"));
        QVERIFY(lines[2].startsWith("3.5,test,3.5,"));

        // Bad specifications fail before any training, naming what was expected.
        const QStringList base = {"train", "--train", m_sample,        "--split",
                                  "6:3",   "--out",   path("badsweep")};
        CliResult bad = runCli(base + QStringList{"--sweep", "graph.cutoff=4:2:0.5"});
        QVERIFY2(bad.exitCode != 0 && bad.err.contains("LAST >= FIRST"), bad.err.constData());
        bad = runCli(base + QStringList{"--sweep", "graph.cutoff"});
        QVERIFY2(bad.exitCode != 0 && bad.err.contains("KEY=FIRST:LAST:STEP"), bad.err.constData());
        bad = runCli(base + QStringList{"--sweep", "graph.cutoff=2,-1"});
        QVERIFY2(bad.exitCode != 0 && bad.err.contains("graph.cutoff=-1"), bad.err.constData());
        QVERIFY(!QFileInfo::exists(path("badsweep")));
    }

    void predictReproducesMetrics() {
        QVERIFY(!m_run.isEmpty());
        const nlohmann::json metrics = readJson(m_run + "/metrics.json");
        const nlohmann::json config = readJson(m_run + "/config.json");
        for (const char* set : {"train", "test"}) {
            const QString out = path(QStringLiteral("predict-%1.json").arg(set));
            const CliResult r =
                runCli({"predict", "--model", m_run, m_sample, "--subset", set, "--json", out});
            QVERIFY2(r.exitCode == 0, r.err.constData());
            QVERIFY(r.out.contains("E RMSE meV/atom")); // the table
            const nlohmann::json p = readJson(out);
            // Exactly the numbers metrics.json holds (both written with round-trip precision).
            for (const char* key : kMetricKeys)
                QVERIFY2(
                    p.at("metrics").at(key) == metrics.at(set).at(key),
                    qPrintable(QStringLiteral("%1.%2: %3 vs %4")
                                   .arg(set, key)
                                   .arg(QString::fromStdString(p.at("metrics").at(key).dump()),
                                        QString::fromStdString(metrics.at(set).at(key).dump()))));
            const auto& energies = p.at("energies");
            const auto indices = config.at("split").at(set).get<std::vector<std::size_t>>();
            QCOMPARE(energies.size(), indices.size());
            for (std::size_t k = 0; k < indices.size(); ++k) {
                QCOMPARE(energies[k].at("index").get<std::size_t>(), indices[k]);
                QCOMPARE(energies[k].at("atoms").get<int>(), 96);
                QVERIFY(std::isfinite(energies[k].at("predicted").get<double>()));
                QVERIFY(std::isfinite(energies[k].at("reference").get<double>()));
            }
        }
        // The whole file, JSON on stdout.
        const CliResult all = runCli({"predict", "--model", m_run, m_sample, "--json", "-"});
        QVERIFY2(all.exitCode == 0, all.err.constData());
        const nlohmann::json p = nlohmann::json::parse(all.out.toStdString());
        QCOMPARE(p.at("energies").size(), std::size_t(12));
        QCOMPARE(p.at("metrics").at("configurations").get<int>(), 12);
        QCOMPARE(p.at("energies").at(11).at("index").get<int>(), 11);
    }

    void predictErrors() {
        QVERIFY(!m_run.isEmpty());
        // A file other than the one trained on: the split does not fit it.
        const QString small = path("small.xyz");
        QCOMPARE(runCli({"sample", "--out", small, "--configurations", "2"}).exitCode, 0);
        CliResult r = runCli({"predict", "--model", m_run, small, "--subset", "train"});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("is this the file"), r.err.constData());
        // A directory without a model.
        QDir().mkpath(path("empty-run"));
        r = runCli({"predict", "--model", path("empty-run"), m_sample});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("config.json"), r.err.constData());

        // A model folder cut short (copied while being written, a full disk): every cut of
        // model.pt and config.json is a clear error naming the file, never a crash.
        const QString cut = path("cut-run");
        QDir().mkpath(cut);
        for (const char* name : {"config.json", "metrics.json", "history.csv", "model.pt"})
            QVERIFY(QFile::copy(m_run + "/" + name, cut + "/" + name));
        auto truncate = [&](const char* name, qint64 size) {
            QFile original(m_run + "/" + name), copy(cut + "/" + name);
            QVERIFY(original.open(QIODevice::ReadOnly) && copy.open(QIODevice::WriteOnly));
            copy.write(original.read(size));
        };
        const qint64 modelSize = QFileInfo(m_run + "/model.pt").size();
        for (int k = 0; k < 10; ++k) {
            const qint64 size = modelSize * k / 10 + (k % 3) * 7;
            truncate("model.pt", size);
            r = runCli({"predict", "--model", cut, m_sample});
            QVERIFY2(r.exitCode == 1 && r.err.contains("model.pt") &&
                         r.err.contains("not a GraphACE GCN model"),
                     qPrintable(QStringLiteral("model.pt cut at %1 of %2: exit %3, %4")
                                    .arg(size)
                                    .arg(modelSize)
                                    .arg(r.exitCode)
                                    .arg(QString::fromUtf8(r.err))));
        }
        truncate("model.pt", modelSize);
        const qint64 configSize = QFileInfo(m_run + "/config.json").size();
        for (qint64 size : {qint64(0), configSize / 3, configSize - 2}) {
            truncate("config.json", size);
            r = runCli({"predict", "--model", cut, m_sample});
            QVERIFY2(r.exitCode == 1 && r.err.contains("config.json"), r.err.constData());
        }
    }

    void recommendedPresetChoosesTheCutoff() {
        const QString dir = path("recommended");
        const CliResult r = runCli({"train", "--train", m_sample, "--split", "8:4", "--set",
                                    "optimiser.phases.0.epochs=2", "--set",
                                    "model.graph_layers=[{\"width\":8,\"activation\":\"silu\"}]",
                                    "--threads", "1", "--out", dir});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(!r.err.contains("warning:"), r.err.constData()); // a real graph: no warning
        const nlohmann::json config = readJson(dir + "/config.json");
        QCOMPARE(config.at("preset").get<std::string>(), std::string("recommended"));
        QCOMPARE(config.at("graph").at("cutoff").get<std::string>(), std::string("auto"));
        // Fluorite HfO2: the first shell ends between the bonds (2.2–2.5 Å) and Hf–Hf (≥ 3.38 Å).
        const double cutoff = config.at("graph").at("resolved_cutoff").get<double>();
        QVERIFY2(cutoff > 2.4 && cutoff < 3.38, qPrintable(QString::number(cutoff)));
        const nlohmann::json metrics = readJson(dir + "/metrics.json");
        QVERIFY(!metrics.at("graph").at("trivial").get<bool>());
        QCOMPARE(metrics.at("graph").at("cutoff").get<double>(), cutoff);
        // One config_type in the sample: its group's metrics are the whole set's.
        const nlohmann::json& groups = metrics.at("per_group");
        QCOMPARE(groups.at("key").get<std::string>(), std::string("config_type"));
        for (const char* model : {"gcn", "linear"}) {
            const nlohmann::json& train = groups.at(model).at("train");
            QCOMPARE(train.size(), std::size_t(1));
            QCOMPARE(train[0].at("group").get<std::string>(), std::string("sample"));
            const nlohmann::json& whole = model == std::string("gcn")
                                              ? metrics.at("train")
                                              : metrics.at("linear").at("train");
            QCOMPARE(train[0].at("energy_mae_mev_per_atom").get<double>(),
                     whole.at("energy_mae_mev_per_atom").get<double>());
            QCOMPARE(train[0].at("force_rmse_ev_per_a").is_null(),
                     whole.at("force_rmse_ev_per_a").is_null());
        }
        QCOMPARE(readHistoryCsv((dir + "/history.csv").toStdString()).size(), std::size_t(2));
        // Predicting the training data with the recorded cutoff reproduces metrics.json.
        const CliResult p =
            runCli({"predict", "--model", dir, m_sample, "--subset", "train", "--json", "-"});
        QVERIFY2(p.exitCode == 0, p.err.constData());
        // The energy metrics exactly; predict adds force metrics (the smooth-cosine model has
        // forces, the energy-only run computed no descriptor derivatives for metrics.json).
        const nlohmann::json predicted = nlohmann::json::parse(p.out.toStdString()).at("metrics");
        for (const char* key : kMetricKeys)
            if (std::string(key).rfind("force", 0) != 0)
                QVERIFY2(predicted.at(key) == metrics.at("train").at(key), key);
        QVERIFY(predicted.at("force_rmse_ev_per_a").get<double>() > 0);
    }

    void trainOnForcesAndPredictForces() {
        const QString dir = path("forces");
        const CliResult r = runCli(
            {"train", "--train", m_sample, "--split", "6:3", "--set", "optimiser.forces_weight=1",
             "--set", "graph.weighting=smooth-polynomial", "--set", "optimiser.phases.0.epochs=2",
             "--set", "model.graph_layers=[{\"width\":8,\"activation\":\"silu\"}]", "--threads",
             "1", "--out", dir});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY(r.out.contains("F RMSE eV/Å"));
        QVERIFY2(r.err.contains("training on energies and forces"), r.err.constData());
        const nlohmann::json metrics = readJson(dir + "/metrics.json");
        for (const char* set : {"train", "test"}) {
            QVERIFY(metrics.at(set).at("force_rmse_ev_per_a").get<double>() > 0);
            QVERIFY(metrics.at("linear").at(set).at("force_rmse_ev_per_a").get<double>() > 0);
        }
        const auto history = readHistoryCsv((dir + "/history.csv").toStdString());
        QCOMPARE(history.size(), std::size_t(2));
        QVERIFY(std::isfinite(history.back().testForceRmseEvPerA));
        QVERIFY(history.back().trainForceMaeEvPerA > 0);

        // predict: the same force metrics, and the predictions as extended XYZ.
        const QString xyz = path("predicted.xyz");
        const CliResult p = runCli(
            {"predict", "--model", dir, m_sample, "--subset", "test", "--json", "-", "--out", xyz});
        QVERIFY2(p.exitCode == 0, p.err.constData());
        const nlohmann::json predicted = nlohmann::json::parse(p.out.toStdString());
        QVERIFY(predicted.at("metrics") == metrics.at("test"));
        const Dataset back = readExtxyzFile(xyz.toStdString());
        QCOMPARE(back.size(), std::size_t(3));
        for (std::size_t k = 0; k < back.size(); ++k) {
            const Structure& s = back.structures[k];
            QVERIFY(s.hasForces() && s.energy && s.stress);
            QCOMPARE(*s.energy, predicted.at("energies").at(k).at("predicted").get<double>());
            Vec3 total = Vec3::Zero();
            for (const Vec3& f : s.forces)
                total += f;
            QVERIFY(total.norm() < 1e-3); // Σ F = 0 (float32 model)
        }

        // md with the network: the start's potential energy is predict's, and NVE conserves
        // the total energy (the forces are the derivatives of the network's energy).
        const QString energies = path("md.csv");
        const CliResult md =
            runCli({"md", "--model", dir, m_sample, "--steps", "20", "--timestep", "0.5",
                    "--temperature", "300", "--csv", energies, "--json", "-"});
        QVERIFY2(md.exitCode == 0, md.err.constData());
        const nlohmann::json verdict = nlohmann::json::parse(md.out.toStdString());
        QCOMPARE(verdict.at("steps_done").get<int>(), 20);
        QVERIFY(verdict.at("stable").get<bool>());
        const CliResult all = runCli({"predict", "--model", dir, m_sample, "--json", "-"});
        QVERIFY2(all.exitCode == 0, all.err.constData());
        const double e0 = nlohmann::json::parse(all.out.toStdString())
                              .at("energies")
                              .at(0)
                              .at("predicted")
                              .get<double>();
        QFile csv(energies);
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = csv.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 22);
        QVERIFY2(std::abs(rows[1].split(',')[2].toDouble() - e0) < 1e-6 * std::abs(e0), rows[1]);
        const double total0 = rows[1].split(',')[4].toDouble();
        for (int k = 2; k < rows.size(); ++k)
            QVERIFY2(std::abs(rows[k].split(',')[4].toDouble() - total0) < 1e-3 * 96, rows[k]);

        // Force training with the study's step weights is refused before any work.
        const CliResult binary =
            runCli({"train", "--train", m_sample, "--preset", "study-2023", "--set",
                    "optimiser.forces_weight=1", "--out", path("binary-forces")});
        QCOMPARE(binary.exitCode, 1);
        QVERIFY2(binary.err.contains("smooth-polynomial"), binary.err.constData());
    }

    void ctrlCStopsCleanlyAndWrites() {
        const QString dir = path("interrupted");
        QProcess process;
        process.start(QStringLiteral(GRAPHACE_CLI),
                      {"train", "--train", m_sample, "--split", "6:3", "--preset", "study-2023",
                       "--set", "optimiser.phases.0.epochs=1000000", "--threads", "1", "--out",
                       dir});
        QVERIFY(process.waitForStarted());
        // Wait for the first epoch line (stderr is not a terminal: plain lines).
        QByteArray err;
        for (int waited = 0; !err.contains("epoch 1/") && waited < 600; ++waited) {
            process.waitForReadyRead(1000);
            err += process.readAllStandardError();
            QVERIFY2(process.state() == QProcess::Running, err.constData());
        }
        QVERIFY2(err.contains("epoch 1/"), err.constData());
        ::kill(static_cast<pid_t>(process.processId()), SIGINT);
        QVERIFY(process.waitForFinished(120000));
        err += process.readAllStandardError();
        QCOMPARE(process.exitStatus(), QProcess::NormalExit); // not killed by the signal
        QCOMPARE(process.exitCode(), 130);
        const nlohmann::json metrics = readJson(dir + "/metrics.json");
        QCOMPARE(metrics.at("stop").get<std::string>(), std::string("cancelled"));
        const int epochs = metrics.at("epochs").get<int>();
        QVERIFY(epochs < 1000002);
        const auto history = readHistoryCsv((dir + "/history.csv").toStdString());
        QCOMPARE(int(history.size()), epochs);
        QVERIFY(QFileInfo(dir + "/model.pt").size() > 0);
        QVERIFY(QFileInfo(dir + "/config.json").size() > 0);
        // The checkpoint of the last whole epoch, and how to continue from it.
        QCOMPARE(readCheckpointInfo((dir + "/checkpoint.pt").toStdString()).epoch, epochs);
        QVERIFY2(err.contains("graphace train --resume " + dir.toUtf8()), err.constData());
    }

    // A run killed with SIGKILL between checkpoints and resumed (from another working
    // directory) ends with the files of the run never stopped: the same model bytes, config and
    // history (timings aside), and no checkpoint left behind.
    void resumeAfterSigkillGivesTheUninterruptedRun() {
        // The data path relative to the folder the runs start in (m_dir).
        const QStringList run = {"train",
                                 "--train",
                                 QFileInfo(m_sample).fileName(),
                                 "--split",
                                 "6:3",
                                 "--preset",
                                 "study-2023",
                                 "--set",
                                 "optimiser.phases.0.epochs=1200",
                                 "--set",
                                 "optimiser.phases.1.epochs=800",
                                 "--set",
                                 "training.shuffle=true",
                                 "--set",
                                 "training.checkpoint_every=40",
                                 "--threads",
                                 "1"};
        const QString whole = path("whole"), killed = path("killed");
        QProcess uninterrupted;
        uninterrupted.setWorkingDirectory(m_dir.path());
        uninterrupted.start(QStringLiteral(GRAPHACE_CLI), run + QStringList{"--out", whole});
        QVERIFY(uninterrupted.waitForFinished(600000));
        QVERIFY2(uninterrupted.exitCode() == 0, uninterrupted.readAllStandardError());
        QVERIFY(!QFileInfo::exists(whole + "/checkpoint.pt"));

        QProcess process;
        process.setWorkingDirectory(m_dir.path());
        process.start(QStringLiteral(GRAPHACE_CLI), run + QStringList{"--out", killed});
        QVERIFY(process.waitForStarted());
        const QString checkpoint = killed + "/checkpoint.pt";
        for (int waited = 0; !QFileInfo::exists(checkpoint) && waited < 60000; waited += 5) {
            QVERIFY2(process.state() == QProcess::Running, process.readAllStandardError());
            QThread::msleep(5);
        }
        ::kill(static_cast<pid_t>(process.processId()), SIGKILL);
        QVERIFY(process.waitForFinished(60000));
        QCOMPARE(process.exitStatus(), QProcess::CrashExit);
        QVERIFY(!QFileInfo::exists(killed + "/metrics.json")); // it never got to the end
        const int saved = readCheckpointInfo(checkpoint.toStdString()).epoch;
        QVERIFY(saved >= 40 && saved < 2000 && saved % 40 == 0);

        // Resumed from elsewhere (the data path in the run is relative to where it started) and
        // killed again once it has written a later checkpoint; then resumed from a third place.
        QTemporaryDir elsewhere, third;
        QProcess first;
        first.setWorkingDirectory(elsewhere.path());
        first.start(QStringLiteral(GRAPHACE_CLI), {"train", "--resume", killed});
        QVERIFY(first.waitForStarted());
        int later = saved;
        for (int waited = 0; later == saved && waited < 60000; waited += 5) {
            QVERIFY2(first.state() == QProcess::Running, first.readAllStandardError());
            QThread::msleep(5);
            later = readCheckpointInfo(checkpoint.toStdString()).epoch; // renamed in whole
        }
        ::kill(static_cast<pid_t>(first.processId()), SIGKILL);
        QVERIFY(first.waitForFinished(60000));
        QVERIFY(later > saved);
        later = readCheckpointInfo(checkpoint.toStdString()).epoch;

        QProcess resume;
        resume.setWorkingDirectory(third.path());
        resume.start(QStringLiteral(GRAPHACE_CLI), {"train", "--resume", killed});
        QVERIFY(resume.waitForFinished(600000));
        const QByteArray err = resume.readAllStandardError();
        QVERIFY2(resume.exitCode() == 0, err.constData());
        QVERIFY2(err.contains("resuming after epoch " + QByteArray::number(later)),
                 err.constData());

        for (const char* file : {"model.pt", "config.json"}) {
            QFile a(whole + "/" + file), b(killed + "/" + file);
            QVERIFY(a.open(QIODevice::ReadOnly) && b.open(QIODevice::ReadOnly));
            QVERIFY2(a.readAll() == b.readAll(), file);
        }
        const auto expected = readHistoryCsv((whole + "/history.csv").toStdString());
        const auto resumed = readHistoryCsv((killed + "/history.csv").toStdString());
        QCOMPARE(resumed.size(), expected.size());
        for (std::size_t k = 0; k < expected.size(); ++k) {
            QCOMPARE(resumed[k].trainLoss, expected[k].trainLoss);
            QCOMPARE(resumed[k].testLoss, expected[k].testLoss);
            QCOMPARE(resumed[k].learningRate, expected[k].learningRate);
        }
        const nlohmann::json a = readJson(whole + "/metrics.json"),
                             b = readJson(killed + "/metrics.json");
        QCOMPARE(b.at("test"), a.at("test"));
        QCOMPARE(b.at("epochs"), a.at("epochs"));
        QVERIFY(!QFileInfo::exists(checkpoint)); // the run ended: nothing left to resume

        CliResult again = runCli({"train", "--resume", killed});
        QCOMPARE(again.exitCode, 1);
        QVERIFY2(again.err.contains("its run ended"), again.err.constData());
        again = runCli({"train", "--resume", killed, "--train", m_sample});
        QVERIFY(again.exitCode != 0);
        QVERIFY2(again.err.contains("excludes"), again.err.constData());
        again = runCli({"train", "--train", m_sample});
        QVERIFY(again.exitCode != 0);
        QVERIFY2(again.err.contains("--out"), again.err.constData());
    }

    void badDevice() {
        if (torchInfo().cudaAvailable)
            QSKIP("this machine has CUDA: the missing-CUDA error cannot be provoked");
        const QString dir = path("cuda-run");
        CliResult r = runCli({"train", "--train", m_sample, "--device", "cuda", "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("graphace: error:") && r.err.contains("CUDA"), r.err.constData());
        QVERIFY(!QDir(dir).exists()); // refused before any work
        r = runCli({"train", "--train", m_sample, "--device", "gpu", "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("training.device"), r.err.constData());
    }

    void badPresetAndConfig() {
        const QString dir = path("bad-run");
        CliResult r = runCli({"train", "--train", m_sample, "--preset", "fast", "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("unknown preset \"fast\"") && r.err.contains("study-2023") &&
                     r.err.contains("recommended"),
                 r.err.constData());

        const QString broken = path("broken.json");
        {
            QFile f(broken);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("{\n  \"model\": {\"pooling\": mean}\n}\n");
        }
        r = runCli({"train", "--train", m_sample, "--config", broken, "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("broken.json:2:") && r.err.contains("invalid JSON"),
                 r.err.constData());

        const QString unknown = path("unknown.json");
        {
            QFile f(unknown);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(R"({"model": {"activation": "tanh"}})");
        }
        r = runCli({"train", "--train", m_sample, "--config", unknown, "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("model.activation") && r.err.contains("graph_layers"),
                 r.err.constData());

        r = runCli({"train", "--train", m_sample, "--config", path("missing.json"), "--out", dir});
        QVERIFY(r.exitCode != 0);
        QVERIFY2(r.err.contains("missing.json"), r.err.constData());

        r = runCli(
            {"train", "--train", m_sample, "--set", "optimiser.phases.7.epochs=1", "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("out of range"), r.err.constData());

        r = runCli({"train", "--train", m_sample, "--split", "20:5", "--out", dir});
        QCOMPARE(r.exitCode, 1);
        QVERIFY2(r.err.contains("only 12"), r.err.constData());
        QVERIFY(!QDir(dir).exists());
    }
};

QTEST_APPLESS_MAIN(TestCliTrain)
#include "test_cli_train.moc"
