#pragma once
// Each command registers itself as a CLI11 subcommand with its own --help and callback.
// Callbacks throw on failure; main() turns exceptions into "graphace: error: ..." and exit 1.

#include "graphace/molecular_dynamics.h"

#include <functional>
#include <string>

namespace CLI {
class App;
}

namespace graphace {
struct LinearAceModel;
}

namespace graphace::cli {

void registerInfoCommand(CLI::App& app);
void registerGraphCommand(CLI::App& app);
void registerSampleCommand(CLI::App& app);
void registerConvertCommand(CLI::App& app);
void registerDescriptorsCommand(CLI::App& app);
void registerFitLinearCommand(CLI::App& app);
void registerExportYaceCommand(CLI::App& app);
// After a .yace export: the file and the two LAMMPS lines that use it.
void printPaceUsage(const LinearAceModel& model, const std::string& yacePath);
void registerBenchCommand(CLI::App& app);
// md: linear model files in both executables; a network's folder through `networkForceField`
// (graphace-gcn: makeNetworkForceField; graphace hands such calls over before parsing).
using NetworkForceFieldFactory =
    std::function<ForceField(const std::string& folder, const std::string& device, int threads)>;
void registerMdCommand(CLI::App& app, NetworkForceFieldFactory networkForceField = {});
// A trained network (a `graphace train --out` folder) as a force field: each call builds the
// configuration's descriptors and graph and differentiates the network's energy.
ForceField makeNetworkForceField(const std::string& folder, const std::string& device, int threads);
void registerTrainCommand(CLI::App& app);
void registerPredictCommand(CLI::App& app);

// The network's commands (train, predict, bench --gcn) run in graphace-gcn, the one executable
// that links LibTorch; graphace itself starts without it (Debian's LibTorch loads ~285 shared
// libraries, 0.4 s). Their summaries appear in both executables' --help.
inline constexpr const char* kTrainSummary =
    "Train a graph convolutional network on ACE descriptors (and the linear fit on the same "
    "descriptors, for comparison); write config.json, history.csv, metrics.json and model.pt "
    "into --out";
inline constexpr const char* kPredictSummary =
    "Predict energies, forces and stress with a trained network (a `graphace train --out` "
    "folder) or a linear model (`graphace fit-linear --save-coefficients`) and report the "
    "metrics against the file's labels";

// bench --gcn: the network's training benchmarks (command_bench_gcn.cpp in graphace-gcn; in
// graphace, a hand-over to graphace-gcn).
void runGcnBenchmarks(bool json);

} // namespace graphace::cli
