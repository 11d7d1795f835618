// Forces and virials of the GCN against central finite differences of its own predicted energy
// (float64, relative 1e-6) on triclinic and partly periodic cells, for every graph setting that
// supports forces; invariance of E and equivariance of F under rotations and translations;
// Σ F = 0; a batch equals its configurations one by one; settings without forces are refused.
#include "graphace/gcn_trainer.h"
#include "graphace/linear_ace_fit.h"

#include "random_cells.h"

#include <Eigen/Geometry>

#include <QtTest>

#include <QTemporaryDir>

#include <cmath>
#include <random>

using namespace graphace;

namespace {

Structure triclinicCell(unsigned seed, int atoms) {
    Mat3 cell;
    cell << 5.1, 0.0, 0.0, 1.1, 4.8, 0.0, -0.8, 0.9, 5.3;
    Structure s = testing::randomCell(cell, seed, atoms, 1.7, 3);
    s.energy = -4.0 * atoms;
    return s;
}

// A slab: periodic along a and b only, vacuum along c.
Structure slab(unsigned seed) {
    Structure s = triclinicCell(seed, 6);
    s.pbc = {true, true, false};
    s.cell.row(2) *= 3.0;
    return s;
}

Dataset datasetOf(std::vector<Structure> structures) {
    Dataset d;
    d.structures = std::move(structures);
    return d;
}

// Reference forces to train on (arbitrary but fixed).
Dataset withForces(Dataset d) {
    std::mt19937 rng(3);
    std::normal_distribution<double> normal(0.0, 0.5);
    for (Structure& s : d.structures) {
        s.forces.clear();
        for (std::size_t a = 0; a < s.size(); ++a)
            s.forces.emplace_back(normal(rng), normal(rng), normal(rng));
    }
    return d;
}

AceConfig smallAce() {
    AceConfig a;
    a.species = {13, 22};
    a.body_order = 3;
    a.max_degree = 4;
    a.r0 = 2.5;
    a.rcut = 3.6;
    return a;
}

ExperimentConfig forceConfig(EdgeWeighting weighting, Normalisation normalisation, bool selfLoops,
                             EnergyTarget target) {
    ExperimentConfig c;
    c.ace = smallAce();
    c.graph.options.cutoff = 3.3;
    c.graph.options.weighting = weighting;
    c.graph.options.normalisation = normalisation;
    c.graph.options.selfLoops = selfLoops;
    c.model.graphLayers = {{6, Activation::Silu}, {5, Activation::Tanh}};
    c.model.denseLayers = {{4, Activation::Softplus}, {1, Activation::Identity}};
    c.model.target = target;
    c.model.pooling = Pooling::Sum;
    c.model.standardiseInputs = true;
    c.model.whitenInputs = true;
    c.model.standardiseTargets = target == EnergyTarget::PerAtomSum;
    c.model.referenceEnergies = true;
    c.model.precision = Precision::Float64;
    c.optimiser.phases = {{1, 1e-3, 0.9, 0.999, true}};
    return c;
}

// The linear ACE fit (energies and forces) on `train`, what model.linearTerm adds to.
LinearAceModel linearFitOf(const ExperimentConfig& config, const Dataset& data,
                           const GraphDataset& train) {
    LinearFitOptions options;
    options.forcesWeight = 1.0;
    options.ridge = 1e-6;
    return fitLinearAce(AceBasis(config.ace), data, aceDescriptorsOf(train), options);
}

// A model with random (untrained, but not tiny) weights and statistics from `train`; with
// model.linearTerm, added to the linear fit on `trainData`.
GcnModel makeModel(const ExperimentConfig& config, const GraphDataset& train,
                   const Dataset& trainData = {}) {
    const LinearAceModel linear =
        config.model.linearTerm ? linearFitOf(config, trainData, train) : LinearAceModel{};
    GcnTrainer trainer(config, train, GraphDataset{}, &linear);
    GcnModel model = trainer.takeModel();
    std::vector<double> values = model.parameterValues();
    std::mt19937_64 engine(7);
    std::normal_distribution<double> normal(0.0, 0.6);
    for (double& v : values)
        v += normal(engine);
    model.setParameterValues(values);
    return model;
}

double energyOf(const GcnModel& model, const AceBasis& basis, const GraphOptions& options,
                const Structure& s) {
    return model.predictEnergies(buildGraphDataset(basis, options, datasetOf({s}), 1))[0];
}

Structure deformed(const Structure& s, const Mat3& strain) {
    Structure t = s;
    const Mat3 f = Mat3::Identity() + strain;
    for (Vec3& p : t.positions)
        p = f * p;
    t.cell = (t.cell * f.transpose()).eval();
    return t;
}

void checkAgainstFiniteDifferences(const ExperimentConfig& config, const Structure& s,
                                   const Dataset& trainData) {
    const AceBasis basis(config.ace);
    const GraphOptions& options = config.graph.options;
    const GraphDataset train = buildGraphDataset(basis, options, trainData, 1, {}, true);
    const GcnModel model = makeModel(config, train, trainData);
    QVERIFY(model.supportsForces());
    const GraphDataset one = buildGraphDataset(basis, options, datasetOf({s}), 1, {}, true);
    const GcnPrediction p = model.predictWithForces(one);
    const double e0 = model.predictEnergies(one)[0];
    QVERIFY(std::abs(p.energies[0] - e0) <= 1e-10 * std::max(1.0, std::abs(e0)));

    const double h = 1e-5;
    double worst = 0, scale = 0;
    Vec3 total = Vec3::Zero();
    for (std::size_t a = 0; a < s.size(); ++a)
        for (int c = 0; c < 3; ++c) {
            Structure plus = s, minus = s;
            plus.positions[a][c] += h;
            minus.positions[a][c] -= h;
            const double fd =
                -(energyOf(model, basis, options, plus) - energyOf(model, basis, options, minus)) /
                (2 * h);
            const double analytic = p.forces[3 * a + c];
            worst = std::max(worst, std::abs(analytic - fd));
            scale = std::max(scale, std::abs(fd));
            total[c] += analytic;
        }
    QVERIFY2(scale > 1e-3, "the forces are too small for the test to mean anything");
    QVERIFY2(worst <= 1e-6 * scale,
             qPrintable(QString("force error %1 of scale %2").arg(worst).arg(scale)));
    QVERIFY(total.norm() <= 1e-10 * scale * s.size());

    // ∂E/∂ε_ab = −W_ba for the homogeneous deformation r → (1 + ε) r of positions and cell.
    // Only meaningful along periodic directions (vacuum does not deform the slab's energy).
    double virialWorst = 0, virialScale = 0;
    for (int a = 0; a < 3; ++a)
        for (int b = 0; b < 3; ++b) {
            Mat3 strain = Mat3::Zero();
            strain(a, b) = h;
            const double fd = (energyOf(model, basis, options, deformed(s, strain)) -
                               energyOf(model, basis, options, deformed(s, -strain))) /
                              (2 * h);
            const double analytic = -p.virials[3 * b + a];
            virialWorst = std::max(virialWorst, std::abs(analytic - fd));
            virialScale = std::max(virialScale, std::abs(fd));
        }
    QVERIFY(virialScale > 1e-3);
    QVERIFY2(virialWorst <= 1e-6 * virialScale,
             qPrintable(QString("virial error %1 of scale %2").arg(virialWorst).arg(virialScale)));
    const bool periodic = s.pbc[0] && s.pbc[1] && s.pbc[2];
    QCOMPARE(std::isnan(p.stresses[0]), !periodic);
    if (periodic)
        QVERIFY(std::abs(p.stresses[4] + p.virials[4] / s.volume()) < 1e-12 * virialScale);
}

} // namespace

