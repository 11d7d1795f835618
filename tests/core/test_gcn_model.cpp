// The GCN forward pass against a hand computation with Eigen, its invariances, batching, and the
// model file (save/load, errors), device checks.
#include "graphace/gcn_trainer.h"

#include "testing.h"

#include <Eigen/Dense>

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <random>

using namespace graphace;

namespace {

// A graph from (row, column, value) triples, sorted as AtomGraph requires.
AtomGraph makeGraph(int atoms, std::vector<std::tuple<int, int, double>> entries) {
    std::sort(entries.begin(), entries.end());
    AtomGraph g;
    g.atomCount = atoms;
    for (const auto& [r, c, v] : entries) {
        g.rows.push_back(r);
        g.columns.push_back(c);
        g.values.push_back(v);
        g.edgeCount += r != c;
    }
    return g;
}

// Ring of `atoms` with symmetric normalisation (every degree 3 with the self-loop: 1/3).
AtomGraph ringGraph(int atoms) {
    std::vector<std::tuple<int, int, double>> entries;
    for (int i = 0; i < atoms; ++i) {
        entries.emplace_back(i, i, 1.0 / 3);
        entries.emplace_back(i, (i + 1) % atoms, 1.0 / 3);
        entries.emplace_back(i, (i + atoms - 1) % atoms, 1.0 / 3);
    }
    return makeGraph(atoms, entries);
}

AtomGraph selfLoops(int atoms, double value) {
    std::vector<std::tuple<int, int, double>> entries;
    for (int i = 0; i < atoms; ++i)
        entries.emplace_back(i, i, value);
    return makeGraph(atoms, entries);
}

// A non-symmetric graph: random entries, some rows without any.
AtomGraph randomGraph(int atoms, std::mt19937_64& engine) {
    std::uniform_real_distribution<double> uniform(0.1, 1.0);
    std::vector<std::tuple<int, int, double>> entries;
    for (int i = 0; i + 1 < atoms; ++i)
        for (int j = 0; j < atoms; ++j)
            if ((i * 7 + j * 3) % 4 == 0 || i == j)
                entries.emplace_back(i, j, uniform(engine));
    return makeGraph(atoms, entries);
}

GraphSample makeSample(int atoms, int features, const AtomGraph& graph, std::mt19937_64& engine,
                       int species = 2) {
    std::normal_distribution<double> normal(0.0, 1.0);
    GraphSample s;
    s.atomCount = atoms;
    s.descriptors.resize(atoms, features);
    for (int i = 0; i < atoms; ++i)
        for (int f = 0; f < features; ++f)
            s.descriptors(i, f) = normal(engine) + 0.3 * f;
    for (int i = 0; i < atoms; ++i)
        s.species.push_back(static_cast<int>(engine() % species));
    s.graph = graph;
    s.energy = -5.0 * atoms + normal(engine);
    return s;
}

ExperimentConfig tinyConfig(EnergyTarget target) {
    ExperimentConfig c;
    c.model.graphLayers = {{4, Activation::Tanh}, {3, Activation::Identity}};
    c.model.denseLayers = {{2, Activation::Softplus}, {1, Activation::Identity}};
    c.model.target = target;
    c.model.pooling = Pooling::Mean;
    c.model.precision = Precision::Float64;
    c.optimiser.phases = {{2, 1e-3, 0.9, 0.999, true}};
    c.training.seed = 7;
    c.training.batchSize = 2;
    return c;
}

using Matrix = Eigen::MatrixXd;

Matrix adjacency(const AtomGraph& g) {
    Matrix a = Matrix::Zero(g.atomCount, g.atomCount);
    for (std::size_t k = 0; k < g.rows.size(); ++k)
        a(g.rows[k], g.columns[k]) += g.values[k];
    return a;
}

double softplus(double x) {
    return x > 20 ? x : std::log1p(std::exp(x));
}

// Applies the layers of tinyConfig to one sample with weights taken from `theta` in the order the
// header documents (W in × out row-major, then b, per layer).
struct HandModel {
    std::vector<Matrix> w;
    std::vector<Eigen::RowVectorXd> b;
    HandModel(const std::vector<double>& theta, const std::vector<int>& widths, int features) {
        std::size_t p = 0;
        int in = features;
        for (int width : widths) {
            Matrix weight(in, width);
            for (int i = 0; i < in; ++i)
                for (int j = 0; j < width; ++j)
                    weight(i, j) = theta.at(p++);
            Eigen::RowVectorXd bias(width);
            for (int j = 0; j < width; ++j)
                bias[j] = theta.at(p++);
            w.push_back(weight);
            b.push_back(bias);
            in = width;
        }
        if (p != theta.size())
            throw std::runtime_error("parameter count differs from the documented layout");
    }
};

} // namespace

