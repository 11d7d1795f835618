// The network's CPU kernels and their autograd functions: the sparse aggregation Â x (CSR, with
// Âᵀ for the gradient), x W (+ b) with Eigen, the activations. See gcn_internal.h.
#include "gcn_internal.h"

#include "../simd_dispatch.h"

#include <Eigen/Core>

#include <algorithm>
#include <stdexcept>

namespace graphace::gcn {

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
// Inlined into each clone of csrRows (simd_dispatch.h), so that each is compiled for its own
// instruction set.
template <typename T>
GRAPHACE_ALWAYS_INLINE void csrRowsImpl(int64_t begin, int64_t end, int64_t width,
                                        const int64_t* pointers, const int32_t* columns,
                                        const T* values, const T* in, T* out) {
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

// One function per type (function multiversioning does not take templates).
GRAPHACE_SIMD_CLONES
void csrRows(int64_t begin, int64_t end, int64_t width, const int64_t* pointers,
             const int32_t* columns, const double* values, const double* in, double* out) {
    csrRowsImpl(begin, end, width, pointers, columns, values, in, out);
}

GRAPHACE_SIMD_CLONES
void csrRows(int64_t begin, int64_t end, int64_t width, const int64_t* pointers,
             const int32_t* columns, const float* values, const float* in, float* out) {
    csrRowsImpl(begin, end, width, pointers, columns, values, in, out);
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

} // namespace graphace::gcn