class TestGcnForces : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void forcesAndVirialMatchFiniteDifferences_data();
    void forcesAndVirialMatchFiniteDifferences();
    void invariantEnergyEquivariantForces();
    void batchEqualsSingle();
    void portableOpsGiveTheSameForces();
    void settingsWithoutForcesAreRefused();
    void linearBaselineGetsForceRows();
    void singlePrecisionGeometryGivesTheSameForces();
    void virialTermIsInTheLossAndLowersTheVirialError();
    void linearTermStartsAtTheLinearFit();
};

void TestGcnForces::forcesAndVirialMatchFiniteDifferences_data() {
    QTest::addColumn<int>("weighting");
    QTest::addColumn<int>("normalisation");
    QTest::addColumn<bool>("selfLoops");
    QTest::addColumn<int>("target");
    QTest::addColumn<bool>("partlyPeriodic");
    QTest::addColumn<bool>("linearTerm");
    const int poly = int(EdgeWeighting::SmoothPolynomial),
              cosine = int(EdgeWeighting::SmoothCosine);
    const int sym = int(Normalisation::Symmetric), row = int(Normalisation::Row),
              none = int(Normalisation::None);
    const int perAtom = int(EnergyTarget::PerAtomSum), total = int(EnergyTarget::Total);
    QTest::newRow("polynomial symmetric triclinic")
        << poly << sym << true << perAtom << false << false;
    QTest::newRow("polynomial symmetric slab") << poly << sym << true << perAtom << true << false;
    QTest::newRow("cosine symmetric triclinic")
        << cosine << sym << true << perAtom << false << false;
    QTest::newRow("polynomial row slab") << poly << row << true << perAtom << true << false;
    QTest::newRow("polynomial none no self-loops")
        << poly << none << false << perAtom << false << false;
    QTest::newRow("cosine none with self-loops slab")
        << cosine << none << true << perAtom << true << false;
    QTest::newRow("polynomial symmetric pooled total")
        << poly << sym << true << total << false << false;
    QTest::newRow("polynomial symmetric slab, linear term")
        << poly << sym << true << perAtom << true << true;
}

