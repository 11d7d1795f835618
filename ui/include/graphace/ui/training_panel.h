#pragma once
// The Training tab's settings: every field of an ExperimentConfig a person tunes (ACE, graph,
// model, schedule, split, device), grouped as in the JSON config (experiment_config.h).
//
// config() / setConfig() round-trip exactly: real numbers are edited as text in their shortest
// exact form (not spin boxes, which round to their decimals), and the fields without a widget
// (data files, species, linear weights) are kept from the last setConfig or preset.

#include "graphace/experiment_config.h"

#include <QLineEdit>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QSpinBox;
class QTableWidget;

namespace graphace::ui {

// A line edit for one real number that keeps it exactly (shortest round-trip text). Whatever
// is typed stays as typed: text that is not a number in range turns the field red, says why in
// its tooltip and problem(), and value() keeps the last valid number meanwhile.
class RealEdit : public QLineEdit {
    Q_OBJECT
public:
    explicit RealEdit(double minimum, double maximum, QWidget* parent = nullptr);
    // The number shown, or the last valid one while the text does not parse or is out of range.
    double value() const;
    void setValue(double value);
    static QString format(double value);
    // Empty when the text is a number in range, else what is wrong with it.
    QString problem() const;
    bool isValid() const { return problem().isEmpty(); }
    // "> 0", "0 – 1", "≥ 0": the numbers accepted.
    QString rangeText() const;
    // The tooltip shown: the problem (if any), the help text set with setToolTip, the range.
    QString fullToolTip() const;
    // How problems name the field, e.g. "rcut (Å)".
    void setFieldName(const QString& name) { m_fieldName = name; }
    QString fieldName() const { return m_fieldName; }

Q_SIGNALS:
    // The person finished editing with a valid number.
    void valueEdited(double value);
    // The text became valid or invalid.
    void validityChanged(bool valid);

protected:
    bool event(QEvent* event) override;

private:
    void showValidity();
    double m_minimum, m_maximum;
    double m_value = 0.0;
    bool m_valid = true;
    QString m_fieldName;
};

// Editable layer list (width + activation per row) with add / remove buttons.
class LayerTable : public QWidget {
    Q_OBJECT
public:
    // rowName names a row's fields in notes: "Graph layer" → "Graph layer 2, width".
    explicit LayerTable(const QString& rowName, QWidget* parent = nullptr);
    std::vector<LayerConfig> layers() const;
    void setLayers(const std::vector<LayerConfig>& layers);
    QTableWidget* table() const { return m_table; }

Q_SIGNALS:
    void edited(); // a row added, removed or changed

private:
    void appendRow(const LayerConfig& layer);
    QString m_rowName;
    QTableWidget* m_table = nullptr;
};

// Editable schedule: one row per phase (epochs, lr, beta1, beta2, reset moments).
class PhaseTable : public QWidget {
    Q_OBJECT
public:
    enum Column { Epochs, LearningRate, Beta1, Beta2, ResetMoments, ColumnCount };
    explicit PhaseTable(QWidget* parent = nullptr);
    std::vector<OptimiserPhase> phases() const;
    void setPhases(const std::vector<OptimiserPhase>& phases);
    QTableWidget* table() const { return m_table; }

Q_SIGNALS:
    void edited(); // a row added, removed or changed

private:
    void appendRow(const OptimiserPhase& phase);
    QTableWidget* m_table = nullptr;
};

class TrainingPanel : public QWidget {
    Q_OBJECT
public:
    explicit TrainingPanel(QWidget* parent = nullptr);

