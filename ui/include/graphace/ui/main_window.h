#pragma once
// GraphACE Studio's main window: dataset panel, 3D structure view, live cutoff tuning.
//
// Layout: a dock with the dataset table (sortable, filterable) on the left; a tab widget in
// the centre whose "Structure" tab holds the 3D view and, beside it, the cutoff panel, the
// pair-distance chart and the picked atom's neighbours. The "Training" tab trains the linear
// ACE fit and the GCN on the loaded data (training_tab.h); its graph cutoff and the Structure
// tab's slider are linked both ways.
//
// Files load on a worker thread (QtConcurrent); the window keeps responding and the previous
// data stays shown until the new data is complete. A bad file is reported in a non-blocking
// dialog naming file, line and problem; the text is also kept in lastError().

#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"
#include "graphace/sample_dataset.h"
#include "graphace/structure.h"
#include "graphace/ui/dataset_loader.h"
#include "graphace/ui/run_checkpoints.h"

#include <QFutureWatcher>
#include <QMainWindow>

#include <atomic>
#include <exception>
#include <memory>

class QAction;
class QLabel;
class QLineEdit;
class QMenu;
class QMessageBox;
class QProgressBar;
class QTabWidget;
class QTableView;

namespace graphace {
class CutoffGraph;
}

namespace graphace::ui {

class AtomInfoPanel;
class CutoffPanel;
class DatasetFilterModel;
class DatasetModel;
class DynamicsTab;
class PairDistanceChart;
class StructureView;
class TrainingTab;
struct Session;

// Histogram range and bins of the pair-distance chart: 10 Å, or up to the next whole Å above a
// larger cutoff (bins of 0.05 Å either way).
inline constexpr double kHistogramRange = 10.0;
inline constexpr int kHistogramBins = 200;
// The live graph is refused beyond this many edges (estimated from the density before any
// search): tens of millions of bonds exhaust memory and draw nothing readable.
inline constexpr double kMaxViewerEdges = 2e7;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    // --- data -----------------------------------------------------------------------------
    // Starts loading (asynchronously) and replaces the dataset when every file has been read.
    void openFiles(const QStringList& files);
    // The built-in sample (graphace::generateSampleDataset), also asynchronous.
    void loadSample(const SampleOptions& options = {});
    // Replaces the dataset at once (tests, other tools).
    void setDataset(std::shared_ptr<const Dataset> dataset, const QString& label);
    const std::shared_ptr<const Dataset>& dataset() const { return m_dataset; }
    bool isLoading() const;
    // Loading, or the pair-distance histogram of the shown structure still being computed.
    bool isBusy() const;
    // "FILE, line N: MESSAGE" of the last failed load; empty after a successful one.
    QString lastError() const { return m_lastError; }
    QMessageBox* errorDialog() const { return m_errorDialog; }
    QStringList recentFiles() const;

    // --- structure, cutoff, picking ---------------------------------------------------------
    void selectStructure(int index);
    int currentStructure() const { return m_current; }
    std::shared_ptr<const Structure> currentStructurePointer() const { return m_structure; }
    // Edges at the current cutoff of the shown structure (null when none is shown).
    const NeighborList* currentNeighbors() const;
    // Highlights an atom of the shown structure and lists its neighbours (-1 clears).
    void pickAtom(int atom);
    // Milliseconds the last cutoff change took (graph, statistics, scene; not the frame).
    double lastUpdateMilliseconds() const { return m_lastUpdateMs; }

    CutoffPanel* cutoffPanel() const { return m_cutoffPanel; }
    StructureView* structureView() const { return m_structureView; }
    AtomInfoPanel* atomInfoPanel() const { return m_atomInfo; }
    PairDistanceChart* pairDistanceChart() const { return m_chart; }
    QTableView* datasetView() const { return m_datasetView; }
    QLineEdit* filterEdit() const { return m_filter; }
    QTabWidget* tabs() const { return m_tabs; }
    TrainingTab* trainingTab() const { return m_trainingTab; }
    DynamicsTab* dynamicsTab() const { return m_dynamicsTab; }

