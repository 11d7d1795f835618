// Forces and virials of the network: the exact derivatives of its energy with respect to the
// atom positions (see SampleGeometry in graph_dataset.h for the equations).
//
// E depends on the positions through the inputs X (the ACE descriptors, standardised and
// whitened) and through the edge weights w_e of Â = D^-1/2 (A + I) D^-1/2. One backward pass of
// E gives ∂E/∂X and ∂E/∂w; the chain rule then goes through data that does not depend on the
// weights: the descriptor Jacobian (per ACE edge, K × 3) and ∂w/∂r_e. With createGraph that
// backward pass is itself recorded (double backward), so a loss on the forces differentiates
// with respect to the network parameters exactly.
//
// Memory: the Jacobian is the large part, 3 K numbers per ACE edge in the model precision
// (zuo2020 Si, K = 345, 33 edges per atom within rcut, float32: 136 kB per atom), plus per
// batch E_ace × K for ∂E/∂B gathered per edge (the CPU kernels contract it in place; the
// portable path also makes an E_ace × 3 × K temporary for the contraction and its gradient).
#include "gcn_internal.h"

#include <ATen/Parallel.h>
#include <Eigen/Core>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace graphace {
namespace gcn {
namespace {

torch::Tensor indexTensor(const std::vector<int>& values, const torch::Device& device) {
    std::vector<int64_t> wide(values.begin(), values.end());
    return torch::tensor(wide, torch::kInt64).to(device);
}

torch::Tensor matrixTensor(const std::vector<double>& values, int64_t columns, torch::Dtype dtype,
                           const torch::Device& device) {
    return hostTensor(values, dtype, device).view({-1, columns});
}

// The contraction of the descriptor Jacobian with ∂E/∂B, per ACE edge e:
//   q[e, c] = Σ_k J[e, c, k] g[e, k]        and its transpose   g[e, k] = Σ_c J[e, c, k] d[e, c],
// each edge once and in place. The broadcast product (J * g).sum(2) that the portable path uses
// writes and re-reads a temporary as large as the Jacobian, in its backward pass too: on the CPU
// that traffic was most of the cost of a force evaluation. Every output element depends on its
// own edge only, so the result does not depend on the thread count.
template <typename T> using Vector = Eigen::Matrix<T, Eigen::Dynamic, 1>;

template <typename T>
void contractTyped(const torch::Tensor& j, const torch::Tensor& g, torch::Tensor& q) {
    const int64_t k = j.size(2);
    const T* js = j.data_ptr<T>();
    const T* gs = g.data_ptr<T>();
    T* qs = q.data_ptr<T>();
    at::parallel_for(0, j.size(0), 256, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin; e < end; ++e) {
            const Eigen::Map<const Vector<T>> ge(gs + e * k, k);
            for (int64_t c = 0; c < 3; ++c)
                qs[3 * e + c] = Eigen::Map<const Vector<T>>(js + (3 * e + c) * k, k).dot(ge);
        }
    });
}

template <typename T>
void contractTransposedTyped(const torch::Tensor& j, const torch::Tensor& d, torch::Tensor& g) {
    const int64_t k = j.size(2);
    const T* js = j.data_ptr<T>();
    const T* ds = d.data_ptr<T>();
    T* gs = g.data_ptr<T>();
    at::parallel_for(0, j.size(0), 256, [&](int64_t begin, int64_t end) {
        for (int64_t e = begin; e < end; ++e) {
            Eigen::Map<Vector<T>> ge(gs + e * k, k);
            ge = ds[3 * e] * Eigen::Map<const Vector<T>>(js + 3 * e * k, k) +
                 ds[3 * e + 1] * Eigen::Map<const Vector<T>>(js + (3 * e + 1) * k, k) +
                 ds[3 * e + 2] * Eigen::Map<const Vector<T>>(js + (3 * e + 2) * k, k);
        }
    });
}

