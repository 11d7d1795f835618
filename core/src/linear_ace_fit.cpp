#include "graphace/linear_ace_fit.h"

#include <cmath>
#include <stdexcept>

namespace graphace {
namespace {

// Σ_i B_i of one configuration (the descriptor rows summed over atoms).
Eigen::RowVectorXd summedDescriptors(const AceStructureDescriptors& d) {
    return d.descriptors.colwise().sum();
}

Eigen::RowVectorXd speciesCounts(const AceBasis& basis, const Structure& s) {
    Eigen::RowVectorXd counts = Eigen::RowVectorXd::Zero(basis.speciesCount());
    for (int z : s.numbers) {
        const int index = basis.speciesIndex(z);
        if (index < 0)
            throw std::invalid_argument("linear fit: species Z=" + std::to_string(z) +
                                        " is not in the ACE basis");
        counts[index] += 1;
    }
    return counts;
}

} // namespace

Eigen::VectorXd linearFitRegularisation(const AceBasis& basis, const LinearFitOptions& options) {
    const double p = options.smoothnessPrior;
    if (!std::isfinite(p) || p < 0)
        throw std::invalid_argument("linear fit: the smoothness prior exponent must be >= 0");
    const Eigen::Index nBasis = basis.size(), nSpecies = basis.speciesCount();
    Eigen::VectorXd gamma =
        Eigen::VectorXd::Ones(nBasis + (options.referenceEnergies ? nSpecies : 0));
    if (p == 0)
        return gamma;
    const auto& functions = basis.functions();
    for (Eigen::Index k = 0; k < nBasis; ++k)
        gamma[k] = std::pow(functions[k % basis.blockSize()].degree, p);
    gamma.tail(gamma.size() - nBasis).setZero(); // one-body energies: not a smoothness question
    return gamma;
}

LinearAceModel fitLinearAce(const AceBasis& basis, const Dataset& data,
                            const std::vector<AceStructureDescriptors>& descriptors,
                            const LinearFitOptions& options) {
    if (descriptors.size() != data.size())
        throw std::invalid_argument("linear fit: one descriptor set per configuration expected");
    const bool withForces = options.forcesWeight > 0;
    const Eigen::Index nBasis = basis.size(), nSpecies = basis.speciesCount();
    const Eigen::Index columns = nBasis + (options.referenceEnergies ? nSpecies : 0);

    Eigen::Index rows = 0;
    std::size_t energyRows = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        const Structure& s = data.structures[c];
        energyRows += s.energy.has_value();
        if (withForces && s.hasForces()) {
            if (descriptors[c].sumGradient.rows() != Eigen::Index(3 * s.size()))
                throw std::invalid_argument("linear fit with forces needs descriptors computed "
                                            "with AceDerivatives::Forces");
            rows += 3 * s.size();
        }
    }
    if (energyRows == 0)
        throw std::invalid_argument("linear fit: no configuration has an energy");
    rows += energyRows;

    Eigen::MatrixXd design = Eigen::MatrixXd::Zero(rows, columns);
    Eigen::VectorXd target(rows), weights(rows);
    Eigen::Index r = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        const Structure& s = data.structures[c];
        const double atoms = static_cast<double>(s.size());
        if (s.energy) {
            design.row(r).head(nBasis) = summedDescriptors(descriptors[c]) / atoms;
            if (options.referenceEnergies)
                design.row(r).tail(nSpecies) = speciesCounts(basis, s) / atoms;
            target[r] = *s.energy / atoms;
            weights[r] = options.energyWeight;
            ++r;
        }
        if (withForces && s.hasForces()) {
            const Eigen::Index n = 3 * s.size();
            design.block(r, 0, n, nBasis) = -descriptors[c].sumGradient;
            for (std::size_t a = 0; a < s.size(); ++a)
                for (int k = 0; k < 3; ++k)
                    target[r + 3 * a + k] = s.forces[a][k];
            weights.segment(r, n).setConstant(options.forcesWeight);
            r += n;
        }
    }

    LeastSquaresOptions solver;
    solver.ridge = options.ridge;
    solver.ridgeDiagonal = linearFitRegularisation(basis, options); // all 1 without a prior
    const LeastSquaresSolution solution = solveLeastSquares(design, target, weights, solver);
    LinearAceModel model;
    model.ace = basis.config();
    model.coefficients = solution.coefficients.head(nBasis);
    model.referenceEnergies.assign(nSpecies, 0.0);
    if (options.referenceEnergies)
        for (Eigen::Index z = 0; z < nSpecies; ++z)
            model.referenceEnergies[z] = solution.coefficients[nBasis + z];
    model.rank = solution.rank;
    model.conditionEstimate = solution.conditionEstimate;
    return model;
}

LinearPrediction predictLinearAce(const LinearAceModel& model, const AceBasis& basis,
                                  const Dataset& data,
                                  const std::vector<AceStructureDescriptors>& descriptors) {
    if (descriptors.size() != data.size())
        throw std::invalid_argument(
            "linear prediction: one descriptor set per configuration expected");
    LinearPrediction p;
    bool withForces = true;
    for (std::size_t c = 0; c < data.size(); ++c)
        withForces = withForces && descriptors[c].sumGradient.rows() ==
                                       Eigen::Index(3 * data.structures[c].size());
    const Eigen::Map<const Eigen::VectorXd> e0(model.referenceEnergies.data(),
                                               Eigen::Index(model.referenceEnergies.size()));
    for (std::size_t c = 0; c < data.size(); ++c) {
        const Structure& s = data.structures[c];
        p.energies.push_back(summedDescriptors(descriptors[c]).dot(model.coefficients) +
                             speciesCounts(basis, s).dot(e0));
        if (withForces) {
            const Eigen::VectorXd f = -(descriptors[c].sumGradient * model.coefficients);
            p.forces.insert(p.forces.end(), f.data(), f.data() + f.size());
        }
    }
    return p;
}

RegressionMetrics scoreLinearPrediction(const Dataset& data, const LinearPrediction& prediction) {
    std::vector<double> reference, predicted, referenceForces, predictedForces;
    std::vector<int> atoms;
    const bool withForces = !prediction.forces.empty();
    std::size_t offset = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        const Structure& s = data.structures[c];
        if (!s.energy)
            throw std::invalid_argument("metrics: configuration " + std::to_string(c) +
                                        " has no reference energy");
        reference.push_back(*s.energy);
        predicted.push_back(prediction.energies.at(c));
        atoms.push_back(static_cast<int>(s.size()));
        if (withForces && s.hasForces())
            for (std::size_t a = 0; a < s.size(); ++a)
                for (int k = 0; k < 3; ++k) {
                    referenceForces.push_back(s.forces[a][k]);
                    predictedForces.push_back(prediction.forces.at(offset + 3 * a + k));
                }
        offset += 3 * s.size();
    }
    return computeRegressionMetrics(reference, predicted, atoms, referenceForces, predictedForces);
}

} // namespace graphace
