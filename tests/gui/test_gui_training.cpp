// The Training tab driven through the real main window: settings round trip, a short study
// run with live progress, Stop, Pause / Resume, a training-size sweep, the UI thread's longest
// stall while training. Needs a display (run under xvfb-run).
#include "graphace/experiment_config.h"
#include "graphace/experiment_run.h"
#include "graphace/extxyz.h"
#include "graphace/gcn_trainer.h"
#include "graphace/sample_dataset.h"
#include "graphace/ui/colour_bar.h"
#include "graphace/ui/cutoff_panel.h"
#include "graphace/ui/dataset_model.h"
#include "graphace/ui/error_histogram.h"
#include "graphace/ui/main_window.h"
#include "graphace/ui/parity_chart.h"
#include "graphace/ui/range_spin_box.h"
#include "graphace/ui/results_table.h"
#include "graphace/ui/run_checkpoints.h"
#include "graphace/ui/session_file.h"
#include "graphace/ui/structure_scene.h"
#include "graphace/ui/structure_view.h"
#include "graphace/ui/sweep_chart.h"
#include "graphace/ui/training_charts.h"
#include "graphace/ui/training_export.h"
#include "graphace/ui/training_panel.h"
#include "graphace/ui/training_tab.h"
#include "graphace/ui/training_worker.h"
#include "graphace/ui/vtk_viewport.h"
#include "gui_testing.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QElapsedTimer>
#include <QImage>
#include <QInputDialog>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QMenu>
#include <QProcess>
#include <QProgressBar>
#include <QPushButton>
#include <QScatterSeries>
#include <QSignalSpy>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QtTest>

#include <algorithm>
#include <cmath>
#include <ctime>
#include <memory>

using namespace graphace;
using namespace graphace::ui;

namespace {

// Configurations of the built-in sample used here: enough for a 16/8 split, small enough that
// an epoch of the study model (batch 1) takes milliseconds.
constexpr int kConfigurations = 24;

// Every field, as the JSON schema writes it: comparing documents compares all fields at once.
nlohmann::json asJson(const ExperimentConfig& config) {
    nlohmann::json j;
    to_json(j, config);
    return j;
}

int epochOf(const QList<QVariant>& signalArguments) {
    return signalArguments.at(1).value<EpochRecord>().epoch;
}

} // namespace

class TestGuiTraining : public QObject {
    Q_OBJECT
public:
    static void initMain() { testing::prepareGuiTestProcess(); }

private:
    std::unique_ptr<MainWindow> m_window;
    TrainingTab* m_tab = nullptr;
    TrainingRunRecord m_uninterrupted; // of stopThenContinueEqualsAnUninterruptedRun

    TrainingPanel* panel() const { return m_tab->panel(); }

    // The study preset (self-loops only, batch 1, raw total energy), shortened.
    // Whether the tab's chart export includes `widget` under the file stem `stem`.
    bool exportsChart(const QString& stem, QWidget* widget) const {
        for (const auto& [name, chart] : m_tab->chartWidgets())
            if (name == stem && chart == widget)
                return true;
        return false;
    }

    // The runs' series CSV as exportSeriesCsv writes it (empty if it cannot be read back).
    static QByteArray seriesCsvOf(const std::vector<TrainingRunRecord>& runs) {
        QTemporaryDir dir;
        const QString csv = dir.filePath(QStringLiteral("series.csv"));
        exportSeriesCsv(runs, csv);
        QFile file(csv);
        return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
    }

    // The recommended preset (forces, ACE from the data) with a small network, three epochs.
    static ExperimentConfig smallRecommendedConfig() {
        ExperimentConfig c = presetConfig("recommended");
        c.data.trainSize = 16;
        c.data.testSize = 8;
        c.optimiser.phases.at(0).epochs = 3;
        c.optimiser.phases.at(0).autoEpochs = false;
        c.model.graphLayers = {{8, Activation::Silu}, {8, Activation::Silu}};
        c.model.denseLayers = {{8, Activation::Silu}, {1, Activation::Identity}};
        c.training.threads = 1;
        return c;
    }

    ExperimentConfig studyConfig(int epochs1, int epochs2) const {
        ExperimentConfig c = presetConfig("study-2023");
        c.data.trainSize = 16;
        c.data.testSize = 8;
        c.optimiser.phases.at(0).epochs = epochs1;
        c.optimiser.phases.at(1).epochs = epochs2;
        c.training.threads = 1;
        return c;
    }

    // The settings of the runs of the resume tests: the study, shuffled, checkpoints every 5.
    ExperimentConfig resumableConfig() const {
        ExperimentConfig config = studyConfig(40, 20);
        config.training.shuffle = true;
        config.training.checkpointEvery = 5;
        return config;
    }

    // Same epochs, losses and final weights (timings aside).
    static void checkSameRun(const TrainingRunRecord& run, const TrainingRunRecord& expected) {
        QCOMPARE(toString(run.outcome.stop), toString(expected.outcome.stop));
        QCOMPARE(run.history.size(), expected.history.size());
        for (std::size_t k = 0; k < run.history.size(); ++k) {
            QCOMPARE(run.history[k].epoch, expected.history[k].epoch);
            QCOMPARE(run.history[k].trainLoss, expected.history[k].trainLoss);
            QCOMPARE(run.history[k].testLoss, expected.history[k].testLoss);
        }
        QVERIFY(run.model && expected.model);
        QCOMPARE(run.model->parameterValues(), expected.model->parameterValues());
        QCOMPARE(run.gcnTest.energyRmseMevPerAtom, expected.gcnTest.energyRmseMevPerAtom);
    }

    // Those of the runs stopped by earlier tests of this process.
    static void removeCheckpoints() {
        QDir folder(processCheckpointFolder());
        for (const QString& file : folder.entryList({QStringLiteral("*.pt")}, QDir::Files))
            QVERIFY(folder.remove(file));
    }

    // Runs the panel's settings and stops it right after epoch `epoch`: on the worker's thread,
    // as the epoch is reported (a stop from the UI thread lands wherever the worker is by then).
    void startAndStopAfter(int epoch) {
        TrainingWorker* worker = m_tab->worker();
        auto stopAt = connect(
            worker, &TrainingWorker::epochFinished, worker,
            [worker, epoch](int, const EpochRecord& r) {
                if (r.epoch == epoch)
                    worker->requestStop();
            },
            Qt::DirectConnection);
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        disconnect(stopAt);
        const TrainingRunRecord& run = m_tab->runs().front();
        QCOMPARE(toString(run.outcome.stop), toString(TrainingStop::Cancelled));
        QCOMPARE(run.outcome.epochsRun, epoch);
    }

    // Rows of the results table that belong to earlier Starts (greyed, selecting no run).
    int earlierRows() const {
        int rows = 0;
        ResultsTable* table = m_tab->resultsTable();
        for (int row = 0; row < table->rowCount(); ++row)
            for (const TrainingRunRecord& run : m_tab->earlierRuns())
                if (table->item(row, ResultsTable::Run)->text() == run.name) {
                    ++rows;
                    break;
                }
        return rows;
    }

