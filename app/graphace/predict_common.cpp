#include "predict_common.h"

#include "commands.h"

#include "graphace/ace_descriptors.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/reference_virial.h"

#include <CLI/CLI.hpp>

#include <cmath>
#include <iostream>

namespace graphace::cli {

void reportPrediction(const PredictOptions& o, const PredictionReport& r) {
    const std::string& file = o.input.files.front();
    nlohmann::json result;
    result["model"] = o.model;
    result["file"] = file;
    result["subset"] =
        o.subsetName.empty() ? nlohmann::json(nullptr) : nlohmann::json(o.subsetName);
    result["metrics"] = r.metrics ? metricsJson(*r.metrics) : nlohmann::json(nullptr);
    nlohmann::json energies = nlohmann::json::array();
    for (std::size_t k = 0; k < r.data.size(); ++k) {
        const Structure& s = r.data.structures[k];
        energies.push_back(
            {{"index", r.indices[k]},
             {"atoms", s.size()},
             {"reference", s.energy ? nlohmann::json(*s.energy) : nlohmann::json(nullptr)},
             {"predicted", r.energies[k]}});
    }
    result["energies"] = energies;
    if (!r.metrics)
        printWarning("some configurations of " + file +
                     " have no energy: predictions only, no metrics");

    if (!o.outPath.empty()) {
        Dataset out = r.data;
        std::size_t atom = 0;
        for (std::size_t k = 0; k < out.size(); ++k) {
            Structure& s = out.structures[k];
            s.energy = r.energies[k];
            s.energyKey = "energy";
            s.forces.clear();
            s.forcesKey = r.forces.empty() ? "" : "forces";
            s.stress.reset();
            s.virial.reset();
            if (!r.forces.empty())
                for (std::size_t a = 0; a < s.size(); ++a, ++atom)
                    s.forces.emplace_back(r.forces[3 * atom], r.forces[3 * atom + 1],
                                          r.forces[3 * atom + 2]);
            if (!r.stresses.empty() && std::isfinite(r.stresses[9 * k])) {
                Mat3 stress;
                for (int row = 0; row < 3; ++row)
                    for (int c = 0; c < 3; ++c)
                        stress(row, c) = r.stresses[9 * k + 3 * row + c];
                s.stress = stress;
            }
        }
        writeExtxyzFile(o.outPath, out);
    }
    if (o.jsonPath == "-") {
        emitJson(result);
        return;
    }
    if (r.metrics) {
        const nlohmann::json& m = result["metrics"];
        const bool virials = m.contains("virial_rmse_mev_per_atom");
        std::vector<std::string> header{"set",       "configs", "E RMSE meV/atom", "E MAE meV/atom",
                                        "E RMSE eV", "E R²",    "F RMSE eV/Å",     "F MAE eV/Å"};
        if (virials)
            header.insert(header.end(), {"W RMSE meV/atom", "W MAE meV/atom"});
        TextTable table(header);
        auto cell = [&](const char* key, int precision) { return metricText(m, key, precision); };
        std::vector<std::string> row{o.subsetName.empty() ? std::string("all") : o.subsetName,
                                     std::to_string(m["configurations"].get<long>()),
                                     cell("energy_rmse_mev_per_atom", 4),
                                     cell("energy_mae_mev_per_atom", 4),
                                     cell("energy_rmse_ev", 4),
                                     cell("energy_r2", 5),
                                     cell("force_rmse_ev_per_a", 4),
                                     cell("force_mae_ev_per_a", 4)};
        if (virials)
            row.insert(row.end(),
                       {cell("virial_rmse_mev_per_atom", 4), cell("virial_mae_mev_per_atom", 4)});
        table.addRow(row);
        std::cout << table.str();
    } else {
        std::cout << r.energies.size() << " configurations predicted\n";
    }
    if (!o.jsonPath.empty())
        emitJson(result, o.jsonPath);
}

namespace {

// Energies, forces and stresses of a linear model by the adjoint (predictLinearAce): no
// descriptor gradients are formed, so memory stays per atom.
void predictWithLinearModel(const PredictOptions& o) {
    const LinearAceModel model = readLinearAceModel(o.model);
    if (!o.subsetName.empty())
        throw std::invalid_argument("--subset: " + o.model +
                                    " is a linear model file, which records no split (it selects "
                                    "configurations of a network's run)");
    if (o.device != "cpu")
        printWarning("linear models run on the CPU; --device " + o.device + " is not used");
    const std::string& file = o.input.files.front();
    PredictionReport r;
    r.data = readInput(file, o.input);
    if (r.data.size() == 0)
        throw std::invalid_argument("no configuration to predict");
    for (std::size_t k = 0; k < r.data.size(); ++k)
        r.indices.push_back(k);
    const AceBasis basis(model.ace);
    int failed = -1;
    LinearPrediction p;
    try {
        p = predictLinearAce(model, basis, r.data, o.threads, terminalProgress("prediction"),
                             &failed);
    } catch (const std::invalid_argument& e) {
        finishTerminalProgress();
        throw std::invalid_argument(file + ", configuration " + std::to_string(failed + 1) + ": " +
                                    e.what());
    }
    finishTerminalProgress();
    r.energies = p.energies;
    r.forces = p.forces;
    r.stresses = p.stresses;

    std::vector<double> referenceVirials, predictedVirials;
    std::vector<int> virialAtoms;
    bool allEnergies = true;
    for (std::size_t k = 0; k < r.data.size(); ++k) {
        const Structure& s = r.data.structures[k];
        allEnergies = allEnergies && s.energy.has_value();
        if (s.virial) {
            for (int row = 0; row < 3; ++row)
                for (int c = 0; c < 3; ++c)
                    referenceVirials.push_back((*s.virial)(row, c));
            predictedVirials.insert(predictedVirials.end(), p.virials.begin() + 9 * k,
                                    p.virials.begin() + 9 * k + 9);
            virialAtoms.push_back(static_cast<int>(s.size()));
        }
    }
    if (allEnergies) {
        r.metrics = scoreLinearPrediction(r.data, p);
        if (!virialAtoms.empty())
            setVirialMetrics(*r.metrics, referenceVirials, predictedVirials, virialAtoms);
    }
    reportPrediction(o, r);
}

} // namespace

void addPredictCommand(CLI::App& app, std::function<void(const PredictOptions&)> predictNetwork) {
    auto* command = app.add_subcommand("predict", kPredictSummary);
    auto o = std::make_shared<PredictOptions>();
    command
        ->add_option("--model", o->model,
                     "Folder written by graphace train, or a linear model file written by "
                     "graphace fit-linear --save-coefficients")
        ->required()
        ->check(CLI::ExistingPath);
    addInputOptions(*command, o->input, false);
    command
        ->add_option("--subset", o->subsetName,
                     "Only the training or test configurations of FILE, as split by the run "
                     "(config.json \"split\"; networks only)")
        ->check(CLI::IsMember({"train", "test"}));
    command->add_option("--json", o->jsonPath,
                        "Write metrics and per-configuration energies as JSON ('-': stdout)");
    command->add_option("--out", o->outPath,
                        "Write the configurations with the predicted energy, forces and stress "
                        "(eV, eV/Å, eV/Å³; forces and stress when the model has them) as "
                        "extended XYZ");
    command->add_option("--device", o->device, "cpu, cuda or cuda:N (networks only)")
        ->capture_default_str();
    command
        ->add_option("--threads", o->threads,
                     "Threads for the descriptors or the linear model (0: all cores)")
        ->check(CLI::NonNegativeNumber);
    command->callback([o, predictNetwork] {
        if (looksLikeLinearAceModel(o->model))
            predictWithLinearModel(*o);
        else if (predictNetwork)
            predictNetwork(*o);
        else
            throw std::logic_error("a network's folder reached graphace's own predict");
    });
}

} // namespace graphace::cli
