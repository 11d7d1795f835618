// graphace descriptors: per-atom ACE descriptors as CSV, one row per atom.

#include "cli_common.h"
#include "commands.h"

#include "graphace/ace_descriptors.h"
#include "graphace/atomic_file.h"
#include "graphace/element.h"

#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>

namespace graphace::cli {

void registerDescriptorsCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "descriptors", "Compute per-atom ACE descriptors and write them as CSV: configuration, "
                       "atom, species, then one column per function (named in the header)");
    auto input = std::make_shared<InputOptions>();
    auto config = std::make_shared<ConfigOptions>();
    auto out = std::make_shared<std::string>();
    addInputOptions(*command, *input, false);
    addConfigOptions(*command, *config);
    command->add_option("--out", *out, "Output CSV file")->required();
    command->callback([input, config, out] {
        const Dataset data = readInput(input->files.front(), *input);
        // "auto" settings come from this file: to describe another file with the same basis,
        // pass the values printed here (--set ace.r0=… …) or a config that names them.
        AceDataChoice choice;
        const AceConfig ace =
            resolveAceFromData(resolvedFor(loadExperimentConfig(*config).ace, data), data, &choice);
        if (choice.anyAuto)
            std::cerr << "ace from the data: " << choice.summary << '\n';
        const AceBasis basis(ace);
        const auto descriptors = computeAceDescriptors(basis, data, AceDerivatives::None, 0,
                                                       terminalProgress("descriptors"));
        finishTerminalProgress();

        writeAtomically(*out, [&](const std::string& temporary) {
            std::FILE* file = std::fopen(temporary.c_str(), "w");
            if (!file)
                throw std::runtime_error("cannot write " + *out + ": " + std::strerror(errno));
            std::fputs("configuration,atom,species", file);
            for (int s = 0; s < basis.speciesCount(); ++s)
                for (int k = 0; k < basis.blockSize(); ++k)
                    std::fprintf(file, ",%s:%s", elementSymbol(ace.species[s]),
                                 basis.label(k).c_str());
            std::fputc('\n', file);
            for (std::size_t c = 0; c < data.size(); ++c) {
                const Structure& s = data.structures[c];
                for (std::size_t i = 0; i < s.size(); ++i) {
                    std::fprintf(file, "%zu,%zu,%s", c, i, elementSymbol(s.numbers[i]));
                    for (Eigen::Index k = 0; k < descriptors[c].descriptors.cols(); ++k)
                        std::fprintf(file, ",%.17g", descriptors[c].descriptors(i, k));
                    std::fputc('\n', file);
                }
            }
            const bool ok = std::ferror(file) == 0;
            const int error = errno; // of the failed write, before fclose may change it
            const bool closed = std::fclose(file) == 0;
            if (!ok || !closed)
                throw std::runtime_error("cannot write " + *out + ": " +
                                         std::strerror(ok ? errno : error));
        });
        std::cerr << "wrote " << data.atomCount() << " atoms × " << basis.size()
                  << " descriptors to " << *out << '\n';
    });
}

} // namespace graphace::cli
