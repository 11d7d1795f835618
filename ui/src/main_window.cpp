#include "graphace/ui/main_window.h"

#include "graphace/cutoff_graph.h"
#include "graphace/element.h"
#include "graphace/gcn_trainer.h"
#include "graphace/graph_statistics.h"
#include "graphace/neighbor_estimate.h"
#include "graphace/ui/about_dialog.h"
#include "graphace/ui/atom_info_panel.h"
#include "graphace/ui/chart_export_dialog.h"
#include "graphace/ui/cutoff_panel.h"
#include "graphace/ui/dataset_model.h"
#include "graphace/ui/dynamics_tab.h"
#include "graphace/ui/pair_distance_chart.h"
#include "graphace/ui/session_file.h"
#include "graphace/ui/structure_view.h"
#include "graphace/ui/training_export.h"
#include "graphace/ui/training_panel.h"
#include "graphace/ui/training_tab.h"
#include "graphace/ui/user_guide_dialog.h"
#include "graphace/ui/vtk_viewport.h"
#include "graphace/ui/wheel_guard.h"
#include "graphace/version.h"

#include <QAbstractButton>
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QCloseEvent>
#include <QComboBox>
#include <QDir>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QElapsedTimer>
#include <QFileDialog>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QProgressBar>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <exception>

namespace graphace::ui {

namespace {

constexpr int kMaxRecentFiles = 10;
// Above this many edges the histogram's 10 Å list is not kept as the cutoff cache: it would
// hold hundreds of MB for a 10,000-atom cell, and the cache searches small cutoffs itself.
constexpr std::size_t kMaxSharedEdges = 1'000'000;

QSettings settings() {
    return QSettings(QStringLiteral("GraphACE"), QStringLiteral("GraphACE Studio"));
}

// File → Export's dialogs open where the last export went (issue 20: each started anew).
QString exportFolder() {
    return settings().value(QStringLiteral("lastExportFolder"), QDir::homePath()).toString();
}

void rememberExportFolder(const QString& folder) {
    settings().setValue(QStringLiteral("lastExportFolder"), QFileInfo(folder).absoluteFilePath());
}

QStringList localFiles(const QMimeData* mime) {
    QStringList files;
    if (!mime || !mime->hasUrls())
        return files;
    for (const QUrl& url : mime->urls())
        if (url.isLocalFile())
            files << url.toLocalFile();
    return files;
}

} // namespace

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("GraphACE Studio"));
    setWindowIcon(QIcon(QStringLiteral(":/graphace/graphace.svg")));
    setAcceptDrops(true);
    WheelGuard::install();
    buildLayout();
    buildMenus();
    connect(&m_loadWatcher, &QFutureWatcher<LoadResult>::finished, this,
            &MainWindow::onLoadFinished);
    connect(&m_histogramWatcher, &QFutureWatcher<HistogramResult>::finished, this,
            &MainWindow::onHistogramFinished);
    resize(1360, 860);
    // Training runs an earlier window left unfinished (it crashed, or was closed after a Stop).
    m_trainingTab->showInterruptedRuns(interruptedRuns());
}

MainWindow::~MainWindow() {
    // Workers capture `this` for progress: stop them before the members go.
    if (m_loadCancel)
        m_loadCancel->store(true);
    m_loadWatcher.waitForFinished();
    m_histogramWatcher.waitForFinished();
}

