#include "graphace/ui/training_panel.h"

#include "graphace/ui/range_spin_box.h"

#include "graphace/ace_defaults.h"

#include "graphace/element.h"
#include "graphace/gcn_library.h"
#include "graphace/gcn_trainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QFutureWatcher>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QHelpEvent>
#include <QLabel>
#include <QLocale>
#include <QRegularExpressionValidator>
#include <QScrollArea>
#include <QScrollBar>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QTableWidget>
#include <QToolButton>
#include <QToolTip>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>

#include <functional>
#include <set>

#include <cmath>
#include <exception>
#include <limits>

namespace graphace::ui {

namespace {

constexpr Activation kActivations[] = {
    Activation::Identity, Activation::Relu, Activation::LeakyRelu, Activation::Tanh,
    Activation::Sigmoid,  Activation::Silu, Activation::Gelu,      Activation::Softplus};

template <typename Enum, std::size_t N> QComboBox* enumCombo(const Enum (&values)[N]) {
    auto* combo = new QComboBox;
    for (Enum v : values)
        combo->addItem(QString::fromStdString(toString(v)), static_cast<int>(v));
    return combo;
}

template <typename Enum> Enum comboValue(const QComboBox* combo) {
    return static_cast<Enum>(combo->currentData().toInt());
}

template <typename Enum> void setComboValue(QComboBox* combo, Enum value) {
    const int index = combo->findData(static_cast<int>(value));
    if (index >= 0)
        combo->setCurrentIndex(index);
}

// Typed numbers beyond the range are brought to it with a note, never silently.
RangeSpinBox* spinBox(int minimum, int maximum, const QString& special = {}) {
    auto* box = new RangeSpinBox;
    box->setRange(minimum, maximum);
    if (!special.isEmpty())
        box->setSpecialValueText(special);
    return box;
}

QTableWidget* compactTable(const QStringList& headers) {
    auto* table = new QTableWidget(0, headers.size());
    table->setHorizontalHeaderLabels(headers);
    table->verticalHeader()->setDefaultSectionSize(26);
    table->verticalHeader()->setMinimumWidth(20);
    table->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);
    table->setSelectionBehavior(QAbstractItemView::SelectRows);
    table->setSelectionMode(QAbstractItemView::SingleSelection);
    table->setMinimumHeight(100);
    table->setMaximumHeight(150);
    return table;
}

// "+" / "−" buttons under a table: append a copy of the last row, remove the selected one.
QWidget* tableWithButtons(QTableWidget* table, const std::function<void()>& add, QWidget* owner) {
    auto* box = new QWidget;
    auto* layout = new QVBoxLayout(box);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(2);
    layout->addWidget(table);
    auto* buttons = new QHBoxLayout;
    auto* plus = new QToolButton;
    plus->setText(QStringLiteral("+"));
    plus->setToolTip(QObject::tr("Add a row (a copy of the last one)"));
    auto* minus = new QToolButton;
    minus->setText(QStringLiteral("−"));
    minus->setToolTip(QObject::tr("Remove the selected row (or the last one)"));
    buttons->addWidget(plus);
    buttons->addWidget(minus);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    QObject::connect(plus, &QToolButton::clicked, owner, add);
    QObject::connect(minus, &QToolButton::clicked, owner, [table]() {
        if (table->rowCount() <= 1)
            return; // the config needs at least one layer / phase
        const int row = table->currentRow() >= 0 ? table->currentRow() : table->rowCount() - 1;
        table->removeRow(row);
    });
    return box;
}

// Upper bound of the fields without one.
constexpr double kHuge = 1e300;

QGroupBox* group(const QString& title, QFormLayout*& form) {
    auto* box = new QGroupBox(title);
    form = new QFormLayout(box);
    form->setFieldGrowthPolicy(QFormLayout::AllNonFixedFieldsGrow);
    form->setContentsMargins(6, 6, 6, 6);
    form->setVerticalSpacing(4);
    return box;
}

} // namespace

// --- RealEdit --------------------------------------------------------------------------------

RealEdit::RealEdit(double minimum, double maximum, QWidget* parent)
    : QLineEdit(parent), m_minimum(minimum), m_maximum(maximum), m_value(minimum) {
    // No validator: one would swallow keystrokes (letters vanished) and revert out-of-range
    // numbers silently. The text is checked as typed and marked instead.
    setValue(std::max(minimum, 0.0));
    connect(this, &QLineEdit::textChanged, this, &RealEdit::showValidity);
    connect(this, &QLineEdit::editingFinished, this, [this]() {
        bool ok = false;
        const double v = QLocale::c().toDouble(text().trimmed(), &ok);
        if (ok && v >= m_minimum && v <= m_maximum) {
            m_value = v;
            Q_EMIT valueEdited(v);
        }
    });
}

QString RealEdit::problem() const {
    bool ok = false;
    const QString typed = text().trimmed();
    const double v = QLocale::c().toDouble(typed, &ok);
    if (!ok || !std::isfinite(v))
        return typed.isEmpty() ? tr("empty; a number is needed (%1)").arg(rangeText())
                               : tr("“%1” is not a number (%2)").arg(typed, rangeText());
    if (v < m_minimum || v > m_maximum)
        return tr("%1 is outside the range %2").arg(typed, rangeText());
    return {};
}

QString RealEdit::rangeText() const {
    constexpr double kUnbounded = 1e299;
    const bool positive = m_minimum > 0 && m_minimum < 1e-9; // "above zero", however small
    if (m_maximum >= kUnbounded)
        return positive ? tr("> 0") : tr("≥ %1").arg(format(m_minimum));
    return positive ? tr("> 0 and ≤ %1").arg(format(m_maximum))
                    : tr("%1 – %2").arg(format(m_minimum), format(m_maximum));
}

QString RealEdit::fullToolTip() const {
    QStringList parts;
    if (!isValid())
        parts << problem();
    if (!toolTip().isEmpty())
        parts << toolTip();
    parts << tr("Allowed: %1").arg(rangeText());
    return parts.join(QStringLiteral("\n"));
}

bool RealEdit::event(QEvent* event) {
    if (event->type() == QEvent::ToolTip) {
        QToolTip::showText(static_cast<QHelpEvent*>(event)->globalPos(), fullToolTip(), this);
        return true;
    }
    return QLineEdit::event(event);
}

void RealEdit::showValidity() {
    const bool valid = isValid();
    setStyleSheet(valid ? QString()
                        : QStringLiteral("QLineEdit { background: #fde2e1; color: #8a1010; }"));
    if (valid != m_valid) {
        m_valid = valid;
        Q_EMIT validityChanged(valid);
    }
}