void TestGcnForces::forcesAndVirialMatchFiniteDifferences() {
    QFETCH(int, weighting);
    QFETCH(int, normalisation);
    QFETCH(bool, selfLoops);
    QFETCH(int, target);
    QFETCH(bool, partlyPeriodic);
    QFETCH(bool, linearTerm);
    ExperimentConfig config = forceConfig(EdgeWeighting(weighting), Normalisation(normalisation),
                                          selfLoops, EnergyTarget(target));
    config.model.linearTerm = linearTerm;
    Dataset train = datasetOf({triclinicCell(1, 7), triclinicCell(2, 8), slab(3)});
    if (linearTerm)
        train = withForces(train);
    checkAgainstFiniteDifferences(config, partlyPeriodic ? slab(11) : triclinicCell(12, 7), train);
}

void TestGcnForces::invariantEnergyEquivariantForces() {
    const ExperimentConfig config = forceConfig(
        EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric, true, EnergyTarget::PerAtomSum);
    const AceBasis basis(config.ace);
    const GraphOptions& options = config.graph.options;
    const Structure s = triclinicCell(5, 7);
    const GraphDataset train =
        buildGraphDataset(basis, options, datasetOf({s, triclinicCell(6, 8)}), 1, {}, true);
    const GcnModel model = makeModel(config, train);
    const GcnPrediction p =
        model.predictWithForces(buildGraphDataset(basis, options, datasetOf({s}), 1, {}, true));

    // A rotation of positions and cell together, plus a translation.
    const Mat3 rotation =
        (Eigen::AngleAxisd(0.7, Vec3(1, 2, -0.5).normalized())).toRotationMatrix();
    Structure turned = s;
    for (Vec3& r : turned.positions)
        r = rotation * r + Vec3(0.3, -1.2, 2.5);
    turned.cell = (s.cell * rotation.transpose()).eval();
    const GcnPrediction q = model.predictWithForces(
        buildGraphDataset(basis, options, datasetOf({turned}), 1, {}, true));
    QVERIFY(std::abs(q.energies[0] - p.energies[0]) <= 1e-10 * std::abs(p.energies[0]));
    double worst = 0, scale = 0;
    for (std::size_t a = 0; a < s.size(); ++a) {
        const Vec3 f(p.forces[3 * a], p.forces[3 * a + 1], p.forces[3 * a + 2]);
        const Vec3 g(q.forces[3 * a], q.forces[3 * a + 1], q.forces[3 * a + 2]);
        worst = std::max(worst, (rotation * f - g).norm());
        scale = std::max(scale, f.norm());
    }
    QVERIFY(scale > 1e-3);
    QVERIFY2(worst <= 1e-9 * scale, qPrintable(QString::number(worst / scale)));
    // The virial turns as a tensor: W' = R W Rᵀ.
    Eigen::Map<const Eigen::Matrix<double, 3, 3, Eigen::RowMajor>> w(p.virials.data()),
        wt(q.virials.data());
    QVERIFY((rotation * w * rotation.transpose() - wt).cwiseAbs().maxCoeff() <=
            1e-9 * w.cwiseAbs().maxCoeff());
}

