// The built-in sample and its analytic reference potential: forces are −∇E (central finite
// differences, cubic-ish and strongly triclinic cells), the pair form matches the documented
// formula, energy and force vanish at the cutoff, invariances, determinism, composition and the
// minimum-distance guard, and bad input is refused.
#include "testing.h"

#include "graphace/neighbor_list.h"
#include "graphace/reference_potential.h"
#include "graphace/sample_dataset.h"

#include <QtTest>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>

using namespace graphace;

namespace {

constexpr int kHf = 72;
constexpr int kO = 8;
constexpr double kCoulomb = 14.399645478425668; // e²/(4πε₀), eV·Å (CODATA 2018)
constexpr double kPi = 3.14159265358979323846;

double energyOf(const Structure& s) {
    return evaluateReferencePotential(s, ReferencePotentialParameters::hafniaDefaults()).energy;
}

// An isolated pair at distance r (no cell, no periodicity).
Structure dimer(int za, int zb, double r) {
    Structure s;
    s.numbers = {za, zb};
    s.positions = {Vec3(0.3, -0.2, 0.1), Vec3(0.3, -0.2, 0.1) + r * Vec3(2, -1, 2).normalized()};
    return s;
}

Structure atom(int z) {
    Structure s;
    s.numbers = {z};
    s.positions = {Vec3::Zero()};
    return s;
}

// Interaction energy of a dimer: the composition-only self terms removed.
double bindingEnergy(int za, int zb, double r) {
    return energyOf(dimer(za, zb, r)) - energyOf(atom(za)) - energyOf(atom(zb));
}

// The 3-atom primitive cell of fluorite HfO₂ (fcc lattice, rhombohedral 60° vectors): a strongly
// triclinic cell only 3.6 Å across, so a 7 Å cutoff needs several images in every direction.
Structure primitiveFluorite(double a) {
    Structure s;
    s.pbc = {true, true, true};
    s.cell << 0, a / 2, a / 2, a / 2, 0, a / 2, a / 2, a / 2, 0;
    s.numbers = {kHf, kO, kO};
    s.positions = {Vec3::Zero(), Vec3(0.25, 0.25, 0.25) * a, Vec3(0.75, 0.75, 0.75) * a};
    return s;
}

// The perfect 2×2×2 conventional fluorite cell (96 atoms), built independently of the generator.
Structure conventionalFluorite(double a) {
    Structure s;
    s.pbc = {true, true, true};
    s.cell = 2 * a * Mat3::Identity();
    const double fcc[4][3] = {{0, 0, 0}, {0, 0.5, 0.5}, {0.5, 0, 0.5}, {0.5, 0.5, 0}};
    for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y)
            for (int z = 0; z < 2; ++z) {
                for (const auto& f : fcc) {
                    s.numbers.push_back(kHf);
                    s.positions.push_back(a * Vec3(x + f[0], y + f[1], z + f[2]));
                }
                for (int i = 0; i < 2; ++i)
                    for (int j = 0; j < 2; ++j)
                        for (int k = 0; k < 2; ++k) {
                            s.numbers.push_back(kO);
                            s.positions.push_back(a * Vec3(x + 0.25 + 0.5 * i, y + 0.25 + 0.5 * j,
                                                           z + 0.25 + 0.5 * k));
                        }
            }
    return s;
}

bool sameBits(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

// Bit-for-bit equality of everything the generator produces; empty when equal.
QString compareBits(const Structure& a, const Structure& b) {
    if (a.size() != b.size() || a.numbers != b.numbers || a.info != b.info)
        return QStringLiteral("sizes, species or info differ");
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c)
            if (!sameBits(a.cell(r, c), b.cell(r, c)))
                return QStringLiteral("cell(%1,%2) differs").arg(r).arg(c);
    if (!a.energy || !b.energy || !sameBits(*a.energy, *b.energy))
        return QStringLiteral("energy differs");
    for (std::size_t i = 0; i < a.size(); ++i)
        for (int k = 0; k < 3; ++k)
            if (!sameBits(a.positions[i][k], b.positions[i][k]) ||
                !sameBits(a.forces[i][k], b.forces[i][k]))
                return QStringLiteral("atom %1 differs").arg(i);
    return {};
}

