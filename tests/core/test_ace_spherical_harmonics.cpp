// Real spherical harmonics (closed forms, orthonormality, gradients) and Clebsch–Gordan
// coefficients (tabulated values, orthogonality).
#include "graphace/ace_clebsch_gordan.h"
#include "graphace/ace_spherical_harmonics.h"

#include <QtTest>

#include <cmath>
#include <vector>

using graphace::AceSphericalHarmonics;
using graphace::clebschGordan;
using graphace::Vec3;

namespace {

// Gauss–Legendre nodes and weights on [−1, 1] (Newton on P_n), independent of the code tested.
void gaussLegendre(int n, std::vector<double>& x, std::vector<double>& w) {
    x.resize(n);
    w.resize(n);
    for (int i = 0; i < n; ++i) {
        double z = std::cos(M_PI * (i + 0.75) / (n + 0.5)), dp = 0.0;
        for (int it = 0; it < 100; ++it) {
            double p0 = 1.0, p1 = z;
            for (int k = 2; k <= n; ++k) {
                const double p2 = ((2 * k - 1) * z * p1 - (k - 1) * p0) / k;
                p0 = p1;
                p1 = p2;
            }
            dp = n * (z * p1 - p0) / (z * z - 1);
            const double dz = p1 / dp;
            z -= dz;
            if (std::abs(dz) < 1e-16)
                break;
        }
        x[i] = z;
        w[i] = 2 / ((1 - z * z) * dp * dp);
    }
}

} // namespace

class TestAceSphericalHarmonics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void closedForms();
    void orthonormalOnSphere();
    void independentOfLength();
    void gradientMatchesFiniteDifference();
    void edgeTablesMatchOneByOne();
    void clebschGordanValues();
    void clebschGordanOrthogonality();
};

void TestAceSphericalHarmonics::closedForms() {
    const AceSphericalHarmonics sh(3);
    QCOMPARE(sh.size(), 16);
    const Vec3 r(0.3, -1.1, 0.7);
    const Vec3 u = r.normalized();
    const double x = u.x(), y = u.y(), z = u.z();
    std::vector<double> Y(sh.size());
    sh.evaluate(r, Y.data());
    const double pi = M_PI;
    const double c1 = std::sqrt(3 / (4 * pi));
    const double expect[][3] = {
        {0, 0, 1 / (2 * std::sqrt(pi))},
        {1, -1, c1 * y},
        {1, 0, c1 * z},
        {1, 1, c1 * x},
        {2, -2, 0.5 * std::sqrt(15 / pi) * x * y},
        {2, -1, 0.5 * std::sqrt(15 / pi) * y * z},
        {2, 0, 0.25 * std::sqrt(5 / pi) * (3 * z * z - 1)},
        {2, 1, 0.5 * std::sqrt(15 / pi) * x * z},
        {2, 2, 0.25 * std::sqrt(15 / pi) * (x * x - y * y)},
        {3, -3, 0.25 * std::sqrt(35 / (2 * pi)) * y * (3 * x * x - y * y)},
        {3, 0, 0.25 * std::sqrt(7 / pi) * z * (5 * z * z - 3)},
        {3, 2, 0.25 * std::sqrt(105 / pi) * z * (x * x - y * y)},
    };
    for (const auto& e : expect) {
        const int l = int(e[0]), m = int(e[1]);
        QVERIFY2(std::abs(Y[AceSphericalHarmonics::index(l, m)] - e[2]) < 1e-14,
                 qPrintable(QString("l=%1 m=%2").arg(l).arg(m)));
    }
}

