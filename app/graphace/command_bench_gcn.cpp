// graphace bench --gcn: the network's training benchmarks (in graphace-gcn, which links LibTorch).

#include "cli_common.h"
#include "commands.h"

#include "graphace/gcn_benchmark.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace graphace::cli {

void runGcnBenchmarks(bool json) {
    // 2 threads (the target's 2 cores) and 1 (immune to busy cores); see gcn_benchmark.h.
    nlohmann::json results = nlohmann::json::array();
    for (int threads : {2, 1}) {
        GcnBenchmarkOptions gcnOptions;
        gcnOptions.threads = threads;
        const GcnBenchmarkResult r = runGcnBenchmark(gcnOptions);
        if (!json)
            std::cout << r.summary();
        results.push_back({{"name", "gcn_study_schedule"},
                           {"steps_per_second", r.studyStepsPerSecond},
                           {"seconds_per_epoch", r.studySecondsPerEpoch},
                           {"epochs_measured", r.studyEpochsRun},
                           {"projected_seconds", r.studyProjectedSeconds},
                           {"target_seconds", 120.0},
                           {"threads", r.threads},
                           {"load_average", r.loadAverage}});
        results.push_back({{"name", "gcn_one_batch_epoch"},
                           {"step_milliseconds", r.batchStepMilliseconds},
                           {"epoch_milliseconds", r.batchEpochMilliseconds},
                           {"atoms_per_second", r.batchAtomsPerSecond},
                           {"neighbours_per_atom", r.batchNeighbours},
                           {"target_milliseconds", 20.0},
                           {"threads", r.threads},
                           {"load_average", r.loadAverage}});
    }
    if (json)
        emitJson({{"benchmarks", results}});
}

} // namespace graphace::cli
