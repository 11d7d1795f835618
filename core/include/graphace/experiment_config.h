#pragma once
// The one JSON configuration shared by the CLI and the GUI (documented in docs/cli.md).
// Sections (all optional; absent keys keep their defaults, unknown keys are errors so that typos
// do not pass silently):
//   {
//     "preset":    "recommended",           // informational: the preset it started from
//     "data":      {"train": "a.xyz", "test": "b.xyz", "train_size": 100, "test_size": 100,
//                   "stress_unit": "none", "stress_sign": "tension_positive",
//                   "group_key": "config_type"},
//     "ace":       {"species": ["O", "Hf"], "body_order": 3, "max_degree": 3, "wL": 1, "csp": 1,
//                   "r0": 1, "rcut": 5, "max_degree_per_order": [20, 12, 12]},   // optional
//     "linear":    {"energy_weight": 1, "forces_weight": 0, "ridge": 0, "reference_energies": true,
//                   "smoothness_prior": 0},                                    // optional
//     "graph":     {"cutoff": 4.0 | "auto", "weighting": "binary", "self_loops": true,
//                   "normalisation": "symmetric"},
//     "model":     {"graph_layers": [{"width": 26, "activation": "tanh"}, ...],
//                   "dense_layers": [{"width": 1, "activation": "identity"}],
//                   "pooling": "mean", "target": "total", "standardise_inputs": false,
//                   "standardise_targets": false, "reference_energies": false,
//                   "precision": "float32"},
//     "optimiser": {"kind": "adam", "eps": 1e-8, "weight_decay": 0, "loss": "total_energy",
//                   "phases": [{"epochs": 500, "learning_rate": 0.1, "beta1": 0.9,
//                               "beta2": 0.8, "reset_moments": true}, ...],
//                   "decay": "none", "gamma": 0.99, "factor": 0.5, "patience": 20,
//                   "min_learning_rate": 0, "gradient_clip_norm": 0,
//                   "early_stopping_patience": 0, "energy_weight": 1,
//                   "forces_weight": 0 | "auto", "virial_weight": 0 | "auto"},
//     "training":  {"batch_size": 1, "shuffle": false, "seed": 2023, "threads": 0,
//                   "device": "cpu", "checkpoint_every": 10}
//   }
// data: with "test" absent, train_size/test_size split the "train" file (seeded by
// training.seed); train_size 0 means "all but test_size". Files are resolved relative to the
// working directory by the CLI.

#include "graphace/ace_config.h"
#include "graphace/ace_defaults.h"
#include "graphace/gcn_config.h"
#include "graphace/graph.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/reference_virial.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graphace {

struct DataConfig {
    std::string trainFile; // empty: the built-in sample
    std::string testFile;  // empty: split trainFile
    int trainSize = 0;     // 0: all configurations not used for testing
    int testSize = 0;
    // How to read `stress` keys ("stress_unit", "stress_sign"; see reference_virial.h): unit
    // "none" by default, i.e. only `virial` keys give reference virials.
    StressConvention stress;
    // The header key whose values group the per-group errors ("group_key"; files without the
    // key form one group).
    std::string groupKey = "config_type";
};

struct GraphConfig {
    GraphOptions options;    // cutoff, weighting, self-loops, normalisation
    bool autoCutoff = false; // choose the cutoff from the training set's g(r) (suggestCutoff)
};

// The linear fit of the zuo2020 recipes (docs/recipes): energy rows weighted 100 against force
// rows 1 (forces are used only where the data has them), the smoothness prior p = 3, ridge 1e-7.
LinearFitOptions recipeLinearOptions();

struct ExperimentConfig {
    std::string preset; // name of the preset it came from, "" when none
    DataConfig data;
    // With no ACE settings given, they come from the training data (ace_defaults.h).
    AceConfig ace = dataDerivedAceConfig();
    LinearFitOptions linear = recipeLinearOptions();
    GraphConfig graph;
    ModelConfig model;
    OptimiserConfig optimiser;
    TrainingConfig training;
};

void to_json(nlohmann::json& j, const LinearFitOptions& options);
void from_json(const nlohmann::json& j, LinearFitOptions& options);
void to_json(nlohmann::json& j, const ExperimentConfig& config);
void from_json(const nlohmann::json& j, ExperimentConfig& config);

// Throws std::invalid_argument naming the field for any invalid value (all sections).
void validate(const ExperimentConfig& config);

// Presets (see docs/cli.md):
//   "study-2023":  the 2023 study exactly (docs/science.md §1): ACE(3,3) r0 = 1, rcut = 5,
//                  graph cutoff 0.5 Å (self-loops only), GCN(F→26, tanh) → GCN(26→26) → mean
//                  → Dense(26→1), raw total-energy target and loss, no standardisation or
//                  reference energies, batch 1 in fixed order, Adam(0.1, (0.9, 0.8)) 500 epochs,
//                  then a fresh Adam(1e-5, (0.9, 0.8)) 500 epochs, float32.
//   "recommended": a real neighbour graph (cutoff "auto" from g(r)), standardised inputs and
//                  targets, reference energies, per-atom energies with sum pooling, loss per atom,
//                  mini-batches, a schedule that converges (see the preset's definition).
// `presetNames()` lists them; presetConfig throws std::invalid_argument for an unknown name.
std::vector<std::string> presetNames();
ExperimentConfig presetConfig(const std::string& name);
nlohmann::json presetJson(const std::string& name);

// Reads a JSON file; throws ParseError (file, line, what) on syntax errors and numbers beyond
// double range. parseJsonText does the same for text read elsewhere (`sourceName` in messages).
nlohmann::json readJsonFile(const std::string& path);
nlohmann::json parseJsonText(const std::string& text, const std::string& sourceName);

// Applies "section.key=value" (value parsed as JSON when it is valid JSON, else taken as a
// string), creating objects along the path; a numeric key indexes an existing array
// ("optimiser.phases.1.learning_rate=1e-4"). Throws std::invalid_argument for a malformed
// setting or an index out of range. "*" in the path sets every entry of an array alike
// ("model.graph_layers.*.activation=tanh").
void applySetting(nlohmann::json& document, const std::string& setting);

// A preset's JSON (or the defaults, ExperimentConfig{}, when preset is empty and the file names
// none in "preset"), then the file merged over it (JSON merge patch: objects merge, arrays
// replace), then the settings, in that order; the result parsed and validated. Used by the CLI
// and the GUI alike. A layer that sets ace.max_degree without ace.max_degree_per_order means
// that degree at every order (max_degree_per_order becomes []), as configs written before
// per-order degrees existed do.
ExperimentConfig composeConfig(const std::string& preset, const nlohmann::json& fileDocument,
                               const std::vector<std::string>& settings);

} // namespace graphace