void MainWindow::buildLayout() {
    // Dataset dock.
    m_model = new DatasetModel(this);
    m_proxy = new DatasetFilterModel(this);
    m_proxy->setSourceModel(m_model);
    m_filter = new QLineEdit;
    m_filter->setPlaceholderText(tr("Filter (composition, type, file, …)"));
    m_filter->setClearButtonEnabled(true);
    connect(m_filter, &QLineEdit::textChanged, m_proxy,
            &QSortFilterProxyModel::setFilterFixedString);
    m_datasetView = new QTableView;
    m_datasetView->setModel(m_proxy);
    m_datasetView->setSortingEnabled(true);
    m_datasetView->sortByColumn(DatasetModel::Index, Qt::AscendingOrder);
    m_datasetView->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_datasetView->setSelectionMode(QAbstractItemView::SingleSelection);
    m_datasetView->setAlternatingRowColors(true);
    m_datasetView->verticalHeader()->hide();
    m_datasetView->verticalHeader()->setDefaultSectionSize(22);
    m_datasetView->horizontalHeader()->setStretchLastSection(true);
    // A model's errors per configuration, shown once one is trained on this data.
    m_datasetView->setColumnHidden(DatasetModel::EnergyError, true);
    m_datasetView->setColumnHidden(DatasetModel::ForceError, true);
    connect(m_datasetView->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            [this](const QModelIndex& current) {
                if (current.isValid())
                    showStructure(m_proxy->mapToSource(current).row());
            });
    auto* datasetPanel = new QWidget;
    auto* datasetLayout = new QVBoxLayout(datasetPanel);
    datasetLayout->setContentsMargins(4, 4, 4, 4);
    datasetLayout->addWidget(m_filter);
    datasetLayout->addWidget(m_datasetView, 1);
    auto* dock = new QDockWidget(tr("Dataset"), this);
    dock->setObjectName(QStringLiteral("datasetDock"));
    dock->setWidget(datasetPanel);
    dock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                      QDockWidget::DockWidgetClosable);
    // Wide enough for the key columns (#, atoms, formula) however narrow the window.
    datasetPanel->setMinimumWidth(210);
    addDockWidget(Qt::LeftDockWidgetArea, dock);
    resizeDocks({dock}, {300}, Qt::Horizontal);

    // Structure tab: 3D view | (cutoff panel, chart, atom neighbours).
    m_structureView = new StructureView;
    m_cutoffPanel = new CutoffPanel;
    m_chart = new PairDistanceChart;
    m_atomInfo = new AtomInfoPanel;
    m_structureTitle = new QLabel;
    m_structureTitle->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_structureTitle->setContentsMargins(6, 4, 6, 4);
    m_structureTitle->setWordWrap(true); // a long title wraps instead of widening the window

    auto* left = new QWidget;
    auto* leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->setSpacing(0);
    leftLayout->addWidget(m_structureTitle);
    leftLayout->addWidget(m_structureView, 1);

    // The cutoff panel sits in a layout, not in the splitter: a layout gives it the height its
    // statistics and its word-wrapped warning banner need whenever the banner appears, where a
    // splitter would keep the height it had before and clip them.
    auto* charts = new QSplitter(Qt::Vertical);
    charts->addWidget(m_chart);
    charts->addWidget(m_atomInfo);
    charts->setStretchFactor(0, 3);
    charts->setStretchFactor(1, 2);
    charts->setChildrenCollapsible(false);
    auto* side = new QWidget;
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_cutoffPanel, 0);
    sideLayout->addWidget(charts, 1);
    side->setMinimumWidth(300);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(left);
    split->addWidget(side);
    split->setStretchFactor(0, 3);
    split->setStretchFactor(1, 2);
    split->setSizes({700, 380});

    m_tabs = new QTabWidget;
    m_tabs->addTab(split, tr("Structure"));
    m_trainingTab = new TrainingTab;
    m_tabs->addTab(m_trainingTab, tr("Training"));
    m_dynamicsTab = new DynamicsTab;
    m_tabs->addTab(m_dynamicsTab, tr("Dynamics"));
    // Every run's linear fit is a model the Dynamics tab can run.
    connect(m_trainingTab, &TrainingTab::linearReady, this, [this](int index) {
        const auto& runs = m_trainingTab->runs();
        if (index >= 0 && index < static_cast<int>(runs.size()) &&
            runs[index].linear.model.coefficients.size() > 0)
            m_dynamicsTab->addModel(tr("Linear fit of “%1”").arg(runs[index].name),
                                    runs[index].linear.model);
    });
    // ... and its network, once trained, when its energy has forces.
    connect(m_trainingTab, &TrainingTab::runFinished, this, [this](int index) {
        const auto& runs = m_trainingTab->runs();
        if (index < 0 || index >= static_cast<int>(runs.size()))
            return;
        const TrainingRunRecord& run = runs[index];
        if (run.model && run.prepared && run.model->supportsForces())
            m_dynamicsTab->addNetwork(tr("Network of “%1”").arg(run.name), run.model,
                                      run.prepared->config);
    });
    // A parity point selects its configuration in the dataset table and the 3D view.
    connect(m_trainingTab, &TrainingTab::configurationPicked, this,
            [this](int index, const QString& description, int atom) {
                selectStructure(index);
                if (atom >= 0 && m_current == index)
                    pickAtom(atom);
                statusBar()->showMessage(description, 10000);
            });
    setCentralWidget(m_tabs);

    // The graph cutoff is one setting seen from two tabs, linked both ways. The slider holds
    // 0.01 Å steps within 0.1–20 Å: its echo of a value typed in the Training tab (say 4.123)
    // must not overwrite that value, so only a real change of the slider is passed on.
    TrainingPanel* trainingPanel = m_trainingTab->panel();
    trainingPanel->setCutoff(m_cutoffPanel->cutoff());
    connect(m_cutoffPanel, &CutoffPanel::cutoffChanged, trainingPanel, [trainingPanel](double c) {
        const double mirrored =
            std::clamp(std::round(trainingPanel->cutoff() * 100.0) / 100.0,
                       CutoffPanel::kMinimumCutoff, CutoffPanel::kMaximumCutoff);
        if (std::abs(mirrored - c) > 1e-9)
            trainingPanel->setCutoff(c);
    });
    connect(trainingPanel, &TrainingPanel::cutoffChanged, m_cutoffPanel, &CutoffPanel::setCutoff);

    connect(m_cutoffPanel, &CutoffPanel::cutoffChanged, this, &MainWindow::applyCutoff);
    connect(m_structureView, &StructureView::atomPicked, this, [this](int atom) {
        if (m_structure && atom >= 0 && m_graph)
            m_atomInfo->showAtom(*m_structure, *currentNeighbors(), atom);
        else
            m_atomInfo->clear();
    });
    // A trained model's errors: in the dataset table and on the 3D view's atoms.
    connect(m_trainingTab, &TrainingTab::errorsChanged, this, &MainWindow::showModelErrors);
    connect(m_trainingTab, &TrainingTab::resumeInterruptedRequested, this,
            &MainWindow::resumeInterruptedRun);
    connect(m_structureView->viewport(), &VtkViewport::frameRendered, this, [this](double ms) {
        m_lastFrameMs = ms;
        updateTimingLabel();
    });

    // Status bar: message, progress of a load, timings of the last update.
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setMaximumWidth(220);
    m_progress->hide();
    m_timing = new QLabel;
    m_timing->setToolTip(tr("Time of the last cutoff update (graph + scene) and of the last "
                            "3D frame"));
    statusBar()->addPermanentWidget(m_progress);
    statusBar()->addPermanentWidget(m_timing);
}