    ExperimentConfig config() const;
    // Shows `config` (no signals about the cutoff: nothing was edited by the person).
    void setConfig(const ExperimentConfig& config);
    // A separate test file (the Training tab's "Test file…"; empty: none). While one is set the
    // split sizes are off (the file is the test set, all loaded data trains) and config() has
    // data.test = `path`, train_size = test_size = 0, as `graphace train --test` runs.
    void setTestFile(const QString& path);
    // What is wrong with the settings as they stand (sizes beyond the loaded data, a value the
    // configuration refuses), in words; empty when they can run. Shown in red above the
    // settings; the Training tab keeps Start off while there is one.
    QString problem() const { return m_problem; }
    QLabel* problemLabel() const { return m_problemLabel; }
    // What a number typed beyond its range was set to (amber; it does not block Start).
    QLabel* rangeNoteLabel() const { return m_rangeNoteLabel; }
    // Fills every field from presetConfig(name), with the GUI's torch thread default and, where
    // the preset splits nothing, the held-out test size of the loaded data (setDataSize).
    void applyPreset(const QString& name);
    // The settings (dotted keys, as --set names them) that differ from the preset named in the
    // config; the preset box then reads "NAME (modified)" and lists them in its tooltip.
    QStringList changesFromPreset() const;
    // The number of configurations loaded. When the sizes are "all"/"none", the test size
    // becomes defaultTestSize(count) so that a run shows a test curve out of the box.
    void setDataSize(int count);
    // One fifth of the data held out for testing (none for fewer than 5 configurations).
    static int defaultTestSize(int count) { return count >= 5 ? count / 5 : 0; }

    double cutoff() const;
    bool autoCutoff() const;

    // Torch threads for GUI runs unless the person says otherwise: one, so a core stays free for
    // the window on small machines.
    static constexpr int kDefaultThreads = 1;

    // Widgets, for tests and the tab.
    QComboBox* presetCombo() const { return m_preset; }
    QComboBox* deviceCombo() const { return m_device; }
    RealEdit* cutoffEdit() const { return m_cutoff; }
    QCheckBox* autoCutoffBox() const { return m_autoCutoff; }
    QCheckBox* autoForcesBox() const { return m_autoForces; }
    RealEdit* forcesWeightEdit() const { return m_forcesWeight; }
    QCheckBox* autoVirialBox() const { return m_autoVirial; }
    // ACE settings from the training data (r0, rcut, degrees per order; ace_defaults.h).
    QCheckBox* autoR0Box() const { return m_autoR0; }
    QCheckBox* autoRcutBox() const { return m_autoRcut; }
    RealEdit* rcutEdit() const { return m_rcut; }
    QCheckBox* autoDegreesBox() const { return m_autoDegrees; }
    QLineEdit* degreePerOrderEdit() const { return m_degreePerOrder; }
    // Shows the values a run chose for the ACE fields still set to "auto" (the fields stay
    // disabled; unticking Auto makes the shown value editable).
    void showResolvedAce(const AceConfig& ace);
    // The graph cutoff "Auto" chooses on the loaded data, in the Auto box's text (0: none).
    void showResolvedCutoff(double cutoff);
    RealEdit* virialWeightEdit() const { return m_virialWeight; }
    PhaseTable* phaseTable() const { return m_phases; }
    LayerTable* graphLayerTable() const { return m_graphLayers; }
    LayerTable* denseLayerTable() const { return m_denseLayers; }
    QSpinBox* trainSizeBox() const { return m_trainSize; }
    QSpinBox* testSizeBox() const { return m_testSize; }
    QSpinBox* threadsBox() const { return m_threads; }

    // Loads the network library (LibTorch, gcn_library.h) in the background and then says in the
    // device list whether CUDA can be used. The window calls it once it is on screen, so that it
    // shows before LibTorch is loaded; until then "cuda" is offered unchecked.
    void probeDevices();
    bool devicesProbed() const { return m_devicesProbed; }

public Q_SLOTS:
    // From the Structure tab's slider: only the value; "auto" stays as chosen.
    void setCutoff(double cutoff);

Q_SIGNALS:
    // The person changed the graph cutoff here (typed, or by choosing a preset).
    void cutoffChanged(double cutoff);
    // A setting that decides what "auto" ACE settings become changed (an auto box, the body
    // order, a preset).
    void dataDefaultsChanged();
    // problem() may have changed.
    void problemChanged();
    // probeDevices() is done: the device list says whether CUDA can be used.
    void devicesProbeFinished();

private:
    struct DeviceProbe {
        QString loadError;   // the network library could not be loaded: why
        QString cudaProblem; // checkDevice("cuda") refused: why
        bool cudaAvailable = false;
        int cudaDevices = 0;
    };
    // The constructor's groups of settings, top to bottom.
    QGroupBox* buildPresetGroup();
    QGroupBox* buildAceGroup();
    QGroupBox* buildGraphGroup();
    QGroupBox* buildModelGroup();
    QGroupBox* buildScheduleGroup();
    QGroupBox* buildDataGroup();
    void watchFields(QWidget* content);
    static DeviceProbe runDeviceProbe();
    void applyDeviceProbe(const DeviceProbe& probe);
    void buildDeviceItems();
    void updateEnabled();
    void updateProblem();
    void updateRangeNote();
    void updatePresetState(const ExperimentConfig& config);
    static QStringList changesFromPreset(const ExperimentConfig& config);
    QString m_problem;
    QLabel* m_problemLabel = nullptr;
    QLabel* m_rangeNoteLabel = nullptr;

