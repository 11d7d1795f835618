#pragma once
// Real orthonormal spherical harmonics Y_lm(r̂), l = 0…lmax, m = −l…l, and their gradients with
// respect to the (unnormalised) vector r. No Condon–Shortley phase. With P̄_l^m(z) =
// P_l^m(z) / (1 − z²)^{m/2} (a polynomial), N_lm = √((2l+1)/(4π) · (l−m)!/(l+m)!) and
// r̂ = (x, y, z):
//
//   Y_l0        = N_l0 · P̄_l^0(z)                       (Y_00 = 1/(2√π))
//   Y_lm, m > 0 = √2 N_lm · P̄_l^m(z) · Re (x + i y)^m
//   Y_lm, m < 0 = √2 N_l|m| · P̄_l^|m|(z) · Im (x + i y)^|m|
//
// ∫ Y_lm Y_l'm' dΩ = δ_ll' δ_mm'. In terms of the complex Condon–Shortley harmonics Y_l^m:
//   Y_lm = ((−1)^m Y_l^m + Y_l^−m)/√2 (m > 0),  Y_l,−μ = i (Y_l^−μ − (−1)^μ Y_l^μ)/√2 (μ > 0),
// which is what ace_basis.cpp uses to carry Clebsch–Gordan couplings over to this real basis.
//
// Arrays are indexed lm = l² + l + m, size (lmax + 1)². Gradients: dY[3·lm + k] = ∂Y_lm/∂r_k.

#include "graphace/structure.h"

#include <vector>

namespace graphace {

class AceSphericalHarmonics {
public:
    AceSphericalHarmonics() : AceSphericalHarmonics(0) {}
    // Throws std::invalid_argument for lmax outside 0…60.
    explicit AceSphericalHarmonics(int lmax);

    int lmax() const { return m_lmax; }
    int size() const { return (m_lmax + 1) * (m_lmax + 1); }
    static int index(int l, int m) { return l * l + l + m; }

    // `r` must be non-zero (the neighbour list never yields a zero vector).
    void evaluate(const Vec3& r, double* Y) const;
    void evaluate(const Vec3& r, double* Y, double* dY) const;
    // E directions at once, edge-minor (structure of arrays), for the ACE evaluator's loops:
    // unit vectors (ux, uy, uz)[e] and inverse lengths invr[e] in; Y[lm·E + e] and, when dY is
    // not null, dY[(3·lm + c)·E + e] = ∂Y_lm/∂r_c out. The same recursion as evaluate(), four
    // edges at a time in vector registers.
    void evaluateEdges(const double* ux, const double* uy, const double* uz, const double* invr,
                       int E, double* Y, double* dY) const;

private:
    template <bool Grad, int W>
    void computeEdges(const double* ux, const double* uy, const double* uz, const double* invr,
                      int stride, double* Y, double* dY) const;

    int m_lmax = 0;
    // Per (l, m ≥ 0), index l(l+1)/2 + m: normalisation K (√2 N_lm for m > 0) and the recursion
    // factors of P̄_l^m = ((2l−1) z P̄_{l−1}^m − (l+m−1) P̄_{l−2}^m)/(l−m).
    std::vector<double> m_norm, m_rec1, m_rec2;
    std::vector<double> m_diag; // P̄_m^m = (2m − 1)!!
};

} // namespace graphace