void TestAceSphericalHarmonics::orthonormalOnSphere() {
    const int L = 8;
    const AceSphericalHarmonics sh(L);
    // Product rule exact for degree ≤ 2L: Gauss–Legendre in cos θ, uniform in φ.
    std::vector<double> zs, ws;
    gaussLegendre(L + 2, zs, ws);
    const int nphi = 2 * L + 3;
    const int n = sh.size();
    std::vector<double> gram(n * n, 0.0), Y(n);
    for (std::size_t a = 0; a < zs.size(); ++a)
        for (int b = 0; b < nphi; ++b) {
            const double phi = 2 * M_PI * b / nphi, s = std::sqrt(1 - zs[a] * zs[a]);
            sh.evaluate(Vec3(s * std::cos(phi), s * std::sin(phi), zs[a]), Y.data());
            const double w = ws[a] * 2 * M_PI / nphi;
            for (int i = 0; i < n; ++i)
                for (int j = 0; j < n; ++j)
                    gram[i * n + j] += w * Y[i] * Y[j];
        }
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            QVERIFY2(std::abs(gram[i * n + j] - (i == j ? 1.0 : 0.0)) < 1e-12,
                     qPrintable(QString("<%1,%2> = %3").arg(i).arg(j).arg(gram[i * n + j])));
}

void TestAceSphericalHarmonics::independentOfLength() {
    const AceSphericalHarmonics sh(6);
    std::vector<double> a(sh.size()), b(sh.size());
    sh.evaluate(Vec3(0.2, 0.5, -0.9), a.data());
    sh.evaluate(Vec3(0.2, 0.5, -0.9) * 3.7, b.data());
    for (int i = 0; i < sh.size(); ++i)
        QVERIFY(std::abs(a[i] - b[i]) < 1e-14);
}

void TestAceSphericalHarmonics::gradientMatchesFiniteDifference() {
    const AceSphericalHarmonics sh(7);
    const int n = sh.size();
    std::vector<double> Y(n), dY(3 * n), Yp(n), Ym(n), Y0(n);
    for (const Vec3& r :
         {Vec3(0.3, -1.1, 0.7), Vec3(0.0, 0.0, 2.0), Vec3(-1.5, 0.2, -0.1), Vec3(1e-3, 2.0, 0.0)}) {
        sh.evaluate(r, Y.data(), dY.data());
        sh.evaluate(r, Y0.data());
        for (int i = 0; i < n; ++i)
            QCOMPARE(Y[i], Y0[i]);
        for (int k = 0; k < 3; ++k) {
            const double h = 1e-6;
            Vec3 rp = r, rm = r;
            rp[k] += h;
            rm[k] -= h;
            sh.evaluate(rp, Yp.data());
            sh.evaluate(rm, Ym.data());
            for (int i = 0; i < n; ++i) {
                const double fd = (Yp[i] - Ym[i]) / (2 * h);
                QVERIFY2(std::abs(fd - dY[3 * i + k]) < 1e-7,
                         qPrintable(QString("lm=%1 k=%2 fd=%3 an=%4")
                                        .arg(i)
                                        .arg(k)
                                        .arg(fd)
                                        .arg(dY[3 * i + k])));
            }
        }
    }
}

// evaluateEdges (edge-minor tables, vector lanes) against evaluate(), edge by edge: whole groups
// of four edges and a remainder, directions along the axes (the poles) included.
void TestAceSphericalHarmonics::edgeTablesMatchOneByOne() {
    for (int lmax : {0, 3, 16}) {
        const AceSphericalHarmonics h(lmax);
        const int n = h.size();
        for (int E : {1, 4, 7, 12}) {
            std::vector<Vec3> r;
            for (int e = 0; e < E; ++e)
                r.push_back(e % 5 == 0 ? Vec3(0.0, 0.0, e % 2 ? -2.5 : 2.5)
                                       : Vec3(std::sin(1.3 * e) * (1.0 + 0.2 * e),
                                              std::cos(0.7 * e) - 0.3, 0.4 * e - 1.1));
            std::vector<double> ux(E), uy(E), uz(E), inv(E);
            for (int e = 0; e < E; ++e) {
                inv[e] = 1.0 / r[e].norm();
                ux[e] = r[e].x() * inv[e];
                uy[e] = r[e].y() * inv[e];
                uz[e] = r[e].z() * inv[e];
            }
            std::vector<double> Y(std::size_t(n) * E, NAN), dY(3 * Y.size(), NAN),
                Yonly(Y.size(), NAN);
            h.evaluateEdges(ux.data(), uy.data(), uz.data(), inv.data(), E, Y.data(), dY.data());
            h.evaluateEdges(ux.data(), uy.data(), uz.data(), inv.data(), E, Yonly.data(), nullptr);
            std::vector<double> y(n), dy(3 * n);
            for (int e = 0; e < E; ++e) {
                h.evaluate(r[e], y.data(), dy.data());
                for (int k = 0; k < n; ++k) {
                    QVERIFY2(std::abs(Y[std::size_t(k) * E + e] - y[k]) <= 1e-13,
                             qPrintable(QString("lmax %1, E %2, edge %3, lm %4: %5 against %6")
                                            .arg(lmax)
                                            .arg(E)
                                            .arg(e)
                                            .arg(k)
                                            .arg(Y[std::size_t(k) * E + e])
                                            .arg(y[k])));
                    QCOMPARE(Yonly[std::size_t(k) * E + e], Y[std::size_t(k) * E + e]);
                    for (int c = 0; c < 3; ++c)
                        QVERIFY2(std::abs(dY[(3 * std::size_t(k) + c) * E + e] - dy[3 * k + c]) <=
                                     1e-12 * (1.0 + std::abs(dy[3 * k + c])),
                                 qPrintable(QString("lmax %1, E %2, edge %3, dY lm %4, c %5")
                                                .arg(lmax)
                                                .arg(E)
                                                .arg(e)
                                                .arg(k)
                                                .arg(c)));
                }
            }
        }
    }
}

