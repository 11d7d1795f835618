// The Dynamics tab driven as a person would: a fitted model on the configuration shown, Start,
// the view and charts following, Stop, a run that blows up, the trajectory exported. Needs a
// display (run under xvfb-run).
#include "graphace/ace_basis.h"
#include "graphace/experiment_config.h"
#include "graphace/extxyz.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/linear_ace_force_field.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/sample_dataset.h"
#include "graphace/ui/dynamics_tab.h"
#include "graphace/ui/main_window.h"
#include "graphace/ui/structure_scene.h"
#include "graphace/ui/structure_view.h"
#include "graphace/ui/training_panel.h"
#include "graphace/ui/training_tab.h"
#include "graphace/ui/vtk_viewport.h"
#include "gui_testing.h"
#include "testing.h"

#include <QApplication>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <cmath>
#include <memory>

using namespace graphace;
using namespace graphace::ui;

class TestGuiDynamics : public QObject {
    Q_OBJECT
public:
    static void initMain() { testing::prepareGuiTestProcess(); }

private:
    QTemporaryDir m_dir;
    std::shared_ptr<const Dataset> m_data;
    LinearAceModel m_model;
    std::unique_ptr<MainWindow> m_window;

    DynamicsTab* tab() const { return m_window->dynamicsTab(); }

    // Runs with the settings given, through the buttons; returns when the run has ended.
    void runWith(double temperature, double timestep, int steps, int thermostat) {
        tab()->temperatureBox()->setValue(temperature);
        tab()->timestepBox()->setValue(timestep);
        tab()->stepsBox()->setValue(steps);
        tab()->thermostatBox()->setCurrentIndex(thermostat);
        QSignalSpy finished(tab(), &DynamicsTab::runFinished);
        QVERIFY(tab()->startButton()->isEnabled());
        QTest::mouseClick(tab()->startButton(), Qt::LeftButton);
        QVERIFY(tab()->isRunning());
        QVERIFY(!tab()->startButton()->isEnabled() && tab()->stopButton()->isEnabled());
        QVERIFY(finished.wait(120000));
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        SampleOptions options;
        options.configurations = 24;
        m_data = std::make_shared<const Dataset>(generateSampleDataset(options));
        AceConfig ace = resolvedFor(AceConfig{}, *m_data);
        ace.body_order = 3;
        ace.max_degree = 6;
        ace.r0 = 2.2;
        ace.rcut = 5.0;
        LinearFitOptions fit;
        fit.forcesWeight = 1.0;
        fit.ridge = 1e-8;
        m_model = fitLinearAceStreaming(AceBasis(ace), *m_data, fit);

        m_window = std::make_unique<MainWindow>();
        m_window->resize(1280, 860);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        m_window->setDataset(m_data, QStringLiteral("sample"));
        m_window->tabs()->setCurrentWidget(tab());
    }

    void noModelNoStart() {
        QCOMPARE(tab()->modelBox()->count(), 0);
        QVERIFY(!tab()->startButton()->isEnabled());
        tab()->start();
        QVERIFY(!tab()->isRunning());
        QVERIFY(tab()->statusLabel()->text().contains(QStringLiteral("No model")));
    }

    void badModelFileIsReported() {
        const QString bad = m_dir.filePath(QStringLiteral("bad.json"));
        QFile file(bad);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("{\"format\": \"graphace-linear-ace\", \"version\": 1}");
        file.close();
        const QString error = testing::errorOf([&] { tab()->openModelFile(bad); });
        QVERIFY2(error.contains(bad), qPrintable(error));
        QCOMPARE(tab()->modelBox()->count(), 0);
    }

