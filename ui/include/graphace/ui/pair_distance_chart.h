#pragma once
// Pair-distance histogram and g(r) of the selected structure, with the cutoff as a vertical
// line. The histogram is computed once up to its full range; moving the cutoff only moves the
// line and the shading, so dragging the slider costs nothing here.

#include "graphace/graph_statistics.h"

#include <QChartView>

class QAreaSeries;
class QLineSeries;
class QValueAxis;
class QChart;

namespace graphace::ui {

class PairDistanceChart : public QChartView {
    Q_OBJECT
public:
    explicit PairDistanceChart(QWidget* parent = nullptr);

    // `atoms`: atoms in the structure, to show neighbours per atom per bin (their sum up to the
    // cutoff is the mean degree).
    void setDistribution(const PairDistribution& distribution, int atoms);
    // Empties the chart and shows a note (e.g. "computing…").
    void clear(const QString& note);
    void setCutoff(double cutoff);
    double cutoff() const { return m_cutoff; }
    bool hasDistribution() const { return !m_distribution.counts.empty(); }
    // Neighbours per atom in bins entirely below the cutoff (what the shaded area shows).
    double shadedNeighboursPerAtom() const { return m_shaded; }

private:
    void updateShading();

    QChart* m_chart = nullptr;
    QLineSeries* m_insideUpper = nullptr;
    QLineSeries* m_outsideUpper = nullptr;
    QAreaSeries* m_inside = nullptr;
    QAreaSeries* m_outside = nullptr;
    QLineSeries* m_rdf = nullptr;
    QLineSeries* m_cutoffLine = nullptr;
    QValueAxis* m_x = nullptr;
    QValueAxis* m_y = nullptr;
    QValueAxis* m_yRdf = nullptr;
    PairDistribution m_distribution;
    int m_atoms = 0;
    double m_cutoff = 0.0;
    double m_shaded = 0.0;
};

} // namespace graphace::ui
