#pragma once
// Save and restore a session: which data was open, the cutoff, the training settings, and every
// run's config, history, metrics and parity points (not the weights: export a model for that),
// and the earlier runs kept for comparison.
// JSON, versioned ("format": "graphace-session", "version": 1), written atomically.

#include "graphace/experiment_config.h"
#include "graphace/ui/training_run.h"

#include <QString>
#include <QStringList>

#include <vector>

namespace graphace::ui {

struct Session {
    QStringList files; // data files (absolute paths); empty: the built-in sample
    int currentStructure = 0;
    double cutoff = 4.0;
    ExperimentConfig settings; // the Training tab's settings
    std::vector<TrainingRunRecord> runs;
    // Earlier runs kept for comparison (curves, metrics, config; no parity points).
    std::vector<TrainingRunRecord> earlierRuns;
};

void saveSession(const Session& session, const QString& path);
// Throws graphace::ParseError (file, line, what) for invalid JSON and std::runtime_error naming
// the file for a wrong format/version or a missing field.
Session loadSession(const QString& path);

} // namespace graphace::ui
