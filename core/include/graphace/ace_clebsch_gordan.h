#pragma once
// Clebsch–Gordan coefficients ⟨j1 m1 j2 m2 | J M⟩ for integer angular momenta (Condon–Shortley
// convention, Racah's closed formula in long double). Used to build the rotation-invariant
// couplings of the ACE product basis (ace_basis.h).

namespace graphace {

// Zero when the arguments violate |m| ≤ j, M = m1 + m2 or the triangle rule. Accurate to
// ~1e-15 for j ≤ 20 (the ACE basis never needs more).
double clebschGordan(int j1, int m1, int j2, int m2, int J, int M);

} // namespace graphace
