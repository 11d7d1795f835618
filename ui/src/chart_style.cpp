#include "graphace/ui/chart_style.h"

#include <QChart>
#include <QFont>
#include <QLegend>

namespace graphace::ui {

QChart* newStyledChart(const QString& title) {
    auto* chart = new QChart;
    chart->setTitle(title);
    chart->setMargins(QMargins(2, 2, 2, 2));
    chart->setBackgroundRoundness(0);
    chart->legend()->setAlignment(Qt::AlignBottom);
    QFont small = chart->legend()->font();
    small.setPointSizeF(small.pointSizeF() * 0.8);
    chart->legend()->setFont(small);
    return chart;
}

} // namespace graphace::ui
