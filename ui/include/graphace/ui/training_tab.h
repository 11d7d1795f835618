#pragma once
// The Training tab: settings panel, Start / Pause / Resume / Stop, progress (epoch, ETA), the
// graph warning (e.g. "only self-loops"), live charts, parity plot and the results table.
//
// Training runs on a TrainingWorker in its own QThread; the tab only receives queued signals,
// so the window stays responsive. Start begins a new experiment (the previous runs are
// replaced); a sweep is one experiment of several runs overlaid in the charts.

#include "graphace/structure.h"
#include "graphace/ui/chart_export_dialog.h"
#include "graphace/ui/run_checkpoints.h"
#include "graphace/ui/training_run.h"
#include "graphace/ui/training_worker.h"

#include <QElapsedTimer>
#include <QFutureWatcher>
#include <QStringList>
#include <QThread>
#include <QWidget>

#include <memory>
#include <vector>

class QFrame;
class QLabel;
class QSplitter;
class QProgressBar;
class QPushButton;
class QTimer;
class QToolButton;

namespace graphace::ui {

class ErrorHistogram;
class ParityChart;
class SweepChart;
class ResultsTable;
class TrainingCharts;
class TrainingPanel;

class TrainingTab : public QWidget {
    Q_OBJECT
public:
    explicit TrainingTab(QWidget* parent = nullptr);
    ~TrainingTab() override;

    // The data every run trains on (split by the panel's sizes). Ignored while running.
    void setDataset(std::shared_ptr<const Dataset> dataset, const QString& label = {});
    // Where that data came from (after setDataset): kept in the runs' checkpoints, so that a
    // later session can load it again to resume them.
    void setDataSource(const RunDataSource& source);
    const std::shared_ptr<const Dataset>& dataset() const { return m_data; }
    // A separate test set, as `graphace train --test FILE`: every run then trains on all of the
    // data and is tested on this (the panel's split sizes are off). openTestFile reads the file
    // on a worker thread and emits testDataChanged (false, with lastError(), for a bad file: the
    // previous choice stays); clearTestData goes back to the split.
    void openTestFile(const QString& path);
    void setTestData(std::shared_ptr<const Dataset> test, const QString& path);
    void clearTestData();
    const std::shared_ptr<const Dataset>& testData() const { return m_testData; }
    QString testFile() const { return m_testPath; }
    QPushButton* testFileButton() const { return m_testButton; }

    // --- runs ------------------------------------------------------------------------------------
    // One run of the panel's config. Returns false (and says why in lastError()) when it cannot
    // start: no data, an invalid config, an unavailable device, or a run in progress.
    bool start();
    // Forgets every run shown, earlier Starts' included (not while running).
    void clearRuns();
    const std::vector<TrainingRunRecord>& earlierRuns() const { return m_earlierRuns; }
    QPushButton* clearButton() const { return m_clear; }
    // Several runs one after another, overlaid.
    bool startJobs(const std::vector<TrainingJob>& jobs);
    // One run per value of one setting of the panel's config (setting_sweep.h: "KEY=FIRST:
    // LAST:STEP" or "KEY=V1,V2,..."), named "LABEL VALUE" (LABEL: the key's last part unless
    // given). Numeric values are plotted in the sweep chart against the final errors.
    bool startSweep(const QString& spec, const QString& label = {});
    // Sweeps of data.train_size ("train N") and of every graph layer's activation ("act NAME").
    bool startTrainingSizeSweep(const QList<int>& sizes);
    bool startActivationSweep(const QStringList& activations);
    void pause();
    void resume();
    void stop();
    // Resumable training. Every run keeps a checkpoint while it trains (run_checkpoints.h).
    // The first stopped run of the runs shown whose checkpoint is there, on the data loaded now;
    // -1 when none.
    int stoppedRun() const;
    // Continues it from its last whole epoch (its sweep's later runs follow); the runs before
    // it stay. It ends as it would have without the stop. False (lastError()) when none.
    bool continueStopped();
    // Continues a run of an earlier session on the data loaded now (the trainer refuses other
    // data or settings, see lastError() / runFailed); the panel takes its settings.
    bool resumeCheckpoint(const RunCheckpoint& checkpoint);
    // Offers runs an earlier session left unfinished (interruptedRuns()), one at a time, in a
    // bar above the controls: Resume emits resumeInterruptedRequested, Discard deletes it.
    void showInterruptedRuns(std::vector<RunCheckpoint> runs);
    const std::vector<RunCheckpoint>& interruptedRunsShown() const { return m_interrupted; }
    bool isRunning() const { return m_running; }
    bool isPaused() const { return m_paused; }

