#pragma once
// What the network trains on: per configuration the ACE descriptors, the species, the normalised
// adjacency and the reference energy, computed once before training. No torch here, so the GUI
// and the CLI can prepare, inspect and report on data without the network.

#include "graphace/ace_basis.h"
#include "graphace/ace_descriptors.h"
#include "graphace/graph.h"
#include "graphace/graph_statistics.h"
#include "graphace/progress.h"
#include "graphace/structure.h"

#include <vector>

namespace graphace {

struct GraphSample {
    int atomCount = 0;
    RowMatrix descriptors;     // atomCount × F (the ACE basis size)
    std::vector<int> species;  // per atom, index into the basis' species (0…S−1)
    AtomGraph graph;           // normalised adjacency with self-loops as configured
    double energy = 0.0;       // eV, total; NaN when the configuration has none
    // Per atom: neighbour-list edges (i, j, S) within the cutoff, self-loops not counted (the
    // normalised adjacency no longer tells). Empty in hand-made samples: the statistics then
    // count distinct off-diagonal neighbours of the adjacency instead.
    std::vector<int> degrees;
};

struct GraphDataset {
    std::vector<GraphSample> samples;
    int featureCount = 0;
    int speciesCount = 0;
    std::size_t atomCount() const;
};

// Descriptors (AceDerivatives::None) and graphs of every configuration, on `threads` threads
// (0: all cores); one neighbour list per configuration at max(rcut, cutoff) serves both.
// Progress in [0, 1]; throws Cancelled when the callback says stop.
GraphDataset buildGraphDataset(const AceBasis& basis, const GraphOptions& graph,
                               const Dataset& data, int threads = 0,
                               const ProgressCallback& progress = {});

// Degree statistics of the graphs as built (self-loops not counted), pooled over all samples:
// `trivial` true means no configuration has any edge, i.e. no message passing (notes §1).
DegreeStatistics graphDatasetStatistics(const GraphDataset& data);

// The ACE descriptors in the form fitLinearAce expects (for the linear baseline on exactly the
// same numbers the network sees).
std::vector<AceStructureDescriptors> aceDescriptorsOf(const GraphDataset& data);

// A neighbour-graph cutoff from the pair distribution of `data`: the first minimum of g(r) after
// its first peak (smoothed histogram, 0.02 Å bins up to `maxDistance`), i.e. the end of the
// first coordination shell; clamped to [minCutoff, maxDistance]. Throws std::invalid_argument
// when the data has no pair within maxDistance.
double suggestCutoff(const Dataset& data, double minCutoff = 2.0, double maxDistance = 6.0);

} // namespace graphace