torch::Tensor contract(const torch::Tensor& j, const torch::Tensor& g) {
    const torch::Tensor gc = g.contiguous();
    torch::Tensor q = torch::empty({j.size(0), 3}, gc.options());
    if (gc.scalar_type() == torch::kFloat64)
        contractTyped<double>(j, gc, q);
    else
        contractTyped<float>(j, gc, q);
    return q;
}

torch::Tensor contractTransposed(const torch::Tensor& j, const torch::Tensor& d) {
    const torch::Tensor dc = d.contiguous();
    torch::Tensor g = torch::empty({j.size(0), j.size(2)}, dc.options());
    if (dc.scalar_type() == torch::kFloat64)
        contractTransposedTyped<double>(j, dc, g);
    else
        contractTransposedTyped<float>(j, dc, g);
    return g;
}

// Both directions as autograd functions, each the other's backward (J is data): differentiable
// to any order.
class JacobianContraction : public torch::autograd::Function<JacobianContraction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& g,
                                 const torch::Tensor& j);
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients);
};

class JacobianTransposedContraction
    : public torch::autograd::Function<JacobianTransposedContraction> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& d,
                                 const torch::Tensor& j) {
        context->saved_data["j"] = j;
        return contractTransposed(j, d);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        const torch::Tensor j = context->saved_data["j"].toTensor();
        return {JacobianContraction::apply(gradients[0], j), torch::Tensor()};
    }
};

torch::Tensor JacobianContraction::forward(torch::autograd::AutogradContext* context,
                                           const torch::Tensor& g, const torch::Tensor& j) {
    context->saved_data["j"] = j;
    return contract(j, g);
}

torch::autograd::variable_list
JacobianContraction::backward(torch::autograd::AutogradContext* context,
                              torch::autograd::variable_list gradients) {
    const torch::Tensor j = context->saved_data["j"].toTensor();
    return {JacobianTransposedContraction::apply(gradients[0], j), torch::Tensor()};
}

} // namespace

void checkForcesSupported(EdgeWeighting weighting, bool selfLoops, Normalisation normalisation) {
    GraphOptions options;
    options.weighting = weighting;
    options.selfLoops = selfLoops;
    options.normalisation = normalisation;
    if (const std::string why = whyNoForces(options); !why.empty())
        throw std::invalid_argument(why);
}

GeometryTensors Network::makeGeometryTensors(const GraphSample& sample) const {
    if (!sample.geometry)
        throw std::invalid_argument("forces: the graphs were built without geometry (positions "
                                    "and descriptor derivatives)");
    const SampleGeometry& g = *sample.geometry;
    bool selfLoops = false;
    for (double b : g.entryBase)
        selfLoops = selfLoops || b != 0.0;
    checkForcesSupported(g.weighting, selfLoops || sample.atomCount == 0, g.normalisation);
    if (g.blockSize * speciesCount != featureCount)
        throw std::invalid_argument("forces: descriptor blocks (" + std::to_string(g.blockSize) +
                                    " functions x " + std::to_string(speciesCount) +
                                    " species) do not match the model's " +
                                    std::to_string(featureCount) + " inputs");
    GeometryTensors t;
    t.atoms = sample.atomCount;
    t.normalisation = g.normalisation;
    const std::vector<double> z = standardisedInputs(sample);
    t.z = matrixTensor(z, featureCount, dtype, device);
    t.entryRows = indexTensor(sample.graph.rows, device);
    t.entryCols = indexTensor(sample.graph.columns, device);
    t.entryBase = hostTensor(g.entryBase, dtype, device);
    t.edgeFirst = indexTensor(g.edgeFirst, device);
    t.edgeSecond = indexTensor(g.edgeSecond, device);
    t.edgeEntry = indexTensor(g.edgeEntry, device);
    t.edgeWeights = hostTensor(g.edgeWeights, dtype, device);
    t.edgeWeightGradients = matrixTensor(g.edgeWeightGradients, 3, dtype, device);
    t.edgeVectors = matrixTensor(g.edgeVectors, 3, dtype, device);
    t.aceFirst = indexTensor(g.aceFirst, device);
    t.aceSecond = indexTensor(g.aceSecond, device);
    std::vector<int> block(g.aceFirst.size());
    for (std::size_t e = 0; e < block.size(); ++e)
        block[e] = g.aceFirst[e] * speciesCount + sample.species[g.aceFirst[e]];
    t.aceBlock = indexTensor(block, device);
    const int64_t edges = static_cast<int64_t>(g.aceFirst.size());
    // The Jacobian in the model precision; on the CPU in the precision it is stored in, it is
    // used in place (the samples' geometry is shared and outlives the tensors of whoever holds
    // the dataset).
    const torch::Tensor jacobian =
        g.singlePrecision()
            ? torch::from_blob(const_cast<float*>(g.aceGradientsSingle.data()),
                               {edges, 3, g.blockSize}, torch::kFloat32)
            : torch::from_blob(const_cast<double*>(g.aceGradients.data()),
                               {edges, 3, g.blockSize}, torch::kFloat64);
    t.aceGradients = (jacobian.scalar_type() == dtype && device.is_cpu())
                         ? jacobian
                         : jacobian.to(dtype).to(device);
    t.aceVectors = matrixTensor(g.aceVectors, 3, dtype, device);
    if (g.referenceForces.size() == 3u * sample.atomCount)
        t.forces = matrixTensor(g.referenceForces, 3, dtype, device);
    if (g.referenceVirial.size() == 9u)
        t.virial = hostTensor(g.referenceVirial, dtype, device);
    return t;
}