    // NVE through the window equals the core integrator run directly with the settings typed
    // in (same seed): the tab runs the real thing, frame for frame, and shows every frame.
    void nveRunFollowsTheCoreIntegrator() {
        const QString path = m_dir.filePath(QStringLiteral("model.json"));
        writeLinearAceModel(m_model, path.toStdString());
        QCOMPARE(tab()->openModelFile(path), 0);
        QVERIFY(tab()->modelBox()->currentText().contains(QStringLiteral("model.json")));
        runWith(300, 0.5, 200, 0);

        const Structure& start = *m_window->currentStructurePointer();
        MdSettings settings;
        settings.timestep = 0.5;
        settings.steps = 200;
        settings.temperature = 300;
        std::vector<MdFrame> expected;
        runMolecularDynamics(start, linearAceForceField(m_model), settings,
                             [&](const MdFrame& f, const MdState&) {
                                 expected.push_back(f);
                                 return true;
                             });
        const auto& frames = tab()->frames();
        QCOMPARE(frames.size(), expected.size());
        for (std::size_t k = 0; k < frames.size(); ++k) {
            QCOMPARE(frames[k].step, expected[k].step);
            QCOMPARE(frames[k].potential, expected[k].potential);
            QCOMPARE(frames[k].temperature, expected[k].temperature);
        }
        // The charts have every frame; the view shows the last one, moved from the start.
        QCOMPARE(tab()->totalEnergySeries()->count(), static_cast<int>(frames.size()));
        QCOMPARE(tab()->temperatureSeries()->count(), static_cast<int>(frames.size()));
        const auto& shown = tab()->view()->scene().structure();
        QVERIFY(shown);
        QCOMPARE(shown->size(), start.size());
        QVERIFY((shown->positions[0] - start.positions[0]).norm() > 1e-4);
        QVERIFY(std::abs(shown->positions[5][1] -
                         tab()->trajectory().structures.back().positions[5][1]) < 1e-12);
        // Energy is conserved (0.5 fs, 100 fs at 300 K) and the verdict says so.
        const double drift =
            std::abs(frames.back().total() - frames.front().total()) / start.size();
        QVERIFY2(drift < 1e-3, qPrintable(QString::number(drift)));
        QVERIFY2(tab()->verdict().startsWith(QStringLiteral("Completed 200 steps")),
                 qPrintable(tab()->verdict()));
        QVERIFY(tab()->verdict().contains(QStringLiteral("drift")));
        QVERIFY(!tab()->leftGround());
        QVERIFY(tab()->exportButton()->isEnabled());

        // The exported trajectory is the frames: energies, forces, velocities.
        const QString out = m_dir.filePath(QStringLiteral("trajectory.xyz"));
        tab()->exportTrajectory(out);
        const Dataset read = readExtxyzFile(out.toStdString());
        QCOMPARE(read.size(), frames.size());
        for (std::size_t k = 0; k < frames.size(); k += 50) {
            QVERIFY(std::abs(*read.structures[k].energy - frames[k].potential) <=
                    1e-9 * std::abs(frames[k].potential));
            QVERIFY(read.structures[k].hasForces());
            QCOMPARE(read.structures[k].extraProperties.at(0).name, std::string("velocities"));
        }

        QVERIFY(m_window->grabImage().save(m_dir.filePath(QStringLiteral("dynamics.png"))));
        if (qEnvironmentVariableIsSet("GRAPHACE_SCREENSHOT_DIR")) { // for a person to look at
            const QString dir = qEnvironmentVariable("GRAPHACE_SCREENSHOT_DIR");
            m_window->grabImage().save(dir + QStringLiteral("/dynamics.png"));
            const QSize size = m_window->size();
            m_window->resize(1024, 700);
            QTest::qWait(200);
            m_window->grabImage().save(dir + QStringLiteral("/dynamics-1024x700.png"));
            m_window->resize(size);
        }
    }

