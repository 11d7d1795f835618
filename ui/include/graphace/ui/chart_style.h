#pragma once
// The look every chart of the Training tab shares: thin margins, square corners, a small legend
// below the plot.

#include <QString>

class QChart;

namespace graphace::ui {

// A new chart with that look and the title given (owned by whoever sets it on a view).
QChart* newStyledChart(const QString& title);

} // namespace graphace::ui