std::vector<GeometryTensors> Network::makeGeometryTensors(const GraphDataset& data) const {
    std::vector<GeometryTensors> parts;
    parts.reserve(data.samples.size());
    for (const GraphSample& s : data.samples)
        parts.push_back(makeGeometryTensors(s));
    return parts;
}

ForceBatch Network::makeForceBatch(const GraphDataset& data,
                                   const std::vector<GeometryTensors>& parts,
                                   const std::vector<std::size_t>& indices) const {
    ForceBatch fb;
    fb.batch = makeBatch(data, indices, nullptr, false);
    std::vector<torch::Tensor> z, rows, cols, base, first, second, entry, weights, weightGradients,
        vectors, edgeGraph, aceFirst, aceSecond, aceVectors, aceGraph, forces, mask, virials,
        virialMask;
    int64_t atomOffset = 0, entryOffset = 0;
    const auto indexOptions = torch::TensorOptions().dtype(torch::kInt64).device(device);
    const auto valueOptions = torch::TensorOptions().dtype(dtype).device(device);
    for (std::size_t g = 0; g < indices.size(); ++g) {
        const GeometryTensors& p = parts.at(indices[g]);
        fb.parts.push_back(&p);
        fb.normalisation = p.normalisation;
        z.push_back(p.z);
        rows.push_back(p.entryRows + atomOffset);
        cols.push_back(p.entryCols + atomOffset);
        base.push_back(p.entryBase);
        first.push_back(p.edgeFirst + atomOffset);
        second.push_back(p.edgeSecond + atomOffset);
        entry.push_back(p.edgeEntry + entryOffset);
        weights.push_back(p.edgeWeights);
        weightGradients.push_back(p.edgeWeightGradients);
        vectors.push_back(p.edgeVectors);
        edgeGraph.push_back(torch::full({p.edgeFirst.size(0)}, static_cast<int64_t>(g),
                                        indexOptions));
        aceFirst.push_back(p.aceFirst + atomOffset);
        aceSecond.push_back(p.aceSecond + atomOffset);
        aceVectors.push_back(p.aceVectors);
        aceGraph.push_back(
            torch::full({p.aceFirst.size(0)}, static_cast<int64_t>(g), indexOptions));
        fb.aceBlocks.push_back(p.aceBlock + atomOffset * speciesCount);
        if (p.forces.defined()) {
            forces.push_back(p.forces);
            mask.push_back(torch::ones({p.atoms, 1}, valueOptions));
            fb.forceAtoms += p.atoms;
        } else {
            forces.push_back(torch::zeros({p.atoms, 3}, valueOptions));
            mask.push_back(torch::zeros({p.atoms, 1}, valueOptions));
        }
        virials.push_back(p.virial.defined() ? p.virial : torch::zeros({9}, valueOptions));
        virialMask.push_back(torch::full({1}, p.virial.defined() ? 1.0 : 0.0, valueOptions));
        fb.virialGraphs += p.virial.defined();
        atomOffset += p.atoms;
        entryOffset += p.entryRows.size(0);
    }
    fb.z = torch::cat(z);
    fb.entryRows = torch::cat(rows);
    fb.entryCols = torch::cat(cols);
    fb.entryBase = torch::cat(base);
    fb.edgeFirst = torch::cat(first);
    fb.edgeSecond = torch::cat(second);
    fb.edgeEntry = torch::cat(entry);
    fb.edgeWeights = torch::cat(weights);
    fb.edgeWeightGradients = torch::cat(weightGradients);
    fb.edgeVectors = torch::cat(vectors);
    fb.edgeGraph = torch::cat(edgeGraph);
    fb.aceFirst = torch::cat(aceFirst);
    fb.aceSecond = torch::cat(aceSecond);
    fb.aceVectors = torch::cat(aceVectors);
    fb.aceGraph = torch::cat(aceGraph);
    fb.forces = torch::cat(forces);
    fb.forceMask = torch::cat(mask);
    fb.virials = torch::stack(virials);
    fb.virialMask = torch::stack(virialMask);
    return fb;
}

