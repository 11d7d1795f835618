// graphace_gcn_loader: gcn_trainer.h and gcn_force_field.h for programs that load the network on
// demand (gcn_library.h). Every function forwards to graphace-network.so through its table
// (gcn_library_api.h), opened on the first call; the objects' state (GcnModel::Impl,
// GcnTrainer::Impl) is made and deleted by the library.

#include "gcn_library_api.h"

#include "graphace/gcn_library.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

namespace graphace {
namespace gcn_library {
namespace {

std::atomic<bool> g_loaded{false};

const Api* openLibrary() {
    const std::string path = gcnLibraryPath();
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
        const char* why = dlerror();
        throw std::runtime_error(
            "the network (LibTorch) cannot be loaded: " + std::string(why ? why : path) +
            ". Training, network models and CUDA need it: reinstall GraphACE Studio, or set "
            "GRAPHACE_NETWORK_LIBRARY to the path of graphace-network.so");
    }
    // Never closed: the objects it made and the functions it handed out live until exit.
    auto entry = reinterpret_cast<const Api* (*)()>(dlsym(handle, GRAPHACE_NETWORK_LIBRARY_ENTRY));
    if (!entry)
        throw std::runtime_error(path + " is not a GraphACE network library (no " +
                                 GRAPHACE_NETWORK_LIBRARY_ENTRY + ")");
    const Api* api = entry();
    if (api->layout != layoutSignature() || std::string(api->version) != kVersion)
        throw std::runtime_error(path + " is from another build of GraphACE (version " +
                                 api->version + ", this program " + kVersion +
                                 "): reinstall GraphACE Studio");
    g_loaded = true;
    return api;
}

// Thread-safe: concurrent first calls wait for one load; a failed load is tried again next time.
const Api& library() {
    static const Api* const api = openLibrary();
    return *api;
}

} // namespace
} // namespace gcn_library

using gcn_library::library;

void loadGcnLibrary() {
    library();
}

bool gcnLibraryLoaded() {
    return gcn_library::g_loaded;
}

std::string gcnLibraryPath() {
    if (const char* override = std::getenv("GRAPHACE_NETWORK_LIBRARY"); override && *override)
        return override;
    // A program in the build tree takes the build tree's library; an installed one only its own
    // (never a stray build tree's).
    std::error_code error;
    const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
    const std::string buildTree = std::string(GRAPHACE_BUILD_TREE) + "/";
    if (error || self.string().rfind(buildTree, 0) == 0)
        return GRAPHACE_NETWORK_LIBRARY_BUILD_PATH;
    return (self.parent_path() / GRAPHACE_NETWORK_LIBRARY_FROM_BIN).lexically_normal().string();
}

// GcnModel

void GcnModel::ImplDeleter::operator()(Impl* impl) const {
    library().deleteModelImpl(impl);
}
GcnModel::GcnModel(GcnModel&&) noexcept = default;
GcnModel& GcnModel::operator=(GcnModel&&) noexcept = default;
GcnModel::~GcnModel() = default;

const ExperimentConfig& GcnModel::config() const {
    return library().modelConfig(*this);
}
int GcnModel::parameterCount() const {
    return library().parameterCount(*this);
}
std::vector<double> GcnModel::predictEnergies(const GraphDataset& data) const {
    return library().predictEnergies(*this, data);
}
std::vector<double> GcnModel::predictAtomEnergies(const GraphDataset& data) const {
    return library().predictAtomEnergies(*this, data);
}
bool GcnModel::supportsForces() const {
    return library().supportsForces(*this);
}
GcnPrediction GcnModel::predictWithForces(const GraphDataset& data) const {
    return library().predictWithForces(*this, data);
}
void GcnModel::save(const std::string& path) const {
    library().saveModel(*this, path);
}
GcnModel GcnModel::load(const std::string& path, const std::string& device) {
    return library().loadModel(path, device);
}
std::vector<double> GcnModel::parameterValues() const {
    return library().parameterValues(*this);
}
void GcnModel::setParameterValues(const std::vector<double>& values) {
    library().setParameterValues(*this, values);
}

// GcnTrainer

void GcnTrainer::ImplDeleter::operator()(Impl* impl) const {
    library().deleteTrainerImpl(impl);
}
GcnTrainer::GcnTrainer(const ExperimentConfig& config, const GraphDataset& train,
                       const GraphDataset& test, const LinearAceModel* linear) {
    gcn_library::Access::adoptTrainerImpl(*this,
                                          library().newTrainerImpl(config, train, test, linear));
}
GcnTrainer::~GcnTrainer() = default;

TrainingOutcome GcnTrainer::train(const EpochCallback& onEpoch, const std::atomic<bool>* cancel) {
    return library().train(*this, onEpoch, cancel);
}
void GcnTrainer::setCheckpoints(const CheckpointOptions& options) {
    library().setCheckpoints(*this, options);
}
void GcnTrainer::resume(const std::string& path) {
    library().resume(*this, path);
}
int GcnTrainer::resumedEpoch() const {
    return library().resumedEpoch(*this);
}
const std::vector<EpochRecord>& GcnTrainer::resumedHistory() const {
    return library().resumedHistory(*this);
}
const GcnModel& GcnTrainer::model() const {
    return library().trainerModel(*this);
}
GcnModel GcnTrainer::takeModel() {
    return library().takeModel(*this);
}

// Free functions

CheckpointInfo readCheckpointInfo(const std::string& path) {
    return library().readCheckpointInfo(path);
}
RegressionMetrics scoreEnergies(const GraphDataset& data, const std::vector<double>& predicted) {
    return library().scoreEnergies(data, predicted);
}
RegressionMetrics scorePrediction(const GraphDataset& data, const GcnPrediction& predicted) {
    return library().scorePrediction(data, predicted);
}
RegressionMetrics scoreModel(const GcnModel& model, const GraphDataset& data,
                             GcnPrediction* prediction) {
    return library().scoreModel(model, data, prediction);
}
bool hasGeometry(const GraphDataset& data) {
    return library().hasGeometry(data);
}
TorchInfo torchInfo() {
    return library().torchInfo();
}
void checkDevice(const std::string& device) {
    library().checkDevice(device);
}
ForceField gcnForceField(std::shared_ptr<const GcnModel> model, const ExperimentConfig& config,
                         int threads) {
    return library().gcnForceField(std::move(model), config, threads);
}

} // namespace graphace
