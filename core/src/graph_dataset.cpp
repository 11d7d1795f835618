#include "graphace/graph_dataset.h"

#include "graphace/neighbor_list.h"
#include "graphace/pair_shells.h"
#include "graphace/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace graphace {

std::size_t GraphDataset::atomCount() const {
    std::size_t total = 0;
    for (const auto& s : samples)
        total += static_cast<std::size_t>(s.atomCount);
    return total;
}

std::size_t SampleGeometry::bytes() const {
    const std::size_t ints = aceFirst.size() + aceSecond.size() + edgeFirst.size() +
                             edgeSecond.size() + edgeEntry.size();
    const std::size_t floats = static_cast<std::size_t>(aceGradientsSingle.size());
    const std::size_t doubles = aceVectors.size() + static_cast<std::size_t>(aceGradients.size()) +
                                edgeVectors.size() + edgeWeights.size() +
                                edgeWeightGradients.size() + entryBase.size() +
                                referenceForces.size() + referenceVirial.size();
    return ints * sizeof(int) + floats * sizeof(float) + doubles * sizeof(double);
}

bool hasReferenceForces(const GraphDataset& data) {
    if (data.samples.empty())
        return false;
    for (const GraphSample& s : data.samples)
        if (!s.geometry || s.geometry->referenceForces.size() != 3u * s.atomCount)
            return false;
    return true;
}

std::size_t referenceVirialCount(const GraphDataset& data) {
    std::size_t count = 0;
    for (const GraphSample& s : data.samples)
        count += s.geometry && s.geometry->referenceVirial.size() == 9u;
    return count;
}

