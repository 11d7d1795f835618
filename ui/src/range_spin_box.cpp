#include "graphace/ui/range_spin_box.h"

#include <QEvent>
#include <QHelpEvent>
#include <QLocale>
#include <QToolTip>

#include <cmath>
#include <utility>

namespace graphace::ui {

namespace {

constexpr double kNotANumber = std::numeric_limits<double>::quiet_NaN();

// The number in the box's text without prefix and suffix; NaN when there is none (or, for an
// integer box, when it has a fraction).
template <typename Box> double typedNumber(const Box& box, QString text, bool integral) {
    text = text.trimmed();
    if (!box.prefix().isEmpty() && text.startsWith(box.prefix()))
        text.remove(0, box.prefix().size());
    if (!box.suffix().isEmpty() && text.endsWith(box.suffix()))
        text.chop(box.suffix().size());
    bool ok = false;
    const double v = box.locale().toDouble(text.trimmed(), &ok);
    constexpr double kLargest = 1e15; // beyond it the text is a typo, not a value
    if (!ok || !std::isfinite(v) || std::abs(v) > kLargest || (integral && v != std::floor(v)))
        return kNotANumber;
    return v;
}

// A whole number beyond the range is Intermediate (kept while typing), not Invalid (refused).
template <typename Box>
QValidator::State widened(const Box& box, QValidator::State state, const QString& text,
                          bool integral) {
    if (state == QValidator::Invalid && std::isfinite(typedNumber(box, text, integral)))
        return QValidator::Intermediate;
    return state;
}

// The typed number when it lies outside the range (NaN otherwise), remembered for the report.
template <typename Box>
double outOfRange(const Box& box, const RangeNote& note, const QString& input, bool integral) {
    const double typed = typedNumber(box, input, integral);
    if (std::isfinite(typed) && (typed < box.minimum() || typed > box.maximum())) {
        note.pending = typed;
        return typed;
    }
    return kNotANumber;
}

QString rangeOf(const QString& special, const QString& low, const QString& high) {
    return QStringLiteral("%1 – %2").arg(
        special.isEmpty() ? low : QStringLiteral("%1 (%2)").arg(low, special), high);
}

// On a value change every earlier note goes; a clamp (then or when editing ends, for a value
// that stayed at its bound) sets a new one and shows it beside the box.
template <typename Box> void report(Box& box, RangeNote& note, bool valueChanged) {
    const double typed = std::exchange(note.pending, kNotANumber);
    if (!std::isfinite(typed) && !valueChanged)
        return;
    const QString text = std::isfinite(typed)
                             ? QObject::tr("%1%2 is outside %3: set to %4")
                                   .arg(QLocale::c().toString(typed, 'g', 15), box.suffix(),
                                        box.rangeText(), box.text().trimmed())
                             : QString();
    const bool changed = text != note.text;
    note.text = text;
    note.typed = typed;
    if (changed)
        Q_EMIT box.rangeNoteChanged();
    if (!text.isEmpty())
        QToolTip::showText(box.mapToGlobal(QPoint(0, box.height())), text, &box);
}

template <typename Box> bool showToolTip(Box& box, QEvent* event) {
    if (event->type() != QEvent::ToolTip)
        return false;
    QStringList parts;
    if (!box.rangeNote().isEmpty())
        parts << box.rangeNote();
    if (!box.toolTip().isEmpty())
        parts << box.toolTip();
    parts << QObject::tr("Allowed: %1").arg(box.rangeText());
    QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(),
                       parts.join(QStringLiteral("\n")), &box);
    return true;
}

} // namespace

// --- RangeSpinBox ----------------------------------------------------------------------------

RangeSpinBox::RangeSpinBox(QWidget* parent) : QSpinBox(parent) {
    connect(this, &QSpinBox::valueChanged, this, [this]() { reportClamp(true); });
    connect(this, &QSpinBox::editingFinished, this, [this]() { reportClamp(false); });
}

QString RangeSpinBox::rangeText() const {
    return rangeOf(specialValueText(), textFromValue(minimum()) + suffix(),
                   textFromValue(maximum()) + suffix());
}

QValidator::State RangeSpinBox::validate(QString& text, int& pos) const {
    return widened(*this, QSpinBox::validate(text, pos), text, true);
}

void RangeSpinBox::fixup(QString& input) const {
    const double typed = outOfRange(*this, m_note, input, true);
    if (!std::isfinite(typed))
        return QSpinBox::fixup(input);
    const int bound = typed < minimum() ? minimum() : maximum();
    input = prefix() + textFromValue(bound) + suffix();
}

bool RangeSpinBox::event(QEvent* event) {
    return showToolTip(*this, event) || QSpinBox::event(event);
}

void RangeSpinBox::reportClamp(bool valueChanged) {
    report(*this, m_note, valueChanged);
}

// --- RangeDoubleSpinBox ----------------------------------------------------------------------

RangeDoubleSpinBox::RangeDoubleSpinBox(QWidget* parent) : QDoubleSpinBox(parent) {
    connect(this, &QDoubleSpinBox::valueChanged, this, [this]() { reportClamp(true); });
    connect(this, &QDoubleSpinBox::editingFinished, this, [this]() { reportClamp(false); });
}

QString RangeDoubleSpinBox::rangeText() const {
    return rangeOf(specialValueText(), textFromValue(minimum()) + suffix(),
                   textFromValue(maximum()) + suffix());
}

QValidator::State RangeDoubleSpinBox::validate(QString& text, int& pos) const {
    return widened(*this, QDoubleSpinBox::validate(text, pos), text, false);
}

void RangeDoubleSpinBox::fixup(QString& input) const {
    const double typed = outOfRange(*this, m_note, input, false);
    if (!std::isfinite(typed))
        return QDoubleSpinBox::fixup(input);
    const double bound = typed < minimum() ? minimum() : maximum();
    input = prefix() + textFromValue(bound) + suffix();
}

bool RangeDoubleSpinBox::event(QEvent* event) {
    return showToolTip(*this, event) || QDoubleSpinBox::event(event);
}

void RangeDoubleSpinBox::reportClamp(bool valueChanged) {
    report(*this, m_note, valueChanged);
}

} // namespace graphace::ui
