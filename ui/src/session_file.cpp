#include "graphace/ui/session_file.h"

#include "graphace/error.h"
#include "graphace/experiment_config.h"

#include <QFile>
#include <QSaveFile>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace graphace::ui {

namespace {

using nlohmann::json;

constexpr const char* kFormat = "graphace-session";
constexpr int kVersion = 1;

// A field that cannot be read: where it is in the document and why.
struct FieldError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// --- writing ------------------------------------------------------------------------------

// JSON has no NaN or infinity: NaN (a test metric without a test set) is written as null,
// infinities (a diverged loss) as the strings "inf" / "-inf".
json real(double value) {
    if (std::isnan(value))
        return nullptr;
    if (std::isinf(value))
        return value > 0 ? "inf" : "-inf";
    return value;
}

json reals(const std::vector<double>& values) {
    json array = json::array();
    for (double v : values)
        array.push_back(real(v));
    return array;
}

json epochJson(const EpochRecord& e) {
    return {{"epoch", e.epoch},
            {"phase", e.phase},
            {"train_loss", real(e.trainLoss)},
            {"test_loss", real(e.testLoss)},
            {"train_rmse_mev_per_atom", real(e.trainRmseMevPerAtom)},
            {"train_mae_mev_per_atom", real(e.trainMaeMevPerAtom)},
            {"test_rmse_mev_per_atom", real(e.testRmseMevPerAtom)},
            {"test_mae_mev_per_atom", real(e.testMaeMevPerAtom)},
            {"train_force_rmse_ev_per_a", real(e.trainForceRmseEvPerA)},
            {"train_force_mae_ev_per_a", real(e.trainForceMaeEvPerA)},
            {"test_force_rmse_ev_per_a", real(e.testForceRmseEvPerA)},
            {"test_force_mae_ev_per_a", real(e.testForceMaeEvPerA)},
            {"train_virial_rmse_mev_per_atom", real(e.trainVirialRmseMevPerAtom)},
            {"test_virial_rmse_mev_per_atom", real(e.testVirialRmseMevPerAtom)},
            {"learning_rate", real(e.learningRate)},
            {"seconds", real(e.seconds)},
            {"atoms_per_second", real(e.atomsPerSecond)}};
}

json historyJson(const std::vector<EpochRecord>& history) {
    json array = json::array();
    for (const EpochRecord& e : history)
        array.push_back(epochJson(e));
    return array;
}

json metricsJson(const RegressionMetrics& m) {
    return {{"configurations", m.configurations},
            {"energy_rmse_mev_per_atom", real(m.energyRmseMevPerAtom)},
            {"energy_mae_mev_per_atom", real(m.energyMaeMevPerAtom)},
            {"energy_rmse_ev", real(m.energyRmseEv)},
            {"energy_mae_ev", real(m.energyMaeEv)},
            {"energy_r2", real(m.energyR2)},
            {"force_components", m.forceComponents},
            {"force_rmse_ev_per_a", real(m.forceRmseEvPerA)},
            {"force_mae_ev_per_a", real(m.forceMaeEvPerA)},
            {"virial_configurations", m.virialConfigurations},
            {"virial_rmse_mev_per_atom", real(m.virialRmseMevPerAtom)},
            {"virial_mae_mev_per_atom", real(m.virialMaeMevPerAtom)}};
}

// [[{"group", "metrics"}…] training, […] test]
json groupsJson(const std::array<std::vector<GroupMetrics>, 2>& sets) {
    json out = json::array();
    for (const auto& set : sets) {
        json groups = json::array();
        for (const GroupMetrics& g : set)
            groups.push_back({{"group", g.group}, {"metrics", metricsJson(g.metrics)}});
        out.push_back(groups);
    }
    return out;
}

json parityJson(const ParityPoints& p) {
    return {{"reference_per_atom", reals(p.referencePerAtom)},
            {"predicted_per_atom", reals(p.predictedPerAtom)}};
}

// Bitwise-style equality that treats NaN as equal to NaN (for "outcome.history is the run's").
bool same(double a, double b) {
    return (std::isnan(a) && std::isnan(b)) || a == b;
}

bool sameHistory(const std::vector<EpochRecord>& a, const std::vector<EpochRecord>& b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(), [](const EpochRecord& x, const EpochRecord& y) {
            return x.epoch == y.epoch && x.phase == y.phase && same(x.trainLoss, y.trainLoss) &&
                   same(x.testLoss, y.testLoss) &&
                   same(x.trainRmseMevPerAtom, y.trainRmseMevPerAtom) &&
                   same(x.trainMaeMevPerAtom, y.trainMaeMevPerAtom) &&
                   same(x.testRmseMevPerAtom, y.testRmseMevPerAtom) &&
                   same(x.testMaeMevPerAtom, y.testMaeMevPerAtom) &&
                   same(x.trainForceRmseEvPerA, y.trainForceRmseEvPerA) &&
                   same(x.trainForceMaeEvPerA, y.trainForceMaeEvPerA) &&
                   same(x.testForceRmseEvPerA, y.testForceRmseEvPerA) &&
                   same(x.testForceMaeEvPerA, y.testForceMaeEvPerA) &&
                   same(x.trainVirialRmseMevPerAtom, y.trainVirialRmseMevPerAtom) &&
                   same(x.testVirialRmseMevPerAtom, y.testVirialRmseMevPerAtom) &&
                   same(x.learningRate, y.learningRate) && same(x.seconds, y.seconds) &&
                   same(x.atomsPerSecond, y.atomsPerSecond);
        });
}

