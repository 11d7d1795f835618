// graphace: the command-line face of GraphACE Studio (same core as the desktop application).
// Built twice: graphace (GRAPHACE_CLI_FRONT_END: no LibTorch; train, predict and bench --gcn are
// handed over by exec) and graphace-gcn (every command, linked with LibTorch).

#include "commands.h"
#include "network_handover.h"
#include "predict_common.h"

#include "graphace/error.h"
#include "graphace/version.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"graphace: structure datasets (extended XYZ, VASP POSCAR), periodic neighbour "
                 "graphs, ACE descriptors and graph networks for interatomic potentials"};
    app.name("graphace");
    app.set_version_flag("--version", std::string("graphace ") + graphace::kVersion);
    app.require_subcommand(1);
    app.fallthrough();

    graphace::cli::registerInfoCommand(app);
    graphace::cli::registerGraphCommand(app);
    graphace::cli::registerSampleCommand(app);
    graphace::cli::registerConvertCommand(app);
    graphace::cli::registerDescriptorsCommand(app);
    graphace::cli::registerFitLinearCommand(app);
    graphace::cli::registerExportYaceCommand(app);
    graphace::cli::registerBenchCommand(app);
#ifdef GRAPHACE_CLI_FRONT_END
    graphace::cli::registerNetworkCommandSummaries(app);
    graphace::cli::addPredictCommand(app, {}); // linear model files; folders go to graphace-gcn
    graphace::cli::registerMdCommand(app);     // likewise
#else
    graphace::cli::registerMdCommand(app, graphace::cli::makeNetworkForceField);
    graphace::cli::registerTrainCommand(app);
    graphace::cli::registerPredictCommand(app);
#endif

    try {
#ifdef GRAPHACE_CLI_FRONT_END
        graphace::cli::rememberCommandLine(argc, argv);
        if (graphace::cli::needsNetworkCli(argc, argv))
            graphace::cli::handOverToNetworkCli();
#endif
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const graphace::ParseError& e) {
        std::cerr << "graphace: error: " << e.what() << '\n';
        return 1;
    } catch (const std::exception& e) {
        std::cerr << "graphace: error: " << e.what() << '\n';
        return 1;
    }
    return 0;
}
