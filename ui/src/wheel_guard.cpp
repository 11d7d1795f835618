#include "graphace/ui/wheel_guard.h"

#include <QAbstractSpinBox>
#include <QApplication>
#include <QComboBox>
#include <QEvent>
#include <QWidget>

namespace graphace::ui {

void WheelGuard::install() {
    static WheelGuard* guard = nullptr;
    if (guard || !qApp)
        return;
    guard = new WheelGuard(qApp);
    qApp->installEventFilter(guard);
}

bool WheelGuard::eventFilter(QObject* watched, QEvent* event) {
    if (event->type() != QEvent::Wheel)
        return false;
    auto* widget = qobject_cast<QWidget*>(watched);
    if (!widget || !(qobject_cast<QAbstractSpinBox*>(widget) || qobject_cast<QComboBox*>(widget)))
        return false;
    if (widget->hasFocus())
        return false;
    // Not for this box: hand the wheel to what holds it (a scroll area scrolls).
    if (QWidget* parent = widget->parentWidget())
        QApplication::sendEvent(parent, event);
    return true;
}

} // namespace graphace::ui
