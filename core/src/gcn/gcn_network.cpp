// The network itself (forward pass, batches, sparse aggregation), GcnModel (predict, save, load)
// and the device helpers. See gcn_internal.h for the layout.
#include "gcn_internal.h"

#include "archive_integrity.h"
#include "graphace/atomic_file.h"

#include <torch/version.h>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <stdexcept>

namespace graphace {
namespace gcn {

torch::Tensor activate(const torch::Tensor& x, Activation activation) {
    switch (activation) {
    case Activation::Identity:
        return x;
    case Activation::Relu:
        return torch::relu(x);
    case Activation::LeakyRelu:
        return torch::leaky_relu(x, 0.01);
    case Activation::Tanh:
        return torch::tanh(x);
    case Activation::Sigmoid:
        return torch::sigmoid(x);
    case Activation::Silu:
        return torch::silu(x);
    case Activation::Gelu:
        return torch::gelu(x);
    case Activation::Softplus:
        return torch::softplus(x);
    }
    throw std::invalid_argument("GCN: unknown activation");
}

namespace {

// Rows [begin, end) of y = A x for a CSR matrix A and a dense row-major x. Each output row is
// summed by one thread in a fixed order, so the result does not depend on the thread count.
// Compiled twice, for AVX2 + FMA and for baseline x86-64, and chosen by the CPU at run time (the
// build itself targets baseline x86-64 so that the binary runs anywhere).
#if defined(__GNUC__) && defined(__x86_64__)
#define GRAPHACE_DISPATCH 1
#define GRAPHACE_INLINE __attribute__((always_inline)) inline
#else
#define GRAPHACE_INLINE inline
#endif
// Inlined into each variant, so that each is compiled for its own instruction set.
template <typename T>
GRAPHACE_INLINE void csrRowsImpl(int64_t begin, int64_t end, int64_t width, const int64_t* pointers,
                                 const int32_t* columns, const T* values, const T* in, T* out) {
    for (int64_t i = begin; i < end; ++i) {
        T* __restrict__ row = out + i * width;
        std::fill(row, row + width, T(0));
        for (int64_t k = pointers[i]; k < pointers[i + 1]; ++k) {
            const T v = values[k];
            const T* __restrict__ source = in + static_cast<int64_t>(columns[k]) * width;
            // Blocks of 8 with a constant trip count become single vector instructions.
            int64_t j = 0;
            for (; j + 8 <= width; j += 8)
                for (int u = 0; u < 8; ++u)
                    row[j + u] += v * source[j + u];
            for (; j < width; ++j)
                row[j] += v * source[j];
        }
    }
}

template <typename T>
void csrRowsBaseline(int64_t begin, int64_t end, int64_t width, const int64_t* pointers,
                     const int32_t* columns, const T* values, const T* in, T* out) {
    csrRowsImpl(begin, end, width, pointers, columns, values, in, out);
}

#ifdef GRAPHACE_DISPATCH
template <typename T>
__attribute__((target("avx2,fma"))) void
csrRowsAvx2(int64_t begin, int64_t end, int64_t width, const int64_t* pointers,
            const int32_t* columns, const T* values, const T* in, T* out) {
    csrRowsImpl(begin, end, width, pointers, columns, values, in, out);
}
#endif

template <typename T>
void csrRows(int64_t begin, int64_t end, int64_t width, const int64_t* pointers,
             const int32_t* columns, const T* values, const T* in, T* out) {
#ifdef GRAPHACE_DISPATCH
    static const bool avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (avx2)
        return csrRowsAvx2(begin, end, width, pointers, columns, values, in, out);
#endif
    csrRowsBaseline(begin, end, width, pointers, columns, values, in, out);
}

template <typename T>
void csrMultiplyTyped(const CsrMatrix& a, const torch::Tensor& x, torch::Tensor& y) {
    const int64_t n = a.rowPointers.size(0) - 1, width = x.size(1);
    const int64_t* pointers = a.rowPointers.data_ptr<int64_t>();
    const int32_t* columns = a.columns.data_ptr<int32_t>();
    const T* values = a.values.data_ptr<T>();
    const T* in = x.data_ptr<T>();
    T* out = y.data_ptr<T>();
    const int64_t nnz = pointers[n];
    // Rows per task: about 16k multiply-adds, so small graphs stay on one thread.
    const int64_t work = std::max<int64_t>(1, nnz * width / std::max<int64_t>(n, 1));
    const int64_t grain = std::max<int64_t>(1, 16384 / work);
    at::parallel_for(0, n, grain, [&](int64_t begin, int64_t end) {
        csrRows(begin, end, width, pointers, columns, values, in, out);
    });
}

torch::Tensor csrMultiply(const CsrMatrix& a, const torch::Tensor& x) {
    const torch::Tensor input = x.contiguous();
    torch::Tensor y = torch::empty({a.rowPointers.size(0) - 1, input.size(1)}, input.options());
    if (input.scalar_type() == torch::kFloat64)
        csrMultiplyTyped<double>(a, input, y);
    else
        csrMultiplyTyped<float>(a, input, y);
    return y;
}

// Â x with Âᵀ for the gradient: Â is data, so only x gets one.
class CsrProduct : public torch::autograd::Function<CsrProduct> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x,
                                 const CsrMatrix& a, const CsrMatrix& transposed) {
        context->saved_data["p"] = transposed.rowPointers;
        context->saved_data["c"] = transposed.columns;
        context->saved_data["v"] = transposed.values;
        return csrMultiply(a, x);
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        CsrMatrix transposed{context->saved_data["p"].toTensor(),
                             context->saved_data["c"].toTensor(),
                             context->saved_data["v"].toTensor()};
        return {csrMultiply(transposed, gradients[0]), torch::Tensor(), torch::Tensor()};
    }
};

// x W (+ b) on the CPU with Eigen (the LibTorch this builds against may call a reference BLAS,
// several times slower). Rows go in fixed blocks of kRowBlock, one thread per block; sums over
// rows (the weight gradient) are added block by block in order, so the result does not depend on
// the thread count.
constexpr int64_t kRowBlock = 512;
template <typename T>
using RowMajor = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <typename T> using ConstMap = Eigen::Map<const RowMajor<T>>;
template <typename T> using MutableMap = Eigen::Map<RowMajor<T>>;

template <typename T>
void linearForward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                   torch::Tensor& y) {
    const int64_t n = x.size(0), in = x.size(1), out = w.size(1);
    const T* xs = x.data_ptr<T>();
    const ConstMap<T> weight(w.data_ptr<T>(), in, out);
    const T* bias = b.defined() ? b.data_ptr<T>() : nullptr;
    T* ys = y.data_ptr<T>();
    const int64_t blocks = (n + kRowBlock - 1) / kRowBlock;
    at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
        for (int64_t block = first; block < last; ++block) {
            const int64_t r0 = block * kRowBlock, rows = std::min(kRowBlock, n - r0);
            MutableMap<T> yb(ys + r0 * out, rows, out);
            yb.noalias() = ConstMap<T>(xs + r0 * in, rows, in) * weight;
            if (bias)
                yb.rowwise() += Eigen::Map<const Eigen::Matrix<T, 1, Eigen::Dynamic>>(bias, out);
        }
    });
}

