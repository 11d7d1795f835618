// graphace train: a graph network on ACE descriptors, watched live against the linear fit on the
// same descriptors; writes config.json, history.csv, metrics.json and model.pt.

#include "cli_common.h"
#include "commands.h"

#include "graphace/experiment_run.h"
#include "graphace/gcn_trainer.h"
#include "graphace/sample_dataset.h"
#include "graphace/setting_sweep.h"
#include "graphace/training_outputs.h"

#include <CLI/CLI.hpp>

#include <unistd.h>

#include <atomic>
#include <cctype>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace graphace::cli {
namespace {

struct TrainOptions {
    InputOptions train; // files: empty or one
    std::string testFile;
    std::string split; // "NTRAIN:NTEST"
    std::string preset;
    ConfigOptions config;
    std::string device;
    int threads = -1; // < 0: from the config
    std::string out;
    std::string sweep;  // "KEY=FIRST:LAST:STEP" or "KEY=V1,V2,..."
    std::string resume; // a run folder with checkpoint.pt
};

constexpr const char* kCheckpointFile = "checkpoint.pt";
// Periodic checkpoints take at most this share of the training time (gcn_trainer.h).
constexpr double kCheckpointOverhead = 0.05;

// Set by SIGINT; the trainer checks it before every batch (async-signal-safe: lock-free atomic).
std::atomic<bool> g_interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free, "the SIGINT flag must be lock-free");

extern "C" void onInterrupt(int) {
    g_interrupted.store(true);
}

// Installs the Ctrl-C handler for its lifetime; a second Ctrl-C kills as usual (SA_RESETHAND).
class InterruptGuard {
public:
    InterruptGuard() {
        g_interrupted = false;
        struct sigaction action {};
        action.sa_handler = onInterrupt;
        sigemptyset(&action.sa_mask);
        action.sa_flags = SA_RESETHAND;
        sigaction(SIGINT, &action, &m_previous);
    }
    ~InterruptGuard() { sigaction(SIGINT, &m_previous, nullptr); }
    InterruptGuard(const InterruptGuard&) = delete;
    InterruptGuard& operator=(const InterruptGuard&) = delete;

private:
    struct sigaction m_previous {};
};