    bool waitFinished(int timeoutMs = 120000) {
        if (!m_tab->isRunning())
            return true;
        QSignalSpy finished(m_tab, &TrainingTab::trainingFinished);
        return finished.wait(timeoutMs);
    }

private Q_SLOTS:
    void initTestCase() {
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1400, 900);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QSignalSpy loaded(m_window.get(), &MainWindow::loadFinished);
        SampleOptions options;
        options.configurations = kConfigurations;
        m_window->loadSample(options);
        QVERIFY(loaded.wait(120000));
        QVERIFY(loaded.front().front().toBool());
        QTRY_VERIFY_WITH_TIMEOUT(!m_window->isBusy(), 60000);
        m_tab = m_window->trainingTab();
        QVERIFY(m_tab);
        // The former placeholder is now the real, enabled tab.
        const int index = m_window->tabs()->indexOf(m_tab);
        QVERIFY(index >= 0);
        QCOMPARE(m_window->tabs()->tabText(index), QStringLiteral("Training"));
        QVERIFY(m_window->tabs()->isTabEnabled(index));
        m_window->tabs()->setCurrentIndex(index);
        QCOMPARE(m_tab->dataset().get(), m_window->dataset().get());
        QVERIFY(m_tab->startButton()->isEnabled());
    }

    void presetsFillThePanel() {
        for (const std::string& name : presetNames()) {
            const int item = panel()->presetCombo()->findText(QString::fromStdString(name));
            QVERIFY2(item >= 0, name.c_str());
            panel()->presetCombo()->setCurrentIndex(item);
            Q_EMIT panel()->presetCombo()->activated(item);
            ExperimentConfig expected = presetConfig(name);
            expected.training.threads = TrainingPanel::kDefaultThreads; // the GUI's default
            // A preset that splits nothing holds out a fifth of the loaded data for testing.
            expected.data.testSize =
                TrainingPanel::defaultTestSize(static_cast<int>(m_window->dataset()->size()));
            QVERIFY(expected.data.testSize > 0);
            QCOMPARE(asJson(panel()->config()).dump(), asJson(expected).dump());
        }
    }

    // Whatever is typed stays: letters and out-of-range numbers turn the field red, the panel
    // names the field and the problem above the settings, Start stays off until it is mended.
    void invalidNumbersAreMarkedNotDropped() {
        panel()->applyPreset(QStringLiteral("recommended"));
        panel()->autoRcutBox()->setChecked(false);
        RealEdit* rcut = panel()->rcutEdit();
        QVERIFY(rcut->isEnabled());
        rcut->setFocus();
        rcut->selectAll();
        QTest::keyClicks(rcut, QStringLiteral("4.5x"));
        QCOMPARE(rcut->text(), QStringLiteral("4.5x")); // not swallowed
        QVERIFY(!rcut->isValid());
        QVERIFY(!panel()->problem().isEmpty());
        QVERIFY2(panel()->problem().contains(QStringLiteral("rcut")) &&
                     panel()->problem().contains(QStringLiteral("“4.5x” is not a number")),
                 qPrintable(panel()->problem()));
        QVERIFY(panel()->problemLabel()->isVisibleTo(panel()));
        QVERIFY(!m_tab->startButton()->isEnabled());
        QVERIFY(rcut->styleSheet().contains(QStringLiteral("background")));
        QVERIFY(rcut->fullToolTip().contains(QStringLiteral("Allowed: > 0 and ≤ 100")));
        QTest::keyClick(rcut, Qt::Key_Return); // editing finished: the text stays, marked
        QCOMPARE(rcut->text(), QStringLiteral("4.5x"));
        QTest::keyClick(rcut, Qt::Key_Backspace);
        QTest::keyClick(rcut, Qt::Key_Return);
        QVERIFY(rcut->isValid());
        QCOMPARE(panel()->config().ace.rcut, 4.5);
        QVERIFY(rcut->styleSheet().isEmpty());
        // A number out of range in the schedule table is named by its phase and column.
        auto* beta1 = qobject_cast<RealEdit*>(
            panel()->phaseTable()->table()->cellWidget(0, PhaseTable::Beta1));
        QVERIFY(beta1);
        beta1->setText(QStringLiteral("1.5"));
        QVERIFY2(panel()->problem().startsWith(QStringLiteral("Phase 1, β₁: 1.5 is outside")),
                 qPrintable(panel()->problem()));
        QVERIFY(!m_tab->startButton()->isEnabled());
        beta1->setText(QStringLiteral("0.9"));
        QVERIFY(panel()->problem().isEmpty());
        QVERIFY(m_tab->startButton()->isEnabled());
        panel()->applyPreset(QStringLiteral("recommended"));
    }

    // Whole numbers typed beyond a box's range are taken whole, brought to the bound when
    // editing ends, and said above the settings, naming the field; they do not block Start.
    void typedIntegersBeyondRangeAreSaid() {
        panel()->applyPreset(QStringLiteral("recommended"));
        auto typeInto = [](QSpinBox* box, const QString& text) {
            box->setFocus();
            box->selectAll();
            QTest::keyClicks(box, text);
            QTest::keyClick(box, Qt::Key_Return);
        };
        auto* epochs = qobject_cast<RangeSpinBox*>(
            panel()->phaseTable()->table()->cellWidget(0, PhaseTable::Epochs));
        QVERIFY(epochs);
        typeInto(epochs, QStringLiteral("20000000"));
        QCOMPARE(epochs->value(), epochs->maximum()); // not 2000000 with the last 0 refused
        QLabel* note = panel()->rangeNoteLabel();
        QVERIFY(note->isVisibleTo(panel()));
        QCOMPARE(note->text(),
                 QStringLiteral("Phase 1, epochs: 20000000 is outside 0 (auto) – 10000000: "
                                "set to 10000000"));
        QVERIFY(panel()->problem().isEmpty());
        QVERIFY(m_tab->startButton()->isEnabled());
        QCOMPARE(epochs->rangeText(), QStringLiteral("0 (auto) – 10000000"));
        // A number in range clears the note.
        typeInto(epochs, QStringLiteral("7"));
        QCOMPARE(epochs->value(), 7);
        QVERIFY(epochs->rangeNote().isEmpty());
        QVERIFY(!note->isVisibleTo(panel()));

        auto* width =
            qobject_cast<RangeSpinBox*>(panel()->denseLayerTable()->table()->cellWidget(0, 0));
        QVERIFY(width);
        typeInto(width, QStringLiteral("5000"));
        QCOMPARE(width->value(), 4096);
        QCOMPARE(note->text(),
                 QStringLiteral("Dense layer 1, width: 5000 is outside 1 – 4096: set to 4096"));
        QCOMPARE(panel()->config().model.denseLayers.front().width, 4096);

        // A form field is named by its label; typing the same bound again says it again.
        auto* bodyOrder = panel()->findChildren<RangeSpinBox*>().first();
        for (RangeSpinBox* box : panel()->findChildren<RangeSpinBox*>())
            if (box->fieldName() == QStringLiteral("Body order"))
                bodyOrder = box;
        QCOMPARE(bodyOrder->fieldName(), QStringLiteral("Body order"));
        typeInto(bodyOrder, QStringLiteral("9"));
        QCOMPARE(bodyOrder->value(), bodyOrder->maximum());
        typeInto(width, QStringLiteral("64"));
        QVERIFY2(note->text().startsWith(QStringLiteral("Body order: 9 is outside 2 – ")),
                 qPrintable(note->text()));
        panel()->applyPreset(QStringLiteral("recommended"));
    }

    // The preset box says when the settings no longer equal the preset, and which differ;
    // values resolved from the data, the split and the machine do not count.
    void presetBoxShowsModifiedSettings() {
        QComboBox* preset = panel()->presetCombo();
        const int item = preset->findData(QStringLiteral("recommended"));
        QVERIFY(item >= 0);
        preset->setCurrentIndex(item);
        Q_EMIT preset->activated(item);
        QCOMPARE(preset->currentText(), QStringLiteral("recommended"));
        QVERIFY2(panel()->changesFromPreset().isEmpty(),
                 qPrintable(panel()->changesFromPreset().join(QStringLiteral(", "))));
        panel()->threadsBox()->setValue(panel()->threadsBox()->value() + 1);   // the machine
        panel()->testSizeBox()->setValue(panel()->testSizeBox()->value() + 1); // the split
        QCOMPARE(preset->currentText(), QStringLiteral("recommended"));

        // A layer's width, typed into the table.
        auto* width =
            qobject_cast<QSpinBox*>(panel()->graphLayerTable()->table()->cellWidget(0, 0));
        QVERIFY(width);
        width->setValue(width->value() + 3);
        QCOMPARE(preset->currentText(), QStringLiteral("recommended (modified)"));
        QCOMPARE(panel()->changesFromPreset(),
                 QStringList{QStringLiteral("model.graph_layers.0.width")});
        QVERIFY(preset->toolTip().contains(QStringLiteral("model.graph_layers.0.width")));
        width->setValue(width->value() - 3);
        QCOMPARE(preset->currentText(), QStringLiteral("recommended"));
        // A phase removed.
        const int phases = panel()->phaseTable()->table()->rowCount();
        panel()->phaseTable()->table()->insertRow(phases); // an empty row, then removed again
        panel()->phaseTable()->table()->removeRow(phases);
        QCOMPARE(preset->currentText(), QStringLiteral("recommended"));
        panel()->autoCutoffBox()->setChecked(!panel()->autoCutoffBox()->isChecked());
        QVERIFY(preset->currentText().endsWith(QStringLiteral("(modified)")));
        QVERIFY(panel()->changesFromPreset().contains(QStringLiteral("graph.cutoff")));
        // Another preset chosen: the first one reads plainly in the list again.
        const int other = preset->findData(QStringLiteral("study-2023"));
        QVERIFY(other >= 0);
        preset->setCurrentIndex(other);
        Q_EMIT preset->activated(other);
        QCOMPARE(preset->itemText(item), QStringLiteral("recommended"));
        QCOMPARE(preset->currentText(), QStringLiteral("study-2023"));
        // Choosing the preset again restores it, and the box reads plainly.
        Q_EMIT preset->activated(item);
        QCOMPARE(preset->currentText(), QStringLiteral("recommended"));
        QVERIFY(panel()->changesFromPreset().isEmpty());
    }

    void configRoundTripsExactly() {
        // Values a spin box would round, lists of unusual length, every enum away from its
        // default.
        ExperimentConfig c = presetConfig("recommended");
        c.preset = "recommended";
        c.ace.body_order = 4;
        c.ace.max_degree = 7;
        c.ace.max_degree_per_order = {20, 10, 7};
        c.ace.wL = 1.5;
        c.ace.csp = 0.75;
        c.ace.r0 = 1.0 / 3.0;
        c.ace.rcut = 5.123456789012345;
        c.linear.ridge = 1.25e-9;
        c.linear.smoothnessPrior = 3.5;
        c.linear.referenceEnergies = false;
        c.graph.options.cutoff = 3.14159265358979;
        c.graph.autoCutoff = false;
        c.graph.options.weighting = EdgeWeighting::SmoothCosine;
        c.graph.options.normalisation = Normalisation::Row;
        c.graph.options.selfLoops = false;
        c.model.graphLayers = {
            {17, Activation::Gelu}, {9, Activation::LeakyRelu}, {5, Activation::Softplus}};
        c.model.denseLayers = {{7, Activation::Silu}, {1, Activation::Identity}};
        c.model.pooling = Pooling::Sum;
        c.model.target = EnergyTarget::PerAtomSum;
        c.model.standardiseInputs = true;
        c.model.standardiseTargets = false;
        c.model.referenceEnergies = true;
        c.model.precision = Precision::Float64;
        c.optimiser.kind = OptimiserKind::AdamW;
        c.optimiser.eps = 3e-9;
        c.optimiser.weightDecay = 1e-4;
        c.optimiser.loss = LossKind::EnergyPerAtom;
        c.optimiser.phases = {{7, 0.0123456789, 0.85, 0.995, false},
                              {11, 1e-5, 0.9, 0.8, true},
                              {3, 2.5e-7, 0.0, 0.5, false}};
        c.optimiser.decay = LearningRateDecay::ReduceOnPlateau;
        c.optimiser.gamma = 0.97;
        c.optimiser.factor = 0.3;
        c.optimiser.patience = 13;
        c.optimiser.minLearningRate = 1e-8;
        c.optimiser.gradientClipNorm = 2.5;
        c.optimiser.earlyStoppingPatience = 40;
        c.data.trainSize = 21;
        c.data.testSize = 3;
        c.training.seed = 18446744073709551557ull; // beyond int and double precision
        c.training.batchSize = 5;
        c.training.shuffle = true;
        c.training.threads = 3;
        c.training.device = "cpu";
        panel()->setConfig(c);
        const ExperimentConfig back = panel()->config();
        QCOMPARE(asJson(back).dump(), asJson(c).dump());
        // A few fields directly too, independent of the JSON mapping.
        QCOMPARE(back.ace.rcut, c.ace.rcut);
        QCOMPARE(back.graph.options.cutoff, c.graph.options.cutoff);
        QCOMPARE(back.training.seed, c.training.seed);
        QCOMPARE(back.optimiser.phases.size(), std::size_t(3));
        QCOMPARE(back.optimiser.phases[2].learningRate, 2.5e-7);
        QCOMPARE(back.optimiser.phases[0].resetMoments, false);
        QVERIFY(back.model.graphLayers[1].activation == Activation::LeakyRelu);
        QCOMPARE(back.model.denseLayers[0].width, 7);
        QVERIFY(back.model.linearTerm); // the recommended network adds to the linear fit

        // A pooled total-energy model cannot add to a sum of per-atom energies: the box is
        // disabled and the config says no, instead of a config that fails validation.
        auto* linearTerm = panel()->findChild<QCheckBox*>(QStringLiteral("linearTerm"));
        QVERIFY(linearTerm && linearTerm->isEnabled() && linearTerm->isChecked());
        c.model.target = EnergyTarget::Total;
        panel()->setConfig(c);
        QVERIFY(!linearTerm->isEnabled());
        QVERIFY(!panel()->config().model.linearTerm);
    }

    void degreePerOrderIsEditable() {
        // The zuo2020 recipes need per-order degrees; typing them must reach the run's config,
        // and clearing the field must fall back to the single max degree.
        ExperimentConfig c = presetConfig("recommended");
        c.ace.body_order = 4;
        panel()->setConfig(c);
        auto* edit = panel()->findChild<QLineEdit*>(QStringLiteral("degreePerOrder"));
        QVERIFY(edit);
        // The preset sizes the degrees from the data: Auto, the recipes' shape shown, read-only.
        QVERIFY(panel()->autoDegreesBox()->isChecked());
        QVERIFY(!edit->isEnabled());
        QCOMPARE(edit->text(), QStringLiteral("20, 10, 7"));
        QVERIFY(panel()->config().ace.autoDegrees);
        // Unticking Auto makes the shown value editable, and the typed one is what runs.
        QTest::mouseClick(panel()->autoDegreesBox(), Qt::LeftButton, {},
                          QPoint(4, panel()->autoDegreesBox()->height() / 2));
        QVERIFY(!panel()->autoDegreesBox()->isChecked());
        QVERIFY(edit->isEnabled());
        QVERIFY(!panel()->config().ace.autoDegrees);
        edit->clear();
        QTest::keyClicks(edit, QStringLiteral("20, 10,7"));
        QCOMPARE(panel()->config().ace.max_degree_per_order, (std::vector<int>{20, 10, 7}));
        QTest::keyClicks(edit, QStringLiteral("x;-")); // rejected by the validator
        QCOMPARE(edit->text(), QStringLiteral("20, 10,7"));
        // Three bounds do not fit body order 3 (two orders): Start refuses and names the field.
        c.ace.body_order = 3;
        c.ace.max_degree_per_order = {20, 10, 7};
        c.ace.autoDegrees = false;
        panel()->setConfig(c);
        // Marked as it stands, Start off with the reason; start() itself refuses too.
        QVERIFY2(panel()->problem().contains(QStringLiteral("max_degree_per_order")),
                 qPrintable(panel()->problem()));
        QVERIFY(!panel()->problemLabel()->isHidden());
        QVERIFY(!m_tab->startButton()->isEnabled());
        QVERIFY(!m_tab->start());
        QVERIFY2(m_tab->lastError().contains(QStringLiteral("max_degree_per_order")),
                 qPrintable(m_tab->lastError()));
        edit->clear();
        QVERIFY(panel()->config().ace.max_degree_per_order.empty());
        QVERIFY(panel()->problem().isEmpty() && panel()->problemLabel()->isHidden());
        QVERIFY(m_tab->startButton()->isEnabled());
        // A test size beyond the loaded data is marked at once, not first at Start.
        const int loaded = static_cast<int>(m_window->dataset()->size());
        const int before = panel()->testSizeBox()->value();
        panel()->testSizeBox()->setValue(loaded + 100);
        QVERIFY2(panel()->problem().contains(QStringLiteral("only %1 configurations").arg(loaded)),
                 qPrintable(panel()->problem()));
        QVERIFY(!m_tab->startButton()->isEnabled());
        panel()->testSizeBox()->setValue(before);
        QVERIFY(panel()->problem().isEmpty() && m_tab->startButton()->isEnabled());
    }

    void dataDerivedAceShownBeforeStart() {
        // With "auto" ACE settings the panel shows, before any run, what they become on the
        // loaded data: the values the run will use (same split).
        ExperimentConfig c = smallRecommendedConfig();
        c.ace.r0 = 1.0; // shown until the data's value replaces it
        c.ace.rcut = 9.0;
        QSignalSpy shown(m_tab, &TrainingTab::dataDefaultsShown);
        panel()->setConfig(c);
        QCOMPARE(panel()->config().ace.r0, 1.0);
        QVERIFY(shown.wait(60000));
        QVERIFY(!m_tab->isRunning());
        const ExperimentConfig expected =
            resolveDataDefaults(panel()->config(), *m_window->dataset());
        const AceConfig ace = panel()->config().ace;
        QVERIFY2(ace.r0 > 2.0 && ace.r0 < 2.4, qPrintable(QString::number(ace.r0))); // Hf–O
        QCOMPARE(ace.r0, expected.ace.r0);
        QCOMPARE(ace.rcut, expected.ace.rcut);
        QStringList degrees; // shown in the (disabled) field; the config keeps "auto"
        for (int d : expected.ace.max_degree_per_order)
            degrees << QString::number(d);
        QCOMPARE(panel()->degreePerOrderEdit()->text(), degrees.join(QStringLiteral(", ")));
        QVERIFY(expected.ace.max_degree_per_order[0] < 20);     // two species: fewer than one's
        QVERIFY(ace.autoR0 && ace.autoRcut && ace.autoDegrees); // still "auto" for the run
        // The graph cutoff "Auto" gives on this data is shown too (the recommended preset).
        QVERIFY(panel()->config().graph.autoCutoff);
        QVERIFY2(panel()->autoCutoffBox()->text().contains(
                     QStringLiteral("%1 Å").arg(expected.graph.options.cutoff, 0, 'f', 2)),
                 qPrintable(panel()->autoCutoffBox()->text()));
        // A value given by the person is left alone.
        c.ace.autoRcut = false;
        c.ace.rcut = 4.5;
        panel()->setConfig(c);
        QVERIFY(shown.wait(60000));
        QCOMPARE(panel()->config().ace.rcut, 4.5);
        QCOMPARE(panel()->config().ace.r0, expected.ace.r0);
    }

    void cutoffIsLinkedToTheSlider() {
        ExperimentConfig c = presetConfig("recommended");
        c.graph.autoCutoff = false;
        panel()->setConfig(c);
        // Structure tab → Training tab.
        m_window->cutoffPanel()->spinBox()->setValue(3.45);
        QCOMPARE(panel()->cutoff(), 3.45);
        QCOMPARE(panel()->config().graph.options.cutoff, 3.45);
        // Training tab → Structure tab (a typed value), and the slider's rounded echo keeps it.
        panel()->cutoffEdit()->setText(QStringLiteral("2.875"));
        Q_EMIT panel()->cutoffEdit()->editingFinished();
        QCOMPARE(m_window->cutoffPanel()->cutoff(), 2.88);
        QCOMPARE(panel()->cutoff(), 2.875);
    }

    void cudaChoiceIsDisabledWithoutCuda() {
        const TorchInfo info = torchInfo();
        if (info.cudaAvailable)
            QSKIP("this LibTorch has a usable CUDA device");
        // The window checks CUDA once the network library is loaded, in the background.
        panel()->probeDevices();
        QTRY_VERIFY_WITH_TIMEOUT(panel()->devicesProbed(), 60000);
        QComboBox* device = panel()->deviceCombo();
        const int cuda = device->findText(QStringLiteral("cuda"));
        QVERIFY(cuda >= 0);
        auto* model = qobject_cast<QStandardItemModel*>(device->model());
        QVERIFY(model);
        QVERIFY(!model->item(cuda)->isEnabled());
        const QString tip = device->itemData(cuda, Qt::ToolTipRole).toString();
        QVERIFY2(tip.contains(QStringLiteral("CUDA")), qPrintable(tip));
        QVERIFY(model->item(device->findText(QStringLiteral("cpu")))->isEnabled());
        // Asking for it anyway is refused with a message, not a crash.
        ExperimentConfig c = studyConfig(1, 1);
        c.training.device = "cuda";
        QVERIFY(!m_tab->startJobs({{QStringLiteral("cuda"), c}}));
        QVERIFY(!m_tab->isRunning());
        QVERIFY(m_tab->lastError().contains(QStringLiteral("CUDA"), Qt::CaseInsensitive));
    }

    void shortStudyRunShowsProgressChartsAndResults() {
        ExperimentConfig c = studyConfig(3, 2);
        panel()->setConfig(c);
        QSignalSpy epochs(m_tab, &TrainingTab::epochFinished);
        QSignalSpy linear(m_tab, &TrainingTab::linearReady);
        QSignalSpy finished(m_tab, &TrainingTab::runFinished);
        QSignalSpy failed(m_tab, &TrainingTab::runFailed);
        QVERIFY(m_tab->start());
        QVERIFY(m_tab->isRunning());
        QVERIFY(!m_tab->startButton()->isEnabled());
        QVERIFY(m_tab->stopButton()->isEnabled());
        QVERIFY(waitFinished());
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.front().at(1).toString()));

        // Epoch records arrive one by one, in order.
        QCOMPARE(epochs.size(), 5);
        for (int i = 0; i < epochs.size(); ++i) {
            QCOMPARE(epochs.at(i).at(0).toInt(), 0);
            QCOMPARE(epochOf(epochs.at(i)), i + 1);
        }
        QCOMPARE(linear.size(), 1);
        QCOMPARE(finished.size(), 1);

        QCOMPARE(m_tab->runs().size(), std::size_t(1));
        const TrainingRunRecord& run = m_tab->runs().front();
        QVERIFY(run.finished);
        QCOMPARE(toString(run.outcome.stop), toString(TrainingStop::Completed));
        QCOMPARE(run.history.size(), std::size_t(5));
        QVERIFY(run.prepared && run.model);
        QCOMPARE(run.prepared->trainGraphs.samples.size(), std::size_t(16));
        QCOMPARE(run.prepared->testGraphs.samples.size(), std::size_t(8));

        // The study's 0.5 Å graph has only self-loops: said prominently.
        QVERIFY(m_tab->warningLabel()->isVisible());
        QCOMPARE(m_tab->warningLabel()->text(), QString::fromStdString(run.prepared->graphWarning));
        QVERIFY(!m_tab->warningLabel()->text().isEmpty());

        // The loss chart has a point per epoch (train and test).
        TrainingCharts* charts = m_tab->charts();
        charts->flush();
        QCOMPARE(charts->runCount(), 1);
        QCOMPARE(charts->series(0, TrainingCharts::TrainLoss)->count(), 5);
        QCOMPARE(charts->series(0, TrainingCharts::TestLoss)->count(), 5);
        QCOMPARE(charts->series(0, TrainingCharts::LearningRate)->count(), 5);
        for (int i = 0; i < 5; ++i)
            QCOMPARE(charts->series(0, TrainingCharts::TrainLoss)->at(i).y(),
                     run.history[i].trainLoss);

        // The linear reference lines: the baseline's loss recomputed here from its predictions
        // on the prepared data (squared total-energy error for the study's loss), and its RMSE.
        const double trainLoss =
            linearLoss(run.prepared->trainGraphs, run.linear.trainPredicted, LossKind::TotalEnergy);
        const double testLoss =
            linearLoss(run.prepared->testGraphs, run.linear.testPredicted, LossKind::TotalEnergy);
        QVERIFY(std::isfinite(trainLoss) && trainLoss > 0);
        QVERIFY(std::abs(charts->linearReference(0, TrainingCharts::LinearTrainLoss) - trainLoss) <=
                1e-9 * trainLoss);
        QVERIFY(std::abs(charts->linearReference(0, TrainingCharts::LinearTestLoss) - testLoss) <=
                1e-9 * testLoss);
        QLineSeries* line = charts->series(0, TrainingCharts::LinearTrainLoss);
        QCOMPARE(line->count(), 2);
        QVERIFY(std::abs(line->at(0).y() - trainLoss) <= 1e-9 * trainLoss);
        QCOMPARE(line->at(0).y(), line->at(1).y());
        QCOMPARE(charts->series(0, TrainingCharts::LinearTrainRmse)->at(0).y(),
                 run.linear.train.energyRmseMevPerAtom);

        // Parity: one point per configuration for both methods.
        ParityChart* parity = m_tab->parityChart();
        QCOMPARE(parity->series(ParityChart::GcnTrain)->count(), 16);
        QCOMPARE(parity->series(ParityChart::GcnTest)->count(), 8);
        QCOMPARE(parity->series(ParityChart::LinearTrain)->count(), 16);
        QCOMPARE(parity->series(ParityChart::LinearTest)->count(), 8);
        QCOMPARE(parity->series(ParityChart::LinearTrain)->at(0).x(),
                 run.prepared->trainGraphs.samples[0].energy /
                     run.prepared->trainGraphs.samples[0].atomCount);

        // Results: one row per method, with the metrics of the run.
        ResultsTable* table = m_tab->resultsTable();
        QCOMPARE(table->rowCount(), 2);
        QCOMPARE(table->item(0, ResultsTable::Method)->text(), QStringLiteral("linear"));
        QCOMPARE(table->item(1, ResultsTable::Method)->text(), QStringLiteral("GCN"));
        QCOMPARE(table->item(0, ResultsTable::TestRmse)->data(Qt::UserRole).toDouble(),
                 run.linear.test.energyRmseMevPerAtom);
        QCOMPARE(table->item(1, ResultsTable::TestRmse)->data(Qt::UserRole).toDouble(),
                 run.gcnTest.energyRmseMevPerAtom);
        QVERIFY(run.gcnTest.configurations == 8);
        QCOMPARE(m_tab->progressBar()->value(), 1000);
        // Energies only (binary weights): no force chart, no force parity, no force errors.
        QVERIFY(!charts->forceRmseView()->isVisible());
        QVERIFY(!m_tab->forceParityChart()->isVisible());
        QCOMPARE(table->item(1, ResultsTable::TestForceRmse)->text(), QStringLiteral("—"));

        const QByteArray shot = qgetenv("GRAPHACE_TRAINING_SCREENSHOT");
        if (!shot.isEmpty()) {
            QTest::qWait(500); // chart layouts are deferred: let them settle before the grab
            QVERIFY(m_window->saveScreenshot(QString::fromLocal8Bit(shot)));
        }
    }

    void recommendedRunTrainsOnForcesAndShowsThem() {
        // The sample has forces: the recommended preset trains on them ("auto"), and the tab
        // shows force curves beside the linear fit's force error, a force parity plot and
        // force columns.
        panel()->setConfig(smallRecommendedConfig());
        QVERIFY(panel()->autoForcesBox()->isChecked());
        QVERIFY(!panel()->forcesWeightEdit()->isEnabled()); // "auto" decides
        QVERIFY(panel()->autoVirialBox()->isChecked() && !panel()->virialWeightEdit()->isEnabled());
        QSignalSpy failed(m_tab, &TrainingTab::runFailed);
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        QVERIFY2(failed.isEmpty(),
                 failed.isEmpty() ? "" : qPrintable(failed.front().at(1).toString()));
        const TrainingRunRecord& run = m_tab->runs().front();
        QVERIFY(run.finished);
        QCOMPARE(run.config.optimiser.forcesWeight, 1.0); // 100 × 0.01, resolved
        // ACE settings from the data: the sample's Hf–O bond (~2.2 Å) as r0, shown in the panel.
        QVERIFY(run.config.ace.autoR0 && run.config.ace.autoRcut && run.config.ace.autoDegrees);
        QVERIFY2(run.config.ace.r0 > 2.0 && run.config.ace.r0 < 2.4,
                 qPrintable(QString::number(run.config.ace.r0)));
        QCOMPARE(panel()->config().ace.r0, run.config.ace.r0);
        QCOMPARE(panel()->config().ace.rcut, run.config.ace.rcut);
        QVERIFY(panel()->config().ace.autoR0); // still "auto" for the next run
        QVERIFY(run.prepared->basis->size() <= autoBasisBudget(2));
        QCOMPARE(run.config.optimiser.virialWeight, 0.0); // the sample has no virials
        QVERIFY(run.config.optimiser.autoVirialWeight);
        const std::size_t trainComponents = 16 * 96 * 3, testComponents = 8 * 96 * 3;
        QCOMPARE(run.gcnTrain.forceComponents, trainComponents);
        QCOMPARE(run.gcnTest.forceComponents, testComponents);
        QCOMPARE(run.linear.test.forceComponents, testComponents); // the baseline fit forces too
        QVERIFY(run.gcnTest.forceRmseEvPerA > 0 && run.linear.test.forceRmseEvPerA > 0);

        TrainingCharts* charts = m_tab->charts();
        charts->flush();
        QVERIFY(charts->forceRmseView()->isVisible());
        QLineSeries* testForces = charts->series(0, TrainingCharts::TestForceRmse);
        QCOMPARE(testForces->count(), 3);
        QCOMPARE(charts->series(0, TrainingCharts::TrainForceRmse)->count(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(testForces->at(i).y(), run.history[i].testForceRmseEvPerA);
        QCOMPARE(charts->linearReference(0, TrainingCharts::LinearTestForceRmse),
                 run.linear.test.forceRmseEvPerA);
        QCOMPARE(charts->series(0, TrainingCharts::LinearTestForceRmse)->count(), 2);

        // Force parity: an even stride over the components, at most kMaxForceParityPoints.
        ParityChart* parity = m_tab->forceParityChart();
        QVERIFY(parity->isVisible());
        const std::size_t stride =
            (trainComponents + kMaxForceParityPoints - 1) / kMaxForceParityPoints;
        QCOMPARE(run.gcnForceParityTrain.referencePerAtom.size(),
                 (trainComponents + stride - 1) / stride);
        QCOMPARE(parity->series(ParityChart::GcnTrain)->count(),
                 int(run.gcnForceParityTrain.referencePerAtom.size()));
        QCOMPARE(parity->series(ParityChart::LinearTest)->count(),
                 int(run.linearForceParityTest.referencePerAtom.size()));
        QCOMPARE(parity->series(ParityChart::GcnTrain)->at(0).x(),
                 run.prepared->train.structures[0].forces[0][0]);
        // loss, rmse, forces, lr, and per quantity a parity plot and an error histogram
        QCOMPARE(m_tab->chartWidgets().size(), 8);

        // Error histograms: every parity point counted once, in a bin or beyond the axis.
        for (ErrorHistogram* histogram :
             {m_tab->energyErrorHistogram(), m_tab->forceErrorHistogram()}) {
            const ParityChart* points =
                histogram->quantity() == ParityChart::Forces ? parity : m_tab->parityChart();
            int counted = histogram->errorsOffScale(), expected = 0;
            for (int k = 0; k < ParityChart::SeriesCount; ++k) {
                const auto series = static_cast<ParityChart::Series>(k);
                for (int c : histogram->counts(series))
                    counted += c;
                expected += points->series(series)->count();
            }
            QVERIFY(expected > 0);
            QCOMPARE(counted, expected);
            QCOMPARE(histogram->edges().size(), std::size_t(ErrorHistogram::kBins + 1));
            QCOMPARE(histogram->edges().front(), -histogram->edges().back());
        }

        ResultsTable* table = m_tab->resultsTable();
        QCOMPARE(table->item(0, ResultsTable::TestForceRmse)->data(Qt::UserRole).toDouble(),
                 run.linear.test.forceRmseEvPerA);
        QCOMPARE(table->item(1, ResultsTable::TestForceMae)->data(Qt::UserRole).toDouble(),
                 run.gcnTest.forceMaeEvPerA);
        QCOMPARE(table->item(1, ResultsTable::TestVirialRmse)->text(), QStringLiteral("—"));

        // Errors per group of config_type: the sample has one ("sample"), whose metrics are the
        // whole set's, and the table then has no group rows.
        QCOMPARE(run.gcnGroups[1].size(), std::size_t(1));
        QCOMPARE(run.gcnGroups[1][0].group, std::string("sample"));
        QVERIFY(std::abs(run.gcnGroups[1][0].metrics.energyMaeMevPerAtom -
                         run.gcnTest.energyMaeMevPerAtom) <= 1e-9);
        QVERIFY(std::abs(run.linearGroups[0][0].metrics.forceRmseEvPerA -
                         run.linear.train.forceRmseEvPerA) <= 1e-12);
        QCOMPARE(table->rowCount() - earlierRows(), 2);

        // Errors per configuration, in the dataset table: their mean over the test set is the
        // GCN's test MAE, and sorting by them puts the worst configuration first.
        QVERIFY(run.errors);
        const RunErrors& errors = *run.errors;
        double absolute = 0, squares = 0;
        for (std::size_t c : run.prepared->testIndices) {
            absolute += std::abs(errors.gcn.energyPerAtom[c]);
            squares += errors.gcn.forceRmse[c] * errors.gcn.forceRmse[c];
        }
        QVERIFY(std::abs(1000 * absolute / 8 - run.gcnTest.energyMaeMevPerAtom) <= 1e-9);
        QVERIFY(std::abs(std::sqrt(squares / 8) - run.gcnTest.forceRmseEvPerA) <= 1e-9);
        int worst = 0;
        for (int c = 0; c < kConfigurations; ++c)
            if (std::abs(errors.gcn.energyPerAtom[c]) > std::abs(errors.gcn.energyPerAtom[worst]))
                worst = c;
        QTableView* datasetView = m_window->datasetView();
        QVERIFY(!datasetView->isColumnHidden(DatasetModel::EnergyError));
        datasetView->sortByColumn(DatasetModel::EnergyError, Qt::DescendingOrder);
        QCOMPARE(datasetView->model()->index(0, DatasetModel::Index).data().toInt(), worst);
        QCOMPARE(datasetView->model()->index(0, DatasetModel::EnergyError).data().toString(),
                 QString::number(1000 * errors.gcn.energyPerAtom[worst], 'f', 2));
        datasetView->sortByColumn(DatasetModel::Index, Qt::AscendingOrder);

        // ... and on the atoms of the 3D view: the GCN's force error per atom (whose RMSE is the
        // configuration's) and its energy per atom (which adds up to its predicted energy).
        m_window->selectStructure(worst);
        StructureView* view = m_window->structureView();
        QComboBox* colour = view->colourBox();
        QCOMPARE(colour->count(), 5); // element, degree, GCN and linear force error, GCN energy
        colour->setCurrentIndex(colour->findText(QStringLiteral("force error, GCN (eV/Å)")));
        QCOMPARE(view->scene().options().colouring, AtomColouring::Values);
        const std::vector<double> atomErrors = view->scene().atomValues();
        QCOMPARE(atomErrors.size(), std::size_t(96));
        double atomSquares = 0;
        for (double e : atomErrors)
            atomSquares += e * e;
        QVERIFY(std::abs(std::sqrt(atomSquares / (3 * 96)) - errors.gcn.forceRmse[worst]) <= 1e-12);
        QCOMPARE(view->colourBar()->high(),
                 *std::max_element(atomErrors.begin(), atomErrors.end()));
        QCOMPARE(view->colourBar()->low(), 0.0);
        colour->setCurrentIndex(colour->findText(QStringLiteral("energy per atom, GCN (eV)")));
        double energy = 0;
        for (double e : view->scene().atomValues())
            energy += e;
        const double reference = *m_window->dataset()->structures[worst].energy;
        const double predicted = reference + 96 * errors.gcn.energyPerAtom[worst];
        QVERIFY2(std::abs(energy - predicted) <= 1e-6 * std::abs(predicted),
                 qPrintable(QString("%1 against %2").arg(energy).arg(predicted)));

        // A force parity point selects its configuration and highlights its atom (the test
        // set's 8 × 96 × 3 components are all shown: point k is component k).
        QScatterSeries* testForcePoints = parity->series(ParityChart::GcnTest);
        QCOMPARE(testForcePoints->count(), 8 * 96 * 3);
        Q_EMIT testForcePoints->clicked(testForcePoints->at(700));
        QCOMPARE(m_window->currentStructure(), int(run.prepared->testIndices[700 / 288]));
        QCOMPARE(view->scene().highlightedAtom(), (700 % 288) / 3);
        QVERIFY2(m_window->statusBar()->currentMessage().contains(
                     QStringLiteral("atom %1, Fy").arg((700 % 288) / 3)),
                 qPrintable(m_window->statusBar()->currentMessage()));

        const QByteArray shot = qgetenv("GRAPHACE_FORCES_SCREENSHOT");
        if (!shot.isEmpty()) {
            QTest::qWait(500);
            QVERIFY(m_window->saveScreenshot(QString::fromLocal8Bit(shot)));
            // The structure tab with the atoms coloured by the GCN's force error.
            colour->setCurrentIndex(colour->findText(QStringLiteral("force error, GCN (eV/Å)")));
            m_window->tabs()->setCurrentIndex(0);
            QTest::qWait(500);
            QVERIFY(m_window->saveScreenshot(QString::fromLocal8Bit(shot).replace(
                QStringLiteral(".png"), QStringLiteral("-structure.png"))));
            m_window->tabs()->setCurrentIndex(m_window->tabs()->indexOf(m_tab));
        }
        colour->setCurrentIndex(0); // elements again for the tests after this one
    }

    void stopEndsALongRunQuickly() {
        panel()->setConfig(studyConfig(100000, 10));
        QSignalSpy epochs(m_tab, &TrainingTab::epochFinished);
        QSignalSpy finished(m_tab, &TrainingTab::runFinished);
        QVERIFY(m_tab->start());
        QTRY_VERIFY_WITH_TIMEOUT(epochs.size() >= 3, 120000);
        QElapsedTimer clock;
        clock.start();
        const int reportedAtStop = m_tab->worker()->epochsReported();
        m_tab->stop();
        QVERIFY(waitFinished(60000));
        qInfo("stop: run ended %lld ms after Stop", static_cast<long long>(clock.elapsed()));
        QCOMPARE(finished.size(), 1);
        QCOMPARE(finished.front().at(0).toInt(), 0);
        const TrainingRunRecord* run = &m_tab->runs().front();
        QVERIFY(run->finished);
        QCOMPARE(toString(run->outcome.stop), toString(TrainingStop::Cancelled));
        // The trainer checks the flag before every batch: at most the epoch in progress when
        // Stop was pressed completes.
        QVERIFY2(run->outcome.epochsRun <= reportedAtStop + 1,
                 qPrintable(QStringLiteral("%1 epochs run, %2 reported at stop")
                                .arg(run->outcome.epochsRun)
                                .arg(reportedAtStop)));
        QCOMPARE(epochs.size(), static_cast<int>(run->history.size()));
        QVERIFY(run->outcome.epochsRun < 100000);
        QVERIFY(!m_tab->isRunning());
        QVERIFY(m_tab->startButton()->isEnabled());
        QCOMPARE(m_tab->resultsTable()->rowCount() - earlierRows(), 2); // a stopped run reports
    }

    // Stop, then Continue: the run ends with the weights and history of a run never stopped,
    // and its checkpoint goes when it ends.
    // A separate test file (issue 20: opening train and test files together merged them and a
    // random split put test configurations into training): all loaded data trains, the file is
    // the test set, as `graphace train --test`; a bad file is refused and changes nothing.
    void separateTestFileIsTheTestSet() {
        QTemporaryDir dir;
        SampleOptions options;
        options.configurations = 5;
        options.seed = 99;
        const QString testPath = dir.filePath(QStringLiteral("test.xyz"));
        writeExtxyzFile(testPath.toStdString(), generateSampleDataset(options));
        const QString badPath = dir.filePath(QStringLiteral("bad.xyz"));
        QFile bad(badPath);
        QVERIFY(bad.open(QIODevice::WriteOnly));
        bad.write("3\nnot a header\nHf 0 0\n");
        bad.close();

        QSignalSpy changed(m_tab, &TrainingTab::testDataChanged);
        m_tab->openTestFile(badPath);
        QVERIFY(changed.wait(60000));
        QCOMPARE(changed.last().at(0).toBool(), false);
        QVERIFY2(m_tab->lastError().contains(QStringLiteral("bad.xyz")),
                 qPrintable(m_tab->lastError()));
        QVERIFY(!m_tab->testData());

        m_tab->openTestFile(testPath);
        QVERIFY(changed.wait(60000));
        QCOMPARE(changed.last().at(0).toBool(), true);
        QCOMPARE(m_tab->testData()->size(), std::size_t(5));
        panel()->setConfig(smallRecommendedConfig());
        const ExperimentConfig config = panel()->config();
        QCOMPARE(config.data.trainSize, 0);
        QCOMPARE(config.data.testSize, 0);
        QCOMPARE(QString::fromStdString(config.data.testFile), testPath);

        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        const TrainingRunRecord& run = m_tab->runs().back();
        QVERIFY(run.prepared);
        QCOMPARE(run.prepared->train.size(), m_window->dataset()->size());
        QCOMPARE(run.prepared->test.size(), std::size_t(5));
        QCOMPARE(run.prepared->test.structures[0].positions,
                 generateSampleDataset(options).structures[0].positions);
        QCOMPARE(QString::fromStdString(run.config.data.testFile), testPath);

        // A session keeps the test file: restored, the file is read again and is the test set.
        // (In a second window, as a new process would open it.)
        const QString sessionPath = dir.filePath(QStringLiteral("session.json"));
        saveSession(m_window->currentSession(), sessionPath);
        {
            MainWindow restored;
            QSignalSpy loaded(&restored, &MainWindow::loadFinished);
            restored.restoreSession(loadSession(sessionPath));
            QVERIFY(loaded.wait(120000));
            TrainingTab* tab = restored.trainingTab();
            QTRY_VERIFY_WITH_TIMEOUT(tab->testData() != nullptr, 60000);
            QCOMPARE(tab->testData()->size(), std::size_t(5));
            QCOMPARE(tab->testFile(), testPath);
            QCOMPARE(QString::fromStdString(tab->panel()->config().data.testFile), testPath);
            QCOMPARE(tab->panel()->config().data.testSize, 0);
        }

        m_tab->clearTestData();
        QVERIFY(!m_tab->testData());
        QVERIFY(panel()->config().data.testFile.empty());
    }

    void stopThenContinueEqualsAnUninterruptedRun() {
        removeCheckpoints();
        panel()->setConfig(resumableConfig());
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        const TrainingRunRecord expected = m_tab->runs().front();
        QCOMPARE(toString(expected.outcome.stop), toString(TrainingStop::Completed));
        QVERIFY(!m_tab->continueButton()->isVisible());
        const QDir folder(processCheckpointFolder());
        QVERIFY(folder.entryList({QStringLiteral("*.pt")}, QDir::Files).isEmpty());

        startAndStopAfter(12);
        const TrainingRunRecord& stopped = m_tab->runs().front();
        QCOMPARE(m_tab->stoppedRun(), 0);
        QVERIFY(m_tab->continueButton()->isVisible() && m_tab->continueButton()->isEnabled());
        QCOMPARE(folder.entryList({QStringLiteral("*.pt")}, QDir::Files).size(), 1);
        // Not "Done": the status says where it stopped and which weights the run holds.
        const QString epochs = QString::number(stopped.outcome.epochsRun);
        QTRY_VERIFY2(m_tab->statusLabel()->text().startsWith(
                         QStringLiteral("Stopped at epoch %1/").arg(epochs)) &&
                         m_tab->statusLabel()->text().endsWith(
                             QStringLiteral("(weights of epoch %1 kept)").arg(epochs)),
                     qPrintable(m_tab->statusLabel()->text()));
        const QByteArray shot = qgetenv("GRAPHACE_RESUME_SCREENSHOT"); // a look at Continue
        if (!shot.isEmpty())
            QVERIFY(m_window->saveScreenshot(QString::fromLocal8Bit(shot + "-continue.png")));

        const int done = stopped.outcome.epochsRun;
        QTest::mouseClick(m_tab->continueButton(), Qt::LeftButton);
        QVERIFY(m_tab->isRunning());
        QVERIFY(waitFinished());
        QCOMPARE(m_tab->runs().size(), std::size_t(1));
        checkSameRun(m_tab->runs().front(), expected);
        QCOMPARE(m_tab->worker()->epochsReported(), 60 - done); // trained on, not again
        QVERIFY(folder.entryList({QStringLiteral("*.pt")}, QDir::Files).isEmpty());
        QVERIFY(!m_tab->continueButton()->isVisible());
        m_uninterrupted = expected;
    }

    // A checkpoint a crashed window left behind is offered; Resume continues it on the data
    // loaded now and ends as the run never stopped; Discard deletes one.
    void interruptedRunIsOfferedAndResumed() {
        QVERIFY(!m_uninterrupted.history.empty()); // from the test before
        removeCheckpoints();
        panel()->setConfig(resumableConfig());
        startAndStopAfter(7);
        const QDir folder(processCheckpointFolder());
        const QStringList files = folder.entryList({QStringLiteral("*.pt")}, QDir::Files);
        QCOMPARE(files.size(), 1);
        // This window's own checkpoints are not "interrupted": it still runs.
        QVERIFY(interruptedRuns().empty());

        // The folder of a process that has ended, as a crash leaves it.
        QProcess gone;
        gone.start(QStringLiteral("true"), QStringList{});
        QVERIFY(gone.waitForStarted());
        const qint64 deadPid = gone.processId();
        QVERIFY(gone.waitForFinished());
        const QString crashed = QFileInfo(folder.absolutePath()).absolutePath() +
                                QStringLiteral("/%1-crashed").arg(deadPid);
        QVERIFY(QDir().mkpath(crashed));
        for (const char* name : {"/run-a.pt", "/run-b.pt"})
            QVERIFY(QFile::copy(folder.filePath(files.front()), crashed + name));
        QVERIFY(QFile::remove(folder.filePath(files.front())));
        m_tab->setRuns({}); // as a new window would start

        // An earlier process with this PID (PIDs repeat across boots) is not this one.
        const QString samePid =
            QFileInfo(folder.absolutePath()).absolutePath() +
            QStringLiteral("/%1-19990101T000000").arg(QCoreApplication::applicationPid());
        QVERIFY(QDir().mkpath(samePid));
        QVERIFY(QFile::copy(crashed + "/run-a.pt", samePid + "/run-a.pt"));
        QCOMPARE(interruptedRuns().size(), std::size_t(3));
        QVERIFY(QDir(samePid).removeRecursively());

        m_tab->showInterruptedRuns(interruptedRuns());
        QCOMPARE(m_tab->interruptedRunsShown().size(), std::size_t(2));
        QVERIFY(m_tab->interruptedBar()->isVisible());
        const RunCheckpoint& offered = m_tab->interruptedRunsShown().front();
        QCOMPARE(offered.epoch, 7);
        QCOMPARE(offered.totalEpochs, 60);
        const QByteArray shot = qgetenv("GRAPHACE_RESUME_SCREENSHOT"); // a look at the offer
        if (!shot.isEmpty())
            QVERIFY(m_window->saveScreenshot(QString::fromLocal8Bit(shot + "-offer.png")));

        QTest::mouseClick(m_tab->interruptedDiscardButton(), Qt::LeftButton);
        QCOMPARE(m_tab->interruptedRunsShown().size(), std::size_t(1));
        QCOMPARE(QDir(crashed).entryList({QStringLiteral("*.pt")}, QDir::Files).size(), 1);
        const int done = m_tab->interruptedRunsShown().front().epoch;
        QTest::mouseClick(m_tab->interruptedResumeButton(), Qt::LeftButton);
        QVERIFY(!m_tab->interruptedBar()->isVisible());
        QVERIFY2(m_tab->isRunning(), qPrintable(m_tab->lastError()));
        QVERIFY(waitFinished());
        QCOMPARE(m_tab->runs().size(), std::size_t(1));
        checkSameRun(m_tab->runs().front(), m_uninterrupted);
        QCOMPARE(m_tab->worker()->epochsReported(), 60 - done);
        QVERIFY(QDir(crashed).entryList({QStringLiteral("*.pt")}, QDir::Files).isEmpty());
        QVERIFY(interruptedRuns().empty());
        QVERIFY(!QDir(crashed).exists()); // the dead process's empty folder is tidied away
    }

    void pauseHoldsEpochsUntilResume() {
        panel()->setConfig(studyConfig(100000, 10));
        QSignalSpy epochs(m_tab, &TrainingTab::epochFinished);
        QVERIFY(m_tab->start());
        QTRY_VERIFY_WITH_TIMEOUT(epochs.size() >= 2, 120000);
        m_tab->pause();
        QVERIFY(m_tab->isPaused());
        QVERIFY(m_tab->resumeButton()->isEnabled());
        QVERIFY(!m_tab->pauseButton()->isEnabled());
        // The epoch in progress when Pause was pressed may still finish and be delivered.
        QTest::qWait(300);
        const int atPause = epochs.size();
        QTest::qWait(700);
        QCOMPARE(epochs.size(), atPause);
        QVERIFY(m_tab->isRunning());
        m_tab->resume();
        QTRY_VERIFY_WITH_TIMEOUT(epochs.size() >= atPause + 2, 60000);
        // Stop releases a pause too.
        m_tab->pause();
        QTest::qWait(100);
        m_tab->stop();
        QVERIFY(waitFinished(60000));
        QVERIFY(!m_tab->isRunning());
        QCOMPARE(toString(m_tab->runs().front().outcome.stop), toString(TrainingStop::Cancelled));
    }

    // A second Start keeps the first run, numbered, faded in the charts and greyed in the
    // results; Clear forgets both.
    void startKeepsEarlierRunsForComparison() {
        m_tab->clearRuns();
        QVERIFY(m_tab->earlierRuns().empty() && m_tab->runs().empty());
        panel()->setConfig(studyConfig(2, 1));
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        const TrainingRunRecord first = m_tab->runs().front();
        QVERIFY2(first.name.startsWith(QLatin1Char('#')), qPrintable(first.name));
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        QCOMPARE(m_tab->runs().size(), std::size_t(1));
        QVERIFY(m_tab->runs().front().name != first.name);
        QCOMPARE(m_tab->earlierRuns().size(), std::size_t(1));
        QCOMPARE(m_tab->earlierRuns().front().name, first.name);
        // Kept light: no prepared data, weights or per-point predictions, the metrics whole.
        QVERIFY(!m_tab->earlierRuns().front().prepared && !m_tab->earlierRuns().front().model);
        QVERIFY(m_tab->earlierRuns().front().linear.trainPredicted.empty());
        QCOMPARE(m_tab->earlierRuns().front().gcnTest.energyRmseMevPerAtom,
                 first.gcnTest.energyRmseMevPerAtom);
        TrainingCharts* charts = m_tab->charts();
        charts->flush();
        QCOMPARE(charts->runCount(), 1);
        QCOMPARE(charts->earlierRunCount(), 1);
        QLineSeries* earlierLoss = charts->earlierSeries(0, TrainingCharts::TrainLoss);
        QVERIFY(earlierLoss);
        QCOMPARE(earlierLoss->count(), static_cast<int>(first.history.size()));
        QCOMPARE(earlierLoss->at(0).y(), first.history.front().trainLoss);
        QVERIFY(earlierLoss->pen().color().alpha() < 255); // faded
        // The table: this run's linear and GCN rows, then the earlier run's, greyed; selecting
        // one of those selects no run (the parity plot stays on the current one).
        ResultsTable* table = m_tab->resultsTable();
        QCOMPARE(table->rowCount(), 4);
        QCOMPARE(table->item(2, ResultsTable::Run)->text(), first.name);
        QVERIFY(table->item(2, ResultsTable::Run)->foreground().color() !=
                table->item(0, ResultsTable::Run)->foreground().color());
        table->selectRow(2);
        QCOMPARE(table->selectedRun(), -1);
        table->selectRow(0);
        QCOMPARE(table->selectedRun(), 0);
        // Modified settings say so in the run's name.
        panel()->graphLayerTable()->setLayers({{8, Activation::Tanh}});
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        QVERIFY2(m_tab->runs().front().name.endsWith(QStringLiteral("(modified)")),
                 qPrintable(m_tab->runs().front().name));
        QCOMPARE(m_tab->earlierRuns().size(), std::size_t(2));

        // Saved in a session and restored with it: faded curves and greyed rows again, and the
        // next Start keeps the restored runs too, numbered after them.
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("kept.graphace.json"));
        saveSession(m_window->currentSession(), path);
        const Session loaded = loadSession(path);
        QCOMPARE(loaded.earlierRuns.size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i) {
            QCOMPARE(loaded.earlierRuns[i].name, m_tab->earlierRuns()[i].name);
            QCOMPARE(loaded.earlierRuns[i].history.size(), m_tab->earlierRuns()[i].history.size());
            QCOMPARE(loaded.earlierRuns[i].gcnTest.energyRmseMevPerAtom,
                     m_tab->earlierRuns()[i].gcnTest.energyRmseMevPerAtom);
        }
        const QString newest = m_tab->runs().front().name;
        QSignalSpy restored(m_window.get(), &MainWindow::loadFinished);
        m_window->restoreSession(loaded);
        QVERIFY(restored.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(m_tab->earlierRuns().size(), std::size_t(2), 10000);
        QCOMPARE(m_tab->runs().front().name, newest);
        charts->flush();
        QCOMPARE(charts->earlierRunCount(), 2);
        QCOMPARE(table->rowCount(), 6);
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        QCOMPARE(m_tab->earlierRuns().size(), std::size_t(3));
        QCOMPARE(m_tab->earlierRuns().back().name, newest);
        const int newestNumber = newest.mid(1, newest.indexOf(QLatin1Char(' ')) - 1).toInt();
        QVERIFY2(
            m_tab->runs().front().name.startsWith(QStringLiteral("#%1 ").arg(newestNumber + 1)),
            qPrintable(m_tab->runs().front().name));

        QVERIFY(m_tab->clearButton()->isEnabled());
        m_tab->clearButton()->click();
        QVERIFY(m_tab->runs().empty() && m_tab->earlierRuns().empty());
        QCOMPARE(m_tab->charts()->earlierRunCount(), 0);
        QCOMPARE(table->rowCount(), 0);
        QVERIFY(!m_tab->clearButton()->isEnabled());
    }

    void trainingSizeSweepOverlaysRuns() {
        panel()->setConfig(studyConfig(2, 1));
        QSignalSpy started(m_tab, &TrainingTab::runStarted);
        QVERIFY(m_tab->startTrainingSizeSweep({8, 12}));
        QVERIFY(waitFinished());
        QCOMPARE(started.size(), 2);
        // Numbered in the order started ("#7 train 8"), so that kept runs are told apart.
        QVERIFY(started.at(0).at(1).toString().startsWith(QLatin1Char('#')));
        QVERIFY(started.at(0).at(1).toString().endsWith(QStringLiteral(" train 8")));
        QVERIFY(started.at(1).at(1).toString().endsWith(QStringLiteral(" train 12")));
        QCOMPARE(m_tab->runs().size(), std::size_t(2));
        QCOMPARE(m_tab->runs()[0].prepared->trainGraphs.samples.size(), std::size_t(8));
        QCOMPARE(m_tab->runs()[1].prepared->trainGraphs.samples.size(), std::size_t(12));
        TrainingCharts* charts = m_tab->charts();
        charts->flush();
        QCOMPARE(charts->runCount(), 2);
        for (int r = 0; r < 2; ++r) {
            QCOMPARE(charts->series(r, TrainingCharts::TrainLoss)->count(), 3);
            QCOMPARE(charts->series(r, TrainingCharts::TrainLoss)->pen().color(),
                     TrainingCharts::runColour(r));
        }
        QVERIFY(TrainingCharts::runColour(0) != TrainingCharts::runColour(1));
        QCOMPARE(charts->series(1, TrainingCharts::TrainLoss)->name(), m_tab->runs()[1].name);
        // Two runs × (linear, GCN), then the earlier Starts' rows below.
        QCOMPARE(m_tab->resultsTable()->rowCount() - earlierRows(), 4);
    }

    void cutoffSweepPlotsErrorsAgainstTheCutoff() {
        // Sweep… → Cutoffs…, answered as a person would, three cutoffs of the study's network:
        // three runs, and a summary chart whose points are those runs' own final errors.
        panel()->setConfig(studyConfig(2, 1));
        QAction* cutoffs = nullptr;
        for (QAction* action : m_tab->sweepButton()->menu()->actions())
            if (action->text() == QStringLiteral("Cutoffs…"))
                cutoffs = action;
        QVERIFY(cutoffs);
        QTimer::singleShot(0, this, []() {
            auto* dialog = qobject_cast<QInputDialog*>(QApplication::activeModalWidget());
            QVERIFY(dialog);
            dialog->setTextValue(QStringLiteral("2.5:4.5:1"));
            dialog->accept();
        });
        QSignalSpy started(m_tab, &TrainingTab::runStarted);
        cutoffs->trigger();
        QVERIFY(m_tab->isRunning());
        QVERIFY(waitFinished());
        QCOMPARE(started.size(), 3);
        QVERIFY(started.at(1).at(1).toString().endsWith(QStringLiteral(" cutoff 3.5")));
        const std::vector<TrainingRunRecord>& runs = m_tab->runs();
        QCOMPARE(runs.size(), std::size_t(3));
        SweepChart* chart = m_tab->sweepChart();
        QVERIFY(chart->isVisible());
        QCOMPARE(chart->gcnSeries()->count(), 3);
        QCOMPARE(chart->linearSeries()->count(), 3);
        QCOMPARE(chart->degreeSeries()->count(), 3);
        for (int k = 0; k < 3; ++k) {
            const TrainingRunRecord& run = runs[k];
            QCOMPARE(run.config.graph.options.cutoff, 2.5 + k);
            QVERIFY(!run.config.graph.autoCutoff);
            QCOMPARE(run.sweepKey, QStringLiteral("graph.cutoff"));
            QCOMPARE(chart->gcnSeries()->at(k).x(), 2.5 + k);
            QCOMPARE(chart->gcnSeries()->at(k).y(), run.gcnTest.energyMaeMevPerAtom);
            QCOMPARE(chart->linearSeries()->at(k).y(), run.linear.test.energyMaeMevPerAtom);
            QCOMPARE(chart->degreeSeries()->at(k).y(), run.prepared->graphStatistics.meanDegree);
        }
        // A longer cutoff, more neighbours.
        QVERIFY(chart->degreeSeries()->at(2).y() > chart->degreeSeries()->at(0).y());
        // Exported with the other charts, and its points in the series CSV.
        QVERIFY(exportsChart(QStringLiteral("sweep"), chart));
        const QByteArray text = seriesCsvOf(runs);
        QCOMPARE(text.count("sweep_energy_mae_mev_per_atom"), 3);
        QCOMPARE(text.count("sweep_mean_degree"), 3);
        const QByteArray shot = qgetenv("GRAPHACE_SWEEP_SCREENSHOT");
        if (!shot.isEmpty()) {
            QTest::qWait(500);
            QVERIFY(m_window->saveScreenshot(QString::fromLocal8Bit(shot)));
        }
        // A new single run hides the summary again.
        panel()->setConfig(studyConfig(1, 1));
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        QVERIFY(!chart->isVisibleTo(m_tab));
        // A bad range is refused with what was expected, nothing starts.
        QVERIFY(!m_tab->startSweep(QStringLiteral("graph.cutoff=4:2:1")));
        QVERIFY2(m_tab->lastError().contains(QStringLiteral("LAST >= FIRST")),
                 qPrintable(m_tab->lastError()));
        QVERIFY(!m_tab->isRunning());
    }

    void sweepOfForceRunsPlotsForceErrors() {
        // Runs that train on forces: beside the energy summary, the final force MAE of the GCN
        // and the linear fit against the swept value.
        panel()->setConfig(smallRecommendedConfig());
        QVERIFY(m_tab->startSweep(QStringLiteral("graph.cutoff=3.5,4.5")));
        QVERIFY(waitFinished());
        const std::vector<TrainingRunRecord>& runs = m_tab->runs();
        QCOMPARE(runs.size(), std::size_t(2));
        SweepChart* forces = m_tab->forceSweepChart();
        QVERIFY(forces->isVisible() && m_tab->sweepChart()->isVisible());
        QCOMPARE(forces->gcnSeries()->count(), 2);
        for (int k = 0; k < 2; ++k) {
            QVERIFY(runs[k].gcnTest.forceComponents > 0);
            QCOMPARE(forces->gcnSeries()->at(k).x(), 3.5 + k);
            QCOMPARE(forces->gcnSeries()->at(k).y(), runs[k].gcnTest.forceMaeEvPerA);
            QCOMPARE(forces->linearSeries()->at(k).y(), runs[k].linear.test.forceMaeEvPerA);
            QCOMPARE(m_tab->sweepChart()->gcnSeries()->at(k).y(),
                     runs[k].gcnTest.energyMaeMevPerAtom);
        }
        // Four columns under the curves (energy, forces, sweep, results) still fit a
        // 1024-pixel screen beside the settings and the dataset panel.
        QApplication::processEvents();
        QVERIFY2(m_window->minimumSizeHint().width() <= 1024,
                 qPrintable(QString::number(m_window->minimumSizeHint().width())));
        QVERIFY(m_window->datasetView()->isVisible());
        QVERIFY(exportsChart(QStringLiteral("force_sweep"), forces));
        QCOMPARE(seriesCsvOf(runs).count("sweep_force_mae_ev_per_a"), 2);
        // An energy-only run has no force summary.
        panel()->setConfig(studyConfig(1, 1));
        QVERIFY(m_tab->startSweep(QStringLiteral("graph.cutoff=3,4")));
        QVERIFY(waitFinished());
        QVERIFY(m_tab->sweepChart()->isVisible() && !forces->isVisible());
    }

    void parityPointSelectsItsConfiguration() {
        // Clicking an energy parity point selects that configuration in the dataset table and
        // the 3D view, and the status bar says which run, set and errors it is.
        panel()->setConfig(studyConfig(2, 1));
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        const TrainingRunRecord& run = m_tab->runs().front();
        ParityChart* parity = m_tab->parityChart();
        QScatterSeries* test = parity->series(ParityChart::GcnTest);
        QCOMPARE(test->count(), 8);
        for (int k : {5, 2}) {
            Q_EMIT test->clicked(test->at(k)); // what a mouse click on the point emits
            const int expected = static_cast<int>(run.prepared->testIndices[k]);
            QCOMPARE(m_window->currentStructure(), expected);
            const QString message = m_window->statusBar()->currentMessage();
            QVERIFY2(message.contains(QStringLiteral("Configuration %1 (test set").arg(expected)),
                     qPrintable(message));
        }
        // A linear-fit training point maps through the training split.
        QScatterSeries* linearTrain = parity->series(ParityChart::LinearTrain);
        Q_EMIT linearTrain->clicked(linearTrain->at(3));
        QCOMPARE(m_window->currentStructure(), static_cast<int>(run.prepared->trainIndices[3]));
    }

    void resultsTableRowsPerGroup() {
        // A run on data with two config types: below each method's row one row per group with
        // that group's training and test errors (— where a set has none of the group).
        TrainingRunRecord run;
        run.name = QStringLiteral("run");
        run.config.data.groupKey = "config_type";
        auto metrics = [](double mae, std::size_t configurations) {
            RegressionMetrics m;
            m.configurations = configurations;
            m.energyMaeMevPerAtom = mae;
            m.energyRmseMevPerAtom = 2 * mae;
            return m;
        };
        run.linear.train = metrics(3.0, 10);
        run.linear.test = metrics(4.0, 5);
        run.linearGroups[0] = {{"bulk", metrics(2.0, 6)}, {"surface", metrics(4.5, 4)}};
        run.linearGroups[1] = {{"bulk", metrics(3.0, 3)}, {"", metrics(5.5, 2)}};
        ResultsTable table;
        table.setRuns({run});
        // linear, then bulk, surface, (no config_type); no GCN row (not finished)
        QCOMPARE(table.rowCount(), 4);
        QCOMPARE(table.item(0, ResultsTable::TestMae)->data(Qt::UserRole).toDouble(), 4.0);
        QCOMPARE(table.item(1, ResultsTable::Run)->data(ResultsTable::kGroupRole).toString(),
                 QStringLiteral("bulk"));
        QCOMPARE(table.item(1, ResultsTable::TrainMae)->data(Qt::UserRole).toDouble(), 2.0);
        QCOMPARE(table.item(1, ResultsTable::TestMae)->data(Qt::UserRole).toDouble(), 3.0);
        QCOMPARE(table.item(2, ResultsTable::TrainMae)->data(Qt::UserRole).toDouble(), 4.5);
        QCOMPARE(table.item(2, ResultsTable::TestMae)->text(), QStringLiteral("—"));
        QVERIFY(
            table.item(3, ResultsTable::Run)->text().contains(QStringLiteral("no config_type")));
        QCOMPARE(table.item(3, ResultsTable::TrainRmse)->text(), QStringLiteral("—"));
        QCOMPARE(table.item(3, ResultsTable::TestRmse)->data(Qt::UserRole).toDouble(), 11.0);
        // A group row selects its run like the method's row.
        table.selectRow(2);
        QCOMPARE(table.selectedRun(), 0);
        // One group only: no group rows.
        run.linearGroups = {};
        run.linearGroups[0] = {{"bulk", metrics(2.0, 6)}};
        table.setRuns({run});
        QCOMPARE(table.rowCount(), 1);
    }

    void activationSweepRejectsUnknownNames() {
        panel()->setConfig(studyConfig(1, 1));
        QVERIFY(!m_tab->startActivationSweep({QStringLiteral("tanh"), QStringLiteral("nope")}));
        QVERIFY(!m_tab->isRunning());
        QVERIFY(m_tab->lastError().contains(QStringLiteral("nope")));
    }

    void uiThreadStaysResponsive() {
        // A 5 ms timer on the UI thread: the longest gap between its ticks is the longest time
        // the window could not react while training runs. On a loaded machine (CI, parallel
        // builds) the OS may not schedule the UI thread for a while; the UI thread's own CPU
        // time within a gap tells how much of it was our work (charts, tables, painting).
        panel()->setConfig(studyConfig(60, 20));
        const bool verbose = qEnvironmentVariableIsSet("GRAPHACE_DEBUG_STALLS");
        auto threadCpuMs = []() {
            timespec now{};
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
            return now.tv_sec * 1e3 + now.tv_nsec / 1e6;
        };
        qint64 longest = 0;
        double longestBusy = 0, lastCpu = 0;
        QElapsedTimer gap, total;
        QTimer probe;
        probe.setInterval(5);
        connect(&probe, &QTimer::timeout, this, [&]() {
            const double cpu = threadCpuMs();
            if (gap.isValid()) {
                const qint64 wall = gap.restart();
                const double busy = cpu - lastCpu;
                if (verbose && wall > 30)
                    qInfo("gap %lld ms (UI thread busy %.0f ms) at %lld ms",
                          static_cast<long long>(wall), busy,
                          static_cast<long long>(total.elapsed()));
                longest = std::max(longest, wall);
                longestBusy = std::max(longestBusy, busy);
            } else {
                gap.start();
            }
            lastCpu = cpu;
        });
        total.start();
        const double cpuBefore = threadCpuMs();
        const int redrawsBefore = m_tab->charts()->redrawCount(); // counts over the process
        probe.start();
        QVERIFY(m_tab->start());
        QVERIFY(waitFinished());
        probe.stop();
        const double uiCpu = threadCpuMs() - cpuBefore;
        QVERIFY(m_tab->runs().front().finished);
        qInfo("UI thread while training (%zu epochs, %d chart redraws, %lld ms): longest gap "
              "%lld ms, longest own work within a gap %.0f ms, UI CPU in total %.0f ms",
              m_tab->runs().front().history.size(), m_tab->charts()->redrawCount() - redrawsBefore,
              static_cast<long long>(total.elapsed()), static_cast<long long>(longest), longestBusy,
              uiCpu);
        // Generous bounds: CI machines are loaded; the figures above are the report.
        QVERIFY2(longestBusy < 500, qPrintable(QStringLiteral("%1 ms").arg(longestBusy)));
        QVERIFY2(longest < 3000, qPrintable(QStringLiteral("%1 ms").arg(longest)));
        // The charts redraw on their timer, not once per epoch.
        QVERIFY(m_tab->charts()->redrawCount() - redrawsBefore <
                static_cast<int>(m_tab->runs().front().history.size()));
    }

    void menusExportAndSessionRoundTrip() {
        // The menu entries exist (File → Export → …, Save / Open Session).
        for (const char* name : {"actionExportModel", "actionExportCharts", "actionExportSeries",
                                 "actionExportConfig", "actionSaveSession", "actionOpenSession"})
            QVERIFY2(m_window->findChild<QAction*>(QString::fromLatin1(name)), name);

        // Export the last run as `graphace train --out DIR` writes it.
        QCOMPARE(m_tab->runs().size(), std::size_t(1)); // from uiThreadStaysResponsive
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const TrainingRunRecord* run = m_tab->currentRun();
        QVERIFY(run && run->model && run->prepared);
        exportModel(*run, dir.filePath(QStringLiteral("model")));
        for (const char* file : {"config.json", "history.csv", "metrics.json", "model.pt"})
            QVERIFY2(QFileInfo::exists(dir.filePath(QStringLiteral("model/") + file)), file);
        // The charts, as File → Export → Charts writes them: PNG at the size asked, and SVG.
        const QString charts = dir.filePath(QStringLiteral("charts"));
        QVERIFY(QDir().mkpath(charts));
        const QStringList written = m_tab->exportCharts(charts, {640, 400, 1.0});
        QCOMPARE(written.size(), 2 * m_tab->chartWidgets().size());
        for (const char* file : {"loss.png", "loss.svg", "parity.png", "parity.svg"})
            QVERIFY2(written.contains(QDir(charts).filePath(QString::fromLatin1(file))), file);
        for (const QString& file : written)
            QVERIFY2(QFileInfo(file).size() > 0, qPrintable(file));
        QCOMPARE(QImage(QDir(charts).filePath(QStringLiteral("loss.png"))).size(), QSize(640, 400));

        // Session: save, read back, restore into the window.
        ExperimentConfig settings = studyConfig(4, 3);
        settings.graph.options.cutoff = 0.75;
        panel()->setConfig(settings);
        const Session session = m_window->currentSession();
        QVERIFY(session.files.isEmpty()); // the built-in sample
        QCOMPARE(session.runs.size(), std::size_t(1));
        const QString path = dir.filePath(QStringLiteral("session.json"));
        saveSession(session, path);
        const QByteArray copy = qgetenv("GRAPHACE_SESSION_COPY"); // a fuzzing seed
        if (!copy.isEmpty())
            QVERIFY(QFile::copy(path, QString::fromLocal8Bit(copy)));
        const Session loaded = loadSession(path);
        panel()->applyPreset(QStringLiteral("recommended")); // something else in between
        QSignalSpy loadedSpy(m_window.get(), &MainWindow::loadFinished);
        m_window->restoreSession(loaded);
        QVERIFY(loadedSpy.wait(120000));
        QTRY_COMPARE_WITH_TIMEOUT(m_tab->runs().size(), std::size_t(1), 10000);
        QCOMPARE(asJson(panel()->config()).dump(), asJson(settings).dump());
        QCOMPARE(m_tab->runs().front().history.size(), session.runs.front().history.size());
        QCOMPARE(m_tab->charts()->runCount(), 1);
        QCOMPARE(m_tab->charts()->series(0, TrainingCharts::TrainLoss)->count(),
                 static_cast<int>(session.runs.front().history.size()));
        // The earlier runs of the tests before, kept for comparison, come back with them.
        QCOMPARE(m_tab->earlierRuns().size(), session.earlierRuns.size());
        QCOMPARE(m_tab->resultsTable()->rowCount(),
                 static_cast<int>(2 + 2 * session.earlierRuns.size()));
        QCOMPARE(m_window->cutoffPanel()->cutoff(), session.cutoff);
    }

    void cleanupTestCase() {
        if (m_tab && m_tab->isRunning()) {
            m_tab->stop();
            waitFinished(60000);
        }
        m_window.reset();
    }
};

QTEST_MAIN(TestGuiTraining)
#include "test_gui_training.moc"