void TestAceSphericalHarmonics::clebschGordanValues() {
    // Textbook values (Condon–Shortley).
    QVERIFY(std::abs(clebschGordan(1, 1, 1, -1, 0, 0) - 1 / std::sqrt(3.0)) < 1e-14);
    QVERIFY(std::abs(clebschGordan(1, 0, 1, 0, 0, 0) + 1 / std::sqrt(3.0)) < 1e-14);
    QVERIFY(std::abs(clebschGordan(1, 1, 1, -1, 1, 0) - 1 / std::sqrt(2.0)) < 1e-14);
    QVERIFY(std::abs(clebschGordan(1, 0, 1, 0, 1, 0)) < 1e-14);
    QVERIFY(std::abs(clebschGordan(1, 1, 1, 0, 2, 1) - 1 / std::sqrt(2.0)) < 1e-14);
    QVERIFY(std::abs(clebschGordan(1, 0, 1, 0, 2, 0) - std::sqrt(2.0 / 3.0)) < 1e-14);
    QVERIFY(std::abs(clebschGordan(2, 1, 1, -1, 1, 0) - std::sqrt(3.0 / 10.0)) < 1e-14);
    // ⟨l m l −m | 0 0⟩ = (−1)^{l−m} / √(2l+1)
    for (int l = 0; l <= 6; ++l)
        for (int m = -l; m <= l; ++m)
            QVERIFY(std::abs(clebschGordan(l, m, l, -m, 0, 0) -
                             ((l - m) % 2 ? -1.0 : 1.0) / std::sqrt(2 * l + 1.0)) < 1e-14);
    QCOMPARE(clebschGordan(1, 1, 1, 1, 1, 1), 0.0); // M ≠ m1 + m2
    QCOMPARE(clebschGordan(1, 0, 1, 0, 3, 0), 0.0); // triangle
}

void TestAceSphericalHarmonics::clebschGordanOrthogonality() {
    // Σ_{m1 m2} ⟨j1 m1 j2 m2|J M⟩⟨j1 m1 j2 m2|J' M'⟩ = δ_JJ' δ_MM'
    for (int j1 = 0; j1 <= 5; ++j1)
        for (int j2 = 0; j2 <= 4; ++j2)
            for (int J = std::abs(j1 - j2); J <= j1 + j2; ++J)
                for (int Jp = std::abs(j1 - j2); Jp <= j1 + j2; ++Jp)
                    for (int M = -std::min(J, Jp); M <= std::min(J, Jp); ++M) {
                        double s = 0.0;
                        for (int m1 = -j1; m1 <= j1; ++m1)
                            s += clebschGordan(j1, m1, j2, M - m1, J, M) *
                                 clebschGordan(j1, m1, j2, M - m1, Jp, M);
                        QVERIFY(std::abs(s - (J == Jp ? 1.0 : 0.0)) < 1e-13);
                    }
}

QTEST_APPLESS_MAIN(TestAceSphericalHarmonics)
#include "test_ace_spherical_harmonics.moc"
