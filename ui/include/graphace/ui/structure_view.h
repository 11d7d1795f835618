#pragma once
// The 3D structure view: VTK viewport, scene and its controls (replicas, projection, colours).

#include "graphace/neighbor_list.h"
#include "graphace/structure.h"
#include "graphace/ui/structure_scene.h"

#include <QWidget>

#include <memory>

class QCheckBox;
class QLabel;
class QSpinBox;
class QToolButton;

namespace graphace::ui {

class VtkViewport;

class StructureView : public QWidget {
    Q_OBJECT
public:
    explicit StructureView(QWidget* parent = nullptr);
    ~StructureView() override;

    // Shows a structure and frames it (camera reset); bonds follow with setNeighbors.
    void setStructure(std::shared_ptr<const Structure> structure);
    void setNeighbors(const NeighborList& neighbors, const std::vector<int>& degrees);
    // Highlights an atom of the structure (-1 clears) and emits atomPicked.
    void pickAtom(int atom);

    StructureScene& scene() { return *m_scene; }
    VtkViewport* viewport() const { return m_viewport; }
    QCheckBox* colourByDegreeBox() const { return m_colourByDegree; }
    QSpinBox* replicaBox(int axis) const { return m_replicas[axis]; }

public Q_SLOTS:
    void resetView();
    void setParallelProjection(bool parallel);

Q_SIGNALS:
    void atomPicked(int atom); // -1 when the click hit no atom

private:
    void applyOptions();
    void onClicked(double x, double y);

    VtkViewport* m_viewport = nullptr;
    std::unique_ptr<StructureScene> m_scene;
    QSpinBox* m_replicas[3] = {nullptr, nullptr, nullptr};
    QCheckBox* m_colourByDegree = nullptr;
    QCheckBox* m_ghosts = nullptr;
    QCheckBox* m_bonds = nullptr;
    QCheckBox* m_cell = nullptr;
    QToolButton* m_projection = nullptr;
    QLabel* m_legend = nullptr;
};

} // namespace graphace::ui
