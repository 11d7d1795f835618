// The experiment config (JSON schema, presets, --set, composition order), the run files'
// helpers (history.csv, atomic writes, metric keys).
#include "testing.h"

#include "graphace/error.h"
#include "graphace/experiment_config.h"
#include "graphace/group_metrics.h"
#include "graphace/setting_sweep.h"
#include "graphace/training_outputs.h"

#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>

using namespace graphace;

namespace {

using graphace::testing::errorOf;

ExperimentConfig parse(const char* text) {
    return nlohmann::json::parse(text).get<ExperimentConfig>();
}

std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream buffer;
    buffer << in.rdbuf();
    return buffer.str();
}

} // namespace

class TestExperimentConfig : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void jsonToStructToJson() {
        // Every key with a non-default value: the struct must carry each one, and writing it
        // back must give the same document.
        const char* text = R"({
            "preset": "mine",
            "data": {"train": "a.xyz", "test": "", "train_size": 80, "test_size": 20,
                     "stress_unit": "kbar", "stress_sign": "pressure_positive",
                     "group_key": "phase"},
            "ace": {"species": ["O", "Hf"], "body_order": 4, "max_degree": 5, "wL": 1.5,
                    "csp": 1, "r0": 2.2, "rcut": 5.5, "max_degree_per_order": []},
            "linear": {"energy_weight": 2, "forces_weight": 0.5, "ridge": 1e-6,
                       "reference_energies": false, "smoothness_prior": 0},
            "graph": {"cutoff": 3.25, "weighting": "smooth-cosine", "self_loops": false,
                      "normalisation": "row"},
            "model": {"graph_layers": [{"width": 32, "activation": "gelu"},
                                       {"width": 16, "activation": "leaky_relu"}],
                      "dense_layers": [{"width": 8, "activation": "softplus"},
                                       {"width": 1, "activation": "identity"}],
                      "pooling": "sum", "target": "per_atom_sum", "standardise_inputs": true,
                      "whiten_inputs": true, "standardise_targets": true,
                      "reference_energies": true, "linear_term": true, "precision": "float64"},
            "optimiser": {"kind": "adamw", "eps": 1e-7, "weight_decay": 0.01,
                          "loss": "energy_per_atom",
                          "phases": [{"epochs": 11, "learning_rate": 0.002, "beta1": 0.85,
                                      "beta2": 0.95, "reset_moments": false},
                                     {"epochs": 3, "learning_rate": 1e-4, "beta1": 0.9,
                                      "beta2": 0.999, "reset_moments": true}],
                          "decay": "reduce_on_plateau", "gamma": 0.9, "factor": 0.25,
                          "patience": 7, "min_learning_rate": 1e-6, "gradient_clip_norm": 5,
                          "early_stopping_patience": 30, "energy_weight": 2.5,
                          "forces_weight": 0.1, "virial_weight": 0.05},
            "training": {"batch_size": 12, "shuffle": true, "seed": 18446744073709551615,
                         "threads": 2, "device": "cuda:1", "checkpoint_every": 25}
        })";
        const nlohmann::json input = nlohmann::json::parse(text);
        const ExperimentConfig c = input.get<ExperimentConfig>();
        QCOMPARE(c.preset, std::string("mine"));
        QCOMPARE(c.data.trainFile, std::string("a.xyz"));
        QCOMPARE(c.data.trainSize, 80);
        QCOMPARE(c.data.testSize, 20);
        QCOMPARE(c.data.groupKey, std::string("phase"));
        QCOMPARE(c.ace.species, (std::vector<int>{8, 72}));
        QCOMPARE(c.ace.body_order, 4);
        QCOMPARE(c.ace.r0, 2.2);
        QCOMPARE(c.linear.forcesWeight, 0.5);
        QCOMPARE(c.linear.referenceEnergies, false);
        QCOMPARE(c.graph.options.cutoff, 3.25);
        QVERIFY(!c.graph.autoCutoff);
        QVERIFY(c.graph.options.weighting == EdgeWeighting::SmoothCosine);
        QVERIFY(!c.graph.options.selfLoops);
        QVERIFY(c.graph.options.normalisation == Normalisation::Row);
        QCOMPARE(c.model.graphLayers.size(), std::size_t(2));
        QCOMPARE(c.model.graphLayers[0].width, 32);
        QVERIFY(c.model.graphLayers[0].activation == Activation::Gelu);
        QVERIFY(c.model.graphLayers[1].activation == Activation::LeakyRelu);
        QVERIFY(c.model.denseLayers[0].activation == Activation::Softplus);
        QVERIFY(c.model.pooling == Pooling::Sum);
        QVERIFY(c.model.target == EnergyTarget::PerAtomSum);
        QVERIFY(c.model.standardiseInputs && c.model.standardiseTargets &&
                c.model.referenceEnergies);
        QVERIFY(c.model.whitenInputs);
        QVERIFY(c.model.linearTerm);
        QVERIFY(c.model.precision == Precision::Float64);
        QVERIFY(c.optimiser.kind == OptimiserKind::AdamW);
        QCOMPARE(c.optimiser.eps, 1e-7);
        QCOMPARE(c.optimiser.weightDecay, 0.01);
        QVERIFY(c.optimiser.loss == LossKind::EnergyPerAtom);
        QCOMPARE(c.optimiser.phases.size(), std::size_t(2));
        QCOMPARE(c.optimiser.phases[0].epochs, 11);
        QCOMPARE(c.optimiser.phases[0].learningRate, 0.002);
        QCOMPARE(c.optimiser.phases[0].beta1, 0.85);
        QCOMPARE(c.optimiser.phases[0].beta2, 0.95);
        QVERIFY(!c.optimiser.phases[0].resetMoments);
        QVERIFY(c.optimiser.decay == LearningRateDecay::ReduceOnPlateau);
        QCOMPARE(c.optimiser.factor, 0.25);
        QCOMPARE(c.optimiser.patience, 7);
        QCOMPARE(c.optimiser.minLearningRate, 1e-6);
        QCOMPARE(c.optimiser.gradientClipNorm, 5.0);
        QCOMPARE(c.optimiser.earlyStoppingPatience, 30);
        QCOMPARE(c.optimiser.energyWeight, 2.5);
        QCOMPARE(c.optimiser.forcesWeight, 0.1);
        QCOMPARE(totalEpochs(c.optimiser), 14);
        QCOMPARE(c.training.batchSize, 12);
        QVERIFY(c.training.shuffle);
        QCOMPARE(c.training.seed, std::uint64_t(18446744073709551615ULL));
        QCOMPARE(c.training.threads, 2);
        QCOMPARE(c.training.device, std::string("cuda:1"));
        QCOMPARE(c.training.checkpointEvery, 25);
        validate(c);

        // JSON → struct → JSON gives the input back (numbers exactly; 1 and 1.0 compare equal).
        const nlohmann::json output = c;
        QVERIFY2(output == input,
                 qPrintable(QString::fromStdString(nlohmann::json::diff(input, output).dump())));
        // And struct → JSON → struct → JSON is stable.
        const nlohmann::json again = output.get<ExperimentConfig>();
        QCOMPARE(QString::fromStdString(again.dump()), QString::fromStdString(output.dump()));
    }

    void autoCutoffKeepsTheResolvedValue() {
        ExperimentConfig c = presetConfig("recommended");
        c.graph.options.cutoff = 3.125; // what prepareExperiment would have chosen
        const nlohmann::json j = c;
        QCOMPARE(j["graph"]["cutoff"].get<std::string>(), std::string("auto"));
        const ExperimentConfig back = j.get<ExperimentConfig>();
        QVERIFY(back.graph.autoCutoff);
        QCOMPARE(back.graph.options.cutoff, 3.125);
        // A number set by hand wins over a stale resolved value (--set graph.cutoff=4 on the
        // recommended preset, or on a recorded auto run).
        QCOMPARE(parse(R"({"graph": {"cutoff": 3, "resolved_cutoff": 2}})").graph.options.cutoff,
                 3.0);
        const ExperimentConfig set = composeConfig("recommended", c, {"graph.cutoff=4"});
        QVERIFY(!set.graph.autoCutoff);
        QCOMPARE(set.graph.options.cutoff, 4.0);
    }

    void autoForcesAndEpochsKeepTheResolvedValues() {
        ExperimentConfig c = presetConfig("recommended");
        QVERIFY(c.optimiser.autoForcesWeight && c.optimiser.phases.at(0).autoEpochs);
        // What prepareExperiment chose for data with forces.
        c.optimiser.forcesWeight = 1;
        c.optimiser.phases.at(0).epochs = kAutoEpochsWithForces;
        const nlohmann::json j = c;
        QCOMPARE(j["optimiser"]["forces_weight"].get<std::string>(), std::string("auto"));
        QCOMPARE(j["optimiser"]["resolved_forces_weight"].get<double>(), 1.0);
        QCOMPARE(j["optimiser"]["phases"][0]["epochs"].get<std::string>(), std::string("auto"));
        QCOMPARE(j["optimiser"]["phases"][0]["resolved_epochs"].get<int>(), kAutoEpochsWithForces);
        const ExperimentConfig back = j.get<ExperimentConfig>();
        QVERIFY(back.optimiser.autoForcesWeight);
        QCOMPARE(back.optimiser.forcesWeight, 1.0);
        QVERIFY(back.optimiser.phases.at(0).autoEpochs);
        QCOMPARE(back.optimiser.phases.at(0).epochs, kAutoEpochsWithForces);
        QCOMPARE(nlohmann::json(back).dump(), j.dump());
        // Unresolved "auto" epochs hold the energies-only count (what totalEpochs reports).
        const ExperimentConfig bare =
            parse(R"({"optimiser": {"phases": [{"epochs": "auto", "learning_rate": 0.01}]}})");
        QVERIFY(bare.optimiser.phases.at(0).autoEpochs);
        QCOMPARE(totalEpochs(bare.optimiser), kAutoEpochsEnergiesOnly);
        // A number set by hand wins over a stale resolved value.
        const ExperimentConfig set = composeConfig(
            "recommended", c, {"optimiser.forces_weight=0", "optimiser.phases.0.epochs=7"});
        QVERIFY(!set.optimiser.autoForcesWeight);
        QCOMPARE(set.optimiser.forcesWeight, 0.0);
        QVERIFY(!set.optimiser.phases.at(0).autoEpochs);
        QCOMPARE(set.optimiser.phases.at(0).epochs, 7);
        // "auto" by hand, and what is not a number or "auto".
        QVERIFY(composeConfig("study-2023", ExperimentConfig{}, {"optimiser.forces_weight=auto"})
                    .optimiser.autoForcesWeight);
        QVERIFY(errorOf([] {
                    parse(R"({"optimiser": {"forces_weight": "some"}})");
                }).contains("optimiser.forces_weight"));
        QVERIFY(errorOf([] {
                    parse(R"({"optimiser": {"phases": [{"epochs": "many"}]}})");
                }).contains("optimiser.phases.0.epochs"));
        // The virial weight reads like the force weight; the stress convention by name.
        c.optimiser.virialWeight = 10;
        const nlohmann::json v = c;
        QCOMPARE(v["optimiser"]["virial_weight"].get<std::string>(), std::string("auto"));
        QCOMPARE(v["optimiser"]["resolved_virial_weight"].get<double>(), 10.0);
        QCOMPARE(v.get<ExperimentConfig>().optimiser.virialWeight, 10.0);
        const ExperimentConfig stress =
            composeConfig("recommended", nlohmann::json::object(),
                          {"data.stress_unit=GPa", "data.stress_sign=pressure_positive",
                           "optimiser.virial_weight=3"});
        QVERIFY(stress.data.stress.unit == StressUnit::GPa);
        QVERIFY(stress.data.stress.sign == StressSign::PressurePositive);
        QVERIFY(!stress.optimiser.autoVirialWeight);
        QCOMPARE(stress.optimiser.virialWeight, 3.0);
        QCOMPARE(nlohmann::json(stress)["data"]["stress_unit"].get<std::string>(),
                 std::string("GPa"));
        QVERIFY(errorOf([] {
                    parse(R"({"data": {"stress_unit": "psi"}})");
                }).contains("data.stress_unit"));
        QVERIFY(errorOf([] {
                    validate(parse(R"({"optimiser": {"virial_weight": -1}})"));
                }).contains("optimiser.virial_weight"));
        // "auto" is relative to the energy weight: a zero energy weight is refused by name.
        ExperimentConfig zero = presetConfig("recommended");
        zero.optimiser.energyWeight = 0;
        QVERIFY(errorOf([&] { validate(zero); }).contains("optimiser.energy_weight"));
    }

    void absentKeysKeepDefaults() {
        const ExperimentConfig c = parse(R"({"model": {"pooling": "sum"}})");
        const ExperimentConfig defaults;
        QVERIFY(c.model.pooling == Pooling::Sum);
        QCOMPARE(c.model.graphLayers.size(), defaults.model.graphLayers.size());
        QCOMPARE(c.optimiser.phases.size(), defaults.optimiser.phases.size());
        QCOMPARE(c.training.seed, defaults.training.seed);
        QCOMPARE(c.graph.options.cutoff, defaults.graph.options.cutoff);
        // "split" (written by graphace train beside the config) is accepted and ignored.
        const ExperimentConfig withSplit = parse(R"({"split": {"train": [1, 0], "test": []}})");
        QCOMPARE(withSplit.training.batchSize, defaults.training.batchSize);
    }

    void everyPresetParsesAndValidates() {
        QVERIFY(presetNames().size() >= 2);
        for (const std::string& name : presetNames()) {
            const ExperimentConfig c = presetConfig(name);
            QCOMPARE(c.preset, name);
            validate(c);
            const ExperimentConfig fromJson = presetJson(name).get<ExperimentConfig>();
            validate(fromJson);
            QCOMPARE(QString::fromStdString(nlohmann::json(fromJson).dump()),
                     QString::fromStdString(presetJson(name).dump()));
            const ExperimentConfig composed = composeConfig(name, nlohmann::json::object(), {});
            QCOMPARE(QString::fromStdString(nlohmann::json(composed).dump()),
                     QString::fromStdString(presetJson(name).dump()));
        }
        QVERIFY(errorOf([] { presetConfig("study-2024"); }).contains("recommended"));
    }

    void studyPresetIsTheStudy() {
        // docs/science.md §1, number by number.
        const ExperimentConfig c = presetConfig("study-2023");
        QCOMPARE(c.ace.body_order, 3);
        QCOMPARE(c.ace.max_degree, 3);
        QCOMPARE(c.ace.r0, 1.0);
        QCOMPARE(c.ace.rcut, 5.0);
        QCOMPARE(c.ace.wL, 1.0);
        QCOMPARE(c.ace.csp, 1.0);
        QVERIFY(!c.graph.autoCutoff);
        QCOMPARE(c.graph.options.cutoff, 0.5);
        QVERIFY(c.graph.options.selfLoops);
        QCOMPARE(c.model.graphLayers.size(), std::size_t(2));
        QCOMPARE(c.model.graphLayers[0].width, 26);
        QVERIFY(c.model.graphLayers[0].activation == Activation::Tanh);
        QCOMPARE(c.model.graphLayers[1].width, 26);
        QVERIFY(c.model.graphLayers[1].activation == Activation::Identity);
        QCOMPARE(c.model.denseLayers.size(), std::size_t(1));
        QCOMPARE(c.model.denseLayers[0].width, 1);
        QVERIFY(c.model.pooling == Pooling::Mean);
        QVERIFY(c.model.target == EnergyTarget::Total);
        QVERIFY(!c.model.standardiseInputs && !c.model.standardiseTargets &&
                !c.model.referenceEnergies);
        QVERIFY(c.optimiser.loss == LossKind::TotalEnergy);
        QVERIFY(c.optimiser.kind == OptimiserKind::Adam);
        QCOMPARE(c.optimiser.eps, 1e-8);
        QCOMPARE(c.optimiser.phases.size(), std::size_t(2));
        QCOMPARE(c.optimiser.phases[0].epochs, 500);
        QCOMPARE(c.optimiser.phases[0].learningRate, 0.1);
        QCOMPARE(c.optimiser.phases[0].beta1, 0.9);
        QCOMPARE(c.optimiser.phases[0].beta2, 0.8);
        QCOMPARE(c.optimiser.phases[1].epochs, 500);
        QCOMPARE(c.optimiser.phases[1].learningRate, 1e-5);
        QVERIFY(c.optimiser.phases[1].resetMoments);
        QVERIFY(c.optimiser.decay == LearningRateDecay::None);
        QCOMPARE(c.training.batchSize, 1);
        QVERIFY(!c.training.shuffle);
    }

    void recommendedPresetDoesItRight() {
        const ExperimentConfig c = presetConfig("recommended");
        QVERIFY(c.graph.autoCutoff);
        QVERIFY(c.graph.options.selfLoops);
        QVERIFY(c.graph.options.normalisation == Normalisation::Symmetric);
        QVERIFY(c.model.standardiseInputs && c.model.standardiseTargets &&
                c.model.referenceEnergies);
        QVERIFY(c.model.whitenInputs); // without it Adam stalls above the linear fit (cli.md)
        QVERIFY(c.model.target == EnergyTarget::PerAtomSum);
        QVERIFY(c.model.pooling == Pooling::Sum);
        QVERIFY(c.optimiser.loss == LossKind::EnergyPerAtom);
        QVERIFY(c.optimiser.decay != LearningRateDecay::None);
        QVERIFY(c.training.batchSize >= 8 && c.training.batchSize <= 32);
        QVERIFY(c.training.shuffle);
        QVERIFY(totalEpochs(c.optimiser) >= 100);
        // A potential: forces whenever the data has them, with a C² edge weight.
        QVERIFY(c.optimiser.autoForcesWeight);
        QVERIFY(c.graph.options.weighting == EdgeWeighting::SmoothPolynomial);
        QVERIFY(c.linear.energyWeight > 1); // force rows must not drown the energies
        // On top of the linear fit, decayed towards it (cli.md, "Presets").
        QVERIFY(c.model.linearTerm);
        QVERIFY(c.optimiser.kind == OptimiserKind::AdamW && c.optimiser.weightDecay > 0);
    }

    void unknownKeysAreNamedWithTheKnownOnes() {
        QString m = errorOf([] { parse(R"({"modle": {}})"); });
        QVERIFY2(m.contains("\"config.modle\"") && m.contains("known:") && m.contains("model") &&
                     m.contains("optimiser"),
                 qPrintable(m));
        m = errorOf([] { parse(R"({"model": {"pooling": "sum", "poolling": "mean"}})"); });
        QVERIFY2(m.contains("model.poolling") && m.contains("pooling") &&
                     m.contains("graph_layers"),
                 qPrintable(m));
        m = errorOf([] { parse(R"({"optimiser": {"phases": [{"epoch": 3}]}})"); });
        QVERIFY2(m.contains("optimiser.phases.0.epoch") && m.contains("epochs"), qPrintable(m));
        m = errorOf([] { parse(R"({"ace": {"rcutt": 4}})"); });
        QVERIFY2(m.contains("ace.rcutt") && m.contains("rcut") && m.contains("body_order"),
                 qPrintable(m));
        m = errorOf([] { parse(R"({"training": {"batch": 3}})"); });
        QVERIFY2(m.contains("training.batch") && m.contains("batch_size"), qPrintable(m));
    }

    void badNamesListTheAccepted() {
        QString m = errorOf(
            [] { parse(R"({"model": {"graph_layers": [{"width": 4, "activation": "swish"}]}})"); });
        QVERIFY2(m.contains("model.graph_layers.0.activation") && m.contains("swish") &&
                     m.contains("silu") && m.contains("leaky_relu") && m.contains("softplus"),
                 qPrintable(m));
        m = errorOf([] { parse(R"({"optimiser": {"kind": "lbfgs"}})"); });
        QVERIFY2(m.contains("optimiser.kind") && m.contains("adamw") && m.contains("sgd"),
                 qPrintable(m));
        m = errorOf([] { parse(R"({"optimiser": {"decay": "step"}})"); });
        QVERIFY2(m.contains("reduce_on_plateau"), qPrintable(m));
        m = errorOf([] { parse(R"({"graph": {"normalisation": "sym"}})"); });
        QVERIFY2(m.contains("graph.normalisation") && m.contains("symmetric"), qPrintable(m));
        // The parse functions themselves, and their inverse.
        for (Activation a :
             {Activation::Identity, Activation::Relu, Activation::LeakyRelu, Activation::Tanh,
              Activation::Sigmoid, Activation::Silu, Activation::Gelu, Activation::Softplus})
            QVERIFY(parseActivation(toString(a)) == a);
        QVERIFY(parseLearningRateDecay("cosine") == LearningRateDecay::Cosine);
        QVERIFY(errorOf([] { parsePooling("max"); }).contains("mean"));
    }

    void wrongTypesAreNamed() {
        QString m = errorOf([] { parse(R"({"model": {"pooling": 3}})"); });
        QVERIFY2(m.contains("model.pooling") && m.contains("must be a string"), qPrintable(m));
        m = errorOf([] { parse(R"({"optimiser": {"phases": [{"epochs": "ten"}]}})"); });
        QVERIFY2(m.contains("optimiser.phases.0.epochs") && m.contains("integer"), qPrintable(m));
        m = errorOf([] { parse(R"({"training": {"batch_size": 1.5}})"); });
        QVERIFY2(m.contains("training.batch_size") && m.contains("integer"), qPrintable(m));
        m = errorOf([] { parse(R"({"training": {"shuffle": "yes"}})"); });
        QVERIFY2(m.contains("training.shuffle") && m.contains("true or false"), qPrintable(m));
        m = errorOf([] { parse(R"({"optimiser": {"eps": "small"}})"); });
        QVERIFY2(m.contains("optimiser.eps") && m.contains("number"), qPrintable(m));
        m = errorOf([] { parse(R"({"optimiser": {"phases": {"epochs": 3}}})"); });
        QVERIFY2(m.contains("optimiser.phases") && m.contains("array"), qPrintable(m));
        m = errorOf([] { parse(R"({"graph": {"cutoff": "far"}})"); });
        QVERIFY2(m.contains("graph.cutoff") && m.contains("auto"), qPrintable(m));
        m = errorOf([] { parse(R"({"training": {"seed": -1}})"); });
        QVERIFY2(m.contains("training.seed"), qPrintable(m));
        m = errorOf([] { parse(R"({"model": []})"); });
        QVERIFY2(m.contains("\"model\"") && m.contains("object"), qPrintable(m));
    }

    void validationNamesTheField() {
        auto invalid = [](auto change) {
            ExperimentConfig c = presetConfig("recommended");
            change(c);
            return errorOf([&] { validate(c); });
        };
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.model.denseLayers.back().width = 2;
                }).contains("dense_layers"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.model.graphLayers.clear();
                }).contains("graph_layers"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.model.graphLayers[1].width = 0;
                }).contains("graph_layers.1.width"));
        QVERIFY(
            invalid([](ExperimentConfig& c) { c.optimiser.phases.clear(); }).contains("phases"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.optimiser.phases[0].learningRate = 0;
                }).contains("phases.0.learning_rate"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.optimiser.phases[0].beta2 = 1.0;
                }).contains("beta2"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.optimiser.phases[0].epochs = 0;
                }).contains("epochs"));
        QVERIFY(
            invalid([](ExperimentConfig& c) { c.training.batchSize = -1; }).contains("batch_size"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.training.checkpointEvery = -1;
                }).contains("training.checkpoint_every"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.training.device = "gpu";
                }).contains("training.device"));
        QVERIFY(invalid([](ExperimentConfig& c) {
                    c.graph.options.cutoff = -1;
                }).contains("graph.cutoff"));
        QVERIFY(invalid([](ExperimentConfig& c) { c.ace.rcut = -1; }).contains("rcut"));
        QVERIFY(invalid([](ExperimentConfig& c) { c.data.testSize = -2; }).contains("test_size"));
    }

    void applySettingPaths() {
        nlohmann::json d = presetJson("study-2023");
        applySetting(d, "optimiser.phases.1.learning_rate=1e-4");
        QCOMPARE(d["optimiser"]["phases"][1]["learning_rate"].get<double>(), 1e-4);
        QCOMPARE(d["optimiser"]["phases"][0]["learning_rate"].get<double>(), 0.1);
        applySetting(d, "model.graph_layers.0.activation=silu"); // bare word: a string
        QCOMPARE(d["model"]["graph_layers"][0]["activation"].get<std::string>(),
                 std::string("silu"));
        applySetting(d, "training.shuffle=true");
        QVERIFY(d["training"]["shuffle"].get<bool>());
        applySetting(d, "ace.species=[\"Hf\",\"O\"]");
        QVERIFY(d["ace"]["species"].is_array());
        applySetting(d, "optimiser.phases=[{\"epochs\":4}]"); // a whole array replaced
        QCOMPARE(d["optimiser"]["phases"].size(), std::size_t(1));
        const ExperimentConfig c = d.get<ExperimentConfig>();
        QCOMPARE(c.optimiser.phases[0].epochs, 4);
        QVERIFY(c.model.graphLayers[0].activation == Activation::Silu);

        nlohmann::json empty = nlohmann::json::object();
        applySetting(empty, "data.train=a b.xyz"); // objects created along the path
        QCOMPARE(empty["data"]["train"].get<std::string>(), std::string("a b.xyz"));

        nlohmann::json e = presetJson("study-2023");
        QVERIFY(errorOf([&] {
                    applySetting(e, "optimiser.phases.2.epochs=3");
                }).contains("out of range"));
        QVERIFY(
            errorOf([&] { applySetting(e, "optimiser.phases.first.epochs=3"); }).contains("array"));
        QVERIFY(errorOf([&] { applySetting(e, "model.pooling.0=3"); }).contains("not an array"));
        QVERIFY(errorOf([&] { applySetting(e, "ace.rcut.value=3"); }).contains("ace.rcut"));
        QVERIFY(errorOf([&] { applySetting(e, "optimiser..eps=3"); }).contains("empty key"));
        QVERIFY(errorOf([&] { applySetting(e, "noequals"); }).contains("section.key=value"));
        QCOMPARE(
            QString::fromStdString(e.dump()),
            QString::fromStdString(presetJson("study-2023").dump())); // failures change nothing
    }

    void composeOrderPresetFileSettings() {
        // The file overrides the preset (arrays replace), the settings override the file.
        const nlohmann::json file = nlohmann::json::parse(R"({
            "model": {"pooling": "sum", "precision": "float64"},
            "optimiser": {"phases": [{"epochs": 7, "learning_rate": 0.01}]}
        })");
        const ExperimentConfig c = composeConfig(
            "study-2023", file, {"model.pooling=mean", "optimiser.phases.0.epochs=9"});
        QCOMPARE(c.preset, std::string("study-2023"));
        QVERIFY(c.model.pooling == Pooling::Mean);           // setting beats file
        QVERIFY(c.model.precision == Precision::Float64);    // file beats preset
        QCOMPARE(c.optimiser.phases.size(), std::size_t(1)); // the file's array replaced it
        QCOMPARE(c.optimiser.phases[0].epochs, 9);
        QCOMPARE(c.optimiser.phases[0].learningRate, 0.01);
        QCOMPARE(c.graph.options.cutoff, 0.5);        // the preset where nobody spoke
        QCOMPARE(c.optimiser.phases[0].beta2, 0.999); // a phase object from the file: defaults

        // The file may name the preset; an explicit one wins over it.
        const nlohmann::json named = nlohmann::json::parse(R"({"preset": "recommended"})");
        QVERIFY(composeConfig("", named, {}).graph.autoCutoff);
        const ExperimentConfig explicitPreset = composeConfig("study-2023", named, {});
        QVERIFY(!explicitPreset.graph.autoCutoff);
        QCOMPARE(explicitPreset.preset, std::string("study-2023"));
        // No preset at all: the struct defaults.
        QCOMPARE(composeConfig("", nlohmann::json::object(), {}).training.batchSize,
                 ExperimentConfig().training.batchSize);
        // The composed config is validated, and an unknown preset is named.
        QVERIFY(errorOf([] {
                    composeConfig("recommended", {}, {"optimiser.phases.0.learning_rate=-1"});
                }).contains("learning_rate"));
        QVERIFY(errorOf([] { composeConfig("fast", {}, {}); }).contains("unknown preset"));
        QVERIFY(errorOf([] { composeConfig("", nlohmann::json::array(), {}); }).contains("object"));
    }

    void readJsonFileReportsTheLine() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("bad.json").toStdString();
        std::ofstream(path) << "{\n  \"model\": {\n    \"pooling\": sum\n  }\n}\n";
        try {
            readJsonFile(path);
            QFAIL("no ParseError");
        } catch (const ParseError& e) {
            QCOMPARE(e.line(), 3L);
            QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(path));
        }
        try {
            readJsonFile(dir.filePath("missing.json").toStdString());
            QFAIL("no ParseError");
        } catch (const ParseError& e) {
            QVERIFY(QString::fromStdString(e.message()).contains("cannot open"));
        }
    }

    void wildcardSettingSetsEveryEntry() {
        nlohmann::json doc = presetConfig("recommended");
        applySetting(doc, "model.graph_layers.*.activation=tanh");
        const ExperimentConfig c = doc.get<ExperimentConfig>();
        QCOMPARE(c.model.graphLayers.size(), std::size_t(2));
        for (const LayerConfig& layer : c.model.graphLayers)
            QVERIFY(layer.activation == Activation::Tanh);
        QVERIFY(c.model.denseLayers[0].activation == Activation::Silu); // untouched
        nlohmann::json empty = {{"list", nlohmann::json::array()}};
        QVERIFY(errorOf([&] { applySetting(empty, "list.*.x=1"); }).contains("has no entries"));
    }

    void sweepSpecifications() {
        // A range: inclusive, values in their shortest form (no 0.30000000000000004).
        SettingSweep range = parseSettingSweep("graph.cutoff=0.1:0.5:0.1");
        QCOMPARE(range.key, std::string("graph.cutoff"));
        QCOMPARE(range.values, (std::vector<std::string>{"0.1", "0.2", "0.3", "0.4", "0.5"}));
        QCOMPARE(parseSettingSweep("training.batch_size=8:32:8").values,
                 (std::vector<std::string>{"8", "16", "24", "32"}));
        // A list, any values.
        QCOMPARE(parseSettingSweep("model.graph_layers.*.activation=tanh, silu").values,
                 (std::vector<std::string>{"tanh", "silu"}));
        // Each value is a --set over the base: the cutoff stops being "auto".
        const ExperimentConfig base = presetConfig("recommended");
        const ExperimentConfig third = sweepConfig(base, range, 2);
        QCOMPARE(third.graph.options.cutoff, 0.3);
        QVERIFY(!third.graph.autoCutoff);
        QCOMPARE(third.preset, base.preset);
        // What is wrong, said.
        QVERIFY(errorOf([] { parseSettingSweep("graph.cutoff"); }).contains("KEY=FIRST:LAST:STEP"));
        QVERIFY(errorOf([] { parseSettingSweep("graph.cutoff=3:2:1"); }).contains("LAST >= FIRST"));
        QVERIFY(errorOf([] { parseSettingSweep("graph.cutoff=1:x:1"); }).contains("\"x\""));
        QVERIFY(errorOf([] {
                    parseSettingSweep("graph.cutoff=0:1000:0.5");
                }).contains("more than 1000"));
        QVERIFY(errorOf([] {
                    parseSettingSweep("data.train=a.xyz,b.xyz");
                }).contains("data files cannot be swept"));
        const SettingSweep bad = parseSettingSweep("graph.cutoff=3,-1");
        QVERIFY(errorOf([&] { sweepConfig(base, bad, 1); }).contains("graph.cutoff=-1"));
    }

    void historyCsvRoundTrip() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("history.csv").toStdString();
        std::vector<EpochRecord> history;
        for (int k = 1; k <= 4; ++k) {
            EpochRecord r;
            r.epoch = k;
            r.phase = k > 2;
            r.trainLoss = 1.0 / (3.0 * k); // not exactly representable in short decimal
            r.testLoss = k == 4 ? std::numeric_limits<double>::infinity() : 0.1 * k;
            r.trainRmseMevPerAtom = 12.345678901234567 / k;
            r.trainMaeMevPerAtom = 1e-300 * k;
            r.testRmseMevPerAtom = std::numeric_limits<double>::quiet_NaN();
            r.testMaeMevPerAtom = -0.0;
            r.learningRate = 0.1 * std::pow(0.5, k);
            r.seconds = 1.5e-3;
            r.atomsPerSecond = 123456.75;
            r.trainVirialRmseMevPerAtom = 3.25 * k;
            r.testVirialRmseMevPerAtom = std::numeric_limits<double>::quiet_NaN();
            history.push_back(r);
        }
        writeHistoryCsv(path, history);
        const std::string text = readText(path);
        QVERIFY(text.rfind("epoch,phase,train_loss,test_loss,", 0) == 0);
        QCOMPARE(std::count(text.begin(), text.end(), '\n'), 5L); // header + one row per epoch

        const std::vector<EpochRecord> back = readHistoryCsv(path);
        QCOMPARE(back.size(), history.size());
        for (std::size_t k = 0; k < back.size(); ++k) {
            QCOMPARE(back[k].epoch, history[k].epoch);
            QCOMPARE(back[k].phase, history[k].phase);
            QCOMPARE(back[k].trainLoss, history[k].trainLoss); // exact: shortest round trip
            QCOMPARE(back[k].testLoss, history[k].testLoss);
            QCOMPARE(back[k].trainRmseMevPerAtom, history[k].trainRmseMevPerAtom);
            QCOMPARE(back[k].trainMaeMevPerAtom, history[k].trainMaeMevPerAtom);
            QVERIFY(std::isnan(back[k].testRmseMevPerAtom));
            QCOMPARE(back[k].learningRate, history[k].learningRate);
            QCOMPARE(back[k].seconds, history[k].seconds);
            QCOMPARE(back[k].atomsPerSecond, history[k].atomsPerSecond);
            QCOMPARE(back[k].trainVirialRmseMevPerAtom, history[k].trainVirialRmseMevPerAtom);
            QVERIFY(std::isnan(back[k].testVirialRmseMevPerAtom));
        }
        QVERIFY(std::isinf(back[3].testLoss));

        // A file written before the virial columns: the rest reads, virials NaN.
        {
            std::istringstream in(text);
            std::ostringstream older;
            for (std::string line; std::getline(in, line);) {
                for (int cut = 0; cut < 2; ++cut)
                    line = line.substr(0, line.rfind(','));
                older << line << '\n';
            }
            std::ofstream(path, std::ios::trunc) << older.str();
            const std::vector<EpochRecord> old = readHistoryCsv(path);
            QCOMPARE(old.size(), history.size());
            QCOMPARE(old[1].trainLoss, history[1].trainLoss);
            QVERIFY(std::isnan(old[1].trainVirialRmseMevPerAtom));
        }

        // Empty history: header only, reads back empty.
        writeHistoryCsv(path, {});
        QVERIFY(readHistoryCsv(path).empty());
    }

    void inputsFoundByFuzzing() {
        // A number beyond double range in a --config file: ParseError with file and line
        // (it escaped as nlohmann's out_of_range before).
        try {
            parseJsonText("{\"graph\":\n  {\"cutoff\": 6664666.0022E20022220022}}", "c.json");
            QFAIL("no ParseError");
        } catch (const ParseError& e) {
            QCOMPARE(e.line(), 2L);
            QCOMPARE(QString::fromStdString(e.file()), QStringLiteral("c.json"));
            QVERIFY2(QString::fromUtf8(e.what()).contains(QStringLiteral("out of range")),
                     e.what());
        }
        // A --set that is not UTF-8: refused where it is given (the JSON writer threw
        // type_error later, far from the cause).
        nlohmann::json document = nlohmann::json::object();
        QVERIFY(errorOf([&] {
                    applySetting(document, std::string("preset=\x04\xd4"));
                }).contains(QStringLiteral("UTF-8")));
        QVERIFY(errorOf([&] {
                    composeConfig("", nlohmann::json::object(), {std::string("ace.r0=\xc0\x80")});
                }).contains(QStringLiteral("UTF-8")));
    }

    void metricsPerGroupAreTheMetricsOfEachSubset() {
        // Three configurations of "bulk", one of "surface", one without the key; forces on all.
        Dataset data;
        const char* types[] = {"bulk", "surface", "bulk", nullptr, "bulk"};
        std::vector<double> predicted, forces;
        for (int c = 0; c < 5; ++c) {
            Structure s;
            for (int a = 0; a <= c % 2; ++a) {
                s.positions.emplace_back(a, 0, 0);
                s.numbers.push_back(14);
                s.forces.emplace_back(0.1 * c, -0.2 * a, 0.3);
                forces.insert(forces.end(), {0.1 * c + 0.01 * (c + 1), -0.2 * a, 0.3 - 0.02 * c});
            }
            s.energy = -5.0 * (c + 1);
            if (types[c])
                s.info.emplace_back("config_type", types[c]);
            data.structures.push_back(s);
            predicted.push_back(*s.energy + 0.003 * (c + 1) * (c % 2 ? 1 : -1));
        }
        const std::vector<GroupMetrics> groups = metricsByGroup(data, predicted, forces);
        QCOMPARE(groups.size(), std::size_t(3));
        QCOMPARE(groups[0].group, std::string("bulk"));
        QCOMPARE(groups[1].group, std::string("surface"));
        QCOMPARE(groups[2].group, std::string(""));
        // "bulk" is configurations 0, 2, 4 (one atom each): the metrics of that subset.
        std::vector<double> ref{-5.0, -15.0, -25.0}, pred{predicted[0], predicted[2], predicted[4]};
        std::vector<double> refForces, predForces;
        std::size_t atom = 0;
        for (int c = 0; c < 5; ++c) {
            if (c % 2 == 0)
                for (int k = 0; k < 3; ++k) {
                    refForces.push_back(data.structures[c].forces[0][k]);
                    predForces.push_back(forces[3 * atom + k]);
                }
            atom += data.structures[c].size();
        }
        const RegressionMetrics bulk =
            computeRegressionMetrics(ref, pred, {1, 1, 1}, refForces, predForces);
        QCOMPARE(groups[0].metrics.configurations, std::size_t(3));
        QCOMPARE(groups[0].metrics.energyMaeMevPerAtom, bulk.energyMaeMevPerAtom);
        QCOMPARE(groups[0].metrics.forceComponents, std::size_t(9));
        QCOMPARE(groups[0].metrics.forceRmseEvPerA, bulk.forceRmseEvPerA);
        QVERIFY(groups[0].metrics.forceRmseEvPerA > 0);
        QCOMPARE(groups[1].metrics.forceComponents, std::size_t(6)); // two atoms
        // Without predicted forces: energies only; wrong sizes are refused.
        QCOMPARE(metricsByGroup(data, predicted)[0].metrics.forceComponents, std::size_t(0));
        QVERIFY(errorOf([&] { metricsByGroup(data, {1.0}); }).contains("one predicted energy"));
        QVERIFY(errorOf([&] { metricsByGroup(data, predicted, {1.0}); }).contains("forces"));
        // A key no configuration has: one group, "".
        QCOMPARE(metricsByGroup(data, predicted, {}, "missing").size(), std::size_t(1));

        // Per configuration and atom: each configuration's own errors, from the definitions.
        const ConfigurationErrors errors = configurationErrors(data, predicted, forces);
        QCOMPARE(errors.energyPerAtom.size(), data.size());
        atom = 0;
        for (std::size_t c = 0; c < data.size(); ++c) {
            const Structure& s = data.structures[c];
            QCOMPARE(errors.energyPerAtom[c], (predicted[c] - *s.energy) / double(s.size()));
            double squares = 0;
            QCOMPARE(errors.atomForceError[c].size(), s.size());
            for (std::size_t a = 0; a < s.size(); ++a, ++atom) {
                const Vec3 d = Vec3(forces[3 * atom], forces[3 * atom + 1], forces[3 * atom + 2]) -
                               s.forces[a];
                QCOMPARE(errors.atomForceError[c][a], d.norm());
                squares += d.squaredNorm();
            }
            QVERIFY(std::abs(errors.forceRmse[c] - std::sqrt(squares / (3.0 * s.size()))) <= 1e-15);
            QVERIFY(errors.forceRmse[c] > 0);
        }
        // Without predicted forces: no force errors; wrong sizes are refused.
        const ConfigurationErrors energyOnly = configurationErrors(data, predicted);
        QVERIFY(std::isnan(energyOnly.forceRmse[0]) && energyOnly.atomForceError[0].empty());
        QVERIFY(
            errorOf([&] { configurationErrors(data, {1.0}); }).contains("one predicted energy"));
    }

    void historyCsvMalformed() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("history.csv").toStdString();
        std::vector<EpochRecord> history(3);
        for (int k = 0; k < 3; ++k)
            history[k].epoch = k + 1;
        writeHistoryCsv(path, history);
        const std::string good = readText(path);
        std::vector<std::string> lines;
        std::istringstream in(good);
        for (std::string l; std::getline(in, l);)
            lines.push_back(l);
        QCOMPARE(lines.size(), std::size_t(4));

        auto expectError = [&](std::vector<std::string> edited, long line, const char* what) {
            std::ofstream out(path, std::ios::trunc);
            for (const auto& l : edited)
                out << l << '\n';
            out.close();
            try {
                readHistoryCsv(path);
                QFAIL(qPrintable(QStringLiteral("no ParseError for: %1").arg(what)));
            } catch (const ParseError& e) {
                QVERIFY2(e.line() == line, qPrintable(QStringLiteral("%1: line %2, expected %3")
                                                          .arg(what)
                                                          .arg(e.line())
                                                          .arg(line)));
                QCOMPARE(QString::fromStdString(e.file()), QString::fromStdString(path));
            }
        };
        auto edited = lines;
        edited[2] += ",7";
        expectError(edited, 3, "extra field");
        edited = lines;
        edited[3] = edited[3].substr(0, edited[3].rfind(','));
        expectError(edited, 4, "missing field");
        edited = lines;
        edited[2].replace(edited[2].find(',', 3) + 1, 1, "x"); // train_loss "x"
        expectError(edited, 3, "not a number");
        edited = lines;
        edited[1] = "1.5" + edited[1].substr(1);
        expectError(edited, 2, "fractional epoch");
        edited = lines;
        edited[0] = "epoch,phase,loss";
        expectError(edited, 1, "wrong header");
        expectError({}, 0, "empty file");
        try {
            readHistoryCsv(dir.filePath("none.csv").toStdString());
            QFAIL("no ParseError for a missing file");
        } catch (const ParseError&) {
        }
    }

    void atomicWrites() {
        QTemporaryDir dir;
        const std::string path = dir.filePath("out.json").toStdString();
        writeFileAtomically(path, "first");
        QCOMPARE(readText(path), std::string("first"));
        writeFileAtomically(path, "second, longer");
        QCOMPARE(readText(path), std::string("second, longer"));
        // Nothing but the file itself is left in the directory.
        int entries = 0;
        for (const auto& entry : std::filesystem::directory_iterator(dir.path().toStdString())) {
            Q_UNUSED(entry);
            ++entries;
        }
        QCOMPARE(entries, 1);
        bool threw = false;
        try {
            writeFileAtomically(dir.filePath("no/such/dir/x").toStdString(), "x");
        } catch (const std::runtime_error&) {
            threw = true;
        }
        QVERIFY(threw);
    }

    void metricKeysAreFitLinears() {
        RegressionMetrics m;
        m.configurations = 3;
        m.energyRmseMevPerAtom = 1.5;
        m.energyR2 = 0.25;
        nlohmann::json j = metricsToJson(m);
        for (const char* key : {"configurations", "energy_rmse_mev_per_atom",
                                "energy_mae_mev_per_atom", "energy_rmse_ev", "energy_mae_ev",
                                "energy_r2", "force_rmse_ev_per_a", "force_mae_ev_per_a"})
            QVERIFY2(j.contains(key), key);
        QCOMPARE(j["energy_rmse_mev_per_atom"].get<double>(), 1.5);
        QVERIFY(j["force_rmse_ev_per_a"].is_null());
        m.forceComponents = 9;
        m.forceRmseEvPerA = 0.125;
        j = metricsToJson(m);
        QCOMPARE(j["force_rmse_ev_per_a"].get<double>(), 0.125);
    }
};

QTEST_APPLESS_MAIN(TestExperimentConfig)
#include "test_experiment_config.moc"
