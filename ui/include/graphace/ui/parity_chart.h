#pragma once
// Parity plot of one run: predicted against reference energy per atom (or force component) for
// the GCN and the linear fit, training and test sets, with the line y = x (perfect prediction).

#include "graphace/ui/training_run.h"

#include <QChartView>

#include <array>

class QChart;
class QLineSeries;
class QScatterSeries;
class QValueAxis;

namespace graphace::ui {

class ParityChart : public QChartView {
    Q_OBJECT
public:
    enum Series { GcnTrain, GcnTest, LinearTrain, LinearTest, SeriesCount };
    enum Quantity { Energy, Forces };

    explicit ParityChart(Quantity quantity = Energy, QWidget* parent = nullptr);
    Quantity quantity() const { return m_quantity; }
    // Whether the run has points of this chart's quantity (forces: only runs with forces).
    static bool hasPoints(const TrainingRunRecord& run, Quantity quantity);
    // The run's points of a quantity, in Series order.
    static std::array<const ParityPoints*, SeriesCount> sourcesOf(const TrainingRunRecord& run,
                                                                  Quantity quantity);

    // Shows the run's parity points (the GCN's only once it finished).
    void setRun(const TrainingRunRecord& run);
    void clear();

    QScatterSeries* series(Series series) const { return m_series[series]; }
    // The points of a series as given by the run (index = pointClicked's index).
    const ParityPoints& shownPoints(Series series) const { return m_points[series]; }
    QLineSeries* diagonal() const { return m_diagonal; }
    QValueAxis* xAxis() const { return m_x; }
    QValueAxis* yAxis() const { return m_y; }
    // Points beyond the plotted range (far-off predictions; the title says how many).
    int pointsOffScale() const { return m_outside; }

Q_SIGNALS:
    // A point was clicked: its series and its index in that set's ParityPoints (for energies:
    // the configuration's position in the run's training or test set).
    void pointClicked(graphace::ui::ParityChart::Series series, int index);

private:
    QString title() const;
    Quantity m_quantity = Energy;
    QChart* m_chart = nullptr;
    QScatterSeries* m_series[SeriesCount] = {};
    QLineSeries* m_diagonal = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    int m_outside = 0;
    ParityPoints m_points[SeriesCount]; // as shown, to map a clicked point back to its index
};

} // namespace graphace::ui