QString RealEdit::format(double value) {
    return QString::number(value, 'g', QLocale::FloatingPointShortest);
}

double RealEdit::value() const {
    bool ok = false;
    const double v = QLocale::c().toDouble(text().trimmed(), &ok);
    return ok && v >= m_minimum && v <= m_maximum ? v : m_value;
}

void RealEdit::setValue(double value) {
    m_value = value;
    setText(format(value));
}

// --- LayerTable ------------------------------------------------------------------------------

LayerTable::LayerTable(const QString& rowName, QWidget* parent)
    : QWidget(parent), m_rowName(rowName) {
    m_table = compactTable({tr("Width"), tr("Activation")});
    connect(m_table->model(), &QAbstractItemModel::rowsRemoved, this, &LayerTable::edited);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tableWithButtons(
        m_table,
        [this]() {
            const auto current = layers();
            appendRow(current.empty() ? LayerConfig{} : current.back());
        },
        this));
}

void LayerTable::appendRow(const LayerConfig& layer) {
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    auto* width = spinBox(1, 4096);
    width->setValue(layer.width);
    width->setFrame(false);
    m_table->setCellWidget(row, 0, width);
    QComboBox* activation = enumCombo(kActivations);
    setComboValue(activation, layer.activation);
    activation->setFrame(false);
    m_table->setCellWidget(row, 1, activation);
    width->setFieldName(tr("%1 %2, width").arg(m_rowName).arg(row + 1));
    connect(width, &QSpinBox::valueChanged, this, &LayerTable::edited);
    connect(width, &RangeSpinBox::rangeNoteChanged, this, &LayerTable::edited);
    connect(activation, &QComboBox::currentIndexChanged, this, &LayerTable::edited);
    Q_EMIT edited();
}

std::vector<LayerConfig> LayerTable::layers() const {
    std::vector<LayerConfig> result;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        LayerConfig layer;
        layer.width = static_cast<QSpinBox*>(m_table->cellWidget(row, 0))->value();
        layer.activation =
            comboValue<Activation>(static_cast<QComboBox*>(m_table->cellWidget(row, 1)));
        result.push_back(layer);
    }
    return result;
}

void LayerTable::setLayers(const std::vector<LayerConfig>& layers) {
    m_table->setRowCount(0);
    for (const LayerConfig& layer : layers)
        appendRow(layer);
}

// --- PhaseTable ------------------------------------------------------------------------------

PhaseTable::PhaseTable(QWidget* parent) : QWidget(parent) {
    m_table = compactTable({tr("Epochs"), tr("LR"), tr("β₁"), tr("β₂"), tr("Reset")});
    connect(m_table->model(), &QAbstractItemModel::rowsRemoved, this, &PhaseTable::edited);
    m_table->horizontalHeaderItem(ResetMoments)
        ->setToolTip(tr("Start the phase with a fresh optimiser (moments and step count zero)"));
    m_table->horizontalHeaderItem(Beta1)->setToolTip(tr("Adam β₁, or the SGD momentum"));
    m_table->horizontalHeader()->setSectionResizeMode(ResetMoments, QHeaderView::ResizeToContents);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(tableWithButtons(
        m_table,
        [this]() {
            const auto current = phases();
            appendRow(current.empty() ? OptimiserPhase{} : current.back());
        },
        this));
}

void PhaseTable::appendRow(const OptimiserPhase& phase) {
    const int row = m_table->rowCount();
    m_table->insertRow(row);
    // 0 shows "auto": resolved when the run is prepared (more epochs without forces).
    auto* epochs = spinBox(0, 10'000'000, tr("auto"));
    epochs->setToolTip(tr("auto: %1 epochs when training on forces, else %2")
                           .arg(kAutoEpochsWithForces)
                           .arg(kAutoEpochsEnergiesOnly));
    epochs->setValue(phase.autoEpochs ? 0 : phase.epochs);
    // Kept so that a resolved run config shown here reads back unchanged.
    epochs->setProperty("resolvedEpochs",
                        phase.autoEpochs ? phase.epochs : kAutoEpochsEnergiesOnly);
    epochs->setFrame(false);
    m_table->setCellWidget(row, Epochs, epochs);
    auto addReal = [&](int column, double value, double lo, double hi) {
        auto* edit = new RealEdit(lo, hi);
        edit->setValue(value);
        edit->setFrame(false);
        m_table->setCellWidget(row, column, edit);
    };
    addReal(LearningRate, phase.learningRate, 0.0, 1e6);
    addReal(Beta1, phase.beta1, 0.0, 1.0);
    addReal(Beta2, phase.beta2, 0.0, 1.0);
    auto* reset = new QCheckBox;
    reset->setChecked(phase.resetMoments);
    m_table->setCellWidget(row, ResetMoments, reset);
    epochs->setFieldName(tr("Phase %1, epochs").arg(row + 1));
    connect(epochs, &QSpinBox::valueChanged, this, &PhaseTable::edited);
    connect(epochs, &RangeSpinBox::rangeNoteChanged, this, &PhaseTable::edited);
    for (int column : {LearningRate, Beta1, Beta2}) {
        auto* edit = static_cast<RealEdit*>(m_table->cellWidget(row, column));
        edit->setFieldName(
            tr("Phase %1, %2").arg(row + 1).arg(m_table->horizontalHeaderItem(column)->text()));
        connect(edit, &RealEdit::valueEdited, this, &PhaseTable::edited);
        connect(edit, &RealEdit::validityChanged, this, &PhaseTable::edited);
    }
    connect(reset, &QCheckBox::toggled, this, &PhaseTable::edited);
    Q_EMIT edited();
}

std::vector<OptimiserPhase> PhaseTable::phases() const {
    std::vector<OptimiserPhase> result;
    for (int row = 0; row < m_table->rowCount(); ++row) {
        OptimiserPhase p;
        const auto* epochs = static_cast<QSpinBox*>(m_table->cellWidget(row, Epochs));
        p.autoEpochs = epochs->value() == 0;
        p.epochs = p.autoEpochs ? epochs->property("resolvedEpochs").toInt() : epochs->value();
        p.learningRate = static_cast<RealEdit*>(m_table->cellWidget(row, LearningRate))->value();
        p.beta1 = static_cast<RealEdit*>(m_table->cellWidget(row, Beta1))->value();
        p.beta2 = static_cast<RealEdit*>(m_table->cellWidget(row, Beta2))->value();
        p.resetMoments =
            static_cast<QCheckBox*>(m_table->cellWidget(row, ResetMoments))->isChecked();
        result.push_back(p);
    }
    return result;
}

