// Linear ACE fit, dataset split and the experiment configuration.

#include "testing.h"

#include "graphace/dataset_split.h"
#include "graphace/experiment_config.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/sample_dataset.h"

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <fstream>
#include <functional>

#include <algorithm>
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
        AceConfig config = resolvedFor(AceConfig{}, data); // the study's ACE(3,3): 26 functions
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
        QVERIFY2(m.energyRmseMevPerAtom < 1e-6,
                 qPrintable(QString::number(m.energyRmseMevPerAtom)));
        QVERIFY(m.energyR2 > 1 - 1e-12);
        QCOMPARE(p.forces.empty(), forcesWeight == 0);
        if (forcesWeight > 0)
            QVERIFY(m.forceRmseEvPerA < 1e-8);
    }

    // The sample is HfO2 only: the data fix 2·e0(O) + e0(Hf), not each. The fit must not return
    // huge cancelling reference energies (it returned ±10¹¹ eV), which made per-atom energies
    // lose digits; the adjoint evaluation (per atom) and the summed descriptors must agree.
    void oneStoichiometryGivesModestReferenceEnergies_data() {
        QTest::addColumn<double>("ridge");
        QTest::addColumn<double>("prior");
        QTest::newRow("plain least squares") << 0.0 << 0.0;
        QTest::newRow("ridge") << 1e-7 << 0.0;
        QTest::newRow("ridge and smoothness prior") << 1e-7 << 3.0;
    }
    void oneStoichiometryGivesModestReferenceEnergies() {
        QFETCH(double, ridge);
        QFETCH(double, prior);
        SampleOptions sample;
        sample.configurations = 60;
        const Dataset data = generateSampleDataset(sample);
        AceConfig config = resolvedFor(AceConfig{}, data);
        config.body_order = 4;
        config.wL = 0.25;
        config.max_degree_per_order = {13, 6, 5};
        config.r0 = 2.27;
        const AceBasis basis(config);
        const auto descriptors = computeAceDescriptors(basis, data, AceDerivatives::Forces, 1);
        LinearFitOptions fit;
        fit.forcesWeight = 1;
        fit.ridge = ridge;
        fit.smoothnessPrior = prior;
        const LinearAceModel model = fitLinearAce(basis, data, descriptors, fit);
        QCOMPARE(model.referenceEnergies.size(), std::size_t(2));
        for (double e0 : model.referenceEnergies)
            QVERIFY2(std::abs(e0) < 1e4, qPrintable(QString("e0 = %1 eV").arg(e0)));
        const LinearPrediction p = predictLinearAce(model, basis, data, descriptors);
        QVERIFY(scoreLinearPrediction(data, p).energyRmseMevPerAtom < 50);
        AceEvaluator evaluator(basis);
        for (std::size_t k = 0; k < data.size(); ++k) {
            const Structure& s = data.structures[k];
            const AceForces f =
                evaluator.linearEnergyForces(s, computeNeighborList(s, config.rcut),
                                             model.coefficients, model.referenceEnergies);
            // Summed in another order: the two agree to round-off of the terms' magnitudes
            // (large with plain least squares, whose coefficients cancel each other).
            double magnitude = std::abs(p.energies[k]);
            for (std::size_t i = 0; i < s.size(); ++i)
                magnitude += descriptors[k].descriptors.row(i).cwiseAbs().dot(
                                 model.coefficients.cwiseAbs()) +
                             std::abs(model.referenceEnergies[basis.speciesIndex(s.numbers[i])]);
            QVERIFY2(std::abs(f.energy - p.energies[k]) < 1e-12 * magnitude,
                     qPrintable(QString("configuration %1: %2 eV per atom, %3 eV summed, terms "
                                        "of magnitude %4 eV")
                                    .arg(k)
                                    .arg(f.energy, 0, 'g', 17)
                                    .arg(p.energies[k], 0, 'g', 17)
                                    .arg(magnitude)));
        }
    }

    // The streamed fit (descriptors computed a few configurations at a time, never all held)
    // gives the fit on all descriptors, with forces, on two threads.
    void streamedFitMatchesTheFitOnAllDescriptors() {
        SampleOptions sample;
        sample.configurations = 30;
        const Dataset data = generateSampleDataset(sample);
        AceConfig config = resolvedFor(AceConfig{}, data);
        config.body_order = 4;
        config.max_degree = 6;
        const AceBasis basis(config);
        LinearFitOptions fit;
        fit.forcesWeight = 1;
        fit.ridge = 1e-8;
        fit.smoothnessPrior = 2;
        const LinearAceModel whole = fitLinearAce(
            basis, data, computeAceDescriptors(basis, data, AceDerivatives::Forces, 1), fit);
        std::vector<double> progress;
        const LinearAceModel streamed = fitLinearAceStreaming(basis, data, fit, 2, [&](double f) {
            progress.push_back(f);
            return true;
        });
        QCOMPARE(streamed.rank, whole.rank);
        const double scale = whole.coefficients.cwiseAbs().maxCoeff();
        QVERIFY2((streamed.coefficients - whole.coefficients).cwiseAbs().maxCoeff() <= 1e-8 * scale,
                 qPrintable(QString::number(
                     (streamed.coefficients - whole.coefficients).cwiseAbs().maxCoeff() / scale)));
        for (std::size_t z = 0; z < 2; ++z)
            QVERIFY(std::abs(streamed.referenceEnergies[z] - whole.referenceEnergies[z]) <=
                    1e-8 * (1 + std::abs(whole.referenceEnergies[z])));
        QVERIFY(!progress.empty() && progress.back() > 0.99);
        QVERIFY(std::is_sorted(progress.begin(), progress.end()));
        // Cancelled when the progress callback says so.
        QVERIFY_THROWS_EXCEPTION(
            Cancelled, fitLinearAceStreaming(basis, data, fit, 1, [](double) { return false; }));
        // The adjoint prediction scores like the one from stored descriptors.
        const LinearPrediction adjoint = predictLinearAce(streamed, basis, data, 2);
        QCOMPARE(adjoint.virials.size(), 9 * data.size());
        const RegressionMetrics a = scoreLinearPrediction(data, adjoint);
        const RegressionMetrics b = scoreLinearPrediction(
            data, predictLinearAce(streamed, basis, data,
                                   computeAceDescriptors(basis, data, AceDerivatives::Forces, 1)));
        QVERIFY(std::abs(a.energyRmseMevPerAtom - b.energyRmseMevPerAtom) <=
                1e-8 * b.energyRmseMevPerAtom);
        QVERIFY(std::abs(a.forceRmseEvPerA - b.forceRmseEvPerA) <= 1e-10 * b.forceRmseEvPerA);
    }

    // The model file round-trips exactly; files from before "format"/"version" load; a newer
    // version, another format and a reference energy of a foreign species are refused by name.
    void modelFileRoundTripsAndRefusesWhatItCannotRead() {
        AceConfig config;
        config.species = {8, 72};
        config.body_order = 3;
        config.max_degree = 4;
        LinearAceModel model;
        model.ace = config;
        const AceBasis basis(config);
        model.coefficients = Eigen::VectorXd::LinSpaced(basis.size(), -1.0 / 3.0, 2.0 / 7.0);
        model.referenceEnergies = {-4.25, 0.1 + 0.2};
        QTemporaryDir dir;
        const std::string path = dir.filePath("model.json").toStdString();
        writeLinearAceModel(model, path);
        QVERIFY(looksLikeLinearAceModel(path));
        QVERIFY(!looksLikeLinearAceModel(dir.path().toStdString()));
        const LinearAceModel read = readLinearAceModel(path);
        QVERIFY(read.ace == config);
        QVERIFY(read.coefficients == model.coefficients); // bit for bit
        QVERIFY(read.referenceEnergies == model.referenceEnergies);

        auto rewrite = [&](const std::function<void(nlohmann::json&)>& edit) {
            std::ifstream in(path);
            nlohmann::json j = nlohmann::json::parse(in);
            edit(j);
            const std::string edited = dir.filePath("edited.json").toStdString();
            std::ofstream(edited) << j.dump();
            return edited;
        };
        const std::string old = rewrite([](nlohmann::json& j) {
            j.erase("format");
            j.erase("version");
        });
        QVERIFY(readLinearAceModel(old).coefficients == model.coefficients);
        const std::pair<std::function<void(nlohmann::json&)>, std::string> refused[] = {
            {[](nlohmann::json& j) { j["version"] = 2; }, "written by a newer GraphACE"},
            {[](nlohmann::json& j) { j["format"] = "pace"; }, "\"format\" is \"pace\""},
            {[](nlohmann::json& j) { j["reference_energies"]["Si"] = 1.0; },
             "\"Si\", which is not one of the model's species"},
            {[](nlohmann::json& j) { j["coefficients"].erase(0); }, "coefficients, but its"},
            {[](nlohmann::json& j) { j.erase("ace"); }, "no \"ace\""},
        };
        for (const auto& [edit, message] : refused) {
            const std::string edited = rewrite(edit);
            try {
                readLinearAceModel(edited);
                QFAIL(qPrintable(QString::fromStdString("accepted: " + message)));
            } catch (const std::invalid_argument& e) {
                const std::string what = e.what();
                QVERIFY2(what.find(edited) == 0 && what.find(message) != std::string::npos,
                         e.what());
            }
        }
    }

    void smoothnessPriorDiagonal() {
        AceConfig config;
        config.species = {8, 72};
        config.body_order = 3;
        config.max_degree = 6;
        config.wL = 1.5;
        const AceBasis basis(config);
        LinearFitOptions options;
        // p = 0: plain ridge, every column (reference energies included) weighted 1.
        const Eigen::VectorXd ones = linearFitRegularisation(basis, options);
        QCOMPARE(ones.size(), Eigen::Index(basis.size() + 2));
        QVERIFY((ones.array() == 1.0).all());
        options.smoothnessPrior = 3;
        const Eigen::VectorXd gamma = linearFitRegularisation(basis, options);
        QCOMPARE(gamma.size(), Eigen::Index(basis.size() + 2));
        // Column k of species block s is function k mod blockSize; Γ = (Σ n + wL·l)^p.
        for (int k = 0; k < basis.size(); ++k) {
            const auto& f = basis.functions()[k % basis.blockSize()];
            double degree = 0;
            for (int c : f.channels)
                degree += basis.channels()[c].n + config.wL * basis.channels()[c].l;
            QVERIFY(std::abs(gamma[k] - std::pow(degree, 3.0)) < 1e-9 * gamma[k]);
        }
        QCOMPARE(gamma.tail(2), Eigen::VectorXd::Zero(2).eval()); // one-body energies free
        options.referenceEnergies = false;
        QCOMPARE(linearFitRegularisation(basis, options).size(), Eigen::Index(basis.size()));
        options.smoothnessPrior = -1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, linearFitRegularisation(basis, options));
    }

    void smoothnessPriorDampsHighDegreesInAFit() {
        // Noisy labels from a known model on the study basis (degrees 1…3): with the same λ, the
        // prior (Γ = deg², i.e. 1 at degree 1) must leave the high-degree functions smaller
        // relative to the degree-1 ones than the plain ridge does; with λ = 0 it is inert.
        SampleOptions options;
        options.configurations = 30;
        Dataset data = generateSampleDataset(options);
        const AceBasis basis(resolvedFor(AceConfig{}, data));
        std::mt19937_64 engine(5);
        std::uniform_real_distribution<double> uniform(-1, 1);
        Eigen::VectorXd truth(basis.size());
        for (auto& v : truth)
            v = uniform(engine);
        data = labelWithLinearModel(data, basis, truth, {-3.0, -7.5});
        std::normal_distribution<double> noise(0.0, 0.05);
        for (auto& s : data.structures)
            for (auto& f : s.forces)
                for (int k = 0; k < 3; ++k)
                    f[k] += noise(engine);
        const auto descriptors = computeAceDescriptors(basis, data, AceDerivatives::Forces);

        LinearFitOptions fit;
        fit.forcesWeight = 1;
        const LinearAceModel free = fitLinearAce(basis, data, descriptors, fit);
        fit.smoothnessPrior = 2;
        const LinearAceModel inert = fitLinearAce(basis, data, descriptors, fit);
        QVERIFY((inert.coefficients - free.coefficients).norm() < 1e-8 * free.coefficients.norm());

        // Mean |c_k| · RMS(column k) over functions of one degree, relative to degree 1.
        auto highOverLow = [&](const LinearAceModel& model) {
            Eigen::VectorXd rms = Eigen::VectorXd::Zero(basis.size());
            Eigen::Index rows = 0;
            for (const auto& d : descriptors) {
                rms += d.sumGradient.colwise().squaredNorm().transpose();
                rows += d.sumGradient.rows();
            }
            rms = (rms / double(rows)).cwiseSqrt();
            double low = 0, high = 0;
            int nLow = 0, nHigh = 0;
            for (int k = 0; k < basis.size(); ++k) {
                const double degree = basis.functions()[k % basis.blockSize()].degree;
                const double size = std::abs(model.coefficients[k]) * rms[k];
                if (degree < 1.5) {
                    low += size;
                    ++nLow;
                } else if (degree > 2.5) {
                    high += size;
                    ++nHigh;
                }
            }
            return (high / nHigh) / (low / nLow);
        };
        fit.ridge = 10;
        fit.smoothnessPrior = 0;
        const LinearAceModel ridge = fitLinearAce(basis, data, descriptors, fit);
        fit.smoothnessPrior = 2;
        const LinearAceModel prior = fitLinearAce(basis, data, descriptors, fit);
        const double ratioRidge = highOverLow(ridge), ratioPrior = highOverLow(prior);
        QVERIFY2(ratioPrior < 0.8 * ratioRidge,
                 qPrintable(QString("prior %1, ridge %2").arg(ratioPrior).arg(ratioRidge)));
    }

    void forcesNeedDerivatives() {
        SampleOptions options;
        options.configurations = 3;
        const Dataset data = generateSampleDataset(options);
        const AceBasis basis(resolvedFor(AceConfig{}, data));
        const auto descriptors = computeAceDescriptors(basis, data, AceDerivatives::None);
        LinearFitOptions fit;
        fit.forcesWeight = 1;
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                                 fitLinearAce(basis, data, descriptors, fit));
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
        QCOMPARE(config.ace.species, (std::vector<int>{8, 72})); // sorted by atomic number
        QCOMPARE(config.linear.forcesWeight, 0.5);
        QCOMPARE(config.linear.smoothnessPrior, 0.0); // off unless asked for
        QVERIFY(config.ace.max_degree_per_order.empty());
        applySetting(doc, "linear.smoothness_prior=3");
        applySetting(doc, "linear.ridge=1e-9");
        applySetting(doc, "ace.body_order=4");
        applySetting(doc, "ace.max_degree_per_order=[16, 12, 8]");
        const ExperimentConfig tuned = doc.get<ExperimentConfig>();
        QCOMPARE(tuned.linear.smoothnessPrior, 3.0);
        QCOMPARE(tuned.linear.ridge, 1e-9);
        QCOMPARE(tuned.ace.max_degree_per_order, (std::vector<int>{16, 12, 8}));
        const ExperimentConfig tunedAgain = nlohmann::json(tuned).get<ExperimentConfig>();
        QCOMPARE(tunedAgain.linear.smoothnessPrior, 3.0);
        QVERIFY(tunedAgain.ace == tuned.ace);
        nlohmann::json negative = {{"linear", {{"smoothness_prior", -2}}}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, negative.get<ExperimentConfig>());
        nlohmann::json word = {{"linear", {{"smoothness_prior", "high"}}}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, word.get<ExperimentConfig>());
        nlohmann::json wrongLength = {
            {"ace", {{"body_order", 3}, {"max_degree_per_order", {10, 8, 6}}}}};
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, wrongLength.get<ExperimentConfig>());
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
