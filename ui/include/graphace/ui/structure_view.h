#pragma once
// The 3D structure view: VTK viewport, scene and its controls (replicas, projection, colours).
// Atoms are coloured by element, by degree, or by one of the per-atom quantities given with
// setAtomQuantities (a model's force error, its energy per atom), with a colour bar.

#include "graphace/neighbor_list.h"
#include "graphace/structure.h"
#include "graphace/ui/structure_scene.h"

#include <QWidget>

#include <QList>
#include <QString>

#include <memory>
#include <vector>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;
class QToolButton;

namespace graphace::ui {

class ColourBar;
class VtkViewport;

// A value per atom of the structure shown, to colour the atoms by.
struct AtomQuantity {
    QString name;               // e.g. "force error, GCN (eV/Å)"
    std::vector<double> values; // one per atom; NaN drawn grey
    bool fromZero = false;      // the scale starts at 0 (errors), else at the smallest value
};

class StructureView : public QWidget {
    Q_OBJECT
public:
    explicit StructureView(QWidget* parent = nullptr);
    ~StructureView() override;

    // Shows a structure and frames it (camera reset); bonds follow with setNeighbors.
    void setStructure(std::shared_ptr<const Structure> structure);
    // The same structure moved (a dynamics frame): atoms redrawn, camera and colours kept.
    void showFrame(std::shared_ptr<const Structure> structure);
    void setNeighbors(const NeighborList& neighbors, const std::vector<int>& degrees);
    // Highlights an atom of the structure (-1 clears) and emits atomPicked.
    void pickAtom(int atom);

    StructureScene& scene() { return *m_scene; }
    VtkViewport* viewport() const { return m_viewport; }
    // Colour atoms by: "Element", "Degree", then the quantities given.
    QComboBox* colourBox() const { return m_colour; }
    ColourBar* colourBar() const { return m_colourBar; }
    // The quantities offered for the structure shown (replaces the previous ones; the choice is
    // kept by name where the new list has it, else the colours fall back to elements).
    void setAtomQuantities(const QList<AtomQuantity>& quantities);
    const QList<AtomQuantity>& atomQuantities() const { return m_quantities; }
    // Selects "Degree" (true) or "Element" (false).
    void setColourByDegree(bool byDegree);
    // The key of the atom colours shown above the view (rich text; empty when hidden).
    QLabel* colourLegend() const { return m_legend; }
    QSpinBox* replicaBox(int axis) const { return m_replicas[axis]; }
    QToolButton* projectionButton() const { return m_projection; }

public Q_SLOTS:
    void resetView();
    void setParallelProjection(bool parallel);

Q_SIGNALS:
    void atomPicked(int atom); // -1 when the click hit no atom
    void colouringChanged();

private:
    void applyOptions();
    // "● Hf (32)  ● O (64)" in the colours the scene draws, for the structure shown.
    QString elementLegend() const;
    void onClicked(double x, double y);

    VtkViewport* m_viewport = nullptr;
    std::unique_ptr<StructureScene> m_scene;
    QSpinBox* m_replicas[3] = {nullptr, nullptr, nullptr};
    QComboBox* m_colour = nullptr;
    ColourBar* m_colourBar = nullptr;
    QList<AtomQuantity> m_quantities;
    QString m_wantedColour; // the colouring last chosen in the box
    QCheckBox* m_ghosts = nullptr;
    QCheckBox* m_bonds = nullptr;
    QCheckBox* m_cell = nullptr;
    QToolButton* m_projection = nullptr;
    QLabel* m_legend = nullptr;
    bool m_framePending = false; // a new structure is framed again with its first neighbours
};

} // namespace graphace::ui
