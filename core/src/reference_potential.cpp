// Analytic reference potential for the built-in Hf–O sample (docs/sample-dataset.md).
//
// Every pair (i, j) within the cutoff r_c contributes the shifted-force form of
//     φ(r) = A·exp(−r/ρ) − C/r⁶ + B/r¹² + k·q_i·q_j·erfc(α r)/r,       k = e²/(4πε₀)
//     φ_sf(r) = φ(r) − φ(r_c) − φ'(r_c)·(r − r_c)          (r < r_c; 0 beyond)
// so energy and force both vanish at r_c. For the Coulomb part this is exactly the damped
// shifted-force (DSF) form of Fennell & Gezelter, J. Chem. Phys. 124, 234104 (2006), eq. 19; its
// self term −(erfc(α r_c)/(2 r_c) + α/√π)·k·Σ q_i² is added so the Coulomb energy approximates the
// Ewald (Madelung) energy. The self term and the reference energies depend on composition only,
// so they leave the forces untouched.
//
// Default parameters (hafniaDefaults), a rigid-ion model of the kind used for fluorite oxides:
//   * O–O Buckingham: A = 22764.0 eV, ρ = 0.149 Å, C = 27.88 eV Å⁶, Lewis & Catlow,
//     J. Phys. C 18, 1149 (1985), the standard oxygen–oxygen term of fluorite-type oxide models.
//   * Hf–O Buckingham: A = 1454.6 eV, ρ = 0.35 Å, C = 0, a Lewis–Catlow-style cation–oxygen term
//     of the size used for fluorite MO₂ (Zr, Hf, Ce) oxides.
//   * Charges q_Hf = +4 e, q_O = −2 e: the formal charges these Buckingham terms were made for.
//     With them cubic fluorite HfO₂ has its energy minimum at a ≈ 5.13 Å (experiment and DFT:
//     5.06–5.12 Å). Partial charges (0.6 × formal, +2.4/−1.2) with the same short-range terms
//     leave the lattice without a minimum below 5.8 Å, so they are not used.
//   * r⁻¹² walls, B = 1 eV Å¹² (Hf–O) and 22 eV Å¹² (O–O): without them the pair energy turns
//     over and falls to −∞ below ≈ 0.1 Å (Hf–O, Coulomb) and ≈ 0.65 Å (O–O, −C/r⁶), the
//     Buckingham catastrophe. They are negligible at bonding distances (< 0.004 eV at 1.6 Å Hf–O
//     and at 2.2 Å O–O). Hf–Hf is Coulomb only (repulsive, so bounded).
//   * r_c = 7 Å, α = 0.25 Å⁻¹: erfc(α r_c) ≈ 0.013; Fennell & Gezelter found α ≈ 0.2 Å⁻¹ at
//     r_c ≈ 9–12 Å to reproduce Ewald forces well, the shorter cutoff here wants slightly more
//     damping.
// Not a production potential: it is a smooth, physically shaped energy surface whose labels a fit
// can learn, with exact forces.

#include "graphace/reference_potential.h"

#include "graphace/neighbor_list.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace graphace {
namespace {

constexpr double kCoulomb = 14.399645478425668; // e²/(4πε₀) in eV·Å (CODATA 2018)
constexpr double kTwoOverSqrtPi = 1.1283791670955126;
constexpr double kMinimumDistance = 1e-6; // Å; closer atoms would give an infinite energy

// One species pair with its shifted-force constants precomputed.
struct PairTerm {
    BuckinghamPair shortRange;
    double kqq = 0.0; // k·q_i·q_j, eV·Å
    double valueAtCutoff = 0.0;
    double slopeAtCutoff = 0.0;
};

// Unshifted φ(r) and φ'(r).
void rawPair(const PairTerm& t, double alpha, double r, double& value, double& slope) {
    const BuckinghamPair& s = t.shortRange;
    const double inv = 1.0 / r;
    const double inv2 = inv * inv;
    const double inv6 = inv2 * inv2 * inv2;
    const double expo = s.A != 0.0 ? s.A * std::exp(-r / s.rho) : 0.0;
    const double erfcTerm = std::erfc(alpha * r);
    const double gauss = kTwoOverSqrtPi * alpha * std::exp(-alpha * alpha * r * r);
    value = expo - s.C * inv6 + s.B * inv6 * inv6 + t.kqq * erfcTerm * inv;
    slope = -expo / s.rho + 6.0 * s.C * inv6 * inv - 12.0 * s.B * inv6 * inv6 * inv -
            t.kqq * (erfcTerm * inv2 + gauss * inv);
}

// Neumaier's compensated sum: ~10⁴ pair terms add up to a few thousand eV, and a plain sum
// would lose the last digits that finite-difference checks and small energy differences need.
class CompensatedSum {
public:
    void add(double x) {
        const double t = m_sum + x;
        m_compensation += std::abs(m_sum) >= std::abs(x) ? (m_sum - t) + x : (x - t) + m_sum;
        m_sum = t;
    }
    double value() const { return m_sum + m_compensation; }

private:
    double m_sum = 0.0;
    double m_compensation = 0.0;
};

bool finite(double x) {
    return std::isfinite(x);
}

void validate(const ReferencePotentialParameters& p) {
    if (!finite(p.cutoff) || p.cutoff <= 0.0)
        throw std::invalid_argument("reference potential: cutoff must be positive and finite");
    if (!finite(p.dampingAlpha) || p.dampingAlpha < 0.0)
        throw std::invalid_argument("reference potential: damping alpha must be ≥ 0 and finite");
    for (const auto& [z, q] : p.charges)
        if (!finite(q))
            throw std::invalid_argument("reference potential: non-finite charge for Z=" +
                                        std::to_string(z));
    for (const auto& [z, e] : p.referenceEnergies)
        if (!finite(e))
            throw std::invalid_argument("reference potential: non-finite reference energy for Z=" +
                                        std::to_string(z));
    for (const auto& [key, b] : p.buckingham) {
        if (key.first > key.second)
            throw std::invalid_argument("reference potential: Buckingham key must be (Zmin, Zmax)");
        if (!finite(b.A) || !finite(b.rho) || !finite(b.C) || !finite(b.B) || b.rho <= 0.0)
            throw std::invalid_argument("reference potential: bad Buckingham parameters for " +
                                        std::to_string(key.first) + "-" +
                                        std::to_string(key.second));
    }
}

} // namespace

