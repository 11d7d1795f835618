// graphace md: molecular dynamics with a fitted model (a linear model file here; a network's
// folder through graphace-gcn), to see whether the potential holds up (molecular_dynamics.h has
// the integrator). Writes the trajectory (extended XYZ with energy,
// forces and velocities), a CSV of the energies, and a stability verdict.

#include "cli_common.h"
#include "commands.h"

#include "graphace/ace_descriptors.h"
#include "graphace/atomic_file.h"
#include "graphace/linear_ace_force_field.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/molecular_dynamics.h"
#include "graphace/pair_shells.h"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <memory>
#include <optional>

namespace graphace::cli {
namespace {

struct MdOptions {
    std::string model;
    InputOptions input;
    std::size_t configIndex = 0; // 0-based
    MdSettings settings;
    std::string thermostat = "nve";
    std::string outPath, csvPath, jsonPath;
    MdLimits limits;
    std::string device = "cpu"; // networks
    int threads = 0;            // networks: threads for the descriptors
};

// The pair distributions of the run and of the data, each normalised to unit area, and their
// total-variation distance ½ ∫ |g_run − g_data| dr: 0 for the same distribution, 1 for disjoint.
struct PairComparison {
    std::vector<double> r, run, data;
    double distance = 0.0;
};

std::optional<PairComparison> comparePairDistributions(const Dataset& run, const Dataset& data) {
    constexpr double kMaxDistance = 6.0;
    PairShells a, b;
    try {
        a = pairShells(run, kMaxDistance);
        b = pairShells(data, kMaxDistance);
    } catch (const std::invalid_argument&) {
        return std::nullopt; // no pair within reach
    }
    auto normalised = [](std::vector<double> g, double dr) {
        double area = 0.0;
        for (double v : g)
            area += v * dr;
        for (double& v : g)
            v = area > 0 ? v / area : 0.0;
        return g;
    };
    const double dr = a.binCentres.size() > 1 ? a.binCentres[1] - a.binCentres[0] : 1.0;
    PairComparison c;
    c.r = a.binCentres;
    c.run = normalised(a.smoothed, dr);
    c.data = normalised(b.smoothed, dr);
    for (std::size_t k = 0; k < c.r.size() && k < c.data.size(); ++k)
        c.distance += 0.5 * std::abs(c.run[k] - c.data[k]) * dr;
    return c;
}

std::string text(double value) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "%.15g", value); // energies of large cells keep meV
    return buffer;
}

