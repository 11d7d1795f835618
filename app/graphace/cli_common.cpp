#include "cli_common.h"

#include "graphace/atomic_file.h"
#include "graphace/element.h"
#include "graphace/metrics_json.h"
#include "graphace/structure_files.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

namespace graphace::cli {

void addInputOptions(CLI::App& command, InputOptions& options, bool multipleFiles) {
    auto* files = command
                      .add_option("FILE", options.files,
                                  "Structure file(s): extended XYZ or VASP POSCAR/CONTCAR")
                      ->required()
                      ->check(CLI::ExistingFile);
    if (!multipleFiles)
        files->expected(1);
    command.add_option("--energy-key", options.energyKey,
                       "Header key holding the energy (default: energy, dft_energy, ...)");
    command.add_option("--forces-key", options.forcesKey,
                       "Per-atom property holding forces (default: forces, force, dft_force)");
    addFormatOptions(command, options);
}

void addFormatOptions(CLI::App& command, InputOptions& options) {
    command
        .add_option("--format", options.format,
                    "File format: auto (from the name, else the content), extxyz, poscar")
        ->check(CLI::IsMember(structureFormatNames(), CLI::ignore_case));
    command
        .add_option("--species", options.species,
                    "Elements of a VASP 4 POSCAR (no species line), in the order of its counts, "
                    "e.g. --species Si,O")
        ->delimiter(',');
}

Dataset readInput(const std::string& path, const InputOptions& options) {
    StructureReadOptions readOptions;
    readOptions.format = parseStructureFormat(options.format);
    readOptions.extxyz.energyKey = options.energyKey;
    readOptions.extxyz.forcesKey = options.forcesKey;
    readOptions.poscar.species = options.species;

    // A progress line only for files large enough to take a noticeable time.
    std::error_code ec;
    const auto bytes = std::filesystem::file_size(path, ec);
    const ProgressCallback progress =
        !ec && bytes > (8u << 20) ? terminalProgress("reading " + path) : ProgressCallback{};
    Dataset dataset = readStructureFile(path, readOptions, progress);
    finishTerminalProgress();
    return dataset;
}

std::string pbcString(const std::array<bool, 3>& pbc) {
    std::string text;
    for (bool periodic : pbc)
        text += periodic ? 'T' : 'F';
    return text;
}

void emitJson(const nlohmann::json& document, const std::string& path) {
    const std::string text = document.dump(2) + "\n";
    if (path.empty() || path == "-") {
        std::cout << text;
        return;
    }
    writeFileAtomically(path, text);
}

TextTable::TextTable(std::vector<std::string> header) {
    m_rows.push_back(std::move(header));
}

void TextTable::addRow(std::vector<std::string> cells) {
    m_rows.push_back(std::move(cells));
}

std::string TextTable::str() const {
    std::vector<std::size_t> widths;
    for (const auto& row : m_rows) {
        widths.resize(std::max(widths.size(), row.size()), 0);
        for (std::size_t c = 0; c < row.size(); ++c)
            widths[c] = std::max(widths[c], row[c].size());
    }
    std::ostringstream out;
    for (std::size_t r = 0; r < m_rows.size(); ++r) {
        const auto& row = m_rows[r];
        for (std::size_t c = 0; c < row.size(); ++c) {
            // First column left-aligned (names), the rest right-aligned (numbers).
            const std::string padding(widths[c] - row[c].size(), ' ');
            out << (c ? "  " : "") << (c == 0 ? row[c] + padding : padding + row[c]);
        }
        out << '\n';
        if (r == 0) {
            std::size_t total = 0;
            for (std::size_t w : widths)
                total += w + 2;
            out << std::string(total > 2 ? total - 2 : 0, '-') << '\n';
        }
    }
    return out.str();
}

std::string formatNumber(double value, int precision) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", precision, value);
    return buffer;
}

void printWarning(const std::string& message) {
    std::cerr << "warning: " << message << '\n';
}

} // namespace graphace::cli

