#pragma once
// Cutoff control (slider + spin box, linked) with the graph's degree statistics and a warning
// banner for graphs that cannot pass messages (only self-loops) or leave atoms isolated.

#include "graphace/graph_statistics.h"

#include <QWidget>

class QDoubleSpinBox;
class QLabel;
class QSlider;

namespace graphace::ui {

class CutoffPanel : public QWidget {
    Q_OBJECT
public:
    static constexpr double kMinimumCutoff = 0.1;  // Å
    static constexpr double kMaximumCutoff = 20.0; // Å
    // Å: shows first-neighbour bonds of common solids (Si 2.35, Cu 2.55, Ta 2.86, Hf–O 2.1)
    // without the hairball of a 5 Å graph; the person tunes from there.
    static constexpr double kDefaultCutoff = 3.0;

    explicit CutoffPanel(QWidget* parent = nullptr);

    double cutoff() const;
    QDoubleSpinBox* spinBox() const { return m_spin; }
    // Shown after a typed cutoff outside the range was brought into it (empty when hidden).
    QString rangeNote() const;
    QSlider* slider() const { return m_slider; }

    // Shows the statistics of the graph at the current cutoff.
    void setStatistics(const DegreeStatistics& statistics, int atoms);
    // Shows a problem instead of statistics (e.g. a degenerate cell).
    void setProblem(const QString& text);
    void clearStatistics();

    QLabel* edgesLabel() const { return m_edges; }
    bool warningShown() const;
    QString warningText() const;

public Q_SLOTS:
    void setCutoff(double cutoff);

Q_SIGNALS:
    void cutoffChanged(double cutoff);

private:
    void showWarning(const QString& text, bool severe);

    QSlider* m_slider = nullptr;
    QDoubleSpinBox* m_spin = nullptr;
    QLabel* m_edges = nullptr;
    QLabel* m_mean = nullptr;
    QLabel* m_range = nullptr;
    QLabel* m_isolated = nullptr;
    QLabel* m_warning = nullptr;
    QLabel* m_rangeNote = nullptr; // a typed cutoff out of range, and what it became
};

} // namespace graphace::ui