void PhaseTable::setPhases(const std::vector<OptimiserPhase>& phases) {
    m_table->setRowCount(0);
    for (const OptimiserPhase& p : phases)
        appendRow(p);
}

// --- TrainingPanel ---------------------------------------------------------------------------

// The preset and the notes above the settings: problems (red), range notes (amber).
QGroupBox* TrainingPanel::buildPresetGroup() {
    QFormLayout* form = nullptr;
    QGroupBox* presetBox = group(tr("Preset"), form);
    m_preset = new QComboBox;
    for (const std::string& name : presetNames())
        m_preset->addItem(QString::fromStdString(name), QString::fromStdString(name));
    m_preset->setToolTip(tr("Choosing a preset fills every field below"));
    m_presetNote = new QLabel;
    m_presetNote->setWordWrap(true);
    m_presetNote->setStyleSheet(QStringLiteral("color: palette(mid);"));
    m_problemLabel = new QLabel;
    m_problemLabel->setObjectName(QStringLiteral("settingsProblem"));
    m_problemLabel->setWordWrap(true);
    m_problemLabel->setStyleSheet(QStringLiteral("color: #b00000; font-weight: bold;"));
    m_problemLabel->hide();
    form->addRow(m_problemLabel);
    m_rangeNoteLabel = new QLabel;
    m_rangeNoteLabel->setObjectName(QStringLiteral("settingsRangeNote"));
    m_rangeNoteLabel->setWordWrap(true);
    m_rangeNoteLabel->setStyleSheet(QStringLiteral("color: #8a5a00;"));
    m_rangeNoteLabel->hide();
    form->addRow(m_rangeNoteLabel);
    form->addRow(tr("Preset"), m_preset);
    form->addRow(m_presetNote);
    connect(m_preset, &QComboBox::activated, this,
            [this](int index) { applyPreset(m_preset->itemData(index).toString()); });
    return presetBox;
}

// ACE descriptors and the linear baseline.
QGroupBox* TrainingPanel::buildAceGroup() {
    QFormLayout* form = nullptr;
    QGroupBox* aceBox = group(tr("ACE descriptors"), form);
    m_bodyOrder = spinBox(2, 5);
    connect(m_bodyOrder, &QSpinBox::valueChanged, this, &TrainingPanel::dataDefaultsChanged);
    m_maxDegree = spinBox(1, 30);
    m_degreePerOrder = new QLineEdit;
    m_degreePerOrder->setObjectName(QStringLiteral("degreePerOrder"));
    m_degreePerOrder->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral(R"(\s*(\d+\s*(,\s*\d+\s*)*)?)")), m_degreePerOrder));
    m_degreePerOrder->setPlaceholderText(tr("same as max degree"));
    m_degreePerOrder->setToolTip(
        tr("One degree bound per correlation order (body order − 1 numbers, pair functions first), "
           "e.g. 20, 10, 7; empty: the max degree for all"));
    m_wL = new RealEdit(1e-12, kHuge);
    m_wL->setFieldName(tr("wL"));
    m_csp = new RealEdit(1e-12, kHuge);
    m_csp->setFieldName(tr("csp"));
    m_r0 = new RealEdit(1e-12, kHuge);
    m_rcut = new RealEdit(1e-12, 100.0);
    m_species = new QLabel;
    m_autoR0 = new QCheckBox(tr("r0"));
    m_autoR0->setObjectName(QStringLiteral("autoR0"));
    m_autoR0->setToolTip(tr("From the training data: the nearest-neighbour distance (first peak "
                            "of g(r)); the value chosen is shown after Start"));
    m_autoRcut = new QCheckBox(tr("rcut"));
    m_autoRcut->setObjectName(QStringLiteral("autoRcut"));
    m_autoRcut->setToolTip(
        tr("From the training data: %1 × the nearest-neighbour distance, at least %2 Å")
            .arg(kAutoRcutOverR0)
            .arg(kAutoRcutFloor));
    m_autoDegrees = new QCheckBox(tr("degrees"));
    m_autoDegrees->setObjectName(QStringLiteral("autoDegrees"));
    m_autoDegrees->setToolTip(tr("The zuo2020 recipes' degrees (20, 10, 7 for body order 4), "
                                 "scaled down until the basis has at most %1 √S functions "
                                 "for S species")
                                  .arg(kAutoBasisBudget));
    form->addRow(tr("Body order"), m_bodyOrder);
    form->addRow(tr("Max degree"), m_maxDegree);
    form->addRow(tr("Degree per order"), m_degreePerOrder);
    form->addRow(tr("wL / csp"), [&]() {
        auto* row = new QWidget;
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        h->addWidget(m_wL);
        h->addWidget(m_csp);
        return row;
    }());
    form->addRow(tr("r0 (Å)"), m_r0);
    form->addRow(tr("rcut (Å)"), m_rcut);
    // Ticked: chosen from the training data when a run starts (then shown in the fields above).
    form->addRow(tr("From the data"), [&]() {
        auto* row = new QWidget;
        auto* h = new QHBoxLayout(row);
        h->setContentsMargins(0, 0, 0, 0);
        for (QCheckBox* box : {m_autoR0, m_autoRcut, m_autoDegrees})
            h->addWidget(box);
        h->addStretch(1);
        return row;
    }());
    for (QCheckBox* box : {m_autoR0, m_autoRcut, m_autoDegrees})
        connect(box, &QCheckBox::toggled, this, &TrainingPanel::updateEnabled);
    form->addRow(tr("Species"), m_species);
    m_ridge = new RealEdit(0.0, kHuge);
    m_linearReference = new QCheckBox(tr("Reference energies per species"));
    form->addRow(tr("Linear ridge"), m_ridge);
    m_smoothnessPrior = new RealEdit(0.0, kHuge);
    m_smoothnessPrior->setToolTip(
        tr("Exponent p of the smoothness prior: the ridge acts on each function as degree^p "
           "(0: plain ridge)"));
    form->addRow(tr("Smoothness prior p"), m_smoothnessPrior);
    form->addRow(m_linearReference);
    return aceBox;
}

