#include "graphace/ui/training_tab.h"

#include "graphace/experiment_run.h"
#include "graphace/extxyz.h"
#include "graphace/setting_sweep.h"
#include "graphace/structure_files.h"
#include "graphace/ui/sweep_chart.h"

#include "graphace/ui/error_histogram.h"
#include "graphace/ui/parity_chart.h"
#include "graphace/ui/results_table.h"
#include "graphace/ui/run_checkpoints.h"
#include "graphace/ui/training_charts.h"
#include "graphace/ui/training_export.h"
#include "graphace/ui/training_panel.h"

#include <QChartView>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QInputDialog>
#include <QLabel>
#include <QLocale>
#include <QMenu>
#include <QProgressBar>
#include <QPushButton>
#include <QRegularExpression>
#include <QSplitter>
#include <QTimer>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtConcurrent>

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>

namespace graphace::ui {

namespace {

QString durationText(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return QStringLiteral("—");
    const qint64 s = static_cast<qint64>(std::llround(seconds));
    if (s < 60)
        return QObject::tr("%1 s").arg(s);
    if (s < 3600)
        return QObject::tr("%1 min %2 s").arg(s / 60).arg(s % 60);
    return QObject::tr("%1 h %2 min").arg(s / 3600).arg((s % 3600) / 60);
}

QString lossUnit(LossKind loss) {
    return loss == LossKind::EnergyPerAtom ? QStringLiteral("(eV/atom)²") : QStringLiteral("eV²");
}

} // namespace

double linearLossFromMetrics(const RegressionMetrics& metrics, LossKind loss) {
    if (metrics.configurations == 0)
        return std::numeric_limits<double>::quiet_NaN();
    if (loss == LossKind::EnergyPerAtom) {
        const double perAtom = metrics.energyRmseMevPerAtom / 1000.0;
        return perAtom * perAtom;
    }
    return metrics.energyRmseEv * metrics.energyRmseEv;
}

TrainingTab::TrainingTab(QWidget* parent) : QWidget(parent) {
    m_panel = new TrainingPanel;
    connect(m_panel, &TrainingPanel::problemChanged, this, &TrainingTab::updateButtons);
    m_charts = new TrainingCharts;
    m_parity = new ParityChart;
    m_forceParity = new ParityChart(ParityChart::Forces);
    m_energyErrors = new ErrorHistogram(ParityChart::Energy);
    m_forceErrors = new ErrorHistogram(ParityChart::Forces);
    m_results = new ResultsTable;

    m_start = new QPushButton(tr("Start"));
    m_start->setToolTip(tr("Train with the settings on the left"));
    m_clear = new QPushButton(tr("Clear"));
    m_clear->setObjectName(QStringLiteral("clearRuns"));
    m_clear->setToolTip(tr("Forget the runs shown, the earlier ones kept for comparison too"));
    connect(m_clear, &QPushButton::clicked, this, &TrainingTab::clearRuns);
    m_pause = new QPushButton(tr("Pause"));
    m_resume = new QPushButton(tr("Resume"));
    m_resume->hide(); // shown in Pause's place while paused
    m_stop = new QPushButton(tr("Stop"));
    m_stop->setToolTip(tr("Stop after the current batch; the weights of the last whole epoch are "
                          "kept, and Continue goes on from there"));
    m_continue = new QPushButton(tr("Continue"));
    m_continue->hide(); // until a run is stopped
    m_continue->setToolTip(tr("Continue the stopped run from its last whole epoch (and the runs "
                              "of its sweep after it), as if it had never stopped"));
    m_sweep = new QToolButton;
    m_sweep->setText(tr("Sweep…"));
    m_sweep->setToolTip(tr("Several runs of the current settings, overlaid"));
    m_sweep->setPopupMode(QToolButton::InstantPopup);
    auto* sweepMenu = new QMenu(m_sweep);
    sweepMenu->addAction(tr("Cutoffs…"), this, [this]() {
        askSweep(tr("Cutoff sweep"),
                 tr("Graph cutoffs (Å): FIRST:LAST:STEP or a list, one run each; the final errors "
                    "and the mean degree are plotted against the cutoff:"),
                 QStringLiteral("2.5:5:0.5"));
    });
    sweepMenu->addAction(tr("Training sizes…"), this, &TrainingTab::askTrainingSizeSweep);
    sweepMenu->addAction(tr("Activations…"), this, &TrainingTab::askActivationSweep);
    sweepMenu->addAction(tr("Any setting…"), this, [this]() {
        askSweep(tr("Sweep of a setting"),
                 tr("KEY=FIRST:LAST:STEP or KEY=V1,V2,... (keys as in the configuration file, "
                    "e.g. optimiser.phases.0.learning_rate=0.001,0.01; * for every layer):"),
                 QStringLiteral("graph.cutoff=3:5:1"));
    });
    m_sweep->setMenu(sweepMenu);
    m_progress = new QProgressBar;
    m_progress->setRange(0, 1000);
    m_progress->setValue(0);
    m_progress->setTextVisible(false);
    m_progress->setMaximumWidth(160);
    m_progress->setMinimumWidth(60);
    m_status = new QLabel(tr("Ready"));
    // Ignored width: a status text changing every 100 ms must not re-layout the charts.
    m_status->setSizePolicy(QSizePolicy::Ignored, QSizePolicy::Preferred);
    m_status->setMinimumWidth(170); // "Done: 1 of 1 runs finished" whole; the data text gives way
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_dataInfo = new QLabel;
    m_dataInfo->setStyleSheet(QStringLiteral("color: palette(mid);"));
    // Clipped rather than widening the window; the whole text is its tooltip.
    m_dataInfo->setMinimumWidth(40);
    m_testButton = new QPushButton(tr("Test file…"));
    m_testButton->setObjectName(QStringLiteral("testFileButton"));
    m_testButton->setToolTip(tr("Test every run on a separate extended-XYZ file instead of a "
                                "split of the loaded data (graphace train --test)"));
    m_clearTestButton = new QPushButton(tr("No test file"));
    m_clearTestButton->setToolTip(tr("Back to a split of the loaded data"));
    m_clearTestButton->hide();
    m_testLoad = new QFutureWatcher<TestFileLoad>(this);
    connect(m_testButton, &QPushButton::clicked, this, [this]() {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Test file"), QString(),
            tr("Structure files (*.xyz *.extxyz POSCAR* CONTCAR* *.vasp *.poscar);;All files (*)"));
        if (!path.isEmpty())
            openTestFile(path);
    });
    connect(m_clearTestButton, &QPushButton::clicked, this, &TrainingTab::clearTestData);
    connect(m_testLoad, &QFutureWatcher<TestFileLoad>::finished, this, [this]() {
        const TestFileLoad load = m_testLoad->result();
        m_testButton->setEnabled(true);
        if (!load.error.isEmpty()) {
            setError(tr("Test file not used: %1").arg(load.error));
            Q_EMIT testDataChanged(false);
            return;
        }
        setTestData(load.data, load.path);
        Q_EMIT testDataChanged(true);
    });
    m_warning = new QLabel;
    m_warning->setWordWrap(true);
    m_warning->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_warning->setStyleSheet(
        QStringLiteral("QLabel { background: #fde2e1; color: #8a1010; border: 1px solid #d9534f; "
                       "border-radius: 3px; padding: 5px; font-weight: bold; }"));
    m_warning->hide();

