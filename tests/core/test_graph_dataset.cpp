// What the network trains on: per-configuration descriptors and graphs (against the ACE and
// graph modules computed independently), the cutoff suggestion, data preparation and the linear
// baseline on the same descriptors.
#include "testing.h"

#include "graphace/dataset_split.h"
#include "graphace/experiment_run.h"
#include "graphace/extxyz.h"
#include "graphace/graph_dataset.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/sample_dataset.h"

#include <QtTest>

#include <cmath>

using namespace graphace;

namespace {

Dataset sample(int configurations, std::uint64_t seed = 7) {
    SampleOptions options;
    options.configurations = configurations;
    options.seed = seed;
    return generateSampleDataset(options);
}

AceConfig smallAce(const Dataset& data) {
    AceConfig ace; // the study's ACE(3,3): 2 × 13 functions for Hf, O
    return resolvedFor(ace, data);
}

using graphace::testing::errorOf;

// Simple cubic lattice of spacing a in an n×n×n periodic cell: neighbours at a, a√2, a√3, 2a.
Structure simpleCubic(double a, int n) {
    Structure s;
    s.cell = Mat3::Identity() * (a * n);
    s.pbc = {true, true, true};
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int k = 0; k < n; ++k) {
                s.positions.push_back(Vec3(i, j, k) * a);
                s.numbers.push_back(14);
            }
    s.energy = -1.0 * n * n * n;
    return s;
}

} // namespace

class TestGraphDataset : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void shapesSpeciesAndEdgesMatchTheModules() {
        const Dataset data = sample(3);
        const AceBasis basis(smallAce(data));
        GraphOptions options;
        options.cutoff = 3.0;
        const GraphDataset graphs = buildGraphDataset(basis, options, data, 2);
        QCOMPARE(graphs.samples.size(), std::size_t(3));
        QCOMPARE(graphs.featureCount, basis.size());
        QCOMPARE(graphs.featureCount, 26); // ACE(3,3) on {O, Hf}: 2 × 13 (docs/science.md §2)
        QCOMPARE(graphs.speciesCount, 2);
        QCOMPARE(graphs.atomCount(), std::size_t(3 * 96));

