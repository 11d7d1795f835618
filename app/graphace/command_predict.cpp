// graphace predict: apply a trained network (a `graphace train --out DIR`) to a data file.

#include "cli_common.h"
#include "commands.h"

#include "graphace/dataset_split.h"
#include "graphace/extxyz.h"
#include "graphace/gcn_trainer.h"
#include "graphace/graph_dataset.h"
#include "graphace/training_outputs.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <iostream>

namespace graphace::cli {
namespace {

struct PredictOptions {
    std::string modelDir;
    InputOptions input;
    std::string subsetName; // "", "train" or "test"
    std::string jsonPath;
    std::string outPath; // extended XYZ with the predictions
    std::string device = "cpu";
    int threads = 0;
};

// The configurations of `data` that config.json's "split" lists for `which`.
std::vector<std::size_t> splitIndicesOf(const nlohmann::json& split, const std::string& which,
                                        const std::string& configPath, std::size_t size) {
    if (split.is_null())
        throw std::invalid_argument(configPath + " has no \"split\" (the run used a separate test "
                                                 "file): --subset needs a run split from one file");
    if (!split.is_object() || !split.contains(which) || !split.at(which).is_array())
        throw std::invalid_argument(configPath + ": \"split\" has no \"" + which + "\" list");
    std::vector<std::size_t> indices;
    for (const auto& v : split.at(which)) {
        if (!v.is_number_unsigned())
            throw std::invalid_argument(configPath + ": \"split." + which +
                                        "\" must hold configuration indices");
        const auto index = v.get<std::size_t>();
        if (index >= size)
            throw std::invalid_argument("the run's split refers to configuration " +
                                        std::to_string(index + 1) + " but the file has only " +
                                        std::to_string(size) +
                                        ": is this the file the model was trained on?");
        indices.push_back(index);
    }
    return indices;
}

} // namespace

void registerPredictCommand(CLI::App& app) {
    auto* command = app.add_subcommand("predict", kPredictSummary);
    auto o = std::make_shared<PredictOptions>();
    command->add_option("--model", o->modelDir, "Directory written by graphace train")
        ->required()
        ->check(CLI::ExistingDirectory);
    addInputOptions(*command, o->input, false);
    command
        ->add_option("--subset", o->subsetName,
                     "Only the training or test configurations of FILE, as split by the run "
                     "(config.json \"split\")")
        ->check(CLI::IsMember({"train", "test"}));
    command->add_option("--json", o->jsonPath,
                        "Write metrics and per-configuration energies as JSON ('-': stdout)");
    command->add_option("--out", o->outPath,
                        "Write the configurations with the predicted energy, forces and stress "
                        "(eV, eV/Å, eV/Å³; forces and stress when the model has them) as "
                        "extended XYZ");
    command->add_option("--device", o->device, "cpu, cuda or cuda:N")->capture_default_str();
    command->add_option("--threads", o->threads, "Threads for the descriptors (0: all cores)")
        ->check(CLI::NonNegativeNumber);
    command->callback([o] {
        const std::filesystem::path dir(o->modelDir);
        const std::string configPath = (dir / "config.json").string();
        const std::string modelPath = (dir / "model.pt").string();
        checkDevice(o->device);
        nlohmann::json configJson = readJsonFile(configPath);
        nlohmann::json split;
        if (configJson.is_object() && configJson.contains("split")) {
            split = configJson.at("split");
            configJson.erase("split");
        }
        ExperimentConfig config;
        try {
            config = configJson.get<ExperimentConfig>();
        } catch (const std::invalid_argument& e) {
            throw std::invalid_argument(configPath + ": " + e.what());
        }
        const GcnModel model = GcnModel::load(modelPath, o->device);
        // The descriptors and graph must be those the network was trained on.
        if (model.config().ace != config.ace ||
            model.config().graph.options.cutoff != config.graph.options.cutoff)
            throw std::invalid_argument(configPath + " does not describe " + modelPath +
                                        " (different ACE settings or graph cutoff)");
        if (config.ace.species.empty())
            throw std::invalid_argument(configPath +
                                        ": ace.species is empty (not a config as run)");

        const std::string& file = o->input.files.front();
        Dataset data = readInput(file, o->input);
        std::vector<std::size_t> indices(data.size());
        for (std::size_t k = 0; k < indices.size(); ++k)
            indices[k] = k;
        if (!o->subsetName.empty()) {
            indices = splitIndicesOf(split, o->subsetName, configPath, data.size());
            data = subset(data, indices);
        }
        if (data.size() == 0)
            throw std::invalid_argument("no configuration to predict");

        // Reference virials as the model was trained and scored on them.
        for (Structure& s : data.structures)
            s.virial = referenceVirial(s, config.data.stress);
        const AceBasis basis(config.ace);
        // Forces need the descriptor derivatives: only computed for a model that has forces.
        const bool forces = model.supportsForces();
        const GraphDataset graphs = buildGraphDataset(basis, config.graph.options, data, o->threads,
                                                      terminalProgress("descriptors"), forces,
                                                      config.model.precision == Precision::Float32);
        finishTerminalProgress();
        GcnPrediction prediction;
        const RegressionMetrics scored = scoreModel(model, graphs, &prediction);
        const std::vector<double>& predicted = prediction.energies;
        if (!forces)
            printWarning("this model's edge weights (graph.weighting = " +
                         toString(config.graph.options.weighting) +
                         ") make its energy discontinuous: energies only, no forces");

        bool allEnergies = true;
        for (const auto& s : graphs.samples)
            allEnergies = allEnergies && std::isfinite(s.energy);
        nlohmann::json result;
        result["model"] = o->modelDir;
        result["file"] = file;
        result["subset"] =
            o->subsetName.empty() ? nlohmann::json(nullptr) : nlohmann::json(o->subsetName);
        result["metrics"] = allEnergies ? metricsToJson(scored) : nlohmann::json(nullptr);
        nlohmann::json energies = nlohmann::json::array();
        for (std::size_t k = 0; k < graphs.samples.size(); ++k) {
            const GraphSample& s = graphs.samples[k];
            energies.push_back({{"index", indices[k]},
                                {"atoms", s.atomCount},
                                {"reference", std::isfinite(s.energy) ? nlohmann::json(s.energy)
                                                                      : nlohmann::json(nullptr)},
                                {"predicted", predicted[k]}});
        }
        result["energies"] = energies;
        if (!allEnergies)
            printWarning("some configurations of " + file +
                         " have no energy: predictions only, no metrics");

        if (!o->outPath.empty()) {
            Dataset out = data;
            std::size_t atom = 0;
            for (std::size_t k = 0; k < out.size(); ++k) {
                Structure& s = out.structures[k];
                s.energy = predicted[k];
                s.energyKey = "energy";
                s.forces.clear();
                s.forcesKey = prediction.forces.empty() ? "" : "forces";
                s.stress.reset();
                s.virial.reset();
                if (!prediction.forces.empty())
                    for (std::size_t a = 0; a < s.size(); ++a, ++atom)
                        s.forces.emplace_back(prediction.forces[3 * atom],
                                              prediction.forces[3 * atom + 1],
                                              prediction.forces[3 * atom + 2]);
                if (!prediction.stresses.empty() && std::isfinite(prediction.stresses[9 * k])) {
                    Mat3 stress;
                    for (int r = 0; r < 3; ++r)
                        for (int c = 0; c < 3; ++c)
                            stress(r, c) = prediction.stresses[9 * k + 3 * r + c];
                    s.stress = stress;
                }
            }
            writeExtxyzFile(o->outPath, out);
        }
        if (o->jsonPath == "-") {
            emitJson(result);
            return;
        }
        if (allEnergies) {
            const nlohmann::json& m = result["metrics"];
            const bool virials = m.contains("virial_rmse_mev_per_atom");
            std::vector<std::string> header{
                "set",       "configs", "E RMSE meV/atom", "E MAE meV/atom",
                "E RMSE eV", "E R²",    "F RMSE eV/Å",     "F MAE eV/Å"};
            if (virials)
                header.insert(header.end(), {"W RMSE meV/atom", "W MAE meV/atom"});
            TextTable table(header);
            auto cell = [&](const char* key, int precision) {
                return metricText(m, key, precision);
            };
            std::vector<std::string> row{o->subsetName.empty() ? std::string("all") : o->subsetName,
                                         std::to_string(m["configurations"].get<long>()),
                                         cell("energy_rmse_mev_per_atom", 4),
                                         cell("energy_mae_mev_per_atom", 4),
                                         cell("energy_rmse_ev", 4),
                                         cell("energy_r2", 5),
                                         cell("force_rmse_ev_per_a", 4),
                                         cell("force_mae_ev_per_a", 4)};
            if (virials)
                row.insert(row.end(), {cell("virial_rmse_mev_per_atom", 4),
                                       cell("virial_mae_mev_per_atom", 4)});
            table.addRow(row);
            std::cout << table.str();
        } else {
            std::cout << predicted.size() << " configurations predicted\n";
        }
        if (!o->jsonPath.empty())
            emitJson(result, o->jsonPath);
    });
}

} // namespace graphace::cli
