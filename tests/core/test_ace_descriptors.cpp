// ACE descriptors over structures: the study's (3,3) closed form, symmetries, cutoff, l > 0.
#include "graphace/ace_benchmark.h"
#include "graphace/ace_descriptors.h"
#include "graphace/extxyz.h"

#include "recipes.h"
#include "testing.h"

#include <Eigen/Geometry>
#include <Eigen/SVD>

#include <QtTest>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>

using namespace graphace;

namespace {

Mat3 rotation(double a, double b, double c) {
    Eigen::AngleAxisd x(a, Vec3::UnitX()), y(b, Vec3::UnitY()), z(c, Vec3::UnitZ());
    return (z * y * x).toRotationMatrix();
}

// A triclinic periodic HfO2-like cell with a few atoms, built in code.
Structure triclinicHfO(unsigned seed, int atoms = 12) {
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    Structure s;
    s.cell << 5.1, 0.0, 0.0, 0.9, 5.3, 0.0, -0.7, 0.6, 5.2;
    s.pbc = {true, true, true};
    for (int k = 0; k < atoms; ++k) {
        // Rejection keeps atoms ≥ 1.6 Å apart (all images), like a real oxide.
        for (int attempt = 0; attempt < 1000; ++attempt) {
            const Vec3 frac(u(rng), u(rng), u(rng));
            const Vec3 p = (frac.transpose() * s.cell).transpose();
            bool ok = true;
            for (const Vec3& q : s.positions)
                for (int a = -1; a <= 1 && ok; ++a)
                    for (int b = -1; b <= 1 && ok; ++b)
                        for (int c = -1; c <= 1 && ok; ++c) {
                            const Vec3 shift = (Eigen::RowVector3d(a, b, c) * s.cell).transpose();
                            ok = (q + shift - p).norm() > 1.6;
                        }
            if (ok) {
                s.positions.push_back(p);
                s.numbers.push_back(k % 3 == 0 ? 72 : 8);
                break;
            }
        }
    }
    return s;
}

// The study's 13 numbers of one atom in closed form (docs/science.md §2), with its own image
// loop: O_n = Y00 Σ_{j∈O} J_n(r_ij), Hf_n likewise.
std::vector<double> closedForm(const Structure& s, int i, const AceRadialBasis& R) {
    const double Y00 = 0.5 / std::sqrt(M_PI);
    double O[3] = {0, 0, 0}, H[3] = {0, 0, 0};
    const double rcut = R.rcut();
    int reach[3];
    const double volume = std::abs(s.cell.determinant());
    for (int k = 0; k < 3; ++k) {
        const Vec3 a = s.cell.row((k + 1) % 3), b = s.cell.row((k + 2) % 3);
        reach[k] = s.pbc[k] ? int(std::ceil(rcut / (volume / a.cross(b).norm()))) : 0;
    }
    for (std::size_t j = 0; j < s.size(); ++j)
        for (int a = -reach[0]; a <= reach[0]; ++a)
            for (int b = -reach[1]; b <= reach[1]; ++b)
                for (int c = -reach[2]; c <= reach[2]; ++c) {
                    if (int(j) == i && a == 0 && b == 0 && c == 0)
                        continue;
                    const Vec3 shift = (Eigen::RowVector3d(a, b, c) * s.cell).transpose();
                    const double r = (s.positions[j] + shift - s.positions[i]).norm();
                    double J[3];
                    R.evaluate(r, J);
                    for (int n = 0; n < 3; ++n)
                        (s.numbers[j] == 8 ? O : H)[n] += Y00 * J[n];
                }
    const double r2 = std::sqrt(2.0);
    return {O[0],
            O[1],
            O[2],
            H[0],
            H[1],
            H[2],
            r2 * O[0] * O[0],
            O[0] * O[1],
            O[0] * H[0],
            O[0] * H[1],
            O[1] * H[0],
            r2 * H[0] * H[0],
            H[0] * H[1]};
}

AceConfig studyConfig() {
    AceConfig c;
    c.species = {8, 72};
    return c; // body order 3, degree 3, wL = csp = 1, r0 = 1, rcut = 5
}

AceConfig highConfig() {
    AceConfig c;
    c.species = {8, 72};
    c.body_order = 4;
    c.max_degree = 9;
    return c;
}

double maxAbs(const RowMatrix& m) {
    return m.cwiseAbs().maxCoeff();
}

// |a − b| ≤ tol · max|a| elementwise, and per function (column): |a_k − b_k| ≤ tol · max|a_k|
// + 1e-14 · max|a|, so a small high-l function is held to its own scale, not the largest one's.
bool close(const RowMatrix& a, const RowMatrix& b, double tol, QString* why = nullptr) {
    if (a.rows() != b.rows() || a.cols() != b.cols())
        return false;
    const double scale = std::max(maxAbs(a), 1e-300);
    const RowMatrix diff = (a - b).cwiseAbs();
    const double worst = diff.maxCoeff();
    bool ok = worst <= tol * scale;
    int worstColumn = -1;
    double worstRatio = 0.0;
    for (Eigen::Index k = 0; k < a.cols(); ++k) {
        const double columnScale = a.col(k).cwiseAbs().maxCoeff();
        const double columnDiff = diff.col(k).maxCoeff();
        const double ratio = columnDiff / (tol * columnScale + 1e-14 * scale);
        if (ratio > worstRatio) {
            worstRatio = ratio;
            worstColumn = int(k);
        }
    }
    ok = ok && worstRatio <= 1.0;
    if (why)
        *why = QString("max diff %1, scale %2; worst function %3 at %4 of its tolerance")
                   .arg(worst)
                   .arg(scale)
                   .arg(worstColumn)
                   .arg(worstRatio);
    return ok;
}

std::vector<Structure> hfo2Samples() {
    std::vector<Structure> out;
    for (const char* name :
         {"hfo2/HfO2_mp352_ads_form_sorted.extxyz", "hfo2/Hf_mp103_ads_form_sorted.extxyz"}) {
        const QString path = graphace::testing::sharedDataDir() + "/" + name;
        const Dataset d = readExtxyzFile(path.toStdString());
        out.push_back(d.structures.front());
        out.push_back(d.structures.back());
    }
    return out;
}

} // namespace