std::string formatDuration(double seconds) {
    char buffer[32];
    if (!(seconds >= 0) || seconds > 360000)
        return "?";
    const long s = static_cast<long>(seconds + 0.5);
    if (s >= 3600)
        std::snprintf(buffer, sizeof buffer, "%ldh%02ldm", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        std::snprintf(buffer, sizeof buffer, "%ldm%02lds", s / 60, s % 60);
    else
        std::snprintf(buffer, sizeof buffer, "%lds", s);
    return buffer;
}

// The live line: on a terminal it redraws itself; in a log it prints every ~5% of the epochs.
class EpochProgress {
public:
    // `firstEpoch`: epochs done before this process (a resumed run), for the ETA.
    explicit EpochProgress(int totalEpochs, int firstEpoch = 0)
        : m_total(totalEpochs), m_first(firstEpoch), m_tty(isatty(STDERR_FILENO)),
          m_start(std::chrono::steady_clock::now()) {}

    bool operator()(const EpochRecord& r) {
        const double elapsed =
            std::chrono::duration<double>(std::chrono::steady_clock::now() - m_start).count();
        const int done = r.epoch - m_first;
        const double eta = done > 0 ? elapsed / done * (m_total - r.epoch) : 0;
        const int width = 20;
        const int filled = m_total > 0 ? width * r.epoch / m_total : width;
        // Force errors when the run has them (test set if any, else training set).
        const bool testForces = !std::isnan(r.testForceRmseEvPerA);
        const double forceRmse = testForces ? r.testForceRmseEvPerA : r.trainForceRmseEvPerA;
        const std::string forces = std::isnan(forceRmse)
                                       ? std::string()
                                       : std::string(" | ") + (testForces ? "test" : "train") +
                                             " F RMSE " + formatNumber(forceRmse, 4) + " eV/Å";
        char line[320];
        std::snprintf(
            line, sizeof line,
            "epoch %d/%d [%s%s] loss %.4g / %.4g | test RMSE %s meV/atom%s | lr %.3g | "
            "ETA %s",
            r.epoch, m_total, std::string(filled, '#').c_str(),
            std::string(width - filled, '.').c_str(), r.trainLoss, r.testLoss,
            std::isnan(r.testRmseMevPerAtom) ? "-" : formatNumber(r.testRmseMevPerAtom, 4).c_str(),
            forces.c_str(), r.learningRate, formatDuration(eta).c_str());
        if (m_tty) {
            std::fprintf(stderr, "\r%s\033[K", line);
            m_shown = true;
        } else {
            const int every = std::max(1, m_total / 20);
            if (r.epoch == 1 || r.epoch % every == 0 || r.epoch == m_total)
                std::fprintf(stderr, "%s\n", line);
        }
        return !g_interrupted.load();
    }

    void finish() {
        if (m_shown)
            std::fprintf(stderr, "\n");
        m_shown = false;
    }

private:
    int m_total;
    int m_first;
    bool m_tty;
    bool m_shown = false;
    std::chrono::steady_clock::time_point m_start;
};

void printComparison(const nlohmann::json& metrics) {
    std::vector<std::string> header{"model",          "set",       "configs", "E RMSE meV/atom",
                                    "E MAE meV/atom", "E RMSE eV", "E R²",    "F RMSE eV/Å",
                                    "F MAE eV/Å"};
    // Virial columns only when some set was scored on virials.
    bool virials = false;
    for (const char* set : {"train", "test"})
        virials = virials ||
                  (metrics.contains(set) && metrics.at(set).contains("virial_rmse_mev_per_atom"));
    if (virials)
        header.insert(header.end(), {"W RMSE meV/atom", "W MAE meV/atom"});
    TextTable table(header);
    auto row = [&](const char* model, const char* set, const nlohmann::json& m) {
        std::vector<std::string> cells{model,
                                       set,
                                       std::to_string(m.at("configurations").get<long>()),
                                       metricText(m, "energy_rmse_mev_per_atom", 4),
                                       metricText(m, "energy_mae_mev_per_atom", 4),
                                       metricText(m, "energy_rmse_ev", 4),
                                       metricText(m, "energy_r2", 4),
                                       metricText(m, "force_rmse_ev_per_a", 4),
                                       metricText(m, "force_mae_ev_per_a", 4)};
        if (virials)
            cells.insert(cells.end(), {metricText(m, "virial_rmse_mev_per_atom", 4),
                                       metricText(m, "virial_mae_mev_per_atom", 4)});
        table.addRow(cells);
    };
    for (const char* set : {"train", "test"}) {
        if (metrics.contains(set))
            row("GCN", set, metrics.at(set));
        if (metrics.at("linear").contains(set))
            row("linear", set, metrics.at("linear").at(set));
    }
    std::cout << table.str();
    const nlohmann::json& groups = metrics.at("per_group");
    std::vector<GroupRows> blocks;
    for (const char* set : {"train", "test"})
        for (auto [model, label] : {std::pair{"gcn", "GCN"}, std::pair{"linear", "linear"}})
            if (groups.contains(model) && groups.at(model).contains(set))
                blocks.push_back({label, set, &groups.at(model).at(set)});
    printGroupTable(groups.at("key").get<std::string>(), blocks);
}

// One training run into outDir: descriptors and graphs, the linear baseline, the network, the
// files; its metrics.json, and whether Ctrl-C ended it.
struct RunResult {
    nlohmann::json metrics;
    bool interrupted = false;
};

// How a run is rebuilt from its checkpoint: the config as given, the folder its relative data
// paths start from, and how the files were read.
std::string checkpointNote(const ExperimentConfig& config, const InputOptions& input,
                           const std::string& workingDirectory) {
    return nlohmann::json{{"config", config},
                          {"working_directory", workingDirectory},
                          {"energy_key", input.energyKey},
                          {"forces_key", input.forcesKey}}
        .dump();
}

// `resume`: continue from outDir/checkpoint.pt (the same config and data as when it was written).
// `workingDirectory`: where the config's relative data paths start (the first run's, also when
// resumed from elsewhere); empty: the current one.
RunResult runTraining(const ExperimentConfig& config, const Dataset& trainData,
                      const Dataset& testData, const std::string& outDir, const InputOptions& input,
                      bool resume = false, std::string workingDirectory = {}) {
    if (workingDirectory.empty())
        workingDirectory = std::filesystem::current_path().string();
    const ProgressCallback bar = terminalProgress("descriptors and graphs");
    const ProgressCallback progress = [bar](double f) {
        return !g_interrupted.load() && (!bar || bar(f));
    };
    PreparedExperiment prepared =
        prepareExperiment(config, trainData, config.data.testFile.empty() ? nullptr : &testData,
                          config.training.threads, progress);
    finishTerminalProgress();
    const DegreeStatistics& g = prepared.graphStatistics;
    std::cerr << "data: " << prepared.train.size() << " training, " << prepared.test.size()
              << " test configurations; " << prepared.basis->size() << " descriptors per atom\n";
    if (prepared.aceChoice.anyAuto)
        std::cerr << "ace from the training data: " << prepared.aceChoice.summary << '\n';
    std::cerr << "graph: cutoff " << formatNumber(prepared.config.graph.options.cutoff, 4) << " Å"
              << (prepared.config.graph.autoCutoff ? " (chosen from g(r))" : "") << ", " << g.edges
              << " edges, mean degree " << formatNumber(g.meanDegree, 4) << '\n';
    if (!prepared.graphWarning.empty())
        printWarning(prepared.graphWarning);

    const LinearBaseline linear = fitLinearBaseline(prepared);
    std::cerr << "linear baseline: test energy RMSE "
              << (prepared.test.size() ? formatNumber(linear.test.energyRmseMevPerAtom, 4)
                                       : std::string("-"))
              << " meV/atom (train " << formatNumber(linear.train.energyRmseMevPerAtom, 4) << ")";
    const RegressionMetrics& linearForces = prepared.test.size() ? linear.test : linear.train;
    if (linearForces.forceComponents > 0)
        std::cerr << ", " << (prepared.test.size() ? "test" : "train") << " force RMSE "
                  << formatNumber(linearForces.forceRmseEvPerA, 4) << " eV/Å";
    std::cerr << '\n';
    for (const std::string* note : {&prepared.forcesNote, &prepared.virialNote})
        if (!note->empty())
            std::cerr << *note << '\n';
    const OptimiserConfig& optimiser = prepared.config.optimiser;
    if (optimiser.forcesWeight > 0) {
        std::cerr << "training on energies"
                  << (optimiser.virialWeight > 0 ? ", forces and virials" : " and forces")
                  << " (energy weight " << formatNumber(optimiser.energyWeight, 4)
                  << ", forces weight " << formatNumber(optimiser.forcesWeight, 4);
        if (optimiser.virialWeight > 0)
            std::cerr << ", virial weight " << formatNumber(optimiser.virialWeight, 4);
        std::cerr << ")\n";
    }

    // The trainer goes before scoring: its device copies of the force geometry would
    // otherwise sit beside the ones scoring makes (chunk by chunk).
    auto trainer = std::make_unique<GcnTrainer>(prepared.config, prepared.trainGraphs,
                                                prepared.testGraphs, &linear.model);
    const std::string checkpoint = outDir + "/" + kCheckpointFile;
    if (resume) {
        trainer->resume(checkpoint);
        std::cerr << "resuming after epoch " << trainer->resumedEpoch() << " of "
                  << totalEpochs(prepared.config.optimiser) << " (" << checkpoint << ")\n";
    }
    std::filesystem::create_directories(outDir);
    trainer->setCheckpoints({checkpoint, prepared.config.training.checkpointEvery,
                             checkpointNote(config, input, workingDirectory), kCheckpointOverhead});
    EpochProgress epochProgress(totalEpochs(prepared.config.optimiser), trainer->resumedEpoch());
    const TrainingOutcome outcome =
        trainer->train([&](const EpochRecord& r) { return epochProgress(r); }, &g_interrupted);
    epochProgress.finish();
    const GcnModel model = trainer->takeModel();
    trainer.reset();

    const TrainingRunFiles files = writeTrainingRun(outDir, prepared, outcome, model, linear);
    // A run that ended needs its checkpoint no more; an interrupted one continues from it.
    const bool interrupted = outcome.stop == TrainingStop::Cancelled;
    if (!interrupted) {
        std::error_code ignored;
        std::filesystem::remove(checkpoint, ignored);
    }
    const nlohmann::json metrics = readJsonFile(files.metrics);
    printComparison(metrics);
    std::cout << "stop: " << toString(outcome.stop) << ", " << outcome.epochsRun << " epochs in "
              << formatNumber(outcome.seconds, 3) << " s";
    if (!outcome.message.empty())
        std::cout << ". " << outcome.message;
    std::cout << "\nwrote " << outDir << "/{config.json, history.csv, metrics.json, model.pt}\n";
    if (!prepared.graphWarning.empty())
        printWarning(prepared.graphWarning); // again, beside the numbers it explains
    if (outcome.stop == TrainingStop::Diverged)
        printWarning("training diverged: " + outcome.message);
    if (!outcome.checkpointError.empty())
        printWarning(outcome.checkpointError);
    else if (interrupted)
        std::cerr << "interrupted: continue with graphace train --resume " << outDir
                  << " (checkpoint after epoch " << outcome.epochsRun << ")\n";
    return {metrics, interrupted};
}

// A folder name for one value: KEY=VALUE with anything but letters, digits and ".-_=," as "_".
std::string sweepFolder(const std::string& key, const std::string& value) {
    std::string name = key + "=" + value;
    for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c)) &&
            std::string(".-_=,").find(c) == std::string::npos)
            c = '_';
    return name;
}

