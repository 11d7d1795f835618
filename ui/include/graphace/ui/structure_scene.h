#pragma once
// The 3D picture of one structure in a VTK renderer: atoms, periodic cell, neighbour bonds.
//
//   * Atoms are glyphs (one vtkGlyph3DMapper, not one actor per atom): spheres coloured by
//     element, radius = atomScale × covalent radius; or by neighbour count, or by a value per
//     atom (a model's force error, its energy per atom) on a colour scale.
//   * The cell is drawn as a wireframe, once per replica (1–3 replicas per periodic axis).
//   * Bonds are the neighbour-list edges, one line each, in a single polydata. An edge whose
//     other end lies outside the replicated block ends at that atom's periodic image, drawn as
//     a faded "ghost"; with ghosts off it is drawn as a half-bond to the midpoint.
//
// Displayed atom k is atom (k mod N) of replica k / N; replica 0 is the structure as given.

#include "graphace/neighbor_list.h"
#include "graphace/structure.h"

#include <array>
#include <memory>
#include <vector>

class vtkRenderer;

namespace graphace::ui {

// What an atom's colour shows: its element, its neighbour count, or a value per atom given
// with setAtomValues (e.g. a model's force error) on a colour scale.
enum class AtomColouring { Element, Degree, Values };

struct SceneOptions {
    std::array<int, 3> replicas{1, 1, 1}; // per axis, 1–3; forced to 1 on non-periodic axes
    AtomColouring colouring = AtomColouring::Element;
    bool showGhosts = true; // false: bonds across the boundary become half-bonds
    bool showBonds = true;
    bool showCell = true;
    double atomScale = 0.4; // sphere radius = atomScale × covalent radius
};

// RGB in [0, 1] of an element (magenta for an atomic number the table does not have).
std::array<float, 3> elementColour(int z);
// RGB in [0, 1] for a degree: isolated atoms (0) in red, others on a blue → yellow scale.
std::array<float, 3> degreeColour(int degree, int maxDegree);
// RGB in [0, 1] on the value scale (dark blue → teal → green → yellow, as viridis) for t in
// [0, 1] (clamped); NaN gives grey.
std::array<float, 3> valueColour(double t);

class StructureScene {
public:
    explicit StructureScene(vtkRenderer* renderer);
    ~StructureScene();
    StructureScene(const StructureScene&) = delete;
    StructureScene& operator=(const StructureScene&) = delete;

    // Shows a structure (no bonds until setNeighbors). Clears the highlighted atom.
    void setStructure(std::shared_ptr<const Structure> structure);
    const std::shared_ptr<const Structure>& structure() const { return m_structure; }
    // Bonds for the current structure; `degrees` (one per atom) is used by the degree colours.
    void setNeighbors(const NeighborList& neighbors, const std::vector<int>& degrees);
    // One value per atom of the current structure for AtomColouring::Values, mapped linearly
    // from [low, high] onto the scale; cleared by setStructure. Wrong sizes colour by element.
    void setAtomValues(std::vector<double> values, double low, double high);
    const std::vector<double>& atomValues() const { return m_values; }
    // The colour atom `atom` (of replica 0) is drawn in now.
    std::array<float, 3> atomColour(int atom) const;
    void setOptions(const SceneOptions& options);
    const SceneOptions& options() const { return m_options; }
    // Replicas actually used (non-periodic axes give 1).
    std::array<int, 3> effectiveReplicas() const;

    // Marks an atom of replica 0 and its bonds; -1 clears.
    void setHighlightedAtom(int atom);
    int highlightedAtom() const { return m_highlighted; }
    // Atom (index in the structure) under a display point, nearest to the camera; -1 if none.
    int pickAtom(double displayX, double displayY) const;

    // Where atom `atom` of replica 0 appears: VTK display coordinates (device pixels, origin
    // bottom left) and depth in [0, 1] (smaller is nearer).
    std::array<double, 3> projectAtom(int atom) const;

    // While the camera moves, a large scene (more than kInteractiveAtomLimit glyphs) drops its
    // bonds and images so that orbiting stays fluid on software GL; they return afterwards.
    void setInteracting(bool interacting);
    bool interacting() const { return m_interacting; }

    void resetCamera();
    void setParallelProjection(bool parallel);
    bool parallelProjection() const;
    // Camera position and focal point (world coordinates, Å).
    std::array<double, 6> cameraState() const;

    int displayedAtomCount() const { return m_displayedAtoms; }
    int ghostAtomCount() const { return m_ghostAtoms; }
    int bondCount() const { return m_bonds; }
    // True when there were more edges than are drawn (the bond layer is then left empty).
    bool bondsOmitted() const { return m_bondsOmitted; }

private:
    void rebuildAtoms();
    void rebuildBonds();
    void rebuildCell();
    void rebuildHighlight();
    void applyLayerVisibility();

    struct Vtk;
    std::unique_ptr<Vtk> m_vtk;
    std::shared_ptr<const Structure> m_structure;
    NeighborList m_neighbors;
    std::vector<int> m_degrees;
    int m_maxDegree = 0;
    std::vector<double> m_values;
    double m_valueLow = 0, m_valueHigh = 1;
    SceneOptions m_options;
    std::vector<Vec3> m_displayedPositions; // for picking
    std::vector<double> m_displayedRadii;
    int m_highlighted = -1;
    int m_displayedAtoms = 0;
    int m_ghostAtoms = 0;
    int m_bonds = 0;
    bool m_bondsOmitted = false;
    bool m_interacting = false;
};

inline constexpr int kInteractiveAtomLimit = 3000;

// Above this many drawn bond lines the bond layer is skipped: a hairball helps nobody and
// would stall software rendering.
inline constexpr std::size_t kMaxDrawnBonds = 3'000'000;

} // namespace graphace::ui
