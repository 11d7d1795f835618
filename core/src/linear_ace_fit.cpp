#include "graphace/linear_ace_fit.h"

#include "graphace/parallel_for.h"

#include <Eigen/QR>

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>

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

// With compositions that are linearly dependent over the energy rows (one stoichiometry, HfO2
// only) the data fix a combination of the reference energies, not each one: their columns are
// collinear up to round-off, and the QR, seeing a tiny pivot rather than an exact zero, returned
// e0 of ±10¹¹ eV that cancel (so per-atom energies lost digits to cancellation). Pivoted QR of
// the composition columns alone (fractions in [0, 1], exact to round-off) finds an independent
// subset; the others' columns stay zero, so their e0 is 0 and the kept ones absorb the offset.
std::vector<bool> fittedReferenceSpecies(const AceBasis& basis, const Dataset& data,
                                         const LinearFitOptions& options) {
    std::vector<bool> fitted(basis.speciesCount(), false);
    if (!options.referenceEnergies || options.energyWeight == 0)
        return fitted;
    std::vector<Eigen::RowVectorXd> rows;
    for (const Structure& s : data.structures)
        if (s.energy && s.size() > 0)
            rows.push_back(speciesCounts(basis, s) / double(s.size()));
    if (rows.empty())
        return fitted;
    Eigen::MatrixXd composition(rows.size(), basis.speciesCount());
    for (std::size_t r = 0; r < rows.size(); ++r)
        composition.row(r) = rows[r];
    Eigen::ColPivHouseholderQR<Eigen::MatrixXd> qr(composition);
    qr.setThreshold(1e-9);
    for (Eigen::Index k = 0; k < qr.rank(); ++k)
        fitted[qr.colsPermutation().indices()[k]] = true;
    return fitted;
}

// The rows of one configuration (see linear_ace_fit.h), added to the solver.
class RowBuilder {
public:
    RowBuilder(const AceBasis& basis, const Dataset& data, const LinearFitOptions& options)
        : m_basis(basis), m_options(options),
          m_fittedSpecies(fittedReferenceSpecies(basis, data, options)),
          m_columns(basis.size() + (options.referenceEnergies ? basis.speciesCount() : 0)) {}

    Eigen::Index columns() const { return m_columns; }

    // Returns whether the configuration had an energy row.
    bool add(StreamingLeastSquares& solver, const Structure& s, const AceStructureDescriptors& d) {
        const Eigen::Index nBasis = m_basis.size();
        const bool withForces = m_options.forcesWeight > 0 && s.hasForces();
        if (withForces && d.sumGradient.rows() != Eigen::Index(3 * s.size()))
            throw std::invalid_argument("linear fit with forces needs descriptors computed "
                                        "with AceDerivatives::Forces");
        const Eigen::Index rows = (s.energy ? 1 : 0) + (withForces ? 3 * s.size() : 0);
        if (rows == 0)
            return false;
        m_design.setZero(rows, m_columns);
        m_target.resize(rows);
        m_weights.resize(rows);
        Eigen::Index r = 0;
        if (s.energy) {
            const double atoms = static_cast<double>(s.size());
            m_design.row(0).head(nBasis) = summedDescriptors(d) / atoms;
            if (m_options.referenceEnergies) {
                const Eigen::RowVectorXd counts = speciesCounts(m_basis, s) / atoms;
                for (int z = 0; z < m_basis.speciesCount(); ++z)
                    if (m_fittedSpecies[z])
                        m_design(0, nBasis + z) = counts[z];
            }
            m_target[0] = *s.energy / atoms;
            m_weights[0] = m_options.energyWeight;
            r = 1;
        }
        if (withForces) {
            const Eigen::Index n = 3 * s.size();
            m_design.block(r, 0, n, nBasis) = -d.sumGradient;
            for (std::size_t a = 0; a < s.size(); ++a)
                for (int k = 0; k < 3; ++k)
                    m_target[r + 3 * a + k] = s.forces[a][k];
            m_weights.segment(r, n).setConstant(m_options.forcesWeight);
        }
        solver.addRows(m_design, m_target, m_weights);
        return s.energy.has_value();
    }