template <typename T>
void linearBackward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& g,
                    torch::Tensor* dx, torch::Tensor& dw, torch::Tensor* db) {
    const int64_t n = x.size(0), in = x.size(1), out = w.size(1);
    const T* xs = x.data_ptr<T>();
    const T* gs = g.data_ptr<T>();
    const ConstMap<T> weight(w.data_ptr<T>(), in, out);
    const int64_t blocks = (n + kRowBlock - 1) / kRowBlock;
    std::vector<RowMajor<T>> partialW(blocks);
    std::vector<Eigen::Matrix<T, 1, Eigen::Dynamic>> partialB(blocks);
    T* dxs = dx ? dx->data_ptr<T>() : nullptr;
    at::parallel_for(0, blocks, 1, [&](int64_t first, int64_t last) {
        for (int64_t block = first; block < last; ++block) {
            const int64_t r0 = block * kRowBlock, rows = std::min(kRowBlock, n - r0);
            const ConstMap<T> gb(gs + r0 * out, rows, out);
            partialW[block].noalias() = ConstMap<T>(xs + r0 * in, rows, in).transpose() * gb;
            if (db)
                partialB[block] = gb.colwise().sum();
            if (dxs)
                MutableMap<T>(dxs + r0 * in, rows, in).noalias() = gb * weight.transpose();
        }
    });
    MutableMap<T> dwm(dw.data_ptr<T>(), in, out);
    dwm.setZero();
    for (const auto& p : partialW)
        dwm += p;
    if (db) {
        Eigen::Map<Eigen::Matrix<T, 1, Eigen::Dynamic>> dbm(db->data_ptr<T>(), out);
        dbm.setZero();
        for (const auto& p : partialB)
            dbm += p;
    }
}

