// The ACE radial basis against the values in docs/science.md §2 (ACE1.jl 0.10.5), plus the
// properties the construction promises (orthonormality, cutoff, derivatives).
#include "graphace/ace_radial_basis.h"

#include <QtTest>

#include <cmath>
#include <stdexcept>
#include <vector>

using graphace::AceRadialBasis;

class TestAceRadialBasis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void recursionCoefficientsMatchNote();
    void valuesMatchNoteTable();
    void orthonormalOnDiscreteMeasure();
    void vanishesWithSlopeAtCutoff();
    void derivativeMatchesFiniteDifference();
    void rejectsBadParameters();
};

void TestAceRadialBasis::recursionCoefficientsMatchNote() {
    const AceRadialBasis R(1.0, 5.0, 3);
    QCOMPARE(R.size(), 3);
    const double A[3] = {1.2122846178990334, 5.227280512910891, 3.8961916731449624};
    const double B[3] = {0.0, -6.4968976031204635, -3.9605854355556303};
    for (int n = 0; n < 3; ++n) {
        QVERIFY2(std::abs(R.a()[n] - A[n]) < 1e-10, qPrintable(QString::number(n)));
        QVERIFY2(std::abs(R.b()[n] - B[n]) < 1e-10, qPrintable(QString::number(n)));
    }
    QVERIFY(std::abs(R.c()[2] - (-0.7453572968815781)) < 1e-10);
    QCOMPARE(R.c()[0], 0.0);
    QCOMPARE(R.c()[1], 0.0);
}

void TestAceRadialBasis::valuesMatchNoteTable() {
    const AceRadialBasis R(1.0, 5.0, 3);
    struct Row {
        double r, j[3];
    };
    const Row table[] = {
        {1.0, {9.578545129079e-01, -1.216108459522e+00, -6.356340513388e-01}},
        {2.0, {1.346982908777e-01, -5.621851138021e-01, 1.152681171311e+00}},
        {3.0, {2.338511994404e-02, -1.213705842692e-01, 3.450475336242e-01}},
        {4.0, {2.897509901546e-03, -1.640144960728e-02, 5.257515166672e-02}},
        {4.9, {1.749062996948e-05, -1.031288360398e-04, 3.492420406810e-04}},
        {5.0, {0.0, 0.0, 0.0}},
        {7.5, {0.0, 0.0, 0.0}},
    };
    for (const Row& row : table) {
        double J[3];
        R.evaluate(row.r, J);
        for (int n = 0; n < 3; ++n) {
            // The note prints 13 significant digits: compare to that precision, and to 1e-10.
            const double tol = std::max(1e-12 * std::abs(row.j[n]), 1e-16);
            QVERIFY2(std::abs(J[n] - row.j[n]) <= tol && std::abs(J[n] - row.j[n]) < 1e-10,
                     qPrintable(QString("r=%1 n=%2: %3 vs %4")
                                    .arg(row.r)
                                    .arg(n + 1)
                                    .arg(J[n], 0, 'g', 15)
                                    .arg(row.j[n], 0, 'g', 15)));
        }
    }
}

void TestAceRadialBasis::orthonormalOnDiscreteMeasure() {
    // Rebuild the measure independently: 1000 midpoints in t, mapped back to r.
    const double r0 = 1.3, rcut = 4.5;
    const int maxn = 8;
    const AceRadialBasis R(r0, rcut, maxn);
    auto t = [&](double r) { return std::pow((1 + r0) / (1 + r), 2); };
    const double tc = t(rcut), ti = t(0.65 * r0);
    std::vector<double> gram(maxn * maxn, 0.0);
    std::vector<double> J(maxn);
    for (int q = 0; q < 1000; ++q) {
        const double tq = tc + (q + 0.5) * (ti - tc) / 1000;
        const double r = (1 + r0) / std::sqrt(tq) - 1; // inverse transform
        QVERIFY(std::abs(R.transform(r) - tq) < 1e-12);
        R.evaluate(r, J.data());
        for (int a = 0; a < maxn; ++a)
            for (int b = 0; b < maxn; ++b)
                gram[a * maxn + b] += J[a] * J[b] / 1000;
    }
    for (int a = 0; a < maxn; ++a)
        for (int b = 0; b < maxn; ++b)
            QVERIFY2(std::abs(gram[a * maxn + b] - (a == b ? 1.0 : 0.0)) < 1e-9,
                     qPrintable(
                         QString("<J%1,J%2> = %3").arg(a + 1).arg(b + 1).arg(gram[a * maxn + b])));
}

void TestAceRadialBasis::vanishesWithSlopeAtCutoff() {
    const AceRadialBasis R(1.0, 5.0, 6);
    double J[6], dJ[6];
    for (double h : {1e-2, 1e-3, 1e-4}) {
        R.evaluate(5.0 - h, J, dJ);
        for (int n = 0; n < 6; ++n) {
            // f = (t − t_cut)² makes J = O(h²) and J' = O(h) below rcut.
            QVERIFY(std::abs(J[n]) < 50 * h * h);
            QVERIFY(std::abs(dJ[n]) < 50 * h);
        }
    }
    R.evaluate(5.0, J, dJ);
    for (int n = 0; n < 6; ++n) {
        QCOMPARE(J[n], 0.0);
        QCOMPARE(dJ[n], 0.0);
    }
}

void TestAceRadialBasis::derivativeMatchesFiniteDifference() {
    const AceRadialBasis R(1.0, 5.0, 10);
    double J[10], dJ[10], Jp[10], Jm[10];
    for (double r : {0.4, 0.9, 1.7, 2.5, 3.3, 4.6, 4.99}) {
        R.evaluate(r, J, dJ);
        double J2[10];
        R.evaluate(r, J2);
        const double h = 1e-6;
        R.evaluate(r + h, Jp);
        R.evaluate(r - h, Jm);
        for (int n = 0; n < 10; ++n) {
            QCOMPARE(J[n], J2[n]);
            const double fd = (Jp[n] - Jm[n]) / (2 * h);
            QVERIFY2(
                std::abs(fd - dJ[n]) < 1e-6 * std::max(1.0, std::abs(dJ[n])),
                qPrintable(QString("r=%1 n=%2 fd=%3 an=%4").arg(r).arg(n + 1).arg(fd).arg(dJ[n])));
        }
    }
}

void TestAceRadialBasis::rejectsBadParameters() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AceRadialBasis(1.0, 5.0, 0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AceRadialBasis(0.0, 5.0, 3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AceRadialBasis(1.0, 0.6, 3));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AceRadialBasis(1.0, std::nan(""), 3));
}

QTEST_APPLESS_MAIN(TestAceRadialBasis)
#include "test_ace_radial_basis.moc"
