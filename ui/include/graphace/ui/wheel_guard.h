#pragma once
// The mouse wheel changes a spin box or a combo box only when the user has clicked into it: a
// wheel over an unfocused one scrolls what holds it instead (a panel scrolled with the wheel
// silently changed a layer width 64 → 42). Installed once on the application by the main window;
// it covers widgets created later (rows added to the layer table) too.

#include <QObject>

namespace graphace::ui {

class WheelGuard : public QObject {
    Q_OBJECT
public:
    // Installs one guard on qApp (idempotent).
    static void install();

protected:
    bool eventFilter(QObject* watched, QEvent* event) override;

private:
    using QObject::QObject;
};

} // namespace graphace::ui