    // Runs a crashed (or closed) window left unfinished, offered one at a time.
    m_interruptedBar = new QFrame;
    m_interruptedBar->setObjectName(QStringLiteral("interruptedRuns"));
    m_interruptedBar->setStyleSheet(
        QStringLiteral("#interruptedRuns { background: #fff4d6; border: 1px solid #e0b252; "
                       "border-radius: 3px; }"));
    m_interruptedText = new QLabel;
    m_interruptedText->setWordWrap(true);
    m_interruptedResume = new QPushButton(tr("Resume"));
    m_interruptedDiscard = new QPushButton(tr("Discard"));
    auto* barLayout = new QHBoxLayout(m_interruptedBar);
    barLayout->setContentsMargins(6, 4, 6, 4);
    barLayout->addWidget(m_interruptedText, 1);
    barLayout->addWidget(m_interruptedResume);
    barLayout->addWidget(m_interruptedDiscard);
    m_interruptedBar->hide();
    connect(m_interruptedResume, &QPushButton::clicked, this, [this]() {
        if (m_interrupted.empty())
            return;
        const RunCheckpoint run = m_interrupted.front();
        m_interrupted.erase(m_interrupted.begin());
        showNextInterruptedRun();
        Q_EMIT resumeInterruptedRequested(run);
    });
    connect(m_interruptedDiscard, &QPushButton::clicked, this, [this]() {
        if (m_interrupted.empty())
            return;
        discardCheckpoint(m_interrupted.front().path);
        m_interrupted.erase(m_interrupted.begin());
        showNextInterruptedRun();
    });

    // Buttons as narrow as their text (the style's 80-pixel minimum made the row alone wider
    // than a 1024-pixel screen's share).
    for (QPushButton* button :
         {m_start, m_pause, m_resume, m_stop, m_continue, m_clear, m_testButton, m_clearTestButton})
        button->setMinimumWidth(button->fontMetrics().horizontalAdvance(button->text()) + 24);
    auto* controls = new QHBoxLayout;
    controls->setContentsMargins(0, 0, 0, 0);
    for (QWidget* w : std::initializer_list<QWidget*>{m_start, m_pause, m_resume, m_stop,
                                                      m_continue, m_sweep, m_clear})
        controls->addWidget(w);
    controls->addStretch(1);
    controls->addWidget(m_testButton);
    controls->addWidget(m_clearTestButton);
    // Progress and status in a row of their own: a narrow window keeps every button whole.
    auto* progressRow = new QHBoxLayout;
    progressRow->setContentsMargins(0, 0, 0, 0);
    progressRow->addWidget(m_progress);
    progressRow->addWidget(m_status, 1);
    progressRow->addWidget(m_dataInfo);

    auto* bottom = new QSplitter(Qt::Horizontal);
    m_bottomSplitter = bottom;
    // Each quantity's parity plot above its error histogram.
    auto column = [](QWidget* top, QWidget* below) {
        auto* split = new QSplitter(Qt::Vertical);
        split->addWidget(top);
        split->addWidget(below);
        split->setChildrenCollapsible(false);
        split->setStretchFactor(0, 3);
        split->setStretchFactor(1, 2);
        return split;
    };
    m_energyColumn = column(m_parity, m_energyErrors);
    m_forceColumn = column(m_forceParity, m_forceErrors);
    m_forceColumn->hide(); // until a run has forces
    bottom->addWidget(m_energyColumn);
    bottom->addWidget(m_forceColumn);
    m_sweepChart = new SweepChart;
    m_forceSweepChart = new SweepChart(ParityChart::Forces);
    m_forceSweepChart->hide(); // until a sweep's finished run has force errors
    m_sweepColumn = column(m_sweepChart, m_forceSweepChart);
    m_sweepColumn->hide(); // until a sweep of a numeric setting has a finished run
    bottom->addWidget(m_sweepColumn);
    bottom->addWidget(m_results);
    bottom->setStretchFactor(0, 1); // energy parity
    bottom->setStretchFactor(1, 1); // force parity (runs with forces)
    bottom->setStretchFactor(2, 1); // sweep summary
    bottom->setStretchFactor(3, 2); // results
    bottom->setChildrenCollapsible(false);

