#pragma once
// The key of the 3D view's value colours: the colour scale (structure_scene.h valueColour) from
// its low to its high end, both labelled, with the quantity's name.

#include <QWidget>

namespace graphace::ui {

class ColourBar : public QWidget {
    Q_OBJECT
public:
    explicit ColourBar(QWidget* parent = nullptr);

    // `title` names the quantity with its unit, e.g. "force error, GCN (eV/Å)".
    void setScale(const QString& title, double low, double high);
    QString title() const { return m_title; }
    double low() const { return m_low; }
    double high() const { return m_high; }
    // The texts at the two ends, as drawn.
    QString lowText() const;
    QString highText() const;

    QSize sizeHint() const override;

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QString m_title;
    double m_low = 0, m_high = 1;
};

} // namespace graphace::ui
