// Forces of a fitted model by the adjoint of the atomic base (equations in ace_descriptors.h,
// AceForces). Per atom: A and the edge tables (J, J', Y, ∇Y, û) of each neighbour species, then
// Ā = Σ_k g_k ∂B_k/∂A over the terms, then per edge
//   q_e = Σ_{l,m} [ (Σ_n Ā_{nlm} J'_n) Y_lm û + (Σ_n Ā_{nlm} J_n) ∇Y_lm ],
// the sums over n first (channels grouped by l), so an edge costs 2 multiply-adds per A entry
// plus 5 per (l, m): what forming every function's gradient costs per function is paid once.
#include "graphace/ace_descriptors.h"

#include "simd_dispatch.h"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace graphace {

namespace {

#ifdef GRAPHACE_VECTOR_KERNELS
using simd::V4;
#endif

// Edges [e0, e0 + 4·NV) of one neighbour species: the four sums of q (rad, g_x, g_y, g_z) stay
// in registers over every (l, m), and so do Σ_n Ā J_n and Σ_n Ā J'_n over the n of one (l, m).
// `runs`: per l, (l, count, count pairs (n − 1, A offset)). Writes out[row·E + e], rows rad,
// g_x, g_y, g_z.
template <int NV>
GRAPHACE_ALWAYS_INLINE void edgeBlock(const int* runs, int runsSize, const double* adjA,
                                      const double* J, const double* dJ, const double* Y,
                                      const double* dY, int E, int e0, double* out) {
    const std::size_t row = static_cast<std::size_t>(E);
#ifdef GRAPHACE_VECTOR_KERNELS
    V4 rad[NV], gx[NV], gy[NV], gz[NV];
    for (int j = 0; j < NV; ++j)
        rad[j] = gx[j] = gy[j] = gz[j] = V4{0.0, 0.0, 0.0, 0.0};
#else
    constexpr int W = 4 * NV;
    double rad[W] = {}, gx[W] = {}, gy[W] = {}, gz[W] = {};
#endif
    for (int p = 0; p < runsSize; p += 2 + 2 * runs[p + 1]) {
        const int l = runs[p], count = runs[p + 1];
        const int* pairs = runs + p + 2;
        for (int m = 0; m < 2 * l + 1; ++m) {
            const double* y = Y + static_cast<std::size_t>(l * l + m) * row + e0;
            const double* d = dY + 3 * static_cast<std::size_t>(l * l + m) * row + e0;
#ifdef GRAPHACE_VECTOR_KERNELS
            V4 cj[NV], cdj[NV];
            for (int j = 0; j < NV; ++j)
                cj[j] = cdj[j] = V4{0.0, 0.0, 0.0, 0.0};
            for (int r = 0; r < count; ++r) {
                const double a = adjA[pairs[2 * r + 1] + m];
                const std::size_t off = static_cast<std::size_t>(pairs[2 * r]) * row + e0;
                for (int j = 0; j < NV; ++j) {
                    cj[j] += a * *reinterpret_cast<const V4*>(J + off + 4 * j);
                    cdj[j] += a * *reinterpret_cast<const V4*>(dJ + off + 4 * j);
                }
            }
            for (int j = 0; j < NV; ++j) {
                rad[j] += cdj[j] * *reinterpret_cast<const V4*>(y + 4 * j);
                gx[j] += cj[j] * *reinterpret_cast<const V4*>(d + 4 * j);
                gy[j] += cj[j] * *reinterpret_cast<const V4*>(d + row + 4 * j);
                gz[j] += cj[j] * *reinterpret_cast<const V4*>(d + 2 * row + 4 * j);
            }
#else
            double cj[W] = {}, cdj[W] = {};
            for (int r = 0; r < count; ++r) {
                const double a = adjA[pairs[2 * r + 1] + m];
                const std::size_t off = static_cast<std::size_t>(pairs[2 * r]) * row + e0;
                for (int q = 0; q < W; ++q) {
                    cj[q] += a * J[off + q];
                    cdj[q] += a * dJ[off + q];
                }
            }
            for (int q = 0; q < W; ++q) {
                rad[q] += cdj[q] * y[q];
                gx[q] += cj[q] * d[q];
                gy[q] += cj[q] * d[row + q];
                gz[q] += cj[q] * d[2 * row + q];
            }
#endif
        }
    }
#ifdef GRAPHACE_VECTOR_KERNELS
    for (int j = 0; j < NV; ++j) {
        *reinterpret_cast<V4*>(out + e0 + 4 * j) = rad[j];
        *reinterpret_cast<V4*>(out + row + e0 + 4 * j) = gx[j];
        *reinterpret_cast<V4*>(out + 2 * row + e0 + 4 * j) = gy[j];
        *reinterpret_cast<V4*>(out + 3 * row + e0 + 4 * j) = gz[j];
    }
#else
    for (int q = 0; q < W; ++q) {
        out[e0 + q] = rad[q];
        out[row + e0 + q] = gx[q];
        out[2 * row + e0 + q] = gy[q];
        out[3 * row + e0 + q] = gz[q];
    }
#endif
}

// All E edges (a multiple of 4): blocks of 8, then one of 4.
GRAPHACE_SIMD_CLONES
void edgeSums(const int* runs, int runsSize, const double* adjA, const double* J, const double* dJ,
              const double* Y, const double* dY, int E, double* out) {
    int e0 = 0;
    for (; e0 + 8 <= E; e0 += 8)
        edgeBlock<2>(runs, runsSize, adjA, J, dJ, Y, dY, E, e0, out);
    if (e0 < E)
        edgeBlock<1>(runs, runsSize, adjA, J, dJ, Y, dY, E, e0, out);
}

} // namespace

