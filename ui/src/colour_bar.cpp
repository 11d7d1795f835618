#include "graphace/ui/colour_bar.h"

#include "graphace/ui/structure_scene.h"

#include <QFontMetrics>
#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace graphace::ui {

namespace {

// Three significant digits, the same on both ends whatever the magnitude.
QString endText(double value) {
    return std::isfinite(value) ? QString::number(value, 'g', 3) : QStringLiteral("—");
}

} // namespace

ColourBar::ColourBar(QWidget* parent) : QWidget(parent) {
    setSizePolicy(QSizePolicy::Preferred, QSizePolicy::Fixed);
}

void ColourBar::setScale(const QString& title, double low, double high) {
    m_title = title;
    m_low = low;
    m_high = high;
    setToolTip(tr("%1: %2 … %3").arg(title, lowText(), highText()));
    updateGeometry();
    update();
}

QString ColourBar::lowText() const {
    return endText(m_low);
}

QString ColourBar::highText() const {
    return endText(m_high);
}

QSize ColourBar::sizeHint() const {
    const QFontMetrics metrics(font());
    const int text = metrics.horizontalAdvance(lowText()) + metrics.horizontalAdvance(highText()) +
                     metrics.horizontalAdvance(m_title);
    return {std::max(260, text + 140), metrics.height() + 8};
}

void ColourBar::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    painter.setRenderHint(QPainter::Antialiasing);
    const QFontMetrics metrics(font());
    const int h = height();
    const QString low = lowText(), high = highText();
    // "low [gradient] high  title"
    int x = 2;
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(x, 0, metrics.horizontalAdvance(low), h), Qt::AlignVCenter, low);
    x += metrics.horizontalAdvance(low) + 4;
    const int titleWidth = metrics.horizontalAdvance(m_title);
    const int barWidth =
        std::clamp(width() - x - metrics.horizontalAdvance(high) - titleWidth - 16, 40, 240);
    const QRect bar(x, 3, barWidth, h - 6);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    for (int k = 0; k <= 8; ++k) {
        const auto rgb = valueColour(k / 8.0);
        gradient.setColorAt(k / 8.0, QColor::fromRgbF(rgb[0], rgb[1], rgb[2]));
    }
    painter.fillRect(bar, gradient);
    painter.setPen(palette().color(QPalette::Mid));
    painter.drawRect(bar);
    x = bar.right() + 4;
    painter.setPen(palette().color(QPalette::WindowText));
    painter.drawText(QRect(x, 0, metrics.horizontalAdvance(high), h), Qt::AlignVCenter, high);
    x += metrics.horizontalAdvance(high) + 8;
    painter.drawText(QRect(x, 0, titleWidth, h), Qt::AlignVCenter, m_title);
}

} // namespace graphace::ui