    // --- sessions (File → Save Session… / Open Session…) -----------------------------------------
    // What is open now: data files (empty for the sample), structure, cutoff, training settings
    // and runs.
    Session currentSession() const;
    // Loads the session's data (asynchronously, like openFiles) and restores the rest.
    void restoreSession(const Session& session);
    // A training run an earlier window left unfinished (the Training tab's offer): loads the
    // data it trained on (its files, or the built-in sample), then continues it.
    void resumeInterruptedRun(const RunCheckpoint& run);

    // The window as a person sees it (the 3D view included); saved as PNG by the extension.
    QImage grabImage();
    bool saveScreenshot(const QString& path);

Q_SIGNALS:
    void loadFinished(bool ok);
    void histogramReady();
    void cutoffApplied(double cutoff);

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;
    bool event(QEvent* event) override;

private:
    struct HistogramResult {
        int generation = 0;
        int atoms = 0;
        PairDistribution distribution;
        NeighborList neighbors;
        QString error;
    };

    void buildMenus();
    void buildLayout();
    void startLoad(QFuture<LoadResult> future, const QString& what);
    void onLoadFinished();
    void reportLoadError(const LoadError& error);
    void showStructure(int index);
    // The errors of the Training tab's run shown (TrainingTab::errorRun): per configuration in
    // the dataset table, per atom of the structure shown as the 3D view's colour choices.
    void showModelErrors();
    void showAtomErrors();
    void applyCutoff(double cutoff);
    void startHistogram();
    void onHistogramFinished();
    void addRecentFiles(const QStringList& files);
    void rebuildRecentMenu();
    void updateTimingLabel();
    void openFileDialog();
    void buildExportMenu(QMenu* file);
    void exportModelDialog();
    void exportChartsDialog();
    void exportSeriesDialog();
    void exportConfigDialog();
    void saveSessionDialog();
    void openSessionDialog();
    void showExportError(const QString& what, const std::exception& error);

    std::shared_ptr<const Dataset> m_dataset;
    std::shared_ptr<const Structure> m_structure;
    std::unique_ptr<CutoffGraph> m_graph;
    int m_current = -1;
    QString m_label;
    QStringList m_files;          // files of the dataset shown; empty for the sample
    bool m_loadingSample = false; // the load in progress makes the default built-in sample
    QString m_lastError;
    double m_lastUpdateMs = 0.0;
    double m_lastFrameMs = 0.0;

    QFutureWatcher<LoadResult> m_loadWatcher;
    std::shared_ptr<std::atomic_bool> m_loadCancel;
    QString m_loadWhat;
    QFutureWatcher<HistogramResult> m_histogramWatcher;
    int m_histogramGeneration = 0;
    double m_histogramRange = kHistogramRange; // of the histogram shown or being computed
    bool m_histogramPending = false;

    DatasetModel* m_model = nullptr;
    DatasetFilterModel* m_proxy = nullptr;
    QTableView* m_datasetView = nullptr;
    QLineEdit* m_filter = nullptr;
    QTabWidget* m_tabs = nullptr;
    StructureView* m_structureView = nullptr;
    CutoffPanel* m_cutoffPanel = nullptr;
    PairDistanceChart* m_chart = nullptr;
    AtomInfoPanel* m_atomInfo = nullptr;
    TrainingTab* m_trainingTab = nullptr;
    bool m_networkLoadScheduled = false;
    DynamicsTab* m_dynamicsTab = nullptr;
    QLabel* m_structureTitle = nullptr;
    QProgressBar* m_progress = nullptr;
    QLabel* m_timing = nullptr;
    QMenu* m_recentMenu = nullptr;
    QMessageBox* m_errorDialog = nullptr;
};

} // namespace graphace::ui