// One row of sweep.csv / sweep.json from a run's metrics.json: the test set's errors (the
// training set's when there is none), the linear fit's beside them, and the graph.
nlohmann::json sweepRow(const std::string& value, const std::string& folder,
                        const nlohmann::json& metrics) {
    const char* set = metrics.contains("test") ? "test" : "train";
    const nlohmann::json& gcn = metrics.at(set);
    const nlohmann::json& linear = metrics.at("linear").at(set);
    auto get = [](const nlohmann::json& m, const char* key) {
        return m.contains(key) ? m.at(key) : nlohmann::json();
    };
    return {{"value", value},
            {"folder", folder},
            {"scored", set},
            {"cutoff", metrics.at("graph").at("cutoff")},
            {"mean_degree", metrics.at("graph").at("mean_degree")},
            {"energy_rmse_mev_per_atom", get(gcn, "energy_rmse_mev_per_atom")},
            {"energy_mae_mev_per_atom", get(gcn, "energy_mae_mev_per_atom")},
            {"force_mae_ev_per_a", get(gcn, "force_mae_ev_per_a")},
            {"linear_energy_mae_mev_per_atom", get(linear, "energy_mae_mev_per_atom")},
            {"linear_force_mae_ev_per_a", get(linear, "force_mae_ev_per_a")},
            {"epochs", metrics.at("epochs")},
            {"seconds", metrics.at("seconds")},
            {"stop", metrics.at("stop")}};
}

