#pragma once
// Private to the on-demand network (gcn_library.h): the table of functions graphace-network.so
// hands to the loader. Objects cross it by reference and by value; their layouts must be the
// same on both sides, so the table carries a signature of the types that cross, and the loader
// refuses a library whose signature or version differs (a library from another build).

#include "graphace/gcn_force_field.h"
#include "graphace/gcn_trainer.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/version.h"

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace graphace::gcn_library {

// The private state of GcnModel and GcnTrainer, reached from the table's functions.
struct Access {
    static void deleteModelImpl(void* impl) {
        GcnModel::ImplDeleter{}(static_cast<GcnModel::Impl*>(impl));
    }
    static void deleteTrainerImpl(void* impl) {
        GcnTrainer::ImplDeleter{}(static_cast<GcnTrainer::Impl*>(impl));
    }
    static void* releaseTrainerImpl(GcnTrainer& trainer) { return trainer.m_impl.release(); }
    static void adoptTrainerImpl(GcnTrainer& trainer, void* impl) {
        trainer.m_impl.reset(static_cast<GcnTrainer::Impl*>(impl));
    }
};

// Bump when the table changes.
constexpr std::uint64_t kTableVersion = 1;

constexpr std::uint64_t layoutSignature() {
    std::uint64_t h = kTableVersion;
    for (std::uint64_t size :
         {sizeof(GcnModel), sizeof(GcnTrainer), sizeof(ExperimentConfig), sizeof(GraphDataset),
          sizeof(GraphSample), sizeof(TrainingOutcome), sizeof(EpochRecord),
          sizeof(CheckpointOptions), sizeof(CheckpointInfo), sizeof(GcnPrediction),
          sizeof(RegressionMetrics), sizeof(TorchInfo), sizeof(ForceField), sizeof(LinearAceModel),
          sizeof(std::string), sizeof(EpochCallback)})
        h = h * 1000003u + size;
    return h;
}

struct Api {
    std::uint64_t layout = 0; // layoutSignature() where the library was built
    const char* version = ""; // kVersion there
    // GcnModel
    void (*deleteModelImpl)(void*);
    const ExperimentConfig& (*modelConfig)(const GcnModel&);
    int (*parameterCount)(const GcnModel&);
    std::vector<double> (*predictEnergies)(const GcnModel&, const GraphDataset&);
    std::vector<double> (*predictAtomEnergies)(const GcnModel&, const GraphDataset&);
    bool (*supportsForces)(const GcnModel&);
    GcnPrediction (*predictWithForces)(const GcnModel&, const GraphDataset&);
    void (*saveModel)(const GcnModel&, const std::string&);
    GcnModel (*loadModel)(const std::string& path, const std::string& device);
    std::vector<double> (*parameterValues)(const GcnModel&);
    void (*setParameterValues)(GcnModel&, const std::vector<double>&);
    // GcnTrainer (the loader's object holds the library's state)
    void (*deleteTrainerImpl)(void*);
    void* (*newTrainerImpl)(const ExperimentConfig&, const GraphDataset& train,
                            const GraphDataset& test, const LinearAceModel*);
    TrainingOutcome (*train)(GcnTrainer&, const EpochCallback&, const std::atomic<bool>*);
    void (*setCheckpoints)(GcnTrainer&, const CheckpointOptions&);
    void (*resume)(GcnTrainer&, const std::string&);
    int (*resumedEpoch)(const GcnTrainer&);
    const std::vector<EpochRecord>& (*resumedHistory)(const GcnTrainer&);
    const GcnModel& (*trainerModel)(const GcnTrainer&);
    GcnModel (*takeModel)(GcnTrainer&);
    // Free functions
    CheckpointInfo (*readCheckpointInfo)(const std::string&);
    RegressionMetrics (*scoreEnergies)(const GraphDataset&, const std::vector<double>&);
    RegressionMetrics (*scorePrediction)(const GraphDataset&, const GcnPrediction&);
    RegressionMetrics (*scoreModel)(const GcnModel&, const GraphDataset&, GcnPrediction*);
    bool (*hasGeometry)(const GraphDataset&);
    TorchInfo (*torchInfo)();
    void (*checkDevice)(const std::string&);
    ForceField (*gcnForceField)(std::shared_ptr<const GcnModel>, const ExperimentConfig&, int);
};

} // namespace graphace::gcn_library

// The library's one exported symbol.
#define GRAPHACE_NETWORK_LIBRARY_ENTRY "graphace_network_library_api"
extern "C" const graphace::gcn_library::Api* graphace_network_library_api();