json runJson(const TrainingRunRecord& run) {
    json outcome = {{"stop", toString(run.outcome.stop)},
                    {"message", run.outcome.message},
                    {"epochs", run.outcome.epochsRun},
                    {"best_epoch", run.outcome.bestEpoch},
                    {"seconds", real(run.outcome.seconds)}};
    // The outcome's history is normally the run's own: stored once, unless they differ.
    if (!sameHistory(run.outcome.history, run.history))
        outcome["history"] = historyJson(run.outcome.history);
    return {{"name", run.name.toStdString()},
            {"config", run.config},
            {"history", historyJson(run.history)},
            {"finished", run.finished},
            {"outcome", outcome},
            {"linear",
             {{"train", metricsJson(run.linear.train)},
              {"test", metricsJson(run.linear.test)},
              {"train_predicted", reals(run.linear.trainPredicted)},
              {"test_predicted", reals(run.linear.testPredicted)},
              {"basis_size", run.linear.basisSize},
              {"seconds", real(run.linear.seconds)}}},
            {"gcn", {{"train", metricsJson(run.gcnTrain)}, {"test", metricsJson(run.gcnTest)}}},
            {"parity",
             {{"gcn_train", parityJson(run.gcnParityTrain)},
              {"gcn_test", parityJson(run.gcnParityTest)},
              {"linear_train", parityJson(run.linearParityTrain)},
              {"linear_test", parityJson(run.linearParityTest)}}},
            {"force_parity",
             {{"gcn_train", parityJson(run.gcnForceParityTrain)},
              {"gcn_test", parityJson(run.gcnForceParityTest)},
              {"linear_train", parityJson(run.linearForceParityTrain)},
              {"linear_test", parityJson(run.linearForceParityTest)}}},
            {"per_group",
             {{"gcn", groupsJson(run.gcnGroups)}, {"linear", groupsJson(run.linearGroups)}}},
            {"seconds", real(run.seconds)},
            {"sweep_key", run.sweepKey.toStdString()},
            {"sweep_value", real(run.sweepValue)}};
}

// --- reading ------------------------------------------------------------------------------

// A JSON object being read, with its place in the document for error messages.
class Reader {
public:
    Reader(const json& object, std::string where) : m_object(object), m_where(std::move(where)) {
        if (!m_object.is_object())
            throw FieldError(m_where + ": expected an object");
    }

    const json& at(const std::string& key) const {
        const auto it = m_object.find(key);
        if (it == m_object.end())
            throw FieldError(path(key) + ": missing");
        return *it;
    }
    bool has(const std::string& key) const { return m_object.contains(key); }
    std::string path(const std::string& key) const {
        return m_where.empty() ? key : m_where + "." + key;
    }
    Reader object(const std::string& key) const { return Reader(at(key), path(key)); }