void writeSweep(const std::string& dir, const std::string& key, const nlohmann::json& rows) {
    static const char* columns[] = {"value",
                                    "scored",
                                    "cutoff",
                                    "mean_degree",
                                    "energy_rmse_mev_per_atom",
                                    "energy_mae_mev_per_atom",
                                    "force_mae_ev_per_a",
                                    "linear_energy_mae_mev_per_atom",
                                    "linear_force_mae_ev_per_a",
                                    "epochs",
                                    "seconds",
                                    "stop",
                                    "folder"};
    std::string csv;
    for (const char* c : columns)
        csv += std::string(csv.empty() ? "" : ",") + c;
    csv += '\n';
    for (const nlohmann::json& row : rows) {
        std::string line;
        for (const char* c : columns) {
            const nlohmann::json& v = row.at(c);
            std::string cell = v.is_null() ? "" : v.is_string() ? v.get<std::string>() : v.dump();
            if (cell.find_first_of(",\"") != std::string::npos) {
                std::string quoted = "\"";
                for (char ch : cell)
                    quoted += ch == '"' ? std::string("\"\"") : std::string(1, ch);
                cell = quoted + "\"";
            }
            line += (line.empty() && c == columns[0] ? "" : ",") + cell;
        }
        csv += line + '\n';
    }
    writeFileAtomically(dir + "/sweep.csv", csv);
    writeFileAtomically(dir + "/sweep.json",
                        nlohmann::json{{"key", key}, {"runs", rows}}.dump(2) + "\n");
}