namespace {

std::shared_ptr<SampleGeometry> makeGeometry(const AceStructureDescriptors& ace, double rcut,
                                             const GraphOptions& options,
                                             const Structure& structure, const AtomGraph& graph,
                                             bool singlePrecision) {
    auto g = std::make_shared<SampleGeometry>();
    const NeighborList& nl = ace.neighbors;
    const int k = static_cast<int>(ace.edgeGradients.cols());
    g->blockSize = k;
    std::vector<std::size_t> kept;
    for (std::size_t e = 0; e < nl.edgeCount(); ++e)
        if (nl.distances[e] < rcut)
            kept.push_back(e);
    const Eigen::Index rows = 3 * static_cast<Eigen::Index>(kept.size());
    if (singlePrecision)
        g->aceGradientsSingle.resize(rows, k);
    else
        g->aceGradients.resize(rows, k);
    for (std::size_t n = 0; n < kept.size(); ++n) {
        const std::size_t e = kept[n];
        g->aceFirst.push_back(nl.first[e]);
        g->aceSecond.push_back(nl.second[e]);
        for (int c = 0; c < 3; ++c)
            g->aceVectors.push_back(nl.vectors[e][c]);
        const auto source = ace.edgeGradients.middleRows(3 * e, 3);
        if (singlePrecision)
            g->aceGradientsSingle.middleRows(3 * n, 3) = source.cast<float>();
        else
            g->aceGradients.middleRows(3 * n, 3) = source;
    }

    // Adjacency entries are sorted by (row, column) and unique: find each edge's by bisection.
    auto entryOf = [&](int row, int column) {
        const auto begin = graph.rows.begin(), end = graph.rows.end();
        const auto lo = std::lower_bound(begin, end, row), hi = std::upper_bound(lo, end, row);
        const auto first = graph.columns.begin() + (lo - begin);
        const auto last = graph.columns.begin() + (hi - begin);
        const auto it = std::lower_bound(first, last, column);
        if (it == last || *it != column)
            throw std::logic_error("graph geometry: edge without adjacency entry");
        return static_cast<int>(it - graph.columns.begin());
    };
    for (std::size_t e = 0; e < nl.edgeCount(); ++e) {
        const double d = nl.distances[e];
        if (!(d < options.cutoff))
            continue;
        g->edgeFirst.push_back(nl.first[e]);
        g->edgeSecond.push_back(nl.second[e]);
        g->edgeEntry.push_back(entryOf(nl.first[e], nl.second[e]));
        g->edgeWeights.push_back(edgeWeight(options.weighting, d, options.cutoff));
        const double slope = edgeWeightDerivative(options.weighting, d, options.cutoff);
        for (int c = 0; c < 3; ++c) {
            g->edgeVectors.push_back(nl.vectors[e][c]);
            g->edgeWeightGradients.push_back(d > 0 ? slope * nl.vectors[e][c] / d : 0.0);
        }
    }
    g->entryBase.resize(graph.rows.size(), 0.0);
    if (options.selfLoops)
        for (std::size_t n = 0; n < graph.rows.size(); ++n)
            if (graph.rows[n] == graph.columns[n])
                g->entryBase[n] = 1.0;
    g->normalisation = options.normalisation;
    g->weighting = options.weighting;
    const bool periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
    g->volume = periodic ? structure.volume() : 0.0;
    if (structure.hasForces())
        for (const Vec3& f : structure.forces)
            for (int c = 0; c < 3; ++c)
                g->referenceForces.push_back(f[c]);
    if (structure.virial)
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                g->referenceVirial.push_back((*structure.virial)(r, c));
    return g;
}

GraphSample makeSample(AceEvaluator& evaluator, const GraphOptions& options,
                       const Structure& structure, bool withGeometry, bool singlePrecision) {
    const AceBasis& basis = evaluator.basis();
    const int n = static_cast<int>(structure.size());
    // One search serves both: ACE ignores the edges beyond rcut (its radial functions vanish
    // there) and buildGraph those beyond the graph cutoff.
    const NeighborList neighbors =
        computeNeighborList(structure, std::max(basis.config().rcut, options.cutoff));
    GraphSample sample;
    sample.atomCount = n;
    AceStructureDescriptors ace = evaluator.compute(
        structure, neighbors, withGeometry ? AceDerivatives::Edges : AceDerivatives::None);
    sample.descriptors = std::move(ace.descriptors);
    sample.species.resize(n);
    for (int i = 0; i < n; ++i)
        sample.species[i] = basis.speciesIndex(structure.numbers[i]); // checked by compute
    sample.graph = buildGraph(neighbors, n, options);
    sample.degrees.assign(n, 0);
    for (std::size_t e = 0; e < neighbors.edgeCount(); ++e)
        if (neighbors.distances[e] < options.cutoff)
            ++sample.degrees[neighbors.first[e]];
    sample.energy = structure.energy ? *structure.energy : std::numeric_limits<double>::quiet_NaN();
    if (withGeometry)
        sample.geometry = makeGeometry(ace, basis.config().rcut, options, structure, sample.graph,
                                       singlePrecision);
    return sample;
}

} // namespace

GraphDataset buildGraphDataset(const AceBasis& basis, const GraphOptions& graph,
                               const Dataset& data, int threads, const ProgressCallback& progress,
                               bool withGeometry, bool singlePrecisionGeometry) {
    if (!std::isfinite(graph.cutoff) || graph.cutoff <= 0.0)
        throw std::invalid_argument(
            "graph dataset: the graph cutoff must be a positive number of Å");
    const int n = static_cast<int>(data.size());
    GraphDataset out;
    out.featureCount = basis.size();
    out.speciesCount = basis.speciesCount();
    out.samples.resize(n);
    int failed = -1;
    try {
        parallelForEach(
            n, threads, progress,
            [&]() {
                auto evaluator = std::make_shared<AceEvaluator>(basis);
                return [&, evaluator](int k) {
                    out.samples[k] = makeSample(*evaluator, graph, data.structures[k], withGeometry,
                                                singlePrecisionGeometry);
                };
            },
            &failed);
    } catch (const std::invalid_argument& e) {
        // Name the configuration: with thousands of them, "atom 3 is not a basis species" alone
        // does not say where to look.
        if (failed < 0)
            throw;
        const Structure& s = data.structures[failed];
        std::string where = "configuration " + std::to_string(failed + 1);
        if (!s.sourceFile.empty())
            where += " (" + s.sourceFile + ":" + std::to_string(s.sourceLine) + ")";
        throw std::invalid_argument(where + ": " + e.what());
    }
    return out;
}

