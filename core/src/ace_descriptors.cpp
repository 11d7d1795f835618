#include "graphace/ace_descriptors.h"

#include "graphace/element.h"
#include "graphace/parallel_for.h"

#include "simd_dispatch.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace graphace {

namespace {

#ifdef GRAPHACE_VECTOR_KERNELS
using simd::V4;
using simd::V4Mask;
#endif

// A tile: `width` adjacent function columns [col, col + width) of a block (width 4, or K when
// K < 4); bit q of `mask` set when function col + q has terms in the neighbour species at hand.
// Functions without terms there get exact zeros added. Tiles start at multiples of 4 (the last
// one at K − 4), so two consecutive tiles usually share the output cache lines.
struct Tile {
    int col, mask, width, unused;
};
static_assert(sizeof(Tile) == 4 * sizeof(int), "tiles are stored as 4 ints");

// Largest force matrix (3N × size() doubles, 16 MB) accumulated in the evaluator's buffer.
constexpr std::size_t kForceBufferDoubles = std::size_t(1) << 21;

// Edge tables are padded to a multiple of 4 edges with edges of zero weight (J = J' = 0), so
// every loop over edges runs on whole vectors.
constexpr int kEdgeAlign = 4;

#ifdef GRAPHACE_VECTOR_KERNELS
// g[x … x + 4·NV) = Σ_{slot ∈ [s0, s1)} adj[slot] · d_slot[x …], d_slot = dphi + (slotIndex[slot] −
// base)·len, with s1 > s0. The NV partial rows stay in registers across the slots: g is stored
// once, and each d_slot element is loaded once.
template <int NV>
GRAPHACE_ALWAYS_INLINE void combineBlock(double* __restrict g, int x, int len, const double* adj,
                                         const int* slotIndex, int base, int s0, int s1,
                                         const double* __restrict dphi) {
    V4 acc[NV];
    {
        const double w = adj[s0];
        const double* p = dphi + static_cast<std::size_t>(slotIndex[s0] - base) * len + x;
        for (int j = 0; j < NV; ++j)
            acc[j] = w * *reinterpret_cast<const V4*>(p + 4 * j);
    }
    for (int slot = s0 + 1; slot < s1; ++slot) {
        const double w = adj[slot];
        const double* p = dphi + static_cast<std::size_t>(slotIndex[slot] - base) * len + x;
        for (int j = 0; j < NV; ++j)
            acc[j] += w * *reinterpret_cast<const V4*>(p + 4 * j);
    }
    for (int j = 0; j < NV; ++j)
        *reinterpret_cast<V4*>(g + x + 4 * j) = acc[j];
}
#endif

// One function's g[x] = Σ_{slot ∈ [s0, s1)} adj[slot] · d_slot[x], x < len (a multiple of 4).
GRAPHACE_ALWAYS_INLINE void combineSlots(double* __restrict g, int len, const double* adj,
                                         const int* slotIndex, int base, int s0, int s1,
                                         const double* __restrict dphi) {
    if (s0 == s1) {
        std::fill(g, g + len, 0.0);
        return;
    }
#ifdef GRAPHACE_VECTOR_KERNELS
    // Blocks of up to 12 vectors (12 of the 16 AVX2 registers): one or two passes over the
    // slots for up to 32 edges.
    int x = 0;
    for (; x + 48 <= len; x += 48)
        combineBlock<12>(g, x, len, adj, slotIndex, base, s0, s1, dphi);
    switch ((len - x) / 4) {
#define GRAPHACE_COMBINE_CASE(nv)                                                                  \
    case nv:                                                                                       \
        combineBlock<nv>(g, x, len, adj, slotIndex, base, s0, s1, dphi);                           \
        break;
        GRAPHACE_COMBINE_CASE(1)
        GRAPHACE_COMBINE_CASE(2)
        GRAPHACE_COMBINE_CASE(3)
        GRAPHACE_COMBINE_CASE(4)
        GRAPHACE_COMBINE_CASE(5)
        GRAPHACE_COMBINE_CASE(6)
        GRAPHACE_COMBINE_CASE(7)
        GRAPHACE_COMBINE_CASE(8)
        GRAPHACE_COMBINE_CASE(9)
        GRAPHACE_COMBINE_CASE(10)
        GRAPHACE_COMBINE_CASE(11)
#undef GRAPHACE_COMBINE_CASE
    default:
        break;
    }
#else
    for (int x = 0; x < len; ++x)
        g[x] = 0.0;
    for (int slot = s0; slot < s1; ++slot) {
        const double w = adj[slot];
        const double* __restrict d = dphi + static_cast<std::size_t>(slotIndex[slot] - base) * len;
        for (int x = 0; x < len; ++x)
            g[x] += w * d[x];
    }
#endif
}

constexpr int kGroup = 8; // tiles per group: g holds 4·kGroup rows, ~20 KB for 24 edges

// Adds n wide tiles (g rows 4h … 4h + 3 for tile h) into the output rows, transposed:
// rows[x][col_h + q] += g[(4h + q)·len + x] with x = c·E + e (E a multiple of 4). Each visit
// of an output row updates all n tiles, up to 32 adjacent columns, rather than one tile: fewer
// row visits (TLB entries, cache lines). With fi (forces), also
// fi[c·width + col_h + q] −= Σ_e g[(4h + q)·len + c·E + e], summed from the transposed vectors.
// Rows may repeat (several images of one atom, or atom i itself, whose two contributions then
// cancel): each update is a complete read-modify-write before the next starts.
GRAPHACE_ALWAYS_INLINE void scatterTiles(const double* __restrict g, int E, double* const* rows,
                                         const int* col, int n, double* fi, int width) {
    const int len = 3 * E;
    for (int c = 0; c < 3; ++c) {
#ifdef GRAPHACE_VECTOR_KERNELS
        V4 sums[kGroup];
        for (int h = 0; h < n; ++h)
            sums[h] = V4{0.0, 0.0, 0.0, 0.0};
        for (int x = c * E; x < (c + 1) * E; x += 4) {
            double* dst[4] = {rows[x], rows[x + 1], rows[x + 2], rows[x + 3]};
            for (int h = 0; h < n; ++h) {
                const double* gh = g + static_cast<std::size_t>(4 * h) * len + x;
                const V4 r0 = *reinterpret_cast<const V4*>(gh);
                const V4 r1 = *reinterpret_cast<const V4*>(gh + len);
                const V4 r2 = *reinterpret_cast<const V4*>(gh + 2 * len);
                const V4 r3 = *reinterpret_cast<const V4*>(gh + 3 * len);
                const V4 lo01 = __builtin_shuffle(r0, r1, V4Mask{0, 4, 2, 6});
                const V4 hi01 = __builtin_shuffle(r0, r1, V4Mask{1, 5, 3, 7});
                const V4 lo23 = __builtin_shuffle(r2, r3, V4Mask{0, 4, 2, 6});
                const V4 hi23 = __builtin_shuffle(r2, r3, V4Mask{1, 5, 3, 7});
                const V4 o0 = __builtin_shuffle(lo01, lo23, V4Mask{0, 1, 4, 5});
                const V4 o1 = __builtin_shuffle(hi01, hi23, V4Mask{0, 1, 4, 5});
                const V4 o2 = __builtin_shuffle(lo01, lo23, V4Mask{2, 3, 6, 7});
                const V4 o3 = __builtin_shuffle(hi01, hi23, V4Mask{2, 3, 6, 7});
                const int ch = col[h]; // read once: the stores below may alias anything
                *reinterpret_cast<V4*>(dst[0] + ch) += o0;
                *reinterpret_cast<V4*>(dst[1] + ch) += o1;
                *reinterpret_cast<V4*>(dst[2] + ch) += o2;
                *reinterpret_cast<V4*>(dst[3] + ch) += o3;
                sums[h] += (o0 + o1) + (o2 + o3);
            }
        }
        if (fi)
            for (int h = 0; h < n; ++h)
                *reinterpret_cast<V4*>(fi + static_cast<std::size_t>(c) * width + col[h]) -=
                    sums[h];
#else
        for (int h = 0; h < n; ++h)
            for (int q = 0; q < 4; ++q) {
                const double* gq = g + static_cast<std::size_t>(4 * h + q) * len + c * E;
                double sum = 0.0;
                for (int e = 0; e < E; ++e) {
                    rows[c * E + e][col[h] + q] += gq[e];
                    sum += gq[e];
                }
                if (fi)
                    fi[static_cast<std::size_t>(c) * width + col[h] + q] -= sum;
            }
#endif
    }
}

// A narrow tile (width < 4): g rows 0 … width − 1 go to columns col … col + width − 1.
void scatterNarrow(const double* g, int E, double* const* rows, const Tile& tile, double* fi,
                   int width) {
    const int len = 3 * E;
    for (int c = 0; c < 3; ++c)
        for (int q = 0; q < tile.width; ++q) {
            const double* gq = g + static_cast<std::size_t>(q) * len + c * E;
            double sum = 0.0;
            for (int e = 0; e < E; ++e) {
                rows[c * E + e][tile.col + q] += gq[e];
                sum += gq[e];
            }
            if (fi)
                fi[static_cast<std::size_t>(c) * width + tile.col + q] -= sum;
        }
}

// The chain rule for the current atom's neighbours of one species (E edges, padded), by groups
// of up to kGroup tiles: g = Σ_slots adj · dphi for each function with terms (combineSlots; zero
// rows for the tiles' other columns), then the transposed update of the output rows and, for
// forces, of the centre atom's rows. slotBegin[k·slotStride], slotBegin[k·slotStride + 1]
// bound function k's slots of this species; slotIndex[slot] − base is the slot's row in dphi.
// One call per species keeps the per-function work inline.
GRAPHACE_SIMD_CLONES
void chainRule(double* __restrict g, int E, const Tile* tiles, int tileCount, const double* adj,
               const int* slotIndex, int base, const int* slotBegin, int slotStride,
               const double* __restrict dphi, double* const* rows, double* fi, int width) {
    const int len = 3 * E;
    for (int t = 0; t < tileCount;) {
        if (tiles[t].width < 4) { // K < 4: the only tile
            const Tile& tile = tiles[t];
            for (int q = 0; q < tile.width; ++q) {
                const int* sb = slotBegin + static_cast<std::size_t>(tile.col + q) * slotStride;
                combineSlots(g + static_cast<std::size_t>(q) * len, len, adj, slotIndex, base,
                             sb[0], sb[1], dphi);
            }
            scatterNarrow(g, E, rows, tile, fi, width);
            ++t;
            continue;
        }
        int col[kGroup];
        int n = 0;
        for (; n < kGroup && t + n < tileCount && tiles[t + n].width == 4; ++n) {
            const Tile& th = tiles[t + n];
            col[n] = th.col;
            for (int q = 0; q < 4; ++q) {
                double* gq = g + static_cast<std::size_t>(4 * n + q) * len;
                if (!(th.mask >> q & 1)) {
                    std::fill(gq, gq + len, 0.0);
                    continue;
                }
                const int* sb = slotBegin + static_cast<std::size_t>(th.col + q) * slotStride;
                combineSlots(gq, len, adj, slotIndex, base, sb[0], sb[1], dphi);
            }
        }
        scatterTiles(g, E, rows, col, n, fi, width);
        t += n;
    }
}

// Σ_e a[e]·b[e] with four partial sums: the loop is not one long chain of dependent adds.
// Element e always goes to partial sum e mod 4, so zero padding (the tables with derivatives)
// leaves the result bit for bit the same as without.
GRAPHACE_SIMD_CLONES
double dot(const double* __restrict a, const double* __restrict b, int n) {
    double s[4] = {0.0, 0.0, 0.0, 0.0};
    int e = 0;
    for (; e + 4 <= n; e += 4) {
        s[0] += a[e] * b[e];
        s[1] += a[e + 1] * b[e + 1];
        s[2] += a[e + 2] * b[e + 2];
        s[3] += a[e + 3] * b[e + 3];
    }
    for (int q = 0; e < n; ++e, ++q)
        s[q] += a[e] * b[e];
    return (s[0] + s[1]) + (s[2] + s[3]);
}

// One channel (n, l), its 2l + 1 values of m, E edges (a multiple of kEdgeAlign), with
// y_m = y + m·E, dy_m = dy + 3m·E, d_m = d + 3m·E:
//   A[m] += Σ_e J[e]·y_m[e], summed exactly as dot() sums it (partial sum e mod 4), so A matches
//           the evaluation without derivatives bit for bit;
//   d_m[c·E + e] = ∂φ_m/∂(r_e)_c = J'_n Y_lm û_c + J_n ∂Y_lm/∂(r_e)_c, c = x, y, z.
// One call per channel rather than two per m; J, J', û are read once for both.
GRAPHACE_SIMD_CLONES
void channelDerivatives(double* A, double* __restrict d, const double* __restrict J,
                        const double* __restrict dJ, const double* __restrict y,
                        const double* __restrict dy, const double* __restrict ux,
                        const double* __restrict uy, const double* __restrict uz, int E,
                        int count) {
    for (int m = 0; m < count; ++m) {
        const double* ym = y + static_cast<std::size_t>(m) * E;
        const double* dym = dy + static_cast<std::size_t>(m) * 3 * E;
        double* dm = d + static_cast<std::size_t>(m) * 3 * E;
        static_assert(kEdgeAlign == 4, "four partial sums, as in dot()");
        double sum[kEdgeAlign] = {0.0, 0.0, 0.0, 0.0};
        for (int e0 = 0; e0 < E; e0 += kEdgeAlign)
            for (int q = 0; q < kEdgeAlign; ++q) {
                const int e = e0 + q;
                sum[q] += J[e] * ym[e];
                const double t = dJ[e] * ym[e];
                dm[e] = t * ux[e] + J[e] * dym[e];
                dm[E + e] = t * uy[e] + J[e] * dym[E + e];
                dm[2 * E + e] = t * uz[e] + J[e] * dym[2 * E + e];
            }
        A[m] += (sum[0] + sum[1]) + (sum[2] + sum[3]);
    }
}

// dst[0 … n) = src[0 … n) with non-temporal stores where possible: the output is not read again
// soon, and ordinary stores of a fresh megabyte would evict the evaluator's working set (the
// force buffer, dphi) from the core's cache.
void streamCopy(double* dst, const double* src, std::size_t n) {
#if defined(__SSE2__)
    if (reinterpret_cast<std::uintptr_t>(dst) % 16 == 0) {
        std::size_t k = 0;
        for (; k + 2 <= n; k += 2)
            _mm_stream_pd(dst + k, _mm_loadu_pd(src + k));
        for (; k < n; ++k)
            dst[k] = src[k];
        _mm_sfence();
        return;
    }
#endif
    std::copy(src, src + n, dst);
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
    // Tiles per neighbour species: the 4-column tiles with at least one function that has slots
    // in that species; (function, species) pairs without terms contribute nothing.
    m_tiles.assign(ns, {});
    for (int s = 0; s < ns; ++s) {
        auto hasSlots = [&](int k) {
            return m_slotSpeciesBegin[k * (ns + 1) + s + 1] > m_slotSpeciesBegin[k * (ns + 1) + s];
        };
        auto push = [&](const Tile& t) {
            m_tiles[s].insert(m_tiles[s].end(), {t.col, t.mask, t.width, t.unused});
        };
        const int width = std::min(K, 4);
        for (int k = 0; k < K; k += 4) {
            const int col = std::min(k, K - width);
            int mask = 0;
            for (int q = k - col; q < width; ++q) // columns before k belong to the previous tile
                mask |= hasSlots(col + q) ? 1 << q : 0;
            if (mask)
                push({col, mask, width, 0});
        }
    }
    m_sink.assign(K + 4, 0.0);
    m_edgesOf.resize(ns);
    m_dphi.resize(ns);
    m_tables.resize(ns);
    m_A.resize(basis.aSize());
    m_B.resize(K);
    m_adj.resize(m_slotIndex.size());
}

AceStructureDescriptors AceEvaluator::compute(const Structure& structure, AceDerivatives mode) {
    return compute(structure, computeNeighborList(structure, m_basis.config().rcut), mode);
}

void AceEvaluator::groupEdges(const Structure& structure, const NeighborList& nl) {
    const int N = static_cast<int>(structure.size());
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
    if (nl.second.size() != nl.first.size() || nl.distances.size() != nl.first.size() ||
        nl.vectors.size() != nl.first.size())
        throw std::invalid_argument("ACE descriptors: neighbour list arrays differ in length");
    std::vector<int>& start = m_start;
    std::vector<int>& order = m_order;
    start.assign(N + 1, 0);
    order.resize(E);
    for (int e = 0; e < E; ++e) {
        if (nl.first[e] < 0 || nl.first[e] >= N || nl.second[e] < 0 || nl.second[e] >= N)
            throw std::invalid_argument("ACE descriptors: neighbour list does not fit structure");
        ++start[nl.first[e] + 1];
    }
    for (int i = 0; i < N; ++i)
        start[i + 1] += start[i];
    for (int e = 0; e < E; ++e) // fills order while shifting start down by one atom …
        order[start[nl.first[e]]++] = e;
    for (int i = N; i > 0; --i) // … which this undoes
        start[i] = start[i - 1];
    start[0] = 0;
}

void AceEvaluator::collectEdges(const NeighborList& nl, int i) {
    const double rcut = m_basis.config().rcut;
    for (auto& list : m_edgesOf)
        list.clear();
    for (int q = m_start[i]; q < m_start[i + 1]; ++q) {
        const int e = m_order[q];
        const double r = nl.distances[e];
        // Coincident atoms have no direction: refuse rather than return NaN descriptors.
        if (!(r > 1e-8))
            throw std::invalid_argument("ACE descriptors: atoms " + std::to_string(i) + " and " +
                                        std::to_string(nl.second[e]) + " coincide (distance " +
                                        std::to_string(r) + " Å)");
        if (r < rcut)
            m_edgesOf[m_atomSpecies[nl.second[e]]].push_back(e);
    }
}

AceStructureDescriptors AceEvaluator::compute(const Structure& structure, const NeighborList& nl,
                                              AceDerivatives mode) {
    groupEdges(structure, nl);
    const int N = static_cast<int>(structure.size());
    const int K = m_basis.blockSize();
    const int E = static_cast<int>(nl.edgeCount());
    AceStructureDescriptors out;
    out.descriptors = RowMatrix::Zero(N, m_basis.size());
    if (mode == AceDerivatives::Edges) {
        out.neighbors = nl;
        out.edgeGradients = RowMatrix::Zero(3 * E, K);
    }
    // Force rows are accumulated edge by edge all over the matrix. In a buffer reused across
    // structures that memory is in cache; a fresh output matrix would be zero-filled (after the
    // kernel has already cleared its pages) and then updated while cold. The finished rows are
    // copied out once. Very large structures accumulate in place.
    const std::size_t forceSize = static_cast<std::size_t>(3 * N) * m_basis.size();
    const bool buffered = forceSize <= kForceBufferDoubles;
    if (mode == AceDerivatives::Forces) {
        if (buffered) {
            m_forces.assign(forceSize, 0.0);
            m_forceRows = m_forces.data();
        } else {
            out.sumGradient = RowMatrix::Zero(3 * N, m_basis.size());
            m_forceRows = out.sumGradient.data();
        }
    }
    for (int i = 0; i < N; ++i)
        atom(nl, i, mode, out);
    if (mode == AceDerivatives::Forces && buffered) {
        out.sumGradient.resize(3 * N, m_basis.size());
        streamCopy(out.sumGradient.data(), m_forces.data(), forceSize);
    }
    return out;
}

// Fills A (and the tables `work` asks for) from the current atom's edges to species s. The edge
// tables have E = size rounded up to kEdgeAlign, so every loop over edges runs on whole
// vectors; the padding edges point along x at distance rcut with J = J' = 0 set explicitly, so
// they add exact zeros to A and to every derivative.
void AceEvaluator::neighbourSpecies(const NeighborList& nl, int s, EdgeWork work) {
    const AceBasis& basis = m_basis;
    const bool grad = work != EdgeWork::Values;
    const std::vector<int>& edges = m_edgesOf[s];
    SpeciesTables& tables = m_tables[s];
    const int real = static_cast<int>(edges.size());
    const int E = (real + kEdgeAlign - 1) / kEdgeAlign * kEdgeAlign;
    const int maxn = basis.maxn();
    const int nlm = basis.harmonics().size();
    const auto& ra = basis.radial().a();
    const auto& rb = basis.radial().b();
    const auto& rc = basis.radial().c();
    const double r0 = basis.config().r0;
    const double rcut = basis.config().rcut;
    const double tcut = basis.radial().transform(rcut);
    auto distance = [&](int e) { return e < real ? nl.distances[edges[e]] : rcut; };
    auto vector = [&](int e) { return e < real ? nl.vectors[edges[e]] : Vec3(rcut, 0.0, 0.0); };

    // Radial basis for all edges at once: loops over e are independent and vectorise.
    tables.edges = E;
    tables.J.resize(static_cast<std::size_t>(maxn) * E);
    tables.u.resize(static_cast<std::size_t>(6) * E); // û_x, û_y, û_z, 1/r, t, dt/dr
    double* ux = tables.u.data();
    double* uy = ux + E;
    double* uz = uy + E;
    double* invr = uz + E;
    for (int e = 0; e < E; ++e) {
        const Vec3 v = vector(e);
        const double inv = 1.0 / distance(e);
        ux[e] = v.x() * inv;
        uy[e] = v.y() * inv;
        uz[e] = v.z() * inv;
        invr[e] = inv;
    }
    double* J = tables.J.data();
    double* dJ = nullptr;
    double* t = invr + E;
    double* dtdr = t + E;
    for (int e = 0; e < E; ++e) {
        const double r = distance(e);
        const double q = (1.0 + r0) / (1.0 + r);
        t[e] = q * q;
        dtdr[e] = -2.0 * t[e] / (1.0 + r);
        const double f = t[e] - tcut;
        J[e] = ra[0] * f * f;
    }
    if (grad) {
        tables.dJ.resize(static_cast<std::size_t>(maxn) * E);
        dJ = tables.dJ.data();
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
    for (int n = 0; n < maxn; ++n)
        for (int e = real; e < E; ++e) {
            J[static_cast<std::size_t>(n) * E + e] = 0.0;
            if (grad)
                dJ[static_cast<std::size_t>(n) * E + e] = 0.0;
        }

    // Spherical harmonics, in edge-minor order.
    std::vector<double>& Y = tables.Y;
    std::vector<double>& dY = tables.dY;
    Y.resize(static_cast<std::size_t>(nlm) * E);
    if (grad)
        dY.resize(static_cast<std::size_t>(3) * nlm * E);
    if (basis.lmax() == 0 && !grad) {
        std::fill(Y.begin(), Y.end(), 0.5 / std::sqrt(M_PI));
    } else {
        basis.harmonics().evaluateEdges(ux, uy, uz, invr, E, Y.data(), grad ? dY.data() : nullptr);
    }

    // A_{n l m} = Σ_e J_n(e) Y_lm(e) and, with derivatives,
    // ∂φ/∂r_c = J'_n Y_lm û_c + J_n ∂Y_lm/∂r_c.
    const auto& channels = basis.channels();
    const int sBegin = basis.speciesBegin(s);
    if (work == EdgeWork::Dphi)
        m_dphi[s].resize(static_cast<std::size_t>(basis.speciesBegin(s + 1) - sBegin) * 3 * E);
    for (int c = m_channelsBegin[s]; c < m_channelsBegin[s + 1]; ++c) {
        const AceChannel& ch = channels[c];
        const double* Jn = J + static_cast<std::size_t>(ch.n - 1) * E;
        const int off = basis.channelOffset(c);
        const int l2 = ch.l * ch.l;
        if (work != EdgeWork::Dphi) { // dot() sums as channelDerivatives does: the same A
            for (int m = 0; m < 2 * ch.l + 1; ++m)
                m_A[off + m] += dot(Jn, Y.data() + static_cast<std::size_t>(l2 + m) * E, E);
            continue;
        }
        channelDerivatives(
            m_A.data() + off, m_dphi[s].data() + static_cast<std::size_t>(off - sBegin) * 3 * E, Jn,
            dJ + static_cast<std::size_t>(ch.n - 1) * E,
            Y.data() + static_cast<std::size_t>(l2) * E,
            dY.data() + static_cast<std::size_t>(l2) * 3 * E, ux, uy, uz, E, 2 * ch.l + 1);
    }
}

void AceEvaluator::atom(const NeighborList& nl, int i, AceDerivatives mode,
                        AceStructureDescriptors& out) {
    const AceBasis& basis = m_basis;
    const int K = basis.blockSize();
    const int ns = basis.speciesCount();
    const bool grad = mode != AceDerivatives::None;

    collectEdges(nl, i);
    std::fill(m_A.begin(), m_A.end(), 0.0);
    for (int s = 0; s < ns; ++s)
        if (!m_edgesOf[s].empty())
            neighbourSpecies(nl, s, grad ? EdgeWork::Dphi : EdgeWork::Values);

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
        } else if (nu == 2 && !grad) {
            for (const Term* t = t0; t < t1; ++t)
                b += t->coef * A[t->index[0]] * A[t->index[1]];
        } else if (nu == 2) {
            // Terms are sorted by their A indices, so consecutive ones often share slot[0]: its
            // contributions add up in a register and reach m_adj once per run, rather than as
            // a chain of dependent read-modify-writes of one memory location.
            int s0 = t0->slot[0];
            double acc0 = 0.0;
            for (const Term* t = t0; t < t1; ++t) {
                const double a0 = A[t->index[0]], a1 = A[t->index[1]];
                b += t->coef * a0 * a1;
                if (t->slot[0] != s0) {
                    m_adj[s0] += acc0;
                    acc0 = 0.0;
                    s0 = t->slot[0];
                }
                acc0 += t->coef * a1;
                m_adj[t->slot[1]] += t->coef * a0;
            }
            m_adj[s0] += acc0;
        } else if (nu == 3 && !grad) {
            for (const Term* t = t0; t < t1; ++t)
                b += t->coef * A[t->index[0]] * A[t->index[1]] * A[t->index[2]];
        } else if (nu == 3) {
            // As for ν = 2, with runs of slot[0] and, within them, of slot[1].
            int s0 = t0->slot[0], s1 = t0->slot[1];
            double acc0 = 0.0, acc1 = 0.0;
            for (const Term* t = t0; t < t1; ++t) {
                const double a0 = A[t->index[0]], a1 = A[t->index[1]], a2 = A[t->index[2]];
                b += t->coef * a0 * a1 * a2;
                if (t->slot[0] != s0) {
                    m_adj[s0] += acc0;
                    acc0 = 0.0;
                    s0 = t->slot[0];
                }
                if (t->slot[1] != s1) {
                    m_adj[s1] += acc1;
                    acc1 = 0.0;
                    s1 = t->slot[1];
                }
                acc0 += t->coef * a1 * a2;
                acc1 += t->coef * a0 * a2;
                m_adj[t->slot[2]] += t->coef * a0 * a1;
            }
            m_adj[s0] += acc0;
            m_adj[s1] += acc1;
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
    // over the edges (padded to E, a multiple of kEdgeAlign) and the tiles of species s.
    const int width = basis.size();
    double* fi = mode == AceDerivatives::Forces
                     ? m_forceRows + static_cast<std::size_t>(3 * i) * width + col0
                     : nullptr;
    for (int s = 0; s < ns; ++s) {
        const std::vector<int>& es = m_edgesOf[s];
        const int real = static_cast<int>(es.size());
        if (real == 0 || m_tiles[s].empty())
            continue;
        const int E = (real + kEdgeAlign - 1) / kEdgeAlign * kEdgeAlign;
        const int len = 3 * E;
        // Output row of each (component c, edge e), x = c·E + e, at column 0 of the block;
        // padding edges write their zeros to m_sink.
        m_rows.resize(len);
        for (int c = 0; c < 3; ++c)
            for (int e = 0; e < E; ++e)
                m_rows[c * E + e] =
                    e >= real ? m_sink.data()
                    : mode == AceDerivatives::Edges
                        ? out.edgeGradients.data() + static_cast<std::size_t>(3 * es[e] + c) * K
                        : m_forceRows + static_cast<std::size_t>(3 * nl.second[es[e]] + c) * width +
                              col0;
        m_g.resize(static_cast<std::size_t>(4 * kGroup) * len);
        // ∂/∂r_i = −Σ over the edges, accumulated by the scatter.
        const auto* tiles = reinterpret_cast<const Tile*>(m_tiles[s].data());
        chainRule(m_g.data(), E, tiles, static_cast<int>(m_tiles[s].size() / 4), m_adj.data(),
                  m_slotIndex.data(), basis.speciesBegin(s), m_slotSpeciesBegin.data() + s, ns + 1,
                  m_dphi[s].data(), m_rows.data(), fi, width);
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
