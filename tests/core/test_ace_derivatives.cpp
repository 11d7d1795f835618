// Analytic derivatives of ACE descriptors against central finite differences (triclinic cells,
// two species, l > 0 couplings up to ν = 4).
#include "graphace/ace_descriptors.h"

#include "random_cells.h"
#include "recipes.h"

#include <QtTest>

#include <cmath>
#include <limits>
#include <random>

using namespace graphace;

namespace {

Structure triclinicCell(unsigned seed, int atoms) {
    Mat3 cell;
    cell << 4.6, 0.0, 0.0, 1.1, 4.4, 0.0, -0.8, 0.9, 4.9;
    return testing::randomCell(cell, seed, atoms, 1.5);
}

// dB_i/dr_a from the per-edge output: Σ_{e=(i,a,S)} g_e − δ_ia Σ_{e=(i,·,·)} g_e,
// as an N × (3N) × K tensor flattened to rows (i), columns (3a + c)·K + k.
std::vector<RowMatrix> jacobianFromEdges(const AceStructureDescriptors& d, int N, int K) {
    std::vector<RowMatrix> J(N, RowMatrix::Zero(3 * N, K));
    const auto& nl = d.neighbors;
    for (std::size_t e = 0; e < nl.edgeCount(); ++e) {
        const int i = nl.first[e], j = nl.second[e];
        for (int c = 0; c < 3; ++c) {
            J[i].row(3 * j + c) += d.edgeGradients.row(3 * e + c);
            J[i].row(3 * i + c) -= d.edgeGradients.row(3 * e + c);
        }
    }
    return J;
}

// Forces and virial of E = Σ_i g_i·B_i, g_i = gradient(i) (atom i's block), from the per-edge
// Jacobians: q_e = J_eᵀ g_i, F_j −= q_e, F_i += q_e, W −= r_e ⊗ q_e.
template <typename Gradient>
AceForces forcesFromEdges(const AceBasis& basis, const Structure& s,
                          const AceStructureDescriptors& d, const Gradient& gradient) {
    const int K = basis.blockSize();
    const auto& nl = d.neighbors;
    AceForces out;
    out.forces.assign(s.size(), Vec3::Zero());
    for (std::size_t e = 0; e < nl.edgeCount(); ++e) {
        const int i = nl.first[e], j = nl.second[e];
        const Vec3 q = d.edgeGradients.middleRows(3 * e, 3) * gradient(i);
        out.forces[j] -= q;
        out.forces[i] += q;
        out.virial -= nl.vectors[e] * q.transpose();
    }
    return out;
}

void compareForces(const AceForces& adjoint, const AceForces& reference, const char* what) {
    QCOMPARE(adjoint.forces.size(), reference.forces.size());
    double scale = reference.virial.cwiseAbs().maxCoeff(), worst = 0.0;
    for (std::size_t a = 0; a < reference.forces.size(); ++a) {
        scale = std::max(scale, reference.forces[a].cwiseAbs().maxCoeff());
        worst = std::max(worst, (adjoint.forces[a] - reference.forces[a]).cwiseAbs().maxCoeff());
    }
    worst = std::max(worst, (adjoint.virial - reference.virial).cwiseAbs().maxCoeff());
    QVERIFY(scale > 0);
    QVERIFY2(worst <= 1e-11 * scale,
             qPrintable(QString("%1: adjoint forces/virial differ from the edge Jacobians' by %2 "
                                "(scale %3)")
                            .arg(what)
                            .arg(worst)
                            .arg(scale)));
}

// The adjoint evaluation (linearEnergyForces, forcesFromEnergyGradient) against the per-edge
// Jacobians (themselves checked against finite differences), on random coefficients.
void checkAdjointForces(const AceBasis& basis, const Structure& s, AceEvaluator& ev,
                        const AceStructureDescriptors& edges) {
    const int N = int(s.size()), K = basis.blockSize();
    std::mt19937 rng(17);
    std::normal_distribution<double> normal;
    Eigen::VectorXd coefficients(basis.size());
    for (auto& c : coefficients)
        c = normal(rng);
    std::vector<double> e0(basis.speciesCount());
    for (auto& e : e0)
        e = normal(rng);
    const AceForces linear = ev.linearEnergyForces(s, edges.neighbors, coefficients, e0);
    QCOMPARE(linear.atomEnergies.size(), std::size_t(N));
    double total = 0.0;
    for (int i = 0; i < N; ++i) {
        const int si = basis.speciesIndex(s.numbers[i]);
        const double expected = edges.descriptors.row(i).dot(coefficients) + e0[si];
        total += expected;
        QVERIFY2(std::abs(linear.atomEnergies[i] - expected) <= 1e-12 * (1 + std::abs(expected)),
                 qPrintable(QString("atom %1: energy %2, from descriptors %3")
                                .arg(i)
                                .arg(linear.atomEnergies[i], 0, 'g', 17)
                                .arg(expected, 0, 'g', 17)));
    }
    QVERIFY(std::abs(linear.energy - total) <= 1e-12 * (1 + std::abs(total)));
    compareForces(linear,
                  forcesFromEdges(basis, s, edges,
                                  [&](int i) -> Eigen::VectorXd {
                                      return coefficients.segment(
                                          K * basis.speciesIndex(s.numbers[i]), K);
                                  }),
                  "linear model");

    // The virial is −∂E/∂ε for the homogeneous deformation r → r (I + ε) of positions and
    // cell (rows are vectors): central differences in each of the nine ε_ab.
    if (s.pbc[0] && s.pbc[1] && s.pbc[2]) {
        const double h = 1e-6;
        double worst = 0.0, scale = linear.virial.cwiseAbs().maxCoeff();
        for (int a = 0; a < 3; ++a)
            for (int b = 0; b < 3; ++b) {
                double energy[2];
                for (int sign = 0; sign < 2; ++sign) {
                    Mat3 deformation = Mat3::Identity();
                    deformation(a, b) += sign ? -h : h;
                    Structure strained = s;
                    strained.cell = s.cell * deformation;
                    for (Vec3& r : strained.positions)
                        r = (r.transpose() * deformation).transpose();
                    energy[sign] =
                        ev.linearEnergyForces(strained,
                                              computeNeighborList(strained, basis.config().rcut),
                                              coefficients, e0)
                            .energy;
                }
                const double numeric = -(energy[0] - energy[1]) / (2 * h);
                worst = std::max(worst, std::abs(numeric - linear.virial(a, b)));
            }
        QVERIFY(scale > 0);
        QVERIFY2(worst <= 1e-6 * scale,
                 qPrintable(QString("virial against −∂E/∂ε: max difference %1, scale %2")
                                .arg(worst)
                                .arg(scale)));
    }

    // A different ∂E/∂B_i per atom; the other species' blocks are NaN, as they must not be read.
    RowMatrix gradient =
        RowMatrix::Constant(N, basis.size(), std::numeric_limits<double>::quiet_NaN());
    for (int i = 0; i < N; ++i)
        for (int k = 0; k < K; ++k)
            gradient(i, K * basis.speciesIndex(s.numbers[i]) + k) = normal(rng);
    const AceForces general = ev.forcesFromEnergyGradient(s, edges.neighbors, gradient);
    QVERIFY(general.atomEnergies.empty());
    compareForces(
        general,
        forcesFromEdges(
            basis, s, edges,
            [&](int i) -> Eigen::VectorXd {
                return gradient.row(i).segment(K * basis.speciesIndex(s.numbers[i]), K).transpose();
            }),
        "per-atom energy gradient");
}

void checkAgainstFiniteDifferences(const AceBasis& basis, const Structure& s) {
    AceEvaluator ev(basis);
    const int N = int(s.size()), K = basis.blockSize();
    const auto edges = ev.compute(s, AceDerivatives::Edges);
    const auto forces = ev.compute(s, AceDerivatives::Forces);
    QVERIFY(edges.descriptors == ev.compute(s).descriptors);
    QVERIFY(forces.descriptors == edges.descriptors);
    QCOMPARE(edges.edgeGradients.rows(), qsizetype(3 * edges.neighbors.edgeCount()));
    QCOMPARE(forces.sumGradient.rows(), qsizetype(3 * N));
    const auto J = jacobianFromEdges(edges, N, K);
    checkAdjointForces(basis, s, ev, edges);

    // Force rows are the sum over centre atoms of the per-atom Jacobians, placed in blocks.
    RowMatrix summed = RowMatrix::Zero(3 * N, basis.size());
    for (int i = 0; i < N; ++i)
        summed.middleCols(K * basis.speciesIndex(s.numbers[i]), K) += J[i];
    const double gscale = forces.sumGradient.cwiseAbs().maxCoeff();
    QVERIFY(gscale > 0);
    QVERIFY((summed - forces.sumGradient).cwiseAbs().maxCoeff() <= 1e-12 * gscale);

    const double h = 1e-5;
    double worst = 0.0, scale = 0.0;
    // Per function as well: a high-l function may be orders of magnitude smaller than the
    // largest one, and a wrong gradient there would hide under a global tolerance.
    Eigen::ArrayXd functionWorst = Eigen::ArrayXd::Zero(K), functionScale = Eigen::ArrayXd::Zero(K);
    for (int a = 0; a < N; ++a)
        for (int c = 0; c < 3; ++c) {
            Structure p = s, m = s;
            p.positions[a][c] += h;
            m.positions[a][c] -= h;
            const RowMatrix fd = (ev.compute(p).descriptors - ev.compute(m).descriptors) / (2 * h);
            RowMatrix fdSum = fd.colwise().sum();
            for (int i = 0; i < N; ++i) {
                const int col0 = K * basis.speciesIndex(s.numbers[i]);
                const auto analytic = J[i].row(3 * a + c);
                const auto numeric = fd.row(i).segment(col0, K);
                worst = std::max(worst, (analytic - numeric).cwiseAbs().maxCoeff());
                scale = std::max(scale, numeric.cwiseAbs().maxCoeff());
                functionWorst =
                    functionWorst.max((analytic - numeric).cwiseAbs().transpose().array());
                functionScale = functionScale.max(numeric.cwiseAbs().transpose().array());
            }
            worst =
                std::max(worst, (forces.sumGradient.row(3 * a + c) - fdSum).cwiseAbs().maxCoeff());
        }
    QVERIFY(scale > 1e-3);
    QVERIFY2(worst <= 1e-6 * scale,
             qPrintable(QString("max |analytic − FD| = %1, scale %2").arg(worst).arg(scale)));
    // Central differences with h = 1e-5 are good to ~1e-10 relative; 1e-5 per function, with an
    // absolute floor far below any function that moves at all.
    for (int k = 0; k < K; ++k)
        QVERIFY2(functionWorst[k] <= 1e-5 * functionScale[k] + 1e-10 * scale,
                 qPrintable(QString("function %1 (%2): max |analytic − FD| = %3, its scale %4")
                                .arg(k)
                                .arg(QString::fromStdString(basis.label(k)))
                                .arg(functionWorst[k])
                                .arg(functionScale[k])));
}

} // namespace