void MainWindow::buildMenus() {
    QMenu* file = menuBar()->addMenu(tr("&File"));
    QAction* open = file->addAction(tr("&Open…"), this, &MainWindow::openFileDialog);
    open->setShortcut(QKeySequence::Open);
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addAction(tr("Load &sample dataset"), this, [this]() { loadSample(); });
    file->addSeparator();
    file->addAction(tr("Open Sessio&n…"), this, &MainWindow::openSessionDialog)
        ->setObjectName(QStringLiteral("actionOpenSession"));
    file->addAction(tr("Sa&ve Session…"), this, &MainWindow::saveSessionDialog)
        ->setObjectName(QStringLiteral("actionSaveSession"));
    buildExportMenu(file);
    file->addSeparator();
    QAction* quit = file->addAction(tr("&Quit"), this, &QWidget::close);
    quit->setShortcut(QKeySequence::Quit);
    rebuildRecentMenu();

    QMenu* view = menuBar()->addMenu(tr("&View"));
    // The shortcuts live here, not on the view's tool buttons: those may sit in the tool bar's
    // overflow menu on a narrow window, where a hidden button's shortcut does not fire.
    view->addAction(tr("&Reset view"), QKeySequence(Qt::Key_R), m_structureView,
                    &StructureView::resetView);
    QAction* ortho = view->addAction(tr("&Orthographic projection"));
    ortho->setShortcut(QKeySequence(Qt::Key_O));
    ortho->setCheckable(true);
    connect(ortho, &QAction::toggled, m_structureView, &StructureView::setParallelProjection);
    connect(m_structureView->projectionButton(), &QToolButton::toggled, ortho,
            &QAction::setChecked);
    if (auto* dock = findChild<QDockWidget*>(QStringLiteral("datasetDock"))) {
        QAction* toggle = dock->toggleViewAction();
        toggle->setText(tr("&Dataset panel"));
        toggle->setObjectName(QStringLiteral("actionToggleDataset"));
        toggle->setShortcut(QKeySequence(Qt::CTRL | Qt::Key_D));
        view->addAction(toggle);
        view->addSeparator();
    }
    QAction* degree = view->addAction(tr("Colour atoms by &degree"));
    degree->setCheckable(true);
    connect(degree, &QAction::toggled, m_structureView, &StructureView::setColourByDegree);
    connect(m_structureView->colourBox(), &QComboBox::currentIndexChanged, degree,
            [degree](int index) { degree->setChecked(index == 1); });

    QMenu* help = menuBar()->addMenu(tr("&Help"));
    help->setObjectName(QStringLiteral("helpMenu"));
    QAction* guide = help->addAction(tr("&User guide"), this, [this]() {
        auto* dialog = new UserGuideDialog(this);
        dialog->setAttribute(Qt::WA_DeleteOnClose);
        dialog->show(); // non-modal: read it beside the window
    });
    guide->setObjectName(QStringLiteral("actionUserGuide"));
    guide->setShortcut(QKeySequence::HelpContents);
    QAction* about = help->addAction(tr("&About GraphACE Studio"), this, [this]() {
        AboutDialog dialog(this);
        dialog.exec();
    });
    about->setObjectName(QStringLiteral("actionAbout"));
    about->setMenuRole(QAction::AboutRole);
}

// --- loading --------------------------------------------------------------------------------

bool MainWindow::isLoading() const {
    return m_loadWatcher.isRunning();
}

bool MainWindow::isBusy() const {
    return isLoading() || m_histogramPending;
}

void MainWindow::openFileDialog() {
    const QString dir = settings().value(QStringLiteral("lastDirectory")).toString();
    const QStringList files = QFileDialog::getOpenFileNames(
        this, tr("Open structures"), dir,
        tr("Structure files (*.xyz *.extxyz POSCAR* CONTCAR* *.vasp *.poscar);;"
           "Extended XYZ (*.xyz *.extxyz);;VASP POSCAR/CONTCAR (POSCAR* CONTCAR* *.vasp "
           "*.poscar);;All files (*)"));
    if (files.isEmpty())
        return;
    settings().setValue(QStringLiteral("lastDirectory"), QFileInfo(files.front()).absolutePath());
    openFiles(files);
}

