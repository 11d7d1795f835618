// graphace predict with a trained network (a `graphace train --out DIR` folder); the options,
// the report and linear models are in predict_common.cpp.

#include "cli_common.h"
#include "commands.h"
#include "predict_common.h"

#include "graphace/dataset_split.h"
#include "graphace/extxyz.h"
#include "graphace/gcn_force_field.h"
#include "graphace/gcn_trainer.h"
#include "graphace/graph_dataset.h"
#include "graphace/training_outputs.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <filesystem>
#include <iostream>
#include <memory>

namespace graphace::cli {
namespace {

// The configurations of `data` that a run's config.json "split" lists for `which`.
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

// A network's run folder: its config as run (without the split), the split, and the model,
// checked to belong together.
struct NetworkRun {
    std::string configPath;
    ExperimentConfig config;
    nlohmann::json split;
    std::shared_ptr<const GcnModel> model;
};

NetworkRun loadNetworkRun(const std::string& folder, const std::string& device) {
    const std::filesystem::path dir(folder);
    NetworkRun run;
    run.configPath = (dir / "config.json").string();
    const std::string modelPath = (dir / "model.pt").string();
    checkDevice(device);
    nlohmann::json configJson = readJsonFile(run.configPath);
    if (configJson.is_object() && configJson.contains("split")) {
        run.split = configJson.at("split");
        configJson.erase("split");
    }
    try {
        run.config = configJson.get<ExperimentConfig>();
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(run.configPath + ": " + e.what());
    }
    run.model = std::make_shared<const GcnModel>(GcnModel::load(modelPath, device));
    // The descriptors and graph must be those the network was trained on.
    if (run.model->config().ace != run.config.ace ||
        run.model->config().graph.options.cutoff != run.config.graph.options.cutoff)
        throw std::invalid_argument(run.configPath + " does not describe " + modelPath +
                                    " (different ACE settings or graph cutoff)");
    if (run.config.ace.species.empty())
        throw std::invalid_argument(run.configPath +
                                    ": ace.species is empty (not a config as run)");
    return run;
}

void predictWithNetwork(const PredictOptions& options) {
    const PredictOptions* o = &options;
    const NetworkRun run = loadNetworkRun(o->model, o->device);
    const std::string& configPath = run.configPath;
    const ExperimentConfig& config = run.config;
    const nlohmann::json& split = run.split;
    const GcnModel& model = *run.model;

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
    if (!forces)
        printWarning("this model's edge weights (graph.weighting = " +
                     toString(config.graph.options.weighting) +
                     ") make its energy discontinuous: energies only, no forces");

    bool allEnergies = true;
    for (const auto& s : graphs.samples)
        allEnergies = allEnergies && std::isfinite(s.energy);
    PredictionReport report;
    report.indices = std::move(indices);
    report.data = std::move(data);
    report.energies = prediction.energies;
    report.forces = prediction.forces;
    report.stresses = prediction.stresses;
    if (allEnergies)
        report.metrics = scored;
    reportPrediction(*o, report);
}

} // namespace

ForceField makeNetworkForceField(const std::string& folder, const std::string& device,
                                 int threads) {
    const NetworkRun run = loadNetworkRun(folder, device);
    try {
        return gcnForceField(run.model, run.config, threads);
    } catch (const std::invalid_argument& e) {
        throw std::invalid_argument(folder + ": " + e.what());
    }
}

void registerPredictCommand(CLI::App& app) {
    addPredictCommand(app, predictWithNetwork);
}

} // namespace graphace::cli
