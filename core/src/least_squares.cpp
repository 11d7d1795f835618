#include "graphace/least_squares.h"

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace graphace {

StreamingLeastSquares::StreamingLeastSquares(Eigen::Index columns, Eigen::Index blockRows)
    : m_columns(columns),
      m_blockRows(std::max<Eigen::Index>(blockRows > 0 ? blockRows : 4 * columns, 256)),
      m_r(Eigen::MatrixXd::Zero(columns, columns)), m_qtb(Eigen::VectorXd::Zero(columns)),
      m_columnSquares(Eigen::VectorXd::Zero(columns)) {
    if (columns <= 0)
        throw std::invalid_argument("least squares: no columns");
    m_pending.resize(m_columns + m_blockRows, m_columns);
    m_pendingTarget.resize(m_columns + m_blockRows);
}

void StreamingLeastSquares::addRows(const Eigen::Ref<const Eigen::MatrixXd>& design,
                                    const Eigen::Ref<const Eigen::VectorXd>& target,
                                    const Eigen::Ref<const Eigen::VectorXd>& rowWeights) {
    const Eigen::Index rows = design.rows();
    if (design.cols() != m_columns || target.size() != rows ||
        (rowWeights.size() != 0 && rowWeights.size() != rows))
        throw std::invalid_argument("least squares: design, target and weights differ in rows");
    if (!design.allFinite() || !target.allFinite() ||
        (rowWeights.size() && !rowWeights.allFinite()))
        throw std::invalid_argument("least squares: the input contains NaN or Inf");
    m_columnSquares += design.colwise().squaredNorm().transpose();
    m_rows += rows;
    for (Eigen::Index r = 0; r < rows;) {
        const Eigen::Index n = std::min(rows - r, m_blockRows - m_pendingRows);
        auto block = m_pending.middleRows(m_columns + m_pendingRows, n);
        auto blockTarget = m_pendingTarget.segment(m_columns + m_pendingRows, n);
        block = design.middleRows(r, n);
        blockTarget = target.segment(r, n);
        if (rowWeights.size()) {
            block = rowWeights.segment(r, n).asDiagonal() * block;
            blockTarget.array() *= rowWeights.segment(r, n).array();
        }
        m_pendingRows += n;
        r += n;
        if (m_pendingRows == m_blockRows)
            fold();
    }
}

void StreamingLeastSquares::fold() {
    if (m_pendingRows == 0)
        return;
    // [R; new rows] = Q [R'; 0]: R' is the triangle of all rows so far, Qᵀ applied to the
    // target likewise; the rows themselves are no longer needed.
    const Eigen::Index n = m_columns + m_pendingRows;
    m_pending.topRows(m_columns) = m_r;
    m_pendingTarget.head(m_columns) = m_qtb;
    Eigen::Ref<Eigen::MatrixXd> stacked(m_pending.topRows(n));
    Eigen::HouseholderQR<Eigen::Ref<Eigen::MatrixXd>> qr(stacked); // in place
    Eigen::VectorXd b = m_pendingTarget.head(n);
    b.applyOnTheLeft(qr.householderQ().transpose());
    m_r = m_pending.topRows(m_columns).triangularView<Eigen::Upper>();
    m_qtb = b.head(m_columns);
    m_pendingRows = 0;
}

LeastSquaresSolution StreamingLeastSquares::solve(const LeastSquaresOptions& options) {
    if (options.ridge < 0 || !std::isfinite(options.ridge))
        throw std::invalid_argument("least squares: the ridge parameter must be finite and >= 0");
    const Eigen::VectorXd& gamma = options.ridgeDiagonal;
    if (gamma.size() != 0 && gamma.size() != m_columns)
        throw std::invalid_argument("least squares: the ridge diagonal needs one entry per column");
    if (gamma.size() != 0 && (!gamma.allFinite() || gamma.minCoeff() < 0))
        throw std::invalid_argument(
            "least squares: ridge diagonal entries must be finite and >= 0");
    fold();

    // Column scales: RMS of each unweighted column; an all-zero column keeps scale 1 (its
    // coefficient is 0). Scaling the columns of A scales those of R alike: A S⁻¹ = Q (R S⁻¹).
    Eigen::VectorXd scale = (m_columnSquares / std::max<Eigen::Index>(m_rows, 1)).cwiseSqrt();
    for (Eigen::Index c = 0; c < m_columns; ++c)
        if (!(scale[c] > 0))
            scale[c] = 1.0;

    const Eigen::Index ridgeRows = options.ridge > 0 ? m_columns : 0;
    Eigen::MatrixXd a(m_columns + ridgeRows, m_columns);
    Eigen::VectorXd b(m_columns + ridgeRows);
    a.topRows(m_columns) = m_r * scale.cwiseInverse().asDiagonal();
    b.head(m_columns) = m_qtb;
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

LeastSquaresSolution solveLeastSquares(const Eigen::MatrixXd& design, const Eigen::VectorXd& target,
                                       const Eigen::VectorXd& rowWeights,
                                       const LeastSquaresOptions& options) {
    StreamingLeastSquares solver(design.cols(), design.rows()); // one block: all rows
    solver.addRows(design, target, rowWeights);
    return solver.solve(options);
}

} // namespace graphace
