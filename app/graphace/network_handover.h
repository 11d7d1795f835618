#pragma once
// graphace hands the network's commands over to graphace-gcn (the executable that links
// LibTorch) by exec: same process, same arguments, same exit status and signals, so that every
// other command starts in milliseconds.

namespace CLI {
class App;
}

namespace graphace::cli {

// Whether these arguments ask for a command that graphace-gcn runs: train, and predict or md
// unless their --model is a linear model file.
bool needsNetworkCli(int argc, char** argv);

// Replaces this process with graphace-gcn given the same arguments; throws std::runtime_error
// (where it looked, why it failed) if it cannot. Needs rememberCommandLine first.
[[noreturn]] void handOverToNetworkCli();
void rememberCommandLine(int argc, char** argv);

// train in graphace's --help (its own --help comes from graphace-gcn; predict is registered in
// full, for linear models).
void registerNetworkCommandSummaries(CLI::App& app);

} // namespace graphace::cli
