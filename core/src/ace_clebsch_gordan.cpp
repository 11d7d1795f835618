#include "graphace/ace_clebsch_gordan.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

namespace graphace {

namespace {

long double factorial(int n) {
    long double f = 1.0L;
    for (int k = 2; k <= n; ++k)
        f *= k;
    return f;
}

} // namespace

double clebschGordan(int j1, int m1, int j2, int m2, int J, int M) {
    if (j1 < 0 || j2 < 0 || J < 0 || std::abs(m1) > j1 || std::abs(m2) > j2 || std::abs(M) > J)
        return 0.0;
    if (m1 + m2 != M || J < std::abs(j1 - j2) || J > j1 + j2)
        return 0.0;
    const long double pre =
        std::sqrt((2 * J + 1) * factorial(J + j1 - j2) * factorial(J - j1 + j2) *
                  factorial(j1 + j2 - J) / factorial(j1 + j2 + J + 1)) *
        std::sqrt(factorial(J + M) * factorial(J - M) * factorial(j1 - m1) * factorial(j1 + m1) *
                  factorial(j2 - m2) * factorial(j2 + m2));
    const int kmin = std::max({0, j2 - J - m1, j1 - J + m2});
    const int kmax = std::min({j1 + j2 - J, j1 - m1, j2 + m2});
    long double sum = 0.0L;
    for (int k = kmin; k <= kmax; ++k) {
        const long double den = factorial(k) * factorial(j1 + j2 - J - k) * factorial(j1 - m1 - k) *
                                factorial(j2 + m2 - k) * factorial(J - j2 + m1 + k) *
                                factorial(J - j1 - m2 + k);
        sum += ((k % 2) ? -1.0L : 1.0L) / den;
    }
    return static_cast<double>(pre * sum);
}

} // namespace graphace
