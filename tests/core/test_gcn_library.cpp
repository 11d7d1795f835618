// The network loaded on demand (gcn_library.h), as the window uses it: this suite links
// graphace_gcn_loader, not graphace_gcn. Errors name the library and why; once loaded, models and
// trainers cross between the program and the library intact.
#include "graphace/gcn_library.h"
#include "graphace/gcn_trainer.h"

#include "testing.h"

#include <QTemporaryDir>
#include <QtTest>

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <exception>
#include <stdexcept>
#include <string>

using namespace graphace;

namespace {

// A ring of `atoms` with symmetric normalisation (self-loop and both neighbours: 1/3 each).
GraphSample ringSample(int atoms, int features, double energy) {
    GraphSample s;
    s.atomCount = atoms;
    s.descriptors.resize(atoms, features);
    for (int i = 0; i < atoms; ++i) {
        s.species.push_back(i % 2);
        for (int f = 0; f < features; ++f)
            s.descriptors(i, f) = std::sin(1.0 + i * 0.7 + f * 1.3) + 0.2 * f;
        for (int j : {(i + atoms - 1) % atoms, i, (i + 1) % atoms}) {
            s.graph.rows.push_back(i);
            s.graph.columns.push_back(j);
            s.graph.values.push_back(1.0 / 3);
        }
    }
    s.graph.atomCount = atoms;
    s.graph.edgeCount = 2 * atoms;
    s.energy = energy;
    return s;
}

// The message of what `call` throws; empty when it returns.
template <typename F> std::string thrown(F call) {
    try {
        call();
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestGcnLibrary : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void missingLibraryIsNamed() {
        QVERIFY(!gcnLibraryLoaded());
        qputenv("GRAPHACE_NETWORK_LIBRARY", "/nonexistent/graphace-network.so");
        QCOMPARE(gcnLibraryPath(), std::string("/nonexistent/graphace-network.so"));
        for (const std::string& message :
             {thrown([] { loadGcnLibrary(); }), thrown([] { GcnModel::load("model.pt"); }),
              thrown([] { torchInfo(); })}) {
            QVERIFY2(message.find("the network (LibTorch) cannot be loaded") != std::string::npos,
                     message.c_str());
            QVERIFY2(message.find("/nonexistent/graphace-network.so") != std::string::npos,
                     message.c_str());
        }
        QVERIFY(!gcnLibraryLoaded());
    }

    void otherLibraryIsRefused() {
        // A shared library that loads but is not ours: libstdc++, found from one of its symbols.
        Dl_info info{};
        QVERIFY(dladdr(reinterpret_cast<void*>(&std::terminate), &info) && info.dli_fname);
        qputenv("GRAPHACE_NETWORK_LIBRARY", info.dli_fname);
        const std::string message = thrown([] { loadGcnLibrary(); });
        QVERIFY2(message.find("is not a GraphACE network library") != std::string::npos,
                 message.c_str());
        QVERIFY(!gcnLibraryLoaded());
    }

    void modelsCrossIntact() {
        qunsetenv("GRAPHACE_NETWORK_LIBRARY");
        const std::string path = gcnLibraryPath();
        QVERIFY2(QFileInfo::exists(QString::fromStdString(path)), path.c_str());
        loadGcnLibrary();
        QVERIFY(gcnLibraryLoaded());

        const int features = 3;
        GraphDataset data;
        data.featureCount = features;
        data.speciesCount = 2;
        for (int atoms : {4, 6, 5, 7})
            data.samples.push_back(ringSample(atoms, features, -4.0 * atoms + 0.1 * atoms * atoms));
        ExperimentConfig config;
        config.model.graphLayers = {{4, Activation::Tanh}};
        config.model.denseLayers = {{1, Activation::Identity}};
        config.model.precision = Precision::Float64;
        config.optimiser.phases = {{3, 1e-2, 0.9, 0.999, true}};
        config.training.seed = 11;

        GcnTrainer trainer(config, data, {});
        int epochsSeen = 0;
        const TrainingOutcome outcome = trainer.train([&](const EpochRecord& record) {
            ++epochsSeen;
            return std::isfinite(record.trainLoss);
        });
        QCOMPARE(toString(outcome.stop), std::string("completed"));
        QCOMPARE(outcome.epochsRun, 3);
        QCOMPARE(epochsSeen, 3);
        QCOMPARE(int(outcome.history.size()), 3);

        GcnModel model = trainer.takeModel();
        QCOMPARE(model.config().model.graphLayers.at(0).width, 4);
        const std::vector<double> energies = model.predictEnergies(data);
        QCOMPARE(energies.size(), data.samples.size());
        QVERIFY(model.parameterCount() > 0);

        // Moved, saved by the library, loaded back: the same network.
        GcnModel moved = std::move(model);
        QTemporaryDir dir;
        const std::string file = dir.filePath(QStringLiteral("model.pt")).toStdString();
        moved.save(file);
        const GcnModel loaded = GcnModel::load(file);
        QCOMPARE(loaded.parameterValues(), moved.parameterValues());
        QCOMPARE(loaded.predictEnergies(data), energies);
        const RegressionMetrics metrics = scoreModel(loaded, data);
        QVERIFY(std::isfinite(metrics.energyRmseMevPerAtom));

        // The library's own errors reach the program as they are.
        const std::string missing = thrown([&] { GcnModel::load(file + ".missing"); });
        QVERIFY2(missing.find(file + ".missing") != std::string::npos, missing.c_str());
    }
};

QTEST_GUILESS_MAIN(TestGcnLibrary)
#include "test_gcn_library.moc"