// Trains once per value of one setting (each run in OUT/KEY=VALUE/), then writes OUT/sweep.csv
// and OUT/sweep.json (after every run, so an interrupted sweep keeps the finished ones) and
// prints the errors against the value.
void runSweep(const std::string& text, const TrainOptions& o, const ExperimentConfig& base,
              const Dataset& trainData, const Dataset& testData) {
    const SettingSweep spec = parseSettingSweep(text);
    // Every value's configuration is checked before the first run starts.
    std::vector<ExperimentConfig> configs;
    for (std::size_t k = 0; k < spec.values.size(); ++k)
        configs.push_back(sweepConfig(base, spec, k));
    std::filesystem::create_directories(o.out);
    nlohmann::json rows = nlohmann::json::array();
    for (std::size_t k = 0; k < configs.size(); ++k) {
        const std::string folder = sweepFolder(spec.key, spec.values[k]);
        std::cerr << "sweep " << k + 1 << "/" << configs.size() << ": " << spec.key << " = "
                  << spec.values[k] << " (" << o.out << "/" << folder << ")\n";
        const RunResult run =
            runTraining(configs[k], trainData, testData, o.out + "/" + folder, o.train);
        rows.push_back(sweepRow(spec.values[k], folder, run.metrics));
        writeSweep(o.out, spec.key, rows);
        if (run.interrupted)
            throw CLI::RuntimeError(130);
    }
    TextTable table({spec.key, "set", "mean degree", "E MAE meV/atom", "F MAE eV/Å", "linear E MAE",
                     "linear F MAE"});
    for (const nlohmann::json& row : rows)
        table.addRow({row.at("value").get<std::string>(), row.at("scored").get<std::string>(),
                      metricText(row, "mean_degree", 4),
                      metricText(row, "energy_mae_mev_per_atom", 4),
                      metricText(row, "force_mae_ev_per_a", 4),
                      metricText(row, "linear_energy_mae_mev_per_atom", 4),
                      metricText(row, "linear_force_mae_ev_per_a", 4)});
    std::cout << "\nsweep of " << spec.key << ":\n"
              << table.str() << "wrote " << o.out << "/sweep.csv and " << o.out << "/sweep.json\n";
}

// The training and test data of a config: its files (relative paths from `baseDir`, the working
// directory when empty), or the built-in sample.
std::pair<Dataset, Dataset> readRunData(const ExperimentConfig& config, const InputOptions& input,
                                        const std::string& baseDir = {}) {
    auto resolve = [&](const std::string& file) {
        return baseDir.empty() ? file : (std::filesystem::path(baseDir) / file).string();
    };
    Dataset trainData;
    if (config.data.trainFile.empty()) {
        trainData = generateSampleDataset(SampleOptions{});
        std::cerr << "no --train: using the built-in sample (" << trainData.size()
                  << " configurations of Hf32O64)\n";
    } else {
        trainData = readInput(resolve(config.data.trainFile), input);
    }
    Dataset testData;
    if (!config.data.testFile.empty())
        testData = readInput(resolve(config.data.testFile), input);
    return {std::move(trainData), std::move(testData)};
}

// graphace train --resume DIR: the run rebuilt from DIR/checkpoint.pt's note, continued.
void resumeRun(const std::string& dir) {
    const std::string checkpoint = dir + "/" + kCheckpointFile;
    std::error_code error;
    if (!std::filesystem::is_regular_file(checkpoint, error)) {
        const bool ended = std::filesystem::is_regular_file(dir + "/metrics.json", error);
        throw std::runtime_error(
            "'" + dir + "' has no " + kCheckpointFile + ": " +
            (ended ? "its run ended (see its metrics.json); nothing to resume"
                   : "it is not the --out folder of an interrupted graphace train run"));
    }
    const CheckpointInfo info = readCheckpointInfo(checkpoint);
    ExperimentConfig config;
    InputOptions input;
    std::string workingDirectory;
    try {
        const nlohmann::json note = nlohmann::json::parse(info.note);
        note.at("config").get_to(config);
        workingDirectory = note.at("working_directory").get<std::string>();
        input.energyKey = note.at("energy_key").get<std::string>();
        input.forcesKey = note.at("forces_key").get<std::string>();
    } catch (const std::exception& e) {
        throw std::runtime_error("checkpoint '" + checkpoint +
                                 "' was not written by graphace train (" + e.what() + ")");
    }
    std::cerr << "checkpoint: epoch " << info.epoch << " of " << info.totalEpochs << ", "
              << formatNumber(info.seconds, 3) << " s of training so far\n";
    checkDevice(config.training.device);
    const auto [trainData, testData] = readRunData(config, input, workingDirectory);
    InterruptGuard interruptGuard;
    if (runTraining(config, trainData, testData, dir, input, true, workingDirectory).interrupted)
        throw CLI::RuntimeError(130);
}

} // namespace

