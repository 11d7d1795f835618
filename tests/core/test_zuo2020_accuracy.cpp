// The accuracy targets of the linear ACE baseline on Zuo et al. 2020 (issue 3), run through the
// real CLI with the very recipe files the README quotes (docs/recipes/zuo2020-*.json): train on
// X_train.xyz, score X_test.xyz, energies + forces, body order 4, ~300 functions. A change that
// costs accuracy anywhere in descriptors, derivatives or the solver fails here.
//
// And the GCN as a potential (issue 12): the recommended preset on the same recipe trains on
// energies and forces; on Mo it must stay at or near the linear fit's errors on the same split (the
// README has the full figures), so that a regression in the force path, the loss or the schedule is
// caught.

#include "recipes.h"
#include "testing.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>

using graphace::testing::CliResult;
using graphace::testing::runCli;

class TestZuo2020Accuracy : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void testSetTargets_data() {
        QTest::addColumn<QString>("element");
        QTest::addColumn<double>("energyMaeMevPerAtom"); // the targets
        QTest::addColumn<double>("forceMaeEvPerA");
        QTest::newRow("Cu") << "Cu" << 1.0 << 0.1;
        QTest::newRow("Si") << "Si" << 4.0 << 0.1;
        QTest::newRow("Mo") << "Mo" << 4.0 << 0.1;
    }

    void testSetTargets() {
        QFETCH(QString, element);
        QFETCH(double, energyMaeMevPerAtom);
        QFETCH(double, forceMaeEvPerA);
        GRAPHACE_REQUIRE_SHARED_DATA();
        const QDir data(graphace::testing::sharedDataDir() + "/zuo2020");
        const QString train = data.filePath(element + "_train.xyz");
        const QString test = data.filePath(element + "_test.xyz");
        if (!QFile::exists(train) || !QFile::exists(test))
            QSKIP(qPrintable("zuo2020 data not found: " + train));
        const QString recipe = graphace::testing::zuo2020RecipePath(element);
        QVERIFY2(QFile::exists(recipe), qPrintable(recipe));

        QTemporaryDir dir;
        const QString out = dir.filePath("metrics.json");
        const CliResult r = runCli(
            {"fit-linear", "--train", train, "--test", test, "--config", recipe, "--json", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QFile file(out);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject metrics = QJsonDocument::fromJson(file.readAll()).object();

        const int basisSize = metrics["basis_size"].toInt();
        QVERIFY2(basisSize >= 250 && basisSize <= 400, qPrintable(QString::number(basisSize)));
        const QJsonObject scored = metrics["test"].toObject();
        const double energy = scored["energy_mae_mev_per_atom"].toDouble(-1);
        const double force = scored["force_mae_ev_per_a"].toDouble(-1);
        qInfo("%s: %d functions, test energy MAE %.3f meV/atom, force MAE %.4f eV/Å",
              qPrintable(element), basisSize, energy, force);
        QVERIFY(energy >= 0 && force >= 0); // both present
        QVERIFY2(energy <= energyMaeMevPerAtom, qPrintable(QString::number(energy)));
        QVERIFY2(force <= forceMaeEvPerA, qPrintable(QString::number(force)));
    }

    void gcnWithForcesAtTheLinearFitOnMo() {
        GRAPHACE_REQUIRE_SHARED_DATA();
        const QDir data(graphace::testing::sharedDataDir() + "/zuo2020");
        const QString train = data.filePath("Mo_train.xyz");
        const QString test = data.filePath("Mo_test.xyz");
        if (!QFile::exists(train) || !QFile::exists(test))
            QSKIP(qPrintable("zuo2020 data not found: " + train));
        QTemporaryDir dir;
        const QString out = dir.filePath("run");
        // The full recommended schedule with forces (auto: 150 epochs), as the README's figure.
        const CliResult r = runCli({"train", "--train", train, "--test", test, "--config",
                                    graphace::testing::zuo2020RecipePath("Mo"), "--out", out});
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(r.err.contains("training on energies and forces"), r.err.constData());
        QFile file(out + "/metrics.json");
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject metrics = QJsonDocument::fromJson(file.readAll()).object();
        const QJsonObject gcn = metrics["test"].toObject();
        const QJsonObject linear = metrics["linear"].toObject()["test"].toObject();
        const double energy = gcn["energy_mae_mev_per_atom"].toDouble(-1);
        const double force = gcn["force_mae_ev_per_a"].toDouble(-1);
        const double linearEnergy = linear["energy_mae_mev_per_atom"].toDouble(-1);
        const double linearForce = linear["force_mae_ev_per_a"].toDouble(-1);
        qInfo("Mo GCN: test energy MAE %.3f meV/atom, force MAE %.4f eV/Å (linear %.3f, %.4f)",
              energy, force, linearEnergy, linearForce);
        QVERIFY(energy >= 0 && force >= 0 && linearEnergy >= 0 && linearForce >= 0);
        QVERIFY2(energy <= kEnergyBar * linearEnergy, qPrintable(QString::number(energy)));
        QVERIFY2(force <= kForceBar * linearForce, qPrintable(QString::number(force)));
    }

private:
    // Multiples of the linear fit's test MAE. Measured (README, the network on top of the linear
    // fit): 0.94 for energies, 0.97 for forces. The model starts as the linear fit, so a broken
    // network or force path would leave it near 1.0: the energy bar demands that the network
    // adds something; the force bar leaves room for float32 summation order (several percent).
    static constexpr double kEnergyBar = 1.0;
    static constexpr double kForceBar = 1.05;
};

QTEST_GUILESS_MAIN(TestZuo2020Accuracy)
#include "test_zuo2020_accuracy.moc"
