#pragma once
// Results of the runs: one row per run and method (linear least squares / GCN) with train and
// test energy RMSE and MAE in meV/atom, R², force and virial errors and seconds; below it, when
// the data has several groups of the run's data.group_key (config_type), one row per group.

#include "graphace/ui/training_run.h"

#include <QTableWidget>

#include <vector>

namespace graphace::ui {

class ResultsTable : public QTableWidget {
    Q_OBJECT
public:
    enum Column {
        Run,
        Method,
        TrainRmse,
        TestRmse,
        TrainMae,
        TestMae,
        TrainR2,
        TestR2,
        TrainForceRmse,
        TestForceRmse,
        TrainForceMae,
        TestForceMae,
        TrainVirialRmse,
        TestVirialRmse,
        Seconds,
        Stop,
        ColumnCount
    };

    // On a group row's Run item: the group's value of the key (absent on a method's row).
    static constexpr int kGroupRole = Qt::UserRole + 2;

    explicit ResultsTable(QWidget* parent = nullptr);

    // Rows for every run: its linear fit once fitted (configurations > 0), its GCN once
    // finished.
    // `earlier`: runs of earlier Starts on the same data, listed below in grey (newest first).
    void setRuns(const std::vector<TrainingRunRecord>& runs,
                 const std::vector<TrainingRunRecord>& earlier = {});
    // Index (into the runs given) of the selected row's run; -1 when none is selected.
    int selectedRun() const;

Q_SIGNALS:
    void runSelected(int run);
};

} // namespace graphace::ui
