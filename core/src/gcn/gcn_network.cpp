// The network itself (forward pass, batches, predictions) and GcnModel's evaluation. Its kernels
// are in gcn_kernels.cpp, its file in gcn_model_file.cpp, devices in gcn_device.cpp; see
// gcn_internal.h for the layout.
#include "gcn_internal.h"

#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace graphace {
namespace gcn {

torch::Tensor hostTensor(const std::vector<double>& values, torch::Dtype dtype,
                         const torch::Device& device) {
    torch::Tensor t = torch::from_blob(const_cast<double*>(values.data()),
                                       {static_cast<int64_t>(values.size())}, torch::kFloat64)
                          .to(dtype)
                          .clone();
    return t.to(device);
}

void checkDataset(const GraphDataset& data, int featureCount, int speciesCount,
                  const std::string& what) {
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        const GraphSample& s = data.samples[c];
        const std::string where = what + " configuration " + std::to_string(c) + ": ";
        const std::size_t n = static_cast<std::size_t>(s.atomCount);
        if (s.atomCount <= 0)
            throw std::invalid_argument(where + "has no atoms");
        if (s.descriptors.rows() != s.atomCount || s.descriptors.cols() != featureCount)
            throw std::invalid_argument(where + "descriptors are " +
                                        std::to_string(s.descriptors.rows()) + " x " +
                                        std::to_string(s.descriptors.cols()) + ", expected " +
                                        std::to_string(n) + " x " + std::to_string(featureCount));
        if (!s.descriptors.allFinite())
            throw std::invalid_argument(where + "descriptors contain NaN or Inf");
        if (s.species.size() != n)
            throw std::invalid_argument(where + "species list does not match the atom count");
        for (int z : s.species)
            if (z < 0 || z >= speciesCount)
                throw std::invalid_argument(where + "species index out of range");
        const AtomGraph& g = s.graph;
        if (g.atomCount != s.atomCount || g.columns.size() != g.rows.size() ||
            g.values.size() != g.rows.size())
            throw std::invalid_argument(where + "graph does not match the atoms");
        for (std::size_t k = 0; k < g.rows.size(); ++k)
            if (g.rows[k] < 0 || g.rows[k] >= s.atomCount || g.columns[k] < 0 ||
                g.columns[k] >= s.atomCount || !std::isfinite(g.values[k]))
                throw std::invalid_argument(where + "graph entry out of range or not finite");
    }
}

std::vector<double> toHostVector(const torch::Tensor& tensor) {
    const torch::Tensor t = tensor.detach().to(torch::kCPU).to(torch::kFloat64).contiguous();
    return std::vector<double>(t.data_ptr<double>(), t.data_ptr<double>() + t.numel());
}

void Network::layout() {
    const ModelConfig& m = config.model;
    if (m.graphLayers.empty() || m.denseLayers.empty() || m.denseLayers.back().width != 1)
        throw std::invalid_argument("GCN: the model needs at least one graph layer and dense "
                                    "layers ending in width 1");
    if (featureCount < 1)
        throw std::invalid_argument("GCN: the descriptors have no columns");
    sizes.clear();
    shapes.clear();
    int64_t in = featureCount;
    auto add = [&](const LayerConfig& layer) {
        if (layer.width < 1)
            throw std::invalid_argument("GCN: layer width must be at least 1");
        shapes.push_back({in, layer.width});
        sizes.push_back(in * layer.width);
        shapes.push_back({layer.width});
        sizes.push_back(layer.width);
        in = layer.width;
    };
    for (const LayerConfig& layer : m.graphLayers)
        add(layer);
    for (const LayerConfig& layer : m.denseLayers)
        add(layer);
}

