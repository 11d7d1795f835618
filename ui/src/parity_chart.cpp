#include "graphace/ui/parity_chart.h"

#include "graphace/ui/chart_style.h"

#include <QChart>
#include <QLineSeries>
#include <QPen>
#include <QScatterSeries>
#include <QValueAxis>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace graphace::ui {

std::array<const ParityPoints*, ParityChart::SeriesCount>
ParityChart::sourcesOf(const TrainingRunRecord& run, Quantity q) {
    if (q == ParityChart::Forces)
        return {&run.gcnForceParityTrain, &run.gcnForceParityTest, &run.linearForceParityTrain,
                &run.linearForceParityTest};
    return {&run.gcnParityTrain, &run.gcnParityTest, &run.linearParityTrain, &run.linearParityTest};
}

bool ParityChart::hasPoints(const TrainingRunRecord& run, Quantity quantity) {
    for (const ParityPoints* p : sourcesOf(run, quantity))
        if (!p->referencePerAtom.empty())
            return true;
    return false;
}

QString ParityChart::title() const {
    return m_quantity == Forces ? tr("Parity (force components)") : tr("Parity (energy per atom)");
}

ParityChart::ParityChart(Quantity quantity, QWidget* parent)
    : QChartView(parent), m_quantity(quantity) {
    m_chart = newStyledChart(title());

    m_diagonal = new QLineSeries;
    m_diagonal->setName(tr("y = x"));
    m_diagonal->setPen(QPen(QColor(90, 90, 90), 1.2, Qt::DashLine));
    m_chart->addSeries(m_diagonal);

    const QString names[SeriesCount] = {tr("GCN train"), tr("GCN test"), tr("lin. train"),
                                        tr("lin. test")};
    // Filled circles for the GCN, tinted squares for the linear fit; blue train, red test.
    const QColor colours[SeriesCount] = {QColor(31, 119, 180), QColor(214, 39, 40),
                                         QColor(31, 119, 180), QColor(214, 39, 40)};
    for (int s = 0; s < SeriesCount; ++s) {
        auto* series = new QScatterSeries;
        series->setName(names[s]);
        const bool linear = s == LinearTrain || s == LinearTest;
        series->setMarkerShape(linear ? QScatterSeries::MarkerShapeRectangle
                                      : QScatterSeries::MarkerShapeCircle);
        series->setMarkerSize(linear ? 7.0 : 6.0);
        // Linear: a tint of the colour inside a full-colour border, so that its legend markers
        // are told apart too (a clear fill left two identical white squares there).
        QColor fill = colours[s];
        fill.setAlpha(60);
        series->setColor(linear ? fill : colours[s]);
        series->setBorderColor(colours[s]);
        if (linear)
            series->setPen(QPen(colours[s], 1.5));
        m_series[s] = series;
        m_chart->addSeries(series);
        // The nearest shown point of this series to the click (in axis units scaled by the
        // ranges, so that x and y count alike).
        connect(series, &QScatterSeries::clicked, this, [this, s](const QPointF& at) {
            const ParityPoints& p = m_points[s];
            const double sx = std::max(m_x->max() - m_x->min(), 1e-12);
            const double sy = std::max(m_y->max() - m_y->min(), 1e-12);
            int best = -1;
            double bestDistance = std::numeric_limits<double>::infinity();
            for (std::size_t i = 0; i < p.referencePerAtom.size(); ++i) {
                const double dx = (p.referencePerAtom[i] - at.x()) / sx;
                const double dy = (p.predictedPerAtom[i] - at.y()) / sy;
                if (dx * dx + dy * dy < bestDistance) {
                    bestDistance = dx * dx + dy * dy;
                    best = static_cast<int>(i);
                }
            }
            if (best >= 0)
                Q_EMIT pointClicked(static_cast<Series>(s), best);
        });
    }

    m_x = new QValueAxis;
    const QString unit = quantity == Forces ? tr("eV/Å") : tr("eV/atom");
    m_x->setTitleText(tr("reference (%1)").arg(unit));
    m_y = new QValueAxis;
    m_y->setTitleText(tr("predicted (%1)").arg(unit));
    for (QValueAxis* axis : {m_x, m_y}) {
        axis->setLabelFormat(quantity == Forces ? QStringLiteral("%.2f") : QStringLiteral("%.3f"));
        axis->setTickCount(5);
    }
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QAbstractSeries* s : m_chart->series()) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    setChart(m_chart);
    fitLegendToWidth(this);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(kCompactChartWidth, 150);
    clear();
}

void ParityChart::clear() {
    for (QScatterSeries* s : m_series)
        s->clear();
    for (ParityPoints& p : m_points)
        p = {};
    m_diagonal->clear();
    m_x->setRange(0, 1);
    m_y->setRange(0, 1);
    m_outside = 0;
    m_chart->setTitle(title());
}

void ParityChart::setRun(const TrainingRunRecord& run) {
    const auto sources = sourcesOf(run, m_quantity);
    double low = std::numeric_limits<double>::infinity();
    double high = -low;
    // The axes follow the reference values (and predictions close to them): a diverged
    // network predicting −10⁶ eV/atom must not squash the picture to a dot.
    for (const ParityPoints* p : sources)
        for (double y : p->referencePerAtom)
            if (std::isfinite(y)) {
                low = std::min(low, y);
                high = std::max(high, y);
            }
    const double span = std::isfinite(low) ? std::max(high - low, 1e-3) : 1.0;
    if (!std::isfinite(low)) {
        low = 0;
        high = 1;
    }
    const double lo = low - 0.6 * span, hi = high + 0.6 * span;
    double predictedLow = low, predictedHigh = high;
    int outside = 0;
    for (int s = 0; s < SeriesCount; ++s) {
        QList<QPointF> points;
        const ParityPoints& p = *sources[s];
        m_points[s] = p;
        const std::size_t n = std::min(p.referencePerAtom.size(), p.predictedPerAtom.size());
        points.reserve(static_cast<int>(n));
        for (std::size_t i = 0; i < n; ++i) {
            const double x = p.referencePerAtom[i], y = p.predictedPerAtom[i];
            if (!std::isfinite(x) || !std::isfinite(y))
                continue;
            points.append(QPointF(x, y));
            if (y >= lo && y <= hi) {
                predictedLow = std::min(predictedLow, y);
                predictedHigh = std::max(predictedHigh, y);
            } else {
                ++outside;
            }
        }
        m_series[s]->replace(points);
    }
    const double pad = 0.05 * span;
    const double a = std::min(low, predictedLow) - pad, b = std::max(high, predictedHigh) + pad;
    m_diagonal->replace({QPointF(a, a), QPointF(b, b)});
    m_x->setRange(a, b);
    m_y->setRange(a, b);
    m_outside = outside;
    const QString what = m_quantity == Forces ? tr("Force parity") : tr("Parity");
    m_chart->setTitle(
        outside == 0
            ? tr("%1 — %2").arg(what, run.name)
            : tr("%1 — %2 (%3 predictions off the scale)").arg(what, run.name).arg(outside));
}

} // namespace graphace::ui
