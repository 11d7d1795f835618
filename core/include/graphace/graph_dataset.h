#pragma once
// What the network trains on: per configuration the ACE descriptors, the species, the normalised
// adjacency and the reference energy, computed once before training. No torch here, so the GUI
// and the CLI can prepare, inspect and report on data without the network.

#include "graphace/ace_basis.h"
#include "graphace/ace_descriptors.h"
#include "graphace/graph.h"
#include "graphace/graph_statistics.h"
#include "graphace/pair_shells.h"
#include "graphace/progress.h"
#include "graphace/structure.h"

#include <memory>
#include <vector>

namespace graphace {

// What the exact derivatives of a model's energy with respect to the atom positions need. A
// model's energy depends on the positions only through the edge vectors r_e = r_j − r_i + S·cell
// of its sample: through the ACE descriptors (ACE edges, d < rcut) and through the adjacency
// weights (graph edges, d < graph cutoff). With q_e = ∂E/∂r_e:
//   F_a = −Σ_e q_e (δ_{a j_e} − δ_{a i_e}),   virial W = −Σ_e r_e ⊗ q_e,   stress = −W / V.
struct SampleGeometry {
    int blockSize = 0; // K: functions per species block of the descriptors
    // ACE edges e = (i, j, S): aceGradients row 3e + c holds ∂B_{i,k}/∂(r_e)_c for the K
    // functions of atom i's species block (zero rows beyond rcut are dropped).
    std::vector<int> aceFirst, aceSecond;
    std::vector<double> aceVectors; // 3 per edge
    // Exactly one of the two holds the Jacobian: float64, or float32 for float32 models (half
    // the memory, and a float32 model on the CPU uses it in place: no copy at all).
    RowMatrix aceGradients;            // 3E × K, float64
    FloatRowMatrix aceGradientsSingle; // 3E × K, float32
    bool singlePrecision() const { return aceGradientsSingle.size() > 0; }
    // Graph edges: endpoints, r_e, the weight w(d_e), ∂w/∂r_e = w'(d_e) r̂_e, and the index of
    // the adjacency entry (graph.rows / columns) the weight adds to.
    std::vector<int> edgeFirst, edgeSecond, edgeEntry;
    std::vector<double> edgeVectors, edgeWeights, edgeWeightGradients; // 3, 1, 3 per edge
    // Per adjacency entry: its unnormalised value without the edges (1 on the diagonal with
    // self-loops, else 0), so that Â can be rebuilt from the weights.
    std::vector<double> entryBase;
    Normalisation normalisation = Normalisation::Symmetric;
    EdgeWeighting weighting = EdgeWeighting::SmoothPolynomial;
    double volume = 0.0;                 // Å³ of a cell periodic in all three directions, else 0
    std::vector<double> referenceForces; // 3N eV/Å; empty when the configuration has none
    // 9 eV, row-major W (reference_virial.h), from the structure's `virial`; empty when none
    // (prepareExperiment turns a `stress` into `virial` by data.stress_unit / stress_sign).
    std::vector<double> referenceVirial;
    // Bytes held (the ACE Jacobian dominates: 3 · 8 · K per ACE edge, 3 · 4 · K in float32).
    std::size_t bytes() const;
};

struct GraphSample {
    int atomCount = 0;
    RowMatrix descriptors;    // atomCount × F (the ACE basis size)
    std::vector<int> species; // per atom, index into the basis' species (0…S−1)
    AtomGraph graph;          // normalised adjacency with self-loops as configured
    double energy = 0.0;      // eV, total; NaN when the configuration has none
    // Per atom: neighbour-list edges (i, j, S) within the cutoff, self-loops not counted (the
    // normalised adjacency no longer tells). Empty in hand-made samples: the statistics then
    // count distinct off-diagonal neighbours of the adjacency instead.
    std::vector<int> degrees;
    // Present when built with geometry (buildGraphDataset(..., withGeometry = true)): what
    // forces and stress need. Shared, so copies of a dataset do not copy the Jacobians.
    std::shared_ptr<const SampleGeometry> geometry;
};

struct GraphDataset {
    std::vector<GraphSample> samples;
    int featureCount = 0;
    int speciesCount = 0;
    std::size_t atomCount() const;
};

// Descriptors (AceDerivatives::None) and graphs of every configuration, on `threads` threads
// (0: all cores); one neighbour list per configuration at max(rcut, cutoff) serves both.
// Progress in [0, 1]; throws Cancelled when the callback says stop. With `withGeometry` every
// sample also gets its SampleGeometry (descriptors computed with AceDerivatives::Edges), its
// Jacobian in float32 with `singlePrecisionGeometry` (for float32 models), else float64.
GraphDataset buildGraphDataset(const AceBasis& basis, const GraphOptions& graph,
                               const Dataset& data, int threads = 0,
                               const ProgressCallback& progress = {}, bool withGeometry = false,
                               bool singlePrecisionGeometry = false);

// True when every sample carries geometry with reference forces (what force training needs).
bool hasReferenceForces(const GraphDataset& data);
// How many samples carry geometry with a reference virial.
std::size_t referenceVirialCount(const GraphDataset& data);

// Degree statistics of the graphs as built (self-loops not counted), pooled over all samples:
// `trivial` true means no configuration has any edge, i.e. no message passing (docs/science.md §1).
DegreeStatistics graphDatasetStatistics(const GraphDataset& data);

// The ACE descriptors in the form fitLinearAce expects (for the linear baseline on exactly the
// same numbers the network sees); with geometry also sumGradient (from the edge Jacobians), so
// that the baseline can fit and predict forces.
std::vector<AceStructureDescriptors> aceDescriptorsOf(const GraphDataset& data);

// A neighbour-graph cutoff from the pair distribution of `data`: the first minimum of g(r) after
// its first peak (smoothed histogram, 0.02 Å bins up to `maxDistance`), i.e. the end of the
// first coordination shell; clamped to [minCutoff, maxDistance]. Throws std::invalid_argument
// when the data has no pair within maxDistance.
double suggestCutoff(const Dataset& data, double minCutoff = 2.0, double maxDistance = 6.0);
// The same from shells already computed (pair_shells.h) up to maxDistance.
double suggestCutoff(const PairShells& shells, double minCutoff = 2.0, double maxDistance = 6.0);

} // namespace graphace
