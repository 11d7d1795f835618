#pragma once
// The files of a training run (`graphace train --out DIR`, and the GUI's model export), all
// written atomically (temporary file + rename):
//   DIR/config.json   the ExperimentConfig as run (everything needed to rerun), plus "split"
//                     {"train": [...], "test": [...]} indices when split from one file
//   DIR/history.csv   header + one row per epoch (EpochRecord fields, snake_case)
//   DIR/metrics.json  {"train": {...}, "test": {...}, "linear": {"train": ..., "test": ...},
//                      "stop": "completed", "message": ..., "epochs": N, "best_epoch": K,
//                      "seconds": ..., "parameters": P, "graph": {degree statistics, warning}}
//                     metric objects use the keys of `graphace fit-linear --json`
//   DIR/model.pt      GcnModel::save (weights, standardisation, reference energies, config)
//   DIR/linear_model.json  the linear baseline (linear_ace_model_file.h: graphace predict/md)
//   DIR/linear_model.yace  the same for LAMMPS pair_style pace (pace_yace_export.h)

#include "graphace/atomic_file.h"
#include "graphace/experiment_run.h"
#include "graphace/gcn_trainer.h"
#include "graphace/metrics_json.h"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace graphace {

void writeHistoryCsv(const std::string& path, const std::vector<EpochRecord>& history);
// Throws ParseError (file, line, what) for a malformed file.
std::vector<EpochRecord> readHistoryCsv(const std::string& path);

// Writes the whole training run into `directory` (created if needed).
struct TrainingRunFiles {
    std::string config, history, metrics, model;
    std::string linearModel, linearYace; // empty when the run has no linear baseline
};
TrainingRunFiles writeTrainingRun(const std::string& directory, const PreparedExperiment& prepared,
                                  const TrainingOutcome& outcome, const GcnModel& model,
                                  const LinearBaseline& linear);

} // namespace graphace
