#include "network_handover.h"

#include "commands.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace graphace::cli {
namespace {

char** g_argv = nullptr;

// Beside graphace in a build tree; GRAPHACE_NETWORK_CLI_FROM_BIN (the install layout, e.g.
// ../libexec/graphace/graphace-gcn) when installed.
std::filesystem::path networkCliPath() {
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    if (error)
        throw std::runtime_error("cannot find graphace-gcn: /proc/self/exe: " + error.message());
    const std::filesystem::path here = self.parent_path() / "graphace-gcn";
    if (std::filesystem::exists(here, error))
        return here;
    return (self.parent_path() / GRAPHACE_NETWORK_CLI_FROM_BIN).lexically_normal();
}

} // namespace

bool needsNetworkCli(int argc, char** argv) {
    if (argc < 2)
        return false;
    const std::string command = argv[1];
    return command == "train" || command == "predict";
}

void rememberCommandLine(int, char** argv) {
    g_argv = argv;
}

void handOverToNetworkCli() {
    const std::filesystem::path path = networkCliPath();
    if (!g_argv)
        throw std::logic_error("handOverToNetworkCli before rememberCommandLine");
    ::execv(path.c_str(), g_argv);
    throw std::runtime_error("this command needs graphace-gcn, the part of graphace that links "
                             "LibTorch, and it cannot be started: " +
                             path.string() + ": " + std::strerror(errno) +
                             " (reinstall the graphace package, or build the graphace-gcn target)");
}

void registerNetworkCommandSummaries(CLI::App& app) {
    app.add_subcommand("train", kTrainSummary)->allow_extras();
    app.add_subcommand("predict", kPredictSummary)->allow_extras();
}

void runGcnBenchmarks(bool) {
    handOverToNetworkCli();
}

} // namespace graphace::cli
