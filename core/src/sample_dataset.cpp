// Deterministic generator of the built-in a-HfO₂-like sample (docs/sample-dataset.md).
//
// Configuration k: a 2×2×2 supercell of cubic fluorite HfO₂ (a = 5.08 Å; 32 Hf then 64 O),
// scaled by a density factor s, strained by a small random symmetric strain ε (so the cell is
// triclinic), cell = 2·a·s·(I + ε), and every atom displaced by a Gaussian of width σ(T) for a
// per-configuration temperature T. Labels come from the reference potential.
//
// Bit-for-bit reproducibility: only std::mt19937_64 (whose output the C++ standard fixes) is
// taken from the library; uniforms and normals are computed here because std::*_distribution
// differ between standard libraries.

#include "graphace/sample_dataset.h"

#include "graphace/reference_potential.h"

#include <Eigen/Geometry>
#include <Eigen/LU>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <random>
#include <stdexcept>
#include <string>

namespace graphace {
namespace {

constexpr int kHafnium = 72;
constexpr int kOxygen = 8;
constexpr int kCellsPerEdge = 2;

// Disorder widths per Cartesian component at 3000 K; σ(T) = σ(3000 K)·sqrt(T / 3000 K). About 1.8×
// the Einstein estimate sqrt(k_B T / k) with this potential's on-site force constants (k_O ≈ 18,
// k_Hf ≈ 38 eV/Å²), so that the hot end is amorphous-like: the rms O displacement (√3·σ) is then
// 17 % of the 2.2 Å Hf–O bond, past the Lindemann melting ratio (~10–15 %). T is therefore a
// disorder label, not a thermodynamic temperature.
constexpr double kSigmaOxygenAt3000 = 0.22;  // Å
constexpr double kSigmaHafniumAt3000 = 0.15; // Å
constexpr double kStrainSigma = 0.01;        // per component of ε
constexpr double kStrainLimit = 0.015; // |ε_ab| clipped here: ‖ε‖₂ ≤ ‖ε‖_F ≤ 0.045
constexpr int kDisplacementTries = 64;

// Option ranges. With s ≥ 0.92 and ‖ε‖₂ ≤ 0.045 the undisplaced lattice keeps O–O ≥
// 2.54·0.92·0.955 = 2.23 Å, above the 2.2 Å guard, which the displacement fallback relies on.
constexpr double kMinDensityScale = 0.92;
constexpr double kMaxDensityScale = 1.30;
constexpr double kMaxTemperature = 5000.0;
constexpr int kMaxConfigurations = 100000;

// SplitMix64 finaliser (Steele et al. 2014): seeds for (seed, k) and (seed + 1, k − 1) must not
// coincide, which a plain seed + index would do.
std::uint64_t mix(std::uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

class Random {
public:
    explicit Random(std::uint64_t seed) : m_engine(seed) {}

    // [0, 1) with 53 random bits.
    double uniform() { return static_cast<double>(m_engine() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }

    // Standard normal, Marsaglia's polar form of Box–Muller (no sin/cos, only log and sqrt).
    double normal() {
        if (m_haveSpare) {
            m_haveSpare = false;
            return m_spare;
        }
        double u = 0.0;
        double v = 0.0;
        double s = 0.0;
        do {
            u = 2.0 * uniform() - 1.0;
            v = 2.0 * uniform() - 1.0;
            s = u * u + v * v;
        } while (s >= 1.0 || s == 0.0);
        const double factor = std::sqrt(-2.0 * std::log(s) / s);
        m_spare = v * factor;
        m_haveSpare = true;
        return u * factor;
    }

private:
    std::mt19937_64 m_engine;
    double m_spare = 0.0;
    bool m_haveSpare = false;
};

void validate(const SampleOptions& o) {
    const auto fail = [](const std::string& what) {
        throw std::invalid_argument("sample dataset: " + what);
    };
    if (o.configurations < 0 || o.configurations > kMaxConfigurations)
        fail("configurations must be between 0 and " + std::to_string(kMaxConfigurations));
    if (!std::isfinite(o.minTemperature) || !std::isfinite(o.maxTemperature) ||
        o.minTemperature < 0.0 || o.maxTemperature > kMaxTemperature ||
        o.minTemperature > o.maxTemperature)
        fail("temperatures must satisfy 0 ≤ min ≤ max ≤ 5000 K");
    if (!std::isfinite(o.minDensityScale) || !std::isfinite(o.maxDensityScale) ||
        o.minDensityScale < kMinDensityScale || o.maxDensityScale > kMaxDensityScale ||
        o.minDensityScale > o.maxDensityScale)
        fail("density scales must satisfy 0.92 ≤ min ≤ max ≤ 1.30");
}

// Rounded so that the info text states exactly the value that was used.
double roundTo(double x, double step) {
    return std::round(x / step) * step;
}

std::string formatFixed(double x, int decimals) {
    char buffer[64];
    // std::to_chars ignores the C locale (a GUI may have set a decimal comma).
    const auto r =
        std::to_chars(buffer, buffer + sizeof buffer, x, std::chars_format::fixed, decimals);
    return std::string(buffer, r.ptr);
}

// Fractional coordinates (of the supercell) of 2×2×2 fluorite: Hf on fcc sites, O on the eight
// tetrahedral sites of each conventional cell.
std::vector<Vec3> fluoriteFractional(std::vector<int>& numbers) {
    static const double fcc[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    std::vector<Vec3> frac;
    numbers.clear();
    const double n = kCellsPerEdge;
    for (int x = 0; x < kCellsPerEdge; ++x)
        for (int y = 0; y < kCellsPerEdge; ++y)
            for (int z = 0; z < kCellsPerEdge; ++z)
                for (const auto& f : fcc) {
                    frac.emplace_back((x + f[0]) / n, (y + f[1]) / n, (z + f[2]) / n);
                    numbers.push_back(kHafnium);
                }
    for (int x = 0; x < kCellsPerEdge; ++x)
        for (int y = 0; y < kCellsPerEdge; ++y)
            for (int z = 0; z < kCellsPerEdge; ++z)
                for (int i = 0; i < 2; ++i)
                    for (int j = 0; j < 2; ++j)
                        for (int k = 0; k < 2; ++k) {
                            frac.emplace_back((x + 0.25 + 0.5 * i) / n, (y + 0.25 + 0.5 * j) / n,
                                              (z + 0.25 + 0.5 * k) / n);
                            numbers.push_back(kOxygen);
                        }
    return frac;
}

// Periodic geometry of one cell for the minimum-distance guard.
struct CellGeometry {
    Mat3 cell;
    Mat3 inverse;
    double halfPlaneSpacing = 0.0; // half the smallest distance between lattice planes

    explicit CellGeometry(const Mat3& c) : cell(c), inverse(c.inverse()) {
        const double volume = std::abs(c.determinant());
        double spacing = std::numeric_limits<double>::infinity();
        for (int k = 0; k < 3; ++k)
            spacing =
                std::min(spacing, volume / c.row((k + 1) % 3).cross(c.row((k + 2) % 3)).norm());
        halfPlaneSpacing = 0.5 * spacing;
    }
};

// Whether some periodic image of b lies closer than `guard` to a. Wrapping the fractional
// difference into [−½, ½] gives one candidate; every other image has a fractional component of
// magnitude ≥ ½, hence lies at least half a plane spacing away, so it only needs checking when
// that is below the guard (never for the sample's ~9–13 Å cells, but cheap to be exact).
bool closerThan(const Vec3& a, const Vec3& b, double guard, const CellGeometry& g) {
    Eigen::RowVector3d f = (b - a).transpose() * g.inverse;
    for (int k = 0; k < 3; ++k)
        f[k] -= std::round(f[k]);
    if ((f * g.cell).squaredNorm() < guard * guard)
        return true;
    if (g.halfPlaneSpacing >= guard)
        return false;
    for (int i = -1; i <= 1; ++i)
        for (int j = -1; j <= 1; ++j)
            for (int k = -1; k <= 1; ++k)
                if (((f + Eigen::RowVector3d(i, j, k)) * g.cell).squaredNorm() < guard * guard)
                    return true;
    return false;
}

bool keepsGuard(const Structure& s, std::size_t atom, const Vec3& position, const CellGeometry& g) {
    for (std::size_t j = 0; j < s.size(); ++j)
        if (j != atom && closerThan(position, s.positions[j],
                                    sampleMinimumDistance(s.numbers[atom], s.numbers[j]), g))
            return false;
    return true;
}

} // namespace

double sampleMinimumDistance(int numberA, int numberB) {
    const int lo = std::min(numberA, numberB);
    const int hi = std::max(numberA, numberB);
    if (lo == kOxygen && hi == kHafnium)
        return 1.6;
    if ((lo == kOxygen && hi == kOxygen) || (lo == kHafnium && hi == kHafnium))
        return 2.2;
    return 0.0;
}

Structure generateSampleConfiguration(const SampleOptions& options, int index) {
    validate(options);
    if (index < 0)
        throw std::invalid_argument("sample dataset: negative configuration index");
    Random random(mix(options.seed ^ mix(static_cast<std::uint64_t>(index))));

    const double temperature =
        roundTo(random.uniform(options.minTemperature, options.maxTemperature), 0.1);
    const double densityScale =
        roundTo(random.uniform(options.minDensityScale, options.maxDensityScale), 1e-4);
    Mat3 strain = Mat3::Zero();
    for (int a = 0; a < 3; ++a)
        for (int b = a; b < 3; ++b) {
            const double e =
                std::clamp(kStrainSigma * random.normal(), -kStrainLimit, kStrainLimit);
            strain(a, b) = e;
            strain(b, a) = e;
        }

    Structure s;
    s.pbc = {true, true, true};
    s.cell = (kCellsPerEdge * kSampleLatticeConstant * densityScale) * (Mat3::Identity() + strain);
    const std::vector<Vec3> frac = fluoriteFractional(s.numbers);
    s.positions.reserve(frac.size());
    for (const Vec3& f : frac)
        s.positions.push_back((f.transpose() * s.cell).transpose());
    const CellGeometry geometry(s.cell);

    // Sequential rattling: atom i's new place is checked against every other atom's current
    // place. Atoms not yet moved sit on lattice sites, which keep the guard; so zero
    // displacement is always allowed and is the fallback after kDisplacementTries misses.
    const double thermal = std::sqrt(temperature / 3000.0);
    for (std::size_t i = 0; i < s.size(); ++i) {
        const double sigma =
            thermal * (s.numbers[i] == kHafnium ? kSigmaHafniumAt3000 : kSigmaOxygenAt3000);
        for (int attempt = 0; attempt < kDisplacementTries; ++attempt) {
            const Vec3 step(random.normal(), random.normal(), random.normal());
            const Vec3 trial = s.positions[i] + sigma * step;
            if (keepsGuard(s, i, trial, geometry)) {
                s.positions[i] = trial;
                break;
            }
        }
    }
    // The argument above is the guarantee; this check makes a broken one loud, not silent.
    for (std::size_t i = 0; i < s.size(); ++i)
        if (!keepsGuard(s, i, s.positions[i], geometry))
            throw std::logic_error("sample dataset: minimum-distance guard violated");

    const EnergyAndForces labels =
        evaluateReferencePotential(s, ReferencePotentialParameters::hafniaDefaults());
    s.energy = labels.energy;
    s.forces = labels.forces;
    s.energyKey = "energy";
    s.forcesKey = "forces";
    s.info = {{"config_type", "sample"},
              {"temperature", formatFixed(temperature, 1)},
              {"density_scale", formatFixed(densityScale, 4)},
              {"sample_index", std::to_string(index)}};
    return s;
}

Dataset generateSampleDataset(const SampleOptions& options, const ProgressCallback& progress) {
    validate(options);
    Dataset dataset;
    dataset.structures.reserve(static_cast<std::size_t>(options.configurations));
    reportProgress(progress, 0.0);
    for (int k = 0; k < options.configurations; ++k) {
        dataset.structures.push_back(generateSampleConfiguration(options, k));
        reportProgress(progress, double(k + 1) / options.configurations);
    }
    return dataset;
}

} // namespace graphace