    auto* plots = new QSplitter(Qt::Vertical);
    plots->addWidget(m_charts);
    plots->addWidget(bottom);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 2);
    plots->setChildrenCollapsible(false);
    plots->setSizes({440, 560});
    bottom->setSizes({400, 640});

    auto* right = new QWidget;
    auto* rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(4, 4, 4, 4);
    rightLayout->setSpacing(4);
    rightLayout->addWidget(m_interruptedBar);
    rightLayout->addLayout(controls);
    rightLayout->addLayout(progressRow);
    rightLayout->addWidget(m_warning);
    rightLayout->addWidget(plots, 1);

    auto* split = new QSplitter(Qt::Horizontal);
    split->addWidget(m_panel);
    split->addWidget(right);
    split->setStretchFactor(0, 0);
    split->setStretchFactor(1, 1);
    split->setSizes({360, 1000});
    split->setChildrenCollapsible(false);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(split);

    connect(m_start, &QPushButton::clicked, this, [this]() { start(); });
    connect(m_pause, &QPushButton::clicked, this, &TrainingTab::pause);
    connect(m_resume, &QPushButton::clicked, this, &TrainingTab::resume);
    connect(m_stop, &QPushButton::clicked, this, &TrainingTab::stop);
    connect(m_continue, &QPushButton::clicked, this, [this]() { continueStopped(); });
    connect(m_results, &ResultsTable::runSelected, this, [this](int run) {
        if (run >= 0 && run < static_cast<int>(m_runs.size()))
            showParity(m_runs[run]);
    });

    // A clicked energy parity point names its configuration in the loaded data (the run's
    // split says where it came from; a run restored from a session has no split: no pick).
    connect(
        m_parity, &ParityChart::pointClicked, this, [this](ParityChart::Series series, int index) {
            const TrainingRunRecord* shown = shownRunOnLoadedData();
            if (!shown || !shown->prepared)
                return;
            const TrainingRunRecord& run = *shown;
            const bool train =
                series == ParityChart::GcnTrain || series == ParityChart::LinearTrain;
            const std::vector<std::size_t>& indices =
                train ? run.prepared->trainIndices : run.prepared->testIndices;
            if (index < 0 || index >= static_cast<int>(indices.size()))
                return;
            const ParityPoints& gcn = train ? run.gcnParityTrain : run.gcnParityTest;
            const ParityPoints& linear = train ? run.linearParityTrain : run.linearParityTest;
            auto error = [index](const ParityPoints& p) {
                if (index >= static_cast<int>(p.referencePerAtom.size()))
                    return QStringLiteral("—");
                return QString::number(
                    1000 * (p.predictedPerAtom[index] - p.referencePerAtom[index]), 'g', 3);
            };
            const int picked = static_cast<int>(indices[index]);
            Q_EMIT configurationPicked(
                picked,
                tr("Configuration %1 (%2 set of “%3”): error GCN %4, linear %5 meV/atom")
                    .arg(picked)
                    .arg(train ? tr("training") : tr("test"), run.name, error(gcn), error(linear)),
                -1);
        });
    // A force point: its component's configuration and atom (the points are every k-th
    // component of the set, forceParityStride).
    connect(m_forceParity, &ParityChart::pointClicked, this,
            [this](ParityChart::Series series, int index) {
                const TrainingRunRecord* shown = shownRunOnLoadedData();
                if (!shown || !shown->prepared || index < 0)
                    return;
                const TrainingRunRecord& run = *shown;
                const bool train =
                    series == ParityChart::GcnTrain || series == ParityChart::LinearTrain;
                const Dataset& set = train ? run.prepared->train : run.prepared->test;
                const std::vector<std::size_t>& indices =
                    train ? run.prepared->trainIndices : run.prepared->testIndices;
                std::size_t component =
                    static_cast<std::size_t>(index) * forceParityStride(3 * set.atomCount());
                for (std::size_t c = 0; c < set.size() && c < indices.size(); ++c) {
                    const std::size_t components = 3 * set.structures[c].size();
                    if (component >= components) {
                        component -= components;
                        continue;
                    }
                    const int atom = static_cast<int>(component / 3);
                    const ParityPoints& p = m_forceParity->shownPoints(series);
                    const double error = index < static_cast<int>(p.referencePerAtom.size())
                                             ? p.predictedPerAtom[index] - p.referencePerAtom[index]
                                             : std::nan("");
                    const int picked = static_cast<int>(indices[c]);
                    Q_EMIT configurationPicked(
                        picked,
                        tr("Configuration %1, atom %2, F%3 (%4 set of “%5”): %6 error %7 eV/Å")
                            .arg(picked)
                            .arg(atom)
                            .arg(QChar(u"xyz"[component % 3]))
                            .arg(train ? tr("training") : tr("test"), run.name,
                                 series == ParityChart::GcnTrain || series == ParityChart::GcnTest
                                     ? tr("GCN")
                                     : tr("linear"))
                            .arg(error, 0, 'g', 3),
                        atom);
                    return;
                }
            });

    m_previewTimer = new QTimer(this);
    m_previewTimer->setSingleShot(true);
    m_previewTimer->setInterval(200);
    connect(m_previewTimer, &QTimer::timeout, this, &TrainingTab::previewDataDefaults);
    connect(m_panel, &TrainingPanel::dataDefaultsChanged, m_previewTimer,
            qOverload<>(&QTimer::start));

    // The worker lives on its own thread; its signals arrive here queued.
    m_worker = new TrainingWorker;
    m_worker->moveToThread(&m_thread);
    connect(m_worker, &TrainingWorker::runStarted, this, &TrainingTab::onRunStarted);
    connect(m_worker, &TrainingWorker::preparing, this, &TrainingTab::onPreparing);
    connect(m_worker, &TrainingWorker::prepared, this, &TrainingTab::onPrepared);
    connect(m_worker, &TrainingWorker::linearReady, this, &TrainingTab::onLinearReady);
    connect(m_worker, &TrainingWorker::epochFinished, this, &TrainingTab::onEpoch);
    connect(m_worker, &TrainingWorker::runFinished, this, &TrainingTab::onRunFinished);
    connect(m_worker, &TrainingWorker::failed, this, &TrainingTab::onFailed);
    connect(m_worker, &TrainingWorker::allFinished, this, &TrainingTab::onAllFinished);
    m_thread.setObjectName(QStringLiteral("training"));
    m_thread.start();
    updateButtons();
}

TrainingTab::~TrainingTab() {
    // The trainer checks the flag before every batch, so this returns quickly.
    m_worker->requestStop();
    m_thread.quit();
    m_thread.wait();
    delete m_worker;
}

void TrainingTab::setDataset(std::shared_ptr<const Dataset> dataset, const QString& label) {
    m_data = std::move(dataset);
    m_dataLabel = label;
    m_dataSource = RunDataSource{};
    m_dataSource.label = label;
    if (m_data)
        m_panel->setDataSize(static_cast<int>(m_data->size()));
    showDataInfo();
    updateButtons();
    m_previewTimer->start();
}

void TrainingTab::showDataInfo() {
    QString text = m_data ? tr("%1: %2 configurations")
                                .arg(m_dataLabel.isEmpty() ? tr("data") : m_dataLabel)
                                .arg(m_data->size())
                          : tr("no data");
    if (m_testData)
        text += tr("; test: %1 (%2)").arg(QFileInfo(m_testPath).fileName()).arg(m_testData->size());
    m_dataInfo->setText(text);
    m_dataInfo->setToolTip(text);
}

void TrainingTab::openTestFile(const QString& path) {
    m_testButton->setEnabled(false);
    m_testLoad->setFuture(QtConcurrent::run([path]() {
        TestFileLoad load;
        load.path = path;
        try {
            load.data = std::make_shared<const Dataset>(readStructureFile(path.toStdString()));
            if (load.data->size() == 0)
                load.error = tr("%1 has no configuration").arg(path);
        } catch (const std::exception& e) {
            load.error = QString::fromUtf8(e.what());
        }
        return load;
    }));
}