        // Independently: descriptors through the ACE module's own neighbour search at rcut.
        const auto reference = computeAceDescriptors(basis, data, AceDerivatives::None, 1);
        for (std::size_t c = 0; c < data.size(); ++c) {
            const Structure& s = data.structures[c];
            const GraphSample& g = graphs.samples[c];
            QCOMPARE(g.atomCount, 96);
            QCOMPARE(g.descriptors.rows(), Eigen::Index(96));
            QCOMPARE(g.descriptors.cols(), Eigen::Index(basis.size()));
            QVERIFY((g.descriptors - reference[c].descriptors).cwiseAbs().maxCoeff() <=
                    1e-12 * (1 + reference[c].descriptors.cwiseAbs().maxCoeff()));
            // Species indices: ascending atomic number, O (8) before Hf (72).
            QCOMPARE(g.species.size(), std::size_t(96));
            for (int i = 0; i < 96; ++i)
                QCOMPARE(g.species[i], s.numbers[i] == 8 ? 0 : 1);
            // The graph: exactly what the graph module builds from the structure at the cutoff.
            const AtomGraph direct = buildGraph(s, options);
            QVERIFY(g.graph.edgeCount > 0);
            QCOMPARE(g.graph.edgeCount, direct.edgeCount);
            QCOMPARE(g.graph.rows, direct.rows);
            QCOMPARE(g.graph.columns, direct.columns);
            QCOMPARE(g.graph.values.size(), direct.values.size());
            for (std::size_t e = 0; e < direct.values.size(); ++e)
                QVERIFY(std::abs(g.graph.values[e] - direct.values[e]) <= 1e-14);
            QCOMPARE(g.energy, *s.energy);
            // Degrees: the neighbour-list edges of each atom within the cutoff.
            const NeighborList nl = computeNeighborList(s, options.cutoff);
            std::vector<int> degrees(96, 0);
            for (std::size_t e = 0; e < nl.edgeCount(); ++e)
                ++degrees[nl.first[e]];
            QCOMPARE(g.degrees, degrees);
        }
    }

    void graphCutoffAboveRcutUsesTheLargerList() {
        // A graph cutoff beyond rcut: the shared list must reach the graph cutoff, while the
        // descriptors stay those of rcut.
        const Dataset data = sample(1);
        AceConfig ace = smallAce(data);
        ace.rcut = 3.5;
        const AceBasis basis(ace);
        GraphOptions options;
        options.cutoff = 4.5;
        const GraphDataset graphs = buildGraphDataset(basis, options, data, 1);
        QCOMPARE(graphs.samples[0].graph.edgeCount,
                 buildGraph(data.structures[0], options).edgeCount);
        const auto reference = computeAceDescriptors(basis, data, AceDerivatives::None, 1);
        QVERIFY((graphs.samples[0].descriptors - reference[0].descriptors).cwiseAbs().maxCoeff() <=
                1e-12);
    }

    void threadsDoNotChangeTheNumbers() {
        const Dataset data = sample(5);
        const AceBasis basis(smallAce(data));
        GraphOptions options;
        options.cutoff = 2.8;
        const GraphDataset one = buildGraphDataset(basis, options, data, 1);
        const GraphDataset two = buildGraphDataset(basis, options, data, 2);
        for (std::size_t c = 0; c < data.size(); ++c) {
            QVERIFY(one.samples[c].descriptors == two.samples[c].descriptors);
            QCOMPARE(one.samples[c].graph.values, two.samples[c].graph.values);
        }
    }

    void trivialGraphAtHalfAnAngstrom() {
        // Notes §1: no pair of atoms is 0.5 Å apart, so the graph is self-loops only.
        const Dataset data = sample(4);
        const AceBasis basis(smallAce(data));
        GraphOptions options;
        options.cutoff = 0.5;
        const GraphDataset graphs = buildGraphDataset(basis, options, data);
        const DegreeStatistics stats = graphDatasetStatistics(graphs);
        QVERIFY(stats.trivial);
        QCOMPARE(stats.edges, std::size_t(0));
        QCOMPARE(stats.isolatedAtoms, 4 * 96);
        QCOMPARE(stats.maxDegree, 0);
        for (const auto& g : graphs.samples) {
            // Â = I: the symmetric normalisation of I is I.
            QCOMPARE(g.graph.rows.size(), std::size_t(96));
            for (std::size_t e = 0; e < g.graph.rows.size(); ++e) {
                QCOMPARE(g.graph.rows[e], g.graph.columns[e]);
                QCOMPARE(g.graph.values[e], 1.0);
            }
        }
        // A real cutoff: pooled statistics equal the sum of the per-structure ones.
        options.cutoff = 3.0;
        const DegreeStatistics real =
            graphDatasetStatistics(buildGraphDataset(basis, options, data));
        std::size_t edges = 0;
        int isolated = 0;
        for (const auto& s : data.structures) {
            const DegreeStatistics one =
                degreeStatistics(computeNeighborList(s, options.cutoff), int(s.size()));
            edges += one.edges;
            isolated += one.isolatedAtoms;
        }
        QVERIFY(!real.trivial);
        QCOMPARE(real.edges, edges);
        QCOMPARE(real.isolatedAtoms, isolated);
        QCOMPARE(real.meanDegree, double(edges) / (4 * 96));
    }

    void trivialGraphOnRealHafnia() {
        GRAPHACE_REQUIRE_SHARED_DATA();
        const Dataset all = readExtxyzFile(
            (graphace::testing::sharedDataDir() + "/hfo2/HfO2_mp352_ads_form_sorted.extxyz")
                .toStdString());
        const Dataset data = subset(all, {0, 1, 2, 3, 4, 5});
        const AceBasis basis(smallAce(data));
        GraphOptions options;
        options.cutoff = 0.5;
        const GraphDataset graphs = buildGraphDataset(basis, options, data);
        const DegreeStatistics stats = graphDatasetStatistics(graphs);
        QVERIFY(stats.trivial);
        QCOMPARE(stats.isolatedAtoms, int(data.atomCount()));
        QCOMPARE(graphs.featureCount, 26);
    }

    void statisticsOfHandMadeSamples() {
        // Without per-atom degrees the adjacency's off-diagonal entries are counted.
        GraphDataset data;
        GraphSample s;
        s.atomCount = 3;
        s.graph.atomCount = 3;
        s.graph.rows = {0, 0, 1, 1, 2};
        s.graph.columns = {0, 1, 0, 1, 2};
        s.graph.values = {0.5, 0.5, 0.5, 0.5, 1.0};
        data.samples.push_back(s);
        const DegreeStatistics stats = graphDatasetStatistics(data);
        QCOMPARE(stats.edges, std::size_t(2));
        QCOMPARE(stats.isolatedAtoms, 1);
        QCOMPARE(stats.maxDegree, 1);
        QVERIFY(!stats.trivial);
    }

    void aceDescriptorsOfCopiesTheNumbers() {
        const Dataset data = sample(2);
        const AceBasis basis(smallAce(data));
        const GraphDataset graphs = buildGraphDataset(basis, GraphOptions{}, data);
        const auto descriptors = aceDescriptorsOf(graphs);
        QCOMPARE(descriptors.size(), std::size_t(2));
        for (std::size_t c = 0; c < 2; ++c)
            QVERIFY(descriptors[c].descriptors == graphs.samples[c].descriptors);
    }

    void cancelAndErrors() {
        const Dataset data = sample(4);
        const AceBasis basis(smallAce(data));
        bool cancelled = false;
        try {
            buildGraphDataset(basis, GraphOptions{}, data, 1, [](double) { return false; });
        } catch (const Cancelled&) {
            cancelled = true;
        }
        QVERIFY(cancelled);
        // An atom outside the basis is named with its configuration.
        Dataset bad = data;
        bad.structures[2].numbers[5] = 14;
        const QString m = errorOf([&] { buildGraphDataset(basis, GraphOptions{}, bad, 2); });
        QVERIFY2(m.contains("configuration 3") && m.contains("Z = 14"), qPrintable(m));
        GraphOptions zero;
        zero.cutoff = 0;
        QVERIFY(errorOf([&] { buildGraphDataset(basis, zero, data); }).contains("cutoff"));
    }

    void suggestCutoffOnALattice() {
        // Simple cubic, a = 2.5 Å: shells at 2.5 and 3.54 Å with nothing between; the cutoff
        // must separate them, in the middle of the empty gap.
        Dataset data;
        data.structures.push_back(simpleCubic(2.5, 4));
        const double cutoff = suggestCutoff(data);
        QVERIFY2(cutoff > 2.6 && cutoff < 3.45, qPrintable(QString::number(cutoff)));
        QVERIFY2(std::abs(cutoff - 0.5 * (2.5 + 2.5 * std::sqrt(2.0))) < 0.1,
                 qPrintable(QString::number(cutoff)));
        // Clamped to the lower bound asked for.
        QCOMPARE(suggestCutoff(data, 3.3), 3.3);
        // No pair within range: an error, not a made-up cutoff.
        Dataset lonely;
        Structure atom;
        atom.positions.push_back(Vec3::Zero());
        atom.numbers.push_back(14);
        lonely.structures.push_back(atom);
        QVERIFY(errorOf([&] { suggestCutoff(lonely); }).contains("no pair"));
    }

    void suggestCutoffOnTheSample() {
        // Fluorite HfO2, a = 5.08 Å × 0.94…1.06: Hf–O bonds at 2.2 Å, O–O at 2.54 Å, Hf–Hf at
        // 3.59 Å (≥ 3.38 Å compressed). The first shell ends between the bonds and Hf–Hf.
        const double cutoff = suggestCutoff(sample(20));
        QVERIFY2(cutoff > 2.4 && cutoff < 3.38, qPrintable(QString::number(cutoff)));
    }

    void suggestCutoffOnSilicon() {
        GRAPHACE_REQUIRE_SHARED_DATA();
        // Diamond Si: bonds at 2.35 Å, second neighbours at 3.84 Å; the first shell of the Zuo
        // et al. training set (strained and hot cells) ends near 2.9–3.2 Å.
        const Dataset si = readExtxyzFile(
            (graphace::testing::sharedDataDir() + "/zuo2020/Si_train.xyz").toStdString());
        const double cutoff = suggestCutoff(si);
        QVERIFY2(cutoff >= 2.9 && cutoff <= 3.2, qPrintable(QString::number(cutoff)));
    }

    void prepareSplitsAndWarns() {
        const Dataset data = sample(10);
        ExperimentConfig config = presetConfig("study-2023");
        config.data.trainSize = 6;
        config.data.testSize = 3;
        const PreparedExperiment p = prepareExperiment(config, data, nullptr, 2);
        const DatasetSplit split = splitIndices(10, 6, 3, config.training.seed);
        QCOMPARE(p.trainIndices, split.train);
        QCOMPARE(p.testIndices, split.test);
        QCOMPARE(p.train.size(), std::size_t(6));
        QCOMPARE(p.test.size(), std::size_t(3));
        QCOMPARE(p.trainGraphs.samples.size(), std::size_t(6));
        QCOMPARE(p.testGraphs.samples.size(), std::size_t(3));
        for (std::size_t k = 0; k < 6; ++k)
            QCOMPARE(p.trainGraphs.samples[k].energy, *data.structures[split.train[k]].energy);
        QCOMPARE(p.config.ace.species, (std::vector<int>{8, 72}));
        QVERIFY(p.basis && p.basis->size() == 26);
        QVERIFY(p.graphStatistics.trivial);
        QVERIFY2(p.graphWarning.find("only self-loops at 0.50 Å") != std::string::npos &&
                     p.graphWarning.find("no message passing") != std::string::npos,
                 p.graphWarning.c_str());

        // "recommended": the cutoff is chosen from the training set and recorded as such.
        config = presetConfig("recommended");
        config.data.testSize = 2; // train_size 0: all the rest
        const PreparedExperiment r = prepareExperiment(config, data, nullptr);
        QCOMPARE(r.train.size(), std::size_t(8));
        QVERIFY(r.config.graph.autoCutoff);
        QCOMPARE(r.config.graph.options.cutoff, suggestCutoff(r.train));
        QVERIFY(!r.graphStatistics.trivial);
        QCOMPARE(r.graphStatistics.isolatedAtoms, 0);
        QVERIFY(r.graphWarning.empty());
        // The sample has forces: "auto" trains on them, with the epochs that go with them, and
        // the graphs carry the geometry that force training needs.
        QCOMPARE(r.config.optimiser.forcesWeight,
                 r.config.optimiser.energyWeight * kAutoForcesRatio);
        QCOMPARE(r.config.optimiser.phases.at(0).epochs, kAutoEpochsWithForces);
        QVERIFY2(r.forcesNote.find("energies and forces") != std::string::npos,
                 r.forcesNote.c_str());
        QVERIFY(r.trainGraphs.samples.at(0).geometry && r.testGraphs.samples.at(0).geometry);
        // One configuration without forces, or a step weighting: energies only, said why.
        Dataset partly = data;
        partly.structures[4].forces.clear();
        const PreparedExperiment e = prepareExperiment(config, partly, nullptr);
        QCOMPARE(e.config.optimiser.forcesWeight, 0.0);
        QCOMPARE(e.config.optimiser.phases.at(0).epochs, kAutoEpochsEnergiesOnly);
        QVERIFY2(e.forcesNote.find("not every configuration has forces") != std::string::npos,
                 e.forcesNote.c_str());
        QVERIFY(!e.trainGraphs.samples.at(0).geometry);
        ExperimentConfig binary = config;
        binary.graph.options.weighting = EdgeWeighting::Binary;
        const PreparedExperiment b = prepareExperiment(binary, data, nullptr);
        QCOMPARE(b.config.optimiser.forcesWeight, 0.0);
        QVERIFY2(b.forcesNote.find("binary") != std::string::npos, b.forcesNote.c_str());
        // The data could train a potential: said as a warning too (banner, CLI warning).
        QVERIFY2(b.graphWarning.find("The data has forces, but graph.weighting = binary") !=
                     std::string::npos,
                 b.graphWarning.c_str());
        QVERIFY(e.graphWarning.find("forces") == std::string::npos); // data without: no warning
        // A number is a number: no note, no resolution.
        ExperimentConfig fixed = config;
        fixed.optimiser.autoForcesWeight = false;
        fixed.optimiser.forcesWeight = 0;
        QVERIFY(prepareExperiment(fixed, data, nullptr).forcesNote.empty());

        // A separate test file: indices into each file, in order.
        ExperimentConfig separate = presetConfig("study-2023");
        const Dataset test = sample(2, 99);
        const PreparedExperiment s = prepareExperiment(separate, data, &test);
        QCOMPARE(s.trainIndices.size(), std::size_t(10));
        QCOMPARE(s.testIndices, (std::vector<std::size_t>{0, 1}));
    }

    void referenceVirialsFollowTheNamedConvention() {
        Structure s = simpleCubic(2.5, 2); // V = 125 Å³
        Mat3 sigma;
        sigma << 1.0, 0.2, 0.0, 0.2, -0.5, 0.1, 0.0, 0.1, 2.0;
        s.stress = sigma;
        // Unit "none" (the default): a stress is not read.
        QVERIFY(!referenceVirial(s, StressConvention{}));
        // ASE: eV/Å³, tension positive: W = −V σ.
        const auto ase = referenceVirial(s, {StressUnit::EvPerA3, StressSign::TensionPositive});
        QVERIFY(ase && (*ase + 125.0 * sigma).norm() < 1e-12);
        // GPa with pressure positive (VASP, LAMMPS): W = +V σ / 160.2176…
        const auto gpa = referenceVirial(s, {StressUnit::GPa, StressSign::PressurePositive});
        QVERIFY(gpa && (*gpa - 125.0 * sigma / 160.21766208).norm() < 1e-12);
        const auto bar = referenceVirial(s, {StressUnit::Bar, StressSign::PressurePositive});
        QVERIFY(bar && (*bar - 1e-4 * *gpa).norm() < 1e-15);
        QCOMPARE(evPerA3(StressUnit::Kbar), 0.1 * evPerA3(StressUnit::GPa));
        // A virial key wins; a slab has no volume for a stress.
        Mat3 w = Mat3::Identity() * 3.0;
        Structure withVirial = s;
        withVirial.virial = w;
        QVERIFY(*referenceVirial(withVirial, {StressUnit::GPa, StressSign::TensionPositive}) == w);
        Structure slab = s;
        slab.pbc = {true, true, false};
        QVERIFY(!referenceVirial(slab, {StressUnit::GPa, StressSign::TensionPositive}));
        QVERIFY(parseStressUnit("GPa") == StressUnit::GPa);
        QVERIFY(parseStressUnit("ev/a3") == StressUnit::EvPerA3);
        QVERIFY(errorOf([] { parseStressUnit("psi"); }).contains("expected none, eV/A^3"));
        QVERIFY(errorOf([] { parseStressSign("up"); }).contains("pressure_positive"));
    }

    void prepareResolvesTheVirialWeight() {
        // Every training configuration with a virial: "auto" trains on virials, and the
        // samples' geometry carries them.
        Dataset data = sample(8);
        for (Structure& s : data.structures)
            s.virial = Mat3::Identity() * -static_cast<double>(s.size()) * 0.01;
        ExperimentConfig config = presetConfig("recommended");
        config.data.testSize = 2;
        QVERIFY(config.optimiser.autoVirialWeight);
        const PreparedExperiment p = prepareExperiment(config, data, nullptr);
        QCOMPARE(p.config.optimiser.virialWeight,
                 p.config.optimiser.energyWeight * kAutoVirialRatio);
        QVERIFY2(p.virialNote.find("training on virials") != std::string::npos,
                 p.virialNote.c_str());
        QCOMPARE(referenceVirialCount(p.trainGraphs), std::size_t(6));
        QCOMPARE(p.trainGraphs.samples[0].geometry->referenceVirial.at(0),
                 (*p.train.structures[0].virial)(0, 0));
        // One without: no virial term. Only stresses, unit not named: said so, no term.
        Dataset partly = data;
        partly.structures[3].virial.reset();
        const PreparedExperiment some = prepareExperiment(config, partly, nullptr);
        QCOMPARE(some.config.optimiser.virialWeight, 0.0);
        QVERIFY2(some.virialNote.find("not every training configuration has a virial") !=
                     std::string::npos,
                 some.virialNote.c_str());
        // Data without any virial (most sets): no term and nothing to say.
        const PreparedExperiment none = prepareExperiment(config, sample(8), nullptr);
        QCOMPARE(none.config.optimiser.virialWeight, 0.0);
        QVERIFY(none.virialNote.empty());
        Dataset stresses = sample(8);
        for (Structure& s : stresses.structures)
            s.stress = Mat3::Identity() * 0.01;
        const PreparedExperiment unread = prepareExperiment(config, stresses, nullptr);
        QCOMPARE(unread.config.optimiser.virialWeight, 0.0);
        QVERIFY2(unread.virialNote.find("8 configurations have a stress that is not used") !=
                     std::string::npos,
                 unread.virialNote.c_str());
        // Named: the stresses become reference virials (eV/Å³ tension positive: W = −V σ).
        config.data.stress = {StressUnit::EvPerA3, StressSign::TensionPositive};
        const PreparedExperiment read = prepareExperiment(config, stresses, nullptr);
        QCOMPARE(read.config.optimiser.virialWeight,
                 read.config.optimiser.energyWeight * kAutoVirialRatio);
        const Structure& first = read.train.structures[0];
        QVERIFY(std::abs(read.trainGraphs.samples[0].geometry->referenceVirial[0] +
                         0.01 * first.volume()) < 1e-12 * first.volume());
        // A number > 0 without any virial is refused, as is one without force training.
        ExperimentConfig forced = presetConfig("recommended");
        forced.optimiser.autoVirialWeight = false;
        forced.optimiser.virialWeight = 1.0;
        QVERIFY(errorOf([&] {
                    prepareExperiment(forced, sample(4), nullptr);
                }).contains("no training configuration has a virial"));
        forced.optimiser.autoForcesWeight = false;
        forced.optimiser.forcesWeight = 0.0;
        QVERIFY(errorOf([&] {
                    validate(forced);
                }).contains("virial_weight > 0 needs training on forces"));
    }

    void prepareRejectsBadInput() {
        const Dataset data = sample(4);
        ExperimentConfig config = presetConfig("study-2023");
        config.data.testSize = 4;
        QVERIFY(errorOf([&] { prepareExperiment(config, data, nullptr); }).contains("test_size"));
        config.data.testSize = 1;
        config.data.trainSize = 5;
        QVERIFY(errorOf([&] { prepareExperiment(config, data, nullptr); }).contains("only 4"));
        Dataset noEnergy = data;
        noEnergy.structures[1].energy.reset();
        QVERIFY(errorOf([&] {
                    prepareExperiment(presetConfig("study-2023"), noEnergy, nullptr);
                }).contains("no energy"));
        QVERIFY(errorOf([&] {
                    prepareExperiment(presetConfig("study-2023"), Dataset{}, nullptr);
                }).contains("no configuration"));
    }

    void linearBaselineIsTheLinearFit() {
        // The same numbers as the fit-linear path (descriptors computed by the ACE module).
        const Dataset data = sample(40, 3);
        ExperimentConfig config = presetConfig("study-2023");
        config.data.trainSize = 30;
        config.data.testSize = 10;
        const PreparedExperiment p = prepareExperiment(config, data, nullptr);
        const LinearBaseline baseline = fitLinearBaseline(p);

        const AceBasis basis(p.config.ace);
        const auto trainDescriptors = computeAceDescriptors(basis, p.train);
        const auto testDescriptors = computeAceDescriptors(basis, p.test);
        LinearFitOptions options = config.linear;
        options.forcesWeight = 0;
        const LinearAceModel model = fitLinearAce(basis, p.train, trainDescriptors, options);
        const RegressionMetrics train = scoreLinearPrediction(
            p.train, predictLinearAce(model, basis, p.train, trainDescriptors));
        const RegressionMetrics test =
            scoreLinearPrediction(p.test, predictLinearAce(model, basis, p.test, testDescriptors));
        QCOMPARE(baseline.basisSize, 26);
        QCOMPARE(baseline.train.configurations, std::size_t(30));
        QCOMPARE(baseline.test.configurations, std::size_t(10));
        QVERIFY(std::abs(baseline.train.energyRmseMevPerAtom - train.energyRmseMevPerAtom) <=
                1e-6 * train.energyRmseMevPerAtom);
        QVERIFY(std::abs(baseline.test.energyRmseMevPerAtom - test.energyRmseMevPerAtom) <=
                1e-6 * test.energyRmseMevPerAtom);
        QCOMPARE(baseline.trainPredicted.size(), std::size_t(30));
        QCOMPARE(baseline.testPredicted.size(), std::size_t(10));
        QCOMPARE(baseline.train.forceComponents, std::size_t(0)); // energies only
        // The sample's energies are far from constant: a fit explains most of them.
        QVERIFY(baseline.test.energyR2 > 0.5);
    }
};

QTEST_APPLESS_MAIN(TestGraphDataset)
#include "test_graph_dataset.moc"
