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

// `design`: rows × columns; `target`: rows; `rowWeights`: rows (empty means all 1).
// Throws std::invalid_argument on mismatched sizes, non-finite input or a negative Γ entry.
LeastSquaresSolution solveLeastSquares(const Eigen::MatrixXd& design, const Eigen::VectorXd& target,
                                       const Eigen::VectorXd& rowWeights = {},
                                       const LeastSquaresOptions& options = {});

} // namespace graphace