void TrainingTab::setTestData(std::shared_ptr<const Dataset> test, const QString& path) {
    m_testData = std::move(test);
    m_testPath = m_testData ? path : QString();
    m_panel->setTestFile(m_testPath);
    m_clearTestButton->setVisible(m_testData != nullptr);
    showDataInfo();
}

void TrainingTab::clearTestData() {
    setTestData(nullptr, {});
    Q_EMIT testDataChanged(true);
}

void TrainingTab::previewDataDefaults() {
    const ExperimentConfig config = m_panel->config();
    const AceConfig& ace = config.ace;
    if (!m_data || m_data->size() == 0 || m_running ||
        !(ace.autoR0 || ace.autoRcut || ace.autoDegrees || config.graph.autoCutoff))
        return;
    const int generation = ++m_previewGeneration;
    struct Preview {
        bool ok = false;
        AceConfig ace;
        double cutoff = 0; // the graph cutoff "auto" gives, when it is auto
    };
    auto* watcher = new QFutureWatcher<Preview>(this);
    connect(watcher, &QFutureWatcher<Preview>::finished, this, [this, watcher, generation]() {
        watcher->deleteLater();
        const Preview preview = watcher->result();
        // A newer preview (running, or waiting for its timer), a run (which shows its own
        // values) win.
        if (generation != m_previewGeneration || m_previewTimer->isActive() || m_running ||
            !preview.ok)
            return;
        m_panel->showResolvedAce(preview.ace);
        m_panel->showResolvedCutoff(preview.cutoff);
        Q_EMIT dataDefaultsShown();
    });
    watcher->setFuture(QtConcurrent::run([config, data = m_data]() {
        Preview preview;
        try {
            const ExperimentConfig resolved = resolveDataDefaults(config, *data);
            preview.ace = resolved.ace;
            if (config.graph.autoCutoff)
                preview.cutoff = resolved.graph.options.cutoff;
            preview.ok = true;
        } catch (const std::exception&) {
            // Not shown: Start reports the same problem in its own words.
        }
        return preview;
    }));
}

QStringList TrainingTab::exportCharts(const QString& folder,
                                      const ChartExportOptions& options) const {
    QStringList written;
    const QDir dir(folder);
    for (const auto& [stem, widget] : chartWidgets()) {
        const QString png = dir.filePath(stem + QStringLiteral(".png"));
        exportWidgetPng(widget, png, options.width, options.height, options.scale);
        const QString svg = dir.filePath(stem + QStringLiteral(".svg"));
        exportWidgetSvg(widget, svg, stem);
        written << png << svg;
    }
    return written;
}

QList<QPair<QString, QWidget*>> TrainingTab::chartWidgets() const {
    QList<QPair<QString, QWidget*>> charts = {{QStringLiteral("loss"), m_charts->lossView()},
                                              {QStringLiteral("rmse"), m_charts->rmseView()}};
    m_charts->flush(); // what is buffered decides whether there are force curves
    if (m_charts->hasForceCurves())
        charts.append({QStringLiteral("force_rmse"), m_charts->forceRmseView()});
    charts.append({QStringLiteral("learning_rate"), m_charts->learningRateView()});
    charts.append({QStringLiteral("parity"), m_parity});
    charts.append({QStringLiteral("energy_errors"), m_energyErrors});
    if (!m_forceColumn->isHidden()) {
        charts.append({QStringLiteral("force_parity"), m_forceParity});
        charts.append({QStringLiteral("force_errors"), m_forceErrors});
    }
    if (!m_sweepColumn->isHidden())
        charts.append({QStringLiteral("sweep"), m_sweepChart});
    if (!m_sweepColumn->isHidden() && !m_forceSweepChart->isHidden())
        charts.append({QStringLiteral("force_sweep"), m_forceSweepChart});
    return charts;
}

const TrainingRunRecord* TrainingTab::currentRun() const {
    const int selected = m_results->selectedRun();
    if (selected >= 0 && selected < static_cast<int>(m_runs.size()))
        return &m_runs[selected];
    return m_runs.empty() ? nullptr : &m_runs.back();
}

// --- starting and controlling ------------------------------------------------------------------

bool TrainingTab::start() {
    TrainingJob job;
    job.config = m_panel->config();
    job.name = job.config.preset.empty() ? tr("run") : QString::fromStdString(job.config.preset);
    if (!job.config.preset.empty() && !m_panel->changesFromPreset().isEmpty())
        job.name = tr("%1 (modified)").arg(job.name);
    return startJobs({job});
}

void TrainingTab::clearRuns() {
    setRuns({}); // earlier runs too
}

bool TrainingTab::startSweep(const QString& spec, const QString& label) {
    std::vector<TrainingJob> jobs;
    try {
        const SettingSweep sweep = parseSettingSweep(spec.trimmed().toStdString());
        const ExperimentConfig base = m_panel->config();
        QString name = label;
        if (name.isEmpty()) {
            // The key's last named part: "graph.cutoff" → "cutoff".
            const QStringList parts = QString::fromStdString(sweep.key).split(QLatin1Char('.'));
            for (const QString& part : parts)
                if (part != QLatin1String("*") && !part.at(0).isDigit())
                    name = part;
        }
        for (std::size_t k = 0; k < sweep.values.size(); ++k) {
            TrainingJob job;
            const QString value = QString::fromStdString(sweep.values[k]);
            job.name = name + QLatin1Char(' ') + value;
            job.config = sweepConfig(base, sweep, k);
            job.sweepKey = QString::fromStdString(sweep.key);
            bool numeric = false;
            const double x = value.toDouble(&numeric);
            if (numeric)
                job.sweepValue = x;
            jobs.push_back(job);
        }
    } catch (const std::exception& e) {
        setError(QString::fromStdString(e.what()));
        return false;
    }
    return startJobs(jobs);
}

bool TrainingTab::startTrainingSizeSweep(const QList<int>& sizes) {
    QStringList values;
    for (int size : sizes) {
        if (size < 1) {
            setError(tr("Training sizes must be positive (got %1).").arg(size));
            return false;
        }
        values << QString::number(size);
    }
    return startSweep(QStringLiteral("data.train_size=") + values.join(QLatin1Char(',')),
                      tr("train"));
}

bool TrainingTab::startActivationSweep(const QStringList& activations) {
    QStringList values;
    for (const QString& name : activations)
        values << name.trimmed();
    return startSweep(QStringLiteral("model.graph_layers.*.activation=") +
                          values.join(QLatin1Char(',')),
                      tr("act"));
}

bool TrainingTab::startJobs(const std::vector<TrainingJob>& jobs) {
    return startJobs(jobs, 0);
}

