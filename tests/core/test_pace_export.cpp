// The .yace export (pace_yace_export.h): the file's structure, and, where ICAMS's ACE evaluator
// could be built from ../shared/reference/lammps-user-pace (tests/pace_oracle.cmake), energies
// and forces that evaluator computes from our file against graphace's own prediction.

#include "testing.h"

#include "graphace/ace_basis.h"
#include "graphace/element.h"
#include "graphace/extxyz.h"
#include "graphace/linear_ace_fit.h"
#include "graphace/linear_ace_model_file.h"
#include "graphace/pace_yace_export.h"

#include <Eigen/Geometry>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <random>
#include <regex>
#include <sstream>

#ifdef GRAPHACE_HAVE_PACE_ORACLE
#include "ace-evaluator/ace_c_basis.h"
#include "ace-evaluator/ace_evaluator.h"
#endif

using namespace graphace;
using graphace::testing::runCli;

namespace {

AceConfig twoSpeciesConfig(int bodyOrder, int maxDegree) {
    AceConfig ace;
    ace.species = {8, 72};
    ace.body_order = bodyOrder;
    ace.max_degree = maxDegree;
    ace.r0 = 2.1;
    ace.rcut = 5.0;
    return ace;
}

LinearAceModel randomModel(const AceConfig& ace, double scale, unsigned seed) {
    const AceBasis basis(ace);
    LinearAceModel model;
    model.ace = ace;
    std::mt19937 rng(seed);
    std::uniform_real_distribution<double> uniform(-1.0, 1.0);
    model.coefficients.resize(basis.size());
    for (int k = 0; k < basis.size(); ++k)
        model.coefficients[k] = scale * uniform(rng);
    for (size_t s = 0; s < ace.species.size(); ++s)
        model.referenceEnergies.push_back(-3.0 - static_cast<double>(s));
    return model;
}

// "key: [a, b, c]" lists of the function lines, as text.
std::vector<std::string> fieldOf(const std::string& text, const std::string& key) {
    std::vector<std::string> out;
    const std::regex pattern(key + ": \\[([^\\]]*)\\]");
    for (auto it = std::sregex_iterator(text.begin(), text.end(), pattern);
         it != std::sregex_iterator(); ++it)
        out.push_back((*it)[1].str());
    return out;
}

std::vector<double> numbersOf(const std::string& list) {
    std::vector<double> out;
    std::istringstream in(list);
    std::string item;
    while (std::getline(in, item, ','))
        out.push_back(std::stod(item));
    return out;
}

#ifdef GRAPHACE_HAVE_PACE_ORACLE
struct OracleResult {
    double energy = 0;
    std::vector<Vec3> forces;
};

// ICAMS's evaluator on one configuration, with neighbours found here by brute force over
// periodic images (not our neighbour list): every atom i, every image j within the cutoff, and
// the pair forces accumulated as pair_pace.cpp does (f_i += f_ij, f_j −= f_ij).
OracleResult evaluateWithPace(const std::string& yacePath, const Structure& s,
                              const std::vector<int>& speciesOf, double rcut) {
    ACECTildeBasisSet basisSet;
    basisSet.load_yaml(yacePath);
    ACECTildeEvaluator evaluator;
    evaluator.set_basis(basisSet);

    std::vector<Vec3> x;
    std::vector<int> owner;
    const Mat3 cell = s.cell;
    int images[3] = {0, 0, 0};
    for (int k = 0; k < 3; ++k) {
        if (!s.pbc[k])
            continue;
        const Vec3 normal = cell.row((k + 1) % 3).cross(cell.row((k + 2) % 3));
        const double spacing = std::abs(cell.row(k).dot(normal)) / normal.norm();
        images[k] = static_cast<int>(std::ceil(rcut / spacing)) + 1;
    }
    for (size_t i = 0; i < s.size(); ++i) {
        x.push_back(s.positions[i]);
        owner.push_back(static_cast<int>(i));
    }
    for (int a = -images[0]; a <= images[0]; ++a)
        for (int b = -images[1]; b <= images[1]; ++b)
            for (int c = -images[2]; c <= images[2]; ++c) {
                if (a == 0 && b == 0 && c == 0)
                    continue;
                const Vec3 shift = a * cell.row(0).transpose() + b * cell.row(1).transpose() +
                                   c * cell.row(2).transpose();
                for (size_t i = 0; i < s.size(); ++i) {
                    x.push_back(s.positions[i] + shift);
                    owner.push_back(static_cast<int>(i));
                }
            }
    std::vector<double*> rows(x.size());
    for (size_t k = 0; k < x.size(); ++k)
        rows[k] = x[k].data();
    std::vector<SPECIES_TYPE> type(x.size());
    for (size_t k = 0; k < x.size(); ++k)
        type[k] = static_cast<SPECIES_TYPE>(speciesOf[owner[k]]);

    OracleResult result;
    result.forces.assign(s.size(), Vec3::Zero());
    std::vector<int> neighbours;
    for (size_t i = 0; i < s.size(); ++i) {
        neighbours.clear();
        for (size_t j = 0; j < x.size(); ++j)
            if (j != i && (x[j] - x[i]).norm() < rcut + 0.5)
                neighbours.push_back(static_cast<int>(j));
        evaluator.resize_neighbours_cache(static_cast<int>(neighbours.size()));
        evaluator.compute_atom(static_cast<int>(i), rows.data(), type.data(),
                               static_cast<int>(neighbours.size()), neighbours.data());
        result.energy += evaluator.e_atom;
        for (size_t jj = 0; jj < neighbours.size(); ++jj) {
            const Vec3 f(evaluator.neighbours_forces(jj, 0), evaluator.neighbours_forces(jj, 1),
                         evaluator.neighbours_forces(jj, 2));
            result.forces[i] += f;
            result.forces[owner[neighbours[jj]]] -= f;
        }
    }
    return result;
}

// Every configuration of `data` through both: energies to `energyTolerance` relative, forces to
// `forceTolerance` eV/Å (times max(1, largest force) when `relativeForces`).
void compareWithPace(const LinearAceModel& model, const std::string& yacePath, const Dataset& data,
                     double energyTolerance, double forceTolerance, bool relativeForces) {
    const AceBasis basis(model.ace);
    const LinearPrediction ours = predictLinearAce(model, basis, data, 1);
    size_t atomOffset = 0;
    double worstEnergy = 0, worstForce = 0;
    for (size_t c = 0; c < data.structures.size(); ++c) {
        const Structure& s = data.structures[c];
        std::vector<int> speciesOf;
        for (int z : s.numbers)
            speciesOf.push_back(basis.speciesIndex(z));
        const OracleResult pace = evaluateWithPace(yacePath, s, speciesOf, model.ace.rcut);
        const double energyError =
            std::abs(pace.energy - ours.energies[c]) / std::max(1.0, std::abs(ours.energies[c]));
        double largest = 0, forceError = 0;
        for (size_t i = 0; i < s.size(); ++i)
            for (int k = 0; k < 3; ++k) {
                const double f = ours.forces[3 * (atomOffset + i) + k];
                largest = std::max(largest, std::abs(f));
                forceError = std::max(forceError, std::abs(pace.forces[i][k] - f));
            }
        const double forceScale = relativeForces ? std::max(1.0, largest) : 1.0;
        worstEnergy = std::max(worstEnergy, energyError);
        worstForce = std::max(worstForce, forceError / forceScale);
        if (!(energyError <= energyTolerance) || !(forceError <= forceTolerance * forceScale))
            QFAIL(qPrintable(QStringLiteral("configuration %1 (%2 atoms): energy %3 vs ours %4 "
                                            "(relative error %5), largest force error %6 eV/Å "
                                            "(largest force %7)")
                                 .arg(c)
                                 .arg(s.size())
                                 .arg(pace.energy, 0, 'g', 17)
                                 .arg(ours.energies[c], 0, 'g', 17)
                                 .arg(energyError)
                                 .arg(forceError)
                                 .arg(largest)));
        atomOffset += s.size();
    }
    qInfo("%zu configurations: worst energy error %.2e (relative), worst force error %.2e%s",
          data.structures.size(), worstEnergy, worstForce,
          relativeForces ? " (relative)" : " eV/Å");
}

Dataset firstConfigurations(const QString& file, int count) {
    Dataset data = readExtxyzFile(file.toStdString());
    if (static_cast<int>(data.structures.size()) > count)
        data.structures.resize(count);
    return data;
}

#define GRAPHACE_REQUIRE_PACE_ORACLE()
#else
#define GRAPHACE_REQUIRE_PACE_ORACLE()                                                             \
    QSKIP("ICAMS's ACE evaluator was not built: ../shared/reference/lammps-user-pace/"             \
          "lammps-user-pace-v.2025.12.4.tar.gz was absent at configure time (or "                  \
          "GRAPHACE_PACE_ORACLE=OFF)")
#endif

} // namespace

