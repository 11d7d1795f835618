#include "graphace/least_squares.h"

#include <Eigen/QR>

#include <cmath>
#include <stdexcept>

namespace graphace {

LeastSquaresSolution solveLeastSquares(const Eigen::MatrixXd& design, const Eigen::VectorXd& target,
                                       const Eigen::VectorXd& rowWeights,
                                       const LeastSquaresOptions& options) {
    const Eigen::Index rows = design.rows(), columns = design.cols();
    if (target.size() != rows || (rowWeights.size() != 0 && rowWeights.size() != rows))
        throw std::invalid_argument("least squares: design, target and weights differ in rows");
    if (options.ridge < 0 || !std::isfinite(options.ridge))
        throw std::invalid_argument("least squares: the ridge parameter must be finite and >= 0");
    const Eigen::VectorXd& gamma = options.ridgeDiagonal;
    if (gamma.size() != 0 && gamma.size() != columns)
        throw std::invalid_argument("least squares: the ridge diagonal needs one entry per column");
    if (gamma.size() != 0 && (!gamma.allFinite() || gamma.minCoeff() < 0))
        throw std::invalid_argument(
            "least squares: ridge diagonal entries must be finite and >= 0");
    if (!design.allFinite() || !target.allFinite() ||
        (rowWeights.size() && !rowWeights.allFinite()))
        throw std::invalid_argument("least squares: the input contains NaN or Inf");

    // Column scales: RMS of each column; an all-zero column keeps scale 1 (its coefficient is 0).
    Eigen::VectorXd scale =
        (design.colwise().squaredNorm() / std::max<Eigen::Index>(rows, 1)).cwiseSqrt().transpose();
    for (Eigen::Index c = 0; c < columns; ++c)
        if (!(scale[c] > 0))
            scale[c] = 1.0;

    const Eigen::Index ridgeRows = options.ridge > 0 ? columns : 0;
    Eigen::MatrixXd a(rows + ridgeRows, columns);
    Eigen::VectorXd b(rows + ridgeRows);
    a.topRows(rows) = design * scale.cwiseInverse().asDiagonal();
    b.head(rows) = target;
    if (rowWeights.size()) {
        a.topRows(rows) = rowWeights.asDiagonal() * a.topRows(rows);
        b.head(rows) = b.head(rows).cwiseProduct(rowWeights);
    }
    if (ridgeRows) {
        a.bottomRows(ridgeRows).setZero();
        a.bottomRows(ridgeRows).diagonal().setConstant(std::sqrt(options.ridge));
        if (gamma.size())
            a.bottomRows(ridgeRows).diagonal().array() *= gamma.array();
        b.tail(ridgeRows).setZero();
    }

    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(a);
    LeastSquaresSolution solution;
    solution.rank = static_cast<int>(qr.rank());
    const Eigen::VectorXd diagonal = qr.matrixR().diagonal().cwiseAbs();
    solution.conditionEstimate =
        diagonal.size() && solution.rank > 0 ? diagonal[0] / diagonal[solution.rank - 1] : 0.0;
    // Rank-deficient columns get zero coefficients (minimum-effort basic solution).
    solution.coefficients = qr.solve(b).cwiseQuotient(scale);
    return solution;
}

} // namespace graphace
