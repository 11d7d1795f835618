#pragma once
// Each command registers itself as a CLI11 subcommand with its own --help and callback.
// Callbacks throw on failure; main() turns exceptions into "graphace: error: ..." and exit 1.

namespace CLI {
class App;
}

namespace graphace::cli {

void registerInfoCommand(CLI::App& app);
void registerGraphCommand(CLI::App& app);
void registerSampleCommand(CLI::App& app);
void registerDescriptorsCommand(CLI::App& app);
void registerFitLinearCommand(CLI::App& app);
void registerBenchCommand(CLI::App& app);
void registerTrainCommand(CLI::App& app);
void registerPredictCommand(CLI::App& app);

} // namespace graphace::cli
