#include "graphace/ace_radial_basis.h"

#include <cmath>
#include <stdexcept>

namespace graphace {

AceRadialBasis::AceRadialBasis(double r0, double rcut, int maxn) : m_r0(r0), m_rcut(rcut) {
    if (maxn < 1)
        throw std::invalid_argument("AceRadialBasis: maxn must be ≥ 1");
    if (!(r0 > 0.0) || !std::isfinite(r0) || !std::isfinite(rcut) || !(rcut > 0.65 * r0))
        throw std::invalid_argument("AceRadialBasis: need r0 > 0 and rcut > 0.65·r0");
    m_tcut = transform(rcut);
    const double tin = transform(0.65 * r0);

    // Discrete Stieltjes on equal-weight midpoints (ACE1.jl OrthPolyBasis, same operation order
    // so the coefficients agree to round-off).
    const int nq = 1000;
    const double dt = (tin - m_tcut) / nq;
    const double w = 1.0 / nq;
    std::vector<double> tq(nq), prev(nq), pprev(nq, 0.0), next(nq);
    for (int q = 0; q < nq; ++q)
        tq[q] = m_tcut + dt / 2 + q * ((tin - dt / 2) - (m_tcut + dt / 2)) / (nq - 1);
    auto dotw = [&](const std::vector<double>& f, const std::vector<double>& g, bool timesT) {
        double s = 0.0;
        for (int q = 0; q < nq; ++q)
            s += (timesT ? tq[q] * f[q] : f[q]) * (w * g[q]);
        return s;
    };

    m_a.assign(maxn, 0.0);
    m_b.assign(maxn, 0.0);
    m_c.assign(maxn, 0.0);
    for (int q = 0; q < nq; ++q)
        prev[q] = (tq[q] - m_tcut) * (tq[q] - m_tcut);
    double a = std::sqrt(dotw(prev, prev, false));
    m_a[0] = 1.0 / a;
    for (double& v : prev)
        v *= m_a[0];
    for (int n = 1; n < maxn; ++n) {
        const double b = dotw(prev, prev, true);
        const double c = n >= 2 ? dotw(prev, pprev, true) : 0.0;
        for (int q = 0; q < nq; ++q)
            next[q] = (tq[q] - b) * prev[q] - c * pprev[q];
        a = std::sqrt(dotw(next, next, false));
        m_a[n] = 1.0 / a;
        m_b[n] = -b / a;
        m_c[n] = -c / a;
        for (int q = 0; q < nq; ++q)
            next[q] /= a;
        pprev.swap(prev);
        prev.swap(next);
    }
}

double AceRadialBasis::transform(double r) const {
    const double s = (1.0 + m_r0) / (1.0 + r);
    return s * s;
}

void AceRadialBasis::evaluate(double r, double* J) const {
    const int maxn = size();
    if (!(r < m_rcut)) {
        for (int n = 0; n < maxn; ++n)
            J[n] = 0.0;
        return;
    }
    const double t = transform(r);
    const double e = t - m_tcut;
    J[0] = m_a[0] * e * e;
    if (maxn > 1)
        J[1] = (m_a[1] * t + m_b[1]) * J[0];
    for (int n = 2; n < maxn; ++n)
        J[n] = (m_a[n] * t + m_b[n]) * J[n - 1] + m_c[n] * J[n - 2];
}

void AceRadialBasis::evaluate(double r, double* J, double* dJ) const {
    const int maxn = size();
    if (!(r < m_rcut)) {
        for (int n = 0; n < maxn; ++n)
            J[n] = dJ[n] = 0.0;
        return;
    }
    const double s = (1.0 + m_r0) / (1.0 + r);
    const double t = s * s;
    const double dtdr = -2.0 * t / (1.0 + r);
    const double e = t - m_tcut;
    // Derivatives w.r.t. t first, then one chain-rule factor.
    J[0] = m_a[0] * e * e;
    dJ[0] = 2.0 * m_a[0] * e;
    if (maxn > 1) {
        const double al = m_a[1] * t + m_b[1];
        J[1] = al * J[0];
        dJ[1] = al * dJ[0] + m_a[1] * J[0];
    }
    for (int n = 2; n < maxn; ++n) {
        const double al = m_a[n] * t + m_b[n];
        J[n] = al * J[n - 1] + m_c[n] * J[n - 2];
        dJ[n] = al * dJ[n - 1] + m_c[n] * dJ[n - 2] + m_a[n] * J[n - 1];
    }
    for (int n = 0; n < maxn; ++n)
        dJ[n] *= dtdr;
}

} // namespace graphace