ForceOutput Network::forwardWithForces(const ForceBatch& fb, bool createGraph) const {
    const ModelConfig& m = config.model;
    const Batch& batch = fb.batch;
    torch::AutoGradMode enabled(true);
    const torch::Tensor z = fb.z.detach().requires_grad_(true);
    const torch::Tensor w = fb.edgeWeights.detach().requires_grad_(true);

    // Â from the weights: entries A + I, degrees, normalisation.
    const torch::Tensor a = fb.entryBase.index_add(0, fb.edgeEntry, w);
    torch::Tensor values = a;
    if (fb.normalisation != Normalisation::None) {
        const torch::Tensor degree =
            torch::zeros({batch.atoms}, a.options()).index_add(0, fb.entryRows, a);
        // A zero degree (an isolated atom without self-loop, only with Normalisation::None
        // allowed here) keeps its row zero; the guard keeps its gradient finite too.
        const torch::Tensor positive = degree > 0;
        const torch::Tensor safe = torch::where(positive, degree, torch::ones_like(degree));
        const torch::Tensor scale =
            (fb.normalisation == Normalisation::Symmetric ? safe.rsqrt() : safe.reciprocal()) *
            positive.to(a.scalar_type());
        values = a * scale.index_select(0, fb.entryRows);
        if (fb.normalisation == Normalisation::Symmetric)
            values = values * scale.index_select(0, fb.entryCols);
    }
    values = values.unsqueeze(1);
    auto aggregate = [&](const torch::Tensor& h) {
        return torch::zeros_like(h).index_add(0, fb.entryRows,
                                              h.index_select(0, fb.entryCols) * values);
    };

    const std::vector<torch::Tensor> pieces = parameters.split_with_sizes(sizes);
    std::size_t p = 0;
    torch::Tensor h = z;
    for (const LayerConfig& layer : m.graphLayers) {
        const torch::Tensor weight = pieces[p].view(shapes[p]), bias = pieces[p + 1];
        p += 2;
        h = activate(aggregate(linear(h, weight, torch::Tensor(), cpuKernels)) + bias,
                     layer.activation);
    }
    ForceOutput out;
    out.energy = readout(h, batch, pieces, p);

    const auto gradients = torch::autograd::grad({out.energy.sum()}, {z, w}, {},
                                                 /*retain_graph=*/createGraph, createGraph);
    torch::AutoGradMode recording(createGraph);
    // ∂E/∂B from ∂E/∂X: X = ((B − mean) / std) P, so ∂E/∂B = (∂E/∂X Pᵀ) / std.
    torch::Tensor gradientB = gradients[0];
    if (!inputWhitening.empty()) {
        const torch::Tensor whitening =
            matrixTensor(inputWhitening, featureCount, dtype, device).t().contiguous();
        gradientB = linear(gradientB, whitening, torch::Tensor(), cpuKernels);
    }
    std::vector<double> inverseStd(featureCount);
    for (int f = 0; f < featureCount; ++f)
        inverseStd[f] = 1.0 / inputStd[f];
    gradientB = gradientB * hostTensor(inverseStd, dtype, device);
    if (!linearCoefficients.empty())
        gradientB = gradientB + hostTensor(linearCoefficients, dtype, device);
    const int64_t blockSize = featureCount / speciesCount;
    const torch::Tensor blocks = gradientB.reshape({batch.atoms * speciesCount, blockSize});

    // q_e = ∂E/∂r_e: the descriptor path (per ACE edge) and the weight path (per graph edge).
    std::vector<torch::Tensor> perPart;
    for (std::size_t k = 0; k < fb.parts.size(); ++k) {
        const torch::Tensor own = blocks.index_select(0, fb.aceBlocks[k]);
        const torch::Tensor& jacobian = fb.parts[k]->aceGradients;
        const bool fused = cpuKernels && own.device().is_cpu() &&
                           jacobian.scalar_type() == own.scalar_type() && jacobian.is_contiguous();
        perPart.push_back(fused ? JacobianContraction::apply(own, jacobian)
                                : (jacobian * own.unsqueeze(1)).sum(2));
    }
    const torch::Tensor qAce = torch::cat(perPart);
    const torch::Tensor qEdge = gradients[1].unsqueeze(1) * fb.edgeWeightGradients;
    const torch::Tensor gradientR = torch::zeros({batch.atoms, 3}, qAce.options())
                                        .index_add(0, fb.aceSecond, qAce)
                                        .index_add(0, fb.aceFirst, -qAce)
                                        .index_add(0, fb.edgeSecond, qEdge)
                                        .index_add(0, fb.edgeFirst, -qEdge);
    out.forces = -gradientR;
    auto outer = [](const torch::Tensor& r, const torch::Tensor& q) {
        return (r.unsqueeze(2) * q.unsqueeze(1)).reshape({-1, 9});
    };
    out.virial = -torch::zeros({batch.graphs, 9}, qAce.options())
                      .index_add(0, fb.aceGraph, outer(fb.aceVectors, qAce))
                      .index_add(0, fb.edgeGraph, outer(fb.edgeVectors, qEdge));
    if (!createGraph) {
        out.energy = out.energy.detach();
        out.forces = out.forces.detach();
        out.virial = out.virial.detach();
    }
    return out;
}

