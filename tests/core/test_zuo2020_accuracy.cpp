// The accuracy targets of the linear ACE baseline on Zuo et al. 2020 (issue 3), run through the
// real CLI with the very recipe files the README quotes (docs/recipes/zuo2020-*.json): train on
// X_train.xyz, score X_test.xyz, energies + forces, body order 4, ~300 functions. A change that
// costs accuracy anywhere in descriptors, derivatives or the solver fails here.
//
// With no flags at all (issue 13), ACE settings derived from the training data must reach
// within 1.3x of the tuned recipe's test errors on every element.
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
#include <cmath>

using graphace::testing::CliResult;
using graphace::testing::runCli;

// Declares `train` and `test`, ELEMENT's zuo2020 files (X_train.xyz, X_test.xyz), or skips the
// test when they are absent (a macro: QSKIP must return from the test function itself).
#define ZUO2020_FILES_OR_SKIP(element)                                                             \
    GRAPHACE_REQUIRE_SHARED_DATA();                                                                \
    const QDir zuo2020(graphace::testing::sharedDataDir() + "/zuo2020");                           \
    const QString train = zuo2020.filePath(QString(element) + "_train.xyz");                       \
    const QString test = zuo2020.filePath(QString(element) + "_test.xyz");                         \
    if (!QFile::exists(train) || !QFile::exists(test))                                             \
    QSKIP(qPrintable("zuo2020 data not found: " + train))

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
        ZUO2020_FILES_OR_SKIP(element);
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

    // `fit-linear --train --test` and nothing else, against the recipe on the same files.
    void noFlagsWithinReachOfTheRecipe_data() {
        QTest::addColumn<QString>("element");
        QTest::newRow("Cu") << "Cu";
        QTest::newRow("Si") << "Si";
        QTest::newRow("Mo") << "Mo";
    }

    void noFlagsWithinReachOfTheRecipe() {
        QFETCH(QString, element);
        ZUO2020_FILES_OR_SKIP(element);
        QTemporaryDir dir;
        auto fit = [&](const QStringList& extra, const QString& name) {
            const QString out = dir.filePath(name);
            QStringList args = {"fit-linear", "--train", train, "--test", test, "--json", out};
            args += extra;
            const CliResult r = runCli(args);
            if (r.exitCode != 0)
                qWarning("%s", r.err.constData());
            QFile file(out);
            return file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object()
                                                  : QJsonObject();
        };
        const QJsonObject tuned =
            fit({"--config", graphace::testing::zuo2020RecipePath(element)}, "recipe.json");
        const QJsonObject plain = fit({}, "plain.json");
        QVERIFY(!tuned.isEmpty() && !plain.isEmpty());

        // The chosen settings are reported, and they are what was fitted.
        const QJsonObject chosen = plain["ace_from_data"].toObject();
        const QJsonObject ace = plain["config"].toObject()["ace"].toObject();
        QCOMPARE(ace["r0"].toString(), QString("auto"));
        QCOMPARE(ace["resolved_r0"].toDouble(), chosen["r0"].toDouble());
        QCOMPARE(ace["resolved_rcut"].toDouble(), chosen["rcut"].toDouble());
        QVERIFY2(chosen["summary"].toString().contains("first g(r) peak"),
                 qPrintable(chosen["summary"].toString()));
        // r0 is the nearest-neighbour distance of the element's crystal (Cu 2.55, Si 2.35,
        // Mo 2.73 Å), within the thermal spread of the MD cells.
        const double nearest = element == "Cu" ? 2.55 : element == "Si" ? 2.35 : 2.73;
        QVERIFY2(std::abs(chosen["r0"].toDouble() - nearest) < 0.05,
                 qPrintable(QString::number(chosen["r0"].toDouble())));
        QCOMPARE(plain["basis_size"].toInt(), tuned["basis_size"].toInt()); // one species: 345

        const QJsonObject a = plain["test"].toObject(), b = tuned["test"].toObject();
        const double energy = a["energy_mae_mev_per_atom"].toDouble(-1);
        const double force = a["force_mae_ev_per_a"].toDouble(-1);
        const double recipeEnergy = b["energy_mae_mev_per_atom"].toDouble(-1);
        const double recipeForce = b["force_mae_ev_per_a"].toDouble(-1);
        qInfo("%s with no flags: r0 %.2f, rcut %.2f Å; test energy MAE %.3f meV/atom, force MAE "
              "%.4f eV/Å (recipe %.3f, %.4f)",
              qPrintable(element), chosen["r0"].toDouble(), chosen["rcut"].toDouble(), energy,
              force, recipeEnergy, recipeForce);
        QVERIFY(energy >= 0 && force >= 0 && recipeEnergy >= 0 && recipeForce >= 0);
        QVERIFY2(energy <= 1.3 * recipeEnergy, qPrintable(QString::number(energy)));
        QVERIFY2(force <= 1.3 * recipeForce, qPrintable(QString::number(force)));
    }

    void gcnWithForcesAtTheLinearFitOnMo() {
        ZUO2020_FILES_OR_SKIP(QStringLiteral("Mo"));
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
