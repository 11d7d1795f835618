#pragma once
// Weighted, optionally ridge-regularised linear least squares solved stably:
//   minimise Σ_r w_r² (x_r · c − y_r)² + λ ‖Γ D c‖²      (Γ = I unless ridgeDiagonal is given)
// The columns are first scaled to unit RMS (D holds those scales, so λ acts on the scaled
// problem and means the same whatever the units of a descriptor), then the system is solved by
// column-pivoting Householder QR of the weighted, scaled matrix (ridge as √λ·I rows appended).
// Never the normal equations on raw columns: they square the condition number (the 2023 study's
// coefficients reached 2·10⁴ that way).

#include <Eigen/Core>

namespace graphace {

struct LeastSquaresOptions {
    double ridge = 0.0; // λ ≥ 0 on the scaled problem
    // Optional Tikhonov diagonal Γ (one entry ≥ 0 per column; empty: all 1). The penalty is then
    // λ ‖Γ D c‖² = λ Σ_k (Γ_k · scale_k · c_k)²: Γ acts on the SCALED coefficients, so a column's
    // units never change how strongly it is regularised, only Γ does (e.g. a smoothness prior
    // Γ_k = degree_k^p, see linear_ace_fit.h). Γ_k = 0 leaves column k unregularised.
    Eigen::VectorXd ridgeDiagonal;
};

struct LeastSquaresSolution {
    Eigen::VectorXd coefficients; // in the original (unscaled) column units
    int rank = 0;                 // numerical rank of the scaled matrix
    double conditionEstimate = 0; // |R_11| / |R_rr| of the pivoted QR, a cheap estimate
};

// The same problem with the rows given in pieces, so that a fit over many configurations never
// holds its whole design matrix: rows are buffered up to a block, then folded into the
// triangular factor R of all rows so far and Qᵀ·target (one Householder QR of [R; block]), so
// memory is (columns + block) × columns whatever the row count. solve() scales the columns of R
// (A S⁻¹ = Q R S⁻¹: the same scaled problem) and finishes with the pivoted QR of R S⁻¹ and the
// ridge rows, as for the whole matrix.
class StreamingLeastSquares {
public:
    // blockRows ≤ 0: 4 × columns (at least 256).
    explicit StreamingLeastSquares(Eigen::Index columns, Eigen::Index blockRows = 0);
    // Rows of the design, their targets and weights (empty: all 1). Throws std::invalid_argument
    // on mismatched sizes or non-finite input (nothing is added then).
    void addRows(const Eigen::Ref<const Eigen::MatrixXd>& design,
                 const Eigen::Ref<const Eigen::VectorXd>& target,
                 const Eigen::Ref<const Eigen::VectorXd>& rowWeights = Eigen::VectorXd());
    Eigen::Index rows() const { return m_rows; }
    // May be called again after more rows. Throws as solveLeastSquares does for bad options.
    LeastSquaresSolution solve(const LeastSquaresOptions& options = {});

private:
    void fold();

    Eigen::Index m_columns, m_blockRows;
    Eigen::MatrixXd m_r;             // columns × columns, upper triangular
    Eigen::VectorXd m_qtb;           // the first `columns` entries of Qᵀ·(weighted target)
    Eigen::VectorXd m_columnSquares; // Σ over unweighted rows of each column's squares
    Eigen::MatrixXd m_pending;       // R's place, then up to blockRows weighted rows
    Eigen::VectorXd m_pendingTarget;
    Eigen::Index m_pendingRows = 0, m_rows = 0;
};

// `design`: rows × columns; `target`: rows; `rowWeights`: rows (empty means all 1).
// Throws std::invalid_argument on mismatched sizes, non-finite input or a negative Γ entry.
LeastSquaresSolution solveLeastSquares(const Eigen::MatrixXd& design, const Eigen::VectorXd& target,
                                       const Eigen::VectorXd& rowWeights = {},
                                       const LeastSquaresOptions& options = {});

} // namespace graphace