    double real(const std::string& key) const { return realValue(at(key), path(key)); }
    bool boolean(const std::string& key) const {
        const json& v = at(key);
        if (!v.is_boolean())
            throw FieldError(path(key) + ": expected true or false");
        return v.get<bool>();
    }
    std::string string(const std::string& key) const {
        const json& v = at(key);
        if (!v.is_string())
            throw FieldError(path(key) + ": expected a string");
        return v.get<std::string>();
    }
    template <typename Int> Int integer(const std::string& key) const {
        const json& v = at(key);
        if (!v.is_number_integer())
            throw FieldError(path(key) + ": expected an integer");
        if constexpr (std::is_unsigned_v<Int>) {
            if (v.get<long long>() < 0)
                throw FieldError(path(key) + ": expected a non-negative integer");
            return static_cast<Int>(v.get<unsigned long long>());
        } else {
            const long long value = v.get<long long>();
            if (value < std::numeric_limits<Int>::min() || value > std::numeric_limits<Int>::max())
                throw FieldError(path(key) + ": out of range");
            return static_cast<Int>(value);
        }
    }
    std::vector<double> reals(const std::string& key) const {
        const json& v = at(key);
        if (!v.is_array())
            throw FieldError(path(key) + ": expected an array");
        std::vector<double> values;
        values.reserve(v.size());
        for (std::size_t i = 0; i < v.size(); ++i)
            values.push_back(realValue(v[i], path(key) + "[" + std::to_string(i) + "]"));
        return values;
    }
    const json& array(const std::string& key) const {
        const json& v = at(key);
        if (!v.is_array())
            throw FieldError(path(key) + ": expected an array");
        return v;
    }

    static double realValue(const json& v, const std::string& where) {
        if (v.is_null())
            return std::numeric_limits<double>::quiet_NaN();
        if (v.is_number())
            return v.get<double>();
        if (v.is_string()) {
            const std::string& s = v.get_ref<const std::string&>();
            if (s == "inf")
                return std::numeric_limits<double>::infinity();
            if (s == "-inf")
                return -std::numeric_limits<double>::infinity();
            if (s == "nan")
                return std::numeric_limits<double>::quiet_NaN();
        }
        throw FieldError(where + ": expected a number, null, \"inf\" or \"-inf\"");
    }

private:
    const json& m_object;
    std::string m_where;
};

ExperimentConfig configFrom(const Reader& parent, const std::string& key) {
    const json& document = parent.at(key);
    try {
        return document.get<ExperimentConfig>();
    } catch (const std::exception& e) {
        throw FieldError(parent.path(key) + ": " + e.what());
    }
}

EpochRecord epochFrom(const Reader& r) {
    EpochRecord e;
    e.epoch = r.integer<int>("epoch");
    e.phase = r.integer<int>("phase");
    e.trainLoss = r.real("train_loss");
    e.testLoss = r.real("test_loss");
    e.trainRmseMevPerAtom = r.real("train_rmse_mev_per_atom");
    e.trainMaeMevPerAtom = r.real("train_mae_mev_per_atom");
    e.testRmseMevPerAtom = r.real("test_rmse_mev_per_atom");
    e.testMaeMevPerAtom = r.real("test_mae_mev_per_atom");
    // Sessions saved before force (virial) training have no such columns: none then.
    for (auto [key, field] :
         {std::pair{"train_force_rmse_ev_per_a", &e.trainForceRmseEvPerA},
          std::pair{"train_force_mae_ev_per_a", &e.trainForceMaeEvPerA},
          std::pair{"test_force_rmse_ev_per_a", &e.testForceRmseEvPerA},
          std::pair{"test_force_mae_ev_per_a", &e.testForceMaeEvPerA},
          std::pair{"train_virial_rmse_mev_per_atom", &e.trainVirialRmseMevPerAtom},
          std::pair{"test_virial_rmse_mev_per_atom", &e.testVirialRmseMevPerAtom}})
        *field = r.has(key) ? r.real(key) : std::numeric_limits<double>::quiet_NaN();
    e.learningRate = r.real("learning_rate");
    e.seconds = r.real("seconds");
    e.atomsPerSecond = r.real("atoms_per_second");
    return e;
}

std::vector<EpochRecord> historyFrom(const Reader& parent, const std::string& key) {
    const json& array = parent.array(key);
    std::vector<EpochRecord> history;
    history.reserve(array.size());
    for (std::size_t i = 0; i < array.size(); ++i)
        history.push_back(
            epochFrom(Reader(array[i], parent.path(key) + "[" + std::to_string(i) + "]")));
    return history;
}

