// Drives the real `graphace` executable and checks what it prints against the core library.

#include "testing.h"

#include "graphace/extxyz.h"
#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <cmath>

using namespace graphace;

namespace {

using graphace::testing::CliResult;
using graphace::testing::runCli;

QJsonObject parseJson(const QByteArray& text) {
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(text, &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("invalid JSON (%s): %s", qPrintable(error.errorString()), text.left(400).data());
    return document.object();
}

} // namespace

class TestCli : public QObject {
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_sample; // 12 configurations of the built-in sample, written once

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_sample = m_dir.filePath("sample.xyz");
        const CliResult r =
            runCli({"sample", "--out", m_sample, "--configurations", "12", "--seed", "5"});
        QCOMPARE(r.exitCode, 0);
        QVERIFY(QFile::exists(m_sample));
    }

    void versionAndHelp() {
        const CliResult version = runCli({"--version"});
        QCOMPARE(version.exitCode, 0);
        QVERIFY(version.out.contains("graphace 0."));
        for (const char* command : {"info", "graph", "sample", "bench"}) {
            const CliResult help = runCli({command, "--help"});
            QCOMPARE(help.exitCode, 0);
            QVERIFY2(help.out.contains("Usage") || help.out.contains("USAGE"), command);
        }
        QVERIFY(runCli({}).exitCode != 0); // a command is required
    }

