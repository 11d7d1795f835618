// Checkpoints of GcnTrainer (gcn_trainer.h, "Resumable training"): the file format, the
// optimiser-state copies the trainer keeps between checkpoints, and the config/data fingerprint.
//
// The file is a torch archive: a header, the fingerprint, the caller's note, the resolved
// config (JSON), the weights (float64 on the host, so float32 weights come back bit for bit),
// the optimiser as its own archive, the integer and real counters, the generator as text, the
// batch order and the history as a table of doubles (NaN survives, unlike in JSON).
#include "gcn_internal.h"

#include "archive_integrity.h"

#include "graphace/atomic_file.h"

#include <cstring>
#include <filesystem>
#include <sstream>
#include <stdexcept>

namespace graphace::gcn {
namespace {

constexpr const char* kCheckpointMagic = "GraphACE GCN checkpoint";
constexpr int64_t kCheckpointVersion = 1;
constexpr int kHistoryColumns = 17;

std::vector<double> historyRow(const EpochRecord& r) {
    return {static_cast<double>(r.epoch),
            static_cast<double>(r.phase),
            r.trainLoss,
            r.testLoss,
            r.trainRmseMevPerAtom,
            r.trainMaeMevPerAtom,
            r.testRmseMevPerAtom,
            r.testMaeMevPerAtom,
            r.trainForceRmseEvPerA,
            r.trainForceMaeEvPerA,
            r.testForceRmseEvPerA,
            r.testForceMaeEvPerA,
            r.trainVirialRmseMevPerAtom,
            r.testVirialRmseMevPerAtom,
            r.learningRate,
            r.seconds,
            r.atomsPerSecond};
}

EpochRecord historyRecord(const double* v) {
    EpochRecord r;
    r.epoch = static_cast<int>(v[0]);
    r.phase = static_cast<int>(v[1]);
    r.trainLoss = v[2];
    r.testLoss = v[3];
    r.trainRmseMevPerAtom = v[4];
    r.trainMaeMevPerAtom = v[5];
    r.testRmseMevPerAtom = v[6];
    r.testMaeMevPerAtom = v[7];
    r.trainForceRmseEvPerA = v[8];
    r.trainForceMaeEvPerA = v[9];
    r.testForceRmseEvPerA = v[10];
    r.testForceMaeEvPerA = v[11];
    r.trainVirialRmseMevPerAtom = v[12];
    r.testVirialRmseMevPerAtom = v[13];
    r.learningRate = v[14];
    r.seconds = v[15];
    r.atomsPerSecond = v[16];
    return r;
}

// Applies `f` to every tensor of every parameter's optimiser state (Adam, AdamW, SGD).
template <typename F> void forEachStateTensor(torch::optim::OptimizerParamState& state, F f) {
    auto apply = [&](const torch::Tensor& t, auto set) {
        if (t.defined())
            set(f(t));
    };
    if (auto* a = dynamic_cast<torch::optim::AdamParamState*>(&state)) {
        apply(a->exp_avg(), [&](const torch::Tensor& t) { a->exp_avg(t); });
        apply(a->exp_avg_sq(), [&](const torch::Tensor& t) { a->exp_avg_sq(t); });
        apply(a->max_exp_avg_sq(), [&](const torch::Tensor& t) { a->max_exp_avg_sq(t); });
    } else if (auto* w = dynamic_cast<torch::optim::AdamWParamState*>(&state)) {
        apply(w->exp_avg(), [&](const torch::Tensor& t) { w->exp_avg(t); });
        apply(w->exp_avg_sq(), [&](const torch::Tensor& t) { w->exp_avg_sq(t); });
        apply(w->max_exp_avg_sq(), [&](const torch::Tensor& t) { w->max_exp_avg_sq(t); });
    } else if (auto* s = dynamic_cast<torch::optim::SGDParamState*>(&state)) {
        apply(s->momentum_buffer(), [&](const torch::Tensor& t) { s->momentum_buffer(t); });
    } else {
        throw std::logic_error("checkpoint: unknown optimiser state");
    }
}

struct Hasher {
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    void add(uint64_t v) { // splitmix64 of the running value and v
        uint64_t z = (h ^ v) + 0x9e3779b97f4a7c15ULL;
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        h = z ^ (z >> 31);
    }
    void add(double v) {
        uint64_t bits;
        std::memcpy(&bits, &v, sizeof bits);
        add(bits);
    }
    template <typename T> void add(const T* data, std::size_t n) {
        add(static_cast<uint64_t>(n));
        for (std::size_t k = 0; k < n; ++k)
            add(static_cast<std::conditional_t<std::is_floating_point_v<T>, double, uint64_t>>(
                data[k]));
    }
    template <typename T> void add(const std::vector<T>& v) { add(v.data(), v.size()); }
    void add(const std::string& text) { add(text.data(), text.size()); }
};

void addDataset(Hasher& hash, const GraphDataset& data) {
    hash.add(static_cast<uint64_t>(data.samples.size()));
    for (const GraphSample& s : data.samples) {
        hash.add(static_cast<uint64_t>(s.atomCount));
        hash.add(s.energy);
        hash.add(s.species);
        hash.add(s.descriptors.data(), static_cast<std::size_t>(s.descriptors.size()));
        hash.add(s.graph.rows);
        hash.add(s.graph.columns);
        hash.add(s.graph.values);
        if (s.geometry) {
            hash.add(s.geometry->aceVectors);
            hash.add(s.geometry->referenceForces);
            hash.add(s.geometry->referenceVirial);
        }
    }
}

// The config without the settings that do not change what is computed (the data files are
// fingerprinted by their content: a moved file is the same data).
std::string fingerprintedConfig(ExperimentConfig config) {
    config.data.trainFile.clear();
    config.data.testFile.clear();
    const TrainingConfig defaults;
    config.training.threads = defaults.threads;
    config.training.device = defaults.device;
    config.training.checkpointEvery = defaults.checkpointEvery;
    return nlohmann::json(config).dump();
}

} // namespace

OptimiserState copyOptimiserState(const torch::optim::Optimizer& optimiser) {
    OptimiserState copy;
    for (const auto& [key, state] : optimiser.state()) {
        std::unique_ptr<torch::optim::OptimizerParamState> deep = state->clone();
        forEachStateTensor(*deep, [](const torch::Tensor& t) { return t.clone(); });
        copy[key] = std::move(deep);
    }
    return copy;
}

void checkOptimiserState(torch::optim::Optimizer& optimiser, const torch::Tensor& parameters) {
    for (auto& entry : optimiser.state())
        forEachStateTensor(*entry.second, [&](const torch::Tensor& t) {
            checkStoredTensor(t, "optimiser state");
            if (!t.sizes().equals(parameters.sizes()))
                throw std::runtime_error("its optimiser state does not match the weights");
            return t;
        });
}

void moveOptimiserState(torch::optim::Optimizer& optimiser, const torch::Device& device) {
    for (auto& entry : optimiser.state())
        forEachStateTensor(*entry.second, [&](const torch::Tensor& t) { return t.to(device); });
}

uint64_t trainingFingerprint(const ExperimentConfig& config, const GraphDataset& train,
                             const GraphDataset& test) {
    Hasher hash;
    hash.add(fingerprintedConfig(config));
    addDataset(hash, train);
    addDataset(hash, test);
    return hash.h;
}

void saveCheckpoint(const std::string& path, const Network& net, const TrainingState& state,
                    const torch::optim::Optimizer* optimiser, uint64_t fingerprint,
                    const std::string& note) {
    auto host = [](const torch::Tensor& t) { return t.detach().to(torch::kCPU, torch::kFloat64); };
    torch::serialize::OutputArchive archive;
    archive.write("graphace_magic", bytesTensor(kCheckpointMagic), true);
    archive.write("format_version", torch::tensor({kCheckpointVersion}, torch::kInt64), true);
    archive.write("fingerprint", torch::tensor({static_cast<int64_t>(fingerprint)}, torch::kInt64),
                  true);
    archive.write("note", bytesTensor(note), true);
    archive.write("config_json", bytesTensor(nlohmann::json(net.config).dump()), true);
    archive.write("last", host(state.last), true);
    archive.write("best", host(state.best), true);
    archive.write(
        "counters",
        torch::tensor({static_cast<int64_t>(state.phase), int64_t{state.epochInPhase},
                       int64_t{state.epoch}, int64_t{state.bestEpoch}, int64_t{state.sinceBest},
                       int64_t{state.plateauWait}, int64_t{totalEpochs(net.config.optimiser)}},
                      torch::kInt64),
        true);
    archive.write("reals",
                  doublesTensor({state.bestLoss, state.plateauLearningRate, state.plateauBest,
                                 state.seconds}),
                  true);
    std::ostringstream engine;
    engine << state.engine;
    archive.write("engine", bytesTensor(engine.str()), true);
    std::vector<int64_t> order(state.order.begin(), state.order.end());
    archive.write("order", torch::tensor(order, torch::kInt64), true);
    std::vector<double> history;
    for (const EpochRecord& r : state.history) {
        const std::vector<double> row = historyRow(r);
        history.insert(history.end(), row.begin(), row.end());
    }
    archive.write("history",
                  doublesTensor(history).reshape(
                      {static_cast<int64_t>(state.history.size()), kHistoryColumns}),
                  true);
    if (optimiser) {
        torch::serialize::OutputArchive optimiserArchive;
        optimiser->save(optimiserArchive);
        archive.write("optimiser", optimiserArchive);
    }
    writeAtomically(path, [&](const std::string& temporary) {
        try {
            archive.save_to(temporary);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot write the checkpoint '" + path +
                                     "': " + firstLine(e.what()));
        }
    });
}

