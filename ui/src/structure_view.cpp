#include "graphace/ui/structure_view.h"

#include "graphace/ui/range_spin_box.h"

#include "graphace/element.h"
#include "graphace/ui/colour_bar.h"
#include "graphace/ui/vtk_viewport.h"

#include <QCheckBox>
#include <QColor>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QToolBar>
#include <QToolButton>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace graphace::ui {

StructureView::StructureView(QWidget* parent) : QWidget(parent) {
    m_viewport = new VtkViewport(this);
    m_scene = std::make_unique<StructureScene>(m_viewport->renderer());

    // A tool bar, not a row layout: on a narrow window the controls that do not fit move into
    // its overflow menu instead of forcing the window wider.
    auto* controls = new QToolBar;
    controls->setIconSize(QSize(16, 16));
    controls->setContentsMargins(2, 0, 2, 0);
    auto* reset = new QToolButton;
    reset->setText(tr("Reset view"));
    reset->setToolTip(tr("Frame the structure (R)"));
    connect(reset, &QToolButton::clicked, this, &StructureView::resetView);
    controls->addWidget(reset);

    m_projection = new QToolButton;
    m_projection->setCheckable(true);
    m_projection->setText(tr("Orthographic"));
    m_projection->setToolTip(tr("Toggle orthographic / perspective projection (O)"));
    connect(m_projection, &QToolButton::toggled, this, &StructureView::setParallelProjection);
    controls->addWidget(m_projection);

    controls->addSeparator();
    controls->addWidget(new QLabel(tr("Replicas ")));
    const char* axisNames[3] = {"a", "b", "c"};
    for (int k = 0; k < 3; ++k) {
        m_replicas[k] = new RangeSpinBox;
        m_replicas[k]->setRange(1, 3);
        m_replicas[k]->setPrefix(QStringLiteral("%1 ×").arg(axisNames[k]));
        m_replicas[k]->setToolTip(
            tr("Copies of the cell along a%1 (periodic axes only)").arg(k + 1));
        connect(m_replicas[k], &QSpinBox::valueChanged, this, &StructureView::applyOptions);
        controls->addWidget(m_replicas[k]);
    }
    controls->addSeparator();
    m_bonds = new QCheckBox(tr("Bonds"));
    m_bonds->setChecked(true);
    m_ghosts = new QCheckBox(tr("Images"));
    m_ghosts->setChecked(true);
    m_ghosts->setToolTip(tr("Draw the periodic images that bonds across the cell boundary reach "
                            "(faded); off: half-bonds"));
    m_cell = new QCheckBox(tr("Cell"));
    m_cell->setChecked(true);
    for (QCheckBox* box : {m_bonds, m_ghosts, m_cell}) {
        connect(box, &QCheckBox::toggled, this, &StructureView::applyOptions);
        controls->addWidget(box);
    }
    // The colour choice sits in the row of its key, below the tool bar.
    auto* colourLabel = new QLabel(tr("Colour"));
    m_colour = new QComboBox;
    m_colour->addItems({tr("Element"), tr("Degree")});
    m_colour->setToolTip(tr("Colour atoms by element, by their number of neighbours inside the "
                            "cutoff (red = isolated, blue = few … yellow = most), or, once a "
                            "model is trained, by its force error or energy per atom"));
    m_colour->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    connect(m_colour, &QComboBox::currentIndexChanged, this, [this]() {
        m_wantedColour = m_colour->currentText(); // kept for the next structure's quantities
        applyOptions();
        Q_EMIT colouringChanged();
    });
    // The key of the atom colours, in its own row: element symbols (Ti and Al are both grey)
    // or the degree scale.
    m_legend = new QLabel;
    m_legend->setObjectName(QStringLiteral("atomColourLegend"));
    m_legend->setTextFormat(Qt::RichText);
    m_legend->setWordWrap(true);
    auto* colourRow = new QHBoxLayout;
    colourRow->setContentsMargins(6, 0, 6, 2);
    colourRow->addWidget(colourLabel);
    colourRow->addWidget(m_colour);
    colourRow->addSpacing(6);
    colourRow->addWidget(m_legend, 1);
    // Its own row below the controls: the quantity's name and range need the width.
    m_colourBar = new ColourBar;
    m_colourBar->setContentsMargins(4, 0, 4, 0);
    m_colourBar->hide();

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addWidget(controls);
    layout->addLayout(colourRow);
    layout->addWidget(m_colourBar);
    layout->addWidget(m_viewport, 1);

    connect(m_viewport, &VtkViewport::clicked, this, &StructureView::onClicked);
    connect(m_viewport, &VtkViewport::interactionStarted, this,
            [this]() { m_scene->setInteracting(true); });
    connect(m_viewport, &VtkViewport::interactionFinished, this, [this]() {
        m_scene->setInteracting(false);
        m_viewport->requestRender();
    });
    applyOptions();
}

StructureView::~StructureView() = default;