torch::Tensor linearForwardAny(const torch::Tensor& x, const torch::Tensor& w,
                               const torch::Tensor& b) {
    torch::Tensor y = torch::empty({x.size(0), w.size(1)}, x.options());
    if (x.scalar_type() == torch::kFloat64)
        linearForward<double>(x, w, b, y);
    else
        linearForward<float>(x, w, b, y);
    return y;
}

class CpuMatmul;

// The gradient of x W (+ b). Without a graph being recorded (plain backward) the blocked Eigen
// kernel; while one is (create_graph, the force loss's double backward) the same products as
// CpuMatmul applications, which are themselves differentiable, so the kernels stay twice
// differentiable. Only the inputs autograd asks for are computed.
torch::autograd::variable_list linearBackwardAny(torch::autograd::AutogradContext* context,
                                                 const torch::Tensor& gradient, bool bias);

// x W + b.
class CpuLinear : public torch::autograd::Function<CpuLinear> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x,
                                 const torch::Tensor& w, const torch::Tensor& b) {
        const torch::Tensor xc = x.contiguous(), wc = w.contiguous();
        context->save_for_backward({xc, wc});
        return linearForwardAny(xc, wc, b.contiguous());
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        return linearBackwardAny(context, gradients[0], true);
    }
};

// x W.
class CpuMatmul : public torch::autograd::Function<CpuMatmul> {
public:
    static torch::Tensor forward(torch::autograd::AutogradContext* context, const torch::Tensor& x,
                                 const torch::Tensor& w) {
        const torch::Tensor xc = x.contiguous(), wc = w.contiguous();
        context->save_for_backward({xc, wc});
        return linearForwardAny(xc, wc, torch::Tensor());
    }
    static torch::autograd::variable_list backward(torch::autograd::AutogradContext* context,
                                                   torch::autograd::variable_list gradients) {
        return linearBackwardAny(context, gradients[0], false);
    }
};

torch::autograd::variable_list linearBackwardAny(torch::autograd::AutogradContext* context,
                                                 const torch::Tensor& gradient, bool bias) {
    const auto saved = context->get_saved_variables();
    const torch::Tensor &x = saved[0], &w = saved[1];
    const bool needX = context->needs_input_grad(0), needW = context->needs_input_grad(1),
               needB = bias && context->needs_input_grad(2);
    torch::Tensor dx, dw, db;
    if (torch::GradMode::is_enabled()) {
        if (needX)
            dx = CpuMatmul::apply(gradient, w.t());
        if (needW)
            dw = CpuMatmul::apply(x.t(), gradient);
        if (needB)
            db = gradient.sum(0);
    } else if (needX || needW || needB) {
        const torch::Tensor g = gradient.contiguous();
        dw = torch::empty_like(w);
        if (needX)
            dx = torch::empty_like(x);
        if (bias)
            db = torch::empty({w.size(1)}, w.options());
        if (x.scalar_type() == torch::kFloat64)
            linearBackward<double>(x, w, g, dx.defined() ? &dx : nullptr, dw, bias ? &db : nullptr);
        else
            linearBackward<float>(x, w, g, dx.defined() ? &dx : nullptr, dw, bias ? &db : nullptr);
    }
    if (bias)
        return {dx, dw, db};
    return {dx, dw};
}

} // namespace