class TestGcnModel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parameterLayout();
    void forwardTotalMatchesEigen_data();
    void forwardTotalMatchesEigen();
    void forwardPerAtomWithStatisticsMatchesEigen(); // and predictAtomEnergies
    void whitenedInputsMatchEigen();
    void selfLoopLayerIsDenseLayer();
    void permutationInvariance();
    void batchEqualsSinglePredictions();
    void portableOpsMatchCpuKernels();
    void saveLoadBitIdentical();
    void loadErrorsNameTheFile();
    void cudaRequestedOnCpuBuild();
    void invalidInputsThrow();
};

void TestGcnModel::parameterLayout() {
    std::mt19937_64 engine(1);
    GraphDataset data;
    data.featureCount = 5;
    data.speciesCount = 2;
    data.samples.push_back(makeSample(4, 5, ringGraph(4), engine));
    GcnTrainer trainer(tinyConfig(EnergyTarget::Total), data, {});
    // 5→4, 4→3, 3→2, 2→1: weights + biases.
    const int expected = (5 * 4 + 4) + (4 * 3 + 3) + (3 * 2 + 2) + (2 * 1 + 1);
    QCOMPARE(trainer.model().parameterCount(), expected);
    QCOMPARE(static_cast<int>(trainer.model().parameterValues().size()), expected);
    // Biases start at zero (Glorot weights, zero biases): the 4 biases of layer 1.
    const std::vector<double> theta = trainer.model().parameterValues();
    for (int j = 0; j < 4; ++j)
        QCOMPARE(theta[20 + j], 0.0);
    QVERIFY(std::abs(theta[0]) > 0);
}

void TestGcnModel::forwardTotalMatchesEigen_data() {
    QTest::addColumn<int>("kind");
    QTest::newRow("unit self-loops (identity)") << 0;
    QTest::newRow("scaled self-loops (diagonal)") << 1;
    QTest::newRow("ring (sparse, symmetric)") << 2;
    QTest::newRow("random (sparse, non-symmetric)") << 3;
}

void TestGcnModel::forwardTotalMatchesEigen() {
    QFETCH(int, kind);
    std::mt19937_64 engine(11 + kind);
    const int features = 5;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    for (int atoms : {4, 6, 5}) {
        const AtomGraph graph = kind == 0   ? selfLoops(atoms, 1.0)
                                : kind == 1 ? selfLoops(atoms, 0.7)
                                : kind == 2 ? ringGraph(atoms)
                                            : randomGraph(atoms, engine);
        data.samples.push_back(makeSample(atoms, features, graph, engine));
    }
    GcnTrainer trainer(tinyConfig(EnergyTarget::Total), data, {});
    GcnModel model = trainer.takeModel();
    std::vector<double> theta(model.parameterCount());
    std::normal_distribution<double> normal(0.0, 0.5);
    for (double& t : theta)
        t = normal(engine);
    model.setParameterValues(theta);
    QCOMPARE(model.parameterValues(), theta);

    const HandModel hand(theta, {4, 3, 2, 1}, features);
    const std::vector<double> predicted = model.predictEnergies(data);
    QCOMPARE(predicted.size(), data.samples.size());
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        const GraphSample& s = data.samples[c];
        const Matrix a = adjacency(s.graph);
        const Matrix x = s.descriptors;
        Matrix h1 = (a * x * hand.w[0]).rowwise() + hand.b[0];
        h1 = h1.array().tanh().matrix();
        const Matrix h2 = (a * h1 * hand.w[1]).rowwise() + hand.b[1];
        const Eigen::RowVectorXd pooled = h2.colwise().mean();
        Eigen::RowVectorXd d1 = pooled * hand.w[2] + hand.b[2];
        d1 = d1.unaryExpr(&softplus);
        const double expected = (d1 * hand.w[3] + hand.b[3])(0);
        QVERIFY2(std::abs(predicted[c] - expected) <= 1e-12 * (1 + std::abs(expected)),
                 qPrintable(
                     QString("configuration %1: %2 vs %3").arg(c).arg(predicted[c]).arg(expected)));
    }
}