RegressionMetrics metricsFrom(const Reader& r) {
    RegressionMetrics m;
    m.configurations = r.integer<std::size_t>("configurations");
    m.energyRmseMevPerAtom = r.real("energy_rmse_mev_per_atom");
    m.energyMaeMevPerAtom = r.real("energy_mae_mev_per_atom");
    m.energyRmseEv = r.real("energy_rmse_ev");
    m.energyMaeEv = r.real("energy_mae_ev");
    m.energyR2 = r.real("energy_r2");
    m.forceComponents = r.integer<std::size_t>("force_components");
    m.forceRmseEvPerA = r.real("force_rmse_ev_per_a");
    m.forceMaeEvPerA = r.real("force_mae_ev_per_a");
    // Older sessions have no virial metrics: none compared then.
    if (r.has("virial_configurations")) {
        m.virialConfigurations = r.integer<std::size_t>("virial_configurations");
        m.virialRmseMevPerAtom = r.real("virial_rmse_mev_per_atom");
        m.virialMaeMevPerAtom = r.real("virial_mae_mev_per_atom");
    }
    return m;
}

ParityPoints parityFrom(const Reader& r) {
    ParityPoints p;
    p.referencePerAtom = r.reals("reference_per_atom");
    p.predictedPerAtom = r.reals("predicted_per_atom");
    if (p.referencePerAtom.size() != p.predictedPerAtom.size())
        throw FieldError(r.path("predicted_per_atom") + ": " +
                         std::to_string(p.predictedPerAtom.size()) + " values for " +
                         std::to_string(p.referencePerAtom.size()) + " reference values");
    return p;
}

std::array<std::vector<GroupMetrics>, 2> groupsFrom(const Reader& parent, const std::string& key) {
    const json& sets = parent.array(key);
    if (sets.size() != 2)
        throw FieldError(parent.path(key) + ": expected [training groups, test groups]");
    std::array<std::vector<GroupMetrics>, 2> out;
    for (std::size_t k = 0; k < 2; ++k) {
        const std::string where = parent.path(key) + "[" + std::to_string(k) + "]";
        if (!sets[k].is_array())
            throw FieldError(where + ": expected an array");
        for (std::size_t i = 0; i < sets[k].size(); ++i) {
            const Reader g(sets[k][i], where + "[" + std::to_string(i) + "]");
            out[k].push_back({g.string("group"), metricsFrom(g.object("metrics"))});
        }
    }
    return out;
}

TrainingStop stopFrom(const Reader& r) {
    const std::string name = r.string("stop");
    for (TrainingStop stop : {TrainingStop::Completed, TrainingStop::Cancelled,
                              TrainingStop::Diverged, TrainingStop::EarlyStopped})
        if (toString(stop) == name)
            return stop;
    throw FieldError(r.path("stop") + ": unknown value \"" + name +
                     "\" (completed, cancelled, diverged, early_stopped)");
}

TrainingRunRecord runFrom(const Reader& r) {
    TrainingRunRecord run;
    run.name = QString::fromStdString(r.string("name"));
    run.config = configFrom(r, "config");
    run.history = historyFrom(r, "history");
    run.finished = r.boolean("finished");

    const Reader outcome = r.object("outcome");
    run.outcome.stop = stopFrom(outcome);
    run.outcome.message = outcome.string("message");
    run.outcome.epochsRun = outcome.integer<int>("epochs");
    run.outcome.bestEpoch = outcome.integer<int>("best_epoch");
    run.outcome.seconds = outcome.real("seconds");
    run.outcome.history = outcome.has("history") ? historyFrom(outcome, "history") : run.history;

    const Reader linear = r.object("linear");
    run.linear.train = metricsFrom(linear.object("train"));
    run.linear.test = metricsFrom(linear.object("test"));
    run.linear.trainPredicted = linear.reals("train_predicted");
    run.linear.testPredicted = linear.reals("test_predicted");
    run.linear.basisSize = linear.integer<int>("basis_size");
    run.linear.seconds = linear.real("seconds");

    const Reader gcn = r.object("gcn");
    run.gcnTrain = metricsFrom(gcn.object("train"));
    run.gcnTest = metricsFrom(gcn.object("test"));

    const Reader parity = r.object("parity");
    run.gcnParityTrain = parityFrom(parity.object("gcn_train"));
    run.gcnParityTest = parityFrom(parity.object("gcn_test"));
    run.linearParityTrain = parityFrom(parity.object("linear_train"));
    run.linearParityTest = parityFrom(parity.object("linear_test"));
    if (r.has("force_parity")) { // not in sessions saved before force training
        const Reader forces = r.object("force_parity");
        run.gcnForceParityTrain = parityFrom(forces.object("gcn_train"));
        run.gcnForceParityTest = parityFrom(forces.object("gcn_test"));
        run.linearForceParityTrain = parityFrom(forces.object("linear_train"));
        run.linearForceParityTest = parityFrom(forces.object("linear_test"));
    }
    if (r.has("per_group")) { // not in sessions saved before errors per group
        const Reader groups = r.object("per_group");
        run.gcnGroups = groupsFrom(groups, "gcn");
        run.linearGroups = groupsFrom(groups, "linear");
    }
    run.seconds = r.real("seconds");
    if (r.has("sweep_key")) { // not in sessions saved before setting sweeps
        run.sweepKey = QString::fromStdString(r.string("sweep_key"));
        run.sweepValue = r.real("sweep_value");
    }
    return run;
}

} // namespace

