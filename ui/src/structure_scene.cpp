#include "graphace/ui/structure_scene.h"

#include "graphace/element.h"

#include <vtkActor.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkFloatArray.h>
#include <vtkGlyph3DMapper.h>
#include <vtkNew.h>
#include <vtkPointData.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkRenderer.h>
#include <vtkSphereSource.h>
#include <vtkUnsignedCharArray.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

namespace graphace::ui {

namespace {

// Covalent radius with a floor, so that H stays visible next to Hf.
double atomRadius(int z, double scale) {
    double r = 1.5;
    try {
        r = elementByNumber(z).covalentRadius;
    } catch (const std::out_of_range&) {
    }
    return scale * std::max(r, 0.5);
}

// Periodic images drawn beside the cell: smaller and washed out towards grey.
constexpr double kGhostScale = 0.7;
std::array<float, 3> fadedColour(const std::array<float, 3>& rgb) {
    constexpr float keep = 0.4f, grey = 0.55f;
    return {keep * rgb[0] + (1 - keep) * grey, keep * rgb[1] + (1 - keep) * grey,
            keep * rgb[2] + (1 - keep) * grey};
}

unsigned char toByte(float c) {
    return static_cast<unsigned char>(std::clamp(c, 0.0f, 1.0f) * 255.0f + 0.5f);
}

// Atom glyph layer: positions plus "colour" (RGB bytes) and "radius" arrays.
struct GlyphLayer {
    vtkNew<vtkPolyData> data;
    vtkNew<vtkPoints> points;
    vtkNew<vtkUnsignedCharArray> colours;
    vtkNew<vtkFloatArray> radii;
    vtkNew<vtkSphereSource> sphere;
    vtkNew<vtkGlyph3DMapper> mapper;
    vtkNew<vtkActor> actor;

    GlyphLayer() {
        colours->SetName("colour");
        colours->SetNumberOfComponents(3);
        radii->SetName("radius");
        points->SetDataTypeToDouble();
        data->SetPoints(points);
        data->GetPointData()->AddArray(colours);
        data->GetPointData()->AddArray(radii);
        sphere->SetRadius(1.0);
        mapper->SetInputData(data);
        mapper->SetSourceConnection(sphere->GetOutputPort());
        mapper->SetScaleArray("radius");
        mapper->SetScaleModeToScaleByMagnitude();
        mapper->ScalingOn();
        mapper->ScalarVisibilityOn();
        mapper->SetScalarModeToUsePointFieldData();
        mapper->SelectColorArray("colour");
        mapper->SetColorModeToDirectScalars();
        actor->SetMapper(mapper);
        auto* p = actor->GetProperty();
        p->SetAmbient(0.15);
        p->SetDiffuse(0.8);
        p->SetSpecular(0.35);
        p->SetSpecularPower(40);
    }

    void clear() {
        points->Reset();
        colours->Reset();
        radii->Reset();
    }
    void add(const Vec3& r, const std::array<float, 3>& rgb, double radius) {
        points->InsertNextPoint(r.x(), r.y(), r.z());
        colours->InsertNextTuple3(toByte(rgb[0]), toByte(rgb[1]), toByte(rgb[2]));
        radii->InsertNextValue(static_cast<float>(radius));
    }
    // `count` glyphs: fewer facets for many atoms. Software GL (llvmpipe) is triangle-bound:
    // 10,000 atoms at full resolution is millions of triangles and seconds per frame.
    void commit(int count, bool coarse = false) {
        int theta = count <= 300 ? 20 : count <= 3000 ? 14 : count <= 30000 ? 8 : 6;
        if (coarse) // faded images: detail matters less than for the atoms themselves
            theta = count <= 100 ? 16 : count <= 1000 ? 10 : 6;
        sphere->SetThetaResolution(theta);
        sphere->SetPhiResolution(std::max(4, theta * 2 / 3));
        points->Modified();
        colours->Modified();
        radii->Modified();
        data->Modified();
    }
};

// Line layer: one polydata of independent segments.
struct LineLayer {
    vtkNew<vtkPolyData> data;
    vtkNew<vtkPoints> points;
    vtkNew<vtkCellArray> lines;
    vtkNew<vtkPolyDataMapper> mapper;
    vtkNew<vtkActor> actor;

