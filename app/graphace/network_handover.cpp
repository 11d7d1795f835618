#include "network_handover.h"

#include "commands.h"

#include "graphace/linear_ace_model_file.h"

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
    if (command == "train")
        return true;
    if (command != "predict" && command != "md")
        return false;
    // A linear model file is predicted or simulated here; a network's folder (or a call to be
    // refused, such as --help or a missing --model) by graphace-gcn.
    for (int k = 2; k < argc; ++k) {
        const std::string arg = argv[k];
        if (arg == "--model" && k + 1 < argc)
            return !looksLikeLinearAceModel(argv[k + 1]);
        if (arg.rfind("--model=", 0) == 0)
            return !looksLikeLinearAceModel(arg.substr(8));
    }
    return true;
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
}

void runGcnBenchmarks(bool) {
    handOverToNetworkCli();
}

} // namespace graphace::cli