DegreeStatistics graphDatasetStatistics(const GraphDataset& data) {
    DegreeStatistics stats;
    bool first = true;
    std::size_t atoms = 0;
    std::vector<int> fallback;
    for (const auto& s : data.samples) {
        const std::vector<int>* degrees = &s.degrees;
        if (static_cast<int>(s.degrees.size()) != s.atomCount) {
            fallback.assign(s.atomCount, 0);
            for (std::size_t e = 0; e < s.graph.rows.size(); ++e)
                if (s.graph.rows[e] != s.graph.columns[e] && s.graph.values[e] != 0.0)
                    ++fallback[s.graph.rows[e]];
            degrees = &fallback;
        }
        for (int d : *degrees) {
            stats.minDegree = first ? d : std::min(stats.minDegree, d);
            stats.maxDegree = first ? d : std::max(stats.maxDegree, d);
            first = false;
            stats.isolatedAtoms += d == 0;
            stats.edges += static_cast<std::size_t>(d);
        }
        atoms += static_cast<std::size_t>(s.atomCount);
    }
    stats.meanDegree = atoms ? double(stats.edges) / double(atoms) : 0.0;
    stats.trivial = stats.edges == 0;
    return stats;
}

std::vector<AceStructureDescriptors> aceDescriptorsOf(const GraphDataset& data) {
    std::vector<AceStructureDescriptors> out(data.samples.size());
    for (std::size_t k = 0; k < data.samples.size(); ++k) {
        const GraphSample& s = data.samples[k];
        out[k].descriptors = s.descriptors;
        if (!s.geometry)
            continue;
        // ∂(Σ_i B_i)/∂r_a = Σ_e (δ_{a j_e} − δ_{a i_e}) ∂B_{i_e}/∂r_e, in i_e's species block.
        const SampleGeometry& g = *s.geometry;
        const Eigen::Index blockSize = g.blockSize;
        RowMatrix& sum = out[k].sumGradient;
        sum = RowMatrix::Zero(3 * static_cast<Eigen::Index>(s.atomCount), s.descriptors.cols());
        // The Jacobian in whichever precision it is stored (no per-edge temporaries).
        auto accumulate = [&](const auto& jacobian) {
            for (std::size_t e = 0; e < g.aceFirst.size(); ++e) {
                const int i = g.aceFirst[e], j = g.aceSecond[e];
                const Eigen::Index column = blockSize * s.species[i];
                const auto rows = jacobian.middleRows(3 * static_cast<Eigen::Index>(e), 3)
                                      .template cast<double>();
                sum.block(3 * j, column, 3, blockSize) += rows;
                sum.block(3 * i, column, 3, blockSize) -= rows;
            }
        };
        if (g.singlePrecision())
            accumulate(g.aceGradientsSingle);
        else
            accumulate(g.aceGradients);
    }
    return out;
}

double suggestCutoff(const Dataset& data, double minCutoff, double maxDistance) {
    if (!std::isfinite(maxDistance) || maxDistance <= 0 || !std::isfinite(minCutoff) ||
        minCutoff < 0 || minCutoff > maxDistance)
        throw std::invalid_argument("suggestCutoff: need 0 ≤ minCutoff ≤ maxDistance");
    try {
        return suggestCutoff(pairShells(data, maxDistance), minCutoff, maxDistance);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(std::string("cannot suggest a graph cutoff: ") + e.what());
    }
}

double suggestCutoff(const PairShells& shells, double minCutoff, double maxDistance) {
    return std::clamp(shells.firstMinimum, minCutoff, maxDistance);
}

} // namespace graphace
