#pragma once
// The one JSON configuration shared by the CLI and the GUI. Sections (all optional; absent keys
// keep their defaults, unknown keys are errors so that typos do not pass silently):
//   {
//     "ace":    {"species": ["O", "Hf"], "body_order": 3, "max_degree": 3, "wL": 1, "csp": 1,
//                "r0": 1, "rcut": 5},
//     "linear": {"energy_weight": 1, "forces_weight": 0, "ridge": 0, "reference_energies": true}
//   }
// Later sections (graph, model, optimiser, device) extend the same document.

#include "graphace/ace_config.h"
#include "graphace/linear_ace_fit.h"

#include <nlohmann/json.hpp>

#include <string>

namespace graphace {

struct ExperimentConfig {
    AceConfig ace;
    LinearFitOptions linear;
};

void to_json(nlohmann::json& j, const LinearFitOptions& options);
void from_json(const nlohmann::json& j, LinearFitOptions& options);
void to_json(nlohmann::json& j, const ExperimentConfig& config);
void from_json(const nlohmann::json& j, ExperimentConfig& config);

// Reads a JSON file; throws ParseError (file, line, what) on syntax errors.
nlohmann::json readJsonFile(const std::string& path);

// Applies "section.key=value" (value parsed as JSON when it is valid JSON, else taken as a
// string), creating objects along the path. Throws std::invalid_argument for a malformed setting.
void applySetting(nlohmann::json& document, const std::string& setting);

} // namespace graphace