Network::HostForces Network::evaluateForces(const GraphDataset& data,
                                            const std::vector<GeometryTensors>* parts,
                                            std::size_t chunk) const {
    HostForces out;
    std::vector<GeometryTensors> ownParts(parts ? 0 : data.samples.size());
    for (std::size_t begin = 0; begin < data.samples.size(); begin += chunk) {
        std::vector<std::size_t> indices;
        for (std::size_t c = begin; c < std::min(begin + chunk, data.samples.size()); ++c) {
            indices.push_back(c);
            if (!parts)
                ownParts[c] = makeGeometryTensors(data.samples[c]);
        }
        const ForceOutput f =
            forwardWithForces(makeForceBatch(data, parts ? *parts : ownParts, indices), false);
        if (!parts)
            for (std::size_t c : indices)
                ownParts[c] = GeometryTensors{};
        for (auto [tensor, target] : {std::pair{&f.energy, &out.energies},
                                      std::pair{&f.forces, &out.forces},
                                      std::pair{&f.virial, &out.virials}}) {
            const std::vector<double> host = toHostVector(*tensor);
            target->insert(target->end(), host.begin(), host.end());
        }
    }
    return out;
}

} // namespace gcn

// --- GcnModel ------------------------------------------------------------------------------

bool GcnModel::supportsForces() const {
    return whyNoForces(m_impl->config.graph.options).empty();
}

