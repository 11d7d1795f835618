#pragma once
// Live training curves (Qt Charts): loss per epoch (train / test, log scale) with the linear
// least-squares fit's train / test loss as horizontal reference lines, energy RMSE in meV/atom
// (GCN train / test + linear lines, log scale), force RMSE in eV/Å (the same curves; shown
// once a run has forces) and the learning rate (log scale).
//
// Epochs arrive faster than a person can read and every QLineSeries change repaints, so points
// are buffered and applied with one rescale on a timer, at most 1000 / kRedrawIntervalMs times
// per second. Several runs (a sweep) overlay: one colour per run; solid = GCN train,
// dashed = GCN test, dotted = linear train, dash-dot = linear test.

#include "graphace/gcn_trainer.h"

#include <QColor>
#include <QList>
#include <QPointF>
#include <QString>
#include <QWidget>

class QGridLayout;

#include <array>
#include <limits>
#include <vector>

class QChart;
class QChartView;
class QLineSeries;
class QLogValueAxis;
class QTimer;
class QValueAxis;

namespace graphace::ui {

class TrainingCharts : public QWidget {
    Q_OBJECT
public:
    enum Series {
        TrainLoss,
        TestLoss,
        LinearTrainLoss,
        LinearTestLoss,
        TrainRmse,
        TestRmse,
        LinearTrainRmse,
        LinearTestRmse,
        TrainForceRmse,
        TestForceRmse,
        LinearTrainForceRmse,
        LinearTestForceRmse,
        LearningRate,
        SeriesCount
    };
    static constexpr int kRedrawIntervalMs = 250;

    explicit TrainingCharts(QWidget* parent = nullptr);

    void clear();
    // A new run (curves in the next colour); returns its index.
    int addRun(const QString& name);
    int runCount() const { return static_cast<int>(m_runs.size()); }
    QString runName(int run) const { return m_runs.at(run).name; }
    static QColor runColour(int run);

    // Horizontal lines at the linear fit's values (NaN: no line, e.g. no test set).
    void setLinearReference(int run, double trainLoss, double testLoss, double trainRmse,
                            double testRmse, double trainForceRmse = kNoValue,
                            double testForceRmse = kNoValue);
    static constexpr double kNoValue = std::numeric_limits<double>::quiet_NaN();
    double linearReference(int run, Series series) const;
    // Buffered; drawn at the next redraw.
    void addEpoch(int run, const EpochRecord& record);
    // Applies what is buffered now (the timer does it otherwise).
    void flush();
    // "eV²" or "(eV/atom)²": the unit of the loss axis.
    void setLossUnit(const QString& unit);

    QChartView* lossView() const { return m_views[0]; }
    QChartView* rmseView() const { return m_views[1]; }
    // Shown (and exported) only while a run has force curves or a linear force reference.
    QChartView* forceRmseView() const { return m_views[2]; }
    bool hasForceCurves() const;
    QChartView* learningRateView() const { return m_views[3]; }
    QLineSeries* series(int run, Series series) const;
    int pendingPoints() const;
    int redrawCount() const { return m_redraws; }
    // Curves of earlier Starts, drawn thin and faded under the current runs for comparison:
    // train and test loss and RMSEs (no learning rate), one legend entry per run on the loss
    // chart. Replaces the earlier ones; clear() removes them.
    struct EarlierRun {
        QString name;
        std::vector<EpochRecord> history;
    };
    void setEarlierRuns(const std::vector<EarlierRun>& runs);
    int earlierRunCount() const { return static_cast<int>(m_earlier.size()); }
    // The series of earlier run `run` for `series` (a GCN curve, not linear or learning rate).
    QLineSeries* earlierSeries(int run, Series series) const;

protected:
    void resizeEvent(QResizeEvent* event) override;

private:
    struct Run {
        QString name;
        std::array<QLineSeries*, SeriesCount> series{};
        std::array<QList<QPointF>, SeriesCount> pending;
        std::array<double, SeriesCount> reference;
        int lastEpoch = 0;
    };
    struct Range {
        double minimum = 0, maximum = 0;
        bool empty = true;
        void add(double y);
    };
    static constexpr int kChartCount = 4;
    void updateReferenceLines();
    void updateForceChartVisibility();
    void rescale();
    void updateLegends();

    std::array<QChart*, kChartCount> m_charts{};
    std::array<QChartView*, kChartCount> m_views{};
    std::array<QValueAxis*, kChartCount> m_x{};
    std::array<QLogValueAxis*, kChartCount> m_y{};
    std::array<Range, kChartCount> m_ranges;
    std::vector<Run> m_runs;
    std::vector<std::array<QLineSeries*, SeriesCount>> m_earlier; // null where not drawn
    QTimer* m_timer = nullptr;
    QGridLayout* m_layout = nullptr;
    // The charts in one row where the width allows, else two per row (narrow windows).
    void arrangeCharts();
    static constexpr int kChartMinimumWidth = 140;
    int m_columns = 0;  // of the current arrangement
    int m_arranged = 0; // charts it placed
    bool m_forceChartShown = false;
    int m_maxEpoch = 0;
    int m_redraws = 0;
};

} // namespace graphace::ui