// Checks every force component listed against a central difference of the energy.
// Tolerance: |F_fd − F| ≤ 1e-6 · max(|F|, 1 eV/Å) (relative 1e-6, absolute 1e-6 eV/Å for small
// forces). With h = 1e-5 Å the truncation error h²/6·E''' is ~1e-10 eV/Å here, and the
// round-off of a ~3000 eV total over 2h is ~1e-8 eV/Å, so the bound has a wide margin yet
// catches any missing term (errors of a wrong sign or factor are O(|F|)).
void checkForces(const Structure& s, const std::vector<int>& atoms) {
    const auto parameters = ReferencePotentialParameters::hafniaDefaults();
    const EnergyAndForces analytic = evaluateReferencePotential(s, parameters);
    QCOMPARE(analytic.forces.size(), s.size());
    const double h = 1e-5;
    for (int i : atoms)
        for (int k = 0; k < 3; ++k) {
            Structure plus = s;
            Structure minus = s;
            plus.positions[i][k] += h;
            minus.positions[i][k] -= h;
            const double fd = -(evaluateReferencePotential(plus, parameters).energy -
                                evaluateReferencePotential(minus, parameters).energy) /
                              (2 * h);
            const double f = analytic.forces[i][k];
            const double tolerance = 1e-6 * std::max(std::abs(f), 1.0);
            QVERIFY2(std::abs(fd - f) <= tolerance,
                     qPrintable(QStringLiteral("atom %1 component %2: analytic %3, finite "
                                               "difference %4, |diff| %5 > %6")
                                    .arg(i)
                                    .arg(k)
                                    .arg(f, 0, 'g', 12)
                                    .arg(fd, 0, 'g', 12)
                                    .arg(std::abs(fd - f), 0, 'g', 3)
                                    .arg(tolerance, 0, 'g', 3)));
        }
}

} // namespace

class TestSampleDataset : public QObject {
    Q_OBJECT

private:
    Dataset m_default; // the default dataset, generated once

private Q_SLOTS:
    void initTestCase() { m_default = generateSampleDataset(); }

    // --- the potential ---------------------------------------------------------------------

    void forcesAreNegativeGradient_data() {
        QTest::addColumn<int>("index");
        QTest::newRow("config 0") << 0;
        QTest::newRow("config 1") << 1;
        QTest::newRow("config 7") << 7;
        QTest::newRow("config 42") << 42;
    }
    void forcesAreNegativeGradient() {
        QFETCH(int, index);
        const Structure& s = m_default.structures.at(index);
        // The generated cells are triclinic (random shear strain).
        QVERIFY(std::abs(s.cell(0, 1)) > 1e-6 || std::abs(s.cell(0, 2)) > 1e-6 ||
                std::abs(s.cell(1, 2)) > 1e-6);
        checkForces(s, {0, 13, 31, 32, 50, 77, 95}); // first/last Hf, first/last O, others
    }

    void forcesAreNegativeGradientInSkewedSmallCell() {
        Structure s = primitiveFluorite(5.08);
        s.positions[0] += Vec3(0.11, -0.07, 0.05);
        s.positions[1] += Vec3(-0.13, 0.04, 0.09);
        s.positions[2] += Vec3(0.02, 0.15, -0.12);
        checkForces(s, {0, 1, 2});
    }

    void forcesOfIsolatedMolecule() {
        Structure s;
        s.numbers = {kHf, kO, kO, kHf};
        s.positions = {Vec3(0, 0, 0), Vec3(1.9, 0.2, -0.1), Vec3(-0.4, 2.0, 0.6),
                       Vec3(1.2, 2.9, 1.8)};
        checkForces(s, {0, 1, 2, 3});
    }