    LinearAceModel solve(StreamingLeastSquares& solver, bool anyEnergy) const {
        if (!anyEnergy)
            throw std::invalid_argument("linear fit: no configuration has an energy");
        LeastSquaresOptions options;
        options.ridge = m_options.ridge;
        options.ridgeDiagonal = linearFitRegularisation(m_basis, m_options); // 1s without a prior
        const LeastSquaresSolution solution = solver.solve(options);
        const Eigen::Index nBasis = m_basis.size();
        LinearAceModel model;
        model.ace = m_basis.config();
        model.coefficients = solution.coefficients.head(nBasis);
        model.referenceEnergies.assign(m_basis.speciesCount(), 0.0);
        if (m_options.referenceEnergies)
            for (int z = 0; z < m_basis.speciesCount(); ++z)
                model.referenceEnergies[z] = solution.coefficients[nBasis + z];
        model.rank = solution.rank;
        model.conditionEstimate = solution.conditionEstimate;
        return model;
    }

private:
    const AceBasis& m_basis;
    const LinearFitOptions& m_options;
    std::vector<bool> m_fittedSpecies;
    Eigen::Index m_columns;
    Eigen::MatrixXd m_design;
    Eigen::VectorXd m_target, m_weights;
};

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
    RowBuilder rows(basis, data, options);
    StreamingLeastSquares solver(rows.columns());
    bool anyEnergy = false;
    for (std::size_t c = 0; c < data.size(); ++c)
        anyEnergy = rows.add(solver, data.structures[c], descriptors[c]) || anyEnergy;
    return rows.solve(solver, anyEnergy);
}

LinearAceModel fitLinearAceStreaming(const AceBasis& basis, const Dataset& data,
                                     const LinearFitOptions& options, int threads,
                                     const ProgressCallback& progress) {
    RowBuilder rows(basis, data, options);
    StreamingLeastSquares solver(rows.columns());
    bool anyForces = false;
    for (const Structure& s : data.structures)
        anyForces = anyForces || s.hasForces();
    const AceDerivatives mode =
        options.forcesWeight > 0 && anyForces ? AceDerivatives::Forces : AceDerivatives::None;
    const int count = static_cast<int>(data.size());
    const int workers =
        threads > 0 ? threads : std::max(1, int(std::thread::hardware_concurrency()));
    const int chunk = std::max(8, 4 * workers);
    std::vector<AceStructureDescriptors> descriptors(chunk);
    bool anyEnergy = false;
    for (int begin = 0; begin < count; begin += chunk) {
        const int n = std::min(chunk, count - begin);
        const ProgressCallback chunkProgress = [&](double fraction) {
            return !progress || progress((begin + fraction * n) / count);
        };
        parallelForEach(n, workers, chunkProgress, [&]() {
            auto evaluator = std::make_shared<AceEvaluator>(basis);
            return [&, evaluator](int k) {
                descriptors[k] = evaluator->compute(data.structures[begin + k], mode);
            };
        });
        for (int k = 0; k < n; ++k) {
            anyEnergy = rows.add(solver, data.structures[begin + k], descriptors[k]) || anyEnergy;
            descriptors[k] = AceStructureDescriptors{}; // memory back before the next chunk
        }
    }
    return rows.solve(solver, anyEnergy);
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

LinearPrediction predictLinearAce(const LinearAceModel& model, const AceBasis& basis,
                                  const Dataset& data, int threads,
                                  const ProgressCallback& progress, int* failedIndex) {
    const int count = static_cast<int>(data.size());
    std::vector<AceForces> results(count);
    parallelForEach(
        count, threads, progress,
        [&]() {
            auto evaluator = std::make_shared<AceEvaluator>(basis);
            return [&, evaluator](int k) {
                const Structure& s = data.structures[k];
                results[k] =
                    evaluator->linearEnergyForces(s, computeNeighborList(s, basis.config().rcut),
                                                  model.coefficients, model.referenceEnergies);
            };
        },
        failedIndex);
    LinearPrediction p;
    for (int k = 0; k < count; ++k) {
        const AceForces& r = results[k];
        const Structure& s = data.structures[k];
        const double volume = s.pbc[0] && s.pbc[1] && s.pbc[2] ? s.volume() : 0.0;
        p.energies.push_back(r.energy);
        for (const Vec3& f : r.forces)
            p.forces.insert(p.forces.end(), {f.x(), f.y(), f.z()});
        for (int row = 0; row < 3; ++row)
            for (int c = 0; c < 3; ++c) {
                p.virials.push_back(r.virial(row, c));
                p.stresses.push_back(volume > 0 ? -r.virial(row, c) / volume
                                                : std::numeric_limits<double>::quiet_NaN());
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
