// The files of a training run. Torch-free: the model writes itself (GcnModel::save).

#include "graphace/training_outputs.h"

#include "graphace/atomic_file.h"
#include "graphace/error.h"
#include "graphace/group_metrics.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/pace_yace_export.h"

#include <unistd.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

namespace graphace {
namespace {

const std::vector<std::string> kHistoryColumns = {
    "epoch",
    "phase",
    "train_loss",
    "test_loss",
    "train_rmse_mev_per_atom",
    "train_mae_mev_per_atom",
    "test_rmse_mev_per_atom",
    "test_mae_mev_per_atom",
    "learning_rate",
    "seconds",
    "atoms_per_second",
    "train_force_rmse_ev_per_a",
    "train_force_mae_ev_per_a",
    "test_force_rmse_ev_per_a",
    "test_force_mae_ev_per_a",
    "train_virial_rmse_mev_per_atom",
    "test_virial_rmse_mev_per_atom",
};
// Files written before force metrics existed end after atoms_per_second, those written before
// virial metrics after test_force_mae_ev_per_a: both still read (the rest NaN).
constexpr std::size_t kOlderColumnCounts[] = {11, 15};

// Shortest text that reads back to the same double ("nan", "inf" and "-inf" included).
std::string formatDouble(double value) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    return std::string(buffer, result.ptr);
}

std::vector<std::string> splitCsvLine(const std::string& line) {
    std::vector<std::string> fields;
    std::size_t begin = 0;
    while (true) {
        const auto comma = line.find(',', begin);
        fields.push_back(
            line.substr(begin, comma == std::string::npos ? std::string::npos : comma - begin));
        if (comma == std::string::npos)
            return fields;
        begin = comma + 1;
    }
}

double parseDouble(const std::string& text, const std::string& path, long line,
                   const std::string& column) {
    double value = 0;
    const char* end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, value);
    if (text.empty() || result.ec != std::errc() || result.ptr != end)
        throw ParseError(path, line, "column " + column + ": \"" + text + "\" is not a number");
    return value;
}

int parseInt(const std::string& text, const std::string& path, long line,
             const std::string& column) {
    int value = 0;
    const char* end = text.data() + text.size();
    const auto result = std::from_chars(text.data(), end, value);
    if (text.empty() || result.ec != std::errc() || result.ptr != end)
        throw ParseError(path, line, "column " + column + ": \"" + text + "\" is not an integer");
    return value;
}

nlohmann::json graphJson(const PreparedExperiment& prepared) {
    const DegreeStatistics& s = prepared.graphStatistics;
    return {{"cutoff", prepared.config.graph.options.cutoff},
            {"auto_cutoff", prepared.config.graph.autoCutoff},
            {"edges", s.edges},
            {"mean_degree", s.meanDegree},
            {"min_degree", s.minDegree},
            {"max_degree", s.maxDegree},
            {"isolated_atoms", s.isolatedAtoms},
            {"trivial", s.trivial},
            {"warning", prepared.graphWarning}};
}

} // namespace

// Declared in gcn_trainer.h; defined here, torch-free, because metrics.json and the window's
// sessions name the outcome without needing the network.
std::string toString(TrainingStop stop) {
    switch (stop) {
    case TrainingStop::Completed:
        return "completed";
    case TrainingStop::Cancelled:
        return "cancelled";
    case TrainingStop::Diverged:
        return "diverged";
    case TrainingStop::EarlyStopped:
        return "early_stopped";
    }
    return "unknown";
}

void writeHistoryCsv(const std::string& path, const std::vector<EpochRecord>& history) {
    std::ostringstream out;
    for (std::size_t c = 0; c < kHistoryColumns.size(); ++c)
        out << (c ? "," : "") << kHistoryColumns[c];
    out << '\n';
    for (const EpochRecord& r : history) {
        out << r.epoch << ',' << r.phase;
        for (double v : {r.trainLoss, r.testLoss, r.trainRmseMevPerAtom, r.trainMaeMevPerAtom,
                         r.testRmseMevPerAtom, r.testMaeMevPerAtom, r.learningRate, r.seconds,
                         r.atomsPerSecond, r.trainForceRmseEvPerA, r.trainForceMaeEvPerA,
                         r.testForceRmseEvPerA, r.testForceMaeEvPerA, r.trainVirialRmseMevPerAtom,
                         r.testVirialRmseMevPerAtom})
            out << ',' << formatDouble(v);
        out << '\n';
    }
    writeFileAtomically(path, out.str());
}