namespace graphace::cli {

void addConfigOptions(CLI::App& command, ConfigOptions& options) {
    command.add_option("--config", options.path, "JSON configuration (schema in docs/cli.md)")
        ->check(CLI::ExistingFile);
    command.add_option("--set", options.settings,
                       "Override one setting, e.g. --set ace.max_degree=8 (repeatable)");
}

void addGroupKeyOption(CLI::App& command, ConfigOptions& options) {
    command.add_option("--group-key", options.groupKey,
                       "Header key whose values group the per-group errors (default "
                       "data.group_key, config_type)");
}

ExperimentConfig loadExperimentConfig(const ConfigOptions& options, const std::string& preset,
                                      const std::vector<std::string>& extraSettings) {
    const nlohmann::json document =
        options.path.empty() ? nlohmann::json::object() : readJsonFile(options.path);
    std::vector<std::string> settings = options.settings;
    settings.insert(settings.end(), extraSettings.begin(), extraSettings.end());
    if (!options.groupKey.empty())
        settings.push_back("data.group_key=" + nlohmann::json(options.groupKey).dump());
    return composeConfig(preset, document, settings);
}

std::pair<std::size_t, std::size_t> parseSplitCounts(const std::string& text) {
    const auto colon = text.find(':');
    try {
        if (colon != std::string::npos && colon > 0 && text[0] != '-' && colon + 1 < text.size() &&
            text[colon + 1] != '-') {
            std::size_t used = 0;
            const unsigned long train = std::stoul(text.substr(0, colon), &used);
            if (used == colon) {
                const std::string rest = text.substr(colon + 1);
                const unsigned long test = std::stoul(rest, &used);
                if (used == rest.size())
                    return {train, test};
            }
        }
    } catch (const std::exception&) {
    }
    throw std::invalid_argument("--split expects NTRAIN:NTEST (e.g. 800:200), got \"" + text +
                                "\"");
}

namespace {
bool g_progressShown = false;
}

ProgressCallback terminalProgress(const std::string& label) {
    if (!isatty(STDERR_FILENO))
        return {};
    const auto start = std::chrono::steady_clock::now();
    auto lastPercent = std::make_shared<int>(-1);
    return [label, start, lastPercent](double fraction) {
        const int percent = static_cast<int>(fraction * 100);
        if (percent != *lastPercent) {
            *lastPercent = percent;
            const double elapsed =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            const double eta = fraction > 0.01 ? elapsed * (1 - fraction) / fraction : 0;
            std::fprintf(stderr, "\r%s: %3d%%  (ETA %.0f s)\033[K", label.c_str(), percent, eta);
            g_progressShown = true;
        }
        return true;
    };
}

void finishTerminalProgress() {
    if (g_progressShown)
        std::fprintf(stderr, "\r\033[K");
    g_progressShown = false;
}

nlohmann::json metricsJson(const RegressionMetrics& m) {
    return metricsToJson(m);
}

std::string metricText(const nlohmann::json& metrics, const char* key, int precision) {
    if (!metrics.contains(key) || metrics.at(key).is_null())
        return "-";
    return formatNumber(metrics.at(key).get<double>(), precision);
}

void printGroupTable(const std::string& key, const std::vector<GroupRows>& blocks) {
    const bool several = std::any_of(blocks.begin(), blocks.end(),
                                     [](const GroupRows& b) { return b.groups->size() > 1; });
    if (!several)
        return;
    TextTable table({key, "set", "model", "configs", "E MAE meV/atom", "F MAE eV/Å"});
    for (const GroupRows& b : blocks)
        for (const nlohmann::json& g : *b.groups) {
            const std::string name = g.at("group").get<std::string>();
            table.addRow({name.empty() ? "(none)" : name, b.set, b.model,
                          std::to_string(g.at("configurations").get<long>()),
                          metricText(g, "energy_mae_mev_per_atom", 4),
                          metricText(g, "force_mae_ev_per_a", 4)});
        }
    std::cout << "\nper " << key << ":\n" << table.str();
}

} // namespace graphace::cli