void registerTrainCommand(CLI::App& app) {
    auto* command = app.add_subcommand("train", kTrainSummary);
    auto o = std::make_shared<TrainOptions>();
    command
        ->add_option("--train", o->train.files,
                     "Training data (extended XYZ or POSCAR); default: data.train of the config, "
                     "else the built-in sample")
        ->expected(1)
        ->check(CLI::ExistingFile);
    command->add_option("--energy-key", o->train.energyKey, "Header key holding the energy");
    command->add_option("--forces-key", o->train.forcesKey, "Per-atom property holding forces");
    addFormatOptions(*command, o->train);
    auto* test = command->add_option("--test", o->testFile, "Test data (extended XYZ or POSCAR)")
                     ->check(CLI::ExistingFile);
    command
        ->add_option("--split", o->split,
                     "Split the training data: NTRAIN:NTEST configurations, shuffled by "
                     "training.seed (NTRAIN 0: all but NTEST)")
        ->excludes(test);
    std::string presetList;
    for (const auto& name : presetNames())
        presetList += (presetList.empty() ? "" : ", ") + name;
    command->add_option("--preset", o->preset,
                        "Starting configuration: " + presetList +
                            " (default: the config's \"preset\", else recommended)");
    addConfigOptions(*command, o->config);
    addGroupKeyOption(*command, o->config);
    command->add_option("--device", o->device, "cpu, cuda or cuda:N (default: training.device)");
    command
        ->add_option("--threads", o->threads,
                     "Threads for descriptors and torch (default: training.threads; 0: all "
                     "cores)")
        ->check(CLI::NonNegativeNumber);
    auto* out = command->add_option("--out", o->out, "Output directory (created if needed)");
    auto* sweep = command->add_option(
        "--sweep", o->sweep,
        "Train once per value of one setting, KEY=FIRST:LAST:STEP or KEY=V1,V2,... (e.g. "
        "graph.cutoff=2:6:0.5): runs in OUT/KEY=VALUE/, errors against the value in "
        "OUT/sweep.csv and OUT/sweep.json");
    auto* resume = command->add_option(
        "--resume", o->resume,
        "Continue the interrupted run in this folder from its checkpoint.pt (written every "
        "training.checkpoint_every epochs and at Ctrl-C), with the data and settings it started "
        "with; ends with the same model and history as a run never stopped");
    // A resumed run takes everything from its checkpoint.
    for (const char* name :
         {"--train", "--energy-key", "--forces-key", "--test", "--split", "--preset", "--config",
          "--set", "--group-key", "--device", "--threads"})
        resume->excludes(command->get_option(name));
    resume->excludes(out)->excludes(sweep);
    command->callback([o] {
        if (!o->resume.empty()) {
            resumeRun(o->resume);
            return;
        }
        if (o->out.empty())
            throw CLI::RequiredError("--out");
        // Command-line choices go in as the last settings, so that they are validated and
        // recorded in config.json like any other.
        std::vector<std::string> extra;
        auto set = [&](const std::string& key, const nlohmann::json& value) {
            extra.push_back(key + "=" + value.dump());
        };
        if (!o->train.files.empty())
            set("data.train", o->train.files.front());
        if (!o->testFile.empty()) {
            set("data.test", o->testFile);
            set("data.train_size", 0);
            set("data.test_size", 0);
        }
        if (!o->split.empty()) {
            const auto [nTrain, nTest] = parseSplitCounts(o->split);
            set("data.test", "");
            set("data.train_size", nTrain);
            set("data.test_size", nTest);
        }
        if (!o->device.empty())
            set("training.device", o->device);
        if (o->threads >= 0)
            set("training.threads", o->threads);
        std::string preset = o->preset;
        if (preset.empty()) {
            const bool fileNamesOne =
                !o->config.path.empty() && readJsonFile(o->config.path).contains("preset");
            if (!fileNamesOne)
                preset = "recommended";
        }
        const ExperimentConfig config = loadExperimentConfig(o->config, preset, extra);
        // Before any work: a CUDA request on a machine without CUDA fails now, not after the
        // descriptors.
        checkDevice(config.training.device);
        const auto [trainData, testData] = readRunData(config, o->train);

        InterruptGuard interruptGuard;
        if (o->sweep.empty()) {
            if (runTraining(config, trainData, testData, o->out, o->train).interrupted)
                throw CLI::RuntimeError(130); // interrupted, as a shell expects; files are written
            return;
        }
        runSweep(o->sweep, *o, config, trainData, testData);
    });
}

} // namespace graphace::cli