void TestGcnForces::batchEqualsSingle() {
    const ExperimentConfig config = forceConfig(
        EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric, true, EnergyTarget::PerAtomSum);
    const AceBasis basis(config.ace);
    const Dataset data = datasetOf({triclinicCell(1, 7), slab(2), triclinicCell(3, 5)});
    const GraphDataset all = buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
    const GcnModel model = makeModel(config, all);
    const GcnPrediction batch = model.predictWithForces(all);
    std::size_t atom = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        const GcnPrediction single = model.predictWithForces(buildGraphDataset(
            basis, config.graph.options, datasetOf({data.structures[c]}), 1, {}, true));
        QVERIFY(std::abs(single.energies[0] - batch.energies[c]) <=
                1e-12 * std::abs(batch.energies[c]));
        for (std::size_t k = 0; k < single.forces.size(); ++k)
            QVERIFY(std::abs(single.forces[k] - batch.forces[3 * atom + k]) <= 1e-12);
        for (int k = 0; k < 9; ++k)
            QVERIFY(std::abs(single.virials[k] - batch.virials[9 * c + k]) <= 1e-11);
        atom += data.structures[c].size();
    }
    QCOMPARE(batch.forces.size(), 3 * atom);
}

void TestGcnForces::portableOpsGiveTheSameForces() {
    // The CUDA path's ops (addmm / mm instead of the Eigen kernels), run on the CPU.
    ExperimentConfig config = forceConfig(EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric,
                                          true, EnergyTarget::PerAtomSum);
    const AceBasis basis(config.ace);
    const Dataset data = withForces(datasetOf({triclinicCell(1, 7), slab(2)}));
    const GraphDataset all = buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
    const GcnModel fast = makeModel(config, all);
    qputenv("GRAPHACE_GCN_PORTABLE_OPS", "1");
    const GcnModel portable = makeModel(config, all);
    qunsetenv("GRAPHACE_GCN_PORTABLE_OPS");
    QCOMPARE(portable.parameterValues(), fast.parameterValues());
    const GcnPrediction a = fast.predictWithForces(all), b = portable.predictWithForces(all);
    for (std::size_t k = 0; k < a.forces.size(); ++k)
        QVERIFY(std::abs(a.forces[k] - b.forces[k]) <= 1e-10);

    // Training on forces takes the same steps on both paths (double backward through each).
    config.optimiser.forcesWeight = 1.0;
    config.optimiser.phases = {{2, 1e-3, 0.9, 0.999, true}};
    GcnTrainer fastTrainer(config, all, GraphDataset{});
    const TrainingOutcome fastRun = fastTrainer.train();
    qputenv("GRAPHACE_GCN_PORTABLE_OPS", "1");
    GcnTrainer portableTrainer(config, all, GraphDataset{});
    const TrainingOutcome portableRun = portableTrainer.train();
    qunsetenv("GRAPHACE_GCN_PORTABLE_OPS");
    QCOMPARE(fastRun.history.size(), std::size_t(2));
    const std::vector<double> x = fastTrainer.model().parameterValues(),
                              y = portableTrainer.model().parameterValues();
    double change = 0;
    const std::vector<double> start = fast.parameterValues();
    for (std::size_t k = 0; k < x.size(); ++k) {
        QVERIFY(std::abs(x[k] - y[k]) <= 1e-9);
        change = std::max(change, std::abs(x[k] - start[k]));
    }
    QVERIFY(change > 1e-6); // the steps did move the weights
    QVERIFY(std::isfinite(fastRun.history.back().trainForceRmseEvPerA));
    QCOMPARE(fastRun.history.back().trainForceRmseEvPerA,
             portableRun.history.back().trainForceRmseEvPerA);
}

