#include "graphace/ace_descriptors.h"

#include "graphace/element.h"
#include "graphace/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

namespace graphace {

namespace {

// The chain-rule kernels take most of the derivative time. The default build targets plain
// x86-64 (SSE2); with GCC ≥ 12 on x86-64 Linux an x86-64-v3 (AVX2 + FMA) clone is chosen at load
// time when the CPU has it, so these loops run on 256-bit vectors.
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12 && defined(__x86_64__) &&           \
    defined(__linux__)
#define GRAPHACE_SIMD_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GRAPHACE_SIMD_CLONES
#endif
// Bodies shared by the clones must be compiled into each of them, for its instruction set.
#if defined(__GNUC__)
#define GRAPHACE_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define GRAPHACE_ALWAYS_INLINE inline
#endif

// g[x] = Σ_{slot ∈ [s0, s1)} adj[slot] · d_slot[x], x < len, d_slot = dphi + (index − base)·len
GRAPHACE_ALWAYS_INLINE void combineSlots(double* __restrict g, int len, const double* adj,
                                         const int* slotIndex, int s0, int s1,
                                         const double* __restrict dphi, int base) {
    auto row = [&](int slot) {
        return dphi + static_cast<std::size_t>(slotIndex[slot] - base) * len;
    };
    int slot = s0;
    // Most functions have one or two slots per species: the first sweep writes g instead of
    // clearing it and adding, which saves a pass over g.
    if (s1 - s0 >= 2) {
        const double w0 = adj[slot], w1 = adj[slot + 1];
        const double* __restrict d0 = row(slot);
        const double* __restrict d1 = row(slot + 1);
        for (int x = 0; x < len; ++x)
            g[x] = w0 * d0[x] + w1 * d1[x];
        slot += 2;
    } else if (s1 - s0 == 1) {
        const double w = adj[slot];
        const double* __restrict d = row(slot);
        for (int x = 0; x < len; ++x)
            g[x] = w * d[x];
        slot += 1;
    } else {
        for (int x = 0; x < len; ++x)
            g[x] = 0.0;
    }
    // Four slots per sweep: g is loaded and stored once per four rows.
    for (; slot + 4 <= s1; slot += 4) {
        const double w0 = adj[slot], w1 = adj[slot + 1], w2 = adj[slot + 2], w3 = adj[slot + 3];
        const double* __restrict d0 = row(slot);
        const double* __restrict d1 = row(slot + 1);
        const double* __restrict d2 = row(slot + 2);
        const double* __restrict d3 = row(slot + 3);
        for (int x = 0; x < len; ++x)
            g[x] += w0 * d0[x] + w1 * d1[x] + w2 * d2[x] + w3 * d3[x];
    }
    for (; slot < s1; ++slot) {
        const double w = adj[slot];
        const double* __restrict d = row(slot);
        for (int x = 0; x < len; ++x)
            g[x] += w * d[x];
    }
}

constexpr int kChunk = 8; // functions per chunk of the chain rule

#if defined(__GNUC__) && !defined(__clang__)
#define GRAPHACE_VECTOR_TRANSPOSE 1
// GCC vector extensions: 256-bit lanes in the x86-64-v3 clone, pairs of SSE2 registers in the
// default one. aligned(8) and may_alias: loads and stores straight from double arrays.
typedef double V4 __attribute__((vector_size(32), aligned(8), may_alias));
typedef long long V4Mask __attribute__((vector_size(32)));
#endif

// Transposes a chunk of kChunk functions, g[kk·len + x] with x = c·E + e, straight into the
// output rows: rows[x][k0 + kk] (+)= g[kk·len + x]. Fusing the transpose with the update saves
// writing and re-reading an intermediate (len × K) table. With Add (forces), also
// fi[c·width + k0 + kk] −= Σ_e g[kk·len + c·E + e], summed across kk-vectors rather than as
// serial scalar reductions. Rows may repeat (several images of one atom, or atom i itself, whose
// two contributions then cancel): each row's update is finished before the next starts.
template <bool Add>
GRAPHACE_ALWAYS_INLINE void scatterChunkBody(const double* __restrict g, int E, double* const* rows,
                                             int k0, double* fi, int width) {
    const int len = 3 * E;
    for (int c = 0; c < 3; ++c) {
        double acc[kChunk] = {};
        int e = 0;
#ifdef GRAPHACE_VECTOR_TRANSPOSE
        // 4 edges × 4 functions at a time, transposed in registers.
        static_assert(kChunk % 4 == 0, "chunks of whole 4 × 4 tiles");
        V4 vacc[kChunk / 4] = {};
        for (; e + 4 <= E; e += 4) {
            const int x = c * E + e;
            V4 out[kChunk / 4][4];
            for (int h = 0; h < kChunk / 4; ++h) {
                const double* gh = g + static_cast<std::size_t>(4 * h) * len + x;
                const V4 r0 = *reinterpret_cast<const V4*>(gh);
                const V4 r1 = *reinterpret_cast<const V4*>(gh + len);
                const V4 r2 = *reinterpret_cast<const V4*>(gh + 2 * len);
                const V4 r3 = *reinterpret_cast<const V4*>(gh + 3 * len);
                const V4 lo01 = __builtin_shuffle(r0, r1, V4Mask{0, 4, 2, 6});
                const V4 hi01 = __builtin_shuffle(r0, r1, V4Mask{1, 5, 3, 7});
                const V4 lo23 = __builtin_shuffle(r2, r3, V4Mask{0, 4, 2, 6});
                const V4 hi23 = __builtin_shuffle(r2, r3, V4Mask{1, 5, 3, 7});
                out[h][0] = __builtin_shuffle(lo01, lo23, V4Mask{0, 1, 4, 5});
                out[h][1] = __builtin_shuffle(hi01, hi23, V4Mask{0, 1, 4, 5});
                out[h][2] = __builtin_shuffle(lo01, lo23, V4Mask{2, 3, 6, 7});
                out[h][3] = __builtin_shuffle(hi01, hi23, V4Mask{2, 3, 6, 7});
            }
            for (int xx = 0; xx < 4; ++xx) {
                double* dst = rows[x + xx] + k0;
                for (int h = 0; h < kChunk / 4; ++h) {
                    V4* d = reinterpret_cast<V4*>(dst + 4 * h);
                    *d = Add ? *d + out[h][xx] : out[h][xx];
                    vacc[h] += out[h][xx];
                }
            }
        }
        for (int h = 0; h < kChunk / 4; ++h)
            for (int q = 0; q < 4; ++q)
                acc[4 * h + q] = vacc[h][q];
#endif
        for (; e < E; ++e) {
            const int x = c * E + e;
            double* __restrict dst = rows[x] + k0;
            double v[kChunk];
            for (int kk = 0; kk < kChunk; ++kk)
                v[kk] = g[static_cast<std::size_t>(kk) * len + x];
            for (int kk = 0; kk < kChunk; ++kk) {
                dst[kk] = Add ? dst[kk] + v[kk] : v[kk];
                acc[kk] += v[kk];
            }
        }
        if (Add) {
            double* f = fi + static_cast<std::size_t>(c) * width + k0;
            for (int kk = 0; kk < kChunk; ++kk)
                f[kk] -= acc[kk];
        }
    }
}

// The last, partial chunk (kn < kChunk functions); fi as in scatterChunkBody.
void scatterTail(const double* g, int E, double* const* rows, int k0, int kn, double* fi,
                 int width) {
    const int len = 3 * E;
    for (int c = 0; c < 3; ++c)
        for (int kk = 0; kk < kn; ++kk) {
            double sum = 0.0;
            for (int e = 0; e < E; ++e) {
                const int x = c * E + e;
                const double v = g[static_cast<std::size_t>(kk) * len + x];
                double* dst = rows[x] + k0 + kk;
                *dst = fi ? *dst + v : v;
                sum += v;
            }
            if (fi)
                fi[static_cast<std::size_t>(c) * width + k0 + kk] -= sum;
        }
}

// The chain rule for the current atom's neighbours of one species, over all K functions in
// chunks of kChunk: g = Σ_slots adj · dphi per function (combineSlots), then the transposed
// update of the output rows. One call per species keeps the per-function work inline.
// slotBegin[k], slotBegin[k + 1] bound function k's slots of this species (stride slotStride).
GRAPHACE_SIMD_CLONES
void chainRule(double* __restrict g, int E, int K, const double* adj, const int* slotIndex,
               const int* slotBegin, int slotStride, const double* __restrict dphi, int base,
               double* const* rows, double* fi, int width) {
    const int len = 3 * E;
    for (int k0 = 0; k0 < K; k0 += kChunk) {
        const int kn = std::min(kChunk, K - k0);
        for (int kk = 0; kk < kn; ++kk) {
            const int* sb = slotBegin + static_cast<std::size_t>(k0 + kk) * slotStride;
            combineSlots(g + static_cast<std::size_t>(kk) * len, len, adj, slotIndex, sb[0], sb[1],
                         dphi, base);
        }
        if (kn < kChunk)
            scatterTail(g, E, rows, k0, kn, fi, width);
        else if (fi)
            scatterChunkBody<true>(g, E, rows, k0, fi, width);
        else
            scatterChunkBody<false>(g, E, rows, k0, nullptr, 0);
    }
}

// Σ_e a[e]·b[e] with four partial sums: the loop is not one long chain of dependent adds.
GRAPHACE_SIMD_CLONES
double dot(const double* __restrict a, const double* __restrict b, int n) {
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    int e = 0;
    for (; e + 4 <= n; e += 4) {
        s0 += a[e] * b[e];
        s1 += a[e + 1] * b[e + 1];
        s2 += a[e + 2] * b[e + 2];
        s3 += a[e + 3] * b[e + 3];
    }
    for (; e < n; ++e)
        s0 += a[e] * b[e];
    return (s0 + s1) + (s2 + s3);
}

// d[c·E + e] = ∂φ/∂(r_e)_c = J'_n Y_lm û_c + J_n ∂Y_lm/∂(r_e)_c, c = x, y, z.
GRAPHACE_SIMD_CLONES
void edgeDerivatives(double* __restrict d, const double* __restrict J, const double* __restrict dJ,
                     const double* __restrict y, const double* __restrict dy,
                     const double* __restrict ux, const double* __restrict uy,
                     const double* __restrict uz, int E) {
    for (int e = 0; e < E; ++e) {
        const double t = dJ[e] * y[e];
        d[e] = t * ux[e] + J[e] * dy[e];
        d[E + e] = t * uy[e] + J[e] * dy[E + e];
        d[2 * E + e] = t * uz[e] + J[e] * dy[2 * E + e];
    }
}

} // namespace

AceEvaluator::AceEvaluator(const AceBasis& basis) : m_basis(basis) {
    const auto& funcs = basis.functions();
    const auto& coef = basis.termCoefficients();
    const auto& index = basis.termIndices();
    const int K = basis.blockSize();
    const int ns = basis.speciesCount();
    m_termBegin.assign(K + 1, 0);
    m_slotBegin.assign(K + 1, 0);
    m_slotSpeciesBegin.assign(static_cast<std::size_t>(K) * (ns + 1), 0);
    for (int k = 0; k < K; ++k) {
        const auto& f = funcs[k];
        // Distinct A indices of this function = its adjoint slots.
        std::vector<int> distinct;
        for (int t = f.termBegin; t < f.termEnd; ++t)
            for (int q = 0; q < f.order(); ++q)
                distinct.push_back(index[4 * t + q]);
        std::sort(distinct.begin(), distinct.end());
        distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
        const int base = static_cast<int>(m_slotIndex.size());
        m_slotIndex.insert(m_slotIndex.end(), distinct.begin(), distinct.end());
        m_slotBegin[k + 1] = static_cast<int>(m_slotIndex.size());
        for (int s = 0; s <= ns; ++s) {
            const auto it =
                std::lower_bound(distinct.begin(), distinct.end(), basis.speciesBegin(s));
            m_slotSpeciesBegin[k * (ns + 1) + s] = base + static_cast<int>(it - distinct.begin());
        }
        for (int t = f.termBegin; t < f.termEnd; ++t) {
            Term term{coef[t], f.order(), {-1, -1, -1, -1}, {-1, -1, -1, -1}};
            for (int q = 0; q < f.order(); ++q) {
                term.index[q] = index[4 * t + q];
                term.slot[q] =
                    base + static_cast<int>(
                               std::lower_bound(distinct.begin(), distinct.end(), term.index[q]) -
                               distinct.begin());
            }
            m_terms.push_back(term);
        }
        m_termBegin[k + 1] = static_cast<int>(m_terms.size());
    }
    m_channelsBegin.assign(ns + 1, 0);
    const auto& channels = basis.channels();
    for (int s = 0; s <= ns; ++s)
        m_channelsBegin[s] = static_cast<int>(
            std::lower_bound(channels.begin(), channels.end(), s,
                             [](const AceChannel& c, int v) { return c.species < v; }) -
            channels.begin());
    for (int s = 0; s < ns; ++s)
        m_stride = std::max(m_stride, basis.speciesBegin(s + 1) - basis.speciesBegin(s));
    m_edgesOf.resize(ns);
    m_dphi.resize(ns);
    m_Yq.resize(basis.harmonics().size());
    m_dYq.resize(3 * basis.harmonics().size());
    m_A.resize(basis.aSize());
    m_B.resize(K);
    m_adj.resize(m_slotIndex.size());
}

AceStructureDescriptors AceEvaluator::compute(const Structure& structure, AceDerivatives mode) {
    return compute(structure, computeNeighborList(structure, m_basis.config().rcut), mode);
}

AceStructureDescriptors AceEvaluator::compute(const Structure& structure, const NeighborList& nl,
                                              AceDerivatives mode) {
    const int N = static_cast<int>(structure.size());
    const int K = m_basis.blockSize();
    if (structure.numbers.size() != structure.positions.size())
        throw std::invalid_argument("ACE descriptors: numbers and positions differ in length");
    if (nl.cutoff < m_basis.config().rcut)
        throw std::invalid_argument("ACE descriptors: neighbour list cutoff is below rcut");
    m_atomSpecies.resize(N);
    for (int i = 0; i < N; ++i) {
        m_atomSpecies[i] = m_basis.speciesIndex(structure.numbers[i]);
        if (m_atomSpecies[i] < 0)
            throw std::invalid_argument("ACE descriptors: atom " + std::to_string(i) +
                                        " (Z = " + std::to_string(structure.numbers[i]) +
                                        ") is not one of the basis species");
    }

    // Group the edges by centre atom (the list is usually sorted; this does not rely on it).
    const int E = static_cast<int>(nl.edgeCount());
    std::vector<int> start(N + 1, 0), order(E);
    for (int e = 0; e < E; ++e) {
        if (nl.first[e] < 0 || nl.first[e] >= N || nl.second[e] < 0 || nl.second[e] >= N)
            throw std::invalid_argument("ACE descriptors: neighbour list does not fit structure");
        ++start[nl.first[e] + 1];
    }
    for (int i = 0; i < N; ++i)
        start[i + 1] += start[i];
    {
        std::vector<int> fill(start.begin(), start.end() - 1);
        for (int e = 0; e < E; ++e)
            order[fill[nl.first[e]]++] = e;
    }

    AceStructureDescriptors out;
    out.descriptors = RowMatrix::Zero(N, m_basis.size());
    if (mode == AceDerivatives::Edges) {
        out.neighbors = nl;
        out.edgeGradients = RowMatrix::Zero(3 * E, K);
    } else if (mode == AceDerivatives::Forces) {
        out.sumGradient = RowMatrix::Zero(3 * N, m_basis.size());
    }
    for (int i = 0; i < N; ++i)
        atom(structure, nl, i, order.data() + start[i], start[i + 1] - start[i], mode, out);
    return out;
}

// Fills A (and, with `grad`, m_dphi[s]) from the current atom's edges to species s.
void AceEvaluator::neighbourSpecies(const NeighborList& nl, int s, bool grad) {
    const AceBasis& basis = m_basis;
    const std::vector<int>& edges = m_edgesOf[s];
    const int E = static_cast<int>(edges.size());
    const int maxn = basis.maxn();
    const int nlm = basis.harmonics().size();
    const auto& ra = basis.radial().a();
    const auto& rb = basis.radial().b();
    const auto& rc = basis.radial().c();
    const double r0 = basis.config().r0;
    const double tcut = basis.radial().transform(basis.config().rcut);

    // Radial basis for all edges at once: loops over e are independent and vectorise.
    m_J.resize(static_cast<std::size_t>(maxn) * E);
    m_u.resize(static_cast<std::size_t>(4) * E); // t, dt/dr, then later reused
    double* J = m_J.data();
    double* dJ = nullptr;
    double* t = m_u.data();
    double* dtdr = t + E;
    for (int e = 0; e < E; ++e) {
        const double r = nl.distances[edges[e]];
        const double q = (1.0 + r0) / (1.0 + r);
        t[e] = q * q;
        dtdr[e] = -2.0 * t[e] / (1.0 + r);
        const double f = t[e] - tcut;
        J[e] = ra[0] * f * f;
    }
    if (grad) {
        m_dJ.resize(static_cast<std::size_t>(maxn) * E);
        dJ = m_dJ.data();
        for (int e = 0; e < E; ++e)
            dJ[e] = 2.0 * ra[0] * (t[e] - tcut); // d/dt for now
    }
    for (int n = 1; n < maxn; ++n) {
        double* Jn = J + static_cast<std::size_t>(n) * E;
        const double* J1 = Jn - E;
        const double* J2 = n >= 2 ? Jn - 2 * E : nullptr;
        for (int e = 0; e < E; ++e)
            Jn[e] = (ra[n] * t[e] + rb[n]) * J1[e] + (J2 ? rc[n] * J2[e] : 0.0);
        if (grad) {
            double* dJn = dJ + static_cast<std::size_t>(n) * E;
            const double* dJ1 = dJn - E;
            const double* dJ2 = n >= 2 ? dJn - 2 * E : nullptr;
            for (int e = 0; e < E; ++e)
                dJn[e] =
                    (ra[n] * t[e] + rb[n]) * dJ1[e] + ra[n] * J1[e] + (dJ2 ? rc[n] * dJ2[e] : 0.0);
        }
    }
    if (grad)
        for (int n = 0; n < maxn; ++n)
            for (int e = 0; e < E; ++e)
                dJ[static_cast<std::size_t>(n) * E + e] *= dtdr[e];

    // Spherical harmonics, transposed to edge-minor order.
    m_Y.resize(static_cast<std::size_t>(nlm) * E);
    if (grad)
        m_dY.resize(static_cast<std::size_t>(3) * nlm * E);
    if (basis.lmax() == 0 && !grad) {
        std::fill(m_Y.begin(), m_Y.end(), 0.5 / std::sqrt(M_PI));
    } else {
        for (int e = 0; e < E; ++e) {
            const Vec3& v = nl.vectors[edges[e]];
            if (grad)
                basis.harmonics().evaluate(v, m_Yq.data(), m_dYq.data());
            else
                basis.harmonics().evaluate(v, m_Yq.data());
            for (int lm = 0; lm < nlm; ++lm)
                m_Y[static_cast<std::size_t>(lm) * E + e] = m_Yq[lm];
            if (grad)
                for (int lm = 0; lm < nlm; ++lm)
                    for (int c = 0; c < 3; ++c)
                        m_dY[(static_cast<std::size_t>(lm) * 3 + c) * E + e] = m_dYq[3 * lm + c];
        }
    }

    // A_{n l m} = Σ_e J_n(e) Y_lm(e) and, with derivatives,
    // ∂φ/∂r_c = J'_n Y_lm û_c + J_n ∂Y_lm/∂r_c.
    const auto& channels = basis.channels();
    const int sBegin = basis.speciesBegin(s);
    double* ux = m_u.data(); // t and dt/dr are no longer needed
    double* uy = ux + E;
    double* uz = uy + E;
    if (grad) {
        for (int e = 0; e < E; ++e) {
            const Vec3& v = nl.vectors[edges[e]];
            const double inv = 1.0 / nl.distances[edges[e]];
            ux[e] = v.x() * inv;
            uy[e] = v.y() * inv;
            uz[e] = v.z() * inv;
        }
        m_dphi[s].resize(static_cast<std::size_t>(basis.speciesBegin(s + 1) - sBegin) * 3 * E);
    }
    for (int c = m_channelsBegin[s]; c < m_channelsBegin[s + 1]; ++c) {
        const AceChannel& ch = channels[c];
        const double* Jn = J + static_cast<std::size_t>(ch.n - 1) * E;
        const int off = basis.channelOffset(c);
        for (int m = 0; m < 2 * ch.l + 1; ++m) {
            const int lm = ch.l * ch.l + m;
            const double* y = m_Y.data() + static_cast<std::size_t>(lm) * E;
            m_A[off + m] += dot(Jn, y, E);
            if (!grad)
                continue;
            const double* dJn = dJ + static_cast<std::size_t>(ch.n - 1) * E;
            const double* dy = m_dY.data() + static_cast<std::size_t>(lm) * 3 * E;
            double* d = m_dphi[s].data() + static_cast<std::size_t>(off - sBegin + m) * 3 * E;
            edgeDerivatives(d, Jn, dJn, y, dy, ux, uy, uz, E);
        }
    }
}

void AceEvaluator::atom(const Structure& structure, const NeighborList& nl, int i, const int* edges,
                        int edgeCount, AceDerivatives mode, AceStructureDescriptors& out) {
    (void)structure;
    const AceBasis& basis = m_basis;
    const int K = basis.blockSize();
    const int ns = basis.speciesCount();
    const bool grad = mode != AceDerivatives::None;
    const double rcut = basis.config().rcut;

    for (auto& list : m_edgesOf)
        list.clear();
    for (int q = 0; q < edgeCount; ++q) {
        const int e = edges[q];
        const double r = nl.distances[e];
        // Coincident atoms have no direction: refuse rather than return NaN descriptors.
        if (!(r > 1e-8))
            throw std::invalid_argument("ACE descriptors: atoms " + std::to_string(i) + " and " +
                                        std::to_string(nl.second[e]) + " coincide (distance " +
                                        std::to_string(r) + " Å)");
        if (r < rcut)
            m_edgesOf[m_atomSpecies[nl.second[e]]].push_back(e);
    }
    std::fill(m_A.begin(), m_A.end(), 0.0);
    for (int s = 0; s < ns; ++s)
        if (!m_edgesOf[s].empty())
            neighbourSpecies(nl, s, grad);

    // B = Σ coef Π A, and the adjoint ∂B/∂A per slot.
    const double* A = m_A.data();
    if (grad)
        std::fill(m_adj.begin(), m_adj.end(), 0.0);
    // All terms of a function have its order ν, so the branch on ν is taken once per function.
    for (int k = 0; k < K; ++k) {
        double b = 0.0;
        const Term* t0 = m_terms.data() + m_termBegin[k];
        const Term* t1 = m_terms.data() + m_termBegin[k + 1];
        const int nu = t0 < t1 ? t0->order : 0;
        if (nu == 1) {
            for (const Term* t = t0; t < t1; ++t) {
                b += t->coef * A[t->index[0]];
                if (grad)
                    m_adj[t->slot[0]] += t->coef;
            }
        } else if (nu == 2) {
            for (const Term* t = t0; t < t1; ++t) {
                const double a0 = A[t->index[0]], a1 = A[t->index[1]];
                b += t->coef * a0 * a1;
                if (grad) {
                    m_adj[t->slot[0]] += t->coef * a1;
                    m_adj[t->slot[1]] += t->coef * a0;
                }
            }
        } else if (nu == 3) {
            for (const Term* t = t0; t < t1; ++t) {
                const double a0 = A[t->index[0]], a1 = A[t->index[1]], a2 = A[t->index[2]];
                b += t->coef * a0 * a1 * a2;
                if (grad) {
                    m_adj[t->slot[0]] += t->coef * a1 * a2;
                    m_adj[t->slot[1]] += t->coef * a0 * a2;
                    m_adj[t->slot[2]] += t->coef * a0 * a1;
                }
            }
        } else {
            for (const Term* t = t0; t < t1; ++t) {
                // Prefix and suffix products give every "all but one" product.
                double pre[5], suf[5];
                pre[0] = 1.0;
                for (int f = 0; f < nu; ++f)
                    pre[f + 1] = pre[f] * A[t->index[f]];
                suf[nu] = 1.0;
                for (int f = nu - 1; f >= 0; --f)
                    suf[f] = suf[f + 1] * A[t->index[f]];
                b += t->coef * pre[nu];
                if (grad)
                    for (int f = 0; f < nu; ++f)
                        m_adj[t->slot[f]] += t->coef * pre[f] * suf[f + 1];
            }
        }
        m_B[k] = b;
    }
    const int col0 = K * m_atomSpecies[i];
    double* row = out.descriptors.data() + static_cast<std::size_t>(i) * out.descriptors.cols();
    std::copy(m_B.begin(), m_B.end(), row + col0);
    if (!grad)
        return;

    // Chain rule: for function k and neighbour species s, g_c(e) = Σ_slots adj · ∂φ_c(e),
    // an AXPY over the edges per slot.
    const int width = static_cast<int>(out.sumGradient.cols());
    double* fi = mode == AceDerivatives::Forces
                     ? out.sumGradient.data() + static_cast<std::size_t>(3 * i) * width + col0
                     : nullptr;
    for (int s = 0; s < ns; ++s) {
        const std::vector<int>& es = m_edgesOf[s];
        const int E = static_cast<int>(es.size());
        if (E == 0)
            continue;
        const int sBegin = basis.speciesBegin(s);
        const double* dphi = m_dphi[s].data();
        const int len = 3 * E;
        // Output row of each (component c, edge e), x = c·E + e, at column 0 of the block.
        m_rows.resize(len);
        for (int c = 0; c < 3; ++c)
            for (int e = 0; e < E; ++e)
                m_rows[c * E + e] =
                    mode == AceDerivatives::Edges
                        ? out.edgeGradients.data() + static_cast<std::size_t>(3 * es[e] + c) * K
                        : out.sumGradient.data() +
                              static_cast<std::size_t>(3 * nl.second[es[e]] + c) * width + col0;
        m_g.resize(static_cast<std::size_t>(kChunk) * len);
        // ∂/∂r_i = −Σ over the edges, accumulated by the scatter.
        chainRule(m_g.data(), E, K, m_adj.data(), m_slotIndex.data(), m_slotSpeciesBegin.data() + s,
                  ns + 1, dphi, sBegin, m_rows.data(), fi, width);
    }
}

std::vector<AceStructureDescriptors> computeAceDescriptors(const AceBasis& basis,
                                                           const Dataset& data, AceDerivatives mode,
                                                           int threads,
                                                           const ProgressCallback& progress) {
    std::vector<AceStructureDescriptors> out(data.size());
    parallelForEach(static_cast<int>(data.size()), threads, progress, [&]() {
        auto evaluator = std::make_shared<AceEvaluator>(basis);
        return [&, evaluator](int k) { out[k] = evaluator->compute(data.structures[k], mode); };
    });
    return out;
}

} // namespace graphace
