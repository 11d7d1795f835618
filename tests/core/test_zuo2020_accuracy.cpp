// The accuracy targets of the linear ACE baseline on Zuo et al. 2020 (issue 3), run through the
// real CLI with the very recipe files the README quotes (docs/recipes/zuo2020-*.json): train on
// X_train.xyz, score X_test.xyz, energies + forces, body order 4, ~300 functions. A change that
// costs accuracy anywhere in descriptors, derivatives or the solver fails here.

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
};

QTEST_GUILESS_MAIN(TestZuo2020Accuracy)
#include "test_zuo2020_accuracy.moc"