void Network::initialise() {
    layout();
    // Glorot uniform weights and zero biases (as Flux's GCNConv and Dense the study used), drawn
    // on the CPU so that the same seed gives the same weights on every device.
    std::vector<torch::Tensor> pieces;
    for (std::size_t k = 0; k < sizes.size(); k += 2) {
        const double limit = std::sqrt(6.0 / static_cast<double>(shapes[k][0] + shapes[k][1]));
        pieces.push_back((torch::rand({sizes[k]}, torch::kFloat64) * 2.0 - 1.0) * limit);
        pieces.push_back(torch::zeros({sizes[k + 1]}, torch::kFloat64));
    }
    parameters = torch::cat(pieces).to(dtype).to(device).set_requires_grad(true);
}

int64_t Network::parameterCount() const {
    int64_t total = 0;
    for (int64_t s : sizes)
        total += s;
    return total;
}

torch::Tensor Network::forward(const Batch& batch) const {
    const std::vector<torch::Tensor> pieces = parameters.split_with_sizes(sizes);
    std::size_t p = 0;
    const torch::Tensor h = graphLayers(batch, pieces, p);
    return readout(h, batch, pieces, p);
}

torch::Tensor Network::atomTerms(const Batch& batch) const {
    if (config.model.target != EnergyTarget::PerAtomSum)
        throw std::invalid_argument(
            "GCN: per-atom energies need model.target \"per_atom_sum\" (this model pools the "
            "atoms before its dense layers, so its energy has no per-atom parts)");
    const std::vector<torch::Tensor> pieces = parameters.split_with_sizes(sizes);
    std::size_t p = 0;
    const torch::Tensor h = graphLayers(batch, pieces, p);
    return atomDense(h, pieces, p).view({-1}) * targetStd;
}

torch::Tensor Network::atomDense(torch::Tensor h, const std::vector<torch::Tensor>& pieces,
                                 std::size_t& p) const {
    for (const LayerConfig& layer : config.model.denseLayers) {
        h = activate(linear(h, pieces[p].view(shapes[p]), pieces[p + 1], cpuKernels),
                     layer.activation);
        p += 2;
    }
    return h;
}

torch::Tensor Network::graphLayers(const Batch& batch, const std::vector<torch::Tensor>& pieces,
                                   std::size_t& p) const {
    const ModelConfig& m = config.model;
    torch::Tensor h = batch.x;
    for (const LayerConfig& layer : m.graphLayers) {
        const torch::Tensor w = pieces[p].view(shapes[p]), b = pieces[p + 1];
        p += 2;
        // Â (H W) + b: the aggregation runs at the output width; batch.x is already Â X.
        if (batch.aggregation == Aggregation::Identity || p == 2)
            h = linear(h, w, b, cpuKernels);
        else
            h = aggregate(batch, linear(h, w, torch::Tensor(), cpuKernels)) + b;
        h = activate(h, layer.activation);
    }
    return h;
}

torch::Tensor Network::readout(torch::Tensor h, const Batch& batch,
                               const std::vector<torch::Tensor>& pieces, std::size_t p) const {
    const ModelConfig& m = config.model;
    torch::Tensor energy;
    if (m.target == EnergyTarget::PerAtomSum) {
        const torch::Tensor perAtom = atomDense(h, pieces, p).view({-1});
        energy = batch.graphs == 1 ? perAtom.sum().view({1})
                                   : torch::zeros({batch.graphs}, perAtom.options())
                                         .index_add(0, batch.graphIndex, perAtom);
        if (targetStd != 1.0)
            energy = energy * targetStd;
    } else {
        torch::Tensor pooled;
        if (batch.graphs == 1)
            pooled = m.pooling == Pooling::Mean ? h.mean(0, true) : h.sum(0, true);
        else {
            pooled = torch::zeros({batch.graphs, h.size(1)}, h.options())
                         .index_add(0, batch.graphIndex, h);
            if (m.pooling == Pooling::Mean)
                pooled = pooled * batch.invAtoms.unsqueeze(1);
        }
        for (const LayerConfig& layer : m.denseLayers) {
            pooled = activate(linear(pooled, pieces[p].view(shapes[p]), pieces[p + 1], cpuKernels),
                              layer.activation);
            p += 2;
        }
        energy = pooled.view({-1});
    }
    if (batch.hasBaseline)
        energy = energy + batch.baseline;
    return energy;
}