void TestGcnModel::forwardPerAtomWithStatisticsMatchesEigen() {
    // Per-atom energies summed, with input standardisation, reference energies and μ/σ: the
    // statistics are recomputed here from their definitions (gcn_config.h).
    std::mt19937_64 engine(5);
    const int features = 4;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    for (int atoms : {3, 5, 4, 6, 5})
        data.samples.push_back(makeSample(atoms, features, ringGraph(atoms), engine));
    ExperimentConfig config = tinyConfig(EnergyTarget::PerAtomSum);
    config.model.standardiseInputs = true;
    config.model.standardiseTargets = true;
    config.model.referenceEnergies = true;
    GcnTrainer trainer(config, data, {});
    const GcnModel& model = trainer.model();
    const std::vector<double> theta = model.parameterValues();
    const HandModel hand(theta, {4, 3, 2, 1}, features);

    // Input statistics over all atoms (population standard deviation).
    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(features), sq = mean;
    int atoms = 0;
    for (const auto& s : data.samples) {
        mean += s.descriptors.colwise().sum();
        atoms += s.atomCount;
    }
    mean /= atoms;
    for (const auto& s : data.samples)
        sq += (s.descriptors.rowwise() - mean).array().square().matrix().colwise().sum();
    const Eigen::RowVectorXd stdDev = (sq / atoms).cwiseSqrt();
    // Reference energies: least squares of E on species counts.
    Matrix counts = Matrix::Zero(data.samples.size(), 2);
    Eigen::VectorXd energies(data.samples.size());
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        for (int z : data.samples[c].species)
            counts(c, z) += 1;
        energies[c] = data.samples[c].energy;
    }
    const Eigen::VectorXd epsilon = counts.colPivHouseholderQr().solve(energies);
    std::vector<double> residual;
    for (std::size_t c = 0; c < data.samples.size(); ++c)
        residual.push_back((energies[c] - counts.row(c).dot(epsilon)) / data.samples[c].atomCount);
    double mu = 0, var = 0;
    for (double r : residual)
        mu += r;
    mu /= residual.size();
    for (double r : residual)
        var += (r - mu) * (r - mu);
    const double sigma = std::sqrt(var / residual.size());

    const std::vector<double> predicted = model.predictEnergies(data);
    const std::vector<double> atomEnergies = model.predictAtomEnergies(data);
    std::size_t atomOffset = 0;
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        const GraphSample& s = data.samples[c];
        const Matrix a = adjacency(s.graph);
        const Matrix x = (s.descriptors.rowwise() - mean).array().rowwise() / stdDev.array();
        Matrix h1 = ((a * x * hand.w[0]).rowwise() + hand.b[0]).array().tanh().matrix();
        const Matrix h2 = (a * h1 * hand.w[1]).rowwise() + hand.b[1];
        const Matrix d1 = ((h2 * hand.w[2]).rowwise() + hand.b[2]).unaryExpr(&softplus);
        const Eigen::VectorXd e = (d1 * hand.w[3]).array() + hand.b[3](0);
        const double expected = sigma * e.sum() + s.atomCount * mu + counts.row(c).dot(epsilon);
        QVERIFY2(std::abs(predicted[c] - expected) <= 1e-10 * (1 + std::abs(expected)),
                 qPrintable(
                     QString("configuration %1: %2 vs %3").arg(c).arg(predicted[c]).arg(expected)));
        // Each atom's share: σ e_i + μ + ε(z_i).
        for (int i = 0; i < s.atomCount; ++i) {
            const double atom = sigma * e[i] + mu + epsilon[s.species[i]];
            const double got = atomEnergies[atomOffset + i];
            QVERIFY2(std::abs(got - atom) <= 1e-10 * (1 + std::abs(atom)),
                     qPrintable(QString("configuration %1 atom %2: %3 vs %4")
                                    .arg(c)
                                    .arg(i)
                                    .arg(got)
                                    .arg(atom)));
        }
        atomOffset += s.atomCount;
    }
    QCOMPARE(atomOffset, atomEnergies.size());

    // A model that pools before its dense layers has no per-atom energies: it says so.
    GcnTrainer total(tinyConfig(EnergyTarget::Total), data, {});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, total.model().predictAtomEnergies(data));
}

