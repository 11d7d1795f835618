#include "graphace/ui/chart_style.h"

#include <QChart>
#include <QChartView>
#include <QEvent>
#include <QFont>
#include <QFontMetricsF>
#include <QLegend>
#include <QLegendMarker>

namespace graphace::ui {

namespace {

constexpr char kLegendWanted[] = "graphaceLegendWanted";
constexpr char kFitterName[] = "graphaceLegendFitter";
constexpr char kEntryShown[] = "graphaceEntryShown";
constexpr int kChartMargin = 2;

void fitLegendNow(QChartView* view) {
    QChart* chart = view->chart();
    if (!chart)
        return;
    QLegend* legend = chart->legend();
    const QVariant wanted = legend->property(kLegendWanted);
    // The width of the entries in one row, unelided (the legend's own size hint is that of the
    // elided row): a marker's box and gaps take about two line heights.
    // (Not QLegendMarker::isVisible: a hidden legend's markers all say they are hidden.)
    const QFontMetricsF metrics(legend->font());
    qreal needed = 0;
    for (QLegendMarker* marker : legend->markers()) {
        const QVariant shown = marker->property(kEntryShown);
        if ((!shown.isValid() || shown.toBool()) && marker->series()->isVisible())
            needed += metrics.horizontalAdvance(marker->label()) + 2 * metrics.height();
    }
    // Qt elides the entries first, which reads well enough; once the row is more than a fifth
    // wider than the chart it elides every axis label too, and the legend goes.
    const qreal available = view->width() - 2 * kChartMargin;
    legend->setVisible((!wanted.isValid() || wanted.toBool()) && needed <= 1.2 * available);
}

class LegendFitter : public QObject {
public:
    explicit LegendFitter(QChartView* view) : QObject(view), m_view(view) {
        setObjectName(QString::fromLatin1(kFitterName));
        view->installEventFilter(this);
    }
    bool eventFilter(QObject*, QEvent* event) override {
        if (event->type() == QEvent::Resize)
            fitLegendNow(m_view);
        return false;
    }

private:
    QChartView* m_view;
};

} // namespace

QChart* newStyledChart(const QString& title) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(kChartMargin, kChartMargin, kChartMargin, kChartMargin));
    chart->setBackgroundRoundness(0);
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont small = chart->legend()->font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    chart->legend()->setFont(small);
    return chart;
}

void showLegendEntry(QLegendMarker* marker, bool shown) {
    marker->setVisible(shown);
    marker->setProperty(kEntryShown, shown);
}

void fitLegendToWidth(QChartView* view) {
    if (!view->findChild<QObject*>(QString::fromLatin1(kFitterName), Qt::FindDirectChildrenOnly))
        new LegendFitter(view);
    fitLegendNow(view);
}

void setLegendWanted(QChartView* view, bool wanted) {
    if (view->chart())
        view->chart()->legend()->setProperty(kLegendWanted, wanted);
    fitLegendToWidth(view);
}

} // namespace graphace::ui