ReferencePotentialParameters ReferencePotentialParameters::hafniaDefaults() {
    constexpr int hf = 72;
    constexpr int o = 8;
    ReferencePotentialParameters p;
    p.cutoff = 7.0;
    p.dampingAlpha = 0.25;
    p.charges = {{hf, 4.0}, {o, -2.0}};
    p.buckingham[{o, o}] = BuckinghamPair{22764.0, 0.149, 27.88, 22.0};
    p.buckingham[{o, hf}] = BuckinghamPair{1454.6, 0.35, 0.0, 1.0};
    // Hf–Hf: Coulomb only. No reference energies: the sample's energy is the interaction alone.
    return p;
}

EnergyAndForces evaluateReferencePotential(const Structure& structure,
                                           const ReferencePotentialParameters& parameters) {
    validate(parameters);
    const std::size_t n = structure.size();
    if (structure.numbers.size() != n)
        throw std::invalid_argument("reference potential: numbers and positions differ in size");
    for (const Vec3& r : structure.positions)
        if (!r.allFinite())
            throw std::invalid_argument("reference potential: non-finite atomic position");

    // Species → dense index, so that the pair table is a small matrix.
    std::vector<int> speciesOf(n);
    std::vector<int> species;
    for (std::size_t i = 0; i < n; ++i) {
        const int z = structure.numbers[i];
        std::size_t k = 0;
        while (k < species.size() && species[k] != z)
            ++k;
        if (k == species.size()) {
            if (parameters.charges.find(z) == parameters.charges.end())
                throw std::invalid_argument("reference potential: no charge for atomic number " +
                                            std::to_string(z));
            species.push_back(z);
        }
        speciesOf[i] = static_cast<int>(k);
    }

    const double alpha = parameters.dampingAlpha;
    const double rc = parameters.cutoff;
    const std::size_t ns = species.size();
    std::vector<PairTerm> table(ns * ns);
    for (std::size_t a = 0; a < ns; ++a)
        for (std::size_t b = 0; b < ns; ++b) {
            PairTerm& t = table[a * ns + b];
            const int za = species[a];
            const int zb = species[b];
            const auto found = parameters.buckingham.find({std::min(za, zb), std::max(za, zb)});
            if (found != parameters.buckingham.end())
                t.shortRange = found->second;
            t.kqq = kCoulomb * parameters.charges.at(za) * parameters.charges.at(zb);
            rawPair(t, alpha, rc, t.valueAtCutoff, t.slopeAtCutoff);
        }

    EnergyAndForces result;
    result.forces.assign(n, Vec3::Zero());

    // Composition-only terms: DSF self energy and per-species reference energies.
    const double selfFactor = std::erfc(alpha * rc) / (2.0 * rc) + 0.5 * kTwoOverSqrtPi * alpha;
    double constant = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
        const int z = structure.numbers[i];
        const double q = parameters.charges.at(z);
        constant -= selfFactor * kCoulomb * q * q;
        const auto ref = parameters.referenceEnergies.find(z);
        if (ref != parameters.referenceEnergies.end())
            constant += ref->second;
    }

    // The list is full: each pair appears as (i, j, S) and (j, i, −S). Half the energy per edge;
    // the force on `first` per edge, the reverse edge supplies the partner's.
    const NeighborList list = computeNeighborList(structure, rc);
    CompensatedSum pairEnergy;
    for (std::size_t e = 0; e < list.edgeCount(); ++e) {
        const int i = list.first[e];
        const int j = list.second[e];
        const double r = list.distances[e];
        if (r < kMinimumDistance) {
            std::ostringstream msg;
            msg << "reference potential: atoms " << i << " and " << j << " are " << r
                << " Å apart (overlapping)";
            throw std::invalid_argument(msg.str());
        }
        const PairTerm& t = table[speciesOf[i] * ns + speciesOf[j]];
        double value = 0.0;
        double slope = 0.0;
        rawPair(t, alpha, r, value, slope);
        value -= t.valueAtCutoff + t.slopeAtCutoff * (r - rc);
        slope -= t.slopeAtCutoff;
        pairEnergy.add(0.5 * value);
        // E depends on r_i through r = |r_j − r_i + S·cell|: −∂φ/∂r_i = φ'(r)·r_ij / r.
        result.forces[i] += (slope / r) * list.vectors[e];
    }
    pairEnergy.add(constant);
    result.energy = pairEnergy.value();
    return result;
}

} // namespace graphace
