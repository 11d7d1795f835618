// Analytic derivatives of ACE descriptors against central finite differences (triclinic cells,
// two species, l > 0 couplings up to ν = 4).
#include "graphace/ace_descriptors.h"

#include <QtTest>

#include <cmath>
#include <random>

using namespace graphace;

namespace {

Structure triclinicCell(unsigned seed, int atoms) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Structure s;
    s.cell << 4.6, 0.0, 0.0, 1.1, 4.4, 0.0, -0.8, 0.9, 4.9;
    s.pbc = {true, true, true};
    while (int(s.size()) < atoms) {
        const Vec3 p = (Eigen::RowVector3d(u(rng), u(rng), u(rng)) * s.cell).transpose();
        bool ok = true;
        for (const Vec3& q : s.positions)
            for (int a = -1; a <= 1; ++a)
                for (int b = -1; b <= 1; ++b)
                    for (int c = -1; c <= 1; ++c)
                        ok = ok &&
                             (q + (Eigen::RowVector3d(a, b, c) * s.cell).transpose() - p).norm() >
                                 1.5;
        if (ok) {
            s.positions.push_back(p);
            s.numbers.push_back(s.size() % 2 ? 22 : 13);
        }
    }
    return s;
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

    // Force rows are the sum over centre atoms of the per-atom Jacobians, placed in blocks.
    RowMatrix summed = RowMatrix::Zero(3 * N, basis.size());
    for (int i = 0; i < N; ++i)
        summed.middleCols(K * basis.speciesIndex(s.numbers[i]), K) += J[i];
    const double gscale = forces.sumGradient.cwiseAbs().maxCoeff();
    QVERIFY(gscale > 0);
    QVERIFY((summed - forces.sumGradient).cwiseAbs().maxCoeff() <= 1e-12 * gscale);

    const double h = 1e-5;
    double worst = 0.0, scale = 0.0;
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
            }
            worst =
                std::max(worst, (forces.sumGradient.row(3 * a + c) - fdSum).cwiseAbs().maxCoeff());
        }
    QVERIFY(scale > 1e-3);
    QVERIFY2(worst <= 1e-6 * scale,
             qPrintable(QString("max |analytic − FD| = %1, scale %2").arg(worst).arg(scale)));
}

} // namespace

class TestAceDerivatives : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void studyBasis();
    void angularBodyOrderFour();
    void bodyOrderFiveSmallCell();
    void selfImagesInTinyCell();
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

QTEST_APPLESS_MAIN(TestAceDerivatives)
#include "test_ace_derivatives.moc"
