#include "graphace/graph.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace graphace {
namespace {
constexpr double kPi = 3.14159265358979323846;
} // namespace

double edgeWeight(EdgeWeighting weighting, double distance, double cutoff) {
    if (!(distance < cutoff))
        return 0.0;
    const double x = distance / cutoff;
    switch (weighting) {
    case EdgeWeighting::Binary:
        return 1.0;
    case EdgeWeighting::SmoothCosine:
        return 0.5 * (std::cos(kPi * x) + 1.0);
    case EdgeWeighting::SmoothPolynomial:
        return 1.0 - x * x * x * (10.0 - 15.0 * x + 6.0 * x * x);
    }
    return 1.0;
}

double edgeWeightDerivative(EdgeWeighting weighting, double distance, double cutoff) {
    if (!(distance < cutoff))
        return 0.0;
    const double x = distance / cutoff;
    switch (weighting) {
    case EdgeWeighting::Binary:
        return 0.0;
    case EdgeWeighting::SmoothCosine:
        return -0.5 * kPi / cutoff * std::sin(kPi * x);
    case EdgeWeighting::SmoothPolynomial:
        // d/dx (1 − 10x³ + 15x⁴ − 6x⁵) = −30 x² (1 − x)²
        return -30.0 * x * x * (1.0 - x) * (1.0 - x) / cutoff;
    }
    return 0.0;
}

bool hasContinuousDerivative(EdgeWeighting weighting) {
    return weighting != EdgeWeighting::Binary;
}

std::string whyNoForces(const GraphOptions& options) {
    if (!hasContinuousDerivative(options.weighting))
        return "forces need a smooth edge weight: with graph.weighting = " +
               toString(options.weighting) +
               " the energy jumps whenever an atom crosses the graph cutoff, so it has no "
               "forces; use graph.weighting = smooth-polynomial (continuous up to the second "
               "derivative) or smooth-cosine";
    if (!options.selfLoops && options.normalisation != Normalisation::None)
        return "forces need self-loops when the adjacency is normalised (graph.self_loops = "
               "true): without them an atom's degree can reach zero as its last neighbour "
               "leaves the cutoff, where D^-1/2 has no derivative";
    return {};
}

AtomGraph buildGraph(const Structure& structure, const GraphOptions& options) {
    return buildGraph(computeNeighborList(structure, options.cutoff),
                      static_cast<int>(structure.size()), options);
}

AtomGraph buildGraph(const NeighborList& neighbors, int atomCount, const GraphOptions& options) {
    if (!std::isfinite(options.cutoff) || options.cutoff <= 0.0)
        throw std::invalid_argument("graph: the cutoff must be a positive finite number of Å");
    if (atomCount < 0)
        throw std::invalid_argument("graph: negative atom count");
    // A list made with a smaller cutoff lacks edges the graph needs: refuse rather than
    // silently build a sparser graph.
    if (neighbors.cutoff < options.cutoff)
        throw std::invalid_argument("graph: the neighbour list was computed with cutoff " +
                                    std::to_string(neighbors.cutoff) + " Å, smaller than the " +
                                    "graph cutoff " + std::to_string(options.cutoff) + " Å");
    const std::size_t m = neighbors.edgeCount();
    if (neighbors.second.size() != m || neighbors.distances.size() != m)
        throw std::invalid_argument("graph: inconsistent neighbour list (array sizes differ)");

    // Triplets (row, column, weight): edges inside the cutoff, then the self-loops.
    struct Entry {
        int row;
        int column;
        double value;
    };
    std::vector<Entry> entries;
    entries.reserve(m + (options.selfLoops ? atomCount : 0));
    AtomGraph graph;
    graph.atomCount = atomCount;
    for (std::size_t e = 0; e < m; ++e) {
        const int i = neighbors.first[e], j = neighbors.second[e];
        if (i < 0 || i >= atomCount || j < 0 || j >= atomCount)
            throw std::invalid_argument("graph: neighbour list edge " + std::to_string(e) +
                                        " refers to an atom outside 0.." +
                                        std::to_string(atomCount - 1));
        const double d = neighbors.distances[e];
        if (!(d < options.cutoff))
            continue;
        entries.push_back({i, j, edgeWeight(options.weighting, d, options.cutoff)});
        ++graph.edgeCount;
    }
    if (options.selfLoops)
        for (int i = 0; i < atomCount; ++i)
            entries.push_back({i, i, 1.0});
    // Stable: images of one neighbour are summed in list order, so results are reproducible.
    std::stable_sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) {
        return a.row != b.row ? a.row < b.row : a.column < b.column;
    });

    graph.rows.reserve(entries.size());
    graph.columns.reserve(entries.size());
    graph.values.reserve(entries.size());
    for (const Entry& e : entries) {
        if (!graph.rows.empty() && graph.rows.back() == e.row && graph.columns.back() == e.column) {
            graph.values.back() += e.value;
        } else {
            graph.rows.push_back(e.row);
            graph.columns.push_back(e.column);
            graph.values.push_back(e.value);
        }
    }

    if (options.normalisation == Normalisation::None)
        return graph;
    std::vector<double> degree(atomCount, 0.0);
    for (std::size_t e = 0; e < graph.values.size(); ++e)
        degree[graph.rows[e]] += graph.values[e];
    // 0 for a zero-degree row: that row (and, the list being symmetric, its column) stays zero.
    std::vector<double> scale(atomCount, 0.0);
    for (int i = 0; i < atomCount; ++i)
        if (degree[i] > 0.0)
            scale[i] = options.normalisation == Normalisation::Symmetric
                           ? 1.0 / std::sqrt(degree[i])
                           : 1.0 / degree[i];
    for (std::size_t e = 0; e < graph.values.size(); ++e) {
        graph.values[e] *= scale[graph.rows[e]];
        if (options.normalisation == Normalisation::Symmetric)
            graph.values[e] *= scale[graph.columns[e]];
    }
    return graph;
}

std::string toString(EdgeWeighting weighting) {
    switch (weighting) {
    case EdgeWeighting::Binary:
        return "binary";
    case EdgeWeighting::SmoothCosine:
        return "smooth-cosine";
    case EdgeWeighting::SmoothPolynomial:
        return "smooth-polynomial";
    }
    throw std::invalid_argument("unknown edge weighting");
}

std::string toString(Normalisation normalisation) {
    switch (normalisation) {
    case Normalisation::None:
        return "none";
    case Normalisation::Symmetric:
        return "symmetric";
    case Normalisation::Row:
        return "row";
    }
    throw std::invalid_argument("unknown normalisation");
}

EdgeWeighting parseEdgeWeighting(const std::string& text) {
    if (text == "binary")
        return EdgeWeighting::Binary;
    if (text == "smooth-cosine")
        return EdgeWeighting::SmoothCosine;
    if (text == "smooth-polynomial")
        return EdgeWeighting::SmoothPolynomial;
    throw std::invalid_argument("unknown edge weighting '" + text +
                                "' (expected 'binary', 'smooth-cosine' or 'smooth-polynomial')");
}

Normalisation parseNormalisation(const std::string& text) {
    if (text == "none")
        return Normalisation::None;
    if (text == "symmetric")
        return Normalisation::Symmetric;
    if (text == "row")
        return Normalisation::Row;
    throw std::invalid_argument("unknown normalisation '" + text +
                                "' (expected 'none', 'symmetric' or 'row')");
}

} // namespace graphace