class TestAceDerivatives : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void studyBasis();
    void angularBodyOrderFour();
    void bodyOrderFiveSmallCell();
    void selfImagesInTinyCell();
    void fewerThanFourFunctions();
    void partialLastTile();
    void speciesAbsentFromStructure();
    void edgeCountsNotMultiplesOfFour();
    void largeStructureForces();
    void highDegreeOneSpecies();
    void lowAngularWeightHighL();
};

void TestAceDerivatives::studyBasis() {
    AceConfig c;
    c.species = {13, 22};
    checkAgainstFiniteDifferences(AceBasis(c), triclinicCell(1, 8));
}

void TestAceDerivatives::angularBodyOrderFour() {
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 4;
    c.max_degree = 9;
    c.r0 = 2.5;
    c.rcut = 4.5;
    checkAgainstFiniteDifferences(AceBasis(c), triclinicCell(2, 6));
}

void TestAceDerivatives::bodyOrderFiveSmallCell() {
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 5;
    c.max_degree = 7;
    c.wL = 1.5;
    c.rcut = 4.0;
    checkAgainstFiniteDifferences(AceBasis(c), triclinicCell(3, 4));
}

void TestAceDerivatives::selfImagesInTinyCell() {
    // One- and two-atom cells: an atom's own images are neighbours; moving it moves them too.
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 4;
    c.max_degree = 8;
    c.rcut = 4.2;
    Structure one;
    one.cell << 2.9, 0.0, 0.0, 0.4, 3.1, 0.0, 0.3, -0.5, 2.7;
    one.pbc = {true, true, true};
    one.positions = {Vec3(0.1, 0.2, 0.3)};
    one.numbers = {13};
    const AceBasis basis(c);
    AceEvaluator ev(basis);
    const auto d = ev.compute(one, AceDerivatives::Forces);
    // A single atom's sum gradient vanishes: a rigid translation of the whole crystal.
    QVERIFY(d.sumGradient.cwiseAbs().maxCoeff() <
            1e-12 * std::max(1.0, d.descriptors.cwiseAbs().maxCoeff()));
    Structure two = one;
    two.positions.push_back(Vec3(1.6, 1.3, 1.1));
    two.numbers.push_back(22);
    checkAgainstFiniteDifferences(basis, two);
}