Batch Network::makeBatch(const GraphDataset& data, const std::vector<std::size_t>& indices,
                         const std::vector<torch::Tensor>* inputs, bool withAdjacency) const {
    Batch batch;
    batch.graphs = static_cast<int64_t>(indices.size());
    const bool perAtom = config.model.target == EnergyTarget::PerAtomSum;
    bool diagonalOnly = true, unit = true;
    int64_t nnz = 0;
    std::vector<double> energy, baseline, invAtoms;
    for (std::size_t index : indices) {
        const GraphSample& s = data.samples.at(index);
        const AtomGraph& g = s.graph;
        nnz += static_cast<int64_t>(g.rows.size());
        if (g.rows.size() != static_cast<std::size_t>(s.atomCount))
            unit = false;
        for (std::size_t k = 0; k < g.rows.size(); ++k) {
            if (g.rows[k] != g.columns[k])
                diagonalOnly = false;
            if (g.values[k] != 1.0)
                unit = false;
        }
        double reference = perAtom ? s.atomCount * targetMean : 0.0;
        for (int z : s.species)
            reference += referenceEnergies[z];
        if (!linearCoefficients.empty())
            reference += linearEnergy(s);
        baseline.push_back(reference);
        energy.push_back(s.energy);
        invAtoms.push_back(1.0 / s.atomCount);
        batch.atoms += s.atomCount;
    }
    // Unit diagonal with one entry per atom and each row once: Â = I.
    if (diagonalOnly && unit)
        batch.aggregation = Aggregation::Identity;
    else if (diagonalOnly)
        batch.aggregation = Aggregation::Diagonal;
    else
        batch.aggregation = Aggregation::Sparse;

    // Inputs: Â X of the standardised descriptors (precomputed per graph when given). X is data,
    // so the first layer's Â (X W) = (Â X) W needs no aggregation in any step.
    if (!withAdjacency) {
        batch.aggregation = Aggregation::Sparse; // the force path aggregates by itself
    } else if (inputs) {
        std::vector<torch::Tensor> parts;
        for (std::size_t index : indices)
            parts.push_back((*inputs).at(index));
        batch.x = parts.size() == 1 ? parts[0] : torch::cat(parts);
    } else {
        // Â X of the standardised inputs, per graph (Â is block-diagonal), in double precision.
        std::vector<double> x(static_cast<std::size_t>(batch.atoms) * featureCount, 0.0);
        std::size_t first = 0;
        for (std::size_t index : indices) {
            const GraphSample& s = data.samples[index];
            const std::vector<double> standardised = standardisedInputs(s);
            const AtomGraph& g = s.graph;
            for (std::size_t k = 0; k < g.rows.size(); ++k) {
                double* target = &x[(first + g.rows[k]) * featureCount];
                const double* source =
                    &standardised[static_cast<std::size_t>(g.columns[k]) * featureCount];
                for (int f = 0; f < featureCount; ++f)
                    target[f] += g.values[k] * source[f];
            }
            first += s.atomCount;
        }
        batch.x = torch::from_blob(x.data(), {batch.atoms, featureCount}, torch::kFloat64)
                      .to(dtype)
                      .clone()
                      .to(device);
    }

    // The disjoint union: COO indices shifted by each graph's first atom.
    if (withAdjacency && batch.aggregation != Aggregation::Identity) {
        std::vector<int32_t> rows, columns, graphOf;
        std::vector<double> values, diagonal(static_cast<std::size_t>(batch.atoms), 0.0);
        rows.reserve(nnz);
        columns.reserve(nnz);
        values.reserve(nnz);
        int32_t offset = 0;
        for (std::size_t index : indices) {
            const AtomGraph& g = data.samples[index].graph;
            for (std::size_t k = 0; k < g.rows.size(); ++k) {
                rows.push_back(g.rows[k] + offset);
                columns.push_back(g.columns[k] + offset);
                values.push_back(g.values[k]);
                if (g.rows[k] == g.columns[k])
                    diagonal[g.rows[k] + offset] += g.values[k];
            }
            offset += data.samples[index].atomCount;
        }
        if (batch.aggregation == Aggregation::Diagonal) {
            batch.diagonal = hostTensor(diagonal, dtype, device).view({-1, 1});
        } else if (device.is_cpu() && cpuKernels) {
            batch.csr = toCsr(batch.atoms, rows, columns, values, dtype);
            batch.csrTransposed = toCsr(batch.atoms, columns, rows, values, dtype);
        } else {
            std::vector<int64_t> r(rows.begin(), rows.end()), c(columns.begin(), columns.end());
            batch.rows = torch::tensor(r, torch::kInt64).to(device);
            batch.cols = torch::tensor(c, torch::kInt64).to(device);
            batch.values = hostTensor(values, dtype, device).view({-1, 1});
        }
    }
    if (batch.graphs > 1) {
        std::vector<int64_t> graphIndex;
        graphIndex.reserve(batch.atoms);
        for (std::size_t g = 0; g < indices.size(); ++g)
            graphIndex.insert(graphIndex.end(), data.samples[indices[g]].atomCount,
                              static_cast<int64_t>(g));
        batch.graphIndex = torch::tensor(graphIndex, torch::kInt64).to(device);
    }
    batch.invAtoms = hostTensor(invAtoms, dtype, device);
    batch.baseline = hostTensor(baseline, dtype, device);
    batch.hasBaseline =
        std::any_of(baseline.begin(), baseline.end(), [](double b) { return b != 0.0; });
    batch.energy = hostTensor(energy, dtype, device);
    return batch;
}