bool TrainingTab::startJobs(std::vector<TrainingJob> jobs, int firstIndex) {
    ++m_previewGeneration; // the run shows what it chose
    if (m_running) {
        setError(tr("A training run is in progress."));
        return false;
    }
    if (!m_data || m_data->size() == 0) {
        setError(tr("No data is loaded."));
        return false;
    }
    if (jobs.empty()) {
        setError(tr("Nothing to run."));
        return false;
    }
    for (const TrainingJob& job : jobs) {
        try {
            validate(job.config);
            checkDevice(job.config.training.device);
        } catch (const std::exception& e) {
            setError(tr("%1: %2").arg(job.name, QString::fromStdString(e.what())));
            return false;
        }
    }
    // Every run keeps a checkpoint while it trains, so that a stop or a crash loses nothing.
    for (TrainingJob& job : jobs) {
        if (job.checkpoint.isEmpty())
            job.checkpoint = newCheckpointPath();
        job.checkpointNote = checkpointNote(job, m_dataSource);
    }
    m_lastError.clear();
    // Continuing keeps the runs before firstIndex (shown again as they were).
    std::vector<TrainingRunRecord> kept;
    if (firstIndex > 0 && firstIndex <= static_cast<int>(m_runs.size()) &&
        firstIndex <= static_cast<int>(m_jobs.size())) {
        kept.assign(m_runs.begin(), m_runs.begin() + firstIndex);
        m_jobs.resize(firstIndex);
    } else {
        firstIndex = 0;
        archiveRuns(jobs.front());
        // Numbered in the order started, so that runs kept for comparison are told apart.
        for (TrainingJob& job : jobs)
            if (!job.resume)
                job.name = tr("#%1 %2").arg(++m_runNumber).arg(job.name);
        dropCheckpoints(jobs);
        m_jobs.clear();
        m_runsData = m_data;
        m_runsTestData = m_testData;
        m_runsTestPath = m_testPath;
    }
    m_jobs.insert(m_jobs.end(), jobs.begin(), jobs.end());
    int planned = 0;
    for (const TrainingJob& job : m_jobs)
        planned += totalEpochs(job.config.optimiser);
    showRuns(std::move(kept));
    m_sweepChart->clear();
    m_forceSweepChart->clear();
    m_forceSweepChart->hide();
    m_sweepColumn->hide();
    showSweep();
    m_warnings.clear();
    showWarning({});
    m_plannedEpochs = planned;
    m_epochsBeforeCurrent = 0;
    m_currentEpoch = 0;
    m_currentIndex = -1;
    m_epochSeconds = 0;
    m_epochsSeen = 0;
    m_prepareFraction = 0;
    m_running = true;
    m_paused = false;
    m_statusClock.invalidate();
    m_status->setStyleSheet({});
    m_worker->resetControls();
    TrainingWorker* worker = m_worker;
    auto data = m_runsData;
    auto testData = m_runsTestData;
    QMetaObject::invokeMethod(
        worker,
        [worker, jobs, data, testData, firstIndex]() {
            worker->run(jobs, data, testData, firstIndex);
        },
        Qt::QueuedConnection);
    updateButtons();
    updateProgress(true);
    Q_EMIT runsChanged();
    Q_EMIT trainingStarted();
    return true;
}

void TrainingTab::keepLastEarlierRuns() {
    if (m_earlierRuns.size() > kMaxEarlierRuns)
        m_earlierRuns.erase(m_earlierRuns.begin(),
                            m_earlierRuns.end() - static_cast<std::ptrdiff_t>(kMaxEarlierRuns));
}

void TrainingTab::archiveRuns(const TrainingJob& next) {
    // Kept where they compare: trained on the same data and test data, with at least one epoch
    // or a linear fit to show; a run with another loss keeps its table rows but not its curves
    // (one loss axis).
    // The test file by its path: a session restored reads it again into a new dataset.
    const bool sameData = m_runsData == m_data && m_runsTestPath == m_testPath;
    if (!sameData) {
        m_earlierRuns.clear();
        return;
    }
    for (const TrainingRunRecord& run : m_runs)
        if (!run.history.empty() || run.linear.train.configurations > 0) {
            // What the comparison shows (config, curves, metrics); not the prepared data, the
            // weights and the per-point predictions, which can take gigabytes per run.
            TrainingRunRecord kept = run;
            kept.model.reset();
            kept.prepared.reset();
            kept.errors.reset();
            for (ParityPoints* points :
                 {&kept.gcnParityTrain, &kept.gcnParityTest, &kept.linearParityTrain,
                  &kept.linearParityTest, &kept.gcnForceParityTrain, &kept.gcnForceParityTest,
                  &kept.linearForceParityTrain, &kept.linearForceParityTest})
                *points = ParityPoints{};
            for (std::vector<double>* predictions :
                 {&kept.linear.trainPredicted, &kept.linear.testPredicted,
                  &kept.linear.trainPredictedForces, &kept.linear.testPredictedForces})
                std::vector<double>().swap(*predictions);
            m_earlierRuns.push_back(std::move(kept));
        }
    for (TrainingRunRecord& run : m_earlierRuns)
        if (run.config.optimiser.loss != next.config.optimiser.loss)
            run.history.clear(); // its loss is on another scale; its table rows stay
    keepLastEarlierRuns();
}

void TrainingTab::dropCheckpoints(const std::vector<TrainingJob>& keep) {
    for (const TrainingJob& old : m_jobs) {
        const bool kept = std::any_of(keep.begin(), keep.end(), [&](const TrainingJob& job) {
            return job.checkpoint == old.checkpoint;
        });
        if (!old.checkpoint.isEmpty() && !kept)
            discardCheckpoint(old.checkpoint);
    }
}

int TrainingTab::stoppedRun() const {
    if (m_running || !m_data || m_data != m_runsData)
        return -1;
    for (int i = 0; i < static_cast<int>(m_runs.size()) && i < static_cast<int>(m_jobs.size());
         ++i) {
        const TrainingRunRecord& run = m_runs[i];
        if (run.finished && run.outcome.stop == TrainingStop::Cancelled &&
            QFileInfo::exists(m_jobs[i].checkpoint))
            return i;
    }
    return -1;
}

bool TrainingTab::continueStopped() {
    const int index = stoppedRun();
    if (index < 0) {
        setError(tr("There is no stopped run to continue (on the data loaded now)."));
        return false;
    }
    std::vector<TrainingJob> jobs(m_jobs.begin() + index, m_jobs.end());
    jobs.front().resume = true;
    for (std::size_t k = 1; k < jobs.size(); ++k)
        jobs[k].checkpoint.clear(); // never started: fresh files
    return startJobs(jobs, index);
}

