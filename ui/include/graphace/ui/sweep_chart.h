#pragma once
// A sweep's outcome against the swept value: the final energy MAE (meV/atom) or force MAE
// (eV/Å) of the GCN and of the linear fit on the same descriptors (test set, else training set;
// left axis) and the graph's mean degree (right axis), one point per finished run. For a cutoff
// sweep this is the picture that tunes the adjacency threshold: what message passing gains against
// how connected the graph becomes.

#include "graphace/ui/parity_chart.h"
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
    explicit SweepChart(ParityChart::Quantity quantity = ParityChart::Energy,
                        QWidget* parent = nullptr);
    ParityChart::Quantity quantity() const { return m_quantity; }

    // Plots the runs that are finished, have a numeric sweep value (TrainingRunRecord::
    // sweepValue) and an error of this chart's quantity; returns how many points were plotted.
    int setRuns(const std::vector<TrainingRunRecord>& runs);
    void clear();

    QLineSeries* gcnSeries() const { return m_gcn; }
    QLineSeries* linearSeries() const { return m_linear; }
    QLineSeries* degreeSeries() const { return m_degree; }

private:
    QString emptyTitle() const;
    ParityChart::Quantity m_quantity;
    QChart* m_chart = nullptr;
    QLineSeries* m_gcn = nullptr;
    QLineSeries* m_linear = nullptr;
    QLineSeries* m_degree = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_error = nullptr;
    QValueAxis* m_degreeAxis = nullptr;
};

// The MAE a sweep plots for a run: energy (meV/atom) or force components (eV/Å), test set when
// it has one, else training set (NaN for an unfinished run and for forces without any).
double sweepMae(const TrainingRunRecord& run, bool linear, ParityChart::Quantity quantity);
// The training graph's mean degree (NaN when the prepared data is gone, e.g. a loaded session).
double sweepMeanDegree(const TrainingRunRecord& run);

} // namespace graphace::ui