double Network::linearEnergy(const GraphSample& s) const {
    return linearAtomEnergies(s).sum();
}

Eigen::VectorXd Network::linearAtomEnergies(const GraphSample& s) const {
    if (s.descriptors.rows() != s.atomCount ||
        s.descriptors.cols() != static_cast<Eigen::Index>(linearCoefficients.size()))
        throw std::logic_error("GCN: the linear term needs the samples' descriptors");
    const Eigen::Map<const Eigen::VectorXd> c(linearCoefficients.data(),
                                              static_cast<Eigen::Index>(linearCoefficients.size()));
    return s.descriptors * c;
}

std::vector<double> Network::standardisedInputs(const GraphSample& s) const {
    std::vector<double> standardised(static_cast<std::size_t>(s.atomCount) * featureCount);
    for (int i = 0; i < s.atomCount; ++i)
        for (int f = 0; f < featureCount; ++f)
            standardised[static_cast<std::size_t>(i) * featureCount + f] =
                (s.descriptors(i, f) - inputMean[f]) / inputStd[f];
    if (!inputWhitening.empty()) {
        using Rows = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
        Eigen::Map<Rows> z(standardised.data(), s.atomCount, featureCount);
        const Eigen::Map<const Rows> p(inputWhitening.data(), featureCount, featureCount);
        z = (z * p).eval();
    }
    return standardised;
}

std::vector<torch::Tensor> Network::makeInputs(const GraphDataset& data) const {
    std::vector<torch::Tensor> inputs;
    inputs.reserve(data.samples.size());
    for (std::size_t c = 0; c < data.samples.size(); ++c)
        inputs.push_back(makeBatch(data, {c}).x);
    return inputs;
}

