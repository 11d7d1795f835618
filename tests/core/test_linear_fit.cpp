// Linear ACE fit, dataset split and the experiment configuration.

#include "testing.h"

#include "graphace/dataset_split.h"
#include "graphace/experiment_config.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/sample_dataset.h"

#include <QTemporaryDir>

#include <random>
#include <set>

using namespace graphace;

namespace {

// Labels the sample's structures with a known linear ACE model, so a fit must find it exactly.
Dataset labelWithLinearModel(Dataset data, const AceBasis& basis, const Eigen::VectorXd& c,
                             const std::vector<double>& e0) {
    const auto d = computeAceDescriptors(basis, data, AceDerivatives::Forces, 1);
    for (std::size_t k = 0; k < data.size(); ++k) {
        Structure& s = data.structures[k];
        double energy = d[k].descriptors.colwise().sum().dot(c);
        for (int z : s.numbers)
            energy += e0[basis.speciesIndex(z)];
        s.energy = energy;
        const Eigen::VectorXd f = -(d[k].sumGradient * c);
        for (std::size_t a = 0; a < s.size(); ++a)
            s.forces[a] = f.segment<3>(3 * a);
    }
    return data;
}

} // namespace

class TestLinearFit : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void recoversAKnownLinearModel_data() {
        QTest::addColumn<double>("forcesWeight");
        QTest::newRow("energies only") << 0.0;
        QTest::newRow("energies and forces") << 1.0;
    }
    void recoversAKnownLinearModel() {
        QFETCH(double, forcesWeight);
        SampleOptions options;
        options.configurations = 40;
        Dataset data = generateSampleDataset(options);
        AceConfig config = resolvedFor(AceConfig{}, data);  // the study's ACE(3,3): 26 functions
        const AceBasis basis(config);
        QCOMPARE(basis.size(), 26);
        std::mt19937_64 engine(3);
        std::uniform_real_distribution<double> uniform(-1, 1);
        Eigen::VectorXd truth(basis.size());
        for (auto& v : truth)
            v = uniform(engine);
        data = labelWithLinearModel(data, basis, truth, {-3.0, -7.5});

        const auto descriptors = computeAceDescriptors(
            basis, data, forcesWeight > 0 ? AceDerivatives::Forces : AceDerivatives::None);
        LinearFitOptions fit;
        fit.forcesWeight = forcesWeight;
        const LinearAceModel model = fitLinearAce(basis, data, descriptors, fit);
        const LinearPrediction p = predictLinearAce(model, basis, data, descriptors);
        const RegressionMetrics m = scoreLinearPrediction(data, p);
        QVERIFY2(m.energyRmseMevPerAtom < 1e-6, qPrintable(QString::number(m.energyRmseMevPerAtom)));
        QVERIFY(m.energyR2 > 1 - 1e-12);
        QCOMPARE(p.forces.empty(), forcesWeight == 0);
        if (forcesWeight > 0)
            QVERIFY(m.forceRmseEvPerA < 1e-8);
    }

    void forcesNeedDerivatives() {
        SampleOptions options;
        options.configurations = 3;
        const Dataset data = generateSampleDataset(options);
        const AceBasis basis(resolvedFor(AceConfig{}, data));
        const auto descriptors = computeAceDescriptors(basis, data, AceDerivatives::None);
        LinearFitOptions fit;
        fit.forcesWeight = 1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, fitLinearAce(basis, data, descriptors, fit));
        Dataset unlabelled = data;
        for (auto& s : unlabelled.structures)
            s.energy.reset();
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 fitLinearAce(basis, unlabelled, descriptors, LinearFitOptions{}));
    }

    void splitIsReproducibleAndDisjoint() {
        const DatasetSplit a = splitIndices(100, 60, 30, 42), b = splitIndices(100, 60, 30, 42);
        QCOMPARE(a.train, b.train);
        QCOMPARE(a.test, b.test);
        QCOMPARE(a.train.size(), std::size_t(60));
        QCOMPARE(a.test.size(), std::size_t(30));
        std::set<std::size_t> seen(a.train.begin(), a.train.end());
        seen.insert(a.test.begin(), a.test.end());
        QCOMPARE(seen.size(), std::size_t(90));
        QVERIFY(*seen.rbegin() < 100);
        QVERIFY(splitIndices(100, 60, 30, 43).train != a.train);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, splitIndices(10, 8, 3, 1));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, splitIndices(10, 0, 3, 1));
    }

    void settingsAndConfig() {
        nlohmann::json doc = nlohmann::json::object();
        applySetting(doc, "ace.max_degree=8");
        applySetting(doc, "ace.species=[\"Hf\", \"O\"]");
        applySetting(doc, "linear.forces_weight=0.5");
        const ExperimentConfig config = doc.get<ExperimentConfig>();
        QCOMPARE(config.ace.max_degree, 8);
        QCOMPARE(config.ace.species, (std::vector<int>{8, 72}));  // sorted by atomic number
        QCOMPARE(config.linear.forcesWeight, 0.5);
        // Round trip through JSON.
        const ExperimentConfig again = nlohmann::json(config).get<ExperimentConfig>();
        QVERIFY(again.ace == config.ace);
        QCOMPARE(again.linear.forcesWeight, 0.5);

        nlohmann::json typo = {{"ace", {{"max_degre", 4}}}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, typo.get<ExperimentConfig>());
        nlohmann::json section = {{"acee", nlohmann::json::object()}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, section.get<ExperimentConfig>());
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, applySetting(doc, "no-equals-sign"));
    }

    void jsonErrorsNameTheLine() {
        QTemporaryDir dir;
        const QString path = dir.filePath("bad.json");
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("{\n  \"ace\": {\n    \"max_degree\": 4,,\n  }\n}\n");
        f.close();
        try {
            readJsonFile(path.toStdString());
            QFAIL("no error");
        } catch (const ParseError& e) {
            QCOMPARE(e.line(), 3L);
            QCOMPARE(QString::fromStdString(e.file()), path);
        }
    }
};

QTEST_APPLESS_MAIN(TestLinearFit)
#include "test_linear_fit.moc"