    void stopEndsTheRun() {
        tab()->stepsBox()->setValue(10000000);
        QSignalSpy finished(tab(), &DynamicsTab::runFinished);
        QTest::mouseClick(tab()->startButton(), Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(tab()->frames().size() > 3, 60000);
        QTest::mouseClick(tab()->stopButton(), Qt::LeftButton);
        QVERIFY(finished.wait(30000));
        QVERIFY(!tab()->isRunning());
        QVERIFY2(tab()->verdict().startsWith(QStringLiteral("Stopped at step")),
                 qPrintable(tab()->verdict()));
        QVERIFY(tab()->frames().back().step < 10000000);
        QVERIFY(tab()->startButton()->isEnabled());
    }

    // A model with no forces at all (every coefficient 0) lets hot atoms run through each other:
    // the run must say it left physical ground, when, and why, and stop soon after.
    void blowUpIsReported() {
        LinearAceModel inert = m_model;
        inert.coefficients.setZero();
        tab()->addModel(QStringLiteral("inert"), inert);
        runWith(5000, 2.0, 20000, 0);
        QVERIFY(tab()->leftGround());
        QVERIFY2(tab()->verdict().startsWith(QStringLiteral("Left physical ground at step")) &&
                     tab()->verdict().contains(QStringLiteral("two atoms came within")),
                 qPrintable(tab()->verdict()));
        QVERIFY(tab()->frames().back().step < 20000);
        QVERIFY(tab()->statusLabel()->styleSheet().contains(QStringLiteral("color")));
    }

    // A run of the Training tab offers its linear fit here at once, and its network (trained on
    // forces: smooth edge weights) when it has finished; the network then runs dynamics too.
    void trainingRunsOfferTheirModels() {
        ExperimentConfig c = presetConfig("recommended");
        c.data.trainSize = 16;
        c.data.testSize = 8;
        c.optimiser.phases.at(0).epochs = 2;
        c.optimiser.phases.at(0).autoEpochs = false;
        c.model.graphLayers = {{8, Activation::Silu}, {8, Activation::Silu}};
        c.model.denseLayers = {{8, Activation::Silu}, {1, Activation::Identity}};
        c.training.threads = 1;
        m_window->trainingTab()->panel()->setConfig(c);
        const int before = tab()->modelBox()->count();
        QSignalSpy linear(m_window->trainingTab(), &TrainingTab::linearReady);
        QSignalSpy done(m_window->trainingTab(), &TrainingTab::trainingFinished);
        QVERIFY(m_window->trainingTab()->start());
        QVERIFY(linear.wait(300000));
        QCOMPARE(tab()->modelBox()->count(), before + 1);
        QVERIFY(tab()->modelBox()->currentText().startsWith(QStringLiteral("Linear fit of")));
        QVERIFY(done.count() > 0 || done.wait(300000));
        QCOMPARE(tab()->modelBox()->count(), before + 2);
        QVERIFY2(tab()->modelBox()->currentText().startsWith(QStringLiteral("Network of")),
                 qPrintable(tab()->modelBox()->currentText()));

        runWith(300, 0.5, 20, 0);
        QCOMPARE(tab()->frames().size(), std::size_t(21));
        QVERIFY2(tab()->verdict().startsWith(QStringLiteral("Completed 20 steps")),
                 qPrintable(tab()->verdict()));
        for (const MdFrame& f : tab()->frames())
            QVERIFY(std::isfinite(f.potential) && f.maxForce > 0);
    }

    // Closing the window during a run asks first: No keeps window and run, Yes stops and closes.
    void closingDuringARunAsks() {
        tab()->stepsBox()->setValue(10000000);
        QSignalSpy finished(tab(), &DynamicsTab::runFinished);
        QTest::mouseClick(tab()->startButton(), Qt::LeftButton);
        QVERIFY(tab()->isRunning());
        auto answer = [](QMessageBox::StandardButton button) {
            QTimer::singleShot(100, [button] {
                auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget());
                if (box && box->objectName() == QStringLiteral("quitDuringRunDialog"))
                    box->button(button)->click();
            });
        };
        answer(QMessageBox::No);
        QVERIFY(!m_window->close());
        QVERIFY(m_window->isVisible() && tab()->isRunning());
        answer(QMessageBox::Yes);
        QVERIFY(m_window->close());
        QVERIFY(finished.wait(30000));
        QVERIFY(tab()->verdict().startsWith(QStringLiteral("Stopped at step")));
    }
};

QTEST_MAIN(TestGuiDynamics)
#include "test_gui_dynamics.moc"