class TestAceDescriptors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void studyClosedFormOnBuiltCells();
    void studyClosedFormOnHfO2Files();
    void symmetriesStudyBasis();
    void symmetriesWithAngularTerms();
    void symmetriesOnRealFiles();
    void decaysToZeroAtCutoff();
    void angularFunctionsAreIndependent();
    void datasetMatchesSingleStructures();
    void rejectsUnknownSpecies();
    void evaluatorReuseMatchesFreshEvaluator();
    void benchmarkBasisClosestToSize();
    void benchmarkBestOfCounts();
};

void TestAceDescriptors::studyClosedFormOnBuiltCells() {
    const AceBasis basis(studyConfig());
    AceEvaluator ev(basis);
    for (unsigned seed : {1u, 2u, 3u}) {
        const Structure s = triclinicHfO(seed);
        const RowMatrix B = ev.compute(s).descriptors;
        QCOMPARE(B.cols(), 26);
        for (int i = 0; i < int(s.size()); ++i) {
            const auto expect = closedForm(s, i, basis.radial());
            const int block = s.numbers[i] == 8 ? 0 : 1; // O-centred block first
            for (int k = 0; k < 13; ++k) {
                QVERIFY2(std::abs(B(i, 13 * block + k) - expect[k]) <=
                             1e-12 * std::max(1.0, std::abs(expect[k])),
                         qPrintable(QString("atom %1 fn %2: %3 vs %4")
                                        .arg(i)
                                        .arg(k)
                                        .arg(B(i, 13 * block + k))
                                        .arg(expect[k])));
                QCOMPARE(B(i, 13 * (1 - block) + k), 0.0); // the other block stays empty
            }
        }
    }
}

void TestAceDescriptors::studyClosedFormOnHfO2Files() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    const AceBasis basis(studyConfig());
    AceEvaluator ev(basis);
    for (const Structure& s : hfo2Samples()) {
        const RowMatrix B = ev.compute(s).descriptors;
        for (int i = 0; i < int(s.size()); ++i) {
            const auto expect = closedForm(s, i, basis.radial());
            const int block = s.numbers[i] == 8 ? 0 : 1;
            for (int k = 0; k < 13; ++k)
                QVERIFY2(std::abs(B(i, 13 * block + k) - expect[k]) <=
                             1e-12 * std::max(1.0, std::abs(expect[k])),
                         qPrintable(QString("%1 atom %2 fn %3")
                                        .arg(QString::fromStdString(s.sourceFile))
                                        .arg(i)
                                        .arg(k)));
        }
    }
}

