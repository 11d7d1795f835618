#pragma once
// The look every chart of the Training tab shares: thin margins, square corners, a small legend
// below the plot.

#include <QString>

class QChart;
class QChartView;
class QLegendMarker;

namespace graphace::ui {

// A new chart with that look and the title given (owned by whoever sets it on a view).
QChart* newStyledChart(const QString& title);

// Hides the view's legend while it is much wider than the view (Qt then elides every axis label
// and title to "…", the curves unreadable at 1024 pixels) and shows it again when it fits, on every
// resize from the first call on; call it again after the legend's entries change.
// setLegendWanted(false) keeps it hidden regardless.
void fitLegendToWidth(QChartView* view);
void setLegendWanted(QChartView* view, bool wanted);
// Shows or hides one entry of a legend, as fitLegendToWidth counts it.
void showLegendEntry(QLegendMarker* marker, bool shown);

// The narrowest a chart under the training curves may become: four columns of them (energy,
// forces, a sweep, the results) then still fit a 1024-pixel screen beside the settings and the
// dataset panel; wider screens give them more.
constexpr int kCompactChartWidth = 110;

} // namespace graphace::ui