// x W + b (b may be undefined).
torch::Tensor linear(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& b,
                     bool cpuKernels) {
    if (cpuKernels && x.device().is_cpu())
        return b.defined() ? CpuLinear::apply(x, w, b) : CpuMatmul::apply(x, w);
    return b.defined() ? torch::addmm(b, x, w) : x.mm(w);
}

namespace {

torch::Tensor aggregate(const Batch& batch, const torch::Tensor& m) {
    switch (batch.aggregation) {
    case Aggregation::Identity:
        return m;
    case Aggregation::Diagonal:
        return m * batch.diagonal;
    case Aggregation::Sparse:
        if (batch.csr.rowPointers.defined())
            return CsrProduct::apply(m, batch.csr, batch.csrTransposed);
        return torch::zeros_like(m).index_add(0, batch.rows,
                                              m.index_select(0, batch.cols) * batch.values);
    }
    return m;
}

// CSR of a COO list (entries kept in their order within a row).
CsrMatrix toCsr(int64_t n, const std::vector<int32_t>& rows, const std::vector<int32_t>& columns,
                const std::vector<double>& values, torch::Dtype dtype) {
    std::vector<int64_t> pointers(n + 1, 0);
    for (int32_t r : rows)
        ++pointers[r + 1];
    for (int64_t i = 0; i < n; ++i)
        pointers[i + 1] += pointers[i];
    std::vector<int64_t> next(pointers.begin(), pointers.end() - 1);
    std::vector<int32_t> sortedColumns(rows.size());
    std::vector<double> sortedValues(rows.size());
    for (std::size_t k = 0; k < rows.size(); ++k) {
        const int64_t slot = next[rows[k]]++;
        sortedColumns[slot] = columns[k];
        sortedValues[slot] = values[k];
    }
    const auto nnz = static_cast<int64_t>(rows.size());
    CsrMatrix csr;
    csr.rowPointers = torch::from_blob(pointers.data(), {n + 1}, torch::kInt64).clone();
    csr.columns = torch::from_blob(sortedColumns.data(), {nnz}, torch::kInt32).clone();
    csr.values = torch::from_blob(sortedValues.data(), {nnz}, torch::kFloat64).to(dtype).clone();
    return csr;
}

} // namespace

torch::Tensor hostTensor(const std::vector<double>& values, torch::Dtype dtype,
                         const torch::Device& device) {
    torch::Tensor t = torch::from_blob(const_cast<double*>(values.data()),
                                       {static_cast<int64_t>(values.size())}, torch::kFloat64)
                          .to(dtype)
                          .clone();
    return t.to(device);
}

torch::Tensor bytesTensor(const std::string& text) {
    return torch::from_blob(const_cast<char*>(text.data()), {static_cast<int64_t>(text.size())},
                            torch::kUInt8)
        .clone();
}

std::string tensorText(const torch::Tensor& t) {
    const torch::Tensor bytes = t.to(torch::kCPU).to(torch::kUInt8).contiguous();
    const auto* data = reinterpret_cast<const char*>(bytes.data_ptr<uint8_t>());
    return std::string(data, data + bytes.numel());
}

torch::Tensor doublesTensor(const std::vector<double>& values) {
    return torch::tensor(values, torch::TensorOptions().dtype(torch::kFloat64));
}

std::string firstLine(const std::string& text) {
    return text.substr(0, text.find('\n'));
}

void checkStoredTensor(const torch::Tensor& t, const std::string& key) {
    const std::string bad = "its \"" + key + "\" ";
    if (!t.defined() || t.layout() != torch::kStrided || !t.has_storage())
        throw std::runtime_error(bad + "is not a plain tensor");
    if (t.numel() == 0)
        return;
    // The last element's offset, without overflow for any stored shape.
    int64_t last = t.storage_offset();
    bool overflow = last < 0;
    for (int64_t d = 0; d < t.dim() && !overflow; ++d) {
        int64_t step = 0;
        overflow = t.stride(d) < 0 || __builtin_mul_overflow(t.size(d) - 1, t.stride(d), &step) ||
                   __builtin_add_overflow(last, step, &last);
    }
    int64_t bytes = 0;
    overflow = overflow || __builtin_add_overflow(last, 1, &last) ||
               __builtin_mul_overflow(last, static_cast<int64_t>(t.element_size()), &bytes);
    if (overflow || bytes > static_cast<int64_t>(t.storage().nbytes()))
        throw std::runtime_error(bad + "holds less data than its shape says");
}