bool TrainingTab::resumeCheckpoint(const RunCheckpoint& checkpoint) {
    TrainingJob job;
    job.name = checkpoint.name;
    job.config = checkpoint.config;
    job.sweepKey = checkpoint.sweepKey;
    job.sweepValue = checkpoint.sweepValue;
    job.checkpoint = checkpoint.path;
    job.resume = true;
    if (!m_running)
        m_panel->setConfig(checkpoint.config);
    return startJobs({job}, 0);
}

void TrainingTab::setDataSource(const RunDataSource& source) {
    m_dataSource = source;
}

void TrainingTab::showInterruptedRuns(std::vector<RunCheckpoint> runs) {
    m_interrupted = std::move(runs);
    showNextInterruptedRun();
}

void TrainingTab::showNextInterruptedRun() {
    if (m_interrupted.empty()) {
        m_interruptedBar->hide();
        return;
    }
    const RunCheckpoint& run = m_interrupted.front();
    const QString data = run.data.builtInSample      ? tr("the built-in sample")
                         : !run.data.label.isEmpty() ? run.data.label
                                                     : tr("data loaded then");
    QString text = tr("<b>A training run did not finish:</b> “%1” on %2, stopped after epoch %3 "
                      "of %4 (%5). Resume it from there, or discard it?")
                       .arg(run.name.toHtmlEscaped(), data.toHtmlEscaped())
                       .arg(run.epoch)
                       .arg(run.totalEpochs)
                       .arg(QLocale().toString(run.written, QLocale::ShortFormat));
    if (m_interrupted.size() > 1)
        text += tr(" (%1 more after this one)").arg(m_interrupted.size() - 1);
    m_interruptedText->setText(text);
    m_interruptedBar->show();
}

void TrainingTab::pause() {
    if (!m_running || m_paused)
        return;
    m_paused = true;
    m_worker->setPaused(true);
    updateButtons();
    updateProgress(true);
}

void TrainingTab::resume() {
    if (!m_running || !m_paused)
        return;
    m_paused = false;
    m_worker->setPaused(false);
    updateButtons();
    updateProgress(true);
}

void TrainingTab::stop() {
    if (!m_running)
        return;
    m_worker->requestStop();
    m_paused = false;
    m_status->setText(tr("Stopping…"));
    updateButtons();
}

void TrainingTab::askTrainingSizeSweep() {
    bool ok = false;
    const QString text =
        QInputDialog::getText(this, tr("Training-size sweep"),
                              tr("Training sizes (configurations), one run each, overlaid:"),
                              QLineEdit::Normal, QStringLiteral("25, 50, 100, 200"), &ok);
    if (!ok)
        return;
    QList<int> sizes;
    for (const QString& part :
         text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts)) {
        bool isNumber = false;
        const int size = part.toInt(&isNumber);
        if (!isNumber) {
            setError(tr("“%1” is not a training size.").arg(part));
            return;
        }
        sizes << size;
    }
    startTrainingSizeSweep(sizes);
}

void TrainingTab::askSweep(const QString& title, const QString& prompt, const QString& suggestion) {
    bool ok = false;
    QString text = QInputDialog::getText(this, title, prompt, QLineEdit::Normal, suggestion, &ok);
    if (!ok)
        return;
    // The cutoff dialog asks for values only.
    if (!text.contains(QLatin1Char('=')))
        text = QStringLiteral("graph.cutoff=") + text;
    startSweep(text);
}

void TrainingTab::askActivationSweep() {
    bool ok = false;
    const QString text = QInputDialog::getText(
        this, tr("Activation sweep"),
        tr("Activations of the graph layers (identity, relu, leaky_relu, tanh, sigmoid, silu, "
           "gelu, softplus), one run each:"),
        QLineEdit::Normal, QStringLiteral("tanh, relu, silu, identity"), &ok);
    if (!ok)
        return;
    startActivationSweep(
        text.split(QRegularExpression(QStringLiteral("[,;\\s]+")), Qt::SkipEmptyParts));
}

void TrainingTab::setRuns(std::vector<TrainingRunRecord> runs,
                          std::vector<TrainingRunRecord> earlier) {
    if (m_running)
        return;
    dropCheckpoints({});
    m_jobs.clear(); // restored runs have no checkpoints to continue from
    m_earlierRuns = std::move(earlier);
    keepLastEarlierRuns();
    // Restored runs count as trained on the data now loaded (a session loads its files first),
    // so that the next Start keeps them for comparison; numbering goes on after theirs.
    m_runsData = m_data;
    m_runsTestData.reset();
    const std::vector<TrainingRunRecord>& newest = runs.empty() ? m_earlierRuns : runs;
    m_runsTestPath =
        newest.empty() ? QString() : QString::fromStdString(newest.back().config.data.testFile);
    const QRegularExpression numbered(QStringLiteral("^#(\\d+) "));
    for (const std::vector<TrainingRunRecord>* list : {&runs, &m_earlierRuns})
        for (const TrainingRunRecord& run : *list) {
            const QRegularExpressionMatch number = numbered.match(run.name);
            if (number.hasMatch())
                m_runNumber = std::max(m_runNumber, number.captured(1).toInt());
        }
    showRuns(std::move(runs));
    updateButtons();
    Q_EMIT runsChanged();
}

void TrainingTab::showRuns(std::vector<TrainingRunRecord> runs) {
    m_runs = std::move(runs);
    m_parityRun = -1;
    Q_EMIT errorsChanged();
    m_charts->clear();
    std::vector<TrainingCharts::EarlierRun> earlier;
    for (const TrainingRunRecord& run : m_earlierRuns)
        earlier.push_back({run.name, run.history});
    m_charts->setEarlierRuns(earlier);
    m_parity->clear();
    m_forceParity->clear();
    m_energyErrors->clear();
    m_forceErrors->clear();
    m_forceColumn->hide();
    for (int i = 0; i < static_cast<int>(m_runs.size()); ++i) {
        m_charts->addRun(m_runs[i].name);
        showLinear(i);
        for (const EpochRecord& record : m_runs[i].history)
            m_charts->addEpoch(i, record);
    }
    if (!m_runs.empty())
        m_charts->setLossUnit(lossUnit(m_runs.front().config.optimiser.loss));
    m_charts->flush();
    m_results->setRuns(m_runs, m_earlierRuns);
    showSweep();
    if (!m_runs.empty())
        showParity(m_runs.back());
}

