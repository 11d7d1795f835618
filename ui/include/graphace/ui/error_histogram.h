#pragma once
// Distribution of a run's prediction errors (predicted − reference): energy per atom in meV/atom
// or force components in eV/Å, for the GCN and the linear fit on the training and test sets,
// drawn as step outlines over common bins. Heights are percentages of each set, so sets of
// different sizes compare. Shown beside the parity plot of the same quantity.

#include "graphace/ui/parity_chart.h"
#include "graphace/ui/training_run.h"

#include <QChartView>

#include <vector>

class QChart;
class QLineSeries;
class QValueAxis;

namespace graphace::ui {

class ErrorHistogram : public QChartView {
    Q_OBJECT
public:
    static constexpr int kBins = 31; // odd: one bin is centred on zero error

    explicit ErrorHistogram(ParityChart::Quantity quantity = ParityChart::Energy,
                            QWidget* parent = nullptr);
    ParityChart::Quantity quantity() const { return m_quantity; }

    // The errors of the run's parity points (the GCN's only once it finished).
    void setRun(const TrainingRunRecord& run);
    void clear();

    // Bin edges (kBins + 1, symmetric about 0, in the axis unit) and each series' counts.
    const std::vector<double>& edges() const { return m_edges; }
    const std::vector<int>& counts(ParityChart::Series series) const { return m_counts[series]; }
    // Errors beyond the outer edges (the title says how many).
    int errorsOffScale() const { return m_outside; }
    QLineSeries* series(ParityChart::Series series) const { return m_series[series]; }

private:
    QString title() const;
    ParityChart::Quantity m_quantity;
    QChart* m_chart = nullptr;
    QLineSeries* m_series[ParityChart::SeriesCount] = {};
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    std::vector<double> m_edges;
    std::vector<int> m_counts[ParityChart::SeriesCount];
    int m_outside = 0;
};

// predicted − reference of each point, in the histogram's unit (meV/atom for energies, eV/Å
// for forces); non-finite pairs are left out.
std::vector<double> parityErrors(const ParityPoints& points, ParityChart::Quantity quantity);

} // namespace graphace::ui
