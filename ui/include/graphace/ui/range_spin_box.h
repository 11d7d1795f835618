#pragma once
// Spin boxes that never change a typed number silently. Qt's own refuse a keystroke that leaves
// the range ("50" in a 0.5–20 box keeps "5") and clamp or revert when editing ends without a
// word. These take the number whole and, when editing ends, bring it to the nearest bound, show
// what happened beside the box and keep it in rangeNote() until the value changes again (panels
// with room mirror it in a label). Their tooltip gives the range.

#include <QDoubleSpinBox>
#include <QSpinBox>

#include <limits>

namespace graphace::ui {

// What the two classes below share: the note about the last clamp, and the typed number that a
// fixup() (const in Qt) brought into range, waiting to be reported.
class RangeNote {
public:
    // "Epochs: 20000000 is outside 0 (auto) – 10000000: set to 10000000"-style text, empty
    // while the value is one the person set.
    QString text;
    // The number typed before the clamp that `text` reports (NaN: none).
    double typed = std::numeric_limits<double>::quiet_NaN();
    mutable double pending = std::numeric_limits<double>::quiet_NaN();
};

class RangeSpinBox : public QSpinBox {
    Q_OBJECT
public:
    explicit RangeSpinBox(QWidget* parent = nullptr);
    // Empty while the value is what was typed; else what was typed and what it became.
    QString rangeNote() const { return m_note.text; }
    double clampedFrom() const { return m_note.typed; }
    // "1 – 4096", "0 (auto) – 10000000".
    QString rangeText() const;
    // How notes elsewhere name the field, e.g. "Phase 1, epochs".
    void setFieldName(const QString& name) { m_fieldName = name; }
    QString fieldName() const { return m_fieldName; }

Q_SIGNALS:
    void rangeNoteChanged();

protected:
    QValidator::State validate(QString& text, int& pos) const override;
    void fixup(QString& input) const override;
    bool event(QEvent* event) override;

private:
    void reportClamp(bool valueChanged);
    RangeNote m_note;
    QString m_fieldName;
};

class RangeDoubleSpinBox : public QDoubleSpinBox {
    Q_OBJECT
public:
    explicit RangeDoubleSpinBox(QWidget* parent = nullptr);
    QString rangeNote() const { return m_note.text; }
    double clampedFrom() const { return m_note.typed; }
    QString rangeText() const;
    void setFieldName(const QString& name) { m_fieldName = name; }
    QString fieldName() const { return m_fieldName; }

Q_SIGNALS:
    void rangeNoteChanged();

protected:
    QValidator::State validate(QString& text, int& pos) const override;
    void fixup(QString& input) const override;
    bool event(QEvent* event) override;

private:
    void reportClamp(bool valueChanged);
    RangeNote m_note;
    QString m_fieldName;
};

} // namespace graphace::ui
