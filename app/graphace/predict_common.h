#pragma once
// graphace predict, the part both executables share: its options, the report (table, --json,
// --out) and the linear model, which runs without LibTorch. A network's folder is predicted by
// graphace-gcn (command_predict.cpp); graphace hands such a call over before parsing.

#include "cli_common.h"

#include "graphace/regression_metrics.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace graphace::cli {

struct PredictOptions {
    std::string model; // a network's folder, or a linear model file
    InputOptions input;
    std::string subsetName; // "", "train" or "test"
    std::string jsonPath;
    std::string outPath; // extended XYZ with the predictions
    std::string device = "cpu";
    int threads = 0;
};

// What a model predicted for the configurations `indices` of the input file (`data`, in that
// order): energies (eV), forces (x y z per atom, empty when none), stresses (9 per configuration,
// eV/Å³, NaN where the cell is not 3D-periodic; empty when none).
struct PredictionReport {
    std::vector<std::size_t> indices;
    Dataset data;
    std::vector<double> energies, forces, stresses;
    std::optional<RegressionMetrics> metrics; // when every configuration has an energy
};

// --out (extended XYZ), --json and the metrics table.
void reportPrediction(const PredictOptions& options, const PredictionReport& report);

// Registers `predict` (graphace-gcn: registerPredictCommand). A linear model file is predicted
// here; a folder goes to `predictNetwork` (null in graphace, which hands such calls to graphace-gcn
// before parsing).
void addPredictCommand(CLI::App& app, std::function<void(const PredictOptions&)> predictNetwork);

} // namespace graphace::cli