void MainWindow::openFiles(const QStringList& files) {
    if (files.isEmpty())
        return;
    m_loadingSample = false;
    auto cancel = std::make_shared<std::atomic_bool>(false);
    // Progress comes from the worker: hop to the UI thread, and only when the value changes.
    auto lastPermille = std::make_shared<std::atomic_int>(-1);
    auto progress = [this, lastPermille](double fraction, const QString& file) {
        const int permille = static_cast<int>(fraction * 1000);
        if (lastPermille->exchange(permille) == permille)
            return;
        QMetaObject::invokeMethod(
            this,
            [this, permille, file]() {
                m_progress->setValue(permille);
                statusBar()->showMessage(tr("Reading %1…").arg(QFileInfo(file).fileName()));
            },
            Qt::QueuedConnection);
    };
    const QString what =
        files.size() == 1
            ? QFileInfo(files.front()).fileName()
            : tr("%1 (+%2 files)").arg(QFileInfo(files.front()).fileName()).arg(files.size() - 1);
    if (m_loadCancel)
        m_loadCancel->store(true); // a newer request supersedes a running one
    m_loadCancel = cancel;
    startLoad(loadDatasetFilesAsync(files, progress, cancel), what);
}

void MainWindow::loadSample(const SampleOptions& options) {
    // Only the default sample can be made again to resume a run on it.
    m_loadingSample = options.configurations == SampleOptions{}.configurations &&
                      options.seed == SampleOptions{}.seed;
    if (m_loadCancel)
        m_loadCancel->store(true);
    m_loadCancel = std::make_shared<std::atomic_bool>(false);
    auto cancel = m_loadCancel;
    startLoad(
        QtConcurrent::run([options, cancel]() {
            LoadResult result;
            try {
                result.dataset = std::make_shared<Dataset>(
                    generateSampleDataset(options, [cancel](double) { return !cancel->load(); }));
            } catch (const Cancelled&) {
                result.cancelled = true;
            } catch (const std::exception& e) {
                result.error = {QStringLiteral("<sample>"), 0, QString::fromStdString(e.what())};
            }
            return result;
        }),
        tr("built-in sample"));
}

void MainWindow::startLoad(QFuture<LoadResult> future, const QString& what) {
    m_loadWhat = what;
    m_progress->setValue(0);
    m_progress->show();
    statusBar()->showMessage(tr("Loading %1…").arg(what));
    m_loadWatcher.setFuture(future);
}

void MainWindow::onLoadFinished() {
    m_progress->hide();
    const LoadResult result = m_loadWatcher.result();
    if (result.cancelled) {
        statusBar()->showMessage(tr("Loading cancelled"), 4000);
        return;
    }
    if (!result.ok()) {
        reportLoadError(result.error);
        Q_EMIT loadFinished(false);
        return;
    }
    m_lastError.clear();
    if (!result.files.isEmpty())
        addRecentFiles(result.files);
    setDataset(result.dataset, m_loadWhat);
    m_files.clear();
    for (const QString& f : result.files)
        m_files << QFileInfo(f).absoluteFilePath();
    m_trainingTab->setDataSource({m_files, m_files.isEmpty() && m_loadingSample, m_loadWhat});
    statusBar()->showMessage(tr("Loaded %1: %2 configurations, %3 atoms")
                                 .arg(m_loadWhat)
                                 .arg(result.dataset->size())
                                 .arg(result.dataset->atomCount()),
                             8000);
    Q_EMIT loadFinished(true);
}

void MainWindow::reportLoadError(const LoadError& error) {
    m_lastError = error.toText();
    statusBar()->showMessage(tr("Could not load %1").arg(QFileInfo(error.file).fileName()), 8000);
    if (!m_errorDialog) {
        m_errorDialog = new QMessageBox(this);
        m_errorDialog->setIcon(QMessageBox::Warning);
        m_errorDialog->setWindowTitle(tr("Could not read file"));
        m_errorDialog->setStandardButtons(QMessageBox::Ok);
    }
    QString where = tr("<b>File:</b> %1").arg(error.file.toHtmlEscaped());
    if (error.line > 0)
        where += tr("<br><b>Line:</b> %1").arg(error.line);
    m_errorDialog->setText(
        tr("%1<br><b>Problem:</b> %2<br><br>%3")
            .arg(where, error.message.toHtmlEscaped(),
                 m_dataset ? tr("The data loaded before is still shown.") : QString()));
    // open(), not exec(): the window (and any test driving it) keeps running.
    m_errorDialog->open();
}

void MainWindow::setDataset(std::shared_ptr<const Dataset> dataset, const QString& label) {
    m_dataset = std::move(dataset);
    m_label = label;
    m_current = -1;
    m_structure.reset();
    m_graph.reset();
    m_files.clear();
    m_model->setDataset(m_dataset);
    m_trainingTab->setDataset(m_dataset, label);
    m_dynamicsTab->setData(m_dataset);
    showModelErrors(); // none for new data: the error columns hide
    m_datasetView->resizeColumnsToContents();
    setWindowTitle(label.isEmpty() ? tr("GraphACE Studio") : tr("%1 — GraphACE Studio").arg(label));
    if (m_dataset && m_dataset->size() > 0)
        selectStructure(0);
    else
        showStructure(-1);
}

