#pragma once
// The look every chart of the Training tab shares: thin margins, square corners, a small legend
// below the plot.

#include <QString>

class QChart;

namespace graphace::ui {

// A new chart with that look and the title given (owned by whoever sets it on a view).
QChart* newStyledChart(const QString& title);

// The narrowest a chart under the training curves may become: four columns of them (energy,
// forces, a sweep, the results) then still fit a 1024-pixel screen beside the settings and the
// dataset panel; wider screens give them more.
constexpr int kCompactChartWidth = 110;

} // namespace graphace::ui
