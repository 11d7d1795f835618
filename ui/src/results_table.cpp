#include "graphace/ui/results_table.h"

#include <QHeaderView>

#include <algorithm>
#include <cmath>

namespace graphace::ui {

namespace {

constexpr int kRunRole = Qt::UserRole + 1;
constexpr int kEarlierRun = -2; // a row of an earlier Start: selects no run

QTableWidgetItem* number(double value, int decimals) {
    auto* item = new QTableWidgetItem(std::isfinite(value) ? QString::number(value, 'f', decimals)
                                                           : QStringLiteral("—"));
    item->setData(Qt::UserRole, value);
    item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
    return item;
}

} // namespace

ResultsTable::ResultsTable(QWidget* parent) : QTableWidget(0, ColumnCount, parent) {
    setHorizontalHeaderLabels({tr("Run"), tr("Method"), tr("Train RMSE"), tr("Test RMSE"),
                               tr("Train MAE"), tr("Test MAE"), tr("Train R²"), tr("Test R²"),
                               tr("Train F RMSE"), tr("Test F RMSE"), tr("Train F MAE"),
                               tr("Test F MAE"), tr("Train W RMSE"), tr("Test W RMSE"),
                               tr("Seconds"), tr("Stop")});
    for (int c : {TrainRmse, TestRmse, TrainMae, TestMae})
        horizontalHeaderItem(c)->setToolTip(tr("Energy per atom, meV/atom"));
    for (int c : {TrainForceRmse, TestForceRmse, TrainForceMae, TestForceMae})
        horizontalHeaderItem(c)->setToolTip(
            tr("Force components, eV/Å (— where the run has no forces)"));
    for (int c : {TrainVirialRmse, TestVirialRmse})
        horizontalHeaderItem(c)->setToolTip(
            tr("Virial components per atom, meV/atom, over the configurations with a reference "
               "virial (— where none has one)"));
    setEditTriggers(QAbstractItemView::NoEditTriggers);
    setSelectionBehavior(QAbstractItemView::SelectRows);
    setSelectionMode(QAbstractItemView::SingleSelection);
    setAlternatingRowColors(true);
    verticalHeader()->hide();
    verticalHeader()->setDefaultSectionSize(22);
    horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    horizontalHeader()->setStretchLastSection(true);
    connect(this, &QTableWidget::itemSelectionChanged, this,
            [this]() { Q_EMIT runSelected(selectedRun()); });
}

void ResultsTable::setRuns(const std::vector<TrainingRunRecord>& runs,
                           const std::vector<TrainingRunRecord>& earlier) {
    const int selected = selectedRun();
    const QSignalBlocker blocker(this);
    setRowCount(0);
    auto addRow = [this](int run, const QString& name, const QString& method,
                         const RegressionMetrics& train, const RegressionMetrics& test,
                         double seconds, const QString& stop) {
        const int row = rowCount();
        insertRow(row);
        auto* nameItem = new QTableWidgetItem(name);
        nameItem->setData(kRunRole, run);
        setItem(row, Run, nameItem);
        setItem(row, Method, new QTableWidgetItem(method));
        const double nan = std::nan("");
        const bool hasTrain = train.configurations > 0;
        const bool hasTest = test.configurations > 0;
        setItem(row, TrainRmse, number(hasTrain ? train.energyRmseMevPerAtom : nan, 2));
        setItem(row, TestRmse, number(hasTest ? test.energyRmseMevPerAtom : nan, 2));
        setItem(row, TrainMae, number(hasTrain ? train.energyMaeMevPerAtom : nan, 2));
        setItem(row, TestMae, number(hasTest ? test.energyMaeMevPerAtom : nan, 2));
        setItem(row, TrainR2, number(hasTrain ? train.energyR2 : nan, 4));
        setItem(row, TestR2, number(hasTest ? test.energyR2 : nan, 4));
        const auto force = [nan](const RegressionMetrics& m, double value) {
            return number(m.configurations > 0 && m.forceComponents > 0 ? value : nan, 4);
        };
        setItem(row, TrainForceRmse, force(train, train.forceRmseEvPerA));
        setItem(row, TestForceRmse, force(test, test.forceRmseEvPerA));
        setItem(row, TrainForceMae, force(train, train.forceMaeEvPerA));
        setItem(row, TestForceMae, force(test, test.forceMaeEvPerA));
        const auto virial = [nan](const RegressionMetrics& m) {
            return number(m.virialConfigurations > 0 ? m.virialRmseMevPerAtom : nan, 2);
        };
        setItem(row, TrainVirialRmse, virial(train));
        setItem(row, TestVirialRmse, virial(test));
        setItem(row, Seconds, number(seconds, 2));
        setItem(row, Stop, new QTableWidgetItem(stop));
        return row;
    };
    // Below a method's row, one row per group of the run's group key when there are several:
    // its errors on the group's training and test configurations (— where a set has none).
    auto addGroups = [this, &addRow](int run, const QString& key, const QString& method,
                                     const std::array<std::vector<GroupMetrics>, 2>& groups) {
        std::vector<std::string> names;
        for (const auto& set : groups)
            for (const GroupMetrics& g : set)
                if (std::find(names.begin(), names.end(), g.group) == names.end())
                    names.push_back(g.group);
        if (names.size() < 2)
            return;
        auto find = [](const std::vector<GroupMetrics>& set, const std::string& name) {
            for (const GroupMetrics& g : set)
                if (g.group == name)
                    return g.metrics;
            return RegressionMetrics{};
        };
        for (const std::string& name : names) {
            const QString label =
                name.empty() ? tr("(no %1)").arg(key) : QString::fromStdString(name);
            const int row =
                addRow(run, QStringLiteral("   ↳ %1").arg(label), method, find(groups[0], name),
                       find(groups[1], name), std::nan(""), QString());
            item(row, Run)->setData(kGroupRole, QString::fromStdString(name));
            item(row, Run)->setToolTip(tr("Configurations whose %1 is “%2”").arg(key, label));
            for (int c = 0; c < ColumnCount; ++c)
                if (QTableWidgetItem* cell = item(row, c))
                    cell->setForeground(palette().color(QPalette::PlaceholderText));
        }
    };
    auto addRun = [&](int r, const TrainingRunRecord& run) {
        const QString key = QString::fromStdString(run.config.data.groupKey);
        if (run.linear.train.configurations > 0) {
            addRow(r, run.name, tr("linear"), run.linear.train, run.linear.test, run.linear.seconds,
                   QString());
            addGroups(r, key, tr("linear"), run.linearGroups);
        }
        if (run.finished) {
            addRow(r, run.name, tr("GCN"), run.gcnTrain, run.gcnTest, run.outcome.seconds,
                   QString::fromStdString(toString(run.outcome.stop)));
            addGroups(r, key, tr("GCN"), run.gcnGroups);
        }
    };
    for (int r = 0; r < static_cast<int>(runs.size()); ++r)
        addRun(r, runs[r]);
    // Earlier runs on the same data, below and greyed, newest first; they select no run.
    for (int r = static_cast<int>(earlier.size()) - 1; r >= 0; --r) {
        const int first = rowCount();
        addRun(kEarlierRun, earlier[r]);
        for (int row = first; row < rowCount(); ++row)
            for (int c = 0; c < ColumnCount; ++c)
                if (QTableWidgetItem* cell = item(row, c)) {
                    cell->setForeground(palette().color(QPalette::PlaceholderText));
                    if (c == Run)
                        cell->setToolTip(tr("An earlier Start on the same data"));
                }
    }
    for (int row = 0; row < rowCount(); ++row)
        if (item(row, Run)->data(kRunRole).toInt() == selected) {
            selectRow(row);
            break;
        }
}

int ResultsTable::selectedRun() const {
    const auto rows = selectionModel() ? selectionModel()->selectedRows() : QModelIndexList{};
    if (rows.isEmpty())
        return -1;
    const int run = item(rows.front().row(), Run)->data(kRunRole).toInt();
    return run == kEarlierRun ? -1 : run;
}

} // namespace graphace::ui
