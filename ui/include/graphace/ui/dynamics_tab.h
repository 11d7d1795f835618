#pragma once
// The "Dynamics" tab: molecular dynamics with a fitted model on the configuration shown in the
// Structure tab, to see whether the potential holds up (molecular_dynamics.h; the same
// integrators, ground rules and trajectory format as `graphace md`).
//
// The run is on a worker thread (QtConcurrent). It hands its frames over through a mutex; a
// timer on the UI thread takes them ten times a second, so the charts rescale and the 3D view
// (atoms and neighbour graph at the Structure tab's cutoff) moves at most that often however
// fast the steps are. Stop ends the run within one step. A run that leaves physical ground
// (a pair closer than 0.75 × the data's shortest distance, a force above 5 × the data's largest,
// a non-finite energy, or the model failing) is stopped 20 frames later and says so.
//
// Models: every Training-tab run's linear ACE fit (added as the run reports it) and its network
// when that has forces (smooth edge weights), and linear model files (`graphace fit-linear
// --save-coefficients`) opened here.

#include "graphace/experiment_config.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/molecular_dynamics.h"
#include "graphace/structure.h"

#include <QFutureWatcher>
#include <QString>
#include <QWidget>

#include <functional>
#include <memory>
#include <vector>

class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineSeries;
class QPushButton;
class QSpinBox;
class QTimer;
class QValueAxis;

namespace graphace {
class GcnModel;
}

namespace graphace::ui {

class StructureView;

class DynamicsTab : public QWidget {
    Q_OBJECT
public:
    explicit DynamicsTab(QWidget* parent = nullptr);
    ~DynamicsTab() override; // stops a running simulation and waits for it

    // The configuration runs start from (the Structure tab's; null: none) and its label.
    void setStart(std::shared_ptr<const Structure> structure, const QString& label);
    // The data a run is judged against (shortest distance, largest force).
    void setData(std::shared_ptr<const Dataset> data);
    // The neighbour graph drawn in the view (the Structure tab's cutoff), Å.
    void setGraphCutoff(double cutoff);
    // Adds a model and selects it; returns its index in modelBox().
    int addModel(const QString& name, const LinearAceModel& model);
    // A trained network with the configuration it ran with; throws std::invalid_argument when
    // its energy has no forces.
    int addNetwork(const QString& name, std::shared_ptr<const GcnModel> model,
                   const ExperimentConfig& config);
    // A linear model file; throws std::invalid_argument (file and problem) for a bad one.
    int openModelFile(const QString& path);

    // Starts a run with the settings shown (no-op, with a message, when no model or no start
    // configuration is there); stop() asks a running one to end.
    void start();
    void stop();
    bool isRunning() const;
    // Writes the recorded frames as extended XYZ (positions, energy, forces, velocities);
    // throws std::runtime_error naming the file.
    void exportTrajectory(const QString& path) const;

    // What the last run recorded (on the UI thread: frames taken in so far).
    const std::vector<MdFrame>& frames() const { return m_frames; }
    const Dataset& trajectory() const { return m_trajectory; }
    // "" while none has ended; else its outcome in words.
    QString verdict() const { return m_verdict; }
    bool leftGround() const { return m_leftGround; }

    QComboBox* modelBox() const { return m_modelBox; }
    QDoubleSpinBox* temperatureBox() const { return m_temperature; }
    QDoubleSpinBox* timestepBox() const { return m_timestep; }
    QSpinBox* stepsBox() const { return m_steps; }
    QComboBox* thermostatBox() const { return m_thermostat; }
    QDoubleSpinBox* frictionBox() const { return m_friction; }
    QPushButton* startButton() const { return m_startButton; }
    QPushButton* stopButton() const { return m_stopButton; }
    QPushButton* exportButton() const { return m_exportButton; }
    QLabel* statusLabel() const { return m_status; }
    StructureView* view() const { return m_view; }
    QLineSeries* totalEnergySeries() const { return m_total; }
    QLineSeries* temperatureSeries() const { return m_temperatureSeries; }

Q_SIGNALS:
    void runStarted();
    // After the run's last frame has been taken in and the verdict set.
    void runFinished();

private:
    struct Shared;
    void takeFrames();
    void onFinished();
    void updateControls();
    void openModelDialog();
    void exportDialog();
    void showFrame(const Structure& structure);
    QString frameLine(const MdFrame& frame) const;

    std::shared_ptr<const Structure> m_start;
    QString m_startLabel;
    std::shared_ptr<const Dataset> m_data;
    double m_graphCutoff = 3.0;
    // Per model: makes its force field, one per run (a force field is not thread-safe).
    std::vector<std::function<ForceField()>> m_models;
    int addForceField(const QString& name, std::function<ForceField()> make);

    std::shared_ptr<Shared> m_shared;
    QFutureWatcher<void> m_watcher;
    QTimer* m_timer = nullptr;
    std::vector<MdFrame> m_frames;
    Dataset m_trajectory;
    QString m_verdict;
    bool m_leftGround = false;
    std::size_t m_atoms = 0;
    long long m_requestedSteps = 0;

    QLabel* m_startTitle = nullptr;
    QComboBox* m_modelBox = nullptr;
    QDoubleSpinBox* m_temperature = nullptr;
    QDoubleSpinBox* m_timestep = nullptr;
    QSpinBox* m_steps = nullptr;
    QComboBox* m_thermostat = nullptr;
    QDoubleSpinBox* m_friction = nullptr;
    QPushButton* m_openButton = nullptr;
    QPushButton* m_startButton = nullptr;
    QPushButton* m_stopButton = nullptr;
    QPushButton* m_exportButton = nullptr;
    QLabel* m_status = nullptr;
    StructureView* m_view = nullptr;
    QLineSeries *m_potential = nullptr, *m_kinetic = nullptr, *m_total = nullptr;
    QLineSeries* m_temperatureSeries = nullptr;
    QValueAxis *m_energyTime = nullptr, *m_energyAxis = nullptr;
    QValueAxis *m_temperatureTime = nullptr, *m_temperatureAxis = nullptr;
};

} // namespace graphace::ui