    LineLayer() {
        points->SetDataTypeToDouble();
        data->SetPoints(points);
        data->SetLines(lines);
        mapper->SetInputData(data);
        mapper->ScalarVisibilityOff();
        actor->SetMapper(mapper);
        actor->GetProperty()->SetLighting(false);
    }
    void clear() {
        points->Reset();
        lines->Reset();
    }
    void add(const Vec3& a, const Vec3& b) {
        const vtkIdType ia = points->InsertNextPoint(a.x(), a.y(), a.z());
        const vtkIdType ib = points->InsertNextPoint(b.x(), b.y(), b.z());
        const vtkIdType ids[2] = {ia, ib};
        lines->InsertNextCell(2, ids);
    }
    void commit() {
        points->Modified();
        lines->Modified();
        data->Modified();
    }
};

} // namespace

struct StructureScene::Vtk {
    vtkRenderer* renderer = nullptr;
    GlyphLayer atoms;
    GlyphLayer ghosts;
    LineLayer bonds;
    LineLayer cell;
    LineLayer highlightBonds;
    GlyphLayer highlight;
};

namespace {

// Linear interpolation between evenly spaced colour stops, t in [0, 1] (clamped).
template <std::size_t N>
std::array<float, 3> rampColour(const std::array<std::array<float, 3>, N>& stops, double t) {
    const double x = std::clamp(t, 0.0, 1.0) * (N - 1);
    const int k = std::min<int>(static_cast<int>(x), static_cast<int>(N) - 2);
    const double f = x - k;
    std::array<float, 3> c{};
    for (int m = 0; m < 3; ++m)
        c[m] = static_cast<float>((1 - f) * stops[k][m] + f * stops[k + 1][m]);
    return c;
}

} // namespace

std::array<float, 3> elementColour(int z) {
    try {
        return elementByNumber(z).colour;
    } catch (const std::out_of_range&) {
        return {1.0f, 0.0f, 1.0f}; // unknown number: magenta, clearly "wrong"
    }
}

std::array<float, 3> degreeColour(int degree, int maxDegree) {
    if (degree <= 0)
        return {0.95f, 0.15f, 0.15f};
    // Blue (few neighbours) → cyan → green → yellow (most neighbours).
    static const std::array<std::array<float, 3>, 4> stops{
        {{0.20f, 0.35f, 0.95f}, {0.10f, 0.80f, 0.90f}, {0.30f, 0.85f, 0.30f}, {1.0f, 0.9f, 0.1f}}};
    return rampColour(stops, maxDegree <= 1 ? 1.0 : double(degree - 1) / double(maxDegree - 1));
}

std::array<float, 3> valueColour(double t) {
    if (std::isnan(t))
        return {0.6f, 0.6f, 0.6f};
    static const std::array<std::array<float, 3>, 5> stops{{{0.27f, 0.00f, 0.33f},
                                                            {0.23f, 0.32f, 0.55f},
                                                            {0.13f, 0.57f, 0.55f},
                                                            {0.37f, 0.79f, 0.38f},
                                                            {0.99f, 0.91f, 0.14f}}};
    return rampColour(stops, t);
}

std::array<float, 3> StructureScene::atomColour(int atom) const {
    const std::size_t atoms = m_structure ? m_structure->size() : 0;
    if (m_options.colouring == AtomColouring::Degree && m_degrees.size() == atoms)
        return degreeColour(m_degrees[atom], m_maxDegree);
    if (m_options.colouring == AtomColouring::Values && m_values.size() == atoms) {
        const double span = m_valueHigh - m_valueLow;
        return valueColour(span > 0 ? (m_values[atom] - m_valueLow) / span : 0.5);
    }
    return elementColour(m_structure->numbers[atom]);
}

StructureScene::StructureScene(vtkRenderer* renderer) : m_vtk(std::make_unique<Vtk>()) {
    auto& v = *m_vtk;
    v.renderer = renderer;
    // Ghosts are faded by colour, not by opacity: translucent glyphs cost a blended pass over
    // every covered pixel, which made software-rendered frames ten times slower.
    v.ghosts.actor->GetProperty()->SetSpecular(0.0);
    v.ghosts.actor->GetProperty()->SetAmbient(0.35);
    v.bonds.actor->GetProperty()->SetColor(0.82, 0.84, 0.88);
    v.bonds.actor->GetProperty()->SetLineWidth(2.0);
    v.cell.actor->GetProperty()->SetColor(0.95, 0.85, 0.45);
    v.cell.actor->GetProperty()->SetLineWidth(1.5);
    v.highlightBonds.actor->GetProperty()->SetColor(1.0, 0.95, 0.2);
    v.highlightBonds.actor->GetProperty()->SetLineWidth(4.0);
    v.highlight.actor->GetProperty()->SetOpacity(0.45);
    v.highlight.mapper->ScalarVisibilityOff();
    v.highlight.actor->GetProperty()->SetColor(1.0, 0.95, 0.2);
    v.highlight.actor->PickableOff();
    for (vtkActor* actor :
         {v.atoms.actor.Get(), v.ghosts.actor.Get(), v.bonds.actor.Get(), v.cell.actor.Get(),
          v.highlightBonds.actor.Get(), v.highlight.actor.Get()})
        renderer->AddActor(actor);
}

StructureScene::~StructureScene() {
    auto& v = *m_vtk;
    for (vtkActor* actor :
         {v.atoms.actor.Get(), v.ghosts.actor.Get(), v.bonds.actor.Get(), v.cell.actor.Get(),
          v.highlightBonds.actor.Get(), v.highlight.actor.Get()})
        v.renderer->RemoveActor(actor);
}

std::array<int, 3> StructureScene::effectiveReplicas() const {
    std::array<int, 3> n{1, 1, 1};
    if (!m_structure)
        return n;
    for (int k = 0; k < 3; ++k)
        if (m_structure->pbc[k] && m_structure->cell.row(k).norm() > 0.0)
            n[k] = std::clamp(m_options.replicas[k], 1, 3);
    return n;
}

void StructureScene::setStructure(std::shared_ptr<const Structure> structure) {
    m_structure = std::move(structure);
    m_neighbors = NeighborList{};
    m_degrees.clear();
    m_maxDegree = 0;
    m_values.clear();
    m_highlighted = -1;
    rebuildAtoms();
    rebuildBonds();
    rebuildCell();
    rebuildHighlight();
}

void StructureScene::setNeighbors(const NeighborList& neighbors, const std::vector<int>& degrees) {
    m_neighbors = neighbors;
    m_degrees = degrees;
    m_maxDegree = degrees.empty() ? 0 : *std::max_element(degrees.begin(), degrees.end());
    if (m_options.colouring == AtomColouring::Degree)
        rebuildAtoms();
    rebuildBonds();
    rebuildHighlight();
}

void StructureScene::setAtomValues(std::vector<double> values, double low, double high) {
    m_values = std::move(values);
    m_valueLow = low;
    m_valueHigh = high;
    if (m_options.colouring == AtomColouring::Values) {
        rebuildAtoms();
        rebuildBonds(); // the images' colours
    }
}

void StructureScene::setOptions(const SceneOptions& options) {
    m_options = options;
    rebuildAtoms();
    rebuildBonds();
    rebuildCell();
    rebuildHighlight();
}

void StructureScene::rebuildAtoms() {
    auto& layer = m_vtk->atoms;
    layer.clear();
    m_displayedPositions.clear();
    m_displayedRadii.clear();
    m_displayedAtoms = 0;
    if (!m_structure) {
        layer.commit(0);
        return;
    }
    const Structure& s = *m_structure;
    const auto n = effectiveReplicas();
    const int atoms = static_cast<int>(s.size());
    const int total = atoms * n[0] * n[1] * n[2];
    m_displayedPositions.reserve(total);
    m_displayedRadii.reserve(total);
    for (int a = 0; a < n[0]; ++a)
        for (int b = 0; b < n[1]; ++b)
            for (int c = 0; c < n[2]; ++c) {
                const Vec3 offset = (Vec3(a, b, c).transpose() * s.cell).transpose();
                for (int i = 0; i < atoms; ++i) {
                    const Vec3 r = s.positions[i] + offset;
                    const double radius = atomRadius(s.numbers[i], m_options.atomScale);
                    layer.add(r, atomColour(i), radius);
                    m_displayedPositions.push_back(r);
                    m_displayedRadii.push_back(radius);
                }
            }
    m_displayedAtoms = total;
    layer.commit(total);
}

void StructureScene::rebuildBonds() {
    auto& bonds = m_vtk->bonds;
    auto& ghosts = m_vtk->ghosts;
    bonds.clear();
    ghosts.clear();
    m_bonds = 0;
    m_ghostAtoms = 0;
    m_bondsOmitted = false;
    const auto n = effectiveReplicas();
    const std::size_t replicaCount = static_cast<std::size_t>(n[0]) * n[1] * n[2];
    if (!m_structure || !m_options.showBonds ||
        m_neighbors.edgeCount() * replicaCount / 2 > kMaxDrawnBonds) {
        m_bondsOmitted = m_structure && m_options.showBonds;
        bonds.actor->SetVisibility(false);
        ghosts.actor->SetVisibility(false);
        bonds.commit();
        ghosts.commit(0);
        return;
    }
    const Structure& s = *m_structure;
    const long atoms = static_cast<long>(s.size());
    // Ghosts are keyed by (atom, replica coordinates) so each image is drawn once.
    std::unordered_map<long long, int> ghostIndex;
    auto ghostKey = [atoms](int j, int a, int b, int c) {
        const long long cell = ((a + 512LL) * 1024 + (b + 512LL)) * 1024 + (c + 512LL);
        return cell * atoms + j;
    };
    auto displayed = [&](int i, int a, int b, int c) {
        return ((static_cast<long>(a) * n[1] + b) * n[2] + c) * atoms + i;
    };

    for (int a = 0; a < n[0]; ++a)
        for (int b = 0; b < n[1]; ++b)
            for (int c = 0; c < n[2]; ++c) {
                const Vec3 offset = (Vec3(a, b, c).transpose() * s.cell).transpose();
                for (std::size_t e = 0; e < m_neighbors.edgeCount(); ++e) {
                    const int i = m_neighbors.first[e];
                    const int j = m_neighbors.second[e];
                    const Shift& S = m_neighbors.shifts[e];
                    const int ta = a + S[0], tb = b + S[1], tc = c + S[2];
                    const bool inside =
                        ta >= 0 && ta < n[0] && tb >= 0 && tb < n[1] && tc >= 0 && tc < n[2];
                    const Vec3 from = s.positions[i] + offset;
                    const Vec3 to = from + m_neighbors.vectors[e];
                    if (inside) {
                        // The full list holds every bond twice; draw it from its lower end.
                        if (displayed(i, a, b, c) < displayed(j, ta, tb, tc)) {
                            bonds.add(from, to);
                            ++m_bonds;
                        }
                        continue;
                    }
                    if (!m_options.showGhosts) {
                        bonds.add(from, 0.5 * (from + to));
                        ++m_bonds;
                        continue;
                    }
                    bonds.add(from, to);
                    ++m_bonds;
                    const long long key = ghostKey(j, ta, tb, tc);
                    if (ghostIndex.emplace(key, m_ghostAtoms).second) {
                        ghosts.add(to, fadedColour(atomColour(j)),
                                   kGhostScale * atomRadius(s.numbers[j], m_options.atomScale));
                        ++m_ghostAtoms;
                    }
                }
            }
    // Wide lines are emulated in a core profile; for very many bonds one pixel is cheaper.
    bonds.actor->GetProperty()->SetLineWidth(m_bonds <= 20000 ? 2.0f : 1.0f);
    applyLayerVisibility();
    bonds.commit();
    ghosts.commit(m_ghostAtoms, true); // small and faded: fewer facets do
}

void StructureScene::applyLayerVisibility() {
    const bool light = m_interacting && m_displayedAtoms + m_ghostAtoms > kInteractiveAtomLimit;
    m_vtk->bonds.actor->SetVisibility(m_bonds > 0 && !light);
    m_vtk->ghosts.actor->SetVisibility(m_ghostAtoms > 0 && !light);
}

void StructureScene::setInteracting(bool interacting) {
    m_interacting = interacting;
    applyLayerVisibility();
}

void StructureScene::rebuildCell() {
    auto& cell = m_vtk->cell;
    cell.clear();
    const bool hasCell = m_structure && m_structure->volume() > 0.0;
    cell.actor->SetVisibility(hasCell && m_options.showCell);
    if (!hasCell) {
        cell.commit();
        return;
    }
    const Mat3& L = m_structure->cell;
    const Vec3 a1 = L.row(0).transpose(), a2 = L.row(1).transpose(), a3 = L.row(2).transpose();
    const auto n = effectiveReplicas();
    for (int a = 0; a < n[0]; ++a)
        for (int b = 0; b < n[1]; ++b)
            for (int c = 0; c < n[2]; ++c) {
                const Vec3 o = a * a1 + b * a2 + c * a3;
                // The 12 edges of the parallelepiped: 4 along each lattice vector.
                const std::array<Vec3, 3> axes{a1, a2, a3};
                for (int k = 0; k < 3; ++k) {
                    const Vec3& u = axes[(k + 1) % 3];
                    const Vec3& w = axes[(k + 2) % 3];
                    for (const Vec3& base : {o, Vec3(o + u), Vec3(o + w), Vec3(o + u + w)})
                        cell.add(base, base + axes[k]);
                }
            }
    cell.commit();
}

void StructureScene::rebuildHighlight() {
    auto& sphere = m_vtk->highlight;
    auto& lines = m_vtk->highlightBonds;
    sphere.clear();
    lines.clear();
    const bool valid =
        m_structure && m_highlighted >= 0 && m_highlighted < static_cast<int>(m_structure->size());
    if (valid) {
        const Structure& s = *m_structure;
        const Vec3& r = s.positions[m_highlighted];
        sphere.add(r, {1.0f, 0.95f, 0.2f},
                   1.35 * atomRadius(s.numbers[m_highlighted], m_options.atomScale) + 0.15);
        // The list is sorted by i, so the picked atom's edges are one contiguous run.
        const auto begin =
            std::lower_bound(m_neighbors.first.begin(), m_neighbors.first.end(), m_highlighted);
        for (auto it = begin; it != m_neighbors.first.end() && *it == m_highlighted; ++it) {
            const std::size_t e = static_cast<std::size_t>(it - m_neighbors.first.begin());
            lines.add(r, r + m_neighbors.vectors[e]);
        }
    }
    sphere.actor->SetVisibility(valid);
    lines.actor->SetVisibility(valid && lines.lines->GetNumberOfCells() > 0);
    sphere.commit(1);
    lines.commit();
}

void StructureScene::setHighlightedAtom(int atom) {
    const bool valid = m_structure && atom >= 0 && atom < static_cast<int>(m_structure->size());
    m_highlighted = valid ? atom : -1;
    rebuildHighlight();
}

int StructureScene::pickAtom(double displayX, double displayY) const {
    if (m_displayedPositions.empty())
        return -1;
    vtkRenderer* renderer = m_vtk->renderer;
    auto worldAt = [&](double z) {
        renderer->SetDisplayPoint(displayX, displayY, z);
        renderer->DisplayToWorld();
        double p[4];
        renderer->GetWorldPoint(p);
        const double w = p[3] != 0.0 ? p[3] : 1.0;
        return Vec3(p[0] / w, p[1] / w, p[2] / w);
    };
    const Vec3 nearPoint = worldAt(0.0);
    const Vec3 farPoint = worldAt(1.0);
    Vec3 direction = farPoint - nearPoint;
    const double length = direction.norm();
    if (!(length > 0.0))
        return -1;
    direction /= length;

    // Ray–sphere test against every displayed atom: exact for glyphs of any size and cheap
    // next to a render (10^5 spheres in well under a millisecond).
    int best = -1;
    double bestT = std::numeric_limits<double>::infinity();
    for (std::size_t k = 0; k < m_displayedPositions.size(); ++k) {
        const Vec3 toCentre = m_displayedPositions[k] - nearPoint;
        const double along = toCentre.dot(direction);
        const double r = m_displayedRadii[k];
        const double d2 = toCentre.squaredNorm() - along * along;
        if (d2 > r * r)
            continue;
        const double t = along - std::sqrt(r * r - d2);
        if (t < bestT) {
            bestT = t;
            best = static_cast<int>(k);
        }
    }
    return best < 0 ? -1 : best % static_cast<int>(m_structure->size());
}

std::array<double, 3> StructureScene::projectAtom(int atom) const {
    if (!m_structure || atom < 0 || atom >= static_cast<int>(m_structure->size()))
        return {0.0, 0.0, 1.0};
    const Vec3& r = m_structure->positions[atom];
    vtkRenderer* renderer = m_vtk->renderer;
    renderer->SetWorldPoint(r.x(), r.y(), r.z(), 1.0);
    renderer->WorldToDisplay();
    double p[3];
    renderer->GetDisplayPoint(p);
    return {p[0], p[1], p[2]};
}

namespace {
// Below this many atoms drawn, the camera frames the periodic images too.
constexpr int kFewAtoms = 24;
} // namespace

void StructureScene::resetCamera() {
    vtkRenderer* renderer = m_vtk->renderer;
    vtkCamera* camera = renderer->GetActiveCamera();
    // A slightly oblique view shows the cell as a box rather than a square.
    camera->SetFocalPoint(0, 0, 0);
    camera->SetPosition(0, -1, 0);
    camera->SetViewUp(0, 0, 1);
    camera->Azimuth(25);
    camera->Elevation(20);
    camera->OrthogonalizeViewUp();
    // Frame the atoms and the cell only: periodic images and long bonds around them may reach
    // far out and would shrink the structure to a dot.
    double bounds[6] = {0, 0, 0, 0, 0, 0};
    bool any = false;
    auto include = [&](vtkActor* actor) {
        if (!actor->GetVisibility())
            return;
        const double* b = actor->GetBounds();
        if (!b || b[0] > b[1])
            return;
        for (int k = 0; k < 3; ++k) {
            bounds[2 * k] = any ? std::min(bounds[2 * k], b[2 * k]) : b[2 * k];
            bounds[2 * k + 1] = any ? std::max(bounds[2 * k + 1], b[2 * k + 1]) : b[2 * k + 1];
        }
        any = true;
    };
    if (m_displayedAtoms > 0)
        include(m_vtk->atoms.actor);
    include(m_vtk->cell.actor);
    // In a cell of a few atoms most neighbours are images: framing the cell alone cut them off.
    if (m_displayedAtoms > 0 && m_displayedAtoms < kFewAtoms && m_ghostAtoms > 0)
        include(m_vtk->ghosts.actor);
    if (any)
        renderer->ResetCamera(bounds);
    else
        renderer->ResetCamera();
    camera->Zoom(1.1);
    renderer->ResetCameraClippingRange();
}

void StructureScene::setParallelProjection(bool parallel) {
    vtkCamera* camera = m_vtk->renderer->GetActiveCamera();
    if (parallel && !camera->GetParallelProjection()) {
        // Keep the apparent size: the parallel scale is half the height seen at the focus.
        const double angle = camera->GetViewAngle() * 3.14159265358979323846 / 180.0;
        camera->SetParallelScale(camera->GetDistance() * std::tan(0.5 * angle));
    }
    camera->SetParallelProjection(parallel);
    m_vtk->renderer->ResetCameraClippingRange();
}

bool StructureScene::parallelProjection() const {
    return m_vtk->renderer->GetActiveCamera()->GetParallelProjection() != 0;
}

std::array<double, 6> StructureScene::cameraState() const {
    vtkCamera* camera = m_vtk->renderer->GetActiveCamera();
    std::array<double, 6> state{};
    camera->GetPosition(state.data());
    camera->GetFocalPoint(state.data() + 3);
    return state;
}

} // namespace graphace::ui
