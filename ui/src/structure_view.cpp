#include "graphace/ui/structure_view.h"

#include "graphace/ui/vtk_viewport.h"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QSpinBox>
#include <QToolButton>
#include <QVBoxLayout>

namespace graphace::ui {

StructureView::StructureView(QWidget* parent) : QWidget(parent) {
    m_viewport = new VtkViewport(this);
    m_scene = std::make_unique<StructureScene>(m_viewport->renderer());

    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(4, 2, 4, 2);
    auto* reset = new QToolButton;
    reset->setText(tr("Reset view"));
    reset->setToolTip(tr("Frame the structure (R)"));
    reset->setShortcut(QKeySequence(Qt::Key_R));
    connect(reset, &QToolButton::clicked, this, &StructureView::resetView);
    controls->addWidget(reset);

    m_projection = new QToolButton;
    m_projection->setCheckable(true);
    m_projection->setText(tr("Orthographic"));
    m_projection->setToolTip(tr("Toggle orthographic / perspective projection (O)"));
    m_projection->setShortcut(QKeySequence(Qt::Key_O));
    connect(m_projection, &QToolButton::toggled, this, &StructureView::setParallelProjection);
    controls->addWidget(m_projection);

    controls->addSpacing(8);
    controls->addWidget(new QLabel(tr("Replicas")));
    const char* axisNames[3] = {"a", "b", "c"};
    for (int k = 0; k < 3; ++k) {
        m_replicas[k] = new QSpinBox;
        m_replicas[k]->setRange(1, 3);
        m_replicas[k]->setPrefix(QStringLiteral("%1 ×").arg(axisNames[k]));
        m_replicas[k]->setToolTip(
            tr("Copies of the cell along a%1 (periodic axes only)").arg(k + 1));
        connect(m_replicas[k], &QSpinBox::valueChanged, this, &StructureView::applyOptions);
        controls->addWidget(m_replicas[k]);
    }
    controls->addSpacing(8);
    m_bonds = new QCheckBox(tr("Bonds"));
    m_bonds->setChecked(true);
    m_ghosts = new QCheckBox(tr("Images"));
    m_ghosts->setChecked(true);
    m_ghosts->setToolTip(tr("Draw the periodic images that bonds across the cell boundary reach "
                            "(faded); off: half-bonds"));
    m_cell = new QCheckBox(tr("Cell"));
    m_cell->setChecked(true);
    m_colourByDegree = new QCheckBox(tr("Colour by degree"));
    m_colourByDegree->setToolTip(tr("Colour atoms by their number of neighbours inside the "
                                    "cutoff: red = isolated, blue = few … yellow = most"));
    for (QCheckBox* box : {m_bonds, m_ghosts, m_cell, m_colourByDegree}) {
        connect(box, &QCheckBox::toggled, this, &StructureView::applyOptions);
        controls->addWidget(box);
    }
    m_legend = new QLabel;
    m_legend->setTextFormat(Qt::RichText);
    controls->addWidget(m_legend);
    controls->addStretch(1);

    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    layout->addLayout(controls);
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
    options.colourByDegree = m_colourByDegree->isChecked();
    options.showGhosts = m_ghosts->isChecked();
    options.showBonds = m_bonds->isChecked();
    options.showCell = m_cell->isChecked();
    m_scene->setOptions(options);
    m_legend->setText(options.colourByDegree ? tr("<span style='color:#f22'>■</span> isolated "
                                                  "<span style='color:#35f'>■</span> few "
                                                  "<span style='color:#fe1'>■</span> most")
                                             : QString());
    m_viewport->requestRender();
}

void StructureView::setStructure(std::shared_ptr<const Structure> structure) {
    const bool periodic[3] = {structure && structure->pbc[0], structure && structure->pbc[1],
                              structure && structure->pbc[2]};
    for (int k = 0; k < 3; ++k)
        m_replicas[k]->setEnabled(periodic[k]);
    m_scene->setStructure(std::move(structure));
    resetView();
}

void StructureView::setNeighbors(const NeighborList& neighbors, const std::vector<int>& degrees) {
    m_scene->setNeighbors(neighbors, degrees);
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
    m_scene->setParallelProjection(parallel);
    m_viewport->requestRender();
}

} // namespace graphace::ui