    // The documented formula, written out independently: shifted-force Buckingham + wall + DSF.
    void pairEnergyMatchesDocumentedFormula_data() {
        QTest::addColumn<int>("za");
        QTest::addColumn<int>("zb");
        QTest::addColumn<double>("r");
        QTest::addColumn<double>("A");
        QTest::addColumn<double>("rho");
        QTest::addColumn<double>("C");
        QTest::addColumn<double>("B");
        QTest::addColumn<double>("qq");
        for (double r : {1.7, 2.2, 3.1, 5.5}) {
            const QByteArray at = QByteArray::number(r);
            QTest::newRow("Hf-O " + at) << kHf << kO << r << 1454.6 << 0.35 << 0.0 << 1.0 << -8.0;
            QTest::newRow("O-O " + at) << kO << kO << r << 22764.0 << 0.149 << 27.88 << 22.0 << 4.0;
            QTest::newRow("Hf-Hf " + at) << kHf << kHf << r << 0.0 << 1.0 << 0.0 << 0.0 << 16.0;
        }
    }
    void pairEnergyMatchesDocumentedFormula() {
        QFETCH(int, za);
        QFETCH(int, zb);
        QFETCH(double, r);
        QFETCH(double, A);
        QFETCH(double, rho);
        QFETCH(double, C);
        QFETCH(double, B);
        QFETCH(double, qq);
        const double alpha = 0.25;
        const double rc = 7.0;
        const auto phi = [&](double x) {
            return A * std::exp(-x / rho) - C / std::pow(x, 6) + B / std::pow(x, 12) +
                   kCoulomb * qq * std::erfc(alpha * x) / x;
        };
        const auto dphi = [&](double x) {
            return -A / rho * std::exp(-x / rho) + 6 * C / std::pow(x, 7) -
                   12 * B / std::pow(x, 13) -
                   kCoulomb * qq *
                       (std::erfc(alpha * x) / (x * x) +
                        2 * alpha / std::sqrt(kPi) * std::exp(-alpha * alpha * x * x) / x);
        };
        const double expected = phi(r) - phi(rc) - dphi(rc) * (r - rc);
        const double got = bindingEnergy(za, zb, r);
        QVERIFY2(std::abs(got - expected) <= 1e-9 * std::max(1.0, std::abs(expected)),
                 qPrintable(QStringLiteral("got %1, formula %2")
                                .arg(got, 0, 'g', 14)
                                .arg(expected, 0, 'g', 14)));
        // Force on atom 1 along the bond is −φ_sf'(r).
        const Structure d = dimer(za, zb, r);
        const auto result =
            evaluateReferencePotential(d, ReferencePotentialParameters::hafniaDefaults());
        const Vec3 unit = (d.positions[1] - d.positions[0]).normalized();
        const double expectedForce = -(dphi(r) - dphi(rc));
        QVERIFY(std::abs(result.forces[1].dot(unit) - expectedForce) <=
                1e-9 * std::max(1.0, std::abs(expectedForce)));
        QVERIFY((result.forces[0] + result.forces[1]).norm() <=
                1e-12 * (1 + std::abs(expectedForce)));
    }

    // DSF self term of a lone ion: −(erfc(α r_c)/(2 r_c) + α/√π)·k·q².
    void selfEnergyOfLoneIon() {
        const double factor = std::erfc(0.25 * 7.0) / 14.0 + 0.25 / std::sqrt(kPi);
        QVERIFY(std::abs(energyOf(atom(kHf)) + factor * kCoulomb * 16.0) < 1e-10);
        QVERIFY(std::abs(energyOf(atom(kO)) + factor * kCoulomb * 4.0) < 1e-10);
    }

