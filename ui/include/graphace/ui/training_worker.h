#pragma once
// Runs training experiments off the UI thread (Avogadro's CalcWorker pattern): the worker
// object lives on a QThread, run() is invoked there through a queued call, and it reports
// through signals that arrive queued on the UI thread. Control from the UI thread is through
// thread-safe calls: requestStop() (atomic flag, checked by the trainer before every batch, so a
// stop returns within one batch) and setPaused() (the epoch callback waits on a condition
// variable while paused; a stop also releases a pause).
//
// A run list is several configs run one after another (a sweep); a stop ends the whole list.

#include "graphace/experiment_run.h"
#include "graphace/gcn_trainer.h"
#include "graphace/structure.h"
#include "graphace/ui/training_run.h"

#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>
#include <QWaitCondition>

#include <atomic>
#include <limits>
#include <memory>
#include <vector>

namespace graphace::ui {

// Periodic checkpoints take at most this share of a run's training time (gcn_trainer.h).
inline constexpr double kCheckpointOverhead = 0.05;

struct TrainingJob {
    QString name;
    ExperimentConfig config;
    QString sweepKey; // a sweep's setting and this run's value (TrainingRunRecord)
    double sweepValue = std::numeric_limits<double>::quiet_NaN();
    // Resumable training (gcn_trainer.h): the checkpoint file kept while the run trains (every
    // training.checkpoint_every epochs and when stopped; removed when the run ends otherwise),
    // with `checkpointNote` in it; empty: none. With `resume` the run continues from it: its
    // earlier epochs are reported first, as epochFinished.
    QString checkpoint;
    std::string checkpointNote;
    bool resume = false;
};

class TrainingWorker : public QObject {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr);

    // --- thread-safe controls (call from any thread) ------------------------------------------
    void requestStop();
    // Clears stop and pause before a new run list is queued (a stop pressed after this, even
    // before the list starts, is kept).
    void resetControls();
    void setPaused(bool paused);
    bool isPaused() const { return m_paused.load(); }
    bool stopRequested() const { return m_cancel.load(); }
    // Epochs reported (epochFinished emitted) since the run list started, over all its runs.
    int epochsReported() const { return m_epochsReported.load(); }

    // --- on the worker's thread ----------------------------------------------------------------
    // Runs `jobs` in order on `data` (a test set, when given, is used by every job instead of a
    // split), reporting them as runs firstIndex, firstIndex + 1, ... Blocks until done: invoke
    // it queued on the worker's thread.
    void run(const std::vector<TrainingJob>& jobs, std::shared_ptr<const Dataset> data,
             std::shared_ptr<const Dataset> testData = {}, int firstIndex = 0);

Q_SIGNALS:
    void runStarted(int index, const QString& name);
    // Preparation (split, descriptors, graphs) of the current run, fraction in [0, 1].
    void preparing(double fraction);
    // The prepared data (config as run, graph statistics and warning); shared read-only.
    void prepared(int index, std::shared_ptr<const graphace::PreparedExperiment> prepared);
    void linearReady(int index, const graphace::LinearBaseline& linear);
    void epochFinished(int index, const graphace::EpochRecord& record);
    void runFinished(int index, std::shared_ptr<const graphace::ui::TrainingRunRecord> run);
    void failed(int index, const QString& message);
    // The run list is done (completed, stopped or failed).
    void allFinished();

private:
    // Blocks while paused; returns false when a stop was requested.
    bool waitWhilePaused();

    std::atomic<bool> m_cancel{false};
    std::atomic<bool> m_paused{false};
    std::atomic<int> m_epochsReported{0};
    QMutex m_mutex;
    QWaitCondition m_resume;
};

// The linear baseline's loss in the units the network optimises (`loss`), from its
// predictions on `data`: TotalEnergy: mean (Ê − E)²; EnergyPerAtom: mean ((Ê − E) / N)².
// NaN when `data` is empty.
double linearLoss(const GraphDataset& data, const std::vector<double>& predicted, LossKind loss);

// Reference and predicted energy per atom of each sample, for a parity plot.
ParityPoints parityPoints(const GraphDataset& data, const std::vector<double>& predicted);
// Reference force components of `data` against `predicted` (x y z per atom, configurations in
// order), every k-th so that at most kMaxForceParityPoints remain; empty when the sizes differ
// or a configuration has no forces.
ParityPoints forceParityPoints(const Dataset& data, const std::vector<double>& predicted);
// k of that stride for a set of `components` force components (point p is component p × k).
std::size_t forceParityStride(std::size_t components);

} // namespace graphace::ui

Q_DECLARE_METATYPE(graphace::EpochRecord)
Q_DECLARE_METATYPE(graphace::LinearBaseline)
Q_DECLARE_METATYPE(std::shared_ptr<const graphace::PreparedExperiment>)
Q_DECLARE_METATYPE(std::shared_ptr<const graphace::ui::TrainingRunRecord>)