void TestGcnModel::whitenedInputsMatchEigen() {
    // model.whiten_inputs: H0 = z P with z the standardised descriptors and P the symmetric
    // inverse square root of their covariance over the training atoms (gcn_config.h). Column 3
    // is column 0 plus a little noise, so whitening is far from the identity here; the smallest
    // eigenvalue stays above the 3e-4 floor, so P is the exact C^-1/2 and PᵀCP = I.
    std::mt19937_64 engine(11);
    std::normal_distribution<double> normal(0.0, 1.0);
    const int features = 4;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    for (int atoms : {3, 5, 4, 6, 5, 7}) {
        GraphSample s = makeSample(atoms, features, ringGraph(atoms), engine);
        for (int i = 0; i < atoms; ++i)
            s.descriptors(i, 3) = 2.0 * s.descriptors(i, 0) + 0.2 * normal(engine);
        data.samples.push_back(s);
    }
    ExperimentConfig config = tinyConfig(EnergyTarget::PerAtomSum);
    config.model.standardiseInputs = true;
    config.model.whitenInputs = true;
    GcnTrainer trainer(config, data, {});
    const GcnModel& model = trainer.model();
    const HandModel hand(model.parameterValues(), {4, 3, 2, 1}, features);

    Eigen::RowVectorXd mean = Eigen::RowVectorXd::Zero(features), sq = mean;
    int atoms = 0;
    for (const auto& s : data.samples) {
        mean += s.descriptors.colwise().sum();
        atoms += s.atomCount;
    }
    mean /= atoms;
    for (const auto& s : data.samples)
        sq += (s.descriptors.rowwise() - mean).array().square().matrix().colwise().sum();
    const Eigen::RowVectorXd stdDev = (sq / atoms).cwiseSqrt();
    auto standardise = [&](const Matrix& d) -> Matrix {
        return (d.rowwise() - mean).array().rowwise() / stdDev.array();
    };
    Matrix covariance = Matrix::Zero(features, features);
    for (const auto& s : data.samples) {
        const Matrix z = standardise(s.descriptors);
        covariance += z.transpose() * z;
    }
    covariance /= atoms;
    const Eigen::SelfAdjointEigenSolver<Matrix> eigen(covariance);
    QVERIFY(eigen.eigenvalues().minCoeff() > 1e-3 * eigen.eigenvalues().maxCoeff());
    const Matrix p = eigen.eigenvectors() *
                     eigen.eigenvalues().cwiseSqrt().cwiseInverse().asDiagonal() *
                     eigen.eigenvectors().transpose();
    QVERIFY((p.transpose() * covariance * p - Matrix::Identity(features, features)).norm() < 1e-10);
    QVERIFY(std::abs(covariance(0, 3)) > 0.9); // the inputs really were correlated

    const std::vector<double> predicted = model.predictEnergies(data);
    for (std::size_t c = 0; c < data.samples.size(); ++c) {
        const GraphSample& s = data.samples[c];
        const Matrix a = adjacency(s.graph);
        const Matrix x = standardise(s.descriptors) * p;
        Matrix h1 = ((a * x * hand.w[0]).rowwise() + hand.b[0]).array().tanh().matrix();
        const Matrix h2 = (a * h1 * hand.w[1]).rowwise() + hand.b[1];
        const Matrix d1 = ((h2 * hand.w[2]).rowwise() + hand.b[2]).unaryExpr(&softplus);
        const double expected = (d1 * hand.w[3]).array().sum() + s.atomCount * hand.b[3](0);
        QVERIFY2(std::abs(predicted[c] - expected) <= 1e-10 * (1 + std::abs(expected)),
                 qPrintable(
                     QString("configuration %1: %2 vs %3").arg(c).arg(predicted[c]).arg(expected)));
    }

    // The whitening travels with the model file.
    QTemporaryDir dir;
    const std::string path = dir.filePath("model.pt").toStdString();
    model.save(path);
    const GcnModel loaded = GcnModel::load(path);
    QVERIFY(loaded.config().model.whitenInputs);
    const std::vector<double> after = loaded.predictEnergies(data);
    for (std::size_t c = 0; c < predicted.size(); ++c)
        QVERIFY(after[c] == predicted[c]);

    // Whitening without standardisation is refused, naming both keys.
    ExperimentConfig unstandardised = config;
    unstandardised.model.standardiseInputs = false;
    try {
        GcnTrainer refused(unstandardised, data, {});
        QFAIL("whiten_inputs without standardise_inputs was accepted");
    } catch (const std::invalid_argument& e) {
        const QString m = e.what();
        QVERIFY2(m.contains("whiten_inputs") && m.contains("standardise_inputs"), qPrintable(m));
    }
}

