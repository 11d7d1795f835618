#pragma once
// A sweep's outcome against the swept value: the final energy MAE of the GCN and of the linear
// fit on the same descriptors (test set, else training set; meV/atom, left axis) and the
// graph's mean degree (right axis), one point per finished run. For a cutoff sweep this is the
// picture that tunes the adjacency threshold: what message passing gains against how connected
// the graph becomes.

#include "graphace/ui/training_run.h"

#include <QChartView>

#include <vector>

class QChart;
class QLineSeries;
class QValueAxis;

namespace graphace::ui {

class SweepChart : public QChartView {
    Q_OBJECT
public:
    explicit SweepChart(QWidget* parent = nullptr);

    // Plots the runs that are finished and have a numeric sweep value (TrainingRunRecord::
    // sweepValue); returns how many points were plotted.
    int setRuns(const std::vector<TrainingRunRecord>& runs);
    void clear();

    QLineSeries* gcnSeries() const { return m_gcn; }
    QLineSeries* linearSeries() const { return m_linear; }
    QLineSeries* degreeSeries() const { return m_degree; }

private:
    QChart* m_chart = nullptr;
    QLineSeries* m_gcn = nullptr;
    QLineSeries* m_linear = nullptr;
    QLineSeries* m_degree = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_error = nullptr;
    QValueAxis* m_degreeAxis = nullptr;
};

// The energy MAE a sweep plots for a run: test set when it has one, else training set (NaN for
// an unfinished run).
double sweepEnergyMae(const TrainingRunRecord& run, bool linear);
// The training graph's mean degree (NaN when the prepared data is gone, e.g. a loaded session).
double sweepMeanDegree(const TrainingRunRecord& run);

} // namespace graphace::ui