    void energyAndForceVanishAtCutoff_data() {
        QTest::addColumn<int>("za");
        QTest::addColumn<int>("zb");
        QTest::newRow("Hf-O") << kHf << kO;
        QTest::newRow("O-O") << kO << kO;
        QTest::newRow("Hf-Hf") << kHf << kHf;
    }
    void energyAndForceVanishAtCutoff() {
        QFETCH(int, za);
        QFETCH(int, zb);
        const auto parameters = ReferencePotentialParameters::hafniaDefaults();
        const double rc = parameters.cutoff;
        QCOMPARE(rc, 7.0);
        // Not trivially zero: the pair interacts well inside the cutoff.
        QVERIFY(std::abs(bindingEnergy(za, zb, 3.0)) > 0.1);
        // Just inside: φ_sf ~ φ''·δ²/2 and F ~ φ''·δ with |φ''| ≲ 1 eV/Å² at 7 Å.
        const double inside = bindingEnergy(za, zb, rc - 1e-6);
        QVERIFY2(std::abs(inside) < 1e-10, qPrintable(QString::number(inside, 'g', 6)));
        const auto in = evaluateReferencePotential(dimer(za, zb, rc - 1e-6), parameters);
        QVERIFY2(in.forces[0].norm() < 1e-5, qPrintable(QString::number(in.forces[0].norm())));
        // Just outside: no interaction at all.
        QCOMPARE(bindingEnergy(za, zb, rc + 1e-6), 0.0);
        const auto out = evaluateReferencePotential(dimer(za, zb, rc + 1e-6), parameters);
        QCOMPARE(out.forces[0].norm(), 0.0);
        QCOMPARE(out.forces[1].norm(), 0.0);
        // Approaching from inside, energy and force fall off smoothly (quadratically / linearly).
        const double e1 = bindingEnergy(za, zb, rc - 0.01);
        const double e2 = bindingEnergy(za, zb, rc - 0.02);
        QVERIFY(std::abs(e1) < 1e-3);
        QVERIFY(std::abs(e2 / e1 - 4.0) < 0.1);
    }

    // The Buckingham catastrophe is fenced off: every pair energy is bounded below and
    // repulsive at short range.
    void shortRangeIsRepulsive_data() { energyAndForceVanishAtCutoff_data(); }
    void shortRangeIsRepulsive() {
        QFETCH(int, za);
        QFETCH(int, zb);
        double previous = bindingEnergy(za, zb, 0.02);
        QVERIFY(previous > 1e3);
        for (int step = 3; step < 700; ++step) {
            const double r = 0.01 * step;
            const double e = bindingEnergy(za, zb, r);
            // The deepest well (Hf–O near 1.6 Å) is about −25 eV.
            QVERIFY2(std::isfinite(e) && e > -30.0,
                     qPrintable(QStringLiteral("r %1: %2").arg(r).arg(e)));
            if (r < 1.0)
                QVERIFY2(e < previous,
                         qPrintable(QStringLiteral("not repulsive at r = %1").arg(r)));
            previous = e;
        }
    }

    void invariances() {
        const auto parameters = ReferencePotentialParameters::hafniaDefaults();
        const Structure& s = m_default.structures.at(3);
        const EnergyAndForces base = evaluateReferencePotential(s, parameters);
        const double scale = std::abs(base.energy);

        // Rigid translation.
        Structure moved = s;
        for (Vec3& r : moved.positions)
            r += Vec3(3.7, -12.1, 0.45);
        const EnergyAndForces t = evaluateReferencePotential(moved, parameters);
        QVERIFY(std::abs(t.energy - base.energy) <= 1e-11 * scale);
        // One atom moved by a lattice vector: the same periodic structure.
        Structure wrapped = s;
        wrapped.positions[5] += s.cell.row(1).transpose() - s.cell.row(2).transpose();
        QVERIFY(std::abs(evaluateReferencePotential(wrapped, parameters).energy - base.energy) <=
                1e-11 * scale);
        // Rotation of positions and cell together.
        const Mat3 rotation =
            (Eigen::AngleAxisd(0.7, Vec3(1, 2, -0.5).normalized())).toRotationMatrix();
        Structure rotated = s;
        rotated.cell = s.cell * rotation.transpose(); // rows rotate as vectors
        for (Vec3& r : rotated.positions)
            r = rotation * r;
        const EnergyAndForces rot = evaluateReferencePotential(rotated, parameters);
        QVERIFY(std::abs(rot.energy - base.energy) <= 1e-11 * scale);
        // Forces: translation leaves them, rotation rotates them; Newton's third law sums to 0.
        Vec3 sum = Vec3::Zero();
        double largest = 0;
        for (std::size_t i = 0; i < s.size(); ++i) {
            QVERIFY((t.forces[i] - base.forces[i]).norm() <= 1e-9);
            QVERIFY((rot.forces[i] - rotation * base.forces[i]).norm() <= 1e-9);
            sum += base.forces[i];
            largest = std::max(largest, base.forces[i].norm());
        }
        QVERIFY(largest > 0.1);
        QVERIFY2(sum.norm() <= 1e-10 * largest * s.size(),
                 qPrintable(QString::number(sum.norm(), 'g', 3)));
    }