// The graph: cutoff (linked to the Structure tab's slider), normalisation, edge weights.
QGroupBox* TrainingPanel::buildGraphGroup() {
    QFormLayout* form = nullptr;
    QGroupBox* graphBox = group(tr("Graph"), form);
    m_cutoff = new RealEdit(0.01, 100.0);
    m_cutoff->setToolTip(tr("Neighbour cutoff of the graph, linked to the Structure tab's slider"));
    m_autoCutoff = new QCheckBox(tr("Auto (g(r) minimum)"));
    m_autoCutoff->setToolTip(tr("From the training data: the first minimum of the pair "
                                "distribution g(r) after its first peak; the value this data "
                                "gives is shown here"));
    m_normalisation =
        enumCombo({Normalisation::None, Normalisation::Symmetric, Normalisation::Row});
    m_selfLoops = new QCheckBox(tr("Self-loops"));
    m_weighting = enumCombo(
        {EdgeWeighting::Binary, EdgeWeighting::SmoothCosine, EdgeWeighting::SmoothPolynomial});
    form->addRow(tr("Cutoff (Å)"), m_cutoff);
    form->addRow(m_autoCutoff);
    form->addRow(tr("Normalisation"), m_normalisation);
    form->addRow(tr("Edge weights"), m_weighting);
    form->addRow(m_selfLoops);
    connect(m_cutoff, &RealEdit::valueEdited, this, &TrainingPanel::cutoffChanged);
    connect(m_autoCutoff, &QCheckBox::toggled, this, &TrainingPanel::updateEnabled);
    return graphBox;
}

// The network: layers, pooling, target, standardisation, precision.
QGroupBox* TrainingPanel::buildModelGroup() {
    QFormLayout* form = nullptr;
    QGroupBox* modelBox = group(tr("Model"), form);
    m_graphLayers = new LayerTable(tr("Graph layer"));
    m_denseLayers = new LayerTable(tr("Dense layer"));
    m_denseLayers->setToolTip(tr("The last dense layer has width 1: the energy"));
    m_pooling = enumCombo({Pooling::Sum, Pooling::Mean});
    m_target = enumCombo({EnergyTarget::Total, EnergyTarget::PerAtomSum});
    m_standardiseInputs = new QCheckBox(tr("Standardise descriptors"));
    m_standardiseTargets = new QCheckBox(tr("Standardise per-atom energies"));
    m_referenceEnergies = new QCheckBox(tr("Reference energies per species"));
    m_linearTerm = new QCheckBox(tr("Residual of the linear fit"));
    m_linearTerm->setObjectName(QStringLiteral("linearTerm"));
    m_linearTerm->setToolTip(
        tr("Add the network to the linear fit: E = linear ACE fit + network; the network starts "
           "at zero and learns the linear fit's residual, so training starts from "
           "the linear fit's errors (per-atom target only)"));
    m_precision = enumCombo({Precision::Float32, Precision::Float64});
    form->addRow(new QLabel(tr("Graph layers")));
    form->addRow(m_graphLayers);
    form->addRow(new QLabel(tr("Dense layers")));
    form->addRow(m_denseLayers);
    form->addRow(tr("Pooling"), m_pooling);
    form->addRow(tr("Target"), m_target);
    form->addRow(m_standardiseInputs);
    form->addRow(m_standardiseTargets);
    form->addRow(m_referenceEnergies);
    form->addRow(m_linearTerm);
    form->addRow(tr("Precision"), m_precision);
    connect(m_target, &QComboBox::currentIndexChanged, this, &TrainingPanel::updateEnabled);
    return modelBox;
}

// Optimiser, loss weights and the learning-rate schedule.
QGroupBox* TrainingPanel::buildScheduleGroup() {
    QFormLayout* form = nullptr;
    QGroupBox* scheduleBox = group(tr("Optimiser and schedule"), form);
    m_optimiser = enumCombo({OptimiserKind::Adam, OptimiserKind::AdamW, OptimiserKind::Sgd});
    m_loss = enumCombo({LossKind::TotalEnergy, LossKind::EnergyPerAtom});
    m_eps = new RealEdit(0.0, 1.0);
    m_weightDecay = new RealEdit(0.0, kHuge);
    m_phases = new PhaseTable;
    m_decay = enumCombo({LearningRateDecay::None, LearningRateDecay::Exponential,
                         LearningRateDecay::Cosine, LearningRateDecay::ReduceOnPlateau});
    m_gamma = new RealEdit(0.0, 1.0);
    m_factor = new RealEdit(0.0, 1.0);
    m_patience = spinBox(0, 1'000'000);
    m_minLr = new RealEdit(0.0, kHuge);
    m_clip = new RealEdit(0.0, kHuge);
    m_clip->setToolTip(tr("Global gradient norm; 0 turns clipping off"));
    m_earlyStopping = spinBox(0, 1'000'000, tr("off"));
    m_energyWeight = new RealEdit(0.0, kHuge);
    m_energyWeight->setToolTip(tr("Weight of the energy term of the loss"));
    m_forcesWeight = new RealEdit(0.0, kHuge);
    m_forcesWeight->setToolTip(
        tr("Weight of the mean squared force error (eV²/Å²); 0 trains on energies only. "
           "Forces need a smooth edge weighting."));
    m_autoForces = new QCheckBox(tr("Auto (if all have forces)"));
    m_autoForces->setToolTip(
        tr("Force weight = energy weight × %1 when every configuration has forces and the "
           "graph admits them, else 0")
            .arg(kAutoForcesRatio));
    form->addRow(tr("Optimiser"), m_optimiser);
    form->addRow(tr("Loss"), m_loss);
    form->addRow(tr("Energy weight"), m_energyWeight);
    m_virialWeight = new RealEdit(0.0, kHuge);
    m_virialWeight->setToolTip(
        tr("Weight of the mean squared virial error per atom (eV²/atom²) over the "
           "configurations with a reference virial; needs force training"));
    m_autoVirial = new QCheckBox(tr("Auto (if all have virials)"));
    m_autoVirial->setToolTip(
        tr("Virial weight = energy weight × %1 when the run trains on forces and every training "
           "configuration has a virial (or a stress read by data.stress_unit), else 0")
            .arg(kAutoVirialRatio));
    form->addRow(tr("Force weight"), m_forcesWeight);
    form->addRow(m_autoForces);
    form->addRow(tr("Virial weight"), m_virialWeight);
    form->addRow(m_autoVirial);
    connect(m_autoForces, &QCheckBox::toggled, this, &TrainingPanel::updateEnabled);
    connect(m_autoVirial, &QCheckBox::toggled, this, &TrainingPanel::updateEnabled);
    form->addRow(tr("eps"), m_eps);
    form->addRow(tr("Weight decay"), m_weightDecay);
    form->addRow(new QLabel(tr("Phases")));
    form->addRow(m_phases);
    form->addRow(tr("Decay"), m_decay);
    form->addRow(tr("γ (exponential)"), m_gamma);
    form->addRow(tr("Factor (plateau)"), m_factor);
    form->addRow(tr("Patience (plateau)"), m_patience);
    form->addRow(tr("Min. LR"), m_minLr);
    form->addRow(tr("Gradient clip"), m_clip);
    form->addRow(tr("Early stopping"), m_earlyStopping);
    connect(m_decay, &QComboBox::currentIndexChanged, this, &TrainingPanel::updateEnabled);
    return scheduleBox;
}

