// The stable least-squares solver and the regression metrics shared by linear fits and networks.

#include "testing.h"

#include "graphace/least_squares.h"
#include "graphace/regression_metrics.h"

#include <Eigen/Dense>

#include <random>

using namespace graphace;

namespace {

Eigen::MatrixXd randomMatrix(int rows, int columns, std::uint64_t seed) {
    std::mt19937_64 engine(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    Eigen::MatrixXd m(rows, columns);
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < columns; ++c)
            m(r, c) = uniform(engine);
    return m;
}

} // namespace

class TestLeastSquares : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recoversCoefficientsAcrossWildScales() {
        // Columns spanning 12 orders of magnitude: raw normal equations would lose everything.
        Eigen::MatrixXd x = randomMatrix(200, 8, 1);
        Eigen::VectorXd scales(8);
        scales << 1e-6, 1e-4, 1e-2, 1, 1e2, 1e4, 1e6, 1;
        x = x * scales.asDiagonal();
        Eigen::VectorXd truth(8);
        truth << 3e5, -2e3, 40, 1.5, -0.02, 3e-4, -5e-6, 7;
        const Eigen::VectorXd y = x * truth;
        const LeastSquaresSolution s = solveLeastSquares(x, y);
        QCOMPARE(s.rank, 8);
        for (int c = 0; c < 8; ++c)
            QVERIFY2(
                std::abs(s.coefficients[c] - truth[c]) <= 1e-8 * std::abs(truth[c]),
                qPrintable(
                    QString("column %1: %2 vs %3").arg(c).arg(s.coefficients[c]).arg(truth[c])));
    }

    void minimisesTheResidual() {
        // Inconsistent system: the solution must satisfy the normal equations' optimality
        // condition Xᵀ(Xc − y) = 0 (checked in a well-conditioned case).
        const Eigen::MatrixXd x = randomMatrix(50, 5, 2);
        const Eigen::VectorXd y = randomMatrix(50, 1, 3).col(0);
        const LeastSquaresSolution s = solveLeastSquares(x, y);
        const Eigen::VectorXd gradient = x.transpose() * (x * s.coefficients - y);
        QVERIFY(gradient.norm() < 1e-12 * x.norm() * y.norm());
    }

    void rowWeightsAct() {
        Eigen::MatrixXd x(4, 1);
        x << 1, 1, 1, 1;
        Eigen::VectorXd y(4);
        y << 1, 2, 3, 100;
        Eigen::VectorXd w(4);
        w << 1, 1, 1, 0; // the outlier has no say
        QVERIFY(std::abs(solveLeastSquares(x, y, w).coefficients[0] - 2.0) < 1e-12);
        QVERIFY(std::abs(solveLeastSquares(x, y).coefficients[0] - 26.5) < 1e-12);
    }

    void ridgeMatchesClosedFormOnScaledColumns() {
        const Eigen::MatrixXd x = randomMatrix(30, 4, 4) * 3.0;
        const Eigen::VectorXd y = randomMatrix(30, 1, 5).col(0);
        const double lambda = 0.7;
        const LeastSquaresSolution s = solveLeastSquares(x, y, {}, {lambda});
        // Closed form with the same column scaling D (RMS of columns): c = D⁻¹ (ZᵀZ + λI)⁻¹ Zᵀ y.
        const Eigen::VectorXd d = (x.colwise().squaredNorm() / 30.0).cwiseSqrt().transpose();
        const Eigen::MatrixXd z = x * d.cwiseInverse().asDiagonal();
        const Eigen::VectorXd expected =
            (z.transpose() * z + lambda * Eigen::MatrixXd::Identity(4, 4))
                .ldlt()
                .solve(z.transpose() * y)
                .cwiseQuotient(d);
        QVERIFY((s.coefficients - expected).norm() < 1e-12 * expected.norm());
        // More ridge, smaller scaled coefficients.
        const LeastSquaresSolution stronger = solveLeastSquares(x, y, {}, {10 * lambda});
        QVERIFY(stronger.coefficients.cwiseProduct(d).norm() <
                s.coefficients.cwiseProduct(d).norm());
    }

    void tikhonovDiagonalMatchesClosedForm() {
        const Eigen::MatrixXd x = randomMatrix(40, 5, 8) * 5.0;
        const Eigen::VectorXd y = randomMatrix(40, 1, 9).col(0);
        const double lambda = 0.3;
        Eigen::VectorXd gamma(5);
        gamma << 0.0, 1.0, 2.0, 4.0, 8.0;
        LeastSquaresOptions options{lambda, gamma};
        const LeastSquaresSolution s = solveLeastSquares(x, y, {}, options);
        // c = D⁻¹ (ZᵀZ + λΓ²)⁻¹ Zᵀ y: Γ acts on the scaled coefficients (least_squares.h).
        const Eigen::VectorXd d = (x.colwise().squaredNorm() / 40.0).cwiseSqrt().transpose();
        const Eigen::MatrixXd z = x * d.cwiseInverse().asDiagonal();
        Eigen::MatrixXd normal = z.transpose() * z;
        normal.diagonal() += lambda * gamma.cwiseAbs2();
        const Eigen::VectorXd expected = normal.ldlt().solve(z.transpose() * y).cwiseQuotient(d);
        QVERIFY((s.coefficients - expected).norm() < 1e-12 * expected.norm());
        // Γ = 1 everywhere is the plain ridge.
        options.ridgeDiagonal = Eigen::VectorXd::Ones(5);
        QVERIFY((solveLeastSquares(x, y, {}, options).coefficients -
                 solveLeastSquares(x, y, {}, {lambda}).coefficients)
                    .norm() < 1e-13);
        // Wrong length, negative or non-finite entries are refused.
        options.ridgeDiagonal = Eigen::VectorXd::Ones(4);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solveLeastSquares(x, y, {}, options));
        options.ridgeDiagonal = -Eigen::VectorXd::Ones(5);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solveLeastSquares(x, y, {}, options));
        options.ridgeDiagonal = Eigen::VectorXd::Constant(5, std::nan(""));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, solveLeastSquares(x, y, {}, options));
    }

    void smoothnessPriorShrinksHighDegreesMore() {
        // Orthogonal columns of equal RMS, so each scaled coefficient is shrunk independently:
        // ĉ_k = ĉ_k^LS · m / (m + λΓ_k²). A prior Γ_k = deg_k^p with deg = 1…6 must leave the
        // degree-1 coefficient exactly as the plain ridge of the same λ does and shrink every
        // higher degree strictly more, monotonically in the degree.
        const int m = 60, columns = 6;
        const Eigen::HouseholderQR<Eigen::MatrixXd> qr(randomMatrix(m, columns, 10));
        const Eigen::MatrixXd q = qr.householderQ() * Eigen::MatrixXd::Identity(m, columns);
        const Eigen::MatrixXd x = q * std::sqrt(double(m)); // unit RMS, orthogonal
        const Eigen::VectorXd truth = Eigen::VectorXd::Ones(columns);
        const Eigen::VectorXd y = x * truth + 0.01 * randomMatrix(m, 1, 11).col(0);
        const double lambda = 2.0;
        Eigen::VectorXd gamma(columns);
        for (int k = 0; k < columns; ++k)
            gamma[k] = std::pow(double(k + 1), 2.0); // p = 2
        const Eigen::VectorXd free = solveLeastSquares(x, y).coefficients;
        const Eigen::VectorXd ridge = solveLeastSquares(x, y, {}, {lambda}).coefficients;
        const Eigen::VectorXd prior = solveLeastSquares(x, y, {}, {lambda, gamma}).coefficients;
        const Eigen::VectorXd ridgeShrink = ridge.cwiseQuotient(free);
        const Eigen::VectorXd priorShrink = prior.cwiseQuotient(free);
        QVERIFY(std::abs(priorShrink[0] - ridgeShrink[0]) < 1e-12);
        for (int k = 0; k < columns; ++k) {
            const double expected = m / (m + lambda * gamma[k] * gamma[k]);
            QVERIFY2(
                std::abs(priorShrink[k] - expected) < 1e-10,
                qPrintable(
                    QString("degree %1: %2 vs %3").arg(k + 1).arg(priorShrink[k]).arg(expected)));
            QVERIFY(std::abs(ridgeShrink[k] - m / (m + lambda)) < 1e-10);
            if (k > 0) {
                QVERIFY(priorShrink[k] < ridgeShrink[k] - 1e-6);
                QVERIFY(priorShrink[k] < priorShrink[k - 1]);
            }
        }
    }

    // Rows given in pieces, folded block by block into R, give the solution of the whole matrix:
    // wild column scales, row weights, a ridge with a Tikhonov diagonal, and pieces that do not
    // line up with the blocks.
    void streamedRowsMatchTheWholeMatrix() {
        Eigen::MatrixXd x = randomMatrix(2000, 12, 7);
        Eigen::VectorXd scales = Eigen::VectorXd::LinSpaced(12, -5, 5);
        x = x * scales.unaryExpr([](double e) { return std::pow(10.0, e); }).asDiagonal();
        const Eigen::VectorXd y = randomMatrix(2000, 1, 8).col(0);
        const Eigen::VectorXd w = (randomMatrix(2000, 1, 9).col(0).array() + 2.0).matrix();
        for (double ridge : {0.0, 1e-6}) {
            LeastSquaresOptions options;
            options.ridge = ridge;
            options.ridgeDiagonal = Eigen::VectorXd::LinSpaced(12, 0, 3);
            const LeastSquaresSolution whole = solveLeastSquares(x, y, w, options);
            StreamingLeastSquares streamed(12, 300); // folds every 300 rows
            for (Eigen::Index r = 0, piece = 1; r < x.rows(); r += piece, piece = piece * 3 % 997) {
                const Eigen::Index n = std::min(piece, x.rows() - r);
                streamed.addRows(x.middleRows(r, n), y.segment(r, n), w.segment(r, n));
            }
            QCOMPARE(streamed.rows(), x.rows());
            const LeastSquaresSolution pieces = streamed.solve(options);
            QCOMPARE(pieces.rank, whole.rank);
            for (Eigen::Index c = 0; c < 12; ++c)
                QVERIFY2(std::abs(pieces.coefficients[c] - whole.coefficients[c]) <=
                             1e-9 * std::abs(whole.coefficients[c]),
                         qPrintable(QString("ridge %1, column %2: %3 against %4")
                                        .arg(ridge)
                                        .arg(c)
                                        .arg(pieces.coefficients[c])
                                        .arg(whole.coefficients[c])));
        }
        StreamingLeastSquares bad(3);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bad.addRows(Eigen::MatrixXd::Ones(2, 4),
                                                                    Eigen::VectorXd::Ones(2)));
        Eigen::MatrixXd nan = Eigen::MatrixXd::Ones(2, 3);
        nan(1, 2) = std::nan("");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bad.addRows(nan, Eigen::VectorXd::Ones(2)));
        QCOMPARE(bad.rows(), Eigen::Index(0));
    }

    void rankDeficiencyIsReported() {
        Eigen::MatrixXd x = randomMatrix(20, 3, 6);
        x.col(2) = 2.0 * x.col(0) - x.col(1); // linearly dependent
        const Eigen::VectorXd y = x.col(0) + x.col(1);
        const LeastSquaresSolution s = solveLeastSquares(x, y);
        QCOMPARE(s.rank, 2);
        QVERIFY((x * s.coefficients - y).norm() < 1e-12);
        QVERIFY(std::isfinite(s.coefficients.norm()));
    }

    void badInputIsRejected() {
        Eigen::MatrixXd x = randomMatrix(5, 2, 7);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 solveLeastSquares(x, Eigen::VectorXd::Zero(4)));
        x(1, 1) = std::nan("");
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 solveLeastSquares(x, Eigen::VectorXd::Zero(5)));
    }

    void metricsByHand() {
        // Two configurations of 2 and 4 atoms, errors +0.2 eV and −0.4 eV.
        const RegressionMetrics m = computeRegressionMetrics({-10.0, -20.0}, {-9.8, -20.4}, {2, 4},
                                                             {1, 0, -1}, {1.5, 0, -1});
        QCOMPARE(m.configurations, std::size_t(2));
        QVERIFY(std::abs(m.energyRmseEv - std::sqrt((0.04 + 0.16) / 2)) < 1e-12);
        QVERIFY(std::abs(m.energyMaeEv - 0.3) < 1e-12);
        QVERIFY(std::abs(m.energyRmseMevPerAtom - 1000 * std::sqrt((0.01 + 0.01) / 2)) < 1e-9);
        QVERIFY(std::abs(m.energyMaeMevPerAtom - 100.0) < 1e-9);
        // R² = 1 − 0.2 / 50 (variance sum of {−10, −20} about −15 is 50).
        QVERIFY(std::abs(m.energyR2 - (1 - 0.2 / 50)) < 1e-12);
        QCOMPARE(m.forceComponents, std::size_t(3));
        QVERIFY(std::abs(m.forceRmseEvPerA - std::sqrt(0.25 / 3)) < 1e-12);
        QVERIFY(std::abs(m.forceMaeEvPerA - 0.5 / 3) < 1e-12);
    }

    void predictingTheMeanGivesZeroR2() {
        const RegressionMetrics m = computeRegressionMetrics({1, 2, 3}, {2, 2, 2}, {1, 1, 1});
        QVERIFY(std::abs(m.energyR2) < 1e-15);
        QCOMPARE(m.forceComponents, std::size_t(0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeRegressionMetrics({1}, {1, 2}, {1}));
    }
};

QTEST_APPLESS_MAIN(TestLeastSquares)
#include "test_least_squares.moc"
