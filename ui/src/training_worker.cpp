#include "graphace/ui/training_worker.h"

#include "graphace/error.h"

#include <QElapsedTimer>
#include <QFile>
#include <QMutexLocker>

#include <cmath>
#include <exception>
#include <limits>
#include <memory>

namespace graphace::ui {

double linearLoss(const GraphDataset& data, const std::vector<double>& predicted, LossKind loss) {
    const std::size_t n = std::min(data.samples.size(), predicted.size());
    if (n == 0)
        return std::numeric_limits<double>::quiet_NaN();
    double sum = 0.0;
    for (std::size_t c = 0; c < n; ++c) {
        double error = predicted[c] - data.samples[c].energy;
        if (loss == LossKind::EnergyPerAtom)
            error /= std::max(1, data.samples[c].atomCount);
        sum += error * error;
    }
    return sum / static_cast<double>(n);
}

ParityPoints parityPoints(const GraphDataset& data, const std::vector<double>& predicted) {
    ParityPoints points;
    const std::size_t n = std::min(data.samples.size(), predicted.size());
    points.referencePerAtom.reserve(n);
    points.predictedPerAtom.reserve(n);
    for (std::size_t c = 0; c < n; ++c) {
        const double atoms = std::max(1, data.samples[c].atomCount);
        points.referencePerAtom.push_back(data.samples[c].energy / atoms);
        points.predictedPerAtom.push_back(predicted[c] / atoms);
    }
    return points;
}

std::size_t forceParityStride(std::size_t components) {
    return std::max<std::size_t>(1,
                                 (components + kMaxForceParityPoints - 1) / kMaxForceParityPoints);
}

ParityPoints forceParityPoints(const Dataset& data, const std::vector<double>& predicted) {
    std::vector<double> reference;
    reference.reserve(predicted.size());
    for (const Structure& s : data.structures) {
        if (!s.hasForces())
            return {};
        for (const Vec3& f : s.forces)
            reference.insert(reference.end(), {f[0], f[1], f[2]});
    }
    if (reference.empty() || reference.size() != predicted.size())
        return {};
    const std::size_t stride = forceParityStride(reference.size());
    ParityPoints points;
    for (std::size_t i = 0; i < reference.size(); i += stride) {
        points.referencePerAtom.push_back(reference[i]);
        points.predictedPerAtom.push_back(predicted[i]);
    }
    return points;
}

namespace {

// Errors of a subset (`part`, configurations `indices` of the whole) written into `whole`.
void scatterErrors(ConfigurationErrors& whole, ConfigurationErrors part,
                   const std::vector<std::size_t>& indices) {
    for (std::size_t k = 0; k < indices.size() && k < part.energyPerAtom.size(); ++k) {
        const std::size_t c = indices[k];
        if (c >= whole.energyPerAtom.size())
            continue;
        whole.energyPerAtom[c] = part.energyPerAtom[k];
        whole.forceRmse[c] = part.forceRmse[k];
        whole.atomForceError[c] = std::move(part.atomForceError[k]);
    }
}

ConfigurationErrors noErrors(std::size_t configurations) {
    const double nan = std::numeric_limits<double>::quiet_NaN();
    ConfigurationErrors errors;
    errors.energyPerAtom.assign(configurations, nan);
    errors.forceRmse.assign(configurations, nan);
    errors.atomForceError.resize(configurations);
    return errors;
}

// Predictions of one set whose sizes do not match (no forces from an energy-only model) give
// what they can: energies without forces.
ConfigurationErrors errorsOf(const Dataset& data, const std::vector<double>& energies,
                             const std::vector<double>& forces) {
    if (forces.size() == 3 * data.atomCount())
        return configurationErrors(data, energies, forces);
    return configurationErrors(data, energies);
}

std::vector<GroupMetrics> groupsOf(const Dataset& data, const std::vector<double>& energies,
                                   const std::vector<double>& forces, const std::string& key) {
    if (data.size() == 0 || energies.size() != data.size())
        return {};
    return metricsByGroup(data, energies,
                          forces.size() == 3 * data.atomCount() ? forces : std::vector<double>{},
                          key);
}

} // namespace

TrainingWorker::TrainingWorker(QObject* parent) : QObject(parent) {
    qRegisterMetaType<graphace::EpochRecord>();
    qRegisterMetaType<graphace::LinearBaseline>();
    qRegisterMetaType<std::shared_ptr<const graphace::PreparedExperiment>>();
    qRegisterMetaType<std::shared_ptr<const graphace::ui::TrainingRunRecord>>();
}

void TrainingWorker::requestStop() {
    QMutexLocker lock(&m_mutex);
    m_cancel.store(true);
    m_resume.wakeAll(); // a paused run must see the stop
}

void TrainingWorker::resetControls() {
    QMutexLocker lock(&m_mutex);
    m_cancel.store(false);
    m_paused.store(false);
    m_epochsReported.store(0);
}

void TrainingWorker::setPaused(bool paused) {
    QMutexLocker lock(&m_mutex);
    m_paused.store(paused);
    if (!paused)
        m_resume.wakeAll();
}

bool TrainingWorker::waitWhilePaused() {
    QMutexLocker lock(&m_mutex);
    while (m_paused.load() && !m_cancel.load())
        m_resume.wait(&m_mutex);
    return !m_cancel.load();
}

void TrainingWorker::run(const std::vector<TrainingJob>& jobs, std::shared_ptr<const Dataset> data,
                         std::shared_ptr<const Dataset> testData, int firstIndex) {
    for (int k = 0; k < static_cast<int>(jobs.size()) && !m_cancel.load(); ++k) {
        const TrainingJob& job = jobs[k];
        const int index = firstIndex + k;
        Q_EMIT runStarted(index, job.name);
        QElapsedTimer clock;
        clock.start();
        auto record = std::make_shared<TrainingRunRecord>();
        record->name = job.name;
        record->config = job.config;
        try {
            if (!data)
                throw std::invalid_argument("no data is loaded");
            // Progress arrives often; one signal per percent is plenty for a progress bar.
            int lastPercent = -1;
            auto progress = [this, &lastPercent](double fraction) {
                const int percent = static_cast<int>(fraction * 100);
                if (percent != lastPercent) {
                    lastPercent = percent;
                    Q_EMIT preparing(fraction);
                }
                return !m_cancel.load();
            };
            auto prepared = std::make_shared<const PreparedExperiment>(prepareExperiment(
                job.config, *data, testData.get(), job.config.training.threads, progress));
            record->config = prepared->config;
            record->prepared = prepared;
            Q_EMIT this->prepared(index, prepared);
            if (m_cancel.load())
                throw Cancelled();

            record->linear = fitLinearBaseline(*prepared);
            record->linearParityTrain =
                parityPoints(prepared->trainGraphs, record->linear.trainPredicted);
            record->linearParityTest =
                parityPoints(prepared->testGraphs, record->linear.testPredicted);
            record->linearForceParityTrain =
                forceParityPoints(prepared->train, record->linear.trainPredictedForces);
            record->linearForceParityTest =
                forceParityPoints(prepared->test, record->linear.testPredictedForces);
            // Errors where they are: per group, per configuration of the loaded data (the
            // test set's only when it was split from that data) and per atom.
            const std::string& groupKey = prepared->config.data.groupKey;
            const LinearBaseline& linear = record->linear;
            record->linearGroups[0] = groupsOf(prepared->train, linear.trainPredicted,
                                               linear.trainPredictedForces, groupKey);
            record->linearGroups[1] = groupsOf(prepared->test, linear.testPredicted,
                                               linear.testPredictedForces, groupKey);
            auto errors = std::make_shared<RunErrors>();
            errors->gcn = noErrors(data->size());
            errors->linear = noErrors(data->size());
            errors->gcnAtomEnergies.resize(data->size());
            scatterErrors(
                errors->linear,
                errorsOf(prepared->train, linear.trainPredicted, linear.trainPredictedForces),
                prepared->trainIndices);
            if (!testData)
                scatterErrors(
                    errors->linear,
                    errorsOf(prepared->test, linear.testPredicted, linear.testPredictedForces),
                    prepared->testIndices);
            Q_EMIT linearReady(index, record->linear);
            if (m_cancel.load())
                throw Cancelled();

            // Destroyed before scoring (its device copies of the force geometry, see
            // command_train.cpp).
            auto trainer =
                std::make_unique<GcnTrainer>(prepared->config, prepared->trainGraphs,
                                             prepared->testGraphs, &record->linear.model);
            const std::string checkpoint = job.checkpoint.toStdString();
            if (job.resume) {
                trainer->resume(checkpoint);
                // Read with it, not again from the file.
                for (const EpochRecord& earlier : trainer->resumedHistory())
                    Q_EMIT epochFinished(index, earlier);
            }
            if (!checkpoint.empty())
                trainer->setCheckpoints({checkpoint, prepared->config.training.checkpointEvery,
                                         job.checkpointNote, kCheckpointOverhead});
            TrainingOutcome outcome = trainer->train(
                [this, index](const EpochRecord& epoch) {
                    m_epochsReported.fetch_add(1);
                    Q_EMIT epochFinished(index, epoch);
                    return waitWhilePaused();
                },
                &m_cancel);
            auto model = std::make_shared<const GcnModel>(trainer->takeModel());
            trainer.reset();
            // A run that ended needs its checkpoint no more; a stopped one continues from it.
            if (!checkpoint.empty() && outcome.stop != TrainingStop::Cancelled)
                QFile::remove(job.checkpoint);
            // With forces where the graphs carry geometry (force training), as metrics.json.
            for (const bool train : {true, false}) {
                const GraphDataset& graphs = train ? prepared->trainGraphs : prepared->testGraphs;
                const Dataset& set = train ? prepared->train : prepared->test;
                if (graphs.samples.empty())
                    continue;
                GcnPrediction predicted;
                (train ? record->gcnTrain : record->gcnTest) =
                    scoreModel(*model, graphs, &predicted);
                (train ? record->gcnParityTrain : record->gcnParityTest) =
                    parityPoints(graphs, predicted.energies);
                (train ? record->gcnForceParityTrain : record->gcnForceParityTest) =
                    forceParityPoints(set, predicted.forces);
                record->gcnGroups[train ? 0 : 1] =
                    groupsOf(set, predicted.energies, predicted.forces, groupKey);
                if (!train && testData)
                    continue; // a separate test file: not in the loaded data
                const std::vector<std::size_t>& indices =
                    train ? prepared->trainIndices : prepared->testIndices;
                scatterErrors(errors->gcn, errorsOf(set, predicted.energies, predicted.forces),
                              indices);
                if (model->config().model.target == EnergyTarget::PerAtomSum) {
                    const std::vector<double> atoms = model->predictAtomEnergies(graphs);
                    std::size_t atom = 0;
                    for (std::size_t k = 0; k < indices.size() && k < set.size(); ++k) {
                        const std::size_t n = set.structures[k].size();
                        if (indices[k] < errors->gcnAtomEnergies.size() && atom + n <= atoms.size())
                            errors->gcnAtomEnergies[indices[k]].assign(atoms.begin() + atom,
                                                                       atoms.begin() + atom + n);
                        atom += n;
                    }
                }
            }
            record->errors = errors;
            record->history = outcome.history;
            record->outcome = std::move(outcome);
            record->model = model;
            record->finished = true;
            record->seconds = clock.nsecsElapsed() / 1e9;
            Q_EMIT runFinished(index, record);
        } catch (const Cancelled&) {
            Q_EMIT failed(index, tr("Stopped before training started."));
        } catch (const std::exception& e) {
            // The next config of a sweep may well work (e.g. a smaller training size).
            Q_EMIT failed(index, QString::fromStdString(e.what()));
        }
    }
    Q_EMIT allFinished();
}

} // namespace graphace::ui