// Split, batches, device and threads.
QGroupBox* TrainingPanel::buildDataGroup() {
    QFormLayout* form = nullptr;
    QGroupBox* trainingBox = group(tr("Data and device"), form);
    m_trainSize = spinBox(0, 100'000'000, tr("all but test"));
    m_testSize = spinBox(0, 100'000'000, tr("none"));
    m_seed = new QLineEdit;
    m_seed->setValidator(
        new QRegularExpressionValidator(QRegularExpression(QStringLiteral("\\d{1,20}")), m_seed));
    m_batchSize = spinBox(0, 100'000'000, tr("all"));
    m_shuffle = new QCheckBox(tr("Shuffle every epoch"));
    m_device = new QComboBox;
    m_threads = spinBox(0, 1024, tr("all cores"));
    m_threads->setToolTip(tr("Torch threads; the default 1 leaves a core for the window"));
    form->addRow(tr("Training size"), m_trainSize);
    form->addRow(tr("Test size"), m_testSize);
    form->addRow(tr("Seed"), m_seed);
    form->addRow(tr("Batch size"), m_batchSize);
    form->addRow(m_shuffle);
    form->addRow(tr("Device"), m_device);
    form->addRow(tr("Threads"), m_threads);
    return trainingBox;
}

// Problems and range notes follow every field of `content` as the person edits.
void TrainingPanel::watchFields(QWidget* content) {
    // Checked as the person types, not first at Start.
    // Only what every widget that feeds it reports on change: the sizes and the ACE settings
    // (the rest is checked at Start, which names the field).
    for (QSpinBox* box : {m_trainSize, m_testSize, m_bodyOrder, m_maxDegree})
        connect(box, &QSpinBox::valueChanged, this, &TrainingPanel::updateProblem);
    connect(m_degreePerOrder, &QLineEdit::textChanged, this, &TrainingPanel::updateProblem);
    for (RealEdit* edit : {m_r0, m_rcut, m_wL, m_csp})
        connect(edit, &RealEdit::valueEdited, this, &TrainingPanel::updateProblem);
    for (QCheckBox* box : {m_autoR0, m_autoRcut, m_autoDegrees})
        connect(box, &QCheckBox::toggled, this, &TrainingPanel::updateProblem);
    // Every other edit only changes whether the settings still equal their preset.
    for (QComboBox* box : content->findChildren<QComboBox*>())
        if (box != m_preset)
            connect(box, &QComboBox::currentIndexChanged, this, &TrainingPanel::updateProblem,
                    Qt::UniqueConnection);
    for (QCheckBox* box : content->findChildren<QCheckBox*>())
        connect(box, &QCheckBox::toggled, this, &TrainingPanel::updateProblem,
                Qt::UniqueConnection);
    for (QSpinBox* box : content->findChildren<QSpinBox*>())
        connect(box, &QSpinBox::valueChanged, this, &TrainingPanel::updateProblem,
                Qt::UniqueConnection);
    // Problems and range notes name a field by its label in the form (the tables name their
    // rows' fields themselves and report through edited()).
    const QList<QFormLayout*> forms = content->findChildren<QFormLayout*>();
    auto formLabel = [&forms](QWidget* field) {
        for (QFormLayout* form : forms)
            if (auto* label = qobject_cast<QLabel*>(form->labelForField(field)))
                return label->text();
        return QString();
    };
    for (RealEdit* edit : content->findChildren<RealEdit*>()) {
        connect(edit, &RealEdit::valueEdited, this, &TrainingPanel::updateProblem,
                Qt::UniqueConnection);
        connect(edit, &RealEdit::validityChanged, this, &TrainingPanel::updateProblem);
        if (edit->fieldName().isEmpty())
            edit->setFieldName(formLabel(edit));
    }
    for (RangeSpinBox* box : content->findChildren<RangeSpinBox*>()) {
        if (box->fieldName().isEmpty())
            box->setFieldName(formLabel(box));
        connect(box, &RangeSpinBox::rangeNoteChanged, this, &TrainingPanel::updateRangeNote);
    }
    for (LayerTable* table : {m_graphLayers, m_denseLayers})
        connect(table, &LayerTable::edited, this, &TrainingPanel::updateProblem);
    connect(m_phases, &PhaseTable::edited, this, &TrainingPanel::updateProblem);
}

TrainingPanel::TrainingPanel(QWidget* parent) : QWidget(parent) {
    auto* content = new QWidget;
    auto* column = new QVBoxLayout(content);
    column->setContentsMargins(4, 4, 4, 4);
    column->setSpacing(6);

    for (QGroupBox* box : {buildPresetGroup(), buildAceGroup(), buildGraphGroup(),
                           buildModelGroup(), buildScheduleGroup(), buildDataGroup()})
        column->addWidget(box);
    column->addStretch(1);
    watchFields(content);
    buildDeviceItems();

    auto* scroll = new QScrollArea;
    scroll->setWidget(content);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(scroll);
    // As wide as the widest row, so that no field is clipped under the scroll bar.
    setMinimumWidth(content->minimumSizeHint().width() +
                    scroll->verticalScrollBar()->sizeHint().width() + 2);

    const std::vector<std::string> names = presetNames();
    const bool haveRecommended =
        std::find(names.begin(), names.end(), "recommended") != names.end();
    if (haveRecommended || !names.empty())
        applyPreset(QString::fromStdString(haveRecommended ? "recommended" : names.front()));
    else
        setConfig(ExperimentConfig{});
}

void TrainingPanel::buildDeviceItems() {
    m_device->clear();
    m_device->addItem(QStringLiteral("cpu"));
    m_device->addItem(QStringLiteral("cuda"));
    m_device->setItemData(1,
                          tr("Whether CUDA can be used is checked once the network library "
                             "(LibTorch) is loaded, shortly after the window opens"),
                          Qt::ToolTipRole);
}

