// ACE settings from the data (issue 13): the rule of ace_defaults.h on lattices whose shells are
// known exactly, "auto" in the JSON schema, the defaults a configuration without ACE settings
// gets, and the preview the window shows before a run.

#include "testing.h"

#include "graphace/ace_basis.h"
#include "graphace/ace_defaults.h"
#include "graphace/experiment_config.h"
#include "graphace/experiment_run.h"
#include "graphace/sample_dataset.h"

#include <QtTest>

#include <cmath>

using namespace graphace;
namespace {

using graphace::testing::errorOf;

// Face-centred cubic, lattice constant a, n × n × n conventional cells; `second` puts atoms of
// another element on every other site (rock salt when the first species forms an fcc lattice
// of a/2: here a two-species fcc with alternating atoms by site parity).
Structure fcc(double a, int n, int z = 29, int second = 0) {
    Structure s;
    s.cell = Mat3::Identity() * (a * n);
    s.pbc = {true, true, true};
    const Vec3 basis[4] = {{0, 0, 0}, {0.5, 0.5, 0}, {0.5, 0, 0.5}, {0, 0.5, 0.5}};
    int k = 0;
    for (int i = 0; i < n; ++i)
        for (int j = 0; j < n; ++j)
            for (int l = 0; l < n; ++l)
                for (const Vec3& b : basis) {
                    s.positions.push_back(a * (Vec3(i, j, l) + b));
                    s.numbers.push_back(second != 0 && (k++ % 2) ? second : z);
                }
    return s;
}

} // namespace