std::vector<EpochRecord> readHistoryCsv(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ParseError(path, 0, "cannot open the file");
    std::string line;
    long lineNumber = 0;
    std::vector<EpochRecord> history;
    bool header = true;
    std::size_t columns = kHistoryColumns.size();
    while (std::getline(in, line)) {
        ++lineNumber;
        if (!line.empty() && line.back() == '\r')
            line.pop_back(); // written on Windows or edited there
        if (line.empty())
            continue;
        const std::vector<std::string> fields = splitCsvLine(line);
        if (header) {
            bool older = false;
            for (std::size_t count : kOlderColumnCounts)
                older = older || (fields.size() == count && std::equal(fields.begin(), fields.end(),
                                                                       kHistoryColumns.begin()));
            if (fields != kHistoryColumns && !older) {
                std::string expected;
                for (const auto& c : kHistoryColumns)
                    expected += (expected.empty() ? "" : ",") + c;
                throw ParseError(path, lineNumber, "expected the header \"" + expected + "\"");
            }
            header = false;
            columns = fields.size();
            continue;
        }
        if (fields.size() != columns)
            throw ParseError(path, lineNumber,
                             "expected " + std::to_string(columns) +
                                 " comma-separated fields, found " + std::to_string(fields.size()));
        EpochRecord r;
        r.trainForceRmseEvPerA = r.trainForceMaeEvPerA = r.testForceRmseEvPerA =
            r.testForceMaeEvPerA = r.trainVirialRmseMevPerAtom = r.testVirialRmseMevPerAtom =
                std::numeric_limits<double>::quiet_NaN();
        r.epoch = parseInt(fields[0], path, lineNumber, kHistoryColumns[0]);
        r.phase = parseInt(fields[1], path, lineNumber, kHistoryColumns[1]);
        double* values[] = {&r.trainLoss,
                            &r.testLoss,
                            &r.trainRmseMevPerAtom,
                            &r.trainMaeMevPerAtom,
                            &r.testRmseMevPerAtom,
                            &r.testMaeMevPerAtom,
                            &r.learningRate,
                            &r.seconds,
                            &r.atomsPerSecond,
                            &r.trainForceRmseEvPerA,
                            &r.trainForceMaeEvPerA,
                            &r.testForceRmseEvPerA,
                            &r.testForceMaeEvPerA,
                            &r.trainVirialRmseMevPerAtom,
                            &r.testVirialRmseMevPerAtom};
        for (std::size_t k = 0; k + 2 < columns; ++k)
            *values[k] = parseDouble(fields[k + 2], path, lineNumber, kHistoryColumns[k + 2]);
        if (r.epoch < 1 || r.phase < 0)
            throw ParseError(path, lineNumber, "epoch must be ≥ 1 and phase ≥ 0");
        history.push_back(r);
    }
    if (header)
        throw ParseError(path, lineNumber, "empty file: expected a header line");
    return history;
}

TrainingRunFiles writeTrainingRun(const std::string& directory, const PreparedExperiment& prepared,
                                  const TrainingOutcome& outcome, const GcnModel& model,
                                  const LinearBaseline& linear) {
    namespace fs = std::filesystem;
    std::error_code ec;
    fs::create_directories(directory, ec);
    if (ec || !fs::is_directory(directory))
        throw std::runtime_error("cannot create the directory " + directory +
                                 (ec ? ": " + ec.message() : std::string()));
    const fs::path dir(directory);
    TrainingRunFiles files{(dir / "config.json").string(),
                           (dir / "history.csv").string(),
                           (dir / "metrics.json").string(),
                           (dir / "model.pt").string(),
                           {},
                           {}};

    // The model first and the metrics last: a directory with metrics.json is complete.
    model.save(files.model);

    nlohmann::json config = prepared.config;
    if (prepared.config.data.testFile.empty())
        config["split"] = {{"train", prepared.trainIndices}, {"test", prepared.testIndices}};
    writeFileAtomically(files.config, config.dump(2) + "\n");

    writeHistoryCsv(files.history, outcome.history);

    // The linear baseline as a model of its own: for graphace predict/md and for LAMMPS.
    if (linear.model.coefficients.size() > 0) {
        files.linearModel = (dir / "linear_model.json").string();
        files.linearYace = (dir / "linear_model.yace").string();
        writeLinearAceModel(linear.model, files.linearModel);
        writePaceYace(linear.model, files.linearYace);
    }

    nlohmann::json metrics;
    GcnPrediction trainPrediction, testPrediction;
    metrics["train"] = metricsToJson(scoreModel(model, prepared.trainGraphs, &trainPrediction));
    if (!prepared.testGraphs.samples.empty())
        metrics["test"] = metricsToJson(scoreModel(model, prepared.testGraphs, &testPrediction));
    nlohmann::json linearJson = {{"train", metricsToJson(linear.train)},
                                 {"basis_size", linear.basisSize},
                                 {"seconds", linear.seconds}};
    if (!prepared.testGraphs.samples.empty())
        linearJson["test"] = metricsToJson(linear.test);
    metrics["linear"] = linearJson;
    metrics["stop"] = toString(outcome.stop);
    metrics["message"] = outcome.message;
    metrics["epochs"] = outcome.epochsRun;
    metrics["best_epoch"] = outcome.bestEpoch;
    metrics["seconds"] = outcome.seconds;
    metrics["parameters"] = model.parameterCount();
    metrics["graph"] = graphJson(prepared);
    // Errors per group (data.group_key), for the network and the linear baseline alike.
    const std::string& groupKey = prepared.config.data.groupKey;
    nlohmann::json perGroup = {{"key", groupKey}};
    for (const char* set : {"train", "test"}) {
        const bool train = set == std::string("train");
        const Dataset& data = train ? prepared.train : prepared.test;
        if (data.size() == 0)
            continue;
        const GcnPrediction& gcn = train ? trainPrediction : testPrediction;
        perGroup["gcn"][set] =
            groupsToJson(metricsByGroup(data, gcn.energies, gcn.forces, groupKey));
        perGroup["linear"][set] = groupsToJson(metricsByGroup(
            data, train ? linear.trainPredicted : linear.testPredicted,
            train ? linear.trainPredictedForces : linear.testPredictedForces, groupKey));
    }
    metrics["per_group"] = perGroup;
    writeFileAtomically(files.metrics, metrics.dump(2) + "\n");
    return files;
}

} // namespace graphace
