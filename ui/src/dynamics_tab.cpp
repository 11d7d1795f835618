#include "graphace/ui/dynamics_tab.h"

#include "graphace/ui/range_spin_box.h"

#include "graphace/extxyz.h"
#include "graphace/gcn_force_field.h"
#include "graphace/linear_ace_force_field.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/neighbor_list.h"
#include "graphace/ui/chart_style.h"
#include "graphace/ui/structure_view.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineSeries>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTimer>
#include <QVBoxLayout>
#include <QValueAxis>
#include <QtConcurrent/QtConcurrentRun>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <mutex>

namespace graphace::ui {

// What the worker hands over; everything but `stop` under `mutex`.
struct DynamicsTab::Shared {
    std::mutex mutex;
    std::vector<MdFrame> frames;     // not yet taken in by the UI
    std::vector<Structure> recorded; // their trajectory entries (mdTrajectoryFrame)
    std::atomic_bool stop{false};
    std::string error;     // what the model threw
    std::string offGround; // why the run left physical ground
    MdFrame offGroundFrame;
};

namespace {

QDoubleSpinBox* spinBox(double low, double high, double value, int decimals, const QString& unit,
                        const QString& tip) {
    auto* box = new RangeDoubleSpinBox;
    box->setRange(low, high);
    box->setDecimals(decimals);
    box->setValue(value);
    box->setSuffix(unit);
    box->setToolTip(tip);                 // the range is added by the box
    box->setFocusPolicy(Qt::StrongFocus); // the wheel changes it only once clicked
    return box;
}

QValueAxis* axis(const QString& title) {
    auto* a = new QValueAxis;
    a->setTitleText(title);
    a->setLabelFormat(QStringLiteral("%.4g"));
    return a;
}

void fitAxis(QValueAxis* axis, double low, double high) {
    if (!(high > low)) {
        const double pad = std::max(1e-6, std::abs(low) * 0.05);
        low -= pad;
        high += pad;
    }
    const double margin = 0.05 * (high - low);
    axis->setRange(low == 0.0 ? 0.0 : low - margin, high + margin); // a range from 0 stays at 0
    axis->applyNiceNumbers();
}

} // namespace

DynamicsTab::DynamicsTab(QWidget* parent) : QWidget(parent) {
    m_startTitle = new QLabel(tr("No configuration: load data and pick one in the Structure tab."));
    m_startTitle->setWordWrap(true);

    m_modelBox = new QComboBox;
    m_modelBox->setObjectName(QStringLiteral("dynamicsModel"));
    m_modelBox->setPlaceholderText(tr("no model yet"));
    m_modelBox->setToolTip(tr("The linear ACE fit of a Training-tab run, or a linear model file "
                              "(graphace fit-linear --save-coefficients)"));
    m_openButton = new QPushButton(tr("Open…"));
    m_openButton->setToolTip(tr("Open a linear model file (JSON)"));
    auto* modelRow = new QHBoxLayout;
    modelRow->addWidget(m_modelBox, 1);
    modelRow->addWidget(m_openButton);

    m_temperature =
        spinBox(1, 20000, 300, 0, tr(" K"),
                tr("Start temperature (Maxwell–Boltzmann) and, with Langevin, the bath"));
    m_timestep = spinBox(0.01, 10, 1.0, 2, tr(" fs"), tr("Time step"));
    m_steps = new RangeSpinBox;
    m_steps->setRange(1, 100000000);
    m_steps->setValue(2000);
    m_steps->setToolTip(tr("Number of steps"));
    m_steps->setFocusPolicy(Qt::StrongFocus);
    m_thermostat = new QComboBox;
    m_thermostat->addItem(tr("NVE (velocity Verlet)"));
    m_thermostat->addItem(tr("Langevin (BAOAB)"));
    m_friction = spinBox(0.0001, 1, 0.01, 4, tr(" /fs"), tr("Langevin friction γ"));

    auto* form = new QFormLayout;
    form->addRow(tr("Model"), modelRow);
    form->addRow(tr("Temperature"), m_temperature);
    form->addRow(tr("Time step"), m_timestep);
    form->addRow(tr("Steps"), m_steps);
    form->addRow(tr("Ensemble"), m_thermostat);
    form->addRow(tr("Friction"), m_friction);

    m_startButton = new QPushButton(tr("Start"));
    m_startButton->setObjectName(QStringLiteral("dynamicsStart"));
    m_stopButton = new QPushButton(tr("Stop"));
    m_exportButton = new QPushButton(tr("Export trajectory…"));
    m_exportButton->setToolTip(tr("The recorded frames as extended XYZ (positions, energy, "
                                  "forces, velocities), as graphace md --out writes them"));
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(m_startButton);
    buttons->addWidget(m_stopButton);
    m_status = new QLabel;
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto* controls = new QWidget;
    auto* column = new QVBoxLayout(controls);
    column->addWidget(m_startTitle);
    column->addLayout(form);
    column->addLayout(buttons);
    column->addWidget(m_exportButton);
    // The status takes the column's free height: a word-wrapped label given only its size hint
    // would cut the lines below the first.
    m_status->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    column->addWidget(m_status, 1);
    controls->setMinimumWidth(260);
    controls->setMaximumWidth(380);

    m_view = new StructureView;

    QChart* energy = newStyledChart(tr("Energy per atom, from the total at t = 0"));
    m_energyTime = axis(tr("time (fs)"));
    m_energyAxis = axis(tr("eV/atom"));
    energy->addAxis(m_energyTime, Qt::AlignBottom);
    energy->addAxis(m_energyAxis, Qt::AlignLeft);
    for (auto [series, name] :
         {std::pair{&m_potential, tr("potential")}, std::pair{&m_kinetic, tr("kinetic")},
          std::pair{&m_total, tr("total")}}) {
        *series = new QLineSeries;
        (*series)->setName(name);
        energy->addSeries(*series);
        (*series)->attachAxis(m_energyTime);
        (*series)->attachAxis(m_energyAxis);
    }
    QChart* temperature = newStyledChart(tr("Temperature"));
    m_temperatureTime = axis(tr("time (fs)"));
    m_temperatureAxis = axis(tr("K"));
    temperature->addAxis(m_temperatureTime, Qt::AlignBottom);
    temperature->addAxis(m_temperatureAxis, Qt::AlignLeft);
    m_temperatureSeries = new QLineSeries;
    m_temperatureSeries->setName(tr("temperature"));
    temperature->addSeries(m_temperatureSeries);
    m_temperatureSeries->attachAxis(m_temperatureTime);
    m_temperatureSeries->attachAxis(m_temperatureAxis);
    auto* charts = new QWidget;
    auto* chartRow = new QHBoxLayout(charts);
    chartRow->setContentsMargins(0, 0, 0, 0);
    for (QChart* chart : {energy, temperature}) {
        auto* view = new QChartView(chart);
        view->setRenderHint(QPainter::Antialiasing);
        view->setMinimumHeight(180);
        chartRow->addWidget(view);
    }

    auto* right = new QSplitter(Qt::Vertical);
    right->addWidget(m_view);
    right->addWidget(charts);
    right->setStretchFactor(0, 3);
    right->setStretchFactor(1, 2);
    auto* layout = new QHBoxLayout(this);
    layout->addWidget(controls);
    layout->addWidget(right, 1);

    m_timer = new QTimer(this);
    m_timer->setInterval(100); // the charts and the view follow ten times a second at most
    connect(m_timer, &QTimer::timeout, this, &DynamicsTab::takeFrames);
    connect(&m_watcher, &QFutureWatcher<void>::finished, this, &DynamicsTab::onFinished);
    connect(m_startButton, &QPushButton::clicked, this, &DynamicsTab::start);
    connect(m_stopButton, &QPushButton::clicked, this, &DynamicsTab::stop);
    connect(m_exportButton, &QPushButton::clicked, this, &DynamicsTab::exportDialog);
    connect(m_openButton, &QPushButton::clicked, this, &DynamicsTab::openModelDialog);
    connect(m_modelBox, &QComboBox::currentIndexChanged, this, &DynamicsTab::updateControls);
    connect(m_thermostat, &QComboBox::currentIndexChanged, this, &DynamicsTab::updateControls);
    updateControls();
}

DynamicsTab::~DynamicsTab() {
    if (m_shared)
        m_shared->stop = true;
    m_watcher.waitForFinished();
}

void DynamicsTab::setStart(std::shared_ptr<const Structure> structure, const QString& label) {
    m_start = std::move(structure);
    m_startLabel = label;
    m_startTitle->setText(m_start ? tr("Start: %1").arg(label)
                                  : tr("No configuration: load data and pick one in the "
                                       "Structure tab."));
    if (!isRunning()) {
        m_view->setStructure(m_start);
        if (m_start)
            showFrame(*m_start);
    }
    updateControls();
}

void DynamicsTab::setData(std::shared_ptr<const Dataset> data) {
    m_data = std::move(data);
}

void DynamicsTab::setGraphCutoff(double cutoff) {
    if (cutoff > 0)
        m_graphCutoff = cutoff;
}

int DynamicsTab::addModel(const QString& name, const LinearAceModel& model) {
    auto shared = std::make_shared<const LinearAceModel>(model);
    return addForceField(name, [shared] { return linearAceForceField(*shared); });
}

int DynamicsTab::addNetwork(const QString& name, std::shared_ptr<const GcnModel> model,
                            const ExperimentConfig& config) {
    gcnForceField(model, config); // refuses a network without forces now, not at Start
    return addForceField(name, [model, config] { return gcnForceField(model, config); });
}

int DynamicsTab::addForceField(const QString& name, std::function<ForceField()> make) {
    m_models.push_back(std::move(make));
    m_modelBox->addItem(name);
    m_modelBox->setCurrentIndex(m_modelBox->count() - 1);
    updateControls();
    return m_modelBox->count() - 1;
}

int DynamicsTab::openModelFile(const QString& path) {
    const LinearAceModel model = readLinearAceModel(path.toStdString());
    linearAceForceField(model); // checks the coefficients against the basis now, not at Start
    return addModel(tr("%1 (file)").arg(QFileInfo(path).fileName()), model);
}

bool DynamicsTab::isRunning() const {
    return m_watcher.isRunning();
}

void DynamicsTab::start() {
    if (isRunning())
        return;
    const int index = m_modelBox->currentIndex();
    if (index < 0 || !m_start) {
        m_status->setText(index < 0 ? tr("No model: train in the Training tab (its linear fit "
                                         "appears here) or open a linear model file.")
                                    : tr("No configuration to start from."));
        return;
    }
    MdSettings settings;
    settings.timestep = m_timestep->value();
    settings.steps = m_steps->value();
    settings.temperature = m_temperature->value();
    settings.thermostat =
        m_thermostat->currentIndex() == 1 ? Thermostat::Langevin : Thermostat::None;
    settings.friction = m_friction->value();
    // At most ~2,000 recorded frames, fewer for large cells (each is kept for the export).
    m_atoms = m_start->size();
    const long long keep = std::clamp<long long>(
        2'000'000 / static_cast<long long>(std::max<std::size_t>(1, m_atoms)), 20, 2000);
    settings.every = static_cast<int>(std::max<long long>(1, (settings.steps + keep - 1) / keep));
    m_requestedSteps = settings.steps;

    ForceField field;
    try {
        field = m_models[index]();
    } catch (const std::exception& e) {
        m_status->setText(tr("Cannot use this model: %1").arg(QString::fromUtf8(e.what())));
        return;
    }
    for (QLineSeries* series : {m_potential, m_kinetic, m_total, m_temperatureSeries})
        series->clear();
    m_frames.clear();
    m_trajectory.structures.clear();
    m_verdict.clear();
    m_leftGround = false;
    m_status->setStyleSheet({});
    m_status->setText(tr("Starting…"));

    auto shared = std::make_shared<Shared>();
    m_shared = shared;
    const Structure start = *m_start;
    const std::shared_ptr<const Dataset> data = m_data;
    m_watcher.setFuture(QtConcurrent::run([shared, start, field, settings, data] {
        Dataset own;
        if (!data)
            own.structures.push_back(start);
        const MdGround ground = mdGroundOf(data ? *data : own);
        long long offStep = -1;
        try {
            runMolecularDynamics(
                start, field, settings,
                [&](const MdFrame& f, const MdState& s) {
                    const std::string reason =
                        offStep < 0 ? offGroundReason(f, ground, MdLimits{}) : std::string();
                    std::lock_guard<std::mutex> lock(shared->mutex);
                    shared->frames.push_back(f);
                    shared->recorded.push_back(mdTrajectoryFrame(f, s));
                    if (!reason.empty()) {
                        offStep = f.step;
                        shared->offGround = reason;
                        shared->offGroundFrame = f;
                    }
                    // Past physical ground, 20 more frames show how; the rest would be noise.
                    return !shared->stop &&
                           (offStep < 0 || f.step < offStep + 20LL * settings.every);
                },
                [&shared] { return shared->stop.load(); });
        } catch (const std::exception& e) {
            std::lock_guard<std::mutex> lock(shared->mutex);
            shared->error = e.what();
        }
    }));
    m_timer->start();
    updateControls();
    Q_EMIT runStarted();
}

void DynamicsTab::stop() {
    if (m_shared)
        m_shared->stop = true;
}

void DynamicsTab::takeFrames() {
    if (!m_shared)
        return;
    std::vector<MdFrame> frames;
    std::vector<Structure> recorded;
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        frames.swap(m_shared->frames);
        recorded.swap(m_shared->recorded);
    }
    if (frames.empty())
        return;
    const double atoms = static_cast<double>(std::max<std::size_t>(1, m_atoms));
    for (const MdFrame& f : frames) {
        m_frames.push_back(f);
        const double origin = m_frames.front().total() / atoms;
        m_potential->append(f.time, f.potential / atoms - origin);
        m_kinetic->append(f.time, f.kinetic / atoms);
        m_total->append(f.time, f.total() / atoms - origin);
        m_temperatureSeries->append(f.time, f.temperature);
    }
    for (Structure& s : recorded)
        m_trajectory.structures.push_back(std::move(s));