// --- worker signals ------------------------------------------------------------------------------

void TrainingTab::onRunStarted(int index, const QString& name) {
    m_currentIndex = index;
    m_epochsBeforeCurrent = 0;
    for (int i = 0; i < index && i < static_cast<int>(m_jobs.size()); ++i)
        m_epochsBeforeCurrent += totalEpochs(m_jobs[i].config.optimiser);
    m_currentEpoch = 0;
    m_prepareFraction = 0;
    if (static_cast<int>(m_runs.size()) <= index)
        m_runs.resize(index + 1);
    m_runs[index].name = name;
    if (index < static_cast<int>(m_jobs.size())) {
        m_runs[index].config = m_jobs[index].config;
        m_runs[index].sweepKey = m_jobs[index].sweepKey;
        m_runs[index].sweepValue = m_jobs[index].sweepValue;
    }
    while (m_charts->runCount() <= index)
        m_charts->addRun(m_runs[m_charts->runCount()].name);
    m_charts->setLossUnit(lossUnit(m_runs[index].config.optimiser.loss));
    updateProgress(true);
    Q_EMIT runStarted(index, name);
}

void TrainingTab::onPreparing(double fraction) {
    m_prepareFraction = fraction;
    updateProgress(false);
}

void TrainingTab::onPrepared(int index, std::shared_ptr<const PreparedExperiment> prepared) {
    if (index < 0 || index >= static_cast<int>(m_runs.size()) || !prepared)
        return;
    m_runs[index].prepared = prepared;
    m_runs[index].config = prepared->config;
    // What "auto" chose for this data, where the user looks for it.
    m_panel->showResolvedAce(prepared->config.ace);
    if (index < static_cast<int>(m_jobs.size())) {
        // "auto" epochs are known now: the progress bar and the ETA count the resolved ones.
        OptimiserConfig& planned = m_jobs[index].config.optimiser;
        m_plannedEpochs += totalEpochs(prepared->config.optimiser) - totalEpochs(planned);
        planned.phases = prepared->config.optimiser.phases;
    }
    const QString warning = QString::fromStdString(prepared->graphWarning);
    if (!warning.isEmpty()) {
        const QString line =
            m_jobs.size() > 1 ? tr("%1: %2").arg(m_runs[index].name, warning) : warning;
        if (!m_warnings.contains(line))
            m_warnings << line;
        showWarning(m_warnings.join(QLatin1Char('\n')));
    }
}

void TrainingTab::onLinearReady(int index, const LinearBaseline& linear) {
    if (index < 0 || index >= static_cast<int>(m_runs.size()))
        return;
    TrainingRunRecord& run = m_runs[index];
    run.linear = linear;
    if (run.prepared) {
        run.linearParityTrain = parityPoints(run.prepared->trainGraphs, linear.trainPredicted);
        run.linearParityTest = parityPoints(run.prepared->testGraphs, linear.testPredicted);
        run.linearForceParityTrain =
            forceParityPoints(run.prepared->train, linear.trainPredictedForces);
        run.linearForceParityTest =
            forceParityPoints(run.prepared->test, linear.testPredictedForces);
    }
    showLinear(index);
    showParity(run);
    m_results->setRuns(m_runs, m_earlierRuns);
    Q_EMIT linearReady(index);
}

void TrainingTab::showParity(const TrainingRunRecord& run) {
    m_parityRun = &run >= m_runs.data() && &run < m_runs.data() + m_runs.size()
                      ? static_cast<int>(&run - m_runs.data())
                      : -1;
    m_parity->setRun(run);
    m_energyErrors->setRun(run);
    const bool forces = ParityChart::hasPoints(run, ParityChart::Forces);
    if (forces) {
        m_forceParity->setRun(run);
        m_forceErrors->setRun(run);
    }
    if (forces != !m_forceColumn->isHidden()) {
        m_forceColumn->setVisible(forces);
        shareBottomSpace();
    }
    Q_EMIT errorsChanged();
}

const TrainingRunRecord* TrainingTab::shownRunOnLoadedData() const {
    // Its split indexes the loaded data only if no other data was loaded since.
    if (m_parityRun < 0 || m_parityRun >= static_cast<int>(m_runs.size()) || m_runsData != m_data)
        return nullptr;
    return &m_runs[m_parityRun];
}

const TrainingRunRecord* TrainingTab::errorRun() const {
    const TrainingRunRecord* run = shownRunOnLoadedData();
    return run && run->errors ? run : nullptr;
}

void TrainingTab::showSweep() {
    const bool energy = m_sweepChart->setRuns(m_runs) > 0;
    m_forceSweepChart->setVisible(m_forceSweepChart->setRuns(m_runs) > 0);
    if (energy != !m_sweepColumn->isHidden()) {
        m_sweepColumn->setVisible(energy);
        shareBottomSpace();
    }
}

void TrainingTab::shareBottomSpace() {
    // Columns shown later than the splitter was laid out: the visible chart columns share
    // 70 % of the width equally and the results table keeps 30 %, instead of being squeezed.
    const QList<int> sizes = m_bottomSplitter->sizes();
    int total = 0;
    for (int size : sizes)
        total += size;
    if (total <= 0)
        return;
    const QList<QWidget*> columns = {m_energyColumn, m_forceColumn, m_sweepColumn};
    int shown = 0;
    for (QWidget* c : columns)
        shown += c->isHidden() ? 0 : 1;
    const int each = shown > 0 ? total * 7 / (10 * shown) : 0;
    QList<int> wanted;
    for (QWidget* c : columns)
        wanted << (c->isHidden() ? 0 : each);
    wanted << total - each * shown;
    m_bottomSplitter->setSizes(wanted);
}

void TrainingTab::showLinear(int index) {
    const TrainingRunRecord& run = m_runs[index];
    if (run.linear.train.configurations == 0)
        return;
    const LossKind loss = run.config.optimiser.loss;
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const bool hasTest = run.linear.test.configurations > 0;
    m_charts->setLinearReference(
        index, linearLossFromMetrics(run.linear.train, loss),
        linearLossFromMetrics(run.linear.test, loss), run.linear.train.energyRmseMevPerAtom,
        hasTest ? run.linear.test.energyRmseMevPerAtom : nan,
        run.linear.train.forceComponents > 0 ? run.linear.train.forceRmseEvPerA : nan,
        hasTest && run.linear.test.forceComponents > 0 ? run.linear.test.forceRmseEvPerA : nan);
}