void TestGcnModel::selfLoopLayerIsDenseLayer() {
    // With unit self-loops only (the 2023 study's graph), a one-layer GCN with a per-atom head is
    // a per-atom dense network: the energy is Σ_i dense(x_i), so atoms are independent: moving
    // an atom's row between configurations moves exactly its contribution.
    std::mt19937_64 engine(3);
    const int features = 3;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 1;
    data.samples.push_back(makeSample(4, features, selfLoops(4, 1.0), engine, 1));
    data.samples.push_back(makeSample(2, features, selfLoops(2, 1.0), engine, 1));
    ExperimentConfig config = tinyConfig(EnergyTarget::PerAtomSum);
    config.model.graphLayers = {{5, Activation::Tanh}};
    GcnTrainer trainer(config, data, {});
    const GcnModel& model = trainer.model();
    // Split every atom into its own one-atom configuration: the energies must add up.
    GraphDataset single = data;
    single.samples.clear();
    for (const GraphSample& s : data.samples)
        for (int i = 0; i < s.atomCount; ++i) {
            GraphSample one;
            one.atomCount = 1;
            one.descriptors = s.descriptors.row(i);
            one.species = {0};
            one.graph = selfLoops(1, 1.0);
            one.energy = 0;
            single.samples.push_back(one);
        }
    const std::vector<double> whole = model.predictEnergies(data);
    const std::vector<double> parts = model.predictEnergies(single);
    QCOMPARE(parts.size(), std::size_t(6));
    QVERIFY(std::abs(whole[0] - (parts[0] + parts[1] + parts[2] + parts[3])) < 1e-12);
    QVERIFY(std::abs(whole[1] - (parts[4] + parts[5])) < 1e-12);
    // And with a real graph the same split does NOT add up (message passing happened).
    GraphDataset ring = data;
    ring.samples[0].graph = ringGraph(4);
    const double coupled = model.predictEnergies(ring)[0];
    QVERIFY(std::abs(coupled - (parts[0] + parts[1] + parts[2] + parts[3])) > 1e-6);
}