namespace {

// Symmetries of the descriptors alone: every structure goes through the O(N²) reference
// neighbour search, so a cell-list problem cannot hide or fake a symmetry failure. The
// production path (computeNeighborList) is compared with it separately.
struct ReferenceEvaluator {
    AceEvaluator ev;
    double rcut;
    explicit ReferenceEvaluator(const AceBasis& basis) : ev(basis), rcut(basis.config().rcut) {}
    AceStructureDescriptors compute(const Structure& s) {
        return ev.compute(s, bruteForceNeighborList(s, rcut));
    }
};

void checkSymmetries(const AceBasis& basis, const Structure& s, double tol) {
    ReferenceEvaluator ev(basis);
    const RowMatrix B = ev.compute(s).descriptors;
    QVERIFY(maxAbs(B) > 0);
    QString why;
    AceEvaluator production(basis);
    QVERIFY2(close(production.compute(s).descriptors, B, 1e-12, &why),
             qPrintable("computeNeighborList vs bruteForceNeighborList " + why));

    Structure rotated = s;
    const Mat3 R = rotation(0.3, -1.2, 2.1);
    for (auto& p : rotated.positions)
        p = R * p;
    rotated.cell = s.cell * R.transpose(); // rows are lattice vectors
    QVERIFY2(close(ev.compute(rotated).descriptors, B, tol, &why), qPrintable("rotation " + why));

    Structure inverted = s; // Σl even: invariant under inversion as well
    for (auto& p : inverted.positions)
        p = -p;
    inverted.cell = -s.cell;
    QVERIFY2(close(ev.compute(inverted).descriptors, B, tol, &why), qPrintable("inversion " + why));

    Structure moved = s;
    for (auto& p : moved.positions)
        p += Vec3(13.7, -4.2, 0.77);
    QVERIFY2(close(ev.compute(moved).descriptors, B, tol, &why), qPrintable("translation " + why));

    Structure permuted = s;
    const int n = int(s.size());
    std::vector<int> perm(n);
    std::iota(perm.begin(), perm.end(), 0);
    std::mt19937 rng(5);
    std::shuffle(perm.begin(), perm.end(), rng);
    for (int i = 0; i < n; ++i) {
        permuted.positions[i] = s.positions[perm[i]];
        permuted.numbers[i] = s.numbers[perm[i]];
    }
    const RowMatrix Bp = ev.compute(permuted).descriptors;
    RowMatrix back(n, B.cols());
    for (int i = 0; i < n; ++i)
        back.row(perm[i]) = Bp.row(i);
    QVERIFY2(close(back, B, tol, &why), qPrintable("permutation " + why));

    if (s.isPeriodic()) {
        Structure imaged = s; // other periodic images of two atoms
        for (int k = 0; k < 3; ++k) {
            const Vec3 a = s.cell.row(k).transpose();
            if (s.pbc[k]) {
                imaged.positions[0] += (k == 0 ? 1 : -2) * a;
                imaged.positions[n - 1] += a;
            }
        }
        QVERIFY2(close(ev.compute(imaged).descriptors, B, tol, &why),
                 qPrintable("periodic image " + why));
    }
}

} // namespace

void TestAceDescriptors::symmetriesStudyBasis() {
    const AceBasis basis(studyConfig());
    for (unsigned seed : {11u, 12u})
        checkSymmetries(basis, triclinicHfO(seed), 1e-10);
}

void TestAceDescriptors::symmetriesWithAngularTerms() {
    const AceBasis basis(highConfig());
    QVERIFY(basis.lmax() >= 3);
    for (unsigned seed : {21u, 22u})
        checkSymmetries(basis, triclinicHfO(seed, 9), 1e-10);
    // Body order 5 as well (ν = 4 couplings), on a non-periodic cluster.
    AceConfig c = highConfig();
    c.body_order = 5;
    c.max_degree = 8;
    const AceBasis b5(c);
    QVERIFY(b5.countOfOrder(4) > 0);
    Structure cluster = triclinicHfO(23, 10);
    cluster.pbc = {false, false, false};
    checkSymmetries(b5, cluster, 1e-10);
}

void TestAceDescriptors::symmetriesOnRealFiles() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    const auto samples = hfo2Samples();
    const AceBasis study(studyConfig());
    const AceBasis high(highConfig());
    checkSymmetries(study, samples[0], 1e-10);
    checkSymmetries(high, samples[0], 1e-10);
    checkSymmetries(high, samples[3], 1e-10);
    // The zuo2020 Mo recipe (wL 0.25, l up to 16) on a hot Mo cell of the benchmark set.
    const QString mo = graphace::testing::sharedDataDir() + "/zuo2020/Mo_test.xyz";
    if (QFile::exists(mo)) {
        AceConfig c = graphace::testing::zuo2020RecipeAce(QStringLiteral("Mo"));
        c.species = {42};
        const AceBasis recipe(c);
        QCOMPARE(recipe.lmax(), 16);
        checkSymmetries(recipe, readExtxyzFile(mo.toStdString()).structures.at(7), 1e-10);
    }
}