class TestAceDefaults : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nearestNeighbourAndCutoffOfFcc() {
        // fcc Cu, a = 3.61 Å: nearest neighbours at a/√2 = 2.553 Å.
        Dataset data;
        data.structures.push_back(fcc(3.61, 3));
        AceDataChoice choice;
        const AceConfig ace =
            resolveAceFromData(resolvedFor(dataDerivedAceConfig(), data), data, &choice);
        QVERIFY2(std::abs(ace.r0 - 3.61 / std::sqrt(2.0)) <= 0.02,
                 qPrintable(QString::number(ace.r0)));
        // 1.8 × 2.55 = 4.6 Å is below the 5 Å floor.
        QCOMPARE(ace.rcut, kAutoRcutFloor);
        QCOMPARE(choice.nearestNeighbour, ace.r0);
        // One species: the recipes' degrees exactly, 345 functions.
        QCOMPARE(ace.max_degree_per_order, (std::vector<int>{20, 10, 7}));
        QCOMPARE(choice.basisSize, std::size_t(345));
        QCOMPARE(AceBasis(ace).size(), std::size_t(345));
        QVERIFY(choice.anyAuto && choice.summary.find("first g(r) peak") != std::string::npos);
        // The flags stay: the config as run says "auto" beside the values chosen.
        QVERIFY(ace.autoR0 && ace.autoRcut && ace.autoDegrees);
        // A scaled lattice scales r0 and rcut with it.
        Dataset wide;
        wide.structures.push_back(fcc(2 * 3.61, 2));
        const AceConfig scaled =
            resolveAceFromData(resolvedFor(dataDerivedAceConfig(), wide), wide);
        QVERIFY2(std::abs(scaled.r0 - 2 * ace.r0) <= 0.03, qPrintable(QString::number(scaled.r0)));
        QVERIFY2(std::abs(scaled.rcut - kAutoRcutOverR0 * scaled.r0) <= 0.011,
                 qPrintable(QString::number(scaled.rcut)));
    }

    void degreesShrinkWithSpecies() {
        Dataset data;
        data.structures.push_back(fcc(4.0, 2, 13, 22)); // Al and Ti on alternating sites
        AceConfig ace = resolvedFor(dataDerivedAceConfig(), data);
        QCOMPARE(ace.species.size(), std::size_t(2));
        AceDataChoice choice;
        ace = resolveAceFromData(ace, data, &choice);
        // At most 400 √2 = 566 functions, and not far below: the largest scaling that fits.
        QCOMPARE(autoBasisBudget(2), std::size_t(566));
        QVERIFY2(choice.basisSize <= autoBasisBudget(2) && choice.basisSize >= 400,
                 qPrintable(QString::number(choice.basisSize)));
        QCOMPARE(AceBasis(ace).size(), choice.basisSize);
        QVERIFY(ace.max_degree_per_order[0] < 20); // scaled down from the one-species shape
        AceConfig full = ace;
        full.max_degree_per_order = {20, 10, 7};
        QVERIFY(AceBasis(full).size() > autoBasisBudget(2));
    }

    void givenValuesAreKept() {
        Dataset data;
        data.structures.push_back(fcc(3.61, 2));
        AceConfig given = resolvedFor(dataDerivedAceConfig(), data);
        given.autoR0 = given.autoRcut = given.autoDegrees = false;
        given.r0 = 2.0;
        given.rcut = 6.0;
        given.max_degree_per_order = {8, 6, 4};
        AceDataChoice choice;
        QVERIFY(resolveAceFromData(given, data, &choice) == given);
        QVERIFY(!choice.anyAuto);
    }

    void noPairIsAClearError() {
        Dataset lonely;
        Structure atom;
        atom.positions.push_back(Vec3::Zero());
        atom.numbers.push_back(29);
        lonely.structures.push_back(atom);
        const QString m = errorOf(
            [&] { resolveAceFromData(resolvedFor(dataDerivedAceConfig(), lonely), lonely); });
        QVERIFY2(m.contains("no pair of atoms within 6 Å") && m.contains("ace.r0"), qPrintable(m));
    }

    void autoInJson() {
        AceConfig ace = dataDerivedAceConfig();
        ace.species = {29};
        ace.r0 = 2.55;
        ace.rcut = 4.59;
        const nlohmann::json j = ace;
        QCOMPARE(j.at("r0"), nlohmann::json("auto"));
        QCOMPARE(j.at("resolved_r0").get<double>(), 2.55);
        QCOMPARE(j.at("max_degree_per_order"), nlohmann::json("auto"));
        QVERIFY(j.get<AceConfig>() == ace); // round trip, values and flags
        // A number given for the field clears "auto"; a resolved value beside it is stale.
        nlohmann::json byHand = j;
        byHand["r0"] = 2.3;
        const AceConfig parsed = byHand.get<AceConfig>();
        QVERIFY(!parsed.autoR0 && parsed.r0 == 2.3 && parsed.autoRcut);
        // Without data: the documented fallbacks.
        const AceConfig fresh = nlohmann::json{{"r0", "auto"}, {"rcut", "auto"}}.get<AceConfig>();
        QCOMPARE(fresh.r0, kAutoR0Fallback);
        QCOMPARE(fresh.rcut, kAutoRcutFallback);
        const QString m = errorOf([] { nlohmann::json{{"rcut", "far"}}.get<AceConfig>(); });
        QVERIFY2(m.contains("rcut must be a number of Å or \"auto\""), qPrintable(m));
    }

    void defaultsOfAConfigWithoutAce() {
        // No preset, no file, no settings: ACE from the data and the recipes' linear fit.
        const ExperimentConfig plain = composeConfig("", nlohmann::json::object(), {});
        QVERIFY(plain.ace.autoR0 && plain.ace.autoRcut && plain.ace.autoDegrees);
        QCOMPARE(plain.ace.body_order, 4);
        QCOMPARE(plain.ace.wL, 0.25);
        QCOMPARE(plain.linear.energyWeight, 100.0);
        QCOMPARE(plain.linear.forcesWeight, 1.0);
        QCOMPARE(plain.linear.smoothnessPrior, 3.0);
        // One setting changes one thing: the rest of the default basis stays.
        const ExperimentConfig rcut = composeConfig("", nlohmann::json::object(), {"ace.rcut=5.5"});
        QVERIFY(!rcut.ace.autoRcut && rcut.ace.rcut == 5.5 && rcut.ace.autoR0);
        QCOMPARE(rcut.ace.body_order, 4);
        // Another body order keeps "auto" degrees, sized for it.
        const ExperimentConfig three =
            composeConfig("", nlohmann::json::object(), {"ace.body_order=3"});
        QVERIFY(three.ace.autoDegrees);
        QCOMPARE(three.ace.max_degree_per_order, (std::vector<int>{20, 10}));
        // max_degree alone means that degree at every order (as configs written before per-order
        // degrees did).
        const ExperimentConfig old = composeConfig(
            "recommended",
            nlohmann::json{{"ace", {{"body_order", 3}, {"max_degree", 3}, {"r0", 1}, {"rcut", 5}}}},
            {});
        QVERIFY(old.ace.max_degree_per_order.empty() && !old.ace.autoDegrees);
        QCOMPARE(old.ace.max_degree, 3);
        QVERIFY(!old.ace.autoR0 && old.ace.r0 == 1.0);
        // The study keeps its ACE(3,3) and its plain least squares.
        const ExperimentConfig study = presetConfig("study-2023");
        QVERIFY(!study.ace.autoR0 && !study.ace.autoRcut && !study.ace.autoDegrees);
        QCOMPARE(study.ace.body_order, 3);
        QVERIFY(study.ace.max_degree_per_order.empty());
        QCOMPARE(study.linear.forcesWeight, 0.0);
        QCOMPARE(study.linear.smoothnessPrior, 0.0);
        // Its JSON composes back to itself (the per-order list is written, empty).
        QVERIFY(composeConfig("study-2023", nlohmann::json::object(), {}).ace == study.ace);
        // The recommended preset derives ACE from the data.
        QVERIFY(presetConfig("recommended").ace.autoR0);
    }

    void previewIsWhatTheRunChooses() {
        // What the window shows before Start is what the run then uses: the same split, the
        // same species, ACE radii and degrees and graph cutoff.
        SampleOptions options;
        options.configurations = 6;
        const Dataset data = generateSampleDataset(options);
        ExperimentConfig config = presetConfig("recommended");
        config.data.trainSize = 4;
        config.data.testSize = 2;
        config.graph.autoCutoff = true;
        AceDataChoice choice;
        const ExperimentConfig preview = resolveDataDefaults(config, data, nullptr, &choice);
        const PreparedExperiment run = prepareExperiment(config, data, nullptr, 1);
        QVERIFY(preview.ace == run.config.ace);
        QVERIFY(preview.ace.r0 > 2.0 && preview.ace.r0 < 2.4); // the Hf–O bond
        QCOMPARE(preview.ace.species, (std::vector<int>{8, 72}));
        QCOMPARE(preview.graph.options.cutoff, run.config.graph.options.cutoff);
        QCOMPARE(choice.summary, run.aceChoice.summary);
        QVERIFY(preview.ace.autoR0); // still says how it was chosen
        // An impossible split is refused as the run refuses it.
        config.data.testSize = 6;
        QVERIFY(errorOf([&] { resolveDataDefaults(config, data); }).contains("test_size"));
    }
};

QTEST_GUILESS_MAIN(TestAceDefaults)
#include "test_ace_defaults.moc"
