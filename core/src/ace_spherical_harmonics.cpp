#include "graphace/ace_spherical_harmonics.h"

#include <cmath>
#include <stdexcept>

namespace graphace {

namespace {
inline int triIndex(int l, int m) {
    return l * (l + 1) / 2 + m;
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

void AceSphericalHarmonics::evaluate(const Vec3& r, double* Y) const {
    compute<false>(r, Y, nullptr);
}

void AceSphericalHarmonics::evaluate(const Vec3& r, double* Y, double* dY) const {
    compute<true>(r, Y, dY);
}

template <bool Grad>
void AceSphericalHarmonics::compute(const Vec3& r, double* Y, double* dY) const {
    const double rn = r.norm();
    const double inv = 1.0 / rn;
    const double x = r.x() * inv, y = r.y() * inv, z = r.z() * inv;
    const int L = m_lmax;

    // F_lm(x, y, z) = K P̄(z) C_m(x, y) equals Y_lm on the sphere; its gradient in R³ is
    // projected on the tangent plane and divided by |r| at the end.
    double c = 1.0, s = 0.0;         // Re, Im of (x + iy)^m
    double cPrev = 0.0, sPrev = 0.0; // same for m − 1
    for (int m = 0; m <= L; ++m) {
        if (m > 0) {
            const double cn = c * x - s * y;
            const double sn = c * y + s * x;
            cPrev = c;
            sPrev = s;
            c = cn;
            s = sn;
        }
        // d/dx (x+iy)^m = m (x+iy)^{m−1}, d/dy = i m (x+iy)^{m−1}
        const double dcdx = m * cPrev, dcdy = -m * sPrev;
        const double dsdx = m * sPrev, dsdy = m * cPrev;
        double p2 = 0.0, p1 = 0.0, dp2 = 0.0, dp1 = 0.0;
        for (int l = m; l <= L; ++l) {
            double p, dp = 0.0;
            if (l == m) {
                p = m_diag[m];
            } else if (l == m + 1) {
                p = (2 * m + 1) * z * p1;
                if (Grad)
                    dp = (2 * m + 1) * (p1 + z * dp1);
            } else {
                const int t = triIndex(l, m);
                p = m_rec1[t] * z * p1 - m_rec2[t] * p2;
                if (Grad)
                    dp = m_rec1[t] * (p1 + z * dp1) - m_rec2[t] * dp2;
            }
            p2 = p1;
            p1 = p;
            dp2 = dp1;
            dp1 = dp;
            const double K = m_norm[triIndex(l, m)];
            const int ip = index(l, m);
            Y[ip] = K * p * c;
            if (m > 0)
                Y[index(l, -m)] = K * p * s;
            if (Grad) {
                double* g = dY + 3 * ip;
                g[0] = K * p * dcdx;
                g[1] = K * p * dcdy;
                g[2] = K * dp * c;
                if (m > 0) {
                    double* h = dY + 3 * index(l, -m);
                    h[0] = K * p * dsdx;
                    h[1] = K * p * dsdy;
                    h[2] = K * dp * s;
                }
            }
        }
    }
    if (Grad) {
        const int n = size();
        for (int k = 0; k < n; ++k) {
            double* g = dY + 3 * k;
            const double radial = g[0] * x + g[1] * y + g[2] * z;
            g[0] = (g[0] - radial * x) * inv;
            g[1] = (g[1] - radial * y) * inv;
            g[2] = (g[2] - radial * z) * inv;
        }
    }
}

} // namespace graphace