bool tryReadStoredTensor(torch::serialize::InputArchive& archive, const std::string& key,
                         torch::Tensor& tensor) {
    if (!archive.try_read(key, tensor, true))
        return false;
    checkStoredTensor(tensor, key);
    return true;
}

torch::Tensor readStoredTensor(torch::serialize::InputArchive& archive, const std::string& key) {
    torch::Tensor tensor;
    if (!tryReadStoredTensor(archive, key, tensor))
        throw std::runtime_error("its \"" + key + "\" is missing");
    return tensor;
}

namespace {

// The network structure in the form this file reads, independent of the config schema (the
// config JSON beside it is for people and for rerunning).
// The network's settings as stored in model.pt: enums by name (format version 2). Version 1
// files stored their integer codes; modelFromJson reads both.
nlohmann::json modelToJson(const ModelConfig& m) {
    auto layers = [](const std::vector<LayerConfig>& list) {
        nlohmann::json a = nlohmann::json::array();
        for (const LayerConfig& l : list)
            a.push_back({l.width, toString(l.activation)});
        return a;
    };
    return {{"graph_layers", layers(m.graphLayers)},
            {"dense_layers", layers(m.denseLayers)},
            {"pooling", toString(m.pooling)},
            {"target", toString(m.target)},
            {"standardise_inputs", m.standardiseInputs},
            {"standardise_targets", m.standardiseTargets},
            {"reference_energies", m.referenceEnergies},
            {"precision", toString(m.precision)},
            {"whiten_inputs", m.whitenInputs},
            {"linear_term", m.linearTerm}};
}

// A stored enum: its name, or (version 1) its integer code 0…last.
template <typename Enum>
Enum storedEnum(const nlohmann::json& value, Enum (*parse)(const std::string&), Enum last,
                const char* what) {
    if (value.is_string())
        return parse(value.get<std::string>());
    const int code = value.get<int>();
    if (code < 0 || code > static_cast<int>(last))
        throw std::invalid_argument(std::string("unknown ") + what + " code " +
                                    std::to_string(code));
    return static_cast<Enum>(code);
}

ModelConfig modelFromJson(const nlohmann::json& j) {
    auto layers = [](const nlohmann::json& a) {
        std::vector<LayerConfig> list;
        for (const auto& l : a)
            list.push_back({l.at(0).get<int>(), storedEnum(l.at(1), parseActivation,
                                                           Activation::Softplus, "activation")});
        return list;
    };
    ModelConfig m;
    m.graphLayers = layers(j.at("graph_layers"));
    m.denseLayers = layers(j.at("dense_layers"));
    m.pooling = storedEnum(j.at("pooling"), parsePooling, Pooling::Mean, "pooling");
    m.target = storedEnum(j.at("target"), parseEnergyTarget, EnergyTarget::PerAtomSum, "target");
    m.standardiseInputs = j.at("standardise_inputs").get<bool>();
    m.standardiseTargets = j.at("standardise_targets").get<bool>();
    m.referenceEnergies = j.at("reference_energies").get<bool>();
    m.precision = storedEnum(j.at("precision"), parsePrecision, Precision::Float64, "precision");
    m.whitenInputs = j.value("whiten_inputs", false); // absent in files written before it existed
    m.linearTerm = j.value("linear_term", false);
    return m;
}

constexpr const char* kMagic = "GraphACE GCN model";
constexpr int64_t kFormatVersion = 2; // 2: enums by name in network_json
constexpr int64_t kOldestFormatVersion = 1;

} // namespace

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

