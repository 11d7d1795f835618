#include "graphace/ace_spherical_harmonics.h"

#include "simd_dispatch.h"

#include <cmath>
#include <stdexcept>

namespace graphace {

namespace {
inline int triIndex(int l, int m) {
    return l * (l + 1) / 2 + m;
}

// out[q] = K · p[q] · f[q], lanes q < W.
template <int W>
GRAPHACE_ALWAYS_INLINE void storeLanes(double* __restrict out, double K, const double* __restrict p,
                                       const double* __restrict f) {
    for (int q = 0; q < W; ++q)
        out[q] = K * p[q] * f[q];
}

// The gradient g = (a·fa, b·fb, d·fd) projected on the plane normal to û and divided by |r|:
// out[c·row + q] = (g_c − (g·û) û_c) / |r|.
template <int W>
GRAPHACE_ALWAYS_INLINE void
storeTangent(double* __restrict out, std::size_t row, const double* __restrict a,
             const double* __restrict fa, const double* __restrict b, const double* __restrict fb,
             const double* __restrict d, const double* __restrict fd, const double* __restrict x,
             const double* __restrict y, const double* __restrict z, const double* __restrict inv) {
    double g0[W], g1[W], g2[W];
    for (int q = 0; q < W; ++q) {
        g0[q] = a[q] * fa[q];
        g1[q] = b[q] * fb[q];
        g2[q] = d[q] * fd[q];
        const double radial = g0[q] * x[q] + g1[q] * y[q] + g2[q] * z[q];
        g0[q] = (g0[q] - radial * x[q]) * inv[q];
        g1[q] = (g1[q] - radial * y[q]) * inv[q];
        g2[q] = (g2[q] - radial * z[q]) * inv[q];
    }
    for (int q = 0; q < W; ++q)
        out[q] = g0[q];
    for (int q = 0; q < W; ++q)
        out[row + q] = g1[q];
    for (int q = 0; q < W; ++q)
        out[2 * row + q] = g2[q];
}
} // namespace

AceSphericalHarmonics::AceSphericalHarmonics(int lmax) : m_lmax(lmax) {
    if (lmax < 0 || lmax > 60)
        throw std::invalid_argument("AceSphericalHarmonics: lmax must be 0…60");
    const int n = triIndex(lmax, lmax) + 1;
    m_norm.assign(n, 0.0);
    m_rec1.assign(n, 0.0);
    m_rec2.assign(n, 0.0);
    m_diag.assign(lmax + 1, 1.0);
    for (int m = 1; m <= lmax; ++m)
        m_diag[m] = m_diag[m - 1] * (2 * m - 1);
    for (int l = 0; l <= lmax; ++l) {
        for (int m = 0; m <= l; ++m) {
            // (l−m)!/(l+m)! as a running product keeps the range of doubles for l ≤ 60.
            long double ratio = 1.0L;
            for (int k = l - m + 1; k <= l + m; ++k)
                ratio /= k;
            long double nlm =
                std::sqrt((2 * l + 1) / (4.0L * 3.141592653589793238462643383279502884L) * ratio);
            m_norm[triIndex(l, m)] = static_cast<double>(m == 0 ? nlm : std::sqrt(2.0L) * nlm);
            if (l >= m + 2) {
                m_rec1[triIndex(l, m)] = double(2 * l - 1) / (l - m);
                m_rec2[triIndex(l, m)] = double(l + m - 1) / (l - m);
            }
        }
    }
}

// W directions (a compile-time count, so the loops over q become vector instructions) into a
// table with row length `stride` (edge-minor; stride 1 and W = 1 is evaluate()'s layout).
// F_lm(x, y, z) = K P̄(z) C_m(x, y), C_m + i S_m = (x + iy)^m, equals Y_lm on the sphere; its
// gradient in R³ (d/dx (x+iy)^m = m (x+iy)^{m−1}, d/dy = i m (x+iy)^{m−1}) is projected on the
// tangent plane and divided by |r| as it is written.
template <bool Grad, int W>
GRAPHACE_ALWAYS_INLINE void
AceSphericalHarmonics::computeEdges(const double* ux, const double* uy, const double* uz,
                                    const double* invr, int stride, double* Y, double* dY) const {
    const int L = m_lmax;
    double x[W], y[W], z[W], inv[W];
    for (int q = 0; q < W; ++q) {
        x[q] = ux[q];
        y[q] = uy[q];
        z[q] = uz[q];
        inv[q] = invr[q];
    }
    double c[W], s[W], cPrev[W], sPrev[W];
    for (int q = 0; q < W; ++q) {
        c[q] = 1.0;
        s[q] = cPrev[q] = sPrev[q] = 0.0;
    }
    const std::size_t row = static_cast<std::size_t>(stride);
    for (int m = 0; m <= L; ++m) {
        if (m > 0)
            for (int q = 0; q < W; ++q) {
                const double cn = c[q] * x[q] - s[q] * y[q];
                const double sn = c[q] * y[q] + s[q] * x[q];
                cPrev[q] = c[q];
                sPrev[q] = s[q];
                c[q] = cn;
                s[q] = sn;
            }
        double p1[W], p2[W], dp1[W], dp2[W];
        for (int q = 0; q < W; ++q)
            p1[q] = p2[q] = dp1[q] = dp2[q] = 0.0;
        for (int l = m; l <= L; ++l) {
            const int t = triIndex(l, m);
            double p[W], dp[W];
            if (l == m) {
                for (int q = 0; q < W; ++q) {
                    p[q] = m_diag[m];
                    dp[q] = 0.0;
                }
            } else if (l == m + 1) {
                const double a = 2 * m + 1;
                for (int q = 0; q < W; ++q) {
                    p[q] = a * z[q] * p1[q];
                    dp[q] = a * (p1[q] + z[q] * dp1[q]);
                }
            } else {
                const double a = m_rec1[t], b = m_rec2[t];
                for (int q = 0; q < W; ++q) {
                    p[q] = a * z[q] * p1[q] - b * p2[q];
                    dp[q] = a * (p1[q] + z[q] * dp1[q]) - b * dp2[q];
                }
            }
            for (int q = 0; q < W; ++q) {
                p2[q] = p1[q];
                p1[q] = p[q];
                dp2[q] = dp1[q];
                dp1[q] = dp[q];
            }
            const double K = m_norm[t];
            const int ip = index(l, m), in = index(l, -m);
            // Each table row is written from lanes computed first: the stores cannot alias them.
            storeLanes<W>(Y + ip * row, K, p, c);
            if (m > 0)
                storeLanes<W>(Y + in * row, K, p, s);
            if (!Grad)
                continue;
            // ∂F/∂(x, y, z) of F = K P̄(z) C_m(x, y), projected on the tangent plane, / |r|.
            double kp[W], kdp[W], mkp[W];
            for (int q = 0; q < W; ++q) {
                kp[q] = K * p[q] * m;
                mkp[q] = -kp[q];
                kdp[q] = K * dp[q];
            }
            storeTangent<W>(dY + 3 * ip * row, row, kp, cPrev, mkp, sPrev, kdp, c, x, y, z, inv);
            if (m > 0)
                storeTangent<W>(dY + 3 * in * row, row, kp, sPrev, kp, cPrev, kdp, s, x, y, z, inv);
        }
    }
}

void AceSphericalHarmonics::evaluate(const Vec3& r, double* Y) const {
    const double inv = 1.0 / r.norm();
    const double x = r.x() * inv, y = r.y() * inv, z = r.z() * inv;
    computeEdges<false, 1>(&x, &y, &z, &inv, 1, Y, nullptr);
}

void AceSphericalHarmonics::evaluate(const Vec3& r, double* Y, double* dY) const {
    const double inv = 1.0 / r.norm();
    const double x = r.x() * inv, y = r.y() * inv, z = r.z() * inv;
    computeEdges<true, 1>(&x, &y, &z, &inv, 1, Y, dY);
}

GRAPHACE_SIMD_CLONES
void AceSphericalHarmonics::evaluateEdges(const double* ux, const double* uy, const double* uz,
                                          const double* invr, int E, double* Y, double* dY) const {
    constexpr int W = 4;
    int e = 0;
    for (; e + W <= E; e += W) {
        if (dY)
            computeEdges<true, W>(ux + e, uy + e, uz + e, invr + e, E, Y + e, dY + e);
        else
            computeEdges<false, W>(ux + e, uy + e, uz + e, invr + e, E, Y + e, nullptr);
    }
    for (; e < E; ++e) { // the last E mod W edges one at a time
        if (dY)
            computeEdges<true, 1>(ux + e, uy + e, uz + e, invr + e, E, Y + e, dY + e);
        else
            computeEdges<false, 1>(ux + e, uy + e, uz + e, invr + e, E, Y + e, nullptr);
    }
}

} // namespace graphace
