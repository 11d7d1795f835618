// graphace fit-linear: the linear least-squares ACE baseline with the field's usual metrics.

#include "cli_common.h"
#include "commands.h"

#include "graphace/ace_descriptors.h"
#include "graphace/dataset_split.h"
#include "graphace/element.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/metrics_json.h"
#include "graphace/pace_yace_export.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <optional>

namespace graphace::cli {
namespace {

struct FitLinearOptions {
    InputOptions train;
    std::string testFile;
    std::string split;                 // "NTRAIN:NTEST"
    std::optional<std::uint64_t> seed; // default: training.seed, as graphace train --split
    ConfigOptions config;
    double forcesWeight = -1; // < 0: from the config
    std::string jsonPath;
    std::string coefficientsPath;
    std::string yacePath;
};

void printMetrics(const nlohmann::json& result) {
    TextTable table({"set", "configs", "E RMSE meV/atom", "E MAE meV/atom", "E RMSE eV", "E R²",
                     "F RMSE eV/Å", "F MAE eV/Å"});
    for (const char* set : {"train", "test"}) {
        if (!result.contains(set))
            continue;
        const auto& m = result[set];
        auto number = [&](const char* key, int precision) { return metricText(m, key, precision); };
        table.addRow({set, std::to_string(m["configurations"].get<long>()),
                      number("energy_rmse_mev_per_atom", 4), number("energy_mae_mev_per_atom", 4),
                      number("energy_rmse_ev", 4), number("energy_r2", 5),
                      number("force_rmse_ev_per_a", 4), number("force_mae_ev_per_a", 4)});
    }
    std::cout << table.str() << "basis functions: " << result["basis_size"] << ", fit time "
              << formatNumber(result["seconds"].get<double>(), 3) << " s\n";
    const nlohmann::json& groups = result["per_group"];
    std::vector<GroupRows> blocks;
    for (const char* set : {"train", "test"})
        if (groups.contains(set))
            blocks.push_back({"linear", set, &groups.at(set)});
    printGroupTable(groups.at("key").get<std::string>(), blocks);
}

} // namespace

void registerFitLinearCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "fit-linear", "Fit the linear least-squares ACE model E = Σ c·B_i (+ per-species "
                      "reference energies), optionally with forces, and report train/test metrics");
    auto o = std::make_shared<FitLinearOptions>();
    command->add_option("--train", o->train.files, "Training data (extended XYZ or POSCAR)")
        ->required()
        ->expected(1)
        ->check(CLI::ExistingFile);
    command->add_option("--energy-key", o->train.energyKey, "Header key holding the energy");
    command->add_option("--forces-key", o->train.forcesKey, "Per-atom property holding forces");
    addFormatOptions(*command, o->train);
    auto* test = command->add_option("--test", o->testFile, "Test data (extended XYZ or POSCAR)")
                     ->check(CLI::ExistingFile);
    command
        ->add_option("--split", o->split,
                     "Split the training file: NTRAIN:NTEST configurations, shuffled by --seed")
        ->excludes(test);
    command->add_option("--seed", o->seed,
                        "Seed of the --split shuffle (default training.seed, 2023: the same split "
                        "as graphace train --split)");
    addConfigOptions(*command, o->config);
    addGroupKeyOption(*command, o->config);
    command
        ->add_option("--forces-weight", o->forcesWeight,
                     "Weight of force rows (0: energies only; default linear.forces_weight)")
        ->check(CLI::NonNegativeNumber);
    command->add_option("--json", o->jsonPath,
                        "Write the metrics as JSON to this file ('-': stdout)");
    command->add_option(
        "--save-coefficients", o->coefficientsPath,
        "Write the fitted model (ACE settings, coefficients, reference energies) as JSON, for "
        "graphace predict --model");
    command->add_option("--export-yace", o->yacePath,
                        "Also write the model as a .yace file for LAMMPS pair_style pace");
    command->callback([o] {
        ExperimentConfig config = loadExperimentConfig(o->config);
        if (o->forcesWeight >= 0)
            config.linear.forcesWeight = o->forcesWeight;

        // The JSON's config records what was fitted: the files (absolute) and any split, in the
        // schema `train` uses, so a result can be traced back and rerun.
        const std::string groupKey = config.data.groupKey;
        config.data = DataConfig{};
        config.data.groupKey = groupKey;
        config.data.trainFile = std::filesystem::absolute(o->train.files.front()).string();
        Dataset train = readInput(o->train.files.front(), o->train);
        Dataset test;
        if (!o->testFile.empty()) {
            config.data.testFile = std::filesystem::absolute(o->testFile).string();
            test = readInput(o->testFile, o->train);
        } else if (!o->split.empty()) {
            const auto [nTrain, nTest] = parseSplitCounts(o->split);
            config.data.trainSize = static_cast<int>(nTrain);
            config.data.testSize = static_cast<int>(nTest);
            if (o->seed)
                config.training.seed = *o->seed;
            const DatasetSplit split =
                splitIndices(train.size(), nTrain, nTest, config.training.seed);
            test = subset(train, split.test);
            train = subset(train, split.train);
        }
        Dataset all = train;
        all.structures.insert(all.structures.end(), test.structures.begin(), test.structures.end());
        config.ace = resolvedFor(config.ace, all);
        // "auto" settings from the training set only (the test set stays unseen).
        AceDataChoice aceChoice;
        config.ace = resolveAceFromData(config.ace, train, &aceChoice);
        if (aceChoice.anyAuto && o->jsonPath != "-")
            std::cerr << "ace from the training data: " << aceChoice.summary << '\n';

        const auto start = std::chrono::steady_clock::now();
        const AceBasis basis(config.ace);
        bool anyForces = false;
        for (const auto& s : all.structures)
            anyForces = anyForces || s.hasForces();
        if (!anyForces)
            config.linear.forcesWeight = 0; // nothing to fit or score
        // Descriptors stream through the solve (memory of a few configurations, not of the
        // file); the metrics come from the fitted model's own energies and forces (adjoint).
        const LinearAceModel model = fitLinearAceStreaming(basis, train, config.linear, 0,
                                                           terminalProgress("fit (descriptors)"));
        finishTerminalProgress();
        const double seconds =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

        nlohmann::json result;
        nlohmann::json perGroup = {{"key", groupKey}};
        // Errors per config_type (only where every configuration has an energy to compare).
        auto score = [&](const char* set, const Dataset& data, const LinearPrediction& p) {
            result[set] = metricsJson(scoreLinearPrediction(data, p));
            const bool energies =
                std::all_of(data.structures.begin(), data.structures.end(), [](const Structure& s) {
                    return s.energy && std::isfinite(*s.energy);
                });
            if (energies)
                perGroup[set] = groupsToJson(metricsByGroup(
                    data, p.energies,
                    p.forces.size() == 3 * data.atomCount() ? p.forces : std::vector<double>{},
                    groupKey));
        };
        auto predict = [&](const Dataset& data, const char* label) {
            LinearPrediction p = predictLinearAce(model, basis, data, 0, terminalProgress(label));
            finishTerminalProgress();
            if (!anyForces)
                p.forces.clear(); // nothing to compare them with
            return p;
        };
        score("train", train, predict(train, "prediction (train)"));
        if (!test.structures.empty())
            score("test", test, predict(test, "prediction (test)"));
        result["per_group"] = perGroup;
        result["basis_size"] = basis.size();
        result["seconds"] = seconds;
        result["rank"] = model.rank;
        result["config"] = config;
        if (aceChoice.anyAuto)
            result["ace_from_data"] = {{"summary", aceChoice.summary},
                                       {"nearest_neighbour", aceChoice.nearestNeighbour},
                                       {"r0", config.ace.r0},
                                       {"rcut", config.ace.rcut},
                                       {"max_degree_per_order", config.ace.max_degree_per_order}};

        if (!o->coefficientsPath.empty())
            writeLinearAceModel(model, o->coefficientsPath);
        if (!o->yacePath.empty()) {
            writePaceYace(model, o->yacePath);
            if (o->jsonPath != "-")
                printPaceUsage(model, o->yacePath);
        }
        if (o->jsonPath == "-") {
            emitJson(result);
            return;
        }
        printMetrics(result);
        if (!o->jsonPath.empty())
            emitJson(result, o->jsonPath);
    });
}

} // namespace graphace::cli