void TestAceDerivatives::fewerThanFourFunctions() {
    // One species, body order 2 (ν = 1, l = 0), degree 3: the functions are J_1, J_2, J_3, a
    // block narrower than the 4-function tiles of the chain rule.
    AceConfig c;
    c.species = {13};
    c.body_order = 2;
    c.max_degree = 3;
    const AceBasis basis(c);
    QCOMPARE(basis.blockSize(), 3);
    Structure s = triclinicCell(4, 6);
    std::fill(s.numbers.begin(), s.numbers.end(), 13);
    checkAgainstFiniteDifferences(basis, s);
}

void TestAceDerivatives::partialLastTile() {
    // Two species, body order 2, degree 3: 2 × 3 functions per block, so the last 4-function
    // tile overlaps the first; body order 4, degree 3 gives 17 (one past a multiple of 4).
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 2;
    c.max_degree = 3;
    const AceBasis two(c);
    QCOMPARE(two.blockSize(), 6);
    checkAgainstFiniteDifferences(two, triclinicCell(5, 6));
    c.body_order = 4;
    const AceBasis four(c);
    QVERIFY(four.blockSize() > 4 && four.blockSize() % 4 != 0);
    checkAgainstFiniteDifferences(four, triclinicCell(6, 6));
}

void TestAceDerivatives::speciesAbsentFromStructure() {
    // Three species in the basis, two in the structure: the functions of the absent one have no
    // terms for any neighbour here (skipped), the mixed ones only some, and the absent species'
    // block stays exactly zero in every output.
    AceConfig c;
    c.species = {8, 13, 22};
    c.body_order = 3;
    c.max_degree = 6;
    const AceBasis basis(c);
    const Structure s = triclinicCell(7, 6); // Al and Ti only
    checkAgainstFiniteDifferences(basis, s);
    AceEvaluator ev(basis);
    const auto forces = ev.compute(s, AceDerivatives::Forces);
    const int K = basis.blockSize(); // block 0 = oxygen centres
    QCOMPARE(forces.descriptors.leftCols(K).cwiseAbs().maxCoeff(), 0.0);
    QCOMPARE(forces.sumGradient.leftCols(K).cwiseAbs().maxCoeff(), 0.0);
    QVERIFY(forces.sumGradient.rightCols(2 * K).cwiseAbs().maxCoeff() > 0.0);
}