void TestGcnModel::permutationInvariance() {
    std::mt19937_64 engine(9);
    const int features = 4, atoms = 6;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    data.samples.push_back(makeSample(atoms, features, randomGraph(atoms, engine), engine));
    for (EnergyTarget target : {EnergyTarget::Total, EnergyTarget::PerAtomSum}) {
        ExperimentConfig config = tinyConfig(target);
        config.model.referenceEnergies = true;
        GcnTrainer trainer(config, data, {});
        const GcnModel& model = trainer.model();
        const std::vector<int> perm{3, 0, 5, 1, 4, 2}; // new atom k = old atom perm[k]
        std::vector<int> inverse(atoms);
        for (int k = 0; k < atoms; ++k)
            inverse[perm[k]] = k;
        GraphDataset permuted = data;
        GraphSample& p = permuted.samples[0];
        const GraphSample& s = data.samples[0];
        std::vector<std::tuple<int, int, double>> entries;
        for (int k = 0; k < atoms; ++k) {
            p.descriptors.row(k) = s.descriptors.row(perm[k]);
            p.species[k] = s.species[perm[k]];
        }
        for (std::size_t e = 0; e < s.graph.rows.size(); ++e)
            entries.emplace_back(inverse[s.graph.rows[e]], inverse[s.graph.columns[e]],
                                 s.graph.values[e]);
        p.graph = makeGraph(atoms, entries);
        const double a = model.predictEnergies(data)[0], b = model.predictEnergies(permuted)[0];
        QVERIFY2(std::abs(a - b) <= 1e-12 * (1 + std::abs(a)),
                 qPrintable(QString("%1 vs %2").arg(a).arg(b)));
    }
}

void TestGcnModel::batchEqualsSinglePredictions() {
    std::mt19937_64 engine(21);
    const int features = 4;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    data.samples.push_back(makeSample(5, features, ringGraph(5), engine));
    data.samples.push_back(makeSample(3, features, selfLoops(3, 1.0), engine));
    data.samples.push_back(makeSample(7, features, randomGraph(7, engine), engine));
    for (EnergyTarget target : {EnergyTarget::Total, EnergyTarget::PerAtomSum}) {
        GcnTrainer trainer(tinyConfig(target), data, {});
        const std::vector<double> batch = trainer.model().predictEnergies(data);
        QCOMPARE(batch.size(), std::size_t(3));
        for (int c = 0; c < 3; ++c) {
            GraphDataset one = data;
            one.samples = {data.samples[c]};
            const double single = trainer.model().predictEnergies(one)[0];
            QVERIFY2(std::abs(single - batch[c]) <= 1e-12 * (1 + std::abs(single)),
                     qPrintable(QString("graph %1: %2 vs %3").arg(c).arg(single).arg(batch[c])));
        }
    }
}