LoadedCheckpoint loadCheckpoint(const std::string& path, const torch::Device& device) {
    std::error_code error;
    if (!std::filesystem::is_regular_file(path, error))
        throw std::runtime_error("checkpoint '" + path + "' does not exist");
    const std::string notCheckpoint = "'" + path + "' is not a usable GraphACE checkpoint";
    LoadedCheckpoint loaded;
    torch::serialize::InputArchive archive;
    std::string packed;
    try {
        packed = readCheckedArchive(path);
    } catch (const std::exception& e) {
        throw std::runtime_error(notCheckpoint + " (" + firstLine(e.what()) +
                                 "; still being written?)");
    }
    try {
        archive.load_from(packed.data(), packed.size(), torch::Device(torch::kCPU));
    } catch (const std::exception& e) {
        throw std::runtime_error(notCheckpoint + " (not a whole torch archive; truncated, or " +
                                 "still being written? " + firstLine(e.what()) + ")");
    }
    bool header = false;
    try {
        torch::Tensor magic;
        header = tryReadStoredTensor(archive, "graphace_magic", magic) &&
                 tensorText(magic) == kCheckpointMagic;
    } catch (const std::exception&) {
    }
    if (!header)
        throw std::runtime_error(notCheckpoint + " (no checkpoint header)");
    try {
        const torch::Tensor version = readStoredTensor(archive, "format_version");
        if (version.item<int64_t>() != kCheckpointVersion)
            throw std::runtime_error("format version " + std::to_string(version.item<int64_t>()) +
                                     " is not supported");
        const torch::Tensor fingerprint = readStoredTensor(archive, "fingerprint");
        const torch::Tensor note = readStoredTensor(archive, "note");
        const torch::Tensor config = readStoredTensor(archive, "config_json");
        loaded.state.last = readStoredTensor(archive, "last");
        loaded.state.best = readStoredTensor(archive, "best");
        const torch::Tensor counters = readStoredTensor(archive, "counters");
        const torch::Tensor reals = readStoredTensor(archive, "reals");
        const torch::Tensor engine = readStoredTensor(archive, "engine");
        const torch::Tensor order = readStoredTensor(archive, "order");
        const torch::Tensor history = readStoredTensor(archive, "history");
        loaded.hasOptimiser = archive.try_read("optimiser", loaded.optimiser);

        loaded.fingerprint = static_cast<uint64_t>(fingerprint.item<int64_t>());
        loaded.info.note = tensorText(note);
        nlohmann::json::parse(tensorText(config)).get_to(loaded.info.config);
        if (counters.numel() != 7 || reals.numel() != 4 || history.dim() != 2 ||
            (history.size(0) > 0 && history.size(1) != kHistoryColumns))
            throw std::runtime_error("its counters do not have the expected shape");
        const std::vector<double> c = toHostVector(counters);
        TrainingState& s = loaded.state;
        s.phase = static_cast<std::size_t>(c[0]);
        s.epochInPhase = static_cast<int>(c[1]);
        s.epoch = static_cast<int>(c[2]);
        s.bestEpoch = static_cast<int>(c[3]);
        s.sinceBest = static_cast<int>(c[4]);
        s.plateauWait = static_cast<int>(c[5]);
        loaded.info.totalEpochs = static_cast<int>(c[6]);
        const std::vector<double> r = toHostVector(reals);
        s.bestLoss = r[0];
        s.plateauLearningRate = r[1];
        s.plateauBest = r[2];
        s.seconds = r[3];
        std::istringstream engineText(tensorText(engine));
        engineText >> s.engine;
        if (!engineText)
            throw std::runtime_error("its generator state is unreadable");
        const torch::Tensor orderHost = order.to(torch::kInt64).contiguous();
        for (int64_t k = 0; k < orderHost.numel(); ++k)
            s.order.push_back(static_cast<std::size_t>(orderHost.data_ptr<int64_t>()[k]));
        const torch::Tensor rows = history.to(torch::kFloat64).contiguous();
        for (int64_t k = 0; k < rows.size(0); ++k)
            s.history.push_back(historyRecord(rows.data_ptr<double>() + k * kHistoryColumns));
        if (static_cast<int>(s.history.size()) != s.epoch)
            throw std::runtime_error("its history does not match its epoch");
        loaded.info.epoch = s.epoch;
        loaded.info.seconds = s.seconds;
        loaded.info.history = s.history;
    } catch (const std::exception& e) {
        throw std::runtime_error(notCheckpoint + " (" + firstLine(e.what()) + ")");
    }
    const torch::Dtype dtype = loaded.info.config.model.precision == Precision::Float64
                                   ? torch::kFloat64
                                   : torch::kFloat32;
    loaded.state.last = loaded.state.last.to(device, dtype);
    loaded.state.best = loaded.state.best.to(device, dtype);
    return loaded;
}

} // namespace graphace::gcn

namespace graphace {

CheckpointInfo readCheckpointInfo(const std::string& path) {
    return gcn::loadCheckpoint(path, torch::kCPU).info;
}

} // namespace graphace