void TestAceDerivatives::edgeCountsNotMultiplesOfFour() {
    // A cluster where atom 0 has 1, 2, 3 … neighbours of each species as the others move out of
    // range: per-species edge tables of every length modulo 4 (the kernels pad them to 4).
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 4;
    c.max_degree = 7;
    c.rcut = 4.0;
    const AceBasis basis(c);
    std::mt19937 rng(11);
    std::uniform_real_distribution<double> u(-1.0, 1.0);
    for (int atoms = 2; atoms <= 9; ++atoms) {
        Structure s;
        s.pbc = {false, false, false};
        s.positions.push_back(Vec3::Zero());
        s.numbers.push_back(13);
        while (int(s.size()) < atoms) {
            const Vec3 p =
                3.2 * Vec3(u(rng), u(rng), u(rng)).normalized() * (0.55 + 0.4 * std::abs(u(rng)));
            bool ok = true;
            for (const Vec3& q : s.positions)
                ok = ok && (q - p).norm() > 1.4;
            if (ok) {
                s.positions.push_back(p);
                s.numbers.push_back(s.size() % 3 ? 22 : 13);
            }
        }
        checkAgainstFiniteDifferences(basis, s);
    }
}

void TestAceDerivatives::largeStructureForces() {
    // 1800 atoms × 2 × 214 functions: the force matrix is too large for the evaluator's reused
    // buffer and is accumulated in the output itself. Check it against the per-edge output.
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 4;
    c.max_degree = 7;
    c.rcut = 3.0;
    const AceBasis basis(c);
    const int K = basis.blockSize();
    Structure s;
    s.pbc = {true, true, true};
    const int side = 13; // jittered simple cubic, 2.6 Å apart: a few neighbours each
    s.cell = Mat3::Identity() * (2.6 * side);
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-0.3, 0.3);
    for (int a = 0; a < side; ++a)
        for (int b = 0; b < side; ++b)
            for (int d = 0; d < side; ++d) {
                s.positions.push_back(2.6 * Vec3(a, b, d) + Vec3(u(rng), u(rng), u(rng)));
                s.numbers.push_back((a + b + d) % 2 ? 13 : 22);
            }
    s.positions.resize(1800);
    s.numbers.resize(1800);
    const int N = int(s.size());
    QVERIFY(3.0 * N * basis.size() > double(1 << 21)); // beyond the buffered size
    AceEvaluator ev(basis);
    const auto forces = ev.compute(s, AceDerivatives::Forces);
    const auto edges = ev.compute(s, AceDerivatives::Edges);
    QVERIFY(edges.neighbors.edgeCount() > 0);
    RowMatrix summed = RowMatrix::Zero(3 * N, basis.size());
    for (std::size_t e = 0; e < edges.neighbors.edgeCount(); ++e) {
        const int i = edges.neighbors.first[e], j = edges.neighbors.second[e];
        const int col0 = K * basis.speciesIndex(s.numbers[i]);
        for (int k = 0; k < 3; ++k) {
            summed.row(3 * j + k).segment(col0, K) += edges.edgeGradients.row(3 * e + k);
            summed.row(3 * i + k).segment(col0, K) -= edges.edgeGradients.row(3 * e + k);
        }
    }
    const double scale = summed.cwiseAbs().maxCoeff();
    QVERIFY(scale > 0);
    QVERIFY((summed - forces.sumGradient).cwiseAbs().maxCoeff() <= 1e-12 * scale);
    // Translation invariance: the force rows of each direction sum to zero over the atoms.
    for (int k = 0; k < 3; ++k) {
        RowMatrix total = RowMatrix::Zero(1, basis.size());
        for (int a = 0; a < N; ++a)
            total += forces.sumGradient.row(3 * a + k);
        QVERIFY(total.cwiseAbs().maxCoeff() <= 1e-10 * scale);
    }
}