    // Axes to the data (finite values only: a blown-up run must not break the scale).
    double eLow = std::numeric_limits<double>::infinity(), eHigh = -eLow;
    double tLow = eLow, tHigh = -eLow;
    for (QLineSeries* series : {m_potential, m_kinetic, m_total})
        for (const QPointF& p : series->points())
            if (std::isfinite(p.y())) {
                eLow = std::min(eLow, p.y());
                eHigh = std::max(eHigh, p.y());
            }
    for (const QPointF& p : m_temperatureSeries->points())
        if (std::isfinite(p.y())) {
            tLow = std::min(tLow, p.y());
            tHigh = std::max(tHigh, p.y());
        }
    const double tEnd = std::max(m_frames.back().time, 1e-9);
    m_energyTime->setRange(0, tEnd);
    m_temperatureTime->setRange(0, tEnd);
    if (std::isfinite(eLow))
        fitAxis(m_energyAxis, eLow, eHigh);
    if (std::isfinite(tLow))
        fitAxis(m_temperatureAxis, 0.0, tHigh);

    showFrame(m_trajectory.structures.back());
    m_status->setText(frameLine(m_frames.back()));
}

QString DynamicsTab::frameLine(const MdFrame& f) const {
    return tr("Step %L1 of %L2, t = %3 fs\nT = %4 K, E_total = %5 eV\nshortest distance %6 Å, "
              "largest force %7 eV/Å")
        .arg(f.step)
        .arg(m_requestedSteps)
        .arg(f.time, 0, 'f', 1)
        .arg(f.temperature, 0, 'f', 0)
        .arg(f.total(), 0, 'f', 4)
        .arg(f.minDistance, 0, 'f', 3)
        .arg(f.maxForce, 0, 'f', 3);
}

