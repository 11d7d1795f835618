// graphace info: what is in a dataset, and which keys were taken as energy and forces.

#include "cli_common.h"
#include "commands.h"

#include "graphace/chemical_formula.h"
#include "graphace/element.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <limits>
#include <map>
#include <set>

namespace graphace::cli {
namespace {

nlohmann::json describeConfiguration(const Structure& s, std::size_t index) {
    nlohmann::json c;
    c["index"] = index;
    c["line"] = s.sourceLine;
    c["atoms"] = s.size();
    c["formula"] = chemicalFormula(s.numbers);
    c["pbc"] = pbcString(s.pbc);
    c["volume"] = s.isPeriodic() ? nlohmann::json(s.volume()) : nlohmann::json(nullptr);
    c["energy"] = s.energy ? nlohmann::json(*s.energy) : nlohmann::json(nullptr);
    c["energy_per_atom"] =
        s.energy && s.size() ? nlohmann::json(*s.energy / s.size()) : nlohmann::json(nullptr);
    c["has_forces"] = s.hasForces();
    const std::string* configType = s.findInfo("config_type");
    c["config_type"] = configType ? nlohmann::json(*configType) : nlohmann::json(nullptr);
    return c;
}

nlohmann::json describeFile(const std::string& path, const Dataset& dataset) {
    std::map<std::string, std::size_t> speciesCounts;
    std::set<std::string> energyKeys, forcesKeys, periodicities;
    double minEnergy = std::numeric_limits<double>::infinity(), maxEnergy = -minEnergy;
    double minPerAtom = minEnergy, maxPerAtom = -minEnergy;
    std::size_t withEnergy = 0, withForces = 0;
    nlohmann::json perConfiguration = nlohmann::json::array();

    for (std::size_t i = 0; i < dataset.size(); ++i) {
        const Structure& s = dataset.structures[i];
        for (int z : s.numbers)
            ++speciesCounts[elementSymbol(z)];
        if (!s.energyKey.empty())
            energyKeys.insert(s.energyKey);
        if (!s.forcesKey.empty())
            forcesKeys.insert(s.forcesKey);
        periodicities.insert(pbcString(s.pbc));
        if (s.energy) {
            ++withEnergy;
            minEnergy = std::min(minEnergy, *s.energy);
            maxEnergy = std::max(maxEnergy, *s.energy);
            minPerAtom = std::min(minPerAtom, *s.energy / s.size());
            maxPerAtom = std::max(maxPerAtom, *s.energy / s.size());
        }
        withForces += s.hasForces();
        perConfiguration.push_back(describeConfiguration(s, i));
    }

    nlohmann::json f;
    f["file"] = path;
    f["configurations"] = dataset.size();
    f["atoms"] = dataset.atomCount();
    f["species"] = speciesCounts;
    f["energy_keys"] = energyKeys;
    f["forces_keys"] = forcesKeys;
    f["periodicity"] = periodicities;
    f["configurations_with_energy"] = withEnergy;
    f["configurations_with_forces"] = withForces;
    if (withEnergy) {
        f["energy_range"] = {{"min", minEnergy}, {"max", maxEnergy}};
        f["energy_per_atom_range"] = {{"min", minPerAtom}, {"max", maxPerAtom}};
    } else {
        f["energy_range"] = nullptr;
        f["energy_per_atom_range"] = nullptr;
    }
    f["per_configuration"] = std::move(perConfiguration);
    return f;
}

std::string joinOrDash(const nlohmann::json& list) {
    std::string text;
    for (const auto& item : list)
        text += (text.empty() ? "" : ",") + item.get<std::string>();
    return text.empty() ? "-" : text;
}

void printText(const nlohmann::json& f) {
    std::cout << f["file"].get<std::string>() << '\n';
    std::string species;
    for (const auto& [symbol, count] : f["species"].items())
        species += (species.empty() ? "" : " ") + symbol + ":" + std::to_string(count.get<long>());
    TextTable table({"property", "value"});
    table.addRow({"configurations", std::to_string(f["configurations"].get<long>())});
    table.addRow({"atoms", std::to_string(f["atoms"].get<long>())});
    table.addRow({"species", species});
    table.addRow({"periodicity", joinOrDash(f["periodicity"])});
    table.addRow({"energy key", joinOrDash(f["energy_keys"])});
    table.addRow({"forces key", joinOrDash(f["forces_keys"])});
    table.addRow({"with energy", std::to_string(f["configurations_with_energy"].get<long>())});
    table.addRow({"with forces", std::to_string(f["configurations_with_forces"].get<long>())});
    if (!f["energy_range"].is_null()) {
        table.addRow({"energy (eV)", formatNumber(f["energy_range"]["min"].get<double>(), 8) +
                                         " … " +
                                         formatNumber(f["energy_range"]["max"].get<double>(), 8)});
        table.addRow({"energy/atom (eV)",
                      formatNumber(f["energy_per_atom_range"]["min"].get<double>(), 8) + " … " +
                          formatNumber(f["energy_per_atom_range"]["max"].get<double>(), 8)});
    }
    std::cout << table.str() << '\n';
}

} // namespace

void registerInfoCommand(CLI::App& app) {
    auto* command = app.add_subcommand(
        "info", "Summarise extended-XYZ files: configurations, atoms, species, energy and "
                "forces keys, periodicity, energy range");
    auto options = std::make_shared<InputOptions>();
    auto json = std::make_shared<bool>(false);
    addInputOptions(*command, *options, true);
    command->add_flag("--json", *json,
                      "Print JSON (keys documented in docs/cli.md) instead of a table");
    command->callback([options, json] {
        nlohmann::json files = nlohmann::json::array();
        std::size_t configurations = 0, atoms = 0;
        for (const auto& path : options->files) {
            const Dataset dataset = readInput(path, *options);
            files.push_back(describeFile(path, dataset));
            configurations += dataset.size();
            atoms += dataset.atomCount();
        }
        if (!*json) {
            for (const auto& f : files)
                printText(f);
            return;
        }
        // One file: its object is the document. Several: totals on top, one object per file.
        if (files.size() == 1) {
            emitJson(files[0]);
        } else {
            emitJson({{"configurations", configurations}, {"atoms", atoms}, {"files", files}});
        }
    });
}

} // namespace graphace::cli