void runMd(const MdOptions& o, const NetworkForceFieldFactory& networkForceField) {
    const bool linear = looksLikeLinearAceModel(o.model);
    ForceField field;
    if (linear)
        field = linearAceForceField(readLinearAceModel(o.model));
    else if (networkForceField)
        field = networkForceField(o.model, o.device, o.threads);
    else
        throw std::logic_error("a network's folder reached graphace's own md");
    if (linear && o.device != "cpu")
        printWarning("linear models run on the CPU; --device " + o.device + " is not used");
    const std::string& file = o.input.files.front();
    const Dataset data = readInput(file, o.input);
    if (o.configIndex >= data.size())
        throw std::invalid_argument("--config-index " + std::to_string(o.configIndex) + ": " +
                                    file + " has " + std::to_string(data.size()) +
                                    " configurations (0-based index)");
    Structure start = data.structures[o.configIndex];
    const MdGround ground = mdGroundOf(data);

    std::vector<MdFrame> frames;
    // Up to ~200 recorded configurations, evenly spaced, for the run's pair distribution.
    Dataset sampled;
    const long long recorded = o.settings.steps / o.settings.every + 1;
    const long long stride = std::max<long long>(1, (recorded + 199) / 200);
    std::optional<MdFrame> leftGround;
    std::string reason;
    std::string failure; // what the force field threw, if it did
    const std::size_t atoms = start.size();
    auto judge = [&](const MdFrame& f) {
        if (leftGround)
            return;
        reason = offGroundReason(f, ground, o.limits);
        if (!reason.empty())
            leftGround = f;
    };

    auto simulate = [&](std::ostream* trajectory, std::ostream* csv) {
        if (csv)
            *csv << "step,time_fs,potential_ev,kinetic_ev,total_ev,temperature_k,"
                    "min_distance_a,max_force_ev_per_a\n";
        try {
            runMolecularDynamics(
                start, field, o.settings, [&](const MdFrame& f, const MdState& state) {
                    frames.push_back(f);
                    judge(f);
                    if (!leftGround && (frames.size() - 1) % stride == 0)
                        sampled.structures.push_back(state.structure);
                    if (csv)
                        *csv << f.step << ',' << text(f.time) << ',' << text(f.potential) << ','
                             << text(f.kinetic) << ',' << text(f.total()) << ','
                             << text(f.temperature) << ',' << text(f.minDistance) << ','
                             << text(f.maxForce) << '\n';
                    if (trajectory)
                        writeExtxyz(*trajectory, mdTrajectoryFrame(f, state));
                    // A run that has left physical ground is stopped a little later: the frames
                    // after it show how, and the rest would be noise.
                    return !leftGround || f.step < leftGround->step + 20 * o.settings.every;
                });
        } catch (const std::invalid_argument& e) {
            failure = e.what(); // e.g. atoms that coincide: the run blew up
            if (!leftGround) {
                reason = std::string("the model failed: ") + e.what();
                leftGround = frames.empty() ? MdFrame{} : frames.back();
            }
        }
        if (csv && !*csv)
            throw std::runtime_error("cannot write the energies CSV");
        if (trajectory && !*trajectory)
            throw std::runtime_error("cannot write the trajectory");
    };
    auto withCsv = [&](std::ostream* trajectory) {
        if (o.csvPath.empty())
            return simulate(trajectory, nullptr);
        writeAtomically(o.csvPath, [&](const std::string& temporary) {
            std::ofstream csv(temporary);
            simulate(trajectory, &csv);
        });
    };
    if (o.outPath.empty())
        withCsv(nullptr);
    else
        writeAtomically(o.outPath, [&](const std::string& temporary) {
            std::ofstream trajectory(temporary);
            withCsv(&trajectory);
        });

    // Statistics of the physical part of the run: after it leaves the data's ground the numbers
    // describe a blow-up, not the potential.
    std::vector<MdFrame> physical;
    for (const MdFrame& f : frames)
        if (!leftGround || f.step < leftGround->step)
            physical.push_back(f);
    double meanT = 0.0, minDistance = std::numeric_limits<double>::infinity(), maxForce = 0.0;
    for (const MdFrame& f : physical) {
        meanT += f.temperature / physical.size();
        minDistance = std::min(minDistance, f.minDistance);
        maxForce = std::max(maxForce, f.maxForce);
    }
    const bool nve = o.settings.thermostat == Thermostat::None;
    const double drift = nve ? energyDriftMevPerAtomPerPs(physical, atoms) : 0.0;
    nlohmann::json result;
    result["model"] = o.model;
    result["file"] = file;
    result["config_index"] = o.configIndex;
    result["atoms"] = atoms;
    result["thermostat"] = o.thermostat;
    result["timestep_fs"] = o.settings.timestep;
    result["steps_done"] = frames.empty() ? 0 : frames.back().step;
    result["time_fs"] = frames.empty() ? 0.0 : frames.back().time;
    result["mean_temperature_k"] = meanT;
    result["energy_drift_mev_per_atom_per_ps"] = nve ? nlohmann::json(drift) : nlohmann::json();
    result["min_distance_a"] = minDistance;
    result["max_force_ev_per_a"] = maxForce;
    result["data_min_distance_a"] = ground.minDistance;
    result["data_max_force_ev_per_a"] =
        ground.maxForce > 0 ? nlohmann::json(ground.maxForce) : nlohmann::json();
    const std::optional<PairComparison> pairs = comparePairDistributions(sampled, data);
    if (pairs)
        result["pair_distribution"] = {{"r_a", pairs->r},
                                       {"run", pairs->run},
                                       {"data", pairs->data},
                                       {"total_variation_distance", pairs->distance}};
    else
        result["pair_distribution"] = nullptr;
    result["stable"] = !leftGround.has_value();
    result["left_ground_at_fs"] = leftGround ? nlohmann::json(leftGround->time) : nlohmann::json();
    result["reason"] = leftGround ? nlohmann::json(reason) : nlohmann::json();
    if (o.jsonPath == "-") {
        emitJson(result);
        return;
    }
    std::cout << frames.size() << " frames, " << formatNumber(result["time_fs"].get<double>(), 6)
              << " fs of " << (nve ? "NVE" : "Langevin") << " dynamics, " << atoms
              << " atoms; mean T " << formatNumber(meanT, 4) << " K"
              << (leftGround ? " (until it left physical ground; so below)" : "") << "\n";
    if (nve)
        std::cout << "energy drift " << formatNumber(drift, 3) << " meV/atom/ps\n";
    std::cout << "shortest distance " << formatNumber(minDistance, 4) << " Å (data "
              << formatNumber(ground.minDistance, 4) << "), largest force "
              << formatNumber(maxForce, 4) << " eV/Å";
    if (ground.maxForce > 0)
        std::cout << " (data " << formatNumber(ground.maxForce, 4) << ")";
    std::cout << '\n';
    if (pairs)
        std::cout << "pair distribution up to 6 Å: total-variation distance "
                  << formatNumber(pairs->distance, 3)
                  << " from the data's (0: the same, 1: disjoint)\n";
    if (leftGround)
        std::cout << "UNSTABLE: left physical ground at " << formatNumber(leftGround->time, 6)
                  << " fs: " << reason << '\n';
    else
        std::cout << "stable: stayed within the data's distances and forces\n";
    if (!o.jsonPath.empty())
        emitJson(result, o.jsonPath);
}

} // namespace

