#include "graphace/ui/error_histogram.h"

#include "graphace/ui/chart_style.h"

#include <QChart>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>
#include <cmath>

namespace graphace::ui {

std::vector<double> parityErrors(const ParityPoints& points, ParityChart::Quantity quantity) {
    const double scale = quantity == ParityChart::Energy ? 1000.0 : 1.0;
    std::vector<double> errors;
    const std::size_t n = std::min(points.referencePerAtom.size(), points.predictedPerAtom.size());
    errors.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        const double e = scale * (points.predictedPerAtom[i] - points.referencePerAtom[i]);
        if (std::isfinite(e))
            errors.push_back(e);
    }
    return errors;
}

QString ErrorHistogram::title() const {
    // The unit in the title: the axes stay untitled so that a short chart keeps its plot.
    return m_quantity == ParityChart::Forces ? tr("Force errors, pred. − ref. (eV/Å)")
                                             : tr("Energy errors, pred. − ref. (meV/atom)");
}

ErrorHistogram::ErrorHistogram(ParityChart::Quantity quantity, QWidget* parent)
    : QChartView(parent), m_quantity(quantity) {
    m_chart = newStyledChart(title());
    const QString names[ParityChart::SeriesCount] = {tr("GCN train"), tr("GCN test"),
                                                     tr("lin. train"), tr("lin. test")};
    const QColor colours[ParityChart::SeriesCount] = {QColor(31, 119, 180), QColor(214, 39, 40),
                                                      QColor(31, 119, 180), QColor(214, 39, 40)};
    for (int s = 0; s < ParityChart::SeriesCount; ++s) {
        auto* series = new QLineSeries;
        series->setName(names[s]);
        // As in the parity plot: solid for the GCN, dashed for the linear fit.
        const bool linear = s == ParityChart::LinearTrain || s == ParityChart::LinearTest;
        series->setPen(QPen(colours[s], linear ? 1.3 : 2.0, linear ? Qt::DashLine : Qt::SolidLine));
        m_series[s] = series;
        m_chart->addSeries(series);
    }
    // Same colours and line styles as the parity plot above it, whose legend says which is
    // which: no legend here.
    m_chart->legend()->hide();
    m_x = new QValueAxis;
    m_x->setLabelFormat(QStringLiteral("%g")); // round ticks (applyNiceNumbers): short labels
    m_x->setTickCount(5);
    m_y = new QValueAxis;
    m_y->setLabelFormat(QStringLiteral("%.0f %%"));
    m_y->setTickCount(3);
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    for (QLineSeries* s : m_series) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    setChart(m_chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumSize(kCompactChartWidth, 100);
    setToolTip(tr("Share of each set (%) in each error bin; GCN solid, linear fit dashed, "
                  "training blue, test red"));
    clear();
}

void ErrorHistogram::clear() {
    for (int s = 0; s < ParityChart::SeriesCount; ++s) {
        m_series[s]->clear();
        m_counts[s].clear();
    }
    m_edges.clear();
    m_outside = 0;
    m_x->setRange(-1, 1);
    m_y->setRange(0, 100);
    m_chart->setTitle(title());
}

void ErrorHistogram::setRun(const TrainingRunRecord& run) {
    clear();
    const bool forces = m_quantity == ParityChart::Forces;
    const auto sources = ParityChart::sourcesOf(run, m_quantity);
    std::vector<double> errors[ParityChart::SeriesCount];
    std::vector<double> magnitudes;
    for (int s = 0; s < ParityChart::SeriesCount; ++s) {
        errors[s] = parityErrors(*sources[s], m_quantity);
        for (double e : errors[s])
            magnitudes.push_back(std::abs(e));
    }
    if (magnitudes.empty())
        return;
    // The range holds 99 % of all errors: one diverged prediction must not squash the rest
    // into the centre bin.
    const std::size_t at =
        std::min(magnitudes.size() - 1, static_cast<std::size_t>(0.99 * magnitudes.size()));
    std::nth_element(magnitudes.begin(), magnitudes.begin() + at, magnitudes.end());
    const double half = std::max(1.05 * magnitudes[at], forces ? 1e-6 : 1e-3);
    const double width = 2 * half / kBins;
    m_edges.resize(kBins + 1);
    for (int b = 0; b <= kBins; ++b)
        m_edges[b] = -half + b * width;
    double highest = 0;
    for (int s = 0; s < ParityChart::SeriesCount; ++s) {
        if (errors[s].empty())
            continue;
        std::vector<int>& counts = m_counts[s];
        counts.assign(kBins, 0);
        for (double e : errors[s]) {
            const double x = (e + half) / width;
            if (x < 0 || x >= kBins) {
                ++m_outside;
                continue;
            }
            ++counts[std::min(kBins - 1, static_cast<int>(x))];
        }
        const double percent = 100.0 / static_cast<double>(errors[s].size());
        QList<QPointF> outline{{m_edges[0], 0.0}};
        for (int b = 0; b < kBins; ++b) {
            const double y = counts[b] * percent;
            highest = std::max(highest, y);
            outline << QPointF(m_edges[b], y) << QPointF(m_edges[b + 1], y);
        }
        outline << QPointF(m_edges[kBins], 0.0);
        m_series[s]->replace(outline);
    }
    m_x->setRange(-half, half);
    m_x->applyNiceNumbers();
    m_y->setRange(0, std::clamp(std::ceil(highest * 1.1 / 5) * 5, 5.0, 100.0));
    QString text = title();
    if (m_outside > 0)
        text += tr(" (%1 beyond the axis)").arg(m_outside);
    m_chart->setTitle(text);
}

} // namespace graphace::ui