void StructureView::applyOptions() {
    SceneOptions options = m_scene->options();
    for (int k = 0; k < 3; ++k)
        options.replicas[k] = m_replicas[k]->value();
    const int choice = m_colour->currentIndex();
    const int quantity = choice - 2;
    options.colouring = choice == 1                                       ? AtomColouring::Degree
                        : quantity >= 0 && quantity < m_quantities.size() ? AtomColouring::Values
                                                                          : AtomColouring::Element;
    options.showGhosts = m_ghosts->isChecked();
    options.showBonds = m_bonds->isChecked();
    options.showCell = m_cell->isChecked();
    if (options.colouring == AtomColouring::Values) {
        // The scale spans the structure's finite values (from 0 for errors).
        const AtomQuantity& q = m_quantities[quantity];
        double low = std::numeric_limits<double>::infinity(), high = -low;
        for (double v : q.values)
            if (std::isfinite(v)) {
                low = std::min(low, v);
                high = std::max(high, v);
            }
        if (!std::isfinite(low))
            low = high = 0;
        if (q.fromZero)
            low = std::min(0.0, low);
        m_scene->setAtomValues(q.values, low, high);
        m_colourBar->setScale(q.name, low, high);
    }
    m_scene->setOptions(options);
    m_colourBar->setVisible(options.colouring == AtomColouring::Values);
    m_legend->setText(options.colouring == AtomColouring::Degree
                          ? tr("<span style='color:#f22'>■</span> isolated "
                               "<span style='color:#35f'>■</span> few "
                               "<span style='color:#fe1'>■</span> most")
                      : options.colouring == AtomColouring::Element ? elementLegend()
                                                                    : QString());
    m_viewport->requestRender();
}

QString StructureView::elementLegend() const {
    const Structure* structure = m_scene->structure().get();
    if (!structure)
        return {};
    std::map<int, int> counts; // by atomic number: the order of the periodic table
    for (int z : structure->numbers)
        ++counts[z];
    QStringList entries;
    for (const auto& [z, count] : counts) {
        QString symbol = QStringLiteral("Z=%1").arg(z);
        try {
            symbol = QString::fromStdString(elementByNumber(z).symbol);
        } catch (const std::out_of_range&) {
        }
        const std::array<float, 3> rgb = elementColour(z); // as the scene draws it
        const QColor colour = QColor::fromRgbF(rgb[0], rgb[1], rgb[2]);
        entries << QStringLiteral("<span style='color:%1'>●</span>&nbsp;%2&nbsp;(%3)")
                       .arg(colour.name(), symbol.toHtmlEscaped())
                       .arg(count);
    }
    return entries.join(QStringLiteral(" &nbsp; "));
}

void StructureView::setAtomQuantities(const QList<AtomQuantity>& quantities) {
    m_quantities = quantities;
    {
        const QSignalBlocker blocker(m_colour);
        while (m_colour->count() > 2)
            m_colour->removeItem(2);
        for (const AtomQuantity& q : quantities)
            m_colour->addItem(q.name);
        // The user's last choice where this structure has it, else the element colours.
        m_colour->setCurrentIndex(std::max(0, m_colour->findText(m_wantedColour)));
    }
    applyOptions();
}

void StructureView::setColourByDegree(bool byDegree) {
    if (byDegree)
        m_colour->setCurrentIndex(1);
    else if (m_colour->currentIndex() == 1)
        m_colour->setCurrentIndex(0);
}

void StructureView::setStructure(std::shared_ptr<const Structure> structure) {
    const bool periodic[3] = {structure && structure->pbc[0], structure && structure->pbc[1],
                              structure && structure->pbc[2]};
    for (int k = 0; k < 3; ++k)
        m_replicas[k]->setEnabled(periodic[k]);
    m_scene->setStructure(std::move(structure));
    setAtomQuantities({}); // they belonged to the previous structure
    resetView();
    m_framePending = true; // again once the bonds and images are known
}

void StructureView::showFrame(std::shared_ptr<const Structure> structure) {
    m_scene->setStructure(std::move(structure));
    m_viewport->requestRender();
}

void StructureView::setNeighbors(const NeighborList& neighbors, const std::vector<int>& degrees) {
    m_scene->setNeighbors(neighbors, degrees);
    if (m_framePending) {
        m_framePending = false;
        resetView();
    }
    m_viewport->requestRender();
}

void StructureView::pickAtom(int atom) {
    m_scene->setHighlightedAtom(atom);
    m_viewport->requestRender();
    Q_EMIT atomPicked(m_scene->highlightedAtom());
}

void StructureView::onClicked(double x, double y) {
    pickAtom(m_scene->pickAtom(x, y));
}

void StructureView::resetView() {
    m_scene->resetCamera();
    m_scene->setParallelProjection(m_projection->isChecked());
    m_viewport->requestRender();
}

void StructureView::setParallelProjection(bool parallel) {
    if (m_projection->isChecked() != parallel) {
        m_projection->setChecked(parallel); // toggled() comes back here
        return;
    }
    m_scene->setParallelProjection(parallel);
    m_viewport->requestRender();
}

} // namespace graphace::ui