void registerMdCommand(CLI::App& app, NetworkForceFieldFactory networkForceField) {
    auto* command = app.add_subcommand(
        "md", "Run molecular dynamics with a fitted model, linear or network (NVE velocity "
              "Verlet or a Langevin thermostat) on one configuration of FILE and judge its "
              "stability");
    auto o = std::make_shared<MdOptions>();
    command
        ->add_option("--model", o->model,
                     "A linear model file (graphace fit-linear --save-coefficients) or a "
                     "network's folder (graphace train --out) whose model has forces")
        ->required()
        ->check(CLI::ExistingPath);
    addInputOptions(*command, o->input, false);
    command
        ->add_option("--config-index", o->configIndex,
                     "Configuration of FILE to start from (0-based)")
        ->capture_default_str();
    command
        ->add_option("--temperature", o->settings.temperature,
                     "K: the initial velocities and, with Langevin, the bath")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    command
        ->add_option("--start-temperature", o->settings.startTemperature,
                     "K of the initial velocities, when different from --temperature")
        ->check(CLI::NonNegativeNumber);
    command->add_option("--timestep", o->settings.timestep, "fs")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    command->add_option("--steps", o->settings.steps, "Number of steps")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    command->add_option("--thermostat", o->thermostat, "nve or langevin")
        ->check(CLI::IsMember({"nve", "langevin"}))
        ->capture_default_str();
    command->add_option("--friction", o->settings.friction, "Langevin friction γ, 1/fs")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    command->add_option("--seed", o->settings.seed, "Seed of the velocities and the noise")
        ->capture_default_str();
    command->add_option("--every", o->settings.every, "Record every N steps")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    command->add_option("--out", o->outPath,
                        "Trajectory as extended XYZ (energy, forces, velocities, time)");
    command->add_option("--csv", o->csvPath,
                        "Energies per recorded step: time, potential, kinetic, total, "
                        "temperature, shortest distance, largest force");
    command->add_option("--json", o->jsonPath,
                        "Write the summary and verdict as JSON ('-': "
                        "stdout)");
    command->add_option("--device", o->device, "cpu, cuda or cuda:N (networks only)")
        ->capture_default_str();
    command
        ->add_option("--threads", o->threads, "Threads for a network's descriptors (0: all cores)")
        ->check(CLI::NonNegativeNumber);
    command->callback([o, networkForceField] {
        o->settings.thermostat =
            o->thermostat == "langevin" ? Thermostat::Langevin : Thermostat::None;
        runMd(*o, networkForceField);
    });
}

} // namespace graphace::cli
