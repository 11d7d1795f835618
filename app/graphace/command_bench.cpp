// graphace bench: the speed figures the project tracks (benchmarks, never timed tests).
// Each benchmark reports a throughput; targets are printed beside them for comparison.

#include "cli_common.h"
#include "commands.h"

#include "graphace/ace_descriptors.h"
#include "graphace/gcn_benchmark.h"
#include "graphace/neighbor_list.h"
#include "graphace/sample_dataset.h"

#include <CLI/CLI.hpp>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

namespace graphace::cli {
namespace {

using Clock = std::chrono::steady_clock;

double secondsSince(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

struct BenchOptions {
    std::string dataDir;
    bool json = false;
    int repeat = 3;
    bool gcn = false;
};

// Best of `repeat` runs: the least disturbed by whatever else the machine is doing.
template <typename Work> double bestSeconds(int repeat, Work&& work) {
    double best = 1e300;
    for (int r = 0; r < repeat; ++r) {
        const auto start = Clock::now();
        work();
        best = std::min(best, secondsSince(start));
    }
    return best;
}

nlohmann::json benchParsing(const BenchOptions& options) {
    // Real data when present (the largest Zuo file), else the built-in sample as text.
    std::string text, source;
    const std::filesystem::path real =
        std::filesystem::path(options.dataDir) / "zuo2020" / "Cu_train.xyz";
    if (!options.dataDir.empty() && std::filesystem::exists(real)) {
        std::ifstream in(real, std::ios::binary);
        std::ostringstream buffer;
        buffer << in.rdbuf();
        text = buffer.str();
        source = real.string();
    } else {
        SampleOptions sample;
        sample.configurations = 400;
        std::ostringstream buffer;
        writeExtxyz(buffer, generateSampleDataset(sample));
        text = buffer.str();
        source = "built-in sample (400 configurations)";
    }
    std::size_t atoms = 0;
    const double seconds = bestSeconds(options.repeat, [&] {
        atoms = readExtxyzString(text, source).atomCount();
    });
    return {{"name", "extxyz_parse"},
            {"source", source},
            {"megabytes", text.size() / 1e6},
            {"atoms", atoms},
            {"seconds", seconds},
            {"atoms_per_second", atoms / seconds},
            {"target_atoms_per_second", 2e6}};
}

Structure randomCell(int atoms, double density, std::uint64_t seed) {
    Structure s;
    const double length = std::cbrt(atoms / density);
    s.cell = Mat3::Identity() * length;
    s.pbc = {true, true, true};
    std::mt19937_64 engine(seed);
    auto uniform = [&] { return (engine() >> 11) * 0x1.0p-53; };
    for (int i = 0; i < atoms; ++i) {
        s.positions.emplace_back(uniform() * length, uniform() * length, uniform() * length);
        s.numbers.push_back(i % 3 == 0 ? 72 : 8);
    }
    return s;
}

nlohmann::json benchNeighbors(const BenchOptions& options) {
    // 10,000 atoms at the density of the built-in HfO2 sample (96 atoms in ~1050 Å^3).
    const Structure cell = randomCell(10000, 0.0915, 7);
    const double cutoff = 5.0;
    std::size_t edges = 0;
    const double seconds = bestSeconds(options.repeat, [&] {
        edges = computeNeighborList(cell, cutoff).edgeCount();
    });
    return {{"name", "neighbor_list"},
            {"atoms", cell.size()},
            {"cutoff", cutoff},
            {"edges", edges},
            {"seconds", seconds},
            {"microseconds_per_edge", seconds * 1e6 / edges},
            {"target_microseconds_per_edge", 0.1}};
}

nlohmann::json benchSample(const BenchOptions& options) {
    std::size_t configurations = 0;
    const double seconds = bestSeconds(std::min(options.repeat, 2), [&] {
        configurations = generateSampleDataset().size();
    });
    return {{"name", "sample_dataset"},
            {"configurations", configurations},
            {"seconds", seconds},
            {"target_seconds", 5.0}};
}

// ACE on the built-in sample, one thread: the study's ACE(3,3) without derivatives, and a
// body-order-4 basis of about 300 functions with the derivatives force fitting needs.
nlohmann::json benchAce(const BenchOptions& options, bool large) {
    SampleOptions sampleOptions;
    sampleOptions.configurations = large ? 20 : 200;
    const Dataset data = generateSampleDataset(sampleOptions);
    AceConfig config = resolvedFor(AceConfig{}, data);
    if (large) {
        config.body_order = 4;
        for (int degree = 4; degree < 30; ++degree) {
            config.max_degree = degree;
            if (AceBasis(config).size() >= 280)
                break;
        }
    }
    const AceBasis basis(config);
    const AceDerivatives mode = large ? AceDerivatives::Forces : AceDerivatives::None;
    const double seconds = bestSeconds(options.repeat, [&] {
        computeAceDescriptors(basis, data, mode, 1);
    });
    // The same work given neighbour lists built beforehand (the graph pipeline has them anyway):
    // how much of the time is the ACE evaluation itself.
    std::vector<NeighborList> neighbors;
    for (const Structure& s : data.structures)
        neighbors.push_back(computeNeighborList(s, config.rcut));
    AceEvaluator evaluator(basis);
    const double evaluationSeconds = bestSeconds(options.repeat, [&] {
        for (std::size_t c = 0; c < data.size(); ++c)
            evaluator.compute(data.structures[c], neighbors[c], mode);
    });
    const double atoms = static_cast<double>(data.atomCount());
    return {{"name", large ? "ace_large_forces" : "ace_study"},
            {"basis_size", basis.size()},
            {"body_order", config.body_order},
            {"max_degree", config.max_degree},
            {"derivatives", large},
            {"atoms", data.atomCount()},
            {"seconds", seconds},
            {"microseconds_per_atom", seconds * 1e6 / atoms},
            {"evaluation_microseconds_per_atom", evaluationSeconds * 1e6 / atoms},
            {"target_microseconds_per_atom", large ? 20.0 : 1.0}};
}

nlohmann::json benchAceStudy(const BenchOptions& options) { return benchAce(options, false); }
nlohmann::json benchAceLarge(const BenchOptions& options) { return benchAce(options, true); }

void printResult(const nlohmann::json& r) {
    const std::string name = r["name"];
    if (name == "extxyz_parse")
        std::cout << "extxyz parse     " << formatNumber(r["atoms_per_second"].get<double>() / 1e6, 3)
                  << " M atoms/s  (target >= 2; " << r["atoms"] << " atoms, "
                  << formatNumber(r["megabytes"].get<double>(), 3) << " MB, "
                  << r["source"].get<std::string>() << ")\n";
    else if (name == "neighbor_list")
        std::cout << "neighbour list   "
                  << formatNumber(r["microseconds_per_edge"].get<double>(), 3)
                  << " us/edge  (target <= 0.1; " << r["atoms"] << " atoms, cutoff "
                  << r["cutoff"] << " A, " << r["edges"] << " edges, one core)\n";
    else if (name == "ace_study" || name == "ace_large_forces")
        std::cout << (name == "ace_study" ? "ACE descriptors  " : "ACE + gradients  ")
                  << formatNumber(r["microseconds_per_atom"].get<double>(), 3)
                  << " us/atom, "
                  << formatNumber(r["evaluation_microseconds_per_atom"].get<double>(), 3)
                  << " without the neighbour search  (target <= "
                  << r["target_microseconds_per_atom"] << "; "
                  << r["basis_size"] << " functions, body order " << r["body_order"]
                  << ", degree " << r["max_degree"] << ", one core)\n";
    else if (name == "sample_dataset")
        std::cout << "sample dataset   " << formatNumber(r["seconds"].get<double>(), 3)
                  << " s for " << r["configurations"] << " configurations (target <= 5)\n";
}

} // namespace

void registerBenchCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "bench", "Measure throughput: extended-XYZ parsing (atoms/s), neighbour search (µs per "
                 "edge, 10,000 atoms at 5 Å), sample generation (s), ACE descriptors (µs/atom)");
    auto options = std::make_shared<BenchOptions>();
    command->add_option("--data", options->dataDir,
                        "Folder of real datasets (../shared/data); the built-in sample is used "
                        "where a dataset is missing");
    command->add_option("--repeat", options->repeat, "Runs per benchmark; the best is reported")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();
    command->add_flag("--json", options->json, "Print JSON");
    command->add_flag("--gcn", options->gcn,
                      "Only the GCN training benchmarks: the study schedule (steps/s, projected "
                      "seconds) and a one-batch epoch of 200 graphs (ms, atoms/s)");
    command->callback([options] {
        if (options->gcn) {
            // 2 threads (the target's 2 cores) and 1 (immune to busy cores); see gcn_benchmark.h.
            nlohmann::json results = nlohmann::json::array();
            for (int threads : {2, 1}) {
                GcnBenchmarkOptions gcnOptions;
                gcnOptions.threads = threads;
                const GcnBenchmarkResult r = runGcnBenchmark(gcnOptions);
                if (!options->json)
                    std::cout << r.summary();
                results.push_back({{"name", "gcn_study_schedule"},
                                   {"steps_per_second", r.studyStepsPerSecond},
                                   {"seconds_per_epoch", r.studySecondsPerEpoch},
                                   {"epochs_measured", r.studyEpochsRun},
                                   {"projected_seconds", r.studyProjectedSeconds},
                                   {"target_seconds", 120.0},
                                   {"threads", r.threads},
                                   {"load_average", r.loadAverage}});
                results.push_back({{"name", "gcn_one_batch_epoch"},
                                   {"step_milliseconds", r.batchStepMilliseconds},
                                   {"epoch_milliseconds", r.batchEpochMilliseconds},
                                   {"atoms_per_second", r.batchAtomsPerSecond},
                                   {"neighbours_per_atom", r.batchNeighbours},
                                   {"target_milliseconds", 20.0},
                                   {"threads", r.threads},
                                   {"load_average", r.loadAverage}});
            }
            if (options->json)
                emitJson({{"benchmarks", results}});
            return;
        }
        nlohmann::json results = nlohmann::json::array();
        for (auto* bench : {&benchParsing, &benchNeighbors, &benchSample, &benchAceStudy, &benchAceLarge}) {
            nlohmann::json r = (*bench)(*options);
            if (!options->json)
                printResult(r);
            results.push_back(std::move(r));
        }
        if (options->json)
            emitJson({{"benchmarks", results}});
    });
}

} // namespace graphace::cli
