#pragma once
// Where the window keeps the checkpoints of its training runs (resumable training, gcn_trainer.h)
// and what it needs to resume one in a later session.
//
// Each window process writes into its own folder, AppLocalDataLocation/checkpoints/PID-TIME/,
// one file per run. A checkpoint stays while its run is stopped (Stop) and is removed when the
// run ends otherwise, so at the next start every checkpoint in the folder of a process that no
// longer runs is a run that did not finish: the window crashed or was closed after a Stop.
// Each file's note (JSON) says which data to load and how the run was set up.

#include "graphace/experiment_config.h"
#include "graphace/gcn_trainer.h"
#include "graphace/ui/training_worker.h"

#include <QDateTime>
#include <QString>
#include <QStringList>

#include <limits>
#include <vector>

namespace graphace::ui {

// The data a run trained on: files (absolute paths), the built-in sample, or unknown (data handed
// to the window by another tool; a resume then needs that data loaded first).
struct RunDataSource {
    QStringList files;
    bool builtInSample = false;
    QString label; // as shown, e.g. "hf.xyz"
    bool known() const { return builtInSample || !files.isEmpty(); }
};

struct RunCheckpoint {
    QString path;
    QString name;
    ExperimentConfig config; // the job's config as it was started (before data-derived choices)
    QString sweepKey;
    double sweepValue = std::numeric_limits<double>::quiet_NaN();
    RunDataSource data;
    int epoch = 0, totalEpochs = 0;
    QDateTime written;
};

// This process's folder (created on first use).
QString processCheckpointFolder();
// A new file name in it for one run.
QString newCheckpointPath();
// The note stored in a job's checkpoint.
std::string checkpointNote(const TrainingJob& job, const RunDataSource& data);
// Reads a checkpoint and its note; throws std::runtime_error naming the file when it is not a
// usable checkpoint or was not written by the window.
RunCheckpoint readRunCheckpoint(const QString& path);
// The checkpoints left by window processes that no longer run, newest first (unreadable ones are
// skipped: a truncated file cannot be resumed). Empty folders of such processes are removed.
std::vector<RunCheckpoint> interruptedRuns();
// Deletes a checkpoint, and its folder when that was the last file of a finished process.
void discardCheckpoint(const QString& path);

} // namespace graphace::ui
