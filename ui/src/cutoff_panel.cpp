#include "graphace/ui/cutoff_panel.h"

#include "graphace/ui/range_spin_box.h"

#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSignalBlocker>
#include <QSlider>
#include <QVBoxLayout>

#include <cmath>

namespace graphace::ui {

namespace {
// The slider works in hundredths of an Å, the spin box's precision.
constexpr int kSliderScale = 100;
} // namespace

CutoffPanel::CutoffPanel(QWidget* parent) : QWidget(parent) {
    m_slider = new QSlider(Qt::Horizontal);
    m_slider->setRange(static_cast<int>(kMinimumCutoff * kSliderScale),
                       static_cast<int>(kMaximumCutoff * kSliderScale));
    m_slider->setSingleStep(5);
    m_slider->setPageStep(50);
    m_slider->setToolTip(tr("Neighbour cutoff: atoms closer than this are joined by an edge"));
    auto* spin = new RangeDoubleSpinBox;
    m_spin = spin;
    m_spin->setRange(kMinimumCutoff, kMaximumCutoff);
    m_spin->setDecimals(2);
    m_spin->setSingleStep(0.1);
    m_spin->setSuffix(QStringLiteral(" Å"));
    m_spin->setKeyboardTracking(false);
    m_spin->setAccelerated(true);

    connect(m_slider, &QSlider::valueChanged, this,
            [this](int value) { setCutoff(static_cast<double>(value) / kSliderScale); });
    m_rangeNote = new QLabel;
    m_rangeNote->setObjectName(QStringLiteral("cutoffRangeNote"));
    m_rangeNote->setWordWrap(true);
    m_rangeNote->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    m_rangeNote->hide();
    // Said for the edit that was out of range; the next change clears it.
    connect(spin, &RangeDoubleSpinBox::rangeNoteChanged, this, [this, spin]() {
        m_rangeNote->setVisible(!spin->rangeNote().isEmpty());
        if (spin->rangeNote().isEmpty())
            return;
        m_rangeNote->setText(tr("%1 Å is outside the viewer's %2–%3 Å: set to %4 Å "
                                "(graphace graph and training take any cutoff).")
                                 .arg(spin->clampedFrom())
                                 .arg(kMinimumCutoff)
                                 .arg(kMaximumCutoff)
                                 .arg(spin->value(), 0, 'f', 2));
    });
    connect(m_spin, &QDoubleSpinBox::valueChanged, this, [this](double value) {
        {
            const QSignalBlocker block(m_slider);
            m_slider->setValue(static_cast<int>(std::lround(value * kSliderScale)));
        }
        Q_EMIT cutoffChanged(value);
    });

    auto* row = new QHBoxLayout;
    row->addWidget(new QLabel(tr("Cutoff")));
    row->addWidget(m_slider, 1);
    row->addWidget(m_spin);

    auto* stats = new QFormLayout;
    stats->setLabelAlignment(Qt::AlignRight);
    m_edges = new QLabel;
    m_mean = new QLabel;
    m_range = new QLabel;
    m_isolated = new QLabel;
    for (QLabel* label : {m_edges, m_mean, m_range, m_isolated})
        label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_edges->setToolTip(tr("Directed edges (i, j, S) with distance below the cutoff; both "
                           "directions counted, self-loops not"));
    stats->addRow(tr("Edges:"), m_edges);
    stats->addRow(tr("Mean degree:"), m_mean);
    stats->addRow(tr("Min / max degree:"), m_range);
    stats->addRow(tr("Isolated atoms:"), m_isolated);

    m_warning = new QLabel;
    m_warning->setWordWrap(true);
    m_warning->setObjectName(QStringLiteral("cutoffWarning"));
    m_warning->hide();

    auto* box = new QGroupBox(tr("Neighbour graph"));
    auto* boxLayout = new QVBoxLayout(box);
    boxLayout->addLayout(row);
    boxLayout->addWidget(m_rangeNote);
    boxLayout->addLayout(stats);
    boxLayout->addWidget(m_warning);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(box);

    {
        const QSignalBlocker block(m_spin);
        m_spin->setValue(kDefaultCutoff);
    }
    {
        const QSignalBlocker block(m_slider);
        m_slider->setValue(static_cast<int>(kDefaultCutoff * kSliderScale));
    }
    clearStatistics();
}

double CutoffPanel::cutoff() const {
    return m_spin->value();
}

void CutoffPanel::setCutoff(double cutoff) {
    // The spin box rounds and clamps; its valueChanged keeps the slider in step and emits.
    m_spin->setValue(cutoff);
}

void CutoffPanel::setStatistics(const DegreeStatistics& s, int atoms) {
    m_edges->setText(QString::number(s.edges));
    m_mean->setText(QString::number(s.meanDegree, 'f', 2));
    m_range->setText(QStringLiteral("%1 / %2").arg(s.minDegree).arg(s.maxDegree));
    m_isolated->setText(QStringLiteral("%1 of %2").arg(s.isolatedAtoms).arg(atoms));
    if (atoms > 0 && s.trivial)
        showWarning(tr("No edges at %1 Å: the graph is only self-loops. A graph convolution "
                       "then acts on each atom alone — no message passing. Increase the "
                       "cutoff.")
                        .arg(cutoff(), 0, 'f', 2),
                    true);
    else if (s.isolatedAtoms > 0)
        showWarning(tr("%1 of %2 atoms have no neighbour within %3 Å: they are isolated in "
                       "the graph and get no messages.")
                        .arg(s.isolatedAtoms)
                        .arg(atoms)
                        .arg(cutoff(), 0, 'f', 2),
                    false);
    else
        m_warning->hide();
}

void CutoffPanel::setProblem(const QString& text) {
    clearStatistics();
    showWarning(text, true);
}

void CutoffPanel::clearStatistics() {
    for (QLabel* label : {m_edges, m_mean, m_range, m_isolated})
        label->setText(QStringLiteral("—"));
    m_warning->hide();
}

QString CutoffPanel::rangeNote() const {
    return m_rangeNote->isHidden() ? QString() : m_rangeNote->text();
}

bool CutoffPanel::warningShown() const {
    return !m_warning->isHidden();
}

QString CutoffPanel::warningText() const {
    return m_warning->isHidden() ? QString() : m_warning->text();
}

void CutoffPanel::showWarning(const QString& text, bool severe) {
    m_warning->setText(QStringLiteral("⚠ ") + text);
    m_warning->setStyleSheet(
        severe ? QStringLiteral("QLabel#cutoffWarning { background: #c62828; color: white; "
                                "padding: 6px; border-radius: 4px; font-weight: bold; }")
               : QStringLiteral("QLabel#cutoffWarning { background: #f9a825; color: black; "
                                "padding: 6px; border-radius: 4px; }"));
    m_warning->show();
}

} // namespace graphace::ui