std::vector<Batch> Network::makeChunks(const GraphDataset& data, std::size_t chunk) const {
    std::vector<Batch> chunks;
    for (std::size_t begin = 0; begin < data.samples.size(); begin += chunk) {
        std::vector<std::size_t> indices;
        for (std::size_t c = begin; c < std::min(begin + chunk, data.samples.size()); ++c)
            indices.push_back(c);
        chunks.push_back(makeBatch(data, indices));
    }
    return chunks;
}

std::vector<double> Network::evaluate(const std::vector<Batch>& chunks) const {
    torch::NoGradGuard noGrad;
    std::vector<double> energies;
    for (const Batch& batch : chunks) {
        const std::vector<double> part = toHostVector(forward(batch));
        energies.insert(energies.end(), part.begin(), part.end());
    }
    return energies;
}

} // namespace gcn

// --- GcnModel ------------------------------------------------------------------------------

void GcnModel::ImplDeleter::operator()(Impl* impl) const {
    delete impl;
}
GcnModel::GcnModel(std::unique_ptr<Impl> impl) : m_impl(impl.release()) {}
GcnModel::GcnModel(GcnModel&&) noexcept = default;
GcnModel& GcnModel::operator=(GcnModel&&) noexcept = default;
GcnModel::~GcnModel() = default;

const ExperimentConfig& GcnModel::config() const {
    return m_impl->config;
}

int GcnModel::parameterCount() const {
    return static_cast<int>(m_impl->parameterCount());
}

std::vector<double> GcnModel::predictEnergies(const GraphDataset& data) const {
    gcn::checkDataset(data, m_impl->featureCount, m_impl->speciesCount, "prediction");
    return m_impl->evaluate(m_impl->makeChunks(data));
}

std::vector<double> GcnModel::predictAtomEnergies(const GraphDataset& data) const {
    gcn::checkDataset(data, m_impl->featureCount, m_impl->speciesCount, "prediction");
    const gcn::Network& n = *m_impl;
    torch::NoGradGuard noGrad;
    std::vector<double> energies;
    std::size_t sample = 0;
    for (const gcn::Batch& batch : n.makeChunks(data)) {
        const std::vector<double> terms = gcn::toHostVector(n.atomTerms(batch));
        std::size_t k = 0;
        for (int64_t g = 0; g < batch.graphs; ++g, ++sample) {
            const GraphSample& s = data.samples[sample];
            Eigen::VectorXd linear = Eigen::VectorXd::Zero(s.atomCount);
            if (!n.linearCoefficients.empty())
                linear = n.linearAtomEnergies(s);
            for (int i = 0; i < s.atomCount; ++i, ++k)
                energies.push_back(terms[k] + n.targetMean + n.referenceEnergies[s.species[i]] +
                                   linear[i]);
        }
    }
    return energies;
}

std::vector<double> GcnModel::parameterValues() const {
    return gcn::toHostVector(m_impl->parameters);
}

void GcnModel::setParameterValues(const std::vector<double>& values) {
    if (static_cast<int64_t>(values.size()) != m_impl->parameterCount())
        throw std::invalid_argument("GCN: " + std::to_string(values.size()) +
                                    " parameter values given, the model has " +
                                    std::to_string(m_impl->parameterCount()));
    torch::NoGradGuard noGrad;
    m_impl->parameters.copy_(gcn::hostTensor(values, m_impl->dtype, m_impl->device));
}

// --- free functions -----------------------------------------------------------------------

RegressionMetrics scoreEnergies(const GraphDataset& data, const std::vector<double>& predicted) {
    if (predicted.size() != data.samples.size())
        throw std::invalid_argument("scoreEnergies: " + std::to_string(predicted.size()) +
                                    " predictions for " + std::to_string(data.samples.size()) +
                                    " configurations");
    std::vector<double> reference;
    std::vector<int> atoms;
    for (const GraphSample& s : data.samples) {
        reference.push_back(s.energy);
        atoms.push_back(s.atomCount);
    }
    return computeRegressionMetrics(reference, predicted, atoms);
}

} // namespace graphace