TrainingPanel::DeviceProbe TrainingPanel::runDeviceProbe() {
    DeviceProbe probe;
    try {
        loadGcnLibrary();
        const TorchInfo info = torchInfo();
        probe.cudaAvailable = info.cudaAvailable;
        probe.cudaDevices = info.cudaDevices;
    } catch (const std::exception& e) {
        probe.loadError = QString::fromStdString(e.what());
        return probe;
    }
    try {
        checkDevice("cuda");
    } catch (const std::exception& e) {
        probe.cudaProblem = QString::fromStdString(e.what());
    }
    return probe;
}

void TrainingPanel::probeDevices() {
    if (m_deviceProbeStarted)
        return;
    m_deviceProbeStarted = true;
    auto* watcher = new QFutureWatcher<DeviceProbe>(this);
    connect(watcher, &QFutureWatcher<DeviceProbe>::finished, this, [this, watcher]() {
        applyDeviceProbe(watcher->result());
        watcher->deleteLater();
    });
    watcher->setFuture(QtConcurrent::run(&TrainingPanel::runDeviceProbe));
}

void TrainingPanel::applyDeviceProbe(const DeviceProbe& probe) {
    const QString problem = probe.loadError.isEmpty() ? probe.cudaProblem : probe.loadError;
    if (problem.isEmpty()) {
        m_device->setItemData(1, QVariant(), Qt::ToolTipRole);
    } else {
        // Disabled, not hidden: the person sees that CUDA exists as a choice and why it is off.
        auto* model = qobject_cast<QStandardItemModel*>(m_device->model());
        if (model)
            model->item(1)->setEnabled(false);
        QString why = problem;
        if (probe.loadError.isEmpty() && !probe.cudaAvailable && probe.cudaDevices == 0)
            why = problem.contains(QStringLiteral("build"), Qt::CaseInsensitive)
                      ? tr("This LibTorch build has no CUDA")
                      : tr("No CUDA device is available");
        m_device->setItemData(1, why, Qt::ToolTipRole);
    }
    m_devicesProbed = true;
    Q_EMIT devicesProbeFinished();
}

void TrainingPanel::updateEnabled() {
    m_cutoff->setEnabled(!m_autoCutoff->isChecked());
    m_r0->setEnabled(!m_autoR0->isChecked());
    m_rcut->setEnabled(!m_autoRcut->isChecked());
    m_degreePerOrder->setEnabled(!m_autoDegrees->isChecked());
    m_forcesWeight->setEnabled(!m_autoForces->isChecked());
    m_virialWeight->setEnabled(!m_autoVirial->isChecked());
    const auto decay = comboValue<LearningRateDecay>(m_decay);
    m_gamma->setEnabled(decay == LearningRateDecay::Exponential);
    m_factor->setEnabled(decay == LearningRateDecay::ReduceOnPlateau);
    m_patience->setEnabled(decay == LearningRateDecay::ReduceOnPlateau);
    m_minLr->setEnabled(decay == LearningRateDecay::Cosine ||
                        decay == LearningRateDecay::ReduceOnPlateau);
    const bool perAtom = comboValue<EnergyTarget>(m_target) == EnergyTarget::PerAtomSum;
    m_standardiseTargets->setEnabled(perAtom);
    m_linearTerm->setEnabled(perAtom);
    Q_EMIT dataDefaultsChanged();
}

namespace {

// The settings a preset decides, as JSON: the data section (files, sizes), the machine
// (threads, device) and values resolved from data ("resolved_*") are not the preset's.
nlohmann::json presetRelevant(const ExperimentConfig& config) {
    nlohmann::json j = config;
    j.erase("data");
    j.erase("preset");
    if (j.contains("training")) {
        j["training"].erase("threads");
        j["training"].erase("device");
    }
    std::function<void(nlohmann::json&)> dropResolved = [&](nlohmann::json& node) {
        if (node.is_object()) {
            for (auto it = node.begin(); it != node.end();)
                it = it.key().rfind("resolved_", 0) == 0 ? node.erase(it) : std::next(it);
            for (auto& [key, value] : node.items())
                dropResolved(value);
        } else if (node.is_array()) {
            for (auto& value : node)
                dropResolved(value);
        }
    };
    dropResolved(j);
    return j;
}

// Dotted keys (as --set writes them) whose values differ between `a` and `b`.
void differingKeys(const nlohmann::json& a, const nlohmann::json& b, const std::string& prefix,
                   QStringList& out) {
    if (a.is_object() && b.is_object()) {
        std::set<std::string> keys;
        for (auto& [key, value] : a.items())
            keys.insert(key);
        for (auto& [key, value] : b.items())
            keys.insert(key);
        for (const std::string& key : keys) {
            const std::string path = prefix.empty() ? key : prefix + "." + key;
            if (!a.contains(key) || !b.contains(key))
                out << QString::fromStdString(path);
            else
                differingKeys(a[key], b[key], path, out);
        }
    } else if (a.is_array() && b.is_array() && a.size() == b.size()) {
        for (std::size_t i = 0; i < a.size(); ++i)
            differingKeys(a[i], b[i], prefix + "." + std::to_string(i), out);
    } else if (a != b) {
        out << QString::fromStdString(prefix);
    }
}

} // namespace

QStringList TrainingPanel::changesFromPreset() const {
    return changesFromPreset(config());
}

QStringList TrainingPanel::changesFromPreset(const ExperimentConfig& c) {
    if (c.preset.empty())
        return {};
    ExperimentConfig preset;
    try {
        preset = presetConfig(c.preset);
    } catch (const std::exception&) {
        return {}; // not one of ours (a config file's own name): nothing to compare with
    }
    QStringList keys;
    differingKeys(presetRelevant(preset), presetRelevant(c), std::string(), keys);
    return keys;
}

void TrainingPanel::updatePresetState(const ExperimentConfig& config) {
    const int index = m_preset->currentIndex();
    // Only the preset shown can be "modified"; the others read plainly in the list.
    for (int i = 0; i < m_preset->count(); ++i)
        if (i != index)
            m_preset->setItemText(i, m_preset->itemData(i).toString());
    if (index < 0)
        return;
    const QStringList changes = changesFromPreset(config);
    const QString name = m_preset->itemData(index).toString();
    m_preset->setItemText(index, changes.isEmpty() ? name : tr("%1 (modified)").arg(name));
    m_preset->setToolTip(
        changes.isEmpty()
            ? tr("Choosing a preset fills every field below")
            : tr("Differs from the preset in: %1. Choose the preset again to restore it.")
                  .arg(changes.join(QStringLiteral(", "))));
}