void TrainingTab::onEpoch(int index, const EpochRecord& record) {
    if (index < 0 || index >= static_cast<int>(m_runs.size()))
        return;
    m_runs[index].history.push_back(record);
    m_charts->addEpoch(index, record);
    m_currentEpoch = record.epoch;
    if (std::isfinite(record.seconds)) {
        m_epochSeconds += record.seconds;
        ++m_epochsSeen;
    }
    updateProgress(false);
    Q_EMIT epochFinished(index, record);
}

void TrainingTab::onRunFinished(int index, std::shared_ptr<const TrainingRunRecord> run) {
    if (index < 0 || index >= static_cast<int>(m_runs.size()) || !run)
        return;
    m_runs[index] = *run;
    if (index < static_cast<int>(m_jobs.size())) {
        m_runs[index].sweepKey = m_jobs[index].sweepKey;
        m_runs[index].sweepValue = m_jobs[index].sweepValue;
    }
    showSweep();
    if (run->outcome.stop == TrainingStop::Diverged || !run->outcome.message.empty()) {
        if (run->outcome.stop == TrainingStop::Diverged) {
            m_warnings << tr("%1: %2").arg(run->name, QString::fromStdString(run->outcome.message));
            showWarning(m_warnings.join(QLatin1Char('\n')));
        }
    }
    if (!run->outcome.checkpointError.empty()) {
        m_warnings << tr("%1: the checkpoint could not be written (%2); the run cannot be "
                         "continued after a stop or crash.")
                          .arg(run->name, QString::fromStdString(run->outcome.checkpointError));
        showWarning(m_warnings.join(QLatin1Char('\n')));
    }
    m_charts->flush();
    showParity(m_runs[index]);
    m_results->setRuns(m_runs, m_earlierRuns);
    Q_EMIT runsChanged();
    Q_EMIT runFinished(index);
}

void TrainingTab::onFailed(int index, const QString& message) {
    const QString name = index >= 0 && index < static_cast<int>(m_runs.size())
                             ? m_runs[index].name
                             : tr("run %1").arg(index + 1);
    setError(tr("%1: %2").arg(name, message));
    Q_EMIT runFailed(index, message);
}

void TrainingTab::onAllFinished() {
    m_running = false;
    m_paused = false;
    m_charts->flush();
    updateButtons();
    updateProgress(true);
    Q_EMIT trainingFinished();
}

// --- display
// ---------------------------------------------------------------------------------------

void TrainingTab::setError(const QString& text) {
    m_lastError = text;
    m_status->setText(text);
    m_status->setToolTip(text);
    m_status->setStyleSheet(QStringLiteral("color: #b00000;"));
}

void TrainingTab::showWarning(const QString& text) {
    m_warning->setText(text);
    m_warning->setVisible(!text.isEmpty());
}

void TrainingTab::updateButtons() {
    const bool haveData = m_data && m_data->size() > 0;
    const QString problem = m_panel->problem();
    m_start->setEnabled(!m_running && haveData && problem.isEmpty());
    m_start->setToolTip(!haveData            ? tr("Load data first")
                        : !problem.isEmpty() ? problem
                                             : tr("Train with the settings on the left; the "
                                                  "runs shown stay, faded, for comparison"));
    m_clear->setEnabled(!m_running && (!m_runs.empty() || !m_earlierRuns.empty()));
    m_sweep->setEnabled(!m_running && haveData);
    m_pause->setEnabled(m_running && !m_paused);
    m_resume->setEnabled(m_running && m_paused);
    // One place in the row for the two (narrow windows): Resume only while paused.
    m_pause->setVisible(!m_paused);
    m_resume->setVisible(m_paused);
    m_stop->setEnabled(m_running);
    const bool canContinue = stoppedRun() >= 0;
    m_continue->setEnabled(canContinue);
    m_continue->setVisible(canContinue);
    m_panel->setEnabled(!m_running);
}

void TrainingTab::updateProgress(bool force) {
    // Epochs can arrive by the hundred per second: the status text changes at most every 100 ms.
    if (!force && m_statusClock.isValid() && m_statusClock.elapsed() < 100)
        return;
    m_statusClock.start();
    const int done = std::min(m_plannedEpochs, m_epochsBeforeCurrent + m_currentEpoch);
    m_progress->setValue(m_plannedEpochs > 0 ? static_cast<int>(1000.0 * done / m_plannedEpochs)
                                             : 0);
    if (!m_running) {
        if (m_lastError.isEmpty()) {
            int finished = 0;
            for (const auto& run : m_runs)
                finished += run.finished ? 1 : 0;
            const int stopped = stoppedRun();
            if (stopped >= 0) {
                // Not "Done": say which weights the run holds (those of its last whole epoch).
                m_status->setText(tr("Stopped at epoch %1/%2 (weights of epoch %1 kept)")
                                      .arg(m_runs[stopped].outcome.epochsRun)
                                      .arg(totalEpochs(m_runs[stopped].config.optimiser)));
                m_status->setToolTip(tr("Continue goes on from the last whole epoch"));
            } else {
                m_status->setText(
                    m_runs.empty()
                        ? tr("Ready")
                        : tr("Done: %1 of %2 runs finished").arg(finished).arg(m_runs.size()));
                m_status->setToolTip({});
            }
        }
        return;
    }
    if (!m_lastError.isEmpty())
        return; // keep a failure of an earlier run of the list readable
    const int runs = static_cast<int>(m_jobs.size());
    const QString which =
        runs > 1 ? tr("Run %1/%2 (%3) — ")
                       .arg(m_currentIndex + 1)
                       .arg(runs)
                       .arg(m_currentIndex >= 0 && m_currentIndex < static_cast<int>(m_runs.size())
                                ? m_runs[m_currentIndex].name
                                : QString())
                 : QString();
    QString text;
    if (m_currentIndex < 0) {
        text = tr("Starting…");
    } else if (m_currentEpoch == 0) {
        text = which + tr("preparing descriptors and graphs… %1 %")
                           .arg(static_cast<int>(m_prepareFraction * 100));
    } else {
        const int runEpochs = m_currentIndex < static_cast<int>(m_jobs.size())
                                  ? totalEpochs(m_jobs[m_currentIndex].config.optimiser)
                                  : 0;
        const double perEpoch = m_epochsSeen > 0 ? m_epochSeconds / m_epochsSeen : 0.0;
        text = which + tr("epoch %1/%2 · ETA %3")
                           .arg(m_currentEpoch)
                           .arg(runEpochs)
                           .arg(durationText(perEpoch * (m_plannedEpochs - done)));
    }
    if (m_paused)
        text += tr(" — paused");
    m_status->setText(text);
}

} // namespace graphace::ui
