// graphace predict with a trained network (a `graphace train --out DIR` folder); the options,
// the report and linear models are in predict_common.cpp.

#include "cli_common.h"
#include "commands.h"
#include "predict_common.h"

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

void predictWithNetwork(const PredictOptions& options) {
    const PredictOptions* o = &options;
    const std::filesystem::path dir(o->model);
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
        throw std::invalid_argument(configPath + ": ace.species is empty (not a config as run)");

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

void registerPredictCommand(CLI::App& app) {
    addPredictCommand(app, predictWithNetwork);
}

} // namespace graphace::cli