void DynamicsTab::showFrame(const Structure& structure) {
    auto shown = std::make_shared<const Structure>(structure);
    m_view->showFrame(shown);
    try {
        const NeighborList neighbors = computeNeighborList(*shown, m_graphCutoff);
        std::vector<int> degrees(shown->size(), 0);
        for (int i : neighbors.first)
            ++degrees[i];
        m_view->setNeighbors(neighbors, degrees);
    } catch (const std::exception&) {
        m_view->setNeighbors(NeighborList{}, {}); // a degenerate cell: atoms only
    }
}

void DynamicsTab::onFinished() {
    m_timer->stop();
    takeFrames();
    std::string error, offGround;
    MdFrame offFrame;
    bool stopped = false;
    {
        std::lock_guard<std::mutex> lock(m_shared->mutex);
        error = m_shared->error;
        offGround = m_shared->offGround;
        offFrame = m_shared->offGroundFrame;
        stopped = m_shared->stop;
    }
    const long long last = m_frames.empty() ? 0 : m_frames.back().step;
    if (!error.empty()) {
        m_leftGround = true;
        m_verdict =
            tr("The model failed at step %L1: %2").arg(last).arg(QString::fromStdString(error));
    } else if (!offGround.empty()) {
        m_leftGround = true;
        m_verdict = tr("Left physical ground at step %L1 (t = %2 fs): %3.")
                        .arg(offFrame.step)
                        .arg(offFrame.time, 0, 'f', 1)
                        .arg(QString::fromStdString(offGround));
    } else if (stopped && last < m_requestedSteps) {
        m_verdict = tr("Stopped at step %L1 of %L2.").arg(last).arg(m_requestedSteps);
    } else {
        m_verdict = tr("Completed %L1 steps (%2 fs) on physical ground.")
                        .arg(last)
                        .arg(m_frames.empty() ? 0.0 : m_frames.back().time, 0, 'f', 1);
    }
    if (m_thermostat->currentIndex() == 0 && m_frames.size() >= 2 && !m_leftGround)
        m_verdict += tr(" NVE energy drift %1 meV/atom/ps.")
                         .arg(energyDriftMevPerAtomPerPs(m_frames, m_atoms), 0, 'g', 3);
    m_status->setText(m_verdict + QStringLiteral("\n\n") +
                      (m_frames.empty() ? QString() : frameLine(m_frames.back())));
    m_status->setStyleSheet(m_leftGround ? QStringLiteral("color: #b00020;") : QString());
    updateControls();
    Q_EMIT runFinished();
}