    const std::vector<TrainingRunRecord>& runs() const { return m_runs; }
    // The run selected in the results table, else the last one; null when there is none.
    const TrainingRunRecord* currentRun() const;
    // Shows runs restored from a session (charts, parity, results); not while running.
    void setRuns(std::vector<TrainingRunRecord> runs, std::vector<TrainingRunRecord> earlier = {});
    QString lastError() const { return m_lastError; }

    // --- widgets (tests, export) -----------------------------------------------------------------
    TrainingPanel* panel() const { return m_panel; }
    TrainingCharts* charts() const { return m_charts; }
    ParityChart* parityChart() const { return m_parity; }
    ParityChart* forceParityChart() const { return m_forceParity; }
    ErrorHistogram* energyErrorHistogram() const { return m_energyErrors; }
    ErrorHistogram* forceErrorHistogram() const { return m_forceErrors; }
    // The run whose parity plots are shown when its errors per configuration and atom are known
    // and index the data loaded now (trained in this session on it); else null.
    const TrainingRunRecord* errorRun() const;
    SweepChart* sweepChart() const { return m_sweepChart; }
    SweepChart* forceSweepChart() const { return m_forceSweepChart; }
    ResultsTable* resultsTable() const { return m_results; }
    TrainingWorker* worker() const { return m_worker; }
    QPushButton* startButton() const { return m_start; }
    QPushButton* pauseButton() const { return m_pause; }
    QPushButton* resumeButton() const { return m_resume; }
    QPushButton* stopButton() const { return m_stop; }
    QPushButton* continueButton() const { return m_continue; }
    QFrame* interruptedBar() const { return m_interruptedBar; }
    QPushButton* interruptedResumeButton() const { return m_interruptedResume; }
    QPushButton* interruptedDiscardButton() const { return m_interruptedDiscard; }
    QToolButton* sweepButton() const { return m_sweep; }
    QProgressBar* progressBar() const { return m_progress; }
    QLabel* statusLabel() const { return m_status; }
    QLabel* warningLabel() const { return m_warning; }
    // The exportable charts with file stems: loss, rmse, learning_rate, parity.
    QList<QPair<QString, QWidget*>> chartWidgets() const;
    // Writes each of them into `folder` as STEM.png (at the options' size and scale) and
    // STEM.svg; returns the files written. Throws std::runtime_error naming a file that could not
    // be written (training_export.h).
    QStringList exportCharts(const QString& folder, const ChartExportOptions& options) const;

Q_SIGNALS:
    void trainingStarted();
    void trainingFinished();
    void runsChanged();
    void testDataChanged(bool ok);
    // The worker's reports, re-emitted on the UI thread once the tab has taken them in (safe to
    // spy on from the UI thread; the worker's own signals come from its thread).
    void runStarted(int index, const QString& name);
    void linearReady(int index);
    void epochFinished(int index, const graphace::EpochRecord& record);
    void runFinished(int index);
    void runFailed(int index, const QString& message);
    // The panel shows what its "auto" ACE settings become on the loaded data (tests).
    void dataDefaultsShown();
    // A parity point was clicked: the configuration's index in the loaded data, a line saying
    // which run, set and errors it is, and for a force point its atom (else -1).
    void configurationPicked(int datasetIndex, const QString& description, int atom);
    // The run shown in the parity plots changed (errorRun() may differ).
    void errorsChanged();
    // Resume was pressed for a run of an earlier session: load its data, then resumeCheckpoint.
    void resumeInterruptedRequested(const graphace::ui::RunCheckpoint& run);

private:
    void onRunStarted(int index, const QString& name);
    void onPreparing(double fraction);
    void onPrepared(int index, std::shared_ptr<const PreparedExperiment> prepared);
    void onLinearReady(int index, const LinearBaseline& linear);
    void onEpoch(int index, const EpochRecord& record);
    void onRunFinished(int index, std::shared_ptr<const TrainingRunRecord> run);
    void onFailed(int index, const QString& message);
    void onAllFinished();
    void showLinear(int index);
    void showParity(const TrainingRunRecord& run);
    void showSweep(); // the sweep charts of the runs' numeric sweep values, if any
    // Starts `jobs` as runs firstIndex, firstIndex + 1, ... (the runs before stay).
    bool startJobs(std::vector<TrainingJob> jobs, int firstIndex);
    void showRuns(std::vector<TrainingRunRecord> runs); // charts, parity, results of these runs
    void showNextInterruptedRun();
    // Deletes the checkpoints of the runs about to be replaced (their records go too), except
    // those `keep` uses.
    void dropCheckpoints(const std::vector<TrainingJob>& keep);
    // The run of the parity plots when it was trained on the data loaded now; else null.
    const TrainingRunRecord* shownRunOnLoadedData() const;
    void shareBottomSpace();
    void updateButtons();
    void updateProgress(bool force);
    void setError(const QString& text);
    void showWarning(const QString& text);
    void askTrainingSizeSweep();
    void askActivationSweep();
    void askSweep(const QString& title, const QString& prompt, const QString& suggestion);
    // Works out in the background what the panel's "auto" ACE settings become on the loaded
    // data (resolveDataDefaults) and shows it in the panel, so that it is seen before Start.
    void previewDataDefaults();