    // graphace starts without LibTorch (Debian's pulls in ~285 libraries); train and predict are
    // handed over to graphace-gcn beside it, and a graphace without it says so.
    void networkCommandsRunInTheirOwnExecutable() {
        QProcess ldd;
        ldd.start(QStringLiteral("ldd"), {QStringLiteral(GRAPHACE_CLI)});
        QVERIFY(ldd.waitForFinished());
        const QByteArray libraries = ldd.readAllStandardOutput();
        QVERIFY2(!libraries.contains("libtorch") && !libraries.contains("libc10") &&
                     !libraries.contains("Qt"),
                 libraries.constData());
        QVERIFY2(libraries.count('\n') < 30, libraries.constData());

        for (const char* command : {"train", "predict"}) {
            const CliResult help = runCli({command, "--help"});
            QCOMPARE(help.exitCode, 0);
            QVERIFY2(help.out.contains("Usage: graphace " + QByteArray(command)), help.out);
            QVERIFY2(help.out.contains(command == QByteArray("train") ? "--resume" : "--model"),
                     help.out);
        }

        const QString alone = m_dir.filePath(QStringLiteral("alone/graphace"));
        QVERIFY(QDir().mkpath(QFileInfo(alone).path()));
        QVERIFY(QFile::copy(QStringLiteral(GRAPHACE_CLI), alone));
        QProcess process;
        process.start(alone, {QStringLiteral("train"), m_sample, QStringLiteral("--out"),
                              m_dir.filePath(QStringLiteral("alone/run"))});
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitCode(), 1);
        const QByteArray error = process.readAllStandardError();
        QVERIFY2(error.contains("needs graphace-gcn") && error.contains("cannot be started") &&
                     error.contains("libexec/graphace/graphace-gcn"),
                 error.constData());
        process.start(alone, {QStringLiteral("info"), m_sample});
        QVERIFY(process.waitForFinished());
        QCOMPARE(process.exitCode(), 0);
    }

    // A linear model file runs in graphace itself (no LibTorch, no graphace-gcn needed) and
    // predicts what fit-linear reported for the same data, with forces and stress.
    void linearModelPredictsWithoutTheNetwork() {
        const QString model = m_dir.filePath(QStringLiteral("linear.json"));
        const CliResult fit = runCli({"fit-linear", "--train", m_sample, "--forces-weight", "1",
                                      "--set", "ace.max_degree_per_order=[6,4,3]",
                                      "--save-coefficients", model, "--json", "-"});
        QVERIFY2(fit.exitCode == 0, fit.err.constData());
        const QJsonObject trained = parseJson(fit.out)["train"].toObject();

        const QString alone = m_dir.filePath(QStringLiteral("linear-alone/graphace"));
        QVERIFY(QDir().mkpath(QFileInfo(alone).path()));
        QVERIFY(QFile::copy(QStringLiteral(GRAPHACE_CLI), alone));
        const QString predictedFile = m_dir.filePath(QStringLiteral("linear-predicted.xyz"));
        QProcess process;
        process.start(alone, {QStringLiteral("predict"), QStringLiteral("--model"), model, m_sample,
                              QStringLiteral("--json"), QStringLiteral("-"),
                              QStringLiteral("--out"), predictedFile});
        QVERIFY(process.waitForFinished(60000));
        QVERIFY2(process.exitCode() == 0, process.readAllStandardError().constData());
        const QJsonObject result = parseJson(process.readAllStandardOutput());
        const QJsonObject metrics = result["metrics"].toObject();
        for (const char* key : {"energy_rmse_mev_per_atom", "energy_mae_ev", "force_rmse_ev_per_a",
                                "force_mae_ev_per_a"}) {
            const double a = metrics[key].toDouble(), b = trained[key].toDouble();
            QVERIFY2(b > 0 && std::abs(a - b) <= 1e-8 * b,
                     qPrintable(QString("%1: predict %2, fit-linear %3").arg(key).arg(a).arg(b)));
        }
        const Dataset predicted = readExtxyzFile(predictedFile.toStdString());
        const QJsonArray energies = result["energies"].toArray();
        QCOMPARE(predicted.size(), std::size_t(12));
        QCOMPARE(energies.size(), 12);
        for (std::size_t k = 0; k < predicted.size(); ++k) {
            const Structure& s = predicted.structures[k];
            QCOMPARE(*s.energy, energies[int(k)].toObject()["predicted"].toDouble());
            QCOMPARE(s.forces.size(), s.size());
            QVERIFY(s.stress.has_value() && s.stress->allFinite());
            // Forces of a potential sum to zero (Newton's third law, periodic cell).
            Vec3 total = Vec3::Zero();
            for (const Vec3& f : s.forces)
                total += f;
            QVERIFY2(total.norm() < 1e-9, qPrintable(QString::number(total.norm())));
        }

        // A damaged file is refused, naming the file and the fault.
        QFile file(model);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QByteArray text = file.readAll();
        file.close();
        const int at = text.indexOf("\"coefficients\": [") + 17;
        QVERIFY(at > 17);
        text.insert(at, "1.5, ");
        const QString damaged = m_dir.filePath(QStringLiteral("linear-damaged.json"));
        QFile out(damaged);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text);
        out.close();
        const CliResult refused = runCli({"predict", "--model", damaged, m_sample});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("linear-damaged.json") &&
                     refused.err.contains("coefficients, but its \"ace\" settings give a basis of"),
                 refused.err.constData());
    }

    // md with a fitted linear model: the trajectory, the CSV and the verdict agree with each
    // other; the model's forces are the derivatives of its energy, so NVE conserves energy
    // whatever the model's accuracy; a run with a far too long timestep is judged unstable.
    void mdWithALinearModel() {
        const QString model = m_dir.filePath(QStringLiteral("md-model.json"));
        const CliResult fit = runCli({"fit-linear", "--train", m_sample, "--forces-weight", "1",
                                      "--set", "ace.max_degree_per_order=[6,4,3]",
                                      "--save-coefficients", model, "--json", "-"});
        QVERIFY2(fit.exitCode == 0, fit.err.constData());
        const QString trajectory = m_dir.filePath(QStringLiteral("md.xyz"));
        const QString csv = m_dir.filePath(QStringLiteral("md.csv"));
        const CliResult r =
            runCli({"md",       "--model",       model,     m_sample,     "--config-index",
                    "3",        "--temperature", "100",     "--timestep", "0.25",
                    "--steps",  "200",           "--every", "20",         "--out",
                    trajectory, "--csv",         csv,       "--json",     "-"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject result = parseJson(r.out);
        QCOMPARE(result["steps_done"].toInt(), 200);
        QCOMPARE(result["time_fs"].toDouble(), 50.0);
        QVERIFY(result["stable"].toBool());
        QVERIFY(result["reason"].isNull());
        QVERIFY2(std::abs(result["energy_drift_mev_per_atom_per_ps"].toDouble()) < 2.0,
                 r.out.constData());
        // 50 fs from a configuration of the data at 100 K: close to the data's pair distribution.
        const QJsonObject pairs = result["pair_distribution"].toObject();
        QCOMPARE(pairs["run"].toArray().size(), pairs["r_a"].toArray().size());
        QCOMPARE(pairs["data"].toArray().size(), pairs["r_a"].toArray().size());
        const double distance = pairs["total_variation_distance"].toDouble();
        QVERIFY2(distance >= 0 && distance < 0.5, qPrintable(QString::number(distance)));

        const Dataset frames = readExtxyzFile(trajectory.toStdString());
        QCOMPARE(frames.size(), std::size_t(11));
        QFile table(csv);
        QVERIFY(table.open(QIODevice::ReadOnly));
        const QList<QByteArray> rows = table.readAll().trimmed().split('\n');
        QCOMPARE(rows.size(), 12);
        QVERIFY(rows[0].startsWith("step,time_fs,potential_ev,kinetic_ev,total_ev"));
        const double total0 = rows[1].split(',')[4].toDouble();
        for (int k = 0; k < 11; ++k) {
            const QList<QByteArray> cells = rows[k + 1].split(',');
            QCOMPARE(cells[0].toInt(), 20 * k);
            const Structure& s = frames.structures[k];
            QVERIFY(std::abs(*s.energy - cells[2].toDouble()) <= 1e-6 * std::abs(*s.energy));
            QCOMPARE(s.forces.size(), s.size());
            QCOMPARE(s.extraProperties.size(), std::size_t(1));
            QCOMPARE(QString::fromStdString(s.extraProperties[0].name),
                     QStringLiteral("velocities"));
            QCOMPARE(s.extraProperties[0].values.size(), 3 * s.size());
            // Total energy conserved to a fraction of a meV per atom over 50 fs.
            QVERIFY2(std::abs(cells[4].toDouble() - total0) < 5e-4 * s.size(), rows[k + 1]);
        }
        // The start is the chosen configuration, its atoms in the same order.
        const Dataset sample = readExtxyzFile(m_sample.toStdString());
        QVERIFY(frames.structures[0].numbers == sample.structures[3].numbers);

        const CliResult wild = runCli({"md", "--model", model, m_sample, "--temperature", "5000",
                                       "--timestep", "8", "--steps", "200", "--json", "-"});
        QVERIFY2(wild.exitCode == 0, wild.err.constData());
        const QJsonObject verdict = parseJson(wild.out);
        QVERIFY2(!verdict["stable"].toBool(), wild.out.constData());
        QVERIFY(verdict["left_ground_at_fs"].toDouble() > 0);
        QVERIFY(!verdict["reason"].toString().isEmpty());

        const CliResult bad =
            runCli({"md", "--model", model, m_sample, "--config-index", "12", "--steps", "1"});
        QCOMPARE(bad.exitCode, 1);
        QVERIFY2(bad.err.contains("--config-index 12") && bad.err.contains("has 12"),
                 bad.err.constData());
    }

    void infoOnSample() {
        const CliResult r = runCli({"info", m_sample, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject info = parseJson(r.out);
        QCOMPARE(info["configurations"].toInt(), 12);
        QCOMPARE(info["atoms"].toInt(), 12 * 96);
        QCOMPARE(info["species"].toObject()["Hf"].toInt(), 12 * 32);
        QCOMPARE(info["species"].toObject()["O"].toInt(), 12 * 64);
        QCOMPARE(info["energy_keys"].toArray().first().toString(), QString("energy"));
        QCOMPARE(info["forces_keys"].toArray().first().toString(), QString("forces"));
        QCOMPARE(info["configurations_with_forces"].toInt(), 12);
        const QJsonArray rows = info["per_configuration"].toArray();
        QCOMPARE(rows.size(), 12);
        QCOMPARE(rows[0].toObject()["formula"].toString(), QString("Hf32O64"));
        // The energy range must bracket every per-configuration energy.
        const double lo = info["energy_range"].toObject()["min"].toDouble();
        const double hi = info["energy_range"].toObject()["max"].toDouble();
        QVERIFY(lo < hi);
        for (const auto& row : rows) {
            const double e = row.toObject()["energy"].toDouble();
            QVERIFY(e >= lo && e <= hi);
        }
        // The text form names the same facts.
        const CliResult text = runCli({"info", m_sample});
        QCOMPARE(text.exitCode, 0);
        QVERIFY(text.out.contains("configurations"));
        QVERIFY(text.out.contains("Hf:384"));
    }

    void graphMatchesCore_data() {
        QTest::addColumn<double>("cutoff");
        for (double cutoff : {0.5, 2.0, 3.5, 5.0})
            QTest::newRow(qPrintable(QString::number(cutoff))) << cutoff;
    }
    void graphMatchesCore() {
        QFETCH(double, cutoff);
        const CliResult r =
            runCli({"graph", m_sample, "--cutoff", QString::number(cutoff), "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject graph = parseJson(r.out);

        const Dataset dataset = readExtxyzFile(m_sample.toStdString());
        std::size_t edges = 0, isolated = 0;
        const QJsonArray rows = graph["per_configuration"].toArray();
        QCOMPARE(rows.size(), int(dataset.size()));
        for (std::size_t i = 0; i < dataset.size(); ++i) {
            const Structure& s = dataset.structures[i];
            const NeighborList list = computeNeighborList(s, cutoff);
            const DegreeStatistics stats = degreeStatistics(list, int(s.size()));
            QCOMPARE(rows[int(i)].toObject()["edges"].toInteger(), qint64(list.edgeCount()));
            QCOMPARE(rows[int(i)].toObject()["max_degree"].toInt(), stats.maxDegree);
            edges += list.edgeCount();
            isolated += stats.isolatedAtoms;
        }
        QCOMPARE(graph["edges"].toInteger(), qint64(edges));
        QCOMPARE(graph["isolated_atoms"].toInteger(), qint64(isolated));
        QCOMPARE(graph["atoms"].toInt(), 12 * 96);
        QCOMPARE(graph["configurations"].toInt(), 12);
        QCOMPARE(graph["mean_degree"].toDouble(), double(edges) / (12 * 96));

        // 0.5 Å: no two atoms are that close, the graph is self-loops only, and it is said.
        const bool trivial = edges == 0;
        QCOMPARE(trivial, cutoff < 1.0);
        QCOMPARE(graph["trivial_configurations"].toInt(), trivial ? 12 : 0);
        QCOMPARE(r.err.contains("no message passing"), trivial);
    }

    void histogramCountsEveryEdge() {
        const CliResult r =
            runCli({"graph", m_sample, "--cutoff", "4", "--histogram", "40", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject graph = parseJson(r.out);
        const QJsonObject histogram = graph["pair_distance_histogram"].toObject();
        QCOMPARE(histogram["counts"].toArray().size(), 40);
        double total = 0;
        for (const auto& c : histogram["counts"].toArray())
            total += c.toDouble();
        QCOMPARE(qint64(total), graph["edges"].toInteger());
    }

    void severalFilesHaveTotals() {
        const QString second = m_dir.filePath("second.xyz");
        QCOMPARE(runCli({"sample", "--out", second, "--configurations", "3"}).exitCode, 0);
        const CliResult r = runCli({"graph", m_sample, second, "--cutoff", "3", "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject graph = parseJson(r.out);
        const QJsonArray files = graph["files"].toArray();
        QCOMPARE(files.size(), 2);
        QCOMPARE(graph["configurations"].toInt(), 15);
        QCOMPARE(graph["edges"].toInteger(), files[0].toObject()["edges"].toInteger() +
                                                 files[1].toObject()["edges"].toInteger());
        const CliResult info = runCli({"info", m_sample, second, "--json"});
        QCOMPARE(parseJson(info.out)["atoms"].toInt(), 15 * 96);
    }

    void fitLinearGroupsByAnyKey() {
        // Two groups by a key of our own: every other configuration is phase a, the rest b.
        QFile in(m_sample);
        QVERIFY(in.open(QIODevice::ReadOnly));
        QByteArray text;
        int header = 0;
        for (QByteArray line : in.readAll().split('\n')) {
            if (line.contains("config_type=sample"))
                line.replace("config_type=sample", header++ % 2 ? "config_type=sample phase=b"
                                                                : "config_type=sample phase=a");
            text += line + '\n';
        }
        text.chop(1);
        const QString grouped = m_dir.filePath("grouped.xyz");
        QFile out(grouped);
        QVERIFY(out.open(QIODevice::WriteOnly));
        out.write(text);
        out.close();
        QCOMPARE(header, 12);

        const CliResult r = runCli({"fit-linear", "--train", grouped, "--group-key", "phase",
                                    "--set", "ace.max_degree_per_order=[6,4,3]", "--json", "-"});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        const QJsonObject fit = parseJson(r.out);
        const QJsonObject perGroup = fit["per_group"].toObject();
        QCOMPARE(perGroup["key"].toString(), QStringLiteral("phase"));
        const QJsonArray groups = perGroup["train"].toArray();
        QCOMPARE(groups.size(), 2);
        QCOMPARE(groups[0].toObject()["group"].toString(), QStringLiteral("a"));
        QCOMPARE(groups[1].toObject()["group"].toString(), QStringLiteral("b"));
        // MAE is a mean over configurations: the groups' MAEs, weighted by size, give the whole.
        double weighted = 0;
        int count = 0;
        for (const QJsonValue& g : groups) {
            const int n = g.toObject()["configurations"].toInt();
            weighted += n * g.toObject()["energy_mae_mev_per_atom"].toDouble();
            count += n;
        }
        QCOMPARE(count, 12);
        const double whole = fit["train"].toObject()["energy_mae_mev_per_atom"].toDouble();
        QVERIFY2(std::abs(weighted / count - whole) <= 1e-9 * whole + 1e-12,
                 qPrintable(QStringLiteral("%1 vs %2").arg(weighted / count).arg(whole)));
        // The config as fitted records the key.
        QCOMPARE(fit["config"].toObject()["data"].toObject()["group_key"].toString(),
                 QStringLiteral("phase"));
        // With no such key every configuration is one group ("").
        const CliResult none = runCli({"fit-linear", "--train", grouped, "--group-key", "nokey",
                                       "--set", "ace.max_degree_per_order=[6,4,3]", "--json", "-"});
        QCOMPARE(parseJson(none.out)["per_group"].toObject()["train"].toArray().size(), 1);
    }

    // fit-linear --split shuffles with training.seed like graphace train --split (2023 unless
    // set), so the same --split gives the same test set; --seed overrides it.
    void fitLinearSplitSeedIsTrainingSeed() {
        auto seedOf = [&](const QStringList& extra) {
            QStringList args{"fit-linear",
                             "--train",
                             m_sample,
                             "--split",
                             "8:4",
                             "--set",
                             "ace.max_degree_per_order=[4,3,3]",
                             "--json",
                             "-"};
            args += extra;
            const CliResult r = runCli(args);
            if (r.exitCode != 0)
                qFatal("%s", r.err.constData());
            return parseJson(r.out)["config"].toObject()["training"].toObject()["seed"].toInteger();
        };
        QCOMPARE(seedOf({}), qint64(2023));
        QCOMPARE(seedOf({"--seed", "5"}), qint64(5));
        QCOMPARE(seedOf({"--set", "training.seed=7"}), qint64(7));
    }

    void sampleIsDeterministic() {
        const QString a = m_dir.filePath("a.xyz"), b = m_dir.filePath("b.xyz");
        QCOMPARE(runCli({"sample", "--out", a, "--configurations", "2", "--seed", "9"}).exitCode,
                 0);
        QCOMPARE(runCli({"sample", "--out", b, "--configurations", "2", "--seed", "9"}).exitCode,
                 0);
        QFile fa(a), fb(b);
        QVERIFY(fa.open(QIODevice::ReadOnly) && fb.open(QIODevice::ReadOnly));
        QCOMPARE(fa.readAll(), fb.readAll());
    }

    void badInputFailsWithLocation() {
        const QString bad = m_dir.filePath("bad.xyz");
        QFile f(bad);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("2\nLattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3\n"
                "Hf 0 0 0\nO 1.0 1.x 0\n");
        f.close();
        for (const QStringList& args :
             {QStringList{"info", bad}, QStringList{"graph", bad, "--cutoff", "3"}}) {
            const CliResult r = runCli(args);
            QVERIFY(r.exitCode != 0);
            QVERIFY2(r.err.contains((bad + ":4:").toUtf8()), r.err.constData());
            QVERIFY(r.out.isEmpty());
        }
        QVERIFY(runCli({"info", m_dir.filePath("missing.xyz")}).exitCode != 0);
        QVERIFY(runCli({"graph", m_sample, "--cutoff", "-1"}).exitCode != 0);
        QVERIFY(runCli({"graph", m_sample}).exitCode != 0); // --cutoff is required
    }

    void infoOnSharedData() {
        GRAPHACE_REQUIRE_SHARED_DATA();
        const QString path =
            graphace::testing::sharedDataDir() + "/hfo2/HfO2_mp352_ads_form_sorted.extxyz";
        const CliResult r = runCli({"info", path, "--json"});
        QCOMPARE(r.exitCode, 0);
        const QJsonObject info = parseJson(r.out);
        QCOMPARE(info["configurations"].toInt(), 76);
        // free_energy sits beside energy in this file and must not be taken for it.
        QCOMPARE(info["energy_keys"].toArray(), QJsonArray{"energy"});
        const CliResult chosen = runCli({"info", path, "--json", "--energy-key", "free_energy"});
        QCOMPARE(parseJson(chosen.out)["energy_keys"].toArray(), QJsonArray{"free_energy"});
    }
};

QTEST_APPLESS_MAIN(TestCli)
#include "test_cli.moc"