class TestPaceExport : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // The layout the evaluator's reader needs, and the conversion's defining properties.
    void fileStructure() {
        const LinearAceModel model = randomModel(twoSpeciesConfig(4, 6), 0.1, 1);
        const AceBasis basis(model.ace);
        const std::string text = paceYaceText(model);

        QVERIFY(text.find("elements: [O, Hf]") != std::string::npos);
        QVERIFY(text.find("E0: [-3, -4]") != std::string::npos);
        QVERIFY(text.find("lmax: " + std::to_string(basis.lmax()) + "\n") != std::string::npos);
        // One bond per ordered species pair, with the radial basis' own recursion coefficients.
        const auto as = fieldOf(text, "A");
        QCOMPARE(static_cast<int>(as.size()), 4);
        const std::vector<double> a = numbersOf(as[0]);
        QCOMPARE(static_cast<int>(a.size()), basis.maxn());
        for (int n = 0; n < basis.maxn(); ++n)
            QCOMPARE(a[n], basis.radial().a()[n]); // 17 digits: exact round trip

        // Every function of both blocks, integers written as integers.
        const auto mus = fieldOf(text, "mus");
        const auto ms = fieldOf(text, "ms_combs");
        const auto ls = fieldOf(text, "ls");
        const auto ctildes = fieldOf(text, "ctildes");
        QCOMPARE(static_cast<int>(mus.size()), basis.size());
        for (const auto& field : {mus, ms, ls})
            for (const std::string& list : field)
                QVERIFY2(list.find('.') == std::string::npos && list.find('e') == std::string::npos,
                         list.c_str());
        const std::regex rank("rank: (\\d+), ndensity: 1, num_ms_combs: (\\d+)");
        int function = 0;
        for (auto it = std::sregex_iterator(text.begin(), text.end(), rank);
             it != std::sregex_iterator(); ++it, ++function) {
            const int nu = std::stoi((*it)[1].str());
            const int combinations = std::stoi((*it)[2].str());
            const int k = function % basis.blockSize();
            QCOMPARE(nu, basis.functions()[k].order());
            const std::vector<double> m = numbersOf(ms[function]);
            QCOMPARE(static_cast<int>(m.size()), nu * combinations);
            QCOMPARE(static_cast<int>(numbersOf(ctildes[function]).size()), combinations);
            // Rotation invariants couple to total M = 0 in the complex basis.
            for (int t = 0; t < combinations; ++t) {
                double total = 0;
                for (int f = 0; f < nu; ++f)
                    total += m[t * nu + f];
                QCOMPARE(total, 0.0);
            }
            // ν = 1: B = U·A_n00 with Y_00 = 1/√(4π), in PACE's Y^P_00 = 1 units.
            if (nu == 1) {
                const AceBasisFunction& f = basis.functions()[k];
                const double expected = model.coefficients[function] *
                                        basis.termCoefficients()[f.termBegin] / std::sqrt(4 * M_PI);
                QCOMPARE(numbersOf(ctildes[function])[0], expected);
            }
        }
        QCOMPARE(function, basis.size());
    }

    void mismatchedModelIsRefused() {
        LinearAceModel model = randomModel(twoSpeciesConfig(3, 4), 1.0, 2);
        model.coefficients.conservativeResize(model.coefficients.size() - 1);
        QVERIFY(testing::errorOf([&] { paceYaceText(model); }).contains("coefficients"));
        LinearAceModel broken = randomModel(twoSpeciesConfig(3, 4), 1.0, 2);
        broken.coefficients[3] = std::nan("");
        QVERIFY(testing::errorOf([&] {
                    paceYaceText(broken);
                }).contains("coefficient 3 is not finite"));
    }

    // Random coefficients weight every function alike, so every coupling is checked, up to four
    // factors (body order 5) and two species.
    void randomModelMatchesIcamsEvaluator() {
        GRAPHACE_REQUIRE_PACE_ORACLE();
        GRAPHACE_REQUIRE_SHARED_DATA();
#ifdef GRAPHACE_HAVE_PACE_ORACLE
        QTemporaryDir dir;
        LinearAceModel model = randomModel(twoSpeciesConfig(5, 7), 1e-2, 3);
        std::fill(model.referenceEnergies.begin(), model.referenceEnergies.end(), 0.0);
        const std::string path = dir.filePath("random.yace").toStdString();
        writePaceYace(model, path);
        const Dataset data = firstConfigurations(
            testing::sharedDataDir() + "/hfo2/HfO2_mp352_ads_form_sorted.extxyz", 3);
        compareWithPace(model, path, data, 1e-8, 1e-7, true);
#endif
    }

    // The proof, end to end through the CLI: fit-linear --export-yace on real data, then
    // the evaluator's energies and forces from that file against graphace's prediction of the
    // saved model, to 1e-8 relative (energies) and 1e-7 eV/Å (forces).
    void fittedModelsMatchIcamsEvaluator_data() {
        QTest::addColumn<QString>("train");
        QTest::addColumn<QStringList>("extra");
        QTest::newRow("hfo2 (two species, automatic settings)")
            << "hfo2/HfO2_mp352_ads_form_sorted.extxyz" << QStringList{"--split", "40:8"};
        QTest::newRow("zuo2020 Si (recipe, l <= 16)")
            << "zuo2020/Si_train.xyz"
            << QStringList{"--config",
                           QStringLiteral(GRAPHACE_SOURCE_DIR) + "/docs/recipes/zuo2020-Si.json",
                           "--split", "40:8"};
    }
    void fittedModelsMatchIcamsEvaluator() {
        GRAPHACE_REQUIRE_PACE_ORACLE();
        GRAPHACE_REQUIRE_SHARED_DATA();
#ifdef GRAPHACE_HAVE_PACE_ORACLE
        QFETCH(QString, train);
        QFETCH(QStringList, extra);
        QTemporaryDir dir;
        const QString modelPath = dir.filePath("model.json");
        const QString yacePath = dir.filePath("model.yace");
        const auto fit =
            runCli(QStringList{"fit-linear", "--train", testing::sharedDataDir() + "/" + train,
                               "--save-coefficients", modelPath, "--export-yace", yacePath} +
                   extra);
        QVERIFY2(fit.exitCode == 0, fit.err.constData());
        QVERIFY2(fit.out.contains("pair_coeff * * " + yacePath.toUtf8()), fit.out.constData());
        const LinearAceModel model = readLinearAceModel(modelPath.toStdString());
        const Dataset data = firstConfigurations(testing::sharedDataDir() + "/" + train, 4);
        compareWithPace(model, yacePath.toStdString(), data, 1e-8, 1e-7, false);

        // export-yace of the saved model writes the same file.
        const QString again = dir.filePath("again.yace");
        const auto exported = runCli({"export-yace", modelPath, again});
        QVERIFY2(exported.exitCode == 0, exported.err.constData());
        QFile first(yacePath), second(again);
        QVERIFY(first.open(QIODevice::ReadOnly) && second.open(QIODevice::ReadOnly));
        QCOMPARE(second.readAll(), first.readAll());
#endif
    }
};

QTEST_GUILESS_MAIN(TestPaceExport)
#include "test_pace_export.moc"