void TrainingPanel::applyPreset(const QString& name) {
    ExperimentConfig config;
    try {
        config = presetConfig(name.toStdString());
    } catch (const std::exception& e) {
        m_presetNote->setText(QString::fromStdString(e.what()));
        return;
    }
    config.training.threads = kDefaultThreads;
    if (config.data.trainSize == 0 && config.data.testSize == 0)
        config.data.testSize = defaultTestSize(m_dataSize);
    setConfig(config);
    if (!config.graph.autoCutoff)
        Q_EMIT cutoffChanged(config.graph.options.cutoff);
}

void TrainingPanel::updateProblem() {
    QString problem;
    const ExperimentConfig c = config();
    updatePresetState(c);
    for (RealEdit* edit : findChildren<RealEdit*>())
        if (!edit->isValid()) {
            problem = tr("%1: %2").arg(
                edit->fieldName().isEmpty() ? tr("A value") : edit->fieldName(), edit->problem());
            break;
        }
    const long long train = c.data.trainSize, test = c.data.testSize;
    if (problem.isEmpty() && m_testFile.isEmpty() && m_dataSize > 0 &&
        (train + test > m_dataSize || test >= m_dataSize))
        problem = tr("Training size %1 + test size %2: only %3 configurations are loaded "
                     "(the training set needs at least one)")
                      .arg(train)
                      .arg(test)
                      .arg(m_dataSize);
    if (problem.isEmpty()) {
        try {
            validate(c.ace);
        } catch (const std::exception& e) {
            problem = tr("ACE: %1").arg(QString::fromUtf8(e.what()));
        }
    }
    m_trainSize->setStyleSheet(
        problem.startsWith(tr("Training size")) ? QStringLiteral("color: #b00000;") : QString());
    m_testSize->setStyleSheet(m_trainSize->styleSheet());
    m_problemLabel->setText(problem);
    m_problemLabel->setVisible(!problem.isEmpty());
    if (problem != m_problem) {
        m_problem = problem;
        Q_EMIT problemChanged();
    }
    updateRangeNote();
}

void TrainingPanel::updateRangeNote() {
    QString note;
    for (const RangeSpinBox* box : findChildren<RangeSpinBox*>())
        if (!box->rangeNote().isEmpty()) {
            note = box->fieldName().isEmpty()
                       ? box->rangeNote()
                       : tr("%1: %2").arg(box->fieldName(), box->rangeNote());
            break;
        }
    m_rangeNoteLabel->setText(note);
    m_rangeNoteLabel->setVisible(!note.isEmpty());
}

void TrainingPanel::setTestFile(const QString& path) {
    m_testFile = path;
    for (QSpinBox* box : {m_trainSize, m_testSize}) {
        box->setEnabled(path.isEmpty());
        box->setToolTip(path.isEmpty() ? QString()
                                       : tr("Off: the test file %1 is the test set and all "
                                            "loaded data trains")
                                             .arg(path));
    }
    updateProblem();
}

void TrainingPanel::setDataSize(int count) {
    m_dataSize = count;
    if (m_trainSize->value() == 0 && m_testSize->value() == 0)
        m_testSize->setValue(defaultTestSize(count));
    updateProblem();
}

void TrainingPanel::setConfig(const ExperimentConfig& c) {
    m_base = c;
    const int presetIndex = m_preset->findData(QString::fromStdString(c.preset));
    m_preset->setCurrentIndex(presetIndex);
    m_presetNote->setText(c.preset.empty() || presetIndex >= 0
                              ? QString()
                              : tr("from preset “%1”").arg(QString::fromStdString(c.preset)));

    m_bodyOrder->setValue(c.ace.body_order);
    m_maxDegree->setValue(c.ace.max_degree);
    QStringList degrees;
    for (int d : c.ace.max_degree_per_order)
        degrees << QString::number(d);
    m_degreePerOrder->setText(degrees.join(QStringLiteral(", ")));
    m_wL->setValue(c.ace.wL);
    m_csp->setValue(c.ace.csp);
    m_r0->setValue(c.ace.r0);
    m_rcut->setValue(c.ace.rcut);
    m_autoR0->setChecked(c.ace.autoR0);
    m_autoRcut->setChecked(c.ace.autoRcut);
    m_autoDegrees->setChecked(c.ace.autoDegrees);
    QStringList species;
    for (int z : c.ace.species) {
        const char* symbol = elementSymbol(z);
        species << (symbol ? QString::fromUtf8(symbol) : QString::number(z));
    }
    m_species->setText(species.isEmpty() ? tr("from the data")
                                         : species.join(QStringLiteral(", ")));
    m_ridge->setValue(c.linear.ridge);
    m_smoothnessPrior->setValue(c.linear.smoothnessPrior);
    m_linearReference->setChecked(c.linear.referenceEnergies);

    m_cutoff->setValue(c.graph.options.cutoff);
    m_autoCutoff->setChecked(c.graph.autoCutoff);
    setComboValue(m_normalisation, c.graph.options.normalisation);
    setComboValue(m_weighting, c.graph.options.weighting);
    m_selfLoops->setChecked(c.graph.options.selfLoops);

    m_graphLayers->setLayers(c.model.graphLayers);
    m_denseLayers->setLayers(c.model.denseLayers);
    setComboValue(m_pooling, c.model.pooling);
    setComboValue(m_target, c.model.target);
    m_standardiseInputs->setChecked(c.model.standardiseInputs);
    m_standardiseTargets->setChecked(c.model.standardiseTargets);
    m_referenceEnergies->setChecked(c.model.referenceEnergies);
    m_linearTerm->setChecked(c.model.linearTerm);
    setComboValue(m_precision, c.model.precision);

    const OptimiserConfig& o = c.optimiser;
    setComboValue(m_optimiser, o.kind);
    setComboValue(m_loss, o.loss);
    m_energyWeight->setValue(o.energyWeight);
    m_forcesWeight->setValue(o.forcesWeight);
    m_autoForces->setChecked(o.autoForcesWeight);
    m_virialWeight->setValue(o.virialWeight);
    m_autoVirial->setChecked(o.autoVirialWeight);
    m_eps->setValue(o.eps);
    m_weightDecay->setValue(o.weightDecay);
    m_phases->setPhases(o.phases);
    setComboValue(m_decay, o.decay);
    m_gamma->setValue(o.gamma);
    m_factor->setValue(o.factor);
    m_patience->setValue(o.patience);
    m_minLr->setValue(o.minLearningRate);
    m_clip->setValue(o.gradientClipNorm);
    m_earlyStopping->setValue(o.earlyStoppingPatience);

    m_trainSize->setValue(c.data.trainSize);
    m_testSize->setValue(c.data.testSize);
    m_seed->setText(QString::number(static_cast<qulonglong>(c.training.seed)));
    m_batchSize->setValue(c.training.batchSize);
    m_shuffle->setChecked(c.training.shuffle);
    const QString device = QString::fromStdString(c.training.device);
    if (m_device->findText(device) < 0) {
        // "cuda:N": offered as the config says, disabled like "cuda" where CUDA is missing.
        m_device->addItem(device);
        const int added = m_device->count() - 1;
        auto* model = qobject_cast<QStandardItemModel*>(m_device->model());
        if (model && !model->item(1)->isEnabled()) {
            model->item(added)->setEnabled(false);
            m_device->setItemData(added, m_device->itemData(1, Qt::ToolTipRole), Qt::ToolTipRole);
        }
    }
    m_device->setCurrentIndex(m_device->findText(device));
    m_threads->setValue(c.training.threads);
    updateEnabled();
    updateProblem();
}

