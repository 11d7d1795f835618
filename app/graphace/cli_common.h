#pragma once
// Shared plumbing for the `graphace` commands: reading inputs, output formatting, errors.

#include "graphace/extxyz.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace graphace::cli {

// Options every command that reads extended XYZ accepts.
struct InputOptions {
    std::vector<std::string> files;
    std::string energyKey;
    std::string forcesKey;
    std::string format = "auto";      // structure_files.h: auto, extxyz, poscar
    std::vector<std::string> species; // elements of a VASP 4 POSCAR without a species line
};
void addInputOptions(CLI::App& command, InputOptions& options, bool multipleFiles);
// --format and --species (addInputOptions adds them too).
void addFormatOptions(CLI::App& command, InputOptions& options);

// Reads one file, showing a progress line on stderr for large files when stderr is a terminal.
Dataset readInput(const std::string& path, const InputOptions& options);

std::string pbcString(const std::array<bool, 3>& pbc); // "TTF"

// Writes JSON (2-space indent) to stdout, or to `path` atomically when given.
void emitJson(const nlohmann::json& document, const std::string& path = {});

// Fixed-width text table for terminals.
class TextTable {
public:
    explicit TextTable(std::vector<std::string> header);
    void addRow(std::vector<std::string> cells);
    std::string str() const;

private:
    std::vector<std::vector<std::string>> m_rows;
};
std::string formatNumber(double value, int precision = 6);

void printWarning(const std::string& message);

} // namespace graphace::cli

#include "graphace/experiment_config.h"
#include "graphace/progress.h"
#include "graphace/regression_metrics.h"

namespace graphace::cli {

// `--config C.json` and repeated `--set section.key=value` (applied in order, after the file).
struct ConfigOptions {
    std::string path;
    std::vector<std::string> settings;
    std::string groupKey; // --group-key: data.group_key
};
void addConfigOptions(CLI::App& command, ConfigOptions& options);
// `--group-key KEY`: the header key the per-group error table and JSON group by.
void addGroupKeyOption(CLI::App& command, ConfigOptions& options);
// composeConfig(preset, the file or {}, settings + extraSettings): preset → file → settings.
ExperimentConfig loadExperimentConfig(const ConfigOptions& options, const std::string& preset = {},
                                      const std::vector<std::string>& extraSettings = {});

// "NTRAIN:NTEST" of --split; throws std::invalid_argument naming the option.
std::pair<std::size_t, std::size_t> parseSplitCounts(const std::string& text);

// A stderr progress line "LABEL: 42% (ETA 3 s)" when stderr is a terminal, nothing otherwise.
ProgressCallback terminalProgress(const std::string& label);
void finishTerminalProgress();

// The metric keys scripts read (documented in docs/cli.md); the same as core's metricsToJson
// (training_outputs.h), which metrics.json of `graphace train` uses.
nlohmann::json metricsJson(const RegressionMetrics& metrics);

// A metric object's value as table text: `precision` significant digits, "-" when null or absent.
std::string metricText(const nlohmann::json& metrics, const char* key, int precision);

// One block of a per-group table: a model's groups (groupsToJson's array) on one set.
struct GroupRows {
    std::string model, set;
    const nlohmann::json* groups;
};
// Prints "per KEY:" and a table of configurations, energy and force MAE per group, when some
// block has more than one group (else nothing: the main table already says it all).
void printGroupTable(const std::string& key, const std::vector<GroupRows>& blocks);

} // namespace graphace::cli