void TestAceDescriptors::decaysToZeroAtCutoff() {
    const AceBasis basis(highConfig());
    AceEvaluator ev(basis);
    Structure pair;
    pair.numbers = {8, 72, 8};
    auto at = [&](double d) {
        // O at the origin, Hf at distance d along a skew direction, far O beyond reach.
        pair.positions = {Vec3(0, 0, 0), d * Vec3(0.48, 0.6, 0.64), Vec3(40, 0, 0)};
        return ev.compute(pair).descriptors;
    };
    double previous = std::numeric_limits<double>::infinity();
    for (double h : {0.1, 0.01, 0.001, 1e-4}) {
        const double size = maxAbs(at(5.0 - h));
        QVERIFY(size > 0);
        QVERIFY(size < previous);
        QVERIFY(size < 20 * h * h); // J_n = O(h²), products even smaller
        previous = size;
    }
    QCOMPARE(maxAbs(at(5.0)), 0.0);
    QCOMPARE(maxAbs(at(5.3)), 0.0);
}

void TestAceDescriptors::angularFunctionsAreIndependent() {
    // Removing dependent couplings must leave functions that are linearly independent as
    // functions of the environment: sample many random environments, check full column rank.
    for (int bodyOrder : {4, 5}) {
        AceConfig c;
        c.species = {14};
        c.body_order = bodyOrder;
        c.max_degree = 8;
        const AceBasis basis(c);
        QVERIFY(basis.countOfOrder(bodyOrder - 1) > 0);
        AceEvaluator ev(basis);
        std::mt19937 rng(7);
        std::uniform_real_distribution<double> u(-1.0, 1.0), dist(1.0, 4.8);
        const int samples = 3 * basis.blockSize();
        Eigen::MatrixXd M(samples, basis.blockSize());
        for (int q = 0; q < samples; ++q) {
            Structure s; // atom 0 and a random non-periodic environment
            s.positions.push_back(Vec3::Zero());
            s.numbers.push_back(14);
            const int neighbours = 3 + q % 6;
            for (int k = 0; k < neighbours; ++k) {
                Vec3 d(u(rng), u(rng), u(rng));
                s.positions.push_back(dist(rng) * d.normalized());
                s.numbers.push_back(14);
            }
            M.row(q) = ev.compute(s, bruteForceNeighborList(s, c.rcut)).descriptors.row(0);
        }
        // Scale columns so the rank test is not dominated by units.
        for (int k = 0; k < M.cols(); ++k)
            M.col(k) /= M.col(k).norm();
        Eigen::JacobiSVD<Eigen::MatrixXd> svd(M);
        const auto sv = svd.singularValues();
        QVERIFY2(sv(sv.size() - 1) > 1e-8 * sv(0),
                 qPrintable(QString("body order %1: smallest singular value %2 of %3")
                                .arg(bodyOrder)
                                .arg(sv(sv.size() - 1))
                                .arg(sv(0))));
    }
}

void TestAceDescriptors::datasetMatchesSingleStructures() {
    const AceBasis basis(highConfig());
    Dataset data;
    for (unsigned seed = 30; seed < 36; ++seed)
        data.structures.push_back(triclinicHfO(seed, 6 + seed % 4));
    std::vector<double> fractions;
    const auto all = computeAceDescriptors(basis, data, AceDerivatives::Forces, 2, [&](double f) {
        fractions.push_back(f);
        return true;
    });
    QCOMPARE(all.size(), data.size());
    AceEvaluator ev(basis);
    for (std::size_t k = 0; k < data.size(); ++k) {
        const auto one = ev.compute(data.structures[k], AceDerivatives::Forces);
        QVERIFY(all[k].descriptors == one.descriptors);
        QVERIFY(all[k].sumGradient == one.sumGradient);
    }
    QVERIFY(!fractions.empty());
    QCOMPARE(fractions.back(), 1.0);
    // Cancelling through the callback stops the run.
    QVERIFY_THROWS_EXCEPTION(Cancelled, computeAceDescriptors(basis, data, AceDerivatives::None, 1,
                                                              [](double) { return false; }));
}