ExperimentConfig TrainingPanel::config() const {
    ExperimentConfig c = m_base;
    c.ace.body_order = m_bodyOrder->value();
    c.ace.max_degree = m_maxDegree->value();
    // The validator admits only digits and commas; a wrong count for the body order is reported
    // by the run's configuration check, which names the field.
    c.ace.max_degree_per_order.clear();
    for (const QString& part : m_degreePerOrder->text().split(QLatin1Char(','), Qt::SkipEmptyParts))
        if (!part.trimmed().isEmpty())
            c.ace.max_degree_per_order.push_back(part.trimmed().toInt());
    c.ace.wL = m_wL->value();
    c.ace.csp = m_csp->value();
    c.ace.r0 = m_r0->value();
    c.ace.rcut = m_rcut->value();
    c.ace.autoR0 = m_autoR0->isChecked();
    c.ace.autoRcut = m_autoRcut->isChecked();
    c.ace.autoDegrees = m_autoDegrees->isChecked();
    // Auto degrees are chosen for the body order when the run starts; until then the recipes'.
    if (c.ace.autoDegrees)
        c.ace.max_degree_per_order = autoDegreesFallback(c.ace.body_order);
    c.linear.ridge = m_ridge->value();
    c.linear.smoothnessPrior = m_smoothnessPrior->value();
    c.linear.referenceEnergies = m_linearReference->isChecked();

    c.graph.options.cutoff = m_cutoff->value();
    c.graph.autoCutoff = m_autoCutoff->isChecked();
    c.graph.options.normalisation = comboValue<Normalisation>(m_normalisation);
    c.graph.options.weighting = comboValue<EdgeWeighting>(m_weighting);
    c.graph.options.selfLoops = m_selfLoops->isChecked();

    c.model.graphLayers = m_graphLayers->layers();
    c.model.denseLayers = m_denseLayers->layers();
    c.model.pooling = comboValue<Pooling>(m_pooling);
    c.model.target = comboValue<EnergyTarget>(m_target);
    c.model.standardiseInputs = m_standardiseInputs->isChecked();
    c.model.standardiseTargets = m_standardiseTargets->isChecked();
    c.model.referenceEnergies = m_referenceEnergies->isChecked();
    // Only a sum of per-atom energies can add to the linear fit (a Total model ignores it).
    c.model.linearTerm = m_linearTerm->isChecked() && c.model.target == EnergyTarget::PerAtomSum;
    c.model.precision = comboValue<Precision>(m_precision);

    OptimiserConfig& o = c.optimiser;
    o.kind = comboValue<OptimiserKind>(m_optimiser);
    o.loss = comboValue<LossKind>(m_loss);
    o.energyWeight = m_energyWeight->value();
    o.forcesWeight = m_forcesWeight->value();
    o.autoForcesWeight = m_autoForces->isChecked();
    o.virialWeight = m_virialWeight->value();
    o.autoVirialWeight = m_autoVirial->isChecked();
    o.eps = m_eps->value();
    o.weightDecay = m_weightDecay->value();
    o.phases = m_phases->phases();
    o.decay = comboValue<LearningRateDecay>(m_decay);
    o.gamma = m_gamma->value();
    o.factor = m_factor->value();
    o.patience = m_patience->value();
    o.minLearningRate = m_minLr->value();
    o.gradientClipNorm = m_clip->value();
    o.earlyStoppingPatience = m_earlyStopping->value();

    c.data.trainSize = m_trainSize->value();
    c.data.testSize = m_testSize->value();
    c.data.testFile = m_testFile.toStdString(); // only the file the tab has loaded
    if (!m_testFile.isEmpty()) {
        c.data.trainSize = 0;
        c.data.testSize = 0;
    }
    bool ok = false;
    const qulonglong seed = m_seed->text().toULongLong(&ok);
    if (ok)
        c.training.seed = seed;
    c.training.batchSize = m_batchSize->value();
    c.training.shuffle = m_shuffle->isChecked();
    c.training.device = m_device->currentText().toStdString();
    c.training.threads = m_threads->value();
    return c;
}

void TrainingPanel::showResolvedCutoff(double cutoff) {
    m_autoCutoff->setText(cutoff > 0 ? tr("Auto (g(r) minimum): %1 Å").arg(cutoff, 0, 'f', 2)
                                     : tr("Auto (g(r) minimum)"));
}

void TrainingPanel::showResolvedAce(const AceConfig& ace) {
    if (m_autoR0->isChecked() && ace.autoR0)
        m_r0->setValue(ace.r0);
    if (m_autoRcut->isChecked() && ace.autoRcut)
        m_rcut->setValue(ace.rcut);
    if (m_autoDegrees->isChecked() && ace.autoDegrees) {
        QStringList degrees;
        for (int d : ace.max_degree_per_order)
            degrees << QString::number(d);
        m_degreePerOrder->setText(degrees.join(QStringLiteral(", ")));
    }
}

double TrainingPanel::cutoff() const {
    return m_cutoff->value();
}

bool TrainingPanel::autoCutoff() const {
    return m_autoCutoff->isChecked();
}

void TrainingPanel::setCutoff(double cutoff) {
    m_cutoff->setValue(cutoff);
}

} // namespace graphace::ui