void DynamicsTab::updateControls() {
    const bool running = isRunning();
    m_startButton->setEnabled(!running && m_modelBox->currentIndex() >= 0 && m_start);
    m_startButton->setToolTip(m_modelBox->currentIndex() < 0
                                  ? tr("No model yet: train in the Training tab or open a "
                                       "linear model file")
                                  : tr("Run dynamics from the configuration shown"));
    m_stopButton->setEnabled(running);
    m_exportButton->setEnabled(!running && !m_trajectory.structures.empty());
    for (QWidget* w : std::initializer_list<QWidget*>{m_modelBox, m_openButton, m_temperature,
                                                      m_timestep, m_steps, m_thermostat})
        w->setEnabled(!running);
    m_friction->setEnabled(!running && m_thermostat->currentIndex() == 1);
}

void DynamicsTab::openModelDialog() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Open linear model"), QString(),
                                                      tr("Linear model (*.json);;All files (*)"));
    if (path.isEmpty())
        return;
    try {
        openModelFile(path);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Open linear model"), QString::fromUtf8(e.what()));
    }
}

void DynamicsTab::exportTrajectory(const QString& path) const {
    writeExtxyzFile(path.toStdString(), m_trajectory);
}

void DynamicsTab::exportDialog() {
    const QString path = QFileDialog::getSaveFileName(this, tr("Export trajectory"),
                                                      QStringLiteral("trajectory.xyz"),
                                                      tr("Extended XYZ (*.xyz *.extxyz)"));
    if (path.isEmpty())
        return;
    try {
        exportTrajectory(path);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export trajectory"), QString::fromUtf8(e.what()));
    }
}

} // namespace graphace::ui
