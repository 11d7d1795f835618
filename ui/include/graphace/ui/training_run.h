#pragma once
// One training run as the Training tab keeps it: what was asked, what happened, and everything
// needed to export it or to restore it in a later session. Filled by the training worker
// (training_worker.h) on its thread and handed to the UI thread whole, at the end, or as
// snapshots; exported by training_export.h.

#include "graphace/experiment_run.h"
#include "graphace/gcn_trainer.h"
#include "graphace/group_metrics.h"

#include <QString>

#include <array>
#include <limits>
#include <memory>
#include <vector>

namespace graphace::ui {

// Energies: eV/atom, one point per configuration. Forces: eV/Å, one point per component.
struct ParityPoints {
    std::vector<double> referencePerAtom;
    std::vector<double> predictedPerAtom;
};
inline constexpr std::size_t kMaxForceParityPoints = 4000;

// Each configuration's and atom's errors, indexed like the data the run was given (NaN / empty
// for configurations outside its split), and each atom's energy from the GCN (eV; empty for a
// model without per-atom energies, model.target "total").
struct RunErrors {
    ConfigurationErrors gcn, linear;
    std::vector<std::vector<double>> gcnAtomEnergies;
};

struct TrainingRunRecord {
    QString name;            // e.g. "recommended", "train 50", "activation relu"
    ExperimentConfig config; // as run (cutoff and species resolved once prepared)
    std::vector<EpochRecord> history;
    bool finished = false;
    TrainingOutcome outcome;    // valid when finished
    LinearBaseline linear;      // the linear least-squares fit on the same split/descriptors
    RegressionMetrics gcnTrain; // valid when finished
    RegressionMetrics gcnTest;
    ParityPoints gcnParityTrain, gcnParityTest, linearParityTrain, linearParityTest;
    // Force components (eV/Å) when the run has forces, else empty; at most kMaxForceParityPoints
    // per set, an even stride over all components (a plot of 10⁵ points shows no more).
    ParityPoints gcnForceParityTrain, gcnForceParityTest, linearForceParityTrain,
        linearForceParityTest;
    // Metrics per group of data.group_key (config_type unless set): [0] training, [1] test set.
    std::array<std::vector<GroupMetrics>, 2> gcnGroups, linearGroups;
    double seconds = 0; // wall time of the whole run (preparation + training)
    // A run of a sweep: the swept setting and its value here (NaN for a value that is not a
    // number, and for runs outside a sweep).
    QString sweepKey;
    double sweepValue = std::numeric_limits<double>::quiet_NaN();
    // Present while the session lives (not restored from a session file): the trained model
    // and the prepared data, for export as `graphace train --out DIR` writes it.
    std::shared_ptr<const GcnModel> model;
    std::shared_ptr<const PreparedExperiment> prepared;
    std::shared_ptr<const RunErrors> errors; // null until the run finished
};

} // namespace graphace::ui