    // A periodic crystal has one energy per formula unit whichever cell describes it: the 3-atom
    // rhombohedral primitive cell (many images) and the 96-atom cubic supercell.
    void primitiveAndSupercellAgree() {
        for (double a : {4.9, 5.08, 5.3}) {
            const double perFormula = energyOf(primitiveFluorite(a));
            const double super = energyOf(conventionalFluorite(a)) / 32.0;
            QVERIFY2(std::abs(perFormula - super) <= 1e-9 * std::abs(super),
                     qPrintable(QStringLiteral("a %1: %2 vs %3")
                                    .arg(a)
                                    .arg(perFormula, 0, 'g', 14)
                                    .arg(super, 0, 'g', 14)));
        }
        // Perfect fluorite is a stationary point: forces vanish by symmetry.
        const auto r = evaluateReferencePotential(conventionalFluorite(5.08),
                                                  ReferencePotentialParameters::hafniaDefaults());
        for (const Vec3& f : r.forces)
            QVERIFY(f.norm() < 1e-9);
        // And the documented equilibrium: minimum of E(a) near 5.13 Å, close to the 5.08 Å used.
        double best = 0;
        double bestE = 1e300;
        for (double a = 4.90; a <= 5.40; a += 0.01) {
            const double e = energyOf(primitiveFluorite(a));
            if (e < bestE) {
                bestE = e;
                best = a;
            }
        }
        QVERIFY2(best > 5.05 && best < 5.20, qPrintable(QString::number(best)));
    }