    std::shared_ptr<const Dataset> m_data;
    QString m_dataLabel;
    RunDataSource m_dataSource;
    std::vector<RunCheckpoint> m_interrupted; // offered, the one shown first
    std::vector<TrainingJob> m_jobs;
    std::vector<TrainingRunRecord> m_runs;
    // Runs of earlier Starts on the same data, overlaid faded in the charts and listed greyed in
    // the results table (the newest kMaxEarlierRuns); cleared by another dataset or Clear.
    std::vector<TrainingRunRecord> m_earlierRuns;
    static constexpr std::size_t kMaxEarlierRuns = 8;
    void keepLastEarlierRuns();
    int m_runNumber = 0; // of the last run started: runs are named "#N preset"
    void archiveRuns(const TrainingJob& next);
    bool m_running = false;
    bool m_paused = false;
    int m_currentIndex = -1;
    int m_plannedEpochs = 0;       // over the whole run list
    int m_epochsBeforeCurrent = 0; // planned epochs of the runs before the current one
    int m_currentEpoch = 0;
    double m_epochSeconds = 0; // sum over the epochs seen
    int m_epochsSeen = 0;
    double m_prepareFraction = 0;
    QElapsedTimer m_statusClock; // the status line is refreshed at most every 100 ms
    QString m_lastError;
    QStringList m_warnings;

    QTimer* m_previewTimer = nullptr; // gathers quick changes into one preview
    void showDataInfo();
    std::shared_ptr<const Dataset> m_testData;     // the test file, when one is chosen
    std::shared_ptr<const Dataset> m_runsTestData; // the one the runs shown were tested on
    QString m_runsTestPath;                        // its file ("": none)
    QString m_testPath;
    QPushButton* m_testButton = nullptr;
    QPushButton* m_clearTestButton = nullptr;
    struct TestFileLoad {
        std::shared_ptr<const Dataset> data;
        QString path, error;
    };
    QFutureWatcher<TestFileLoad>* m_testLoad = nullptr;
    int m_previewGeneration = 0; // a preview that finishes after a newer one began is dropped

    QThread m_thread;
    TrainingWorker* m_worker = nullptr;

    TrainingPanel* m_panel = nullptr;
    TrainingCharts* m_charts = nullptr;
    ParityChart* m_parity = nullptr;
    ParityChart* m_forceParity = nullptr;
    ErrorHistogram* m_energyErrors = nullptr;
    ErrorHistogram* m_forceErrors = nullptr;
    QSplitter* m_energyColumn = nullptr;       // energy parity over its error histogram
    QSplitter* m_forceColumn = nullptr;        // the same for forces, shown for runs with forces
    SweepChart* m_sweepChart = nullptr;        // energy errors of a sweep of a numeric setting
    SweepChart* m_forceSweepChart = nullptr;   // its force errors, when the runs have them
    QSplitter* m_sweepColumn = nullptr;        // the two, shown for such sweeps
    int m_parityRun = -1;                      // the run the parity plots show
    std::shared_ptr<const Dataset> m_runsData; // the data the runs shown were trained on
    QSplitter* m_bottomSplitter = nullptr;     // parity plots | results
    ResultsTable* m_results = nullptr;
    QPushButton* m_start = nullptr;
    QPushButton* m_clear = nullptr;
    QPushButton* m_pause = nullptr;
    QPushButton* m_resume = nullptr;
    QPushButton* m_stop = nullptr;
    QPushButton* m_continue = nullptr;
    QFrame* m_interruptedBar = nullptr;
    QLabel* m_interruptedText = nullptr;
    QPushButton* m_interruptedResume = nullptr;
    QPushButton* m_interruptedDiscard = nullptr;
    QToolButton* m_sweep = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_status = nullptr;
    QLabel* m_warning = nullptr;
    QLabel* m_dataInfo = nullptr;
};

// The linear fit's loss in the network's loss units, from its metrics:
// TotalEnergy: RMSE(eV)²; EnergyPerAtom: (RMSE(meV/atom) / 1000)². NaN without configurations.
double linearLossFromMetrics(const RegressionMetrics& metrics, LossKind loss);

} // namespace graphace::ui
