#pragma once
// A fitted linear ACE model as a `.yace` file for LAMMPS `pair_style pace` (ICAMS ML-PACE, the
// C-tilde format with ACE1.jl's radial basis, `radbasename: ACE.jl.base`).
//
// What the evaluator computes (lammps-user-pace ace_evaluator.cpp, ships_radial.cpp), for atom
// i of species μ_i:
//   P_n(r)        our J_n (ace_radial_basis.h): x = ((1+r0)/(1+r))^p, p = 2,
//                 f = (x − xl)^pl (x − xr)^pr with xl = t(rcut), pl = 2, pr = 0, and the same
//                 recursion coefficients A, B, C (index n − 1)
//   A_{μ n l m}   = Σ_j δ(μ, μ_j) P_n(r_ij) Y^P_lm(r̂_ij),  Y^P_lm = √(4π) Y_l^m (complex,
//                 Condon–Shortley, so Y^P_00 = 1)
//   ρ_i           = Σ_functions Σ_{m-combinations} c̃ · Re Π_t A_{μ_t n_t l_t m_t}
//   E_i           = F(ρ_i) + E0(μ_i),  F = FinnisSinclair with [1, 1]: F(ρ) = ρ
// Our basis function B = Σ_terms U Π_k A^r (real orthonormal Y, ace_basis.h) becomes the same
// sum over complex m-tuples by Y_lm = ((−1)^m Y_l^m + Y_l^−m)/√2, Y_l,−μ = i(Y_l^−μ −
// (−1)^μ Y_l^μ)/√2 and A^r = A^P/√(4π): a function of correlation order ν carries (4π)^(−ν/2),
// and c̃ = w · Σ U · Π(transformation) for the fitted coefficient w. Invariants have real c̃
// (checked: a non-negligible imaginary part is an export error, not rounded away).
// Integers are written as integers (the reader's `as<int>` rejects "2.0"); doubles with 17
// significant digits, so the file reproduces `graphace predict` to round-off.

#include "graphace/linear_ace_fit.h"

#include <string>

namespace graphace {

// The file's text. Throws std::invalid_argument when the model's coefficients do not match its
// basis or are not finite, or a function has more m-combinations than the evaluator holds
// (32767); std::logic_error when a coupling does not come out real (an internal error).
std::string paceYaceText(const LinearAceModel& model);

// Atomically (atomic_file.h); throws std::runtime_error naming the path.
void writePaceYace(const LinearAceModel& model, const std::string& path);

} // namespace graphace