    ExperimentConfig m_base; // fields without a widget come from here

    QComboBox* m_preset = nullptr;
    QLabel* m_presetNote = nullptr;
    // ace
    QSpinBox* m_bodyOrder = nullptr;
    QSpinBox* m_maxDegree = nullptr;
    QLineEdit* m_degreePerOrder = nullptr; // "20, 10, 7"; empty: max degree for every order
    RealEdit* m_wL = nullptr;
    RealEdit* m_csp = nullptr;
    RealEdit* m_r0 = nullptr;
    RealEdit* m_rcut = nullptr;
    QLabel* m_species = nullptr;
    // linear
    RealEdit* m_ridge = nullptr;
    RealEdit* m_smoothnessPrior = nullptr;
    QCheckBox* m_linearReference = nullptr;
    // graph
    RealEdit* m_cutoff = nullptr;
    QCheckBox* m_autoCutoff = nullptr;
    QComboBox* m_normalisation = nullptr;
    QCheckBox* m_selfLoops = nullptr;
    QComboBox* m_weighting = nullptr;
    // model
    LayerTable* m_graphLayers = nullptr;
    LayerTable* m_denseLayers = nullptr;
    QComboBox* m_pooling = nullptr;
    QComboBox* m_target = nullptr;
    QCheckBox* m_standardiseInputs = nullptr;
    QCheckBox* m_standardiseTargets = nullptr;
    QCheckBox* m_referenceEnergies = nullptr;
    QCheckBox* m_linearTerm = nullptr;
    QComboBox* m_precision = nullptr;
    // optimiser
    QComboBox* m_optimiser = nullptr;
    QComboBox* m_loss = nullptr;
    RealEdit* m_eps = nullptr;
    RealEdit* m_weightDecay = nullptr;
    PhaseTable* m_phases = nullptr;
    QComboBox* m_decay = nullptr;
    RealEdit* m_gamma = nullptr;
    RealEdit* m_factor = nullptr;
    QSpinBox* m_patience = nullptr;
    RealEdit* m_minLr = nullptr;
    RealEdit* m_clip = nullptr;
    RealEdit* m_energyWeight = nullptr;
    RealEdit* m_forcesWeight = nullptr;
    QCheckBox* m_autoForces = nullptr;
    RealEdit* m_virialWeight = nullptr;
    QCheckBox* m_autoVirial = nullptr;
    QCheckBox* m_autoR0 = nullptr;
    QCheckBox* m_autoRcut = nullptr;
    QCheckBox* m_autoDegrees = nullptr;
    QSpinBox* m_earlyStopping = nullptr;
    // training
    QSpinBox* m_trainSize = nullptr;
    QSpinBox* m_testSize = nullptr;
    QString m_testFile;
    int m_dataSize = 0;
    QLineEdit* m_seed = nullptr;
    QSpinBox* m_batchSize = nullptr;
    QCheckBox* m_shuffle = nullptr;
    QComboBox* m_device = nullptr;
    bool m_devicesProbed = false, m_deviceProbeStarted = false;
    QSpinBox* m_threads = nullptr;
};

} // namespace graphace::ui
