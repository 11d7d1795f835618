// graphace-network.so's entry: the table of gcn_library_api.h filled with graphace_gcn's
// functions. Only this symbol is exported; the library's own copies of graphace_gcn and
// graphace_core stay private to it (linked with --exclude-libs,ALL).

#include "gcn_library_api.h"

namespace graphace::gcn_library {
namespace {

Api makeApi() {
    Api api;
    api.layout = layoutSignature();
    api.version = kVersion;
    api.deleteModelImpl = &Access::deleteModelImpl;
    api.modelConfig = [](const GcnModel& m) -> const ExperimentConfig& { return m.config(); };
    api.parameterCount = [](const GcnModel& m) { return m.parameterCount(); };
    api.predictEnergies = [](const GcnModel& m, const GraphDataset& d) {
        return m.predictEnergies(d);
    };
    api.predictAtomEnergies = [](const GcnModel& m, const GraphDataset& d) {
        return m.predictAtomEnergies(d);
    };
    api.supportsForces = [](const GcnModel& m) { return m.supportsForces(); };
    api.predictWithForces = [](const GcnModel& m, const GraphDataset& d) {
        return m.predictWithForces(d);
    };
    api.saveModel = [](const GcnModel& m, const std::string& path) { m.save(path); };
    api.loadModel = [](const std::string& path, const std::string& device) {
        return GcnModel::load(path, device);
    };
    api.parameterValues = [](const GcnModel& m) { return m.parameterValues(); };
    api.setParameterValues = [](GcnModel& m, const std::vector<double>& values) {
        m.setParameterValues(values);
    };

    api.deleteTrainerImpl = &Access::deleteTrainerImpl;
    api.newTrainerImpl = [](const ExperimentConfig& config, const GraphDataset& train,
                            const GraphDataset& test, const LinearAceModel* linear) {
        GcnTrainer trainer(config, train, test, linear);
        return Access::releaseTrainerImpl(trainer);
    };
    api.train = [](GcnTrainer& t, const EpochCallback& onEpoch, const std::atomic<bool>* cancel) {
        return t.train(onEpoch, cancel);
    };
    api.setCheckpoints = [](GcnTrainer& t, const CheckpointOptions& o) { t.setCheckpoints(o); };
    api.resume = [](GcnTrainer& t, const std::string& path) { t.resume(path); };
    api.resumedEpoch = [](const GcnTrainer& t) { return t.resumedEpoch(); };
    api.resumedHistory = [](const GcnTrainer& t) -> const std::vector<EpochRecord>& {
        return t.resumedHistory();
    };
    api.trainerModel = [](const GcnTrainer& t) -> const GcnModel& { return t.model(); };
    api.takeModel = [](GcnTrainer& t) { return t.takeModel(); };

    api.readCheckpointInfo = &graphace::readCheckpointInfo;
    api.scoreEnergies = &graphace::scoreEnergies;
    api.scorePrediction = &graphace::scorePrediction;
    api.scoreModel = &graphace::scoreModel;
    api.hasGeometry = &graphace::hasGeometry;
    api.torchInfo = &graphace::torchInfo;
    api.checkDevice = &graphace::checkDevice;
    api.gcnForceField = &graphace::gcnForceField;
    return api;
}

} // namespace
} // namespace graphace::gcn_library

extern "C" __attribute__((visibility("default"))) const graphace::gcn_library::Api*
graphace_network_library_api() {
    static const graphace::gcn_library::Api api = graphace::gcn_library::makeApi();
    return &api;
}
