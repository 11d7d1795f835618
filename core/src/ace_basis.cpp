#include "graphace/ace_basis.h"

#include "graphace/ace_clebsch_gordan.h"
#include "graphace/element.h"

#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <cmath>
#include <complex>
#include <functional>
#include <map>
#include <numeric>
#include <stdexcept>

namespace graphace {

namespace {

using cplx = std::complex<double>;
using Rows = std::vector<std::vector<double>>;

constexpr int kMaxAngular = 20;
constexpr double kDegreeTolerance = 1e-9;

// Flattened product index of (m_0 … m_{ν−1}): digit k is m_k + l_k, the first factor most
// significant.
struct ProductSpace {
    std::vector<int> ll, dims, strides;
    int total = 1;

    explicit ProductSpace(const std::vector<int>& l) : ll(l), dims(l.size()), strides(l.size()) {
        for (int k = static_cast<int>(l.size()) - 1; k >= 0; --k) {
            dims[k] = 2 * l[k] + 1;
            strides[k] = total;
            total *= dims[k];
        }
    }
    int m(int flat, int k) const { return (flat / strides[k]) % dims[k] - ll[k]; }
};

// Complex Clebsch–Gordan coupling vectors, one per intermediate path
//   L_0 = l_0, L_k ∈ |L_{k−1} − l_k| … L_{k−1} + l_k, L_{ν−1} = 0,
//   C(m) = Π_{k ≥ 1} ⟨L_{k−1} M_{k−1} l_k m_k | L_k M_k⟩,  M_k = m_0 + … + m_k.
std::vector<std::vector<cplx>> cgPaths(const ProductSpace& P) {
    const int nu = static_cast<int>(P.ll.size());
    std::vector<std::vector<int>> paths;
    std::vector<int> L(nu, 0);
    L[0] = P.ll[0];
    // Depth-first over the intermediate L_1 … L_{ν−2}; the last coupling must reach 0.
    std::function<void(int)> walk = [&](int k) {
        if (k == nu - 1 || nu == 1) {
            if ((nu == 1 && P.ll[0] == 0) || (nu > 1 && L[nu - 2] == P.ll[nu - 1])) {
                std::vector<int> path = L;
                path[nu - 1] = 0;
                paths.push_back(path);
            }
            return;
        }
        for (int Lk = std::abs(L[k - 1] - P.ll[k]); Lk <= L[k - 1] + P.ll[k]; ++Lk) {
            L[k] = Lk;
            walk(k + 1);
        }
    };
    walk(1);

    std::vector<std::vector<cplx>> out;
    for (const auto& path : paths) {
        std::vector<cplx> v(P.total, 0.0);
        for (int flat = 0; flat < P.total; ++flat) {
            int M = P.m(flat, 0), sum = 0;
            for (int k = 0; k < nu; ++k)
                sum += P.m(flat, k);
            if (sum != 0)
                continue;
            double c = 1.0;
            for (int k = 1; k < nu && c != 0.0; ++k) {
                const int mk = P.m(flat, k);
                c *= clebschGordan(path[k - 1], M, P.ll[k], mk, path[k], M + mk);
                M += mk;
            }
            v[flat] = c;
        }
        out.push_back(std::move(v));
    }
    return out;
}

// Carries a complex-basis coupling to the real Y_lm of ace_spherical_harmonics.h:
// A^c_m = Σ_m' conj(U_{m'm}) A^r_m', so Σ_m C_m Π A^c = Σ_m' C̃_m' Π A^r with
// C̃_m' = Σ_m C_m Π_k conj(U_{m'_k m_k}).
std::vector<cplx> toReal(const ProductSpace& P, const std::vector<cplx>& c) {
    const int nu = static_cast<int>(P.ll.size());
    const double h = 1.0 / std::sqrt(2.0);
    std::vector<cplx> out(P.total, 0.0);
    for (int flat = 0; flat < P.total; ++flat) {
        if (c[flat] == 0.0)
            continue;
        // Each complex m maps onto at most two real m'.
        std::vector<std::array<std::pair<int, cplx>, 2>> opts(nu);
        std::vector<int> nopt(nu);
        for (int k = 0; k < nu; ++k) {
            const int m = P.m(flat, k);
            const int mu = std::abs(m);
            const double sg = (mu % 2) ? -1.0 : 1.0;
            if (m == 0) {
                opts[k][0] = {0, 1.0};
                nopt[k] = 1;
            } else if (m > 0) {
                opts[k][0] = {mu, cplx(sg * h, 0.0)};
                opts[k][1] = {-mu, cplx(0.0, sg * h)};
                nopt[k] = 2;
            } else {
                opts[k][0] = {mu, cplx(h, 0.0)};
                opts[k][1] = {-mu, cplx(0.0, -h)};
                nopt[k] = 2;
            }
        }
        std::vector<int> choice(nu, 0);
        while (true) {
            cplx w = c[flat];
            int target = 0;
            for (int k = 0; k < nu; ++k) {
                w *= opts[k][choice[k]].second;
                target += (opts[k][choice[k]].first + P.ll[k]) * P.strides[k];
            }
            out[target] += w;
            int k = nu - 1;
            while (k >= 0 && ++choice[k] == nopt[k])
                choice[k--] = 0;
            if (k < 0)
                break;
        }
    }
    return out;
}

// Rotation- and permutation-invariant coupling rows for one channel-tuple class.
// `group[k]` identifies identical channels (equal ids ⇔ same channel).
Rows couplingRows(const std::vector<int>& ll, const std::vector<int>& group) {
    const ProductSpace P(ll);
    const auto paths = cgPaths(P);
    if (paths.empty())
        return {};

    // Real and imaginary parts of every real-basis coupling are invariants; orthonormalise.
    Rows ri;
    for (const auto& path : paths) {
        const auto c = toReal(P, path);
        for (int part = 0; part < 2; ++part) {
            std::vector<double> v(P.total);
            for (int i = 0; i < P.total; ++i)
                v[i] = part == 0 ? c[i].real() : c[i].imag();
            for (int pass = 0; pass < 2; ++pass)
                for (const auto& u : ri) {
                    const double d = std::inner_product(v.begin(), v.end(), u.begin(), 0.0);
                    for (int i = 0; i < P.total; ++i)
                        v[i] -= d * u[i];
                }
            const double nrm = std::sqrt(std::inner_product(v.begin(), v.end(), v.begin(), 0.0));
            if (nrm > 1e-8) {
                for (double& x : v)
                    x /= nrm;
                ri.push_back(std::move(v));
            }
        }
    }
    if (ri.size() != paths.size())
        throw std::logic_error("ACE basis: coupling rank differs from the number of CG paths");

    // Gramian over the permutations of identical channels.
    const int nu = static_cast<int>(ll.size());
    std::vector<int> sigma(nu);
    std::iota(sigma.begin(), sigma.end(), 0);
    const int r = static_cast<int>(ri.size());
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(r, r);
    std::vector<int> perm(P.total);
    do {
        bool keeps = true;
        for (int k = 0; k < nu; ++k)
            keeps = keeps && group[sigma[k]] == group[k];
        if (!keeps)
            continue;
        // (P_σ u)(m_0 … m_{ν−1}) = u(m_σ(0) … m_σ(ν−1))
        for (int flat = 0; flat < P.total; ++flat) {
            int target = 0;
            for (int k = 0; k < nu; ++k)
                target += (P.m(flat, sigma[k]) + ll[k]) * P.strides[k];
            perm[flat] = target;
        }
        for (int i = 0; i < r; ++i)
            for (int j = 0; j < r; ++j) {
                double s = 0.0;
                for (int flat = 0; flat < P.total; ++flat)
                    s += ri[i][flat] * ri[j][perm[flat]];
                G(i, j) += s;
            }
    } while (std::next_permutation(sigma.begin(), sigma.end()));
    G = 0.5 * (G + G.transpose());

    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(G);
    const Eigen::VectorXd lambda = eig.eigenvalues(); // ascending
    const double lmax = lambda.maxCoeff();
    Rows out;
    for (int k = r - 1; k >= 0; --k) {
        if (!(lambda(k) > 1e-7 * lmax))
            continue;
        std::vector<double> row(P.total, 0.0);
        for (int i = 0; i < r; ++i)
            for (int flat = 0; flat < P.total; ++flat)
                row[flat] += eig.eigenvectors()(i, k) * ri[i][flat];
        // Deterministic sign: the first clearly non-zero entry is positive.
        double sign = 1.0;
        for (double x : row)
            if (std::abs(x) > 1e-8) {
                sign = x > 0 ? 1.0 : -1.0;
                break;
            }
        const double scale = sign * std::sqrt(lambda(k));
        for (double& x : row)
            x *= scale;
        out.push_back(std::move(row));
    }
    return out;
}

} // namespace

AceBasis::AceBasis(const AceConfig& config) : m_config(config) {
    validate(config);
    if (config.species.empty())
        throw std::invalid_argument("ACE parameters: species must be given (see resolvedFor)");
    const int ns = speciesCount();
    const int nuMax = config.correlationOrder();
    // Degree budget (in units of csp) per correlation order ν = 1…nuMax; the one-particle
    // candidates must cover the largest of them (the radial basis is then sized to the largest
    // n an admissible function uses, see below).
    std::vector<double> budgetOf(nuMax + 1, 0.0);
    double budget = 0.0;
    for (int nu = 1; nu <= nuMax; ++nu) {
        budgetOf[nu] = config.maxDegreeOfOrder(nu) / config.csp + kDegreeTolerance;
        budget = std::max(budget, budgetOf[nu]);
    }
    const int maxn = static_cast<int>(std::floor(budget));
    // Largest l any admissible invariant can use: ν ≥ 2 needs at least two factors with l > 0
    // (ν = 2: l_1 = l_2, n = 1), the other ν − 2 factors have degree ≥ 1.
    int lUsable = 0;
    for (int nu = 2; nu <= nuMax; ++nu)
        lUsable = std::max(
            lUsable, static_cast<int>(std::floor(((budgetOf[nu] - (nu - 2)) / 2 - 1) / config.wL)));
    if (lUsable > kMaxAngular)
        throw std::invalid_argument("ACE parameters: max_degree / (csp·wL) allows l > 20; "
                                    "raise wL or lower max_degree");

    // One-particle candidates (s, n, l), sorted by (s, n, l).
    struct Candidate {
        int s, n, l;
        double degree; // n + wL·l
    };
    std::vector<Candidate> cand;
    for (int s = 0; s < ns; ++s)
        for (int n = 1; n <= maxn; ++n)
            for (int l = 0; l <= lUsable; ++l)
                if (n + config.wL * l <= budget)
                    cand.push_back({s, n, l, n + config.wL * l});

    // Sorted tuples of candidate indices, per ν, in lexicographic order.
    std::vector<std::vector<int>> tuples;
    for (int nu = 1; nu <= nuMax; ++nu) {
        const double budgetNu = budgetOf[nu];
        std::vector<int> t(nu);
        std::function<void(int, int, double)> grow = [&](int k, int from, double deg) {
            if (k == nu) {
                int lsum = 0;
                for (int i : t)
                    lsum += cand[i].l;
                if (lsum % 2 == 0 && (nu > 1 || cand[t[0]].l == 0))
                    tuples.push_back(t);
                return;
            }
            for (int i = from; i < static_cast<int>(cand.size()); ++i) {
                // Remaining factors have degree ≥ 1 each.
                if (deg + cand[i].degree + (nu - k - 1) > budgetNu)
                    continue;
                t[k] = i;
                grow(k + 1, i, deg + cand[i].degree);
            }
        };
        grow(0, 0, 0.0);
    }

    // Couplings, cached per (l tuple, identity pattern).
    std::map<std::pair<std::vector<int>, std::vector<int>>, Rows> cache;
    struct Pending {
        std::vector<int> tuple;
        Rows rows;
    };
    std::vector<Pending> pending;
    std::vector<bool> used(cand.size(), false);
    for (const auto& t : tuples) {
        std::vector<int> ll, group;
        for (std::size_t k = 0; k < t.size(); ++k) {
            ll.push_back(cand[t[k]].l);
            group.push_back(k > 0 && t[k] == t[k - 1] ? group.back() : static_cast<int>(k));
        }
        auto key = std::make_pair(ll, group);
        auto it = cache.find(key);
        if (it == cache.end())
            it = cache.emplace(key, couplingRows(ll, group)).first;
        if (it->second.empty())
            continue;
        for (int i : t)
            used[i] = true;
        pending.push_back({t, it->second});
    }

    // Channels actually used, their A offsets and the species ranges.
    std::vector<int> channelOf(cand.size(), -1);
    int offset = 0, nmax = 1, lmax = 0;
    m_speciesBegin.assign(ns + 1, 0);
    for (std::size_t i = 0; i < cand.size(); ++i) {
        if (!used[i])
            continue;
        channelOf[i] = static_cast<int>(m_channels.size());
        m_channels.push_back({cand[i].s, cand[i].n, cand[i].l});
        m_channelOffset.push_back(offset);
        offset += 2 * cand[i].l + 1;
        for (int s = cand[i].s + 1; s <= ns; ++s)
            m_speciesBegin[s] = offset;
        nmax = std::max(nmax, cand[i].n);
        lmax = std::max(lmax, cand[i].l);
    }
    m_radial = AceRadialBasis(config.r0, config.rcut, nmax);
    m_harmonics = AceSphericalHarmonics(lmax);

    // Sparse terms: index tuples sorted (the product commutes) and merged.
    for (const auto& p : pending) {
        std::vector<int> ll;
        for (int i : p.tuple)
            ll.push_back(cand[i].l);
        const ProductSpace P(ll);
        const int nu = static_cast<int>(p.tuple.size());
        for (std::size_t r = 0; r < p.rows.size(); ++r) {
            const auto& row = p.rows[r];
            double big = 0.0;
            for (double x : row)
                big = std::max(big, std::abs(x));
            std::map<std::array<int, 4>, double> terms;
            for (int flat = 0; flat < P.total; ++flat) {
                if (std::abs(row[flat]) <= 1e-13 * big)
                    continue;
                std::array<int, 4> idx{-1, -1, -1, -1};
                for (int k = 0; k < nu; ++k)
                    idx[k] = m_channelOffset[channelOf[p.tuple[k]]] + P.m(flat, k) + ll[k];
                // Insertion sort of the first ν entries (the product commutes).
                for (int a = 1; a < nu; ++a)
                    for (int b = a; b > 0 && idx[b - 1] > idx[b]; --b)
                        std::swap(idx[b - 1], idx[b]);
                terms[idx] += row[flat];
            }
            AceBasisFunction f;
            double degree = 0.0;
            for (int i : p.tuple) {
                f.channels.push_back(channelOf[i]);
                degree += cand[i].degree;
            }
            f.degree = config.csp * degree;
            f.coupling = static_cast<int>(r);
            f.termBegin = static_cast<int>(m_termCoef.size());
            for (const auto& [idx, coef] : terms) {
                if (std::abs(coef) <= 1e-13 * big)
                    continue;
                m_termCoef.push_back(coef);
                m_termIndex.insert(m_termIndex.end(), idx.begin(), idx.end());
            }
            f.termEnd = static_cast<int>(m_termCoef.size());
            m_functions.push_back(std::move(f));
        }
    }
}

int AceBasis::speciesIndex(int atomicNumber) const {
    const auto& sp = m_config.species;
    const auto it = std::find(sp.begin(), sp.end(), atomicNumber);
    return it == sp.end() ? -1 : static_cast<int>(it - sp.begin());
}

int AceBasis::countOfOrder(int nu) const {
    int count = 0;
    for (const auto& f : m_functions)
        count += f.order() == nu;
    return count;
}

std::string AceBasis::label(int function) const {
    const AceBasisFunction& f = m_functions.at(function);
    std::string out;
    for (int c : f.channels) {
        const AceChannel& ch = m_channels[c];
        if (!out.empty())
            out += "·";
        out += elementSymbol(m_config.species[ch.species]) + std::to_string(ch.n);
        if (ch.l > 0)
            out += "l" + std::to_string(ch.l);
    }
    int couplings = 0;
    for (const auto& g : m_functions)
        couplings += g.channels == f.channels;
    if (couplings > 1)
        out += "#" + std::to_string(f.coupling);
    return out;
}

} // namespace graphace
