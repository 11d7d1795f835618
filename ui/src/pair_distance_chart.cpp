#include "graphace/ui/pair_distance_chart.h"

#include <QAreaSeries>
#include <QChart>
#include <QLineSeries>
#include <QPen>
#include <QValueAxis>

#include <algorithm>

namespace graphace::ui {

PairDistanceChart::PairDistanceChart(QWidget* parent) : QChartView(parent) {
    m_chart = new QChart;
    m_chart->setTitle(tr("Pair distances"));
    m_chart->legend()->setAlignment(Qt::AlignBottom);
    QFont small = m_chart->legend()->font();
    small.setPointSizeF(small.pointSizeF() * 0.85);
    m_chart->legend()->setFont(small);
    m_chart->setMargins(QMargins(4, 4, 4, 4));
    m_chart->setBackgroundRoundness(0);

    m_insideUpper = new QLineSeries(this);
    m_outsideUpper = new QLineSeries(this);
    m_inside = new QAreaSeries(m_insideUpper);
    m_inside->setName(tr("below cutoff"));
    m_inside->setColor(QColor(52, 120, 220, 200));
    m_inside->setBorderColor(QColor(30, 80, 170));
    m_outside = new QAreaSeries(m_outsideUpper);
    m_outside->setName(tr("beyond"));
    m_outside->setColor(QColor(160, 160, 170, 140));
    m_outside->setBorderColor(QColor(120, 120, 130));
    m_rdf = new QLineSeries;
    m_rdf->setName(tr("g(r)"));
    m_rdf->setPen(QPen(QColor(20, 150, 60), 1.5));
    m_cutoffLine = new QLineSeries;
    m_cutoffLine->setName(tr("cutoff"));
    m_cutoffLine->setPen(QPen(QColor(220, 30, 30), 2.5, Qt::DashLine));

    for (QAbstractSeries* s :
         std::initializer_list<QAbstractSeries*>{m_outside, m_inside, m_rdf, m_cutoffLine})
        m_chart->addSeries(s);

    m_x = new QValueAxis;
    m_x->setTitleText(tr("distance (Å)"));
    m_x->setRange(0, 10);
    m_x->setLabelFormat(QStringLiteral("%.0f"));
    m_x->setTickCount(6);
    m_y = new QValueAxis;
    m_y->setTitleText(tr("neighbours/atom"));
    m_y->setLabelFormat(QStringLiteral("%.2g"));
    m_yRdf = new QValueAxis;
    m_yRdf->setTitleText(tr("g(r)"));
    m_yRdf->setLabelFormat(QStringLiteral("%.1f"));
    m_chart->addAxis(m_x, Qt::AlignBottom);
    m_chart->addAxis(m_y, Qt::AlignLeft);
    m_chart->addAxis(m_yRdf, Qt::AlignRight);
    for (QAbstractSeries* s :
         std::initializer_list<QAbstractSeries*>{m_outside, m_inside, m_cutoffLine}) {
        s->attachAxis(m_x);
        s->attachAxis(m_y);
    }
    m_rdf->attachAxis(m_x);
    m_rdf->attachAxis(m_yRdf);

    setChart(m_chart);
    setRenderHint(QPainter::Antialiasing);
    setMinimumHeight(220);
    clear(tr("no structure"));
}

void PairDistanceChart::clear(const QString& note) {
    m_distribution = PairDistribution{};
    m_atoms = 0;
    m_insideUpper->clear();
    m_outsideUpper->clear();
    m_rdf->clear();
    m_chart->setTitle(note.isEmpty() ? tr("Pair distances") : tr("Pair distances — %1").arg(note));
    m_y->setRange(0, 1);
    m_yRdf->setRange(0, 1);
    m_yRdf->setVisible(false);
    updateShading();
}

void PairDistanceChart::setDistribution(const PairDistribution& distribution, int atoms) {
    m_distribution = distribution;
    m_atoms = std::max(atoms, 1);
    m_chart->setTitle(tr("Pair distances"));
    m_chart->setToolTip(tr("Histogram of pair distances (bin %1 Å) as neighbours per atom; "
                           "g(r) on the right axis")
                            .arg(distribution.binWidth, 0, 'g', 3));
    double top = 0.0;
    for (double c : distribution.counts)
        top = std::max(top, c / m_atoms);
    m_y->setRange(0, top > 0 ? top * 1.1 : 1.0);
    if (!distribution.binCentres.empty())
        m_x->setRange(0, distribution.binCentres.back() + 0.5 * distribution.binWidth);

    QList<QPointF> rdf;
    double rdfTop = 0.0;
    for (std::size_t k = 0; k < distribution.rdf.size() && k < distribution.binCentres.size();
         ++k) {
        rdf.append(QPointF(distribution.binCentres[k], distribution.rdf[k]));
        rdfTop = std::max(rdfTop, distribution.rdf[k]);
    }
    m_rdf->replace(rdf);
    m_rdf->setVisible(!rdf.isEmpty());
    m_yRdf->setVisible(!rdf.isEmpty());
    m_yRdf->setRange(0, rdfTop > 0 ? rdfTop * 1.1 : 1.0);
    updateShading();
}

void PairDistanceChart::setCutoff(double cutoff) {
    m_cutoff = cutoff;
    updateShading();
}

void PairDistanceChart::updateShading() {
    // Step outline of the histogram, split at the cutoff: shaded bins are the edges the graph
    // gets, grey ones are the distances the cutoff leaves out.
    QList<QPointF> inside, outside;
    m_shaded = 0.0;
    const auto& d = m_distribution;
    for (std::size_t k = 0; k < d.counts.size() && k < d.binCentres.size(); ++k) {
        const double lo = d.binCentres[k] - 0.5 * d.binWidth;
        const double hi = d.binCentres[k] + 0.5 * d.binWidth;
        const double y = d.counts[k] / m_atoms;
        auto addStep = [&](QList<QPointF>& list, double a, double b) {
            list << QPointF(a, 0) << QPointF(a, y) << QPointF(b, y) << QPointF(b, 0);
        };
        // Bin edges are centre ± half a width: an edge on the cutoff may round just above it.
        const double tolerance = 1e-9 * d.binWidth;
        if (hi <= m_cutoff + tolerance) {
            addStep(inside, lo, hi);
            m_shaded += y;
        } else if (lo >= m_cutoff - tolerance) {
            addStep(outside, lo, hi);
        } else {
            addStep(inside, lo, m_cutoff);
            addStep(outside, m_cutoff, hi);
        }
    }
    m_insideUpper->replace(inside);
    m_outsideUpper->replace(outside);
    const double top = m_y->max();
    m_cutoffLine->replace({QPointF(m_cutoff, 0), QPointF(m_cutoff, top)});
}

} // namespace graphace::ui
