#pragma once
// Weighted, optionally ridge-regularised linear least squares solved stably:
//   minimise Σ_r w_r² (x_r · c − y_r)² + λ ‖D c‖²
// The columns are first scaled to unit RMS (D holds those scales, so λ acts on the scaled
// problem and means the same whatever the units of a descriptor), then the system is solved by
// column-pivoting Householder QR of the weighted, scaled matrix (ridge as √λ·I rows appended).
// Never the normal equations on raw columns: they square the condition number (the 2023 study's
// coefficients reached 2·10⁴ that way).

#include <Eigen/Core>

namespace graphace {

struct LeastSquaresOptions {
    double ridge = 0.0;  // λ ≥ 0 on the scaled problem
};

struct LeastSquaresSolution {
    Eigen::VectorXd coefficients;  // in the original (unscaled) column units
    int rank = 0;                  // numerical rank of the scaled matrix
    double conditionEstimate = 0;  // |R_11| / |R_rr| of the pivoted QR, a cheap estimate
};

// `design`: rows × columns; `target`: rows; `rowWeights`: rows (empty means all 1).
// Throws std::invalid_argument on mismatched sizes or non-finite input.
LeastSquaresSolution solveLeastSquares(const Eigen::MatrixXd& design, const Eigen::VectorXd& target,
                                       const Eigen::VectorXd& rowWeights = {},
                                       const LeastSquaresOptions& options = {});

} // namespace graphace