// The plain torch ops that CUDA runs (index_add_ aggregation, addmm), taken on the CPU through
// GRAPHACE_GCN_PORTABLE_OPS, train and predict like the hand-written CPU kernels: the CUDA path
// is checked here even on a machine without a GPU.
void TestGcnModel::portableOpsMatchCpuKernels() {
    std::mt19937_64 engine(33);
    const int features = 4;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    data.samples.push_back(makeSample(5, features, ringGraph(5), engine));
    data.samples.push_back(makeSample(3, features, selfLoops(3, 0.5), engine));
    data.samples.push_back(makeSample(7, features, randomGraph(7, engine), engine));
    data.samples.push_back(makeSample(6, features, randomGraph(6, engine), engine));
    for (EnergyTarget target : {EnergyTarget::Total, EnergyTarget::PerAtomSum}) {
        ExperimentConfig config = tinyConfig(target);
        config.optimiser.phases = {{5, 1e-2, 0.9, 0.999, true}};
        config.model.standardiseInputs = true;
        config.model.referenceEnergies = true;
        auto run = [&](bool portable) {
            if (portable)
                qputenv("GRAPHACE_GCN_PORTABLE_OPS", "1");
            GcnTrainer trainer(config, data, {});
            const TrainingOutcome outcome = trainer.train();
            const std::vector<double> predicted = trainer.model().predictEnergies(data);
            qunsetenv("GRAPHACE_GCN_PORTABLE_OPS");
            return std::make_pair(outcome, predicted);
        };
        const auto [fast, fastPredicted] = run(false);
        const auto [portable, portablePredicted] = run(true);
        QCOMPARE(portable.history.size(), fast.history.size());
        for (std::size_t e = 0; e < fast.history.size(); ++e) {
            const double a = fast.history[e].trainLoss, b = portable.history[e].trainLoss;
            QVERIFY2(std::abs(a - b) <= 1e-9 * (1 + std::abs(a)),
                     qPrintable(QString("epoch %1: %2 vs %3").arg(e + 1).arg(a).arg(b)));
        }
        // Training moved the weights: the comparison is about more than the initial state.
        QVERIFY(fast.history.front().trainLoss != fast.history.back().trainLoss);
        for (std::size_t c = 0; c < fastPredicted.size(); ++c)
            QVERIFY2(std::abs(fastPredicted[c] - portablePredicted[c]) <=
                         1e-9 * (1 + std::abs(fastPredicted[c])),
                     qPrintable(QString("graph %1: %2 vs %3")
                                    .arg(c)
                                    .arg(fastPredicted[c])
                                    .arg(portablePredicted[c])));
    }
}

void TestGcnModel::saveLoadBitIdentical() {
    std::mt19937_64 engine(4);
    const int features = 4;
    GraphDataset data;
    data.featureCount = features;
    data.speciesCount = 2;
    for (int c = 0; c < 10; ++c)
        data.samples.push_back(makeSample(4 + c % 3, features, ringGraph(4 + c % 3), engine));
    for (Precision precision : {Precision::Float32, Precision::Float64}) {
        ExperimentConfig config = tinyConfig(EnergyTarget::PerAtomSum);
        config.model.precision = precision;
        config.model.standardiseInputs = config.model.standardiseTargets = true;
        config.model.referenceEnergies = true;
        GcnTrainer trainer(config, data, {});
        trainer.train();
        const GcnModel& model = trainer.model();
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.pt").toStdString();
        model.save(path);
        QVERIFY(!std::ifstream(path + ".tmp")); // renamed into place
        const GcnModel loaded = GcnModel::load(path);
        QCOMPARE(loaded.parameterCount(), model.parameterCount());
        QCOMPARE(loaded.parameterValues(), model.parameterValues());
        QCOMPARE(loaded.config().model.graphLayers.size(), config.model.graphLayers.size());
        QVERIFY(loaded.config().model.denseLayers[0].activation == Activation::Softplus);
        QVERIFY(loaded.config().model.precision == precision);
        const std::vector<double> before = model.predictEnergies(data);
        const std::vector<double> after = loaded.predictEnergies(data);
        QCOMPARE(after.size(), before.size());
        for (std::size_t c = 0; c < before.size(); ++c)
            QVERIFY(before[c] == after[c]); // bit-identical, not merely close
    }
}