void TestGcnForces::settingsWithoutForcesAreRefused() {
    const AceBasis basis(smallAce());
    Dataset data = datasetOf({triclinicCell(1, 7), triclinicCell(2, 6)});
    for (Structure& s : data.structures)
        s.forces.assign(s.size(), Vec3(0.1, -0.2, 0.3));
    auto messageOf = [&](const ExperimentConfig& config) {
        const GraphDataset g = buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
        try {
            GcnTrainer trainer(config, g, GraphDataset{});
        } catch (const std::invalid_argument& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    ExperimentConfig binary = forceConfig(EdgeWeighting::Binary, Normalisation::Symmetric, true,
                                          EnergyTarget::PerAtomSum);
    binary.optimiser.forcesWeight = 1.0;
    const std::string binaryMessage = messageOf(binary);
    QVERIFY2(binaryMessage.find("smooth-polynomial") != std::string::npos, binaryMessage.c_str());
    binary.optimiser.forcesWeight = 0.0; // energies only: allowed, as the study did
    QVERIFY(messageOf(binary).empty());

    ExperimentConfig noLoops = forceConfig(
        EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric, false, EnergyTarget::PerAtomSum);
    noLoops.optimiser.forcesWeight = 1.0;
    QVERIFY(messageOf(noLoops).find("self_loops") != std::string::npos);

    // Forces asked for, but the data has none.
    ExperimentConfig smooth = forceConfig(EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric,
                                          true, EnergyTarget::PerAtomSum);
    smooth.optimiser.forcesWeight = 1.0;
    const GraphDataset withoutForces = buildGraphDataset(
        basis, smooth.graph.options, datasetOf({triclinicCell(1, 7)}), 1, {}, true);
    try {
        GcnTrainer trainer(smooth, withoutForces, GraphDataset{});
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(std::string(e.what()).find("no forces") != std::string::npos, e.what());
    }
    // A binary model predicts energies, but no forces.
    const GraphDataset g = buildGraphDataset(basis, binary.graph.options, data, 1, {}, true);
    const GcnModel model = makeModel(binary, g);
    QVERIFY(!model.supportsForces());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, model.predictWithForces(g));
}

void TestGcnForces::linearBaselineGetsForceRows() {
    // aceDescriptorsOf builds Σ_i ∂B_i/∂r from the stored edge Jacobians: the same as the ACE
    // evaluator's own force rows.
    const AceBasis basis(smallAce());
    const Dataset data = datasetOf({triclinicCell(4, 7), slab(5)});
    GraphOptions options;
    options.cutoff = 4.5; // beyond rcut: ACE rows must still stop at rcut
    options.weighting = EdgeWeighting::SmoothPolynomial;
    const GraphDataset g = buildGraphDataset(basis, options, data, 1, {}, true);
    const auto rows = aceDescriptorsOf(g);
    const auto reference = computeAceDescriptors(basis, data, AceDerivatives::Forces, 1);
    for (std::size_t c = 0; c < data.size(); ++c) {
        QCOMPARE(rows[c].sumGradient.rows(), reference[c].sumGradient.rows());
        const double scale = reference[c].sumGradient.cwiseAbs().maxCoeff();
        QVERIFY(scale > 0);
        QVERIFY((rows[c].sumGradient - reference[c].sumGradient).cwiseAbs().maxCoeff() <=
                1e-12 * scale);
    }
}

void TestGcnForces::singlePrecisionGeometryGivesTheSameForces() {
    // A float32 model stores its Jacobians in float32 (half the memory, used in place on the
    // CPU): its forces agree with those from float64 geometry to float32 rounding, and the
    // linear baseline's force rows to float32 rounding too.
    ExperimentConfig config = forceConfig(EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric,
                                          true, EnergyTarget::PerAtomSum);
    config.model.precision = Precision::Float32;
    const AceBasis basis(config.ace);
    const Dataset data = datasetOf({triclinicCell(1, 7), slab(2)});
    const GraphDataset wide = buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
    const GraphDataset narrow =
        buildGraphDataset(basis, config.graph.options, data, 1, {}, true, true);
    QVERIFY(!wide.samples[0].geometry->singlePrecision());
    QVERIFY(narrow.samples[0].geometry->singlePrecision());
    QVERIFY(narrow.samples[0].geometry->bytes() < wide.samples[0].geometry->bytes());
    const GcnModel model = makeModel(config, wide);
    const GcnPrediction a = model.predictWithForces(wide);
    const GcnPrediction b = model.predictWithForces(narrow);
    QCOMPARE(a.forces.size(), b.forces.size());
    double scale = 0, worst = 0;
    for (std::size_t k = 0; k < a.forces.size(); ++k) {
        scale = std::max(scale, std::abs(a.forces[k]));
        worst = std::max(worst, std::abs(a.forces[k] - b.forces[k]));
    }
    QVERIFY(scale > 1e-3);
    QVERIFY2(worst <= 1e-5 * scale, qPrintable(QString::number(worst / scale)));
    QCOMPARE(a.energies, b.energies); // energies do not use the Jacobian
    const auto wideRows = aceDescriptorsOf(wide), narrowRows = aceDescriptorsOf(narrow);
    for (std::size_t c = 0; c < data.size(); ++c) {
        const double rows = wideRows[c].sumGradient.cwiseAbs().maxCoeff();
        QVERIFY((wideRows[c].sumGradient - narrowRows[c].sumGradient).cwiseAbs().maxCoeff() <=
                1e-6 * rows);
    }
}

void TestGcnForces::virialTermIsInTheLossAndLowersTheVirialError() {
    // Labels from a random "teacher" network, so that energies, forces and virials are exactly
    // consistent and learnable; students train with and without the virial term.
    ExperimentConfig config = forceConfig(EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric,
                                          true, EnergyTarget::PerAtomSum);
    const AceBasis basis(config.ace);
    std::vector<Structure> cells;
    for (unsigned seed = 1; seed <= 8; ++seed)
        cells.push_back(triclinicCell(20 + seed, 6 + seed % 3));
    Dataset data = withForces(datasetOf(cells));
    const GraphDataset unlabelled =
        buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
    const GcnModel teacher = makeModel(config, unlabelled);
    const GcnPrediction labels = teacher.predictWithForces(unlabelled);
    std::size_t atom = 0;
    for (std::size_t c = 0; c < data.size(); ++c) {
        Structure& s = data.structures[c];
        s.energy = labels.energies[c];
        for (Vec3& f : s.forces)
            f = Vec3(labels.forces[3 * atom], labels.forces[3 * atom + 1],
                     labels.forces[3 * atom + 2]),
            ++atom;
        Mat3 w;
        for (int k = 0; k < 9; ++k)
            w(k / 3, k % 3) = labels.virials[9 * c + k];
        s.virial = w;
    }
    const GraphDataset train = buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
    QCOMPARE(referenceVirialCount(train), data.size());

    config.optimiser.loss = LossKind::EnergyPerAtom;
    config.optimiser.energyWeight = 1.0;
    config.optimiser.forcesWeight = 0.01;
    config.optimiser.phases = {{40, 1e-2, 0.9, 0.999, true}};
    config.training.seed = 11;
    ExperimentConfig withVirials = config;
    withVirials.optimiser.virialWeight = 10.0;

    auto run = [&](const ExperimentConfig& c) {
        GcnTrainer trainer(c, train, GraphDataset{});
        return trainer.train();
    };
    const TrainingOutcome plain = run(config);
    const TrainingOutcome virial = run(withVirials);
    const EpochRecord& a = plain.history.back();
    const EpochRecord& b = virial.history.back();
    QVERIFY(std::isfinite(a.trainVirialRmseMevPerAtom) &&
            std::isfinite(b.trainVirialRmseMevPerAtom));
    QVERIFY2(b.trainVirialRmseMevPerAtom < 0.7 * a.trainVirialRmseMevPerAtom,
             qPrintable(QString("virial RMSE %1 with the term, %2 without")
                            .arg(b.trainVirialRmseMevPerAtom)
                            .arg(a.trainVirialRmseMevPerAtom)));
    // The reported loss is the loss optimised: every term from the metrics of the same epoch.
    auto lossOf = [](const ExperimentConfig& c, const EpochRecord& r) {
        const OptimiserConfig& o = c.optimiser;
        return o.energyWeight * std::pow(1e-3 * r.trainRmseMevPerAtom, 2) +
               o.forcesWeight * std::pow(r.trainForceRmseEvPerA, 2) +
               o.virialWeight * std::pow(1e-3 * r.trainVirialRmseMevPerAtom, 2);
    };
    QVERIFY(std::abs(b.trainLoss - lossOf(withVirials, b)) <= 1e-9 * b.trainLoss);
    QVERIFY(std::abs(a.trainLoss - lossOf(config, a)) <= 1e-9 * a.trainLoss);
    // Scored like any prediction: the metrics count the configurations with a virial.
    const RegressionMetrics m = scoreModel(teacher, train);
    QCOMPARE(m.virialConfigurations, data.size());
    QVERIFY(m.virialRmseMevPerAtom < 1e-9);

    // Without any reference virial the term is refused, not silently zero.
    const GraphDataset bare =
        buildGraphDataset(basis, config.graph.options, withForces(datasetOf(cells)), 1, {}, true);
    bool refused = false;
    try {
        GcnTrainer trainer(withVirials, bare, GraphDataset{});
    } catch (const std::invalid_argument& e) {
        refused = QString(e.what()).contains("reference virial");
    }
    QVERIFY(refused);
}

QTEST_APPLESS_MAIN(TestGcnForces)
void TestGcnForces::linearTermStartsAtTheLinearFit() {
    // E = linear fit + network, the network's output zero before training: the untrained model
    // predicts the linear fit's energies and forces exactly, also after a save and load.
    ExperimentConfig config = forceConfig(EdgeWeighting::SmoothPolynomial, Normalisation::Symmetric,
                                          true, EnergyTarget::PerAtomSum);
    config.model.linearTerm = true;
    const AceBasis basis(config.ace);
    const Dataset data =
        withForces(datasetOf({triclinicCell(1, 7), triclinicCell(2, 8), slab(3), slab(4)}));
    const GraphDataset graphs = buildGraphDataset(basis, config.graph.options, data, 1, {}, true);
    const LinearAceModel linear = linearFitOf(config, data, graphs);
    const LinearPrediction expected =
        predictLinearAce(linear, basis, data, aceDescriptorsOf(graphs));

    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, GcnTrainer(config, graphs, GraphDataset{}));
    GcnTrainer trainer(config, graphs, GraphDataset{}, &linear);
    QTemporaryDir dir;
    const std::string path = dir.filePath("linear-term.pt").toStdString();
    trainer.model().save(path);
    const GcnModel loaded = GcnModel::load(path);
    QVERIFY(loaded.config().model.linearTerm);
    for (const GcnModel* model : {&trainer.model(), &loaded}) {
        const GcnPrediction p = model->predictWithForces(graphs);
        const std::vector<double> energies = model->predictEnergies(graphs);
        double forceScale = 0;
        for (double f : expected.forces)
            forceScale = std::max(forceScale, std::abs(f));
        QVERIFY(forceScale > 1e-2);
        for (std::size_t c = 0; c < data.size(); ++c) {
            QVERIFY2(
                std::abs(p.energies[c] - expected.energies[c]) <= 1e-9,
                qPrintable(QString("%1 against %2").arg(p.energies[c]).arg(expected.energies[c])));
            QVERIFY(std::abs(energies[c] - expected.energies[c]) <= 1e-9);
        }
        // The atoms' shares (with the linear term's c·B_i) add up to each energy.
        const std::vector<double> atomEnergies = model->predictAtomEnergies(graphs);
        std::size_t atom = 0;
        for (std::size_t c = 0; c < data.size(); ++c) {
            double sum = 0;
            for (std::size_t i = 0; i < data.structures[c].size(); ++i)
                sum += atomEnergies.at(atom++);
            QVERIFY2(std::abs(sum - energies[c]) <= 1e-9 * (1 + std::abs(energies[c])),
                     qPrintable(QString("%1 against %2").arg(sum).arg(energies[c])));
        }
        QCOMPARE(atom, atomEnergies.size());
        for (std::size_t k = 0; k < expected.forces.size(); ++k)
            QVERIFY(std::abs(p.forces[k] - expected.forces[k]) <= 1e-9 * forceScale);
    }

    // Training lowers the training loss below the linear fit's (it can only add to the fit).
    config.optimiser.loss = LossKind::EnergyPerAtom;
    config.optimiser.forcesWeight = 1.0;
    config.optimiser.phases = {{40, 1e-2, 0.9, 0.999, true}};
    GcnTrainer training(config, graphs, GraphDataset{}, &linear);
    QCOMPARE(training.train().epochsRun, 40);
    const GcnPrediction after = training.model().predictWithForces(graphs);
    auto loss = [&](const std::vector<double>& energies, const std::vector<double>& forces) {
        double e = 0, f = 0;
        std::size_t k = 0, components = 0;
        for (std::size_t c = 0; c < data.size(); ++c) {
            const Structure& s = data.structures[c];
            e += std::pow((energies[c] - *s.energy) / s.size(), 2) / data.size();
            for (const Vec3& reference : s.forces)
                for (int d = 0; d < 3; ++d, ++k, ++components)
                    f += std::pow(forces[k] - reference[d], 2);
        }
        return e + f / components;
    };
    const double linearLoss = loss(expected.energies, expected.forces);
    const double trainedLoss = loss(after.energies, after.forces);
    QVERIFY2(
        trainedLoss < 0.95 * linearLoss,
        qPrintable(QString("loss %1 after training, %2 linear").arg(trainedLoss).arg(linearLoss)));
}

#include "test_gcn_forces.moc"
