#include "graphace/pace_yace_export.h"

#include "graphace/ace_basis.h"
#include "graphace/atomic_file.h"
#include "graphace/element.h"

#include <algorithm>
#include <cmath>
#include <complex>
#include <cstdio>
#include <map>
#include <sstream>
#include <stdexcept>
#include <vector>

namespace graphace {
namespace {

using cplx = std::complex<double>;

std::string number(double v) {
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%.17g", v);
    return buffer;
}

template <class T, class Format> std::string list(const std::vector<T>& values, Format format) {
    std::string out = "[";
    for (size_t k = 0; k < values.size(); ++k)
        out += (k ? ", " : "") + format(values[k]);
    return out + "]";
}

std::string doubles(const std::vector<double>& values) {
    return list(values, number);
}

std::string integers(const std::vector<int>& values) {
    return list(values, [](int v) { return std::to_string(v); });
}

// One factor A^r_{l m} of a real product as complex Y^P terms: (μ, coefficient) pairs, without
// the common 1/√(4π).
int realToComplex(int m, std::pair<int, cplx> out[2]) {
    const double h = 1.0 / std::sqrt(2.0);
    const int mu = std::abs(m);
    const double sign = (mu % 2) ? -1.0 : 1.0;
    if (m == 0) {
        out[0] = {0, 1.0};
        return 1;
    }
    if (m > 0) {
        out[0] = {mu, sign * h};
        out[1] = {-mu, h};
    } else {
        out[0] = {-mu, cplx(0.0, h)};
        out[1] = {mu, cplx(0.0, -sign * h)};
    }
    return 2;
}

// One basis function in C-tilde form (unscaled by its fitted coefficient): channels, and the
// complex m-tuples with their (real) coefficients.
struct CTildeFunction {
    std::vector<int> channels;
    std::vector<std::vector<int>> ms;
    std::vector<double> coefficients;
};

CTildeFunction cTildeOf(const AceBasis& basis, const AceBasisFunction& function,
                        const std::vector<int>& channelOfA, const std::vector<int>& mOfA) {
    const int nu = function.order();
    const double scale = std::pow(4.0 * M_PI, -0.5 * nu);
    std::map<std::vector<int>, cplx> sum;
    const auto& termCoefficients = basis.termCoefficients();
    const auto& termIndices = basis.termIndices();
    std::vector<std::pair<int, int>> factors(nu); // (channel, real m)
    for (int t = function.termBegin; t < function.termEnd; ++t) {
        for (int k = 0; k < nu; ++k) {
            const int a = termIndices[4 * t + k];
            factors[k] = {channelOfA.at(a), mOfA.at(a)};
        }
        std::sort(factors.begin(), factors.end());
        for (int k = 0; k < nu; ++k)
            if (factors[k].first != function.channels[k])
                throw std::logic_error(
                    "paceYaceText: a term's channels differ from its function's");
        std::pair<int, cplx> options[4][2];
        int count[4];
        for (int k = 0; k < nu; ++k)
            count[k] = realToComplex(factors[k].second, options[k]);
        int choice[4] = {0, 0, 0, 0};
        while (true) {
            cplx c = termCoefficients[t] * scale;
            std::vector<int> ms(nu);
            for (int k = 0; k < nu; ++k) {
                ms[k] = options[k][choice[k]].first;
                c *= options[k][choice[k]].second;
            }
            // Products commute: order the m of identical channels so equal products meet.
            for (int k = 0; k < nu;) {
                int end = k + 1;
                while (end < nu && function.channels[end] == function.channels[k])
                    ++end;
                std::sort(ms.begin() + k, ms.begin() + end);
                k = end;
            }
            sum[ms] += c;
            int k = nu - 1;
            while (k >= 0 && ++choice[k] == count[k])
                choice[k--] = 0;
            if (k < 0)
                break;
        }
    }
    double largest = 0.0;
    for (const auto& [ms, c] : sum)
        largest = std::max(largest, std::abs(c));
    CTildeFunction out;
    out.channels = function.channels;
    for (const auto& [ms, c] : sum) {
        if (std::abs(c.imag()) > 1e-10 * largest)
            throw std::logic_error("paceYaceText: a coupling has an imaginary C-tilde coefficient");
        if (std::abs(c.real()) <= 1e-14 * largest)
            continue; // cancelled (Σm ≠ 0 combinations, cross terms of the real basis)
        out.ms.push_back(ms);
        out.coefficients.push_back(c.real());
    }
    // The evaluator counts a function's m-combinations in a 16-bit integer.
    if (out.ms.size() > 32767)
        throw std::invalid_argument("paceYaceText: a basis function has " +
                                    std::to_string(out.ms.size()) +
                                    " m-combinations, more than pair_style pace can hold (32767)");
    return out;
}

} // namespace

std::string paceYaceText(const LinearAceModel& model) {
    const AceBasis basis(model.ace);
    const int species = basis.speciesCount();
    if (model.coefficients.size() != basis.size())
        throw std::invalid_argument("paceYaceText: " + std::to_string(model.coefficients.size()) +
                                    " coefficients for a basis of " + std::to_string(basis.size()));
    for (Eigen::Index k = 0; k < model.coefficients.size(); ++k)
        if (!std::isfinite(model.coefficients[k]))
            throw std::invalid_argument("paceYaceText: coefficient " + std::to_string(k) +
                                        " is not finite");
    if (!model.referenceEnergies.empty() &&
        static_cast<int>(model.referenceEnergies.size()) != species)
        throw std::invalid_argument("paceYaceText: reference energies do not match the species");

    std::vector<int> channelOfA(basis.aSize()), mOfA(basis.aSize());
    for (int c = 0; c < static_cast<int>(basis.channels().size()); ++c) {
        const int l = basis.channels()[c].l;
        for (int m = -l; m <= l; ++m) {
            channelOfA[basis.channelOffset(c) + l + m] = c;
            mOfA[basis.channelOffset(c) + l + m] = m;
        }
    }
    std::vector<CTildeFunction> functions;
    for (const AceBasisFunction& function : basis.functions())
        functions.push_back(cTildeOf(basis, function, channelOfA, mOfA));

    std::ostringstream out;
    out << "# Linear ACE model exported by GraphACE Studio for LAMMPS pair_style pace\n"
           "# (C-tilde basis, ACE1.jl radial basis); E_i = E0 + sum of ctilde * Re prod A.\n";
    std::vector<std::string> symbols;
    for (int z : model.ace.species)
        symbols.push_back(elementSymbol(z));
    out << "elements: " << list(symbols, [](const std::string& s) { return s; }) << "\n";
    std::vector<double> e0(species, 0.0);
    if (!model.referenceEnergies.empty())
        e0 = model.referenceEnergies;
    out << "E0: " << doubles(e0) << "\n";
    out << "embeddings:\n";
    for (int s = 0; s < species; ++s)
        out << "  " << s
            << ": {ndensity: 1, FS_parameters: [1, 1], npoti: FinnisSinclair, "
               "rho_core_cutoff: 100000, drho_core_cutoff: 250}\n";

    const AceRadialBasis& radial = basis.radial();
    out << "bonds:\n";
    for (int si = 0; si < species; ++si)
        for (int sj = 0; sj < species; ++sj)
            out << "  [" << si << ", " << sj
                << "]: {radbasename: ACE.jl.base, p: 2, r0: " << number(radial.r0())
                << ", rcut: " << number(radial.rcut())
                << ", xl: " << number(radial.transform(radial.rcut()))
                << ", xr: " << number(radial.transform(0.65 * radial.r0()))
                << ", pl: 2, pr: 0, maxn: " << radial.size()
                << ", recursion_coefficients: {A: " << doubles(radial.a())
                << ", B: " << doubles(radial.b()) << ", C: " << doubles(radial.c()) << "}}\n";
    out << "lmax: " << basis.lmax() << "\n";

    out << "functions:\n";
    const int blockSize = basis.blockSize();
    for (int s = 0; s < species; ++s) {
        out << "  " << s << ":" << (blockSize == 0 ? " []" : "") << "\n";
        for (int k = 0; k < blockSize; ++k) {
            const CTildeFunction& f = functions[k];
            const double w = model.coefficients[s * blockSize + k];
            std::vector<int> mus, ns, ls, ms;
            for (int c : f.channels) {
                const AceChannel& channel = basis.channels()[c];
                mus.push_back(channel.species);
                ns.push_back(channel.n);
                ls.push_back(channel.l);
            }
            for (const auto& tuple : f.ms)
                ms.insert(ms.end(), tuple.begin(), tuple.end());
            std::vector<double> ctildes;
            for (double c : f.coefficients)
                ctildes.push_back(w * c);
            out << "    - {mu0: " << s << ", rank: " << f.channels.size()
                << ", ndensity: 1, num_ms_combs: " << f.ms.size() << ", mus: " << integers(mus)
                << ", ns: " << integers(ns) << ", ls: " << integers(ls)
                << ", ms_combs: " << integers(ms) << ", ctildes: " << doubles(ctildes) << "}\n";
        }
    }
    return out.str();
}

void writePaceYace(const LinearAceModel& model, const std::string& path) {
    writeFileAtomically(path, paceYaceText(model));
}

} // namespace graphace