void saveSession(const Session& session, const QString& path) {
    json files = json::array();
    for (const QString& file : session.files)
        files.push_back(file.toStdString());
    auto runsJson = [](const std::vector<TrainingRunRecord>& list) {
        json array = json::array();
        for (const TrainingRunRecord& run : list)
            array.push_back(runJson(run));
        return array;
    };
    const json document = {{"format", kFormat},
                           {"version", kVersion},
                           {"files", files},
                           {"current_structure", session.currentStructure},
                           {"cutoff", real(session.cutoff)},
                           {"settings", session.settings},
                           {"runs", runsJson(session.runs)},
                           {"earlier_runs", runsJson(session.earlierRuns)}};
    const QByteArray text = QByteArray::fromStdString(document.dump(2) + "\n");

    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(text) != text.size() || !file.commit())
        throw std::runtime_error(QStringLiteral("%1: cannot write the session: %2")
                                     .arg(path, file.errorString())
                                     .toStdString());
}

Session loadSession(const QString& path) {
    const std::string file = path.toStdString();
    QFile input(path);
    if (!input.open(QIODevice::ReadOnly))
        throw std::runtime_error(file +
                                 ": cannot open the session: " + input.errorString().toStdString());
    const QByteArray text = input.readAll();

    // Syntax errors and numbers beyond double range (found by fuzz_session: they escaped as
    // nlohmann's out_of_range) are ParseErrors with the line.
    const json document = parseJsonText(text.toStdString(), file);

    if (!document.is_object() || !document.contains("format") || document["format"] != kFormat)
        throw std::runtime_error(file + ": not a GraphACE session (\"format\" must be \"" +
                                 kFormat + "\")");
    if (!document.contains("version") || document["version"] != kVersion)
        throw std::runtime_error(
            file + ": unsupported session version " +
            (document.contains("version") ? document["version"].dump() : std::string("(missing)")) +
            " (this program reads version " + std::to_string(kVersion) + ")");
    try {
        const Reader r(document, "");
        Session session;
        const json& files = r.array("files");
        for (std::size_t i = 0; i < files.size(); ++i) {
            if (!files[i].is_string())
                throw FieldError("files[" + std::to_string(i) + "]: expected a string");
            session.files << QString::fromStdString(files[i].get<std::string>());
        }
        session.currentStructure = r.integer<int>("current_structure");
        session.cutoff = r.real("cutoff");
        session.settings = configFrom(r, "settings");
        auto readRuns = [&r](const char* key, std::vector<TrainingRunRecord>& list) {
            const json& runs = r.array(key);
            for (std::size_t i = 0; i < runs.size(); ++i)
                list.push_back(
                    runFrom(Reader(runs[i], std::string(key) + "[" + std::to_string(i) + "]")));
        };
        readRuns("runs", session.runs);
        if (r.has("earlier_runs")) // not in sessions saved before runs were kept
            readRuns("earlier_runs", session.earlierRuns);
        return session;
    } catch (const FieldError& e) {
        throw std::runtime_error(file + ": " + e.what());
    } catch (const json::exception& e) {
        throw std::runtime_error(file + ": " + e.what());
    }
}

} // namespace graphace::ui
