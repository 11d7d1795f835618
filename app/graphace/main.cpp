// graphace: the command-line face of GraphACE Studio (same core as the desktop application).

#include "commands.h"

#include "graphace/error.h"
#include "graphace/version.h"

#include <CLI/CLI.hpp>

#include <iostream>

int main(int argc, char** argv) {
    CLI::App app{"graphace: extended-XYZ datasets, periodic neighbour graphs, ACE descriptors "
                 "and graph networks for interatomic potentials"};
    app.name("graphace");
    app.set_version_flag("--version", std::string("graphace ") + graphace::kVersion);
    app.require_subcommand(1);
    app.fallthrough();

    graphace::cli::registerInfoCommand(app);
    graphace::cli::registerGraphCommand(app);
    graphace::cli::registerSampleCommand(app);
    graphace::cli::registerDescriptorsCommand(app);
    graphace::cli::registerFitLinearCommand(app);
    graphace::cli::registerBenchCommand(app);
    graphace::cli::registerTrainCommand(app);
    graphace::cli::registerPredictCommand(app);

    try {
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
