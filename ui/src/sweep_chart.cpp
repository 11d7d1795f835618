#include "graphace/ui/sweep_chart.h"

#include "graphace/ui/chart_style.h"

#include <QChart>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>

namespace graphace::ui {

double sweepMae(const TrainingRunRecord& run, bool linear, ParityChart::Quantity quantity) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    if (!run.finished)
        return nan;
    const RegressionMetrics& test = linear ? run.linear.test : run.gcnTest;
    const RegressionMetrics& train = linear ? run.linear.train : run.gcnTrain;
    const RegressionMetrics& m = test.configurations > 0 ? test : train;
    if (quantity == ParityChart::Energy)
        return m.energyMaeMevPerAtom;
    return m.forceComponents > 0 ? m.forceMaeEvPerA : nan;
}

double sweepMeanDegree(const TrainingRunRecord& run) {
    return run.prepared ? run.prepared->graphStatistics.meanDegree
                        : std::numeric_limits<double>::quiet_NaN();
}

QString SweepChart::emptyTitle() const {
    return m_quantity == ParityChart::Forces ? tr("Sweep (forces)") : tr("Sweep");
}

SweepChart::SweepChart(ParityChart::Quantity quantity, QWidget* parent)
    : QChartView(parent), m_quantity(quantity) {
    m_chart = newStyledChart(emptyTitle());

    m_gcn = new QLineSeries;
    m_gcn->setName(tr("GCN"));
    m_gcn->setPen(QPen(QColor(214, 39, 40), 2));
    m_gcn->setPointsVisible(true);
    m_linear = new QLineSeries;
    m_linear->setName(tr("linear"));
    m_linear->setPen(QPen(QColor(44, 160, 44), 2, Qt::DashLine));
    m_linear->setPointsVisible(true);
    m_degree = new QLineSeries;
    m_degree->setName(tr("mean degree"));
    m_degree->setPen(QPen(QColor(120, 120, 120), 1.5, Qt::DotLine));
    m_degree->setPointsVisible(true);
    for (QLineSeries* s : {m_gcn, m_linear, m_degree})
        m_chart->addSeries(s);

    m_x = new QValueAxis;
    m_error = new QValueAxis;
    m_degreeAxis = new QValueAxis;
    // The y axes have no titles: the chart's title names the error and its unit, the legend's
    // grey "mean degree" the right axis. Titles would widen the chart past what a 1024-pixel
    // screen leaves for four columns.
    m_degreeAxis->setLabelsColor(QColor(120, 120, 120));
    // Short labels: a wide error range must not crowd out the plot.
    m_x->setLabelFormat(QStringLiteral("%.3g"));
    m_error->setLabelFormat(QStringLiteral("%g"));
    m_degreeAxis->setLabelFormat(QStringLiteral("%g"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_error, Qt::AlignLeft);
    m_chart->addAxis(m_degreeAxis, Qt::AlignRight);
    for (QLineSeries* s : {m_gcn, m_linear}) {
        s->attachAxis(m_x);
        s->attachAxis(m_error);
    }
    m_degree->attachAxis(m_x);
    m_degree->attachAxis(m_degreeAxis);
    setChart(m_chart);
    fitLegendToWidth(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(kCompactChartWidth, 150);
}

void SweepChart::clear() {
    for (QLineSeries* s : {m_gcn, m_linear, m_degree})
        s->clear();
    m_chart->setTitle(emptyTitle());
}

int SweepChart::setRuns(const std::vector<TrainingRunRecord>& runs) {
    clear();
    QString key;
    bool tested = false;
    struct Range {
        double lo = std::numeric_limits<double>::infinity();
        double hi = -std::numeric_limits<double>::infinity();
        void add(double v) {
            if (std::isfinite(v)) {
                lo = std::min(lo, v);
                hi = std::max(hi, v);
            }
        }
    } x, error, degree;
    int points = 0;
    for (const TrainingRunRecord& run : runs) {
        const double value = run.sweepValue;
        const double gcn = sweepMae(run, false, m_quantity);
        if (!std::isfinite(value) || !std::isfinite(gcn))
            continue;
        key = run.sweepKey;
        tested = tested || run.gcnTest.configurations > 0;
        m_gcn->append(value, gcn);
        x.add(value);
        error.add(gcn);
        const double linear = sweepMae(run, true, m_quantity);
        if (std::isfinite(linear)) {
            m_linear->append(value, linear);
            error.add(linear);
        }
        const double meanDegree = sweepMeanDegree(run);
        if (std::isfinite(meanDegree)) {
            m_degree->append(value, meanDegree);
            degree.add(meanDegree);
        }
        ++points;
    }
    if (points == 0)
        return 0;
    // The error and its unit first: a narrow chart elides the title's end.
    m_chart->setTitle(tr("%1, final %2, against %3")
                          .arg(m_quantity == ParityChart::Forces ? tr("Force MAE (eV/Å)")
                                                                 : tr("Energy MAE (meV/atom)"),
                               tested ? tr("test") : tr("training"), key));
    m_x->setTitleText(key);
    // Margins so that points on the edges stay visible; a single point gets a range around it.
    auto pad = [](const Range& r, double floor) {
        const double span = std::max(r.hi - r.lo, std::max(std::abs(r.hi) * 0.1, floor));
        return std::pair<double, double>{r.lo - 0.08 * span, r.hi + 0.08 * span};
    };
    const auto [x0, x1] = pad(x, 1e-3);
    m_x->setRange(x0, x1);
    // Round tick values (0, 5000, 10000, ...) keep the labels short.
    m_error->setRange(0, error.hi * 1.1 + 1e-9);
    m_error->applyNiceNumbers();
    if (std::isfinite(degree.hi)) {
        m_degreeAxis->setRange(0, degree.hi * 1.1 + 1e-9);
        m_degreeAxis->applyNiceNumbers();
    }
    return points;
}

} // namespace graphace::ui