torch::Device parseDevice(const std::string& device) {
    return device.empty() ? torch::Device(torch::kCPU) : torch::Device(device);
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

void GcnModel::save(const std::string& path) const {
    const gcn::Network& n = *m_impl;
    torch::serialize::OutputArchive archive;
    archive.write("graphace_magic", gcn::bytesTensor(gcn::kMagic), true);
    archive.write("format_version", torch::tensor({gcn::kFormatVersion}, torch::kInt64), true);
    archive.write("config_json", gcn::bytesTensor(nlohmann::json(n.config).dump()), true);
    const nlohmann::json network = {{"feature_count", n.featureCount},
                                    {"species_count", n.speciesCount},
                                    {"model", gcn::modelToJson(n.config.model)}};
    archive.write("network_json", gcn::bytesTensor(network.dump()), true);
    archive.write("parameters", n.parameters.detach().to(torch::kCPU).to(torch::kFloat64), true);
    archive.write("input_mean", gcn::doublesTensor(n.inputMean), true);
    archive.write("input_std", gcn::doublesTensor(n.inputStd), true);
    if (!n.inputWhitening.empty())
        archive.write("input_whitening", gcn::doublesTensor(n.inputWhitening), true);
    archive.write("reference_energies", gcn::doublesTensor(n.referenceEnergies), true);
    archive.write("target_statistics", gcn::doublesTensor({n.targetMean, n.targetStd}), true);
    if (!n.linearCoefficients.empty())
        archive.write("linear_coefficients", gcn::doublesTensor(n.linearCoefficients), true);
    writeAtomically(path, [&](const std::string& temporary) {
        try {
            archive.save_to(temporary);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot write the GCN model to '" + path +
                                     "': " + gcn::firstLine(e.what()));
        }
    });
}

