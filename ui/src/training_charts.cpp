#include "graphace/ui/training_charts.h"

#include "graphace/ui/chart_style.h"

#include <QChart>
#include <QChartView>
#include <QGridLayout>
#include <QLegendMarker>
#include <QLineSeries>
#include <QLogValueAxis>
#include <QPen>
#include <QTimer>
#include <QValueAxis>

#include <cmath>
#include <limits>

namespace graphace::ui {

namespace {

constexpr int kLossChart = 0, kRmseChart = 1, kForceChart = 2, kLearningRateChart = 3;
constexpr double kMaxLogLabels = 6;
constexpr double kLogAxisEndMargin = 0.97;

// One run: a colour per curve kind (the legend tells them apart by colour). Several runs: the
// run's colour, and the line style tells the kind.
const QColor kSingleRunColours[] = {QColor(31, 119, 180), QColor(214, 39, 40), QColor(44, 160, 44),
                                    QColor(255, 127, 14)};

int chartOf(int series) {
    if (series <= TrainingCharts::LinearTestLoss)
        return kLossChart;
    if (series <= TrainingCharts::LinearTestRmse)
        return kRmseChart;
    if (series <= TrainingCharts::LinearTestForceRmse)
        return kForceChart;
    return kLearningRateChart;
}

// The smallest of 1, 2, 5, 10, 20, ... epochs that puts at most six ticks on `span` epochs.
int niceEpochStep(int span) {
    for (int scale = 1;; scale *= 10)
        for (int step : {1, 2, 5})
            if (span / (step * scale) <= 6)
                return step * scale;
}

// An epoch's value on each curve the network draws.
std::array<std::pair<TrainingCharts::Series, double>, 7> curveValues(const EpochRecord& e) {
    return {{{TrainingCharts::TrainLoss, e.trainLoss},
             {TrainingCharts::TestLoss, e.testLoss},
             {TrainingCharts::TrainRmse, e.trainRmseMevPerAtom},
             {TrainingCharts::TestRmse, e.testRmseMevPerAtom},
             {TrainingCharts::TrainForceRmse, e.trainForceRmseEvPerA},
             {TrainingCharts::TestForceRmse, e.testForceRmseEvPerA},
             {TrainingCharts::LearningRate, e.learningRate}}};
}

bool isReference(int series) {
    return series == TrainingCharts::LinearTrainLoss || series == TrainingCharts::LinearTestLoss ||
           series == TrainingCharts::LinearTrainRmse || series == TrainingCharts::LinearTestRmse ||
           series == TrainingCharts::LinearTrainForceRmse ||
           series == TrainingCharts::LinearTestForceRmse;
}

Qt::PenStyle penStyle(int series) {
    switch (series) {
    case TrainingCharts::TestLoss:
    case TrainingCharts::TestRmse:
    case TrainingCharts::TestForceRmse:
        return Qt::DashLine;
    case TrainingCharts::LinearTrainLoss:
    case TrainingCharts::LinearTrainRmse:
    case TrainingCharts::LinearTrainForceRmse:
        return Qt::DotLine;
    case TrainingCharts::LinearTestLoss:
    case TrainingCharts::LinearTestRmse:
    case TrainingCharts::LinearTestForceRmse:
        return Qt::DashDotLine;
    default:
        return Qt::SolidLine;
    }
}

QString seriesLabel(int series) {
    switch (series) {
    case TrainingCharts::TrainLoss:
    case TrainingCharts::TrainRmse:
    case TrainingCharts::TrainForceRmse:
        return QObject::tr("GCN train");
    case TrainingCharts::TestLoss:
    case TrainingCharts::TestRmse:
    case TrainingCharts::TestForceRmse:
        return QObject::tr("GCN test");
    case TrainingCharts::LinearTrainLoss:
    case TrainingCharts::LinearTrainRmse:
    case TrainingCharts::LinearTrainForceRmse:
        return QObject::tr("lin. train");
    case TrainingCharts::LinearTestLoss:
    case TrainingCharts::LinearTestRmse:
    case TrainingCharts::LinearTestForceRmse:
        return QObject::tr("lin. test");
    default:
        return QObject::tr("learning rate");
    }
}

// Positive and finite: what a log axis can show.
bool plottable(double y) {
    return std::isfinite(y) && y > 0;
}

} // namespace

void TrainingCharts::Range::add(double y) {
    if (!plottable(y))
        return;
    minimum = empty ? y : std::min(minimum, y);
    maximum = empty ? y : std::max(maximum, y);
    empty = false;
}

QColor TrainingCharts::runColour(int run) {
    static const QColor palette[] = {
        QColor(31, 119, 180),  QColor(214, 39, 40), QColor(44, 160, 44),   QColor(255, 127, 14),
        QColor(148, 103, 189), QColor(140, 86, 75), QColor(227, 119, 194), QColor(23, 190, 207),
        QColor(127, 127, 127), QColor(188, 189, 34)};
    return palette[run % (sizeof(palette) / sizeof(palette[0]))];
}

TrainingCharts::TrainingCharts(QWidget* parent) : QWidget(parent) {
    const QString titles[kChartCount] = {tr("Loss"), tr("Energy RMSE"), tr("Force RMSE"),
                                         tr("Learning rate")};
    const QString yTitles[kChartCount] = {tr("loss (eV²)"), tr("RMSE (meV/atom)"),
                                          tr("RMSE (eV/Å)"), tr("learning rate")};
    auto* layout = new QGridLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    for (int c = 0; c < kChartCount; ++c) {
        QChart* chart = newStyledChart(titles[c]);
        auto* x = new QValueAxis;
        x->setTitleText(tr("epoch"));
        x->setLabelFormat(QStringLiteral("%d"));
        x->setRange(1, 10);
        auto* y = new QLogValueAxis;
        y->setTitleText(yTitles[c]);
        y->setLabelFormat(QStringLiteral("%.3g"));
        y->setBase(10);
        y->setRange(1e-3, 1);
        chart->addAxis(x, Qt::AlignBottom);
        chart->addAxis(y, Qt::AlignLeft);
        auto* view = new QChartView(chart, this);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumSize(kChartMinimumWidth, 140);
        m_charts[c] = chart;
        m_views[c] = view;
        fitLegendToWidth(view);
        m_x[c] = x;
        m_y[c] = y;
    }
    m_layout = layout;
    // Two charts side by side at the least; arrangeCharts() puts them all in one row where
    // the width allows. A fixed minimum, not the grid's: the grid's would follow the arrangement
    // and a one-row grid could then never become narrow enough to wrap.
    setMinimumWidth(2 * kChartMinimumWidth + layout->spacing());
    // Energies-only runs (most of the study's) have nothing to show there.
    updateForceChartVisibility();

    m_timer = new QTimer(this);
    m_timer->setSingleShot(true);
    m_timer->setInterval(kRedrawIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &TrainingCharts::flush);
}

void TrainingCharts::setLossUnit(const QString& unit) {
    m_y[kLossChart]->setTitleText(tr("loss (%1)").arg(unit));
}

void TrainingCharts::clear() {
    m_timer->stop();
    for (QChart* chart : m_charts)
        chart->removeAllSeries(); // deletes them
    m_runs.clear();
    m_earlier.clear();
    m_ranges = {};
    m_maxEpoch = 0;
    rescale();
    updateForceChartVisibility();
}

int TrainingCharts::addRun(const QString& name) {
    const int index = runCount();
    Run run;
    run.name = name;
    run.reference.fill(std::numeric_limits<double>::quiet_NaN());
    const QColor colour = runColour(index);
    for (int s = 0; s < SeriesCount; ++s) {
        auto* series = new QLineSeries;
        series->setName(s == LearningRate ? name : seriesLabel(s));
        QPen pen(colour, isReference(s) ? 1.6 : 2.0, penStyle(s));
        series->setPen(pen);
        QChart* chart = m_charts[chartOf(s)];
        chart->addSeries(series);
        series->attachAxis(m_x[chartOf(s)]);
        series->attachAxis(m_y[chartOf(s)]);
        run.series[s] = series;
    }
    m_runs.push_back(std::move(run));
    updateLegends();
    return index;
}

void TrainingCharts::updateLegends() {
    // One run: a marker per curve kind. Several: one marker per run (its GCN train curve),
    // named by the run; the line styles say which curve is which.
    const bool several = m_runs.size() > 1;
    for (std::size_t r = 0; r < m_runs.size(); ++r) {
        const Run& run = m_runs[r];
        for (int s = 0; s < SeriesCount; ++s) {
            QLineSeries* series = run.series[s];
            QPen pen = series->pen();
            pen.setColor(several || s == LearningRate ? runColour(static_cast<int>(r))
                                                      : kSingleRunColours[(s - TrainLoss) % 4]);
            series->setPen(pen);
            const bool primary =
                s == TrainLoss || s == TrainRmse || s == TrainForceRmse || s == LearningRate;
            series->setName(
                several ? (primary ? run.name : seriesLabel(s) + QStringLiteral(" ") + run.name)
                        : (s == LearningRate ? run.name : seriesLabel(s)));
            for (QLegendMarker* marker : m_charts[chartOf(s)]->legend()->markers(series))
                showLegendEntry(marker, !several || primary);
        }
    }
    for (int c = 0; c < kChartCount; ++c)
        setLegendWanted(m_views[c], c != kLearningRateChart || several);
    const QString styles = tr(" (solid: train, dashed: test, dotted: linear)");
    m_charts[kLossChart]->setTitle(tr("Loss") + (several ? styles : QString()));
    m_charts[kRmseChart]->setTitle(tr("Energy RMSE") + (several ? styles : QString()));
    m_charts[kForceChart]->setTitle(tr("Force RMSE") + (several ? styles : QString()));
}

void TrainingCharts::setLinearReference(int run, double trainLoss, double testLoss,
                                        double trainRmse, double testRmse, double trainForceRmse,
                                        double testForceRmse) {
    if (run < 0 || run >= runCount())
        return;
    Run& r = m_runs[run];
    r.reference[LinearTrainLoss] = trainLoss;
    r.reference[LinearTestLoss] = testLoss;
    r.reference[LinearTrainRmse] = trainRmse;
    r.reference[LinearTestRmse] = testRmse;
    r.reference[LinearTrainForceRmse] = trainForceRmse;
    r.reference[LinearTestForceRmse] = testForceRmse;
    m_ranges[kLossChart].add(trainLoss);
    m_ranges[kLossChart].add(testLoss);
    m_ranges[kRmseChart].add(trainRmse);
    m_ranges[kRmseChart].add(testRmse);
    m_ranges[kForceChart].add(trainForceRmse);
    m_ranges[kForceChart].add(testForceRmse);
    if (!m_timer->isActive())
        m_timer->start();
}

double TrainingCharts::linearReference(int run, Series series) const {
    if (run < 0 || run >= runCount() || !isReference(series))
        return std::numeric_limits<double>::quiet_NaN();
    return m_runs[run].reference[series];
}

void TrainingCharts::addEpoch(int run, const EpochRecord& record) {
    if (run < 0 || run >= runCount())
        return;
    Run& r = m_runs[run];
    const double x = record.epoch;
    for (const auto& [series, y] : curveValues(record))
        if (plottable(y))
            r.pending[series].append(QPointF(x, y));
    r.lastEpoch = std::max(r.lastEpoch, record.epoch);
    if (!m_timer->isActive())
        m_timer->start();
}

int TrainingCharts::pendingPoints() const {
    int n = 0;
    for (const Run& r : m_runs)
        for (const auto& list : r.pending)
            n += list.size();
    return n;
}

void TrainingCharts::flush() {
    m_timer->stop();
    for (QChartView* view : m_views) // entries come with runs and with the linear fit
        fitLegendToWidth(view);
    for (Run& r : m_runs)
        for (int s = 0; s < SeriesCount; ++s) {
            if (r.pending[s].isEmpty())
                continue;
            for (const QPointF& p : r.pending[s])
                m_ranges[chartOf(s)].add(p.y());
            // replace() is one change signal; append(list) would signal (and relayout) per point.
            r.series[s]->replace(r.series[s]->points() + r.pending[s]);
            r.pending[s].clear();
        }
    for (const Run& r : m_runs)
        m_maxEpoch = std::max(m_maxEpoch, r.lastEpoch);
    updateReferenceLines();
    rescale();
    updateForceChartVisibility();
    ++m_redraws;
}

void TrainingCharts::setEarlierRuns(const std::vector<EarlierRun>& runs) {
    for (const auto& earlier : m_earlier)
        for (int s = 0; s < SeriesCount; ++s)
            if (earlier[s]) {
                m_charts[chartOf(s)]->removeSeries(earlier[s]);
                delete earlier[s];
            }
    m_earlier.clear();
    for (std::size_t r = 0; r < runs.size(); ++r) {
        std::array<QLineSeries*, SeriesCount> drawn{};
        // Faded, thin: the current runs stay in front.
        QColor colour = runColour(static_cast<int>(r) + 5);
        colour.setAlpha(140);
        std::array<QList<QPointF>, SeriesCount> points;
        for (const EpochRecord& e : runs[r].history)
            for (const auto& [s, y] : curveValues(e))
                if (s != LearningRate && plottable(y)) { // one schedule is enough to show
                    points[s].append(QPointF(e.epoch, y));
                    m_ranges[chartOf(s)].add(y);
                    m_maxEpoch = std::max(m_maxEpoch, e.epoch);
                }
        for (int s = 0; s < SeriesCount; ++s) {
            if (points[s].isEmpty())
                continue;
            auto* series = new QLineSeries;
            series->setPen(QPen(colour, 1.2, penStyle(s)));
            series->setName(runs[r].name);
            QChart* chart = m_charts[chartOf(s)];
            chart->addSeries(series);
            series->attachAxis(m_x[chartOf(s)]);
            series->attachAxis(m_y[chartOf(s)]);
            series->replace(points[s]);
            drawn[s] = series;
        }
        // One legend entry per earlier run, on the loss chart (its test curve, else its train).
        const int named = drawn[TestLoss] ? TestLoss : TrainLoss;
        for (int s = 0; s < SeriesCount; ++s)
            if (drawn[s])
                for (QLegendMarker* marker : m_charts[chartOf(s)]->legend()->markers(drawn[s]))
                    showLegendEntry(marker, s == named);
        m_earlier.push_back(drawn);
    }
    for (QChartView* view : m_views)
        fitLegendToWidth(view);
    rescale();
    updateForceChartVisibility();
}

QLineSeries* TrainingCharts::earlierSeries(int run, Series series) const {
    if (run < 0 || run >= earlierRunCount() || series < 0 || series >= SeriesCount)
        return nullptr;
    return m_earlier[run][series];
}

bool TrainingCharts::hasForceCurves() const {
    for (const Run& r : m_runs)
        for (int s : {TrainForceRmse, TestForceRmse, LinearTrainForceRmse, LinearTestForceRmse})
            if (r.series[s]->count() > 0)
                return true;
    for (const auto& earlier : m_earlier)
        if (earlier[TrainForceRmse] || earlier[TestForceRmse])
            return true;
    return false;
}

void TrainingCharts::updateForceChartVisibility() {
    m_forceChartShown = hasForceCurves();
    m_views[kForceChart]->setVisible(m_forceChartShown);
    arrangeCharts();
}

void TrainingCharts::resizeEvent(QResizeEvent* event) {
    QWidget::resizeEvent(event);
    arrangeCharts();
}

void TrainingCharts::arrangeCharts() {
    std::vector<QChartView*> shown;
    for (int c : {kLossChart, kRmseChart, kForceChart, kLearningRateChart})
        if (c != kForceChart || m_forceChartShown)
            shown.push_back(m_views[c]);
    const int count = static_cast<int>(shown.size());
    const int oneRowWidth = count * kChartMinimumWidth * 3 / 2 + (count - 1) * m_layout->spacing();
    const int columns = width() >= oneRowWidth ? count : 2;
    if (columns == m_columns && m_arranged == count)
        return;
    m_columns = columns;
    m_arranged = count;
    for (QChartView* view : m_views)
        m_layout->removeWidget(view);
    for (int c = 0; c < 4; ++c) {
        m_layout->setColumnStretch(c, 0);
        m_layout->setRowStretch(c, 0);
    }
    for (int i = 0; i < count; ++i)
        m_layout->addWidget(shown[i], i / columns, i % columns);
    for (int c = 0; c < columns; ++c)
        // In one row the learning rate (one curve, no legend) is the narrowest.
        m_layout->setColumnStretch(
            c, columns == count && shown[c] == m_views[kLearningRateChart] ? 2 : 3);
    for (int r = 0; r < (count + columns - 1) / columns; ++r)
        m_layout->setRowStretch(r, 1);
}

void TrainingCharts::updateReferenceLines() {
    const double right = std::max(2, m_maxEpoch);
    for (Run& r : m_runs)
        for (int s : {LinearTrainLoss, LinearTestLoss, LinearTrainRmse, LinearTestRmse,
                      LinearTrainForceRmse, LinearTestForceRmse}) {
            const double y = r.reference[s];
            if (plottable(y))
                r.series[s]->replace({QPointF(1, y), QPointF(right, y)});
            else
                r.series[s]->clear();
        }
}

void TrainingCharts::rescale() {
    for (int c = 0; c < kChartCount; ++c) {
        const int lastEpoch = std::max(2, m_maxEpoch);
        m_x[c]->setRange(1, lastEpoch);
        // Whole epochs 1, 2, 5 × 10^k apart: fixed tick counts put ticks at fractions of an
        // epoch, which the integer labels printed as "1 1 2 3 4".
        m_x[c]->setTickType(QValueAxis::TicksDynamic);
        m_x[c]->setTickAnchor(0);
        m_x[c]->setTickInterval(niceEpochStep(lastEpoch - 1));
        const Range& range = m_ranges[c];
        if (range.empty) {
            m_y[c]->setRange(1e-3, 1);
            continue;
        }
        // Whole decades, so that the axis does not jump with every new minimum. A range of many
        // decades (a linear fit that interpolates its training set has a loss of 1e-20) gets
        // one label every few decades instead of labels too dense to read.
        const double decades = std::max(1.0, std::ceil(std::log10(range.maximum)) -
                                                 std::floor(std::log10(range.minimum)));
        const double step = std::ceil(decades / kMaxLogLabels);
        const double base = std::pow(10.0, step);
        double low = std::pow(base, std::floor(std::log10(range.minimum) / step));
        double high = std::pow(base, std::ceil(std::log10(range.maximum) / step));
        if (high <= low)
            high = low * base;
        m_y[c]->setBase(base);
        m_y[c]->setMinorTickCount(step > 1 ? 0 : -1);
        // A hair below the lowest decade: Qt Charts hides a label that sits exactly on the
        // axis end when rounding puts it half a pixel outside, which dropped the lowest decade's.
        m_y[c]->setRange(low * kLogAxisEndMargin, high);
    }
}

QLineSeries* TrainingCharts::series(int run, Series series) const {
    if (run < 0 || run >= runCount() || series < 0 || series >= SeriesCount)
        return nullptr;
    return m_runs[run].series[series];
}

} // namespace graphace::ui