QStringList MainWindow::recentFiles() const {
    return settings().value(QStringLiteral("recentFiles")).toStringList();
}

void MainWindow::addRecentFiles(const QStringList& files) {
    QStringList recent = recentFiles();
    for (auto it = files.rbegin(); it != files.rend(); ++it) {
        const QString path = QFileInfo(*it).absoluteFilePath();
        recent.removeAll(path);
        recent.prepend(path);
    }
    while (recent.size() > kMaxRecentFiles)
        recent.removeLast();
    settings().setValue(QStringLiteral("recentFiles"), recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu() {
    m_recentMenu->clear();
    const QStringList recent = recentFiles();
    for (const QString& path : recent)
        m_recentMenu
            ->addAction(QFileInfo(path).fileName(), this, [this, path]() { openFiles({path}); })
            ->setToolTip(path);
    m_recentMenu->setToolTipsVisible(true);
    if (!recent.isEmpty()) {
        m_recentMenu->addSeparator();
        m_recentMenu->addAction(tr("Clear list"), this, [this]() {
            settings().remove(QStringLiteral("recentFiles"));
            rebuildRecentMenu();
        });
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
    if (!localFiles(event->mimeData()).isEmpty())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
    const QStringList files = localFiles(event->mimeData());
    if (files.isEmpty())
        return;
    event->acceptProposedAction();
    openFiles(files);
}

bool MainWindow::event(QEvent* event) {
    // LibTorch (~285 libraries with Debian's build) loads in the background once the window is on
    // screen, a moment after its first paint: the viewport loads the GL driver when it first
    // paints, and that would wait on the dynamic loader's lock while LibTorch is being loaded.
    if (event->type() == QEvent::Paint && !m_networkLoadScheduled) {
        m_networkLoadScheduled = true;
        constexpr int kNetworkLoadDelayMs = 500;
        QTimer::singleShot(kNetworkLoadDelayMs, m_trainingTab->panel(),
                           &TrainingPanel::probeDevices);
    }
    return QMainWindow::event(event);
}

void MainWindow::closeEvent(QCloseEvent* event) {
    // Quitting in the middle of a run loses it (a training run keeps only its checkpoint): ask.
    const bool training = m_trainingTab->isRunning();
    if (training || m_dynamicsTab->isRunning()) {
        QMessageBox ask(QMessageBox::Question, tr("Quit GraphACE Studio"),
                        training ? tr("A training run is in progress. Stop it and quit? (Its "
                                      "checkpoint is kept: the next start offers to resume it.)")
                                 : tr("A dynamics run is in progress. Stop it and quit?"),
                        QMessageBox::Yes | QMessageBox::No, this);
        ask.setObjectName(QStringLiteral("quitDuringRunDialog"));
        ask.setDefaultButton(QMessageBox::No);
        if (ask.exec() != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_dynamicsTab->stop();
        if (training)
            m_trainingTab->stop();
    }
    if (m_loadCancel)
        m_loadCancel->store(true);
    QMainWindow::closeEvent(event);
}

// --- structure and cutoff -----------------------------------------------------------------

void MainWindow::selectStructure(int index) {
    if (!m_dataset || index < 0 || index >= static_cast<int>(m_dataset->size()))
        return;
    const QModelIndex proxyIndex = m_proxy->mapFromSource(m_model->index(index, 0));
    if (proxyIndex.isValid())
        m_datasetView->setCurrentIndex(proxyIndex); // → currentRowChanged → showStructure
    if (m_current != index)
        showStructure(index); // filtered out of the table, or the row was current already
}

void MainWindow::showStructure(int index) {
    if (index == m_current && m_structure)
        return;
    m_atomInfo->clear();
    if (!m_dataset || index < 0 || index >= static_cast<int>(m_dataset->size())) {
        m_current = -1;
        m_structure.reset();
        m_graph.reset();
        m_structureView->setStructure(nullptr);
        m_dynamicsTab->setStart(nullptr, {});
        m_cutoffPanel->clearStatistics();
        m_chart->clear(tr("no structure"));
        m_structureTitle->setText(tr("No structure loaded"));
        return;
    }
    m_current = index;
    // Aliasing pointer: the structure lives inside the dataset and keeps it alive.
    m_structure = std::shared_ptr<const Structure>(m_dataset, &m_dataset->structures[index]);
    m_graph = std::make_unique<CutoffGraph>(m_structure);
    const Structure& s = *m_structure;
    QString pbc;
    for (bool p : s.pbc)
        pbc += p ? QLatin1Char('T') : QLatin1Char('F');
    m_structureTitle->setText(
        tr("<b>#%1</b> %2 — %3 atoms, pbc %4%5%6")
            .arg(index)
            .arg(chemicalFormula(s))
            .arg(s.size())
            .arg(pbc)
            .arg(s.volume() > 0 ? tr(", V = %1 Å³").arg(s.volume(), 0, 'f', 1) : QString())
            .arg(s.energy ? tr(", E = %1 eV (%2 eV/atom)")
                                .arg(*s.energy, 0, 'f', 4)
                                .arg(*s.energy / std::max<std::size_t>(1, s.size()), 0, 'f', 4)
                          : QString()));
    m_structureView->setStructure(m_structure);
    m_dynamicsTab->setStart(
        m_structure, tr("#%1 %2, %3 atoms").arg(index).arg(chemicalFormula(s)).arg(s.size()));
    showAtomErrors();
    applyCutoff(m_cutoffPanel->cutoff());
    startHistogram();
}

void MainWindow::showModelErrors() {
    // The GCN's errors once it finished, else the linear fit's (a run stopped before training).
    const TrainingRunRecord* run = m_trainingTab->errorRun();
    const bool gcn =
        run && run->finished &&
        std::any_of(run->errors->gcn.energyPerAtom.begin(), run->errors->gcn.energyPerAtom.end(),
                    [](double e) { return std::isfinite(e); });
    if (run) {
        const ConfigurationErrors& errors = gcn ? run->errors->gcn : run->errors->linear;
        std::vector<double> energy = errors.energyPerAtom;
        for (double& e : energy)
            e *= 1000.0;
        m_model->setErrors(std::move(energy), errors.forceRmse,
                           gcn ? tr("GCN of “%1”").arg(run->name)
                               : tr("linear fit of “%1”").arg(run->name));
    } else {
        m_model->setErrors({}, {}, {});
    }
    m_datasetView->setColumnHidden(DatasetModel::EnergyError, !m_model->hasErrors());
    m_datasetView->setColumnHidden(DatasetModel::ForceError, !m_model->hasErrors());
    showAtomErrors();
}

void MainWindow::showAtomErrors() {
    QList<AtomQuantity> quantities;
    const TrainingRunRecord* run = m_trainingTab->errorRun();
    if (run && m_current >= 0 &&
        m_current < static_cast<int>(run->errors->gcn.energyPerAtom.size())) {
        const RunErrors& errors = *run->errors;
        auto add = [&](const QString& name, const std::vector<double>& values, bool fromZero) {
            if (!values.empty())
                quantities.append({name, values, fromZero});
        };
        add(tr("force error, GCN (eV/Å)"), errors.gcn.atomForceError[m_current], true);
        add(tr("force error, linear (eV/Å)"), errors.linear.atomForceError[m_current], true);
        add(tr("energy per atom, GCN (eV)"), errors.gcnAtomEnergies[m_current], false);
    }
    m_structureView->setAtomQuantities(quantities);
}

const NeighborList* MainWindow::currentNeighbors() const {
    return m_graph ? &m_graph->current() : nullptr;
}

void MainWindow::applyCutoff(double cutoff) {
    if (!m_graph)
        return;
    QElapsedTimer timer;
    timer.start();
    // The histogram follows a cutoff beyond its range (10 Å unless a larger one was asked for).
    if (cutoff > m_histogramRange + 1e-9 && !m_histogramPending)
        startHistogram();
    try {
        // The live search looks kCutoffSearchHeadroom beyond the cutoff.
        const double edges = estimatedNeighborPairs(*m_structure, cutoff * kCutoffSearchHeadroom);
        if (edges > kMaxViewerEdges)
            throw std::runtime_error(
                tr("a %1 Å cutoff gives ~%2 million edges in this %3-atom structure, more than "
                   "the viewer's %4 million (graphace graph has no such limit)")
                    .arg(cutoff)
                    .arg(edges / 1e6, 0, 'f', 0)
                    .arg(m_structure->size())
                    .arg(kMaxViewerEdges / 1e6, 0, 'f', 0)
                    .toStdString());
        const NeighborList& list = m_graph->at(cutoff);
        m_cutoffPanel->setStatistics(m_graph->statistics(), static_cast<int>(m_structure->size()));
        m_structureView->setNeighbors(list, m_graph->degrees());
        if (m_atomInfo->atom() >= 0)
            m_atomInfo->showAtom(*m_structure, list, m_atomInfo->atom());
    } catch (const std::exception& e) {
        m_cutoffPanel->setProblem(
            tr("No neighbour graph for this structure: %1").arg(QString::fromStdString(e.what())));
        m_structureView->setNeighbors(NeighborList{}, {});
    }
    m_chart->setCutoff(cutoff);
    m_lastUpdateMs = timer.nsecsElapsed() / 1e6;
    updateTimingLabel();
    m_dynamicsTab->setGraphCutoff(cutoff);
    Q_EMIT cutoffApplied(cutoff);
}

void MainWindow::pickAtom(int atom) {
    m_structureView->pickAtom(atom);
}

void MainWindow::updateTimingLabel() {
    m_timing->setText(tr("update %1 ms · frame %2 ms")
                          .arg(m_lastUpdateMs, 0, 'f', 1)
                          .arg(m_lastFrameMs, 0, 'f', 1));
}

// --- pair-distance histogram ---------------------------------------------------------------

void MainWindow::startHistogram() {
    if (!m_structure)
        return;
    const int generation = ++m_histogramGeneration;
    m_histogramPending = true;
    m_chart->clear(tr("computing…"));
    m_chart->setCutoff(m_cutoffPanel->cutoff());
    auto structure = m_structure;
    const double range = std::max(
        kHistogramRange, std::ceil(std::min(m_cutoffPanel->cutoff(), CutoffPanel::kMaximumCutoff)));
    m_histogramRange = range;
    const int bins = static_cast<int>(std::lround(kHistogramBins * range / kHistogramRange));
    m_histogramWatcher.setFuture(QtConcurrent::run([structure, generation, range, bins]() {
        HistogramResult result;
        result.generation = generation;
        result.atoms = static_cast<int>(structure->size());
        try {
            const double pairs = estimatedNeighborPairs(*structure, range);
            if (pairs > kMaxViewerEdges)
                throw std::runtime_error(
                    QObject::tr("~%1 million pairs within %2 Å in this structure")
                        .arg(pairs / 1e6, 0, 'f', 0)
                        .arg(range)
                        .toStdString());
            result.neighbors = computeNeighborList(*structure, range);
            PairDistributionAccumulator accumulator(range, bins);
            accumulator.add(*structure, result.neighbors);
            result.distribution = accumulator.result();
            if (result.neighbors.edgeCount() > kMaxSharedEdges)
                result.neighbors = NeighborList{};
        } catch (const std::exception& e) {
            result.error = QString::fromStdString(e.what());
        }
        return result;
    }));
}

void MainWindow::onHistogramFinished() {
    HistogramResult result = m_histogramWatcher.result();
    if (result.generation != m_histogramGeneration)
        return; // a newer structure was selected meanwhile; its job is running
    m_histogramPending = false;
    if (!result.error.isEmpty()) {
        m_chart->clear(tr("not available: %1").arg(result.error));
    } else {
        m_chart->setDistribution(result.distribution, result.atoms);
        if (m_graph && result.neighbors.cutoff > 0)
            m_graph->offerLargerList(std::move(result.neighbors));
    }
    m_chart->setCutoff(m_cutoffPanel->cutoff());
    if (m_cutoffPanel->cutoff() > m_histogramRange + 1e-9) {
        startHistogram(); // the cutoff moved past this one's range while it ran
        return;
    }
    Q_EMIT histogramReady();
}

// --- export and sessions ---------------------------------------------------------------------

void MainWindow::buildExportMenu(QMenu* file) {
    QMenu* exportMenu = file->addMenu(tr("&Export"));
    exportMenu->setObjectName(QStringLiteral("exportMenu"));
    exportMenu->addAction(tr("&Model…"), this, &MainWindow::exportModelDialog)
        ->setObjectName(QStringLiteral("actionExportModel"));
    exportMenu->addAction(tr("&Charts (PNG+SVG)…"), this, &MainWindow::exportChartsDialog)
        ->setObjectName(QStringLiteral("actionExportCharts"));
    exportMenu->addAction(tr("&Series CSV…"), this, &MainWindow::exportSeriesDialog)
        ->setObjectName(QStringLiteral("actionExportSeries"));
    exportMenu->addAction(tr("C&onfig JSON…"), this, &MainWindow::exportConfigDialog)
        ->setObjectName(QStringLiteral("actionExportConfig"));
}

void MainWindow::showExportError(const QString& what, const std::exception& error) {
    QMessageBox::warning(this, what, QString::fromStdString(error.what()));
}

void MainWindow::exportModelDialog() {
    const TrainingRunRecord* run = m_trainingTab->currentRun();
    if (!run || !run->model || !run->prepared) {
        QMessageBox::information(this, tr("Export model"),
                                 tr("There is no trained model in this session yet: train one in "
                                    "the Training tab (models are not kept in session files)."));
        return;
    }
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Export model to folder"), exportFolder());
    if (dir.isEmpty())
        return;
    rememberExportFolder(dir);
    try {
        exportModel(*run, dir);
        statusBar()->showMessage(tr("Model “%1” written to %2").arg(run->name, dir), 8000);
    } catch (const std::exception& e) {
        showExportError(tr("Export model"), e);
    }
}

void MainWindow::exportChartsDialog() {
    const std::optional<ChartExportOptions> options = askChartExportOptions(this);
    if (!options)
        return;
    const QString dir =
        QFileDialog::getExistingDirectory(this, tr("Export charts to folder"), exportFolder());
    if (dir.isEmpty())
        return;
    rememberExportFolder(dir);
    try {
        m_trainingTab->exportCharts(dir, *options);
        statusBar()->showMessage(tr("Charts written to %1").arg(dir), 8000);
    } catch (const std::exception& e) {
        showExportError(tr("Export charts"), e);
    }
}

void MainWindow::exportSeriesDialog() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export series"), QDir(exportFolder()).filePath(QStringLiteral("series.csv")),
        tr("CSV (*.csv)"));
    if (path.isEmpty())
        return;
    rememberExportFolder(QFileInfo(path).absolutePath());
    try {
        exportSeriesCsv(m_trainingTab->runs(), path);
        statusBar()->showMessage(tr("Series written to %1").arg(path), 8000);
    } catch (const std::exception& e) {
        showExportError(tr("Export series"), e);
    }
}

void MainWindow::exportConfigDialog() {
    const QString path = QFileDialog::getSaveFileName(
        this, tr("Export config"), QDir(exportFolder()).filePath(QStringLiteral("config.json")),
        tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    rememberExportFolder(QFileInfo(path).absolutePath());
    // The selected run's config as it ran; without runs, the settings of the Training tab.
    TrainingRunRecord settings;
    const TrainingRunRecord* run = m_trainingTab->currentRun();
    if (!run) {
        settings.config = m_trainingTab->panel()->config();
        run = &settings;
    }
    try {
        exportConfigJson(*run, path);
        statusBar()->showMessage(tr("Config written to %1").arg(path), 8000);
    } catch (const std::exception& e) {
        showExportError(tr("Export config"), e);
    }
}

Session MainWindow::currentSession() const {
    Session session;
    session.files = m_files;
    session.currentStructure = std::max(0, m_current);
    session.cutoff = m_cutoffPanel->cutoff();
    session.settings = m_trainingTab->panel()->config();
    session.runs = m_trainingTab->runs();
    session.earlierRuns = m_trainingTab->earlierRuns();
    return session;
}

void MainWindow::restoreSession(const Session& session) {
    // The data loads asynchronously; the rest follows once it is there.
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection =
        connect(this, &MainWindow::loadFinished, this, [this, session, connection](bool ok) {
            disconnect(*connection);
            if (!ok)
                return;
            selectStructure(session.currentStructure);
            m_cutoffPanel->setCutoff(session.cutoff);
            m_trainingTab->panel()->setConfig(session.settings);
            m_trainingTab->setRuns(session.runs, session.earlierRuns);
            // The session's test file (data.test of its settings) is read again.
            if (!session.settings.data.testFile.empty())
                m_trainingTab->openTestFile(QString::fromStdString(session.settings.data.testFile));
            else
                m_trainingTab->clearTestData();
        });
    if (session.files.isEmpty())
        loadSample();
    else
        openFiles(session.files);
}

void MainWindow::resumeInterruptedRun(const RunCheckpoint& run) {
    m_tabs->setCurrentWidget(m_trainingTab);
    // The run's own test file (data.test of its config) or none, then the run itself.
    auto resume = [this, run]() {
        auto start = [this, run]() {
            if (!m_trainingTab->resumeCheckpoint(run))
                statusBar()->showMessage(m_trainingTab->lastError(), 8000);
        };
        if (run.config.data.testFile.empty()) {
            m_trainingTab->clearTestData();
            start();
            return;
        }
        auto connection = std::make_shared<QMetaObject::Connection>();
        *connection = connect(m_trainingTab, &TrainingTab::testDataChanged, this,
                              [this, start, connection](bool ok) {
                                  disconnect(*connection);
                                  if (ok)
                                      start();
                                  else
                                      statusBar()->showMessage(m_trainingTab->lastError(), 8000);
                              });
        m_trainingTab->openTestFile(QString::fromStdString(run.config.data.testFile));
    };
    if (!run.data.known()) {
        // Data the window was handed, not read from files: resume on what is loaded (the trainer
        // refuses other data, with the reason).
        resume();
        return;
    }
    auto connection = std::make_shared<QMetaObject::Connection>();
    *connection =
        connect(this, &MainWindow::loadFinished, this, [this, resume, connection](bool ok) {
            disconnect(*connection);
            if (ok)
                resume();
        });
    if (run.data.builtInSample)
        loadSample();
    else
        openFiles(run.data.files);
}

void MainWindow::saveSessionDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Save session"),
                                                      QStringLiteral("session.graphace.json"),
                                                      tr("GraphACE session (*.json)"));
    if (path.isEmpty())
        return;
    try {
        saveSession(currentSession(), path);
        statusBar()->showMessage(tr("Session saved to %1").arg(path), 8000);
    } catch (const std::exception& e) {
        showExportError(tr("Save session"), e);
    }
}

void MainWindow::openSessionDialog() {
    if (m_trainingTab->isRunning()) {
        QMessageBox::information(this, tr("Open session"),
                                 tr("Stop the training run before opening a session."));
        return;
    }
    const QString path = QFileDialog::getOpenFileName(
        this, tr("Open session"), QString(), tr("GraphACE session (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        restoreSession(loadSession(path));
    } catch (const std::exception& e) {
        showExportError(tr("Open session"), e);
    }
}

// --- screenshots -----------------------------------------------------------------------------

QImage MainWindow::grabImage() {
    // grab() paints every child into a pixmap; the QOpenGLWidget renders through paintGL into
    // its framebuffer object, which grab() reads back.
    return grab().toImage().convertToFormat(QImage::Format_ARGB32);
}

bool MainWindow::saveScreenshot(const QString& path) {
    return grabImage().save(path);
}

} // namespace graphace::ui
