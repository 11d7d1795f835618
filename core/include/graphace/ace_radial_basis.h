#pragma once
// ACE radial basis J_n(r), n = 1…maxn, exactly as ACE1.jl's `transformed_jacobi` with
// PolyTransform(2, r0), pcut = 2, pin = 0, rin = 0.65·r0:
//
//   t(r)   = ((1 + r0) / (1 + r))²                     distance transform, decreasing in r
//   f(t)   = (t − t_cut)²  for t ≥ t_cut, else 0        envelope, t_cut = t(rcut)
//   P_1    = A_1 f(t)
//   P_2    = (A_2 t + B_2) P_1
//   P_n    = (A_n t + B_n) P_{n−1} + C_n P_{n−2}        n ≥ 3
//   J_n(r) = P_n(t(r))
//
// A, B, C come from a discrete Stieltjes procedure: the P_n are orthonormal for the equal-weight
// (sum 1) discrete measure on the 1000 midpoints t_q = t_cut + (q + ½)(t_in − t_cut)/1000,
// t_in = t(0.65·r0); f² is part of the weight because P_n contains f. J_n and dJ_n/dr vanish
// for r ≥ rcut. There is no inner cutoff: below 0.65·r0 the polynomials simply continue.

#include <vector>

namespace graphace {

class AceRadialBasis {
public:
    AceRadialBasis() = default;
    // Throws std::invalid_argument for maxn < 1, r0 ≤ 0 or rcut ≤ 0.65·r0.
    AceRadialBasis(double r0, double rcut, int maxn);

    int size() const { return static_cast<int>(m_a.size()); } // maxn
    double r0() const { return m_r0; }
    double rcut() const { return m_rcut; }

    // Recursion coefficients, index n − 1 (B_1 = C_1 = C_2 = 0).
    const std::vector<double>& a() const { return m_a; }
    const std::vector<double>& b() const { return m_b; }
    const std::vector<double>& c() const { return m_c; }

    double transform(double r) const; // t(r)

    // J[n−1] = J_n(r) for n = 1…maxn. `J` must hold size() values.
    void evaluate(double r, double* J) const;
    // Also dJ[n−1] = dJ_n/dr.
    void evaluate(double r, double* J, double* dJ) const;

private:
    double m_r0 = 1.0;
    double m_rcut = 5.0;
    double m_tcut = 0.0;
    std::vector<double> m_a, m_b, m_c;
};

} // namespace graphace