void TestGcnModel::loadErrorsNameTheFile() {
    QTemporaryDir dir;
    const std::string missing = dir.filePath("missing.pt").toStdString();
    try {
        GcnModel::load(missing);
        QFAIL("loading a missing file did not throw");
    } catch (const std::runtime_error& e) {
        QVERIFY2(std::string(e.what()).find(missing) != std::string::npos, e.what());
    }
    const std::string garbage = dir.filePath("garbage.pt").toStdString();
    std::ofstream(garbage) << "this is not a model\n";
    try {
        GcnModel::load(garbage);
        QFAIL("loading a garbage file did not throw");
    } catch (const std::runtime_error& e) {
        QVERIFY2(std::string(e.what()).find(garbage) != std::string::npos, e.what());
        QVERIFY2(std::string(e.what()).find("not a GraphACE") != std::string::npos, e.what());
    }
    // Crafted or damaged model.pt files from tests/data/damaged, each refused before LibTorch
    // reads it, with the file and the reason:
    const std::pair<const char*, const char*> damaged[] = {
        // a damaged record (found by fuzz_model: LibTorch then read past a buffer);
        {"model-damaged-record.pt", "fails its checksum"},
        // valid checksums, a method in its source record: LibTorch would compile it (a crafted
        // one crashed its compiler under fuzz_model);
        {"model-foreign-code.pt",
         "code/__torch__.py' line 13 is TorchScript code this program does not write"},
        // data.pkl gives a tensor more bytes than its record holds (found by fuzz_model:
        // LibTorch sizes the storage by the pickle and read past the record's buffer).
        {"model-storage-beyond-record.pt",
         "data.pkl says the record 'data/2' holds 1339 bytes; it holds 254"},
    };
    for (const auto& [name, reason] : damaged) {
        const std::string file =
            QDir(testing::testDataDir()).filePath(QStringLiteral("damaged/") + name).toStdString();
        try {
            GcnModel::load(file);
            QFAIL(qPrintable(QStringLiteral("%1 was loaded").arg(name)));
        } catch (const std::runtime_error& e) {
            const std::string message = e.what();
            QVERIFY2(message.find(file) != std::string::npos &&
                         message.find(reason) != std::string::npos,
                     e.what());
        }
    }
}

void TestGcnModel::cudaRequestedOnCpuBuild() {
    const TorchInfo info = torchInfo();
    QVERIFY(!info.version.empty());
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, checkDevice("gpu"));
    checkDevice("cpu");
    if (info.cudaAvailable)
        QSKIP("this LibTorch has a usable CUDA device; the CPU-only error cannot be checked");
    try {
        checkDevice("cuda");
        QFAIL("cuda on a CPU-only build did not throw");
    } catch (const std::runtime_error& e) {
        QVERIFY2(std::string(e.what()).find("CUDA was requested but") == 0, e.what());
    }
    std::mt19937_64 engine(1);
    GraphDataset data;
    data.featureCount = 3;
    data.speciesCount = 2;
    data.samples.push_back(makeSample(3, 3, ringGraph(3), engine));
    ExperimentConfig config = tinyConfig(EnergyTarget::Total);
    config.training.device = "cuda:0";
    QVERIFY_THROWS_EXCEPTION(std::runtime_error, GcnTrainer(config, data, {}));
}

void TestGcnModel::invalidInputsThrow() {
    std::mt19937_64 engine(2);
    GraphDataset data;
    data.featureCount = 3;
    data.speciesCount = 2;
    data.samples.push_back(makeSample(3, 3, ringGraph(3), engine));
    ExperimentConfig config = tinyConfig(EnergyTarget::Total);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GcnTrainer(config, GraphDataset{}, {}));
    ExperimentConfig wide = config;
    wide.model.denseLayers.back().width = 2;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GcnTrainer(wide, data, {}));
    GraphDataset noEnergy = data;
    noEnergy.samples[0].energy = std::nan("");
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GcnTrainer(config, noEnergy, {}));
    GraphDataset badGraph = data;
    badGraph.samples[0].graph.columns[1] = 7;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GcnTrainer(config, badGraph, {}));
    GcnTrainer trainer(config, data, {});
    GraphDataset narrow = data;
    narrow.samples[0].descriptors.conservativeResize(3, 2);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, trainer.model().predictEnergies(narrow));
    GcnModel model = trainer.takeModel();
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model.setParameterValues({1.0, 2.0}));
}

QTEST_APPLESS_MAIN(TestGcnModel)
#include "test_gcn_model.moc"