double AceEvaluator::contractTerms(const double* g) {
    const int K = m_basis.blockSize();
    const double* A = m_A.data();
    double* adj = m_adjA.data();
    std::fill(m_adjA.begin(), m_adjA.end(), 0.0);
    double energy = 0.0;
    for (int k = 0; k < K; ++k) {
        const double w = g[k];
        if (w == 0.0)
            continue;
        const int t0 = m_termBegin[k], t1 = m_termBegin[k + 1];
        if (t0 == t1)
            continue;
        const int nu = m_terms[t0].order;
        const double* coef = m_packedCoef.data() + t0;
        const int* index = m_packedIndex.data() + m_packedIndexBegin[k];
        const int n = t1 - t0;
        // Two partial sums of B: consecutive terms do not wait for each other's additions.
        double b[2] = {0.0, 0.0};
        if (nu == 1) {
            for (int t = 0; t < n; ++t) {
                b[t & 1] += coef[t] * A[index[t]];
                adj[index[t]] += w * coef[t];
            }
        } else if (nu == 2) {
            // Terms are sorted by their indices: runs share i[0], whose adjoint is summed in a
            // register and stored once per run, not read back after every term.
            int i0 = index[0];
            double run = 0.0;
            for (int t = 0; t < n; ++t) {
                const int* i = index + 2 * t;
                if (i[0] != i0) {
                    adj[i0] += run;
                    run = 0.0;
                    i0 = i[0];
                }
                const double a0 = A[i[0]], a1 = A[i[1]];
                const double c = w * coef[t];
                b[t & 1] += coef[t] * a0 * a1;
                run += c * a1;
                adj[i[1]] += c * a0;
            }
            adj[i0] += run;
        } else if (nu == 3) {
            int i0 = index[0];
            double run = 0.0;
            for (int t = 0; t < n; ++t) {
                const int* i = index + 3 * t;
                if (i[0] != i0) {
                    adj[i0] += run;
                    run = 0.0;
                    i0 = i[0];
                }
                const double a0 = A[i[0]], a1 = A[i[1]], a2 = A[i[2]];
                const double c = w * coef[t];
                b[t & 1] += coef[t] * a0 * a1 * a2;
                run += c * a1 * a2;
                adj[i[1]] += c * a0 * a2;
                adj[i[2]] += c * a0 * a1;
            }
            adj[i0] += run;
        } else {
            for (int t = 0; t < n; ++t) {
                const int* i = index + nu * t;
                double pre[5], suf[5];
                pre[0] = 1.0;
                for (int f = 0; f < nu; ++f)
                    pre[f + 1] = pre[f] * A[i[f]];
                suf[nu] = 1.0;
                for (int f = nu - 1; f >= 0; --f)
                    suf[f] = suf[f + 1] * A[i[f]];
                b[t & 1] += coef[t] * pre[nu];
                const double c = w * coef[t];
                for (int f = 0; f < nu; ++f)
                    adj[i[f]] += c * pre[f] * suf[f + 1];
            }
        }
        energy += w * (b[0] + b[1]);
    }
    return energy;
}

void AceEvaluator::edgeAdjoint(int s) {
    const SpeciesTables& tb = m_tables[s];
    const int E = tb.edges;
    m_q.resize(static_cast<std::size_t>(4) * E); // rad, g_x, g_y, g_z
    double* rad = m_q.data();
    double* gx = rad + E;
    double* gy = gx + E;
    double* gz = gy + E;
    const std::vector<int>& runs = m_channelsByL[s];
    edgeSums(runs.data(), static_cast<int>(runs.size()), m_adjA.data(), tb.J.data(), tb.dJ.data(),
             tb.Y.data(), tb.dY.data(), E, rad);
    // q = rad·û + g, into rows x, y, z (rad's row is free once read).
    const double* ux = tb.u.data();
    const double* uy = ux + E;
    const double* uz = uy + E;
    for (int e = 0; e < E; ++e) {
        const double r = rad[e];
        rad[e] = r * ux[e] + gx[e];
        gx[e] = r * uy[e] + gy[e];
        gy[e] = r * uz[e] + gz[e];
    }
}

