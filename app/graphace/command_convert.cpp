// graphace convert: a structure file into another format (extended XYZ, VASP POSCAR).

#include "cli_common.h"
#include "commands.h"

#include "graphace/structure_files.h"

#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

namespace graphace::cli {
namespace {

struct ConvertOptions {
    InputOptions input;
    std::string in, out;
    std::string outFormat = "auto";
    std::optional<long> index;
};

} // namespace

void registerConvertCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "convert", "Convert structures between formats: extended XYZ and VASP POSCAR/CONTCAR "
                   "(the formats chosen from the file names unless given)");
    auto o = std::make_shared<ConvertOptions>();
    // Two positionals: IN is a plain string (a file list would take OUT too).
    command->add_option("IN", o->in, "Input structure file")->required()->check(CLI::ExistingFile);
    command->add_option("OUT", o->out, "Output file")->required();
    command->add_option("--energy-key", o->input.energyKey, "Header key holding the energy");
    command->add_option("--forces-key", o->input.forcesKey, "Per-atom property holding forces");
    addFormatOptions(*command, o->input);
    command
        ->add_option("--out-format", o->outFormat,
                     "Output format: auto (from OUT's name: POSCAR*, CONTCAR*, *.vasp, *.poscar "
                     "give POSCAR, anything else extended XYZ), extxyz, poscar")
        ->check(CLI::IsMember(structureFormatNames(), CLI::ignore_case));
    command->add_option("--index", o->index,
                        "Only configuration INDEX (0-based; negative counts from the end), e.g. "
                        "for a POSCAR, which holds one");
    command->callback([o] {
        const std::string& in = o->in;
        Dataset data = readInput(in, o->input);
        if (o->index) {
            const long n = static_cast<long>(data.size());
            const long k = *o->index < 0 ? n + *o->index : *o->index;
            if (k < 0 || k >= n)
                throw std::invalid_argument("--index " + std::to_string(*o->index) + ": " + in +
                                            " has " + std::to_string(n) + " configurations");
            Structure one = std::move(data.structures[static_cast<std::size_t>(k)]);
            data.structures.assign(1, std::move(one));
        }
        const StructureFormat format = outputFormat(o->out, parseStructureFormat(o->outFormat));
        if (format == StructureFormat::Poscar && data.size() == 1) {
            const Structure& s = data.structures.front();
            if (s.energy || s.hasForces() || s.stress || s.virial)
                std::cerr << "warning: POSCAR holds no energy, forces or stress: " << o->out
                          << " gets the structure only" << std::endl;
        }
        writeStructureFile(o->out, data, format);
        std::cerr << "wrote " << data.size() << " configuration" << (data.size() == 1 ? "" : "s")
                  << " (" << data.atomCount() << " atoms) to " << o->out << '\n';
    });
}

} // namespace graphace::cli