    void badInputIsRefused() {
        const auto parameters = ReferencePotentialParameters::hafniaDefaults();
        Structure unknown = dimer(kHf, 14, 2.0); // Si has no charge
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 evaluateReferencePotential(unknown, parameters));
        Structure overlap = dimer(kO, kO, 0.0);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 evaluateReferencePotential(overlap, parameters));
        Structure notFinite = dimer(kO, kO, 2.0);
        notFinite.positions[1].x() = std::nan("");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 evaluateReferencePotential(notFinite, parameters));
        auto badCutoff = parameters;
        badCutoff.cutoff = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 evaluateReferencePotential(dimer(kO, kO, 2.0), badCutoff));
        auto badRho = parameters;
        badRho.buckingham[{kO, kO}].rho = 0;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 evaluateReferencePotential(dimer(kO, kO, 2.0), badRho));
    }

    // --- the generator ---------------------------------------------------------------------

    void deterministic() {
        const Dataset again = generateSampleDataset();
        QCOMPARE(again.size(), m_default.size());
        for (std::size_t k = 0; k < again.size(); ++k) {
            const QString diff = compareBits(again.structures[k], m_default.structures[k]);
            QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("config %1: %2").arg(k).arg(diff)));
        }
        // A configuration on its own is the same as inside the dataset.
        QVERIFY(
            compareBits(generateSampleConfiguration({}, 57), m_default.structures[57]).isEmpty());

        // Another seed gives other structures, also at neighbouring (seed, index) pairs.
        SampleOptions other;
        other.seed = 2024;
        other.configurations = 20;
        const Dataset different = generateSampleDataset(other);
        for (int k = 0; k < 20; ++k) {
            QVERIFY(!compareBits(different.structures[k], m_default.structures[k]).isEmpty());
            QVERIFY(different.structures[k].positions[40] != m_default.structures[k].positions[40]);
            QVERIFY(different.structures[k].positions[40] !=
                    m_default.structures[k + 1].positions[40]);
        }
    }

    void compositionAndLabels() {
        QCOMPARE(m_default.size(), std::size_t(200));
        QVERIFY(m_default.species() == (std::vector<int>{kO, kHf}));
        double sum = 0;
        double sumSquares = 0;
        double hot = 0;
        double cold = 0;
        int hotCount = 0;
        int coldCount = 0;
        for (const Structure& s : m_default.structures) {
            QCOMPARE(s.size(), std::size_t(96));
            QCOMPARE(int(std::count(s.numbers.begin(), s.numbers.end(), kHf)), 32);
            QCOMPARE(int(std::count(s.numbers.begin(), s.numbers.end(), kO)), 64);
            QVERIFY(s.pbc[0] && s.pbc[1] && s.pbc[2]);
            QVERIFY(s.energy.has_value() && std::isfinite(*s.energy));
            QCOMPARE(s.forces.size(), s.size());
            for (const Vec3& f : s.forces)
                QVERIFY(f.allFinite());
            QVERIFY(s.findInfo("config_type") && *s.findInfo("config_type") == "sample");
            QVERIFY(s.findInfo("temperature") && s.findInfo("density_scale"));
            const double t = std::stod(*s.findInfo("temperature"));
            const double d = std::stod(*s.findInfo("density_scale"));
            QVERIFY(t >= 300 && t <= 3000);
            QVERIFY(d >= 0.94 && d <= 1.06);
            // The cell is the density-scaled 2×2×2 fluorite cell up to a strain of a few %.
            const double ratio = s.volume() / std::pow(2 * kSampleLatticeConstant * d, 3);
            QVERIFY2(ratio > 0.9 && ratio < 1.1, qPrintable(QString::number(ratio)));
            // The labels are the reference potential's.
            QCOMPARE(*s.energy, energyOf(s));

            const double perAtom = *s.energy / 96;
            sum += perAtom;
            sumSquares += perAtom * perAtom;
            if (t > 2000) {
                hot += perAtom;
                ++hotCount;
            } else if (t < 1000) {
                cold += perAtom;
                ++coldCount;
            }
        }
        const double n = double(m_default.size());
        const double spread = std::sqrt(sumSquares / n - (sum / n) * (sum / n));
        qInfo("energy per atom: mean %.4f eV, std %.4f eV", sum / n, spread);
        QVERIFY2(spread > 0.1, qPrintable(QString::number(spread))); // a spread a fit can learn
        // More disorder costs energy: the hot third lies clearly above the cold third.
        QVERIFY(hotCount > 20 && coldCount > 20);
        QVERIFY2(hot / hotCount > cold / coldCount + 0.2,
                 qPrintable(QStringLiteral("%1 vs %2").arg(hot / hotCount).arg(cold / coldCount)));
    }

    // No two atoms (any image) closer than 1.6 Å (Hf–O) or 2.2 Å (O–O, Hf–Hf), checked with the
    // neighbour list rather than the generator's own geometry.
    void minimumDistanceGuard() {
        QCOMPARE(sampleMinimumDistance(kHf, kO), 1.6);
        QCOMPARE(sampleMinimumDistance(kO, kHf), 1.6);
        QCOMPARE(sampleMinimumDistance(kO, kO), 2.2);
        QCOMPARE(sampleMinimumDistance(kHf, kHf), 2.2);
        double closestHfO = 1e9;
        double closestOO = 1e9;
        for (const Structure& s : m_default.structures) {
            const NeighborList list = computeNeighborList(s, 2.2);
            for (std::size_t e = 0; e < list.edgeCount(); ++e) {
                const int zi = s.numbers[list.first[e]];
                const int zj = s.numbers[list.second[e]];
                const double d = list.distances[e];
                QVERIFY2(zi != zj, qPrintable(QStringLiteral("like atoms %1 Å apart").arg(d)));
                QVERIFY2(d >= 1.6, qPrintable(QStringLiteral("Hf–O %1 Å apart").arg(d)));
                closestHfO = std::min(closestHfO, d);
            }
            const NeighborList wide = computeNeighborList(s, 3.0);
            for (std::size_t e = 0; e < wide.edgeCount(); ++e)
                if (s.numbers[wide.first[e]] == kO && s.numbers[wide.second[e]] == kO)
                    closestOO = std::min(closestOO, wide.distances[e]);
        }
        // The hot configurations do come near the guard: the disorder is substantial.
        QVERIFY2(closestHfO < 1.8, qPrintable(QString::number(closestHfO)));
        QVERIFY2(closestOO < 2.35, qPrintable(QString::number(closestOO)));
    }

    void optionsAreHonoured() {
        SampleOptions o;
        o.configurations = 5;
        o.minTemperature = o.maxTemperature = 1500;
        o.minDensityScale = o.maxDensityScale = 1.1;
        const Dataset d = generateSampleDataset(o);
        QCOMPARE(d.size(), std::size_t(5));
        for (const Structure& s : d.structures) {
            QVERIFY(*s.findInfo("temperature") == "1500.0");
            QVERIFY(*s.findInfo("density_scale") == "1.1000");
        }
        o.configurations = 0;
        QCOMPARE(generateSampleDataset(o).size(), std::size_t(0));
        // Zero temperature: the strained perfect lattice, no displacement at all.
        SampleOptions cold;
        cold.minTemperature = cold.maxTemperature = 0;
        const Structure s = generateSampleConfiguration(cold, 4);
        const Mat3 inverse = s.cell.inverse();
        for (std::size_t i = 0; i < s.size(); ++i) {
            // Fractional coordinates of the 2×2×2 fluorite supercell are multiples of 1/8.
            const Eigen::RowVector3d f = s.positions[i].transpose() * inverse * 8.0;
            for (int k = 0; k < 3; ++k)
                QVERIFY(std::abs(f[k] - std::round(f[k])) < 1e-9);
        }
    }

    void badOptionsAreRefused() {
        const auto refused = [](SampleOptions o) {
            try {
                generateSampleDataset(o);
            } catch (const std::invalid_argument&) {
                return true;
            }
            return false;
        };
        SampleOptions o;
        o.configurations = -1;
        QVERIFY(refused(o));
        o = {};
        o.minDensityScale = 0.5; // the lattice itself would break the guard
        QVERIFY(refused(o));
        o = {};
        o.minTemperature = 2000;
        o.maxTemperature = 1000;
        QVERIFY(refused(o));
        o = {};
        o.maxTemperature = std::nan("");
        QVERIFY(refused(o));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, generateSampleConfiguration({}, -3));
    }

    void progressAndCancel() {
        SampleOptions o;
        o.configurations = 10;
        std::vector<double> seen;
        generateSampleDataset(o, [&](double f) {
            seen.push_back(f);
            return true;
        });
        QVERIFY(!seen.empty());
        QCOMPARE(seen.back(), 1.0);
        QVERIFY(std::is_sorted(seen.begin(), seen.end()));
        int calls = 0;
        QVERIFY_THROWS_EXCEPTION(Cancelled,
                                 generateSampleDataset(o, [&](double) { return ++calls < 3; }));
        QCOMPARE(calls, 3);
    }
};

QTEST_APPLESS_MAIN(TestSampleDataset)
#include "test_sample_dataset.moc"