template <typename GradientRow>
void AceEvaluator::adjointForces(const Structure& structure, const NeighborList& nl,
                                 const GradientRow& gradientRow, AceForces& out) {
    groupEdges(structure, nl);
    const AceBasis& basis = m_basis;
    const int N = static_cast<int>(structure.size());
    const int ns = basis.speciesCount();
    if (m_packedIndexBegin.empty()) {
        // The terms as compact arrays (a coefficient, then ν indices): the adjoint streams
        // through all of them for every atom, so their size is what it costs.
        m_packedIndexBegin.assign(basis.blockSize() + 1, 0);
        for (int k = 0; k < basis.blockSize(); ++k) {
            for (int t = m_termBegin[k]; t < m_termBegin[k + 1]; ++t) {
                m_packedCoef.push_back(m_terms[t].coef);
                m_packedIndex.insert(m_packedIndex.end(), m_terms[t].index,
                                     m_terms[t].index + m_terms[t].order);
            }
            m_packedIndexBegin[k + 1] = static_cast<int>(m_packedIndex.size());
        }
    }
    if (m_channelsByL.empty()) {
        m_channelsByL.assign(ns, {});
        const auto& channels = basis.channels();
        for (int s = 0; s < ns; ++s)
            for (int l = 0; l <= basis.lmax(); ++l) {
                std::vector<int> run;
                for (int c = m_channelsBegin[s]; c < m_channelsBegin[s + 1]; ++c)
                    if (channels[c].l == l)
                        run.insert(run.end(), {channels[c].n - 1, basis.channelOffset(c)});
                if (run.empty())
                    continue;
                m_channelsByL[s].insert(m_channelsByL[s].end(),
                                        {l, static_cast<int>(run.size() / 2)});
                m_channelsByL[s].insert(m_channelsByL[s].end(), run.begin(), run.end());
            }
    }
    m_adjA.resize(basis.aSize());
    out.forces.assign(N, Vec3::Zero());
    out.virial.setZero();
    out.atomEnergies.assign(N, 0.0);
    for (int i = 0; i < N; ++i) {
        collectEdges(nl, i);
        std::fill(m_A.begin(), m_A.end(), 0.0);
        for (int s = 0; s < ns; ++s)
            if (!m_edgesOf[s].empty())
                neighbourSpecies(nl, s, EdgeWork::Tables);
        const double* g = gradientRow(i);
        out.atomEnergies[i] = contractTerms(g);
        for (int s = 0; s < ns; ++s) {
            const std::vector<int>& es = m_edgesOf[s];
            if (es.empty())
                continue;
            edgeAdjoint(s);
            const int E = m_tables[s].edges;
            const double* qx = m_q.data();
            const double* qy = qx + E;
            const double* qz = qy + E;
            for (std::size_t e = 0; e < es.size(); ++e) {
                const Vec3 q(qx[e], qy[e], qz[e]);
                out.forces[nl.second[es[e]]] -= q;
                out.forces[i] += q;
                out.virial -= nl.vectors[es[e]] * q.transpose();
            }
        }
    }
}

AceForces AceEvaluator::linearEnergyForces(const Structure& structure, const NeighborList& nl,
                                           const Eigen::VectorXd& coefficients,
                                           const std::vector<double>& referenceEnergies) {
    const int K = m_basis.blockSize();
    if (coefficients.size() != m_basis.size())
        throw std::invalid_argument("linear ACE forces: " + std::to_string(coefficients.size()) +
                                    " coefficients for a basis of " +
                                    std::to_string(m_basis.size()) + " functions");
    if (!referenceEnergies.empty() &&
        static_cast<int>(referenceEnergies.size()) != m_basis.speciesCount())
        throw std::invalid_argument(
            "linear ACE forces: " + std::to_string(referenceEnergies.size()) +
            " reference energies for " + std::to_string(m_basis.speciesCount()) + " species");
    AceForces out;
    adjointForces(
        structure, nl,
        [&](int i) { return coefficients.data() + static_cast<std::size_t>(m_atomSpecies[i]) * K; },
        out);
    for (std::size_t i = 0; i < structure.size(); ++i) {
        if (!referenceEnergies.empty())
            out.atomEnergies[i] += referenceEnergies[m_atomSpecies[i]];
        out.energy += out.atomEnergies[i];
    }
    return out;
}

AceForces AceEvaluator::forcesFromEnergyGradient(const Structure& structure, const NeighborList& nl,
                                                 const RowMatrix& energyGradient) {
    const int K = m_basis.blockSize();
    if (energyGradient.rows() != Eigen::Index(structure.size()) ||
        energyGradient.cols() != m_basis.size())
        throw std::invalid_argument(
            "ACE forces: the energy gradient is " + std::to_string(energyGradient.rows()) + " × " +
            std::to_string(energyGradient.cols()) + ", expected " +
            std::to_string(structure.size()) + " × " + std::to_string(m_basis.size()));
    AceForces out;
    adjointForces(
        structure, nl,
        [&](int i) {
            return energyGradient.data() + static_cast<std::size_t>(i) * m_basis.size() +
                   static_cast<std::size_t>(m_atomSpecies[i]) * K;
        },
        out);
    out.atomEnergies.clear(); // g·B is not an energy here
    return out;
}

} // namespace graphace
