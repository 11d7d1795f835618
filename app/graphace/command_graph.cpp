// graphace graph: how connected the neighbour graph is at a given cutoff, per configuration.

#include "cli_common.h"
#include "commands.h"

#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <limits>
#include <optional>

namespace graphace::cli {
namespace {

struct GraphCommandOptions {
    InputOptions input;
    double cutoff = 0.0;
    bool json = false;
    int histogramBins = 0;
};

nlohmann::json statisticsJson(const DegreeStatistics& stats, std::size_t atoms) {
    return {{"atoms", atoms},
            {"edges", stats.edges},
            {"mean_degree", stats.meanDegree},
            {"min_degree", stats.minDegree},
            {"max_degree", stats.maxDegree},
            {"isolated_atoms", stats.isolatedAtoms},
            {"trivial", stats.trivial}};
}

nlohmann::json analyseFile(const std::string& path, const GraphCommandOptions& options) {
    const Dataset dataset = readInput(path, options.input);
    std::optional<PairDistributionAccumulator> histogram;
    if (options.histogramBins > 0)
        histogram.emplace(options.cutoff, options.histogramBins);

    nlohmann::json perConfiguration = nlohmann::json::array();
    std::size_t edges = 0, atoms = 0, isolated = 0, trivialCount = 0;
    int minDegree = std::numeric_limits<int>::max(), maxDegree = 0;
    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const Structure& s = dataset.structures[i];
        const NeighborList neighbors = computeNeighborList(s, options.cutoff);
        const DegreeStatistics stats = degreeStatistics(neighbors, static_cast<int>(s.size()));
        if (histogram)
            histogram->add(s, neighbors);
        nlohmann::json c = statisticsJson(stats, s.size());
        c["index"] = i;
        c["line"] = s.sourceLine;
        perConfiguration.push_back(std::move(c));
        edges += stats.edges;
        atoms += s.size();
        isolated += stats.isolatedAtoms;
        trivialCount += stats.trivial;
        minDegree = std::min(minDegree, stats.minDegree);
        maxDegree = std::max(maxDegree, stats.maxDegree);
    }

    nlohmann::json f;
    f["file"] = path;
    f["cutoff"] = options.cutoff;
    f["configurations"] = dataset.size();
    f["atoms"] = atoms;
    f["edges"] = edges;
    f["mean_degree"] = atoms ? static_cast<double>(edges) / atoms : 0.0;
    f["min_degree"] = atoms ? minDegree : 0;
    f["max_degree"] = maxDegree;
    f["isolated_atoms"] = isolated;
    f["trivial_configurations"] = trivialCount;
    nlohmann::json warnings = nlohmann::json::array();
    if (trivialCount > 0)
        warnings.push_back(
            std::to_string(trivialCount) + " of " + std::to_string(dataset.size()) +
            " configurations have no edge within " + formatNumber(options.cutoff) +
            " Å: their graph is self-loops only, so a graph convolution is a per-atom dense "
            "layer and no message passing happens");
    else if (isolated > 0)
        warnings.push_back(std::to_string(isolated) + " atoms have no neighbour within " +
                           formatNumber(options.cutoff) + " Å");
    f["warnings"] = warnings;
    if (histogram) {
        const PairDistribution d = histogram->result();
        f["pair_distance_histogram"] = {{"bin_width", d.binWidth},
                                        {"bin_centres", d.binCentres},
                                        {"counts", d.counts},
                                        {"rdf", d.rdf}};
    }
    f["per_configuration"] = std::move(perConfiguration);
    return f;
}

void printText(const nlohmann::json& f, int histogramBins) {
    std::cout << f["file"].get<std::string>() << "  (cutoff " << f["cutoff"].get<double>()
              << " Å)\n";
    TextTable table({"config", "atoms", "edges", "mean deg", "min", "max", "isolated"});
    const auto& rows = f["per_configuration"];
    // Long files: first and last few rows, the totals say the rest.
    const std::size_t shown = 10;
    for (std::size_t r = 0; r < rows.size(); ++r) {
        if (rows.size() > 2 * shown && r == shown)
            table.addRow({"…", "", "", "", "", "", ""});
        if (rows.size() > 2 * shown && r >= shown && r < rows.size() - shown)
            continue;
        const auto& c = rows[r];
        table.addRow(
            {std::to_string(c["index"].get<long>()), std::to_string(c["atoms"].get<long>()),
             std::to_string(c["edges"].get<long>()),
             formatNumber(c["mean_degree"].get<double>(), 4),
             std::to_string(c["min_degree"].get<int>()), std::to_string(c["max_degree"].get<int>()),
             std::to_string(c["isolated_atoms"].get<long>())});
    }
    table.addRow(
        {"total", std::to_string(f["atoms"].get<long>()), std::to_string(f["edges"].get<long>()),
         formatNumber(f["mean_degree"].get<double>(), 4),
         std::to_string(f["min_degree"].get<int>()), std::to_string(f["max_degree"].get<int>()),
         std::to_string(f["isolated_atoms"].get<long>())});
    std::cout << table.str();
    if (histogramBins > 0) {
        const auto& h = f["pair_distance_histogram"];
        TextTable hist({"r (Å)", "pairs", "g(r)"});
        for (std::size_t b = 0; b < h["counts"].size(); ++b)
            hist.addRow({formatNumber(h["bin_centres"][b].get<double>(), 4),
                         formatNumber(h["counts"][b].get<double>(), 8),
                         h["rdf"].empty() ? "-" : formatNumber(h["rdf"][b].get<double>(), 4)});
        std::cout << '\n' << hist.str();
    }
    std::cout << '\n';
}

} // namespace

void registerGraphCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "graph", "Neighbour-graph statistics at a cutoff: directed edges (i, j, S) with "
                 "distance < cutoff, both directions counted, self-loops not counted; degree "
                 "statistics; isolated atoms; a warning when the graph is trivial");
    auto options = std::make_shared<GraphCommandOptions>();
    addInputOptions(*command, options->input, true);
    command->add_option("--cutoff", options->cutoff, "Neighbour cutoff in Å")
        ->required()
        ->check(CLI::PositiveNumber);
    command->add_flag("--json", options->json,
                      "Print JSON (keys documented in docs/cli.md) instead of a table");
    command
        ->add_option("--histogram", options->histogramBins,
                     "Also report a pair-distance histogram and g(r) from 0 to the cutoff "
                     "with this many bins")
        ->check(CLI::Range(1, 100000));
    command->callback([options] {
        nlohmann::json files = nlohmann::json::array();
        std::size_t configurations = 0, atoms = 0, edges = 0, isolated = 0;
        for (const auto& path : options->input.files) {
            nlohmann::json f = analyseFile(path, *options);
            for (const auto& w : f["warnings"])
                printWarning(path + ": " + w.get<std::string>());
            configurations += f["configurations"].get<std::size_t>();
            atoms += f["atoms"].get<std::size_t>();
            edges += f["edges"].get<std::size_t>();
            isolated += f["isolated_atoms"].get<std::size_t>();
            files.push_back(std::move(f));
        }
        if (!options->json) {
            for (const auto& f : files)
                printText(f, options->histogramBins);
        } else if (files.size() == 1) {
            emitJson(files[0]);
        } else {
            emitJson({{"cutoff", options->cutoff},
                      {"configurations", configurations},
                      {"atoms", atoms},
                      {"edges", edges},
                      {"mean_degree", atoms ? static_cast<double>(edges) / atoms : 0.0},
                      {"isolated_atoms", isolated},
                      {"files", files}});
        }
    });
}

} // namespace graphace::cli