GcnModel GcnModel::load(const std::string& path, const std::string& device) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw std::runtime_error("GCN model file '" + path + "' does not exist");
    const std::string notModel = "'" + path + "' is not a GraphACE GCN model file";
    torch::serialize::InputArchive archive;
    std::string packed;
    try {
        packed = gcn::readCheckedArchive(path);
    } catch (const std::exception& e) {
        throw std::runtime_error(notModel + " (" + gcn::firstLine(e.what()) + ")");
    }
    try {
        archive.load_from(packed.data(), packed.size(), torch::Device(torch::kCPU));
    } catch (const std::exception& e) {
        throw std::runtime_error(notModel + " (not a torch archive: " + gcn::firstLine(e.what()) +
                                 ")");
    }
    bool header = false;
    try {
        torch::Tensor magic;
        header = gcn::tryReadStoredTensor(archive, "graphace_magic", magic) &&
                 gcn::tensorText(magic) == gcn::kMagic;
    } catch (const std::exception&) {
    }
    if (!header)
        throw std::runtime_error(notModel + " (no GraphACE header)");

    checkDevice(device.empty() ? "cpu" : device);
    auto impl = std::make_unique<Impl>();
    try {
        const torch::Tensor version = gcn::readStoredTensor(archive, "format_version");
        const int64_t v = version.item<int64_t>();
        if (v < gcn::kOldestFormatVersion || v > gcn::kFormatVersion)
            throw std::runtime_error(
                "format version " + std::to_string(v) + " is not supported (this graphace reads " +
                std::to_string(gcn::kOldestFormatVersion) + " to " +
                std::to_string(gcn::kFormatVersion) +
                (v > gcn::kFormatVersion ? "; a newer graphace wrote it)" : ")"));
        const torch::Tensor configText = gcn::readStoredTensor(archive, "config_json");
        const torch::Tensor networkText = gcn::readStoredTensor(archive, "network_json");
        const torch::Tensor parameters = gcn::readStoredTensor(archive, "parameters");
        const torch::Tensor mean = gcn::readStoredTensor(archive, "input_mean");
        const torch::Tensor stdDev = gcn::readStoredTensor(archive, "input_std");
        const torch::Tensor reference = gcn::readStoredTensor(archive, "reference_energies");
        const torch::Tensor target = gcn::readStoredTensor(archive, "target_statistics");

        nlohmann::json::parse(gcn::tensorText(configText)).get_to(impl->config);
        const nlohmann::json network = nlohmann::json::parse(gcn::tensorText(networkText));
        impl->config.model = gcn::modelFromJson(network.at("model"));
        impl->featureCount = network.at("feature_count").get<int>();
        impl->speciesCount = network.at("species_count").get<int>();
        impl->device = gcn::parseDevice(device);
        impl->dtype =
            impl->config.model.precision == Precision::Float64 ? torch::kFloat64 : torch::kFloat32;
        impl->inputMean = gcn::toHostVector(mean);
        impl->inputStd = gcn::toHostVector(stdDev);
        if (impl->config.model.whitenInputs) {
            torch::Tensor whitening;
            if (!gcn::tryReadStoredTensor(archive, "input_whitening", whitening))
                throw std::runtime_error("the input whitening matrix is missing");
            impl->inputWhitening = gcn::toHostVector(whitening);
            if (impl->inputWhitening.size() !=
                static_cast<std::size_t>(impl->featureCount) * impl->featureCount)
                throw std::runtime_error("the input whitening matrix does not match the network");
        }
        if (impl->config.model.linearTerm) {
            torch::Tensor linear;
            if (!gcn::tryReadStoredTensor(archive, "linear_coefficients", linear))
                throw std::runtime_error("the linear term's coefficients are missing");
            impl->linearCoefficients = gcn::toHostVector(linear);
            if (static_cast<int>(impl->linearCoefficients.size()) != impl->featureCount)
                throw std::runtime_error("the linear term does not match the network");
        }
        impl->referenceEnergies = gcn::toHostVector(reference);
        const std::vector<double> t = gcn::toHostVector(target);
        if (t.size() != 2 || static_cast<int>(impl->inputMean.size()) != impl->featureCount ||
            static_cast<int>(impl->inputStd.size()) != impl->featureCount ||
            static_cast<int>(impl->referenceEnergies.size()) != impl->speciesCount)
            throw std::runtime_error("statistics do not match the network");
        impl->targetMean = t[0];
        impl->targetStd = t[1];
        impl->layout();
        if (parameters.numel() != impl->parameterCount())
            throw std::runtime_error("weights do not match the network");
        impl->parameters = parameters.to(impl->dtype).to(impl->device).set_requires_grad(true);
    } catch (const std::exception& e) {
        throw std::runtime_error("GCN model file '" + path +
                                 "' is damaged or incompatible: " + gcn::firstLine(e.what()));
    }
    return GcnModel(std::move(impl));
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

TorchInfo torchInfo() {
    TorchInfo info;
    info.version = std::to_string(TORCH_VERSION_MAJOR) + "." + std::to_string(TORCH_VERSION_MINOR) +
                   "." + std::to_string(TORCH_VERSION_PATCH);
    info.cudaAvailable = torch::cuda::is_available();
    info.cudaDevices = static_cast<int>(torch::cuda::device_count());
    return info;
}

void checkDevice(const std::string& device) {
    if (device == "cpu")
        return;
    int index = 0;
    if (device.rfind("cuda:", 0) == 0) {
        const std::string digits = device.substr(5);
        if (digits.empty() || digits.size() > 3 ||
            !std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; }))
            throw std::runtime_error("unknown device \"" + device + "\" (use cpu, cuda or cuda:N)");
        index = std::stoi(digits);
    } else if (device != "cuda") {
        throw std::runtime_error("unknown device \"" + device + "\" (use cpu, cuda or cuda:N)");
    }
    if (!at::hasCUDA())
        throw std::runtime_error("CUDA was requested but this build of LibTorch has no CUDA "
                                 "support (device \"" +
                                 device + "\"); use the cpu device");
    const int count = static_cast<int>(torch::cuda::device_count());
    if (count == 0)
        throw std::runtime_error("CUDA was requested but no CUDA device is available (device \"" +
                                 device + "\"); use the cpu device");
    if (index >= count)
        throw std::runtime_error("CUDA device " + std::to_string(index) +
                                 " was requested but only " + std::to_string(count) +
                                 " CUDA device(s) are available");
}

} // namespace graphace
