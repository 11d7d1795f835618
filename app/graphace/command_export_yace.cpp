// graphace export-yace: a saved linear model (fit-linear --save-coefficients) as a .yace file for
// LAMMPS pair_style pace, for models fitted before (fit-linear --export-yace does it at once).

#include "cli_common.h"
#include "commands.h"

#include "graphace/element.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/pace_yace_export.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

namespace graphace::cli {

void printPaceUsage(const LinearAceModel& model, const std::string& yacePath) {
    std::string elements;
    for (int z : model.ace.species)
        elements += std::string(" ") + elementSymbol(z);
    std::cout << "wrote " << yacePath << "; in LAMMPS (ML-PACE):\n"
              << "  pair_style pace\n"
              << "  pair_coeff * * " << yacePath << elements
              << "    (one element per atom type, in the order of your types)\n";
}

void registerExportYaceCommand(CLI::App& app) {
    struct Options {
        std::string modelPath;
        std::string yacePath;
    };
    auto o = std::make_shared<Options>();
    auto* command = app.add_subcommand(
        "export-yace", "Write a fitted linear ACE model (fit-linear --save-coefficients) as a "
                       ".yace file for LAMMPS pair_style pace");
    command->add_option("MODEL", o->modelPath, "Linear model file (JSON)")
        ->required()
        ->check(CLI::ExistingFile);
    command->add_option("OUT", o->yacePath, "The .yace file to write")->required();
    command->callback([o] {
        const LinearAceModel model = readLinearAceModel(o->modelPath);
        writePaceYace(model, o->yacePath);
        printPaceUsage(model, o->yacePath);
    });
}

} // namespace graphace::cli