void TestAceDerivatives::highDegreeOneSpecies() {
    // The zuo2020 Si fitting basis (one species, body order 4, degree 12, r0 2.3, rcut 5.5):
    // channels up to l = 5, so the per-channel kernel that fills A and ∂φ handles up to 11
    // values of m at once; A must still match the evaluation without derivatives bit for bit
    // (checked inside), and the many-slot ν = 3 adjoints must agree with finite differences.
    AceConfig c;
    c.species = {14};
    c.body_order = 4;
    c.max_degree = 12;
    c.r0 = 2.3;
    c.rcut = 5.5;
    const AceBasis basis(c);
    QCOMPARE(basis.lmax(), 5);
    QVERIFY(basis.countOfOrder(3) > 0);
    Structure s = triclinicCell(7, 5);
    std::fill(s.numbers.begin(), s.numbers.end(), 14);
    checkAgainstFiniteDifferences(basis, s);
}

void TestAceDerivatives::lowAngularWeightHighL() {
    // The zuo2020 Mo fitting basis (wL 0.25, per-order degrees [20, 10, 7], 345 functions):
    // a small angular weight admits l up to 16, far beyond the other bases, so the recursions
    // for Y_lm and their gradients at high l must agree with finite differences too.
    AceConfig c = graphace::testing::zuo2020RecipeAce(QStringLiteral("Mo"));
    c.species = {42};
    const AceBasis basis(c);
    QCOMPARE(basis.size(), 345);
    QCOMPARE(basis.lmax(), 16);
    Structure s = triclinicCell(8, 5);
    std::fill(s.numbers.begin(), s.numbers.end(), 42);
    checkAgainstFiniteDifferences(basis, s);
}

QTEST_APPLESS_MAIN(TestAceDerivatives)
#include "test_ace_derivatives.moc"
