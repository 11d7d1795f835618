// graphace_ui pieces that need no window: the dataset table model, the loader's error
// reporting, the degree colour scale.
#include "graphace/extxyz.h"
#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"
#include "graphace/sample_dataset.h"
#include "graphace/ui/dataset_loader.h"
#include "graphace/ui/dataset_model.h"
#include "graphace/ui/structure_scene.h"
#include "sample_structures.h"
#include "testing.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>

using namespace graphace;
using namespace graphace::testing;
using namespace graphace::ui;

namespace {

void writeText(const QString& path, const char* text) {
    std::ofstream out(path.toStdString());
    out << text;
}

} // namespace

class TestGuiModels : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void formula() {
        QCOMPARE(chemicalFormula(smallSample(1).structures[0]), QStringLiteral("Hf32O64"));
        QCOMPARE(chemicalFormula(twoAtomCell()), QStringLiteral("HfO"));
    }

    void datasetModelRowsAndSorting() {
        auto data = std::make_shared<const Dataset>(smallSample(5));
        DatasetModel model;
        model.setDataset(data);
        QCOMPARE(model.rowCount(), 5);
        QCOMPARE(model.index(3, DatasetModel::Atoms).data().toInt(), 96);
        QCOMPARE(model.index(0, DatasetModel::Formula).data().toString(),
                 QStringLiteral("Hf32O64"));
        const double e = *data->structures[2].energy;
        QCOMPARE(model.index(2, DatasetModel::Energy).data(DatasetModel::SortRole).toDouble(), e);
        QCOMPARE(
            model.index(2, DatasetModel::EnergyPerAtom).data(DatasetModel::SortRole).toDouble(),
            e / 96.0);

        DatasetFilterModel proxy;
        proxy.setSourceModel(&model);
        proxy.sort(DatasetModel::Energy, Qt::AscendingOrder);
        for (int row = 1; row < proxy.rowCount(); ++row)
            QVERIFY(proxy.index(row - 1, DatasetModel::Energy)
                        .data(DatasetModel::SortRole)
                        .toDouble() <=
                    proxy.index(row, DatasetModel::Energy).data(DatasetModel::SortRole).toDouble());
        proxy.setFilterFixedString(QStringLiteral("hf32")); // case-insensitive
        QCOMPARE(proxy.rowCount(), 5);
        proxy.setFilterFixedString(QStringLiteral("no such text"));
        QCOMPARE(proxy.rowCount(), 0);
        proxy.setFilterFixedString({});

        // A model's errors: shown signed, sorted by size, none (NaN) last; a wrong count clears.
        const double nan = std::nan("");
        model.setErrors({1.5, -7.25, nan, 0.5, -2.0}, {0.1, 0.3, nan, 0.05, 0.2},
                        QStringLiteral("GCN of “test”"));
        QVERIFY(model.hasErrors());
        QCOMPARE(model.index(1, DatasetModel::EnergyError).data().toString(),
                 QStringLiteral("-7.25"));
        QCOMPARE(model.index(2, DatasetModel::ForceError).data().toString(), QStringLiteral("—"));
        QVERIFY(model.headerData(DatasetModel::EnergyError, Qt::Horizontal, Qt::ToolTipRole)
                    .toString()
                    .contains(QStringLiteral("GCN of “test”")));
        proxy.sort(DatasetModel::EnergyError, Qt::DescendingOrder);
        QList<int> order;
        for (int row = 0; row < proxy.rowCount(); ++row)
            order << proxy.index(row, DatasetModel::Index).data().toInt();
        QCOMPARE(order, (QList<int>{1, 4, 0, 3, 2}));
        proxy.sort(DatasetModel::ForceError, Qt::DescendingOrder);
        QCOMPARE(proxy.index(0, DatasetModel::Index).data().toInt(), 1);
        model.setErrors({1.0}, {1.0}, QStringLiteral("wrong size"));
        QVERIFY(!model.hasErrors());
        QCOMPARE(model.index(1, DatasetModel::EnergyError).data().toString(), QStringLiteral("—"));
    }

    void loaderReadsSeveralFiles() {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.xyz"));
        const QString b = dir.filePath(QStringLiteral("b.xyz"));
        writeExtxyzFile(a.toStdString(), smallSample(2));
        writeExtxyzFile(b.toStdString(), smallSample(3));
        QList<double> fractions;
        const LoadResult result =
            loadDatasetFiles({a, b}, [&](double f, const QString&) { fractions << f; });
        QVERIFY(result.ok());
        QCOMPARE(result.dataset->size(), std::size_t(5));
        QVERIFY(!fractions.isEmpty());
        QCOMPARE(fractions.back(), 1.0);
        for (int k = 1; k < fractions.size(); ++k)
            QVERIFY(fractions[k] >= fractions[k - 1]);
    }

    // The dialog needs file, line and problem: they come from graphace::ParseError.
    void loaderReportsFileLineAndProblem() {
        QTemporaryDir dir;
        const QString good = dir.filePath(QStringLiteral("good.xyz"));
        const QString bad = dir.filePath(QStringLiteral("bad.xyz"));
        writeExtxyzFile(good.toStdString(), smallSample(1));
        writeText(bad,
                  "2\n"
                  "Lattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
                  "Hf 0 0 0\n"
                  "O 1.0 abc 1.0\n");
        const LoadResult result = loadDatasetFiles({good, bad});
        QVERIFY(!result.ok());
        QVERIFY(!result.cancelled);
        QCOMPARE(result.error.file, bad);
        QCOMPARE(result.error.line, 4L);
        QVERIFY(!result.error.message.isEmpty());
        QVERIFY(result.error.toText().contains(QStringLiteral("line 4")));

        const LoadResult missing = loadDatasetFiles({dir.filePath(QStringLiteral("nope.xyz"))});
        QVERIFY(!missing.ok());
        QVERIFY(missing.error.file.endsWith(QStringLiteral("nope.xyz")));
        QVERIFY(!missing.error.message.isEmpty());
    }

    void loaderCancels() {
        QTemporaryDir dir;
        const QString a = dir.filePath(QStringLiteral("a.xyz"));
        writeExtxyzFile(a.toStdString(), smallSample(3));
        std::atomic_bool cancel{true};
        const LoadResult result = loadDatasetFiles({a}, {}, &cancel);
        QVERIFY(result.cancelled);
        QVERIFY(!result.ok());
    }

    void degreeColours() {
        const auto isolated = degreeColour(0, 12);
        QVERIFY(isolated[0] > 0.8f && isolated[1] < 0.3f); // red
        const auto low = degreeColour(1, 12);
        const auto high = degreeColour(12, 12);
        QVERIFY(low[2] > low[0]);                                    // blue end
        QVERIFY(high[0] > 0.9f && high[1] > 0.8f && high[2] < 0.2f); // yellow end
    }
};

QTEST_APPLESS_MAIN(TestGuiModels)
#include "test_gui_models.moc"