void TestAceDescriptors::rejectsUnknownSpecies() {
    const AceBasis basis(studyConfig());
    AceEvaluator ev(basis);
    Structure s = triclinicHfO(40, 4);
    s.numbers[2] = 14;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ev.compute(s));
    Structure bad = triclinicHfO(41, 4);
    bad.numbers.pop_back();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ev.compute(bad, NeighborList{}));
    Structure overlap = triclinicHfO(42, 4);
    overlap.positions[1] = overlap.positions[0];
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, ev.compute(overlap));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             ev.compute(triclinicHfO(43, 4), NeighborList{})); // cutoff 0 < rcut
}

void TestAceDescriptors::evaluatorReuseMatchesFreshEvaluator() {
    // One evaluator keeps scratch and force buffers across structures of different sizes and
    // modes; every result must equal that of a fresh evaluator, bit for bit.
    const AceBasis basis(highConfig());
    AceEvaluator reused(basis);
    const AceDerivatives modes[] = {AceDerivatives::Forces, AceDerivatives::None,
                                    AceDerivatives::Edges, AceDerivatives::Forces};
    int k = 0;
    for (int atoms : {12, 5, 9, 3}) {
        const Structure s = triclinicHfO(50 + atoms, atoms);
        const AceDerivatives mode = modes[k++];
        const auto a = reused.compute(s, mode);
        AceEvaluator fresh(basis);
        const auto b = fresh.compute(s, mode);
        QVERIFY(a.descriptors == b.descriptors);
        QVERIFY(a.sumGradient == b.sumGradient);
        QVERIFY(a.edgeGradients == b.edgeGradients);
        QCOMPARE(a.sumGradient.rows(), mode == AceDerivatives::Forces ? qsizetype(3 * atoms) : 0);
    }
}

void TestAceDescriptors::benchmarkBasisClosestToSize() {
    AceConfig base = highConfig();
    const std::vector<int> degrees = {5, 6, 7, 8};
    const std::vector<double> wLs = {1.0, 1.5, 2.0};
    for (int target : {100, 300, 500}) {
        const AceConfig chosen = aceConfigClosestToSize(base, target, degrees, wLs);
        QCOMPARE(chosen.body_order, base.body_order);
        QVERIFY(chosen.species == base.species);
        QVERIFY(std::find(degrees.begin(), degrees.end(), chosen.max_degree) != degrees.end());
        QVERIFY(std::find(wLs.begin(), wLs.end(), chosen.wL) != wLs.end());
        const int size = AceBasis(chosen).size();
        // No candidate is closer; among equally close ones the smallest is chosen.
        for (int d : degrees)
            for (double w : wLs) {
                AceConfig c = base;
                c.max_degree = d;
                c.wL = w;
                const int other = AceBasis(c).size();
                QVERIFY2(std::abs(other - target) > std::abs(size - target) ||
                             (std::abs(other - target) == std::abs(size - target) && other >= size),
                         qPrintable(QString("target %1: chose %2, degree %3 wL %4 gives %5")
                                        .arg(target)
                                        .arg(size)
                                        .arg(d)
                                        .arg(w)
                                        .arg(other)));
            }
    }
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, aceConfigClosestToSize(base, 300, {}, wLs));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, aceConfigClosestToSize(base, 300, {7}, {}));
}

void TestAceDescriptors::benchmarkBestOfCounts() {
    // What the benchmark says it measured: atoms, edges within rcut, basis size, passes.
    const AceBasis basis(studyConfig());
    Dataset data;
    for (unsigned seed = 60; seed < 63; ++seed)
        data.structures.push_back(triclinicHfO(seed, 5 + seed % 3));
    long long edges = 0;
    for (const Structure& s : data.structures)
        edges += static_cast<long long>(computeNeighborList(s, basis.config().rcut).edgeCount());
    const AceBenchmarkResult r = benchmarkAceBestOf(basis, data, AceDerivatives::Forces, 2);
    QCOMPARE(r.atoms, static_cast<long long>(data.atomCount()));
    QCOMPARE(r.edges, edges);
    QCOMPARE(r.basisSize, 26);
    QCOMPARE(r.passes, 2);
    QCOMPARE(r.threads, 1);
    QCOMPARE(r.neighboursPerAtom(), double(edges) / double(data.atomCount()));
    QVERIFY(r.totalSeconds > 0.0 && r.evaluationSeconds > 0.0 && r.neighborSeconds > 0.0);
    QVERIFY(QString::fromStdString(r.summary()).contains("26 functions"));
}

QTEST_APPLESS_MAIN(TestAceDescriptors)
#include "test_ace_descriptors.moc"