GcnPrediction GcnModel::predictWithForces(const GraphDataset& data) const {
    gcn::checkDataset(data, m_impl->featureCount, m_impl->speciesCount, "prediction");
    gcn::Network::HostForces host = m_impl->evaluateForces(data, nullptr);
    GcnPrediction out;
    out.energies = std::move(host.energies);
    out.forces = std::move(host.forces);
    out.virials = std::move(host.virials);
    out.stresses.assign(out.virials.size(), std::numeric_limits<double>::quiet_NaN());
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        const double volume = data.samples[c].geometry->volume;
        if (volume > 0)
            for (int k = 0; k < 9; ++k)
                out.stresses[9 * c + k] = -out.virials[9 * c + k] / volume;
    }
    return out;
}

RegressionMetrics scorePrediction(const GraphDataset& data, const GcnPrediction& predicted) {
    if (predicted.energies.size() != data.samples.size() ||
        predicted.forces.size() != 3 * data.atomCount())
        throw std::invalid_argument("scorePrediction: the prediction does not match the data");
    std::vector<double> referenceEnergy, referenceForces, predictedForces, referenceVirials,
        predictedVirials;
    std::vector<int> atoms, virialAtoms;
    std::size_t atom = 0;
    const bool withVirials = predicted.virials.size() == 9 * data.samples.size();
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        const GraphSample& s = data.samples[c];
        referenceEnergy.push_back(s.energy);
        atoms.push_back(s.atomCount);
        if (withVirials && s.geometry && s.geometry->referenceVirial.size() == 9u) {
            const auto& w = s.geometry->referenceVirial;
            referenceVirials.insert(referenceVirials.end(), w.begin(), w.end());
            predictedVirials.insert(predictedVirials.end(), predicted.virials.begin() + 9 * c,
                                    predicted.virials.begin() + 9 * (c + 1));
            virialAtoms.push_back(s.atomCount);
        }
        if (s.geometry && s.geometry->referenceForces.size() == 3u * s.atomCount) {
            const auto& f = s.geometry->referenceForces;
            referenceForces.insert(referenceForces.end(), f.begin(), f.end());
            predictedForces.insert(predictedForces.end(), predicted.forces.begin() + 3 * atom,
                                   predicted.forces.begin() + 3 * (atom + s.atomCount));
        }
        atom += s.atomCount;
    }
    RegressionMetrics metrics = computeRegressionMetrics(referenceEnergy, predicted.energies, atoms,
                                                         referenceForces, predictedForces);
    setVirialMetrics(metrics, referenceVirials, predictedVirials, virialAtoms);
    return metrics;
}

bool hasGeometry(const GraphDataset& data) {
    return std::all_of(data.samples.begin(), data.samples.end(),
                       [](const GraphSample& s) { return s.geometry != nullptr; });
}

RegressionMetrics scoreModel(const GcnModel& model, const GraphDataset& data,
                             GcnPrediction* prediction) {
    if (model.supportsForces() && hasGeometry(data) && !data.samples.empty()) {
        GcnPrediction p = model.predictWithForces(data);
        // Energies from the energy path, so that they are bit-identical with predictEnergies
        // (metrics.json, predict with or without forces); the force path agrees to rounding.
        p.energies = model.predictEnergies(data);
        const RegressionMetrics metrics = scorePrediction(data, p);
        if (prediction)
            *prediction = std::move(p);
        return metrics;
    }
    const std::vector<double> energies = model.predictEnergies(data);
    if (prediction) {
        *prediction = GcnPrediction{};
        prediction->energies = energies;
    }
    return scoreEnergies(data, energies);
}

} // namespace graphace
