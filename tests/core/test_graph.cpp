// Atom graphs (adjacency, images, self-loops, normalisations, weights), degree statistics and
// pair distributions.
#include "testing.h"

#include "graphace/extxyz.h"
#include "graphace/graph.h"
#include "graphace/graph_statistics.h"

#include <Eigen/Dense>
#include <QtTest>

#include <cmath>
#include <numeric>
#include <random>

using namespace graphace;

namespace {

constexpr double kPi = 3.14159265358979323846;

Structure makeStructure(const Mat3& cell, std::array<bool, 3> pbc, std::vector<Vec3> positions,
                        std::vector<int> numbers = {}) {
    Structure s;
    s.cell = cell;
    s.pbc = pbc;
    if (numbers.empty())
        numbers.assign(positions.size(), 29);
    s.numbers = std::move(numbers);
    s.positions = std::move(positions);
    return s;
}

Eigen::MatrixXd dense(const AtomGraph& g) {
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(g.atomCount, g.atomCount);
    for (std::size_t e = 0; e < g.values.size(); ++e)
        m(g.rows[e], g.columns[e]) += g.values[e];
    return m;
}

void checkSortedUnique(const AtomGraph& g) {
    QCOMPARE(g.columns.size(), g.rows.size());
    QCOMPARE(g.values.size(), g.rows.size());
    for (std::size_t e = 1; e < g.rows.size(); ++e)
        QVERIFY2(std::make_pair(g.rows[e - 1], g.columns[e - 1]) <
                     std::make_pair(g.rows[e], g.columns[e]),
                 "COO entries not sorted by (row, column) or duplicated");
}

// A small non-periodic "hand" graph: a triangle 0-1-2 with a tail 2-3 (distances 1 … 1.3) and
// the isolated atom 4; cutoff 1.5 gives exactly these edges.
Structure handGraphStructure() {
    return makeStructure(
        Mat3::Zero(), {false, false, false},
        {Vec3(0, 0, 0), Vec3(1.0, 0, 0), Vec3(0.5, 0.9, 0), Vec3(0.5, 2.2, 0), Vec3(9, 9, 9)});
}

Eigen::MatrixXd handAdjacency() {
    Eigen::MatrixXd a = Eigen::MatrixXd::Zero(5, 5);
    for (auto [i, j] : {std::pair{0, 1}, {0, 2}, {1, 2}, {2, 3}})
        a(i, j) = a(j, i) = 1.0;
    return a;
}

// Fluorite (cubic HfO2-like) cell: Hf on FCC sites, O on the 8 tetrahedral sites; shortest
// distance a√3/4 ≈ 2.2 Å.
Structure fluoriteHfO2(double a = 5.07) {
    std::vector<Vec3> positions;
    std::vector<int> numbers;
    for (const Vec3& f : {Vec3(0, 0, 0), Vec3(0, .5, .5), Vec3(.5, 0, .5), Vec3(.5, .5, 0)}) {
        positions.push_back(a * f);
        numbers.push_back(72);
    }
    for (double x : {.25, .75})
        for (double y : {.25, .75})
            for (double z : {.25, .75}) {
                positions.push_back(a * Vec3(x, y, z));
                numbers.push_back(8);
            }
    return makeStructure(a * Mat3::Identity(), {true, true, true}, positions, numbers);
}

Structure fcc(double a, int repeat, int number = 29) {
    std::vector<Vec3> positions;
    for (int x = 0; x < repeat; ++x)
        for (int y = 0; y < repeat; ++y)
            for (int z = 0; z < repeat; ++z)
                for (const Vec3& f :
                     {Vec3(0, 0, 0), Vec3(0, .5, .5), Vec3(.5, 0, .5), Vec3(.5, .5, 0)})
                    positions.push_back(a * (f + Vec3(x, y, z)));
    return makeStructure(a * repeat * Mat3::Identity(), {true, true, true}, positions,
                         std::vector<int>(positions.size(), number));
}

} // namespace

class TestGraph : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void symmetricNormalisationMatchesDense();
    void rowNormalisationRowsSumToOne();
    void imagesAreSummed();
    void selfLoopsOff();
    void zeroDegreeRowsStayZero();
    void smoothCosineWeights();
    void weightDerivativesAndSmoothnessAtCutoff();
    void structureOverloadMatchesListOverload();
    void rejectsBadInput();
    void namesRoundTrip();
    void degreeStatisticsHandExample();
    void degreeStatisticsPeriodic();
    void trivialAtHalfAngstrom();
    void trivialOnRealHfO2();
    void rdfPerfectFcc();
    void rdfSpeciesPairs();
    void rdfIdealGas();
    void rdfUndefinedWhenNotPeriodic();
    void pairDistributionRejectsBadInput();
};

void TestGraph::symmetricNormalisationMatchesDense() {
    const Structure s = handGraphStructure();
    GraphOptions options;
    options.cutoff = 1.5;
    options.normalisation = Normalisation::Symmetric;
    const AtomGraph g = buildGraph(s, options);
    checkSortedUnique(g);
    QCOMPARE(g.atomCount, 5);
    QCOMPARE(g.edgeCount, std::size_t(8));

    const Eigen::MatrixXd m = handAdjacency() + Eigen::MatrixXd::Identity(5, 5);
    const Eigen::VectorXd d = m.rowwise().sum();
    const Eigen::MatrixXd dInvSqrt = d.cwiseSqrt().cwiseInverse().asDiagonal();
    const Eigen::MatrixXd expected = dInvSqrt * m * dInvSqrt;
    QVERIFY((dense(g) - expected).cwiseAbs().maxCoeff() < 1e-14);
    // One stored entry per non-zero of A + I (8 edges + 5 self-loops).
    QCOMPARE(g.values.size(), std::size_t(13));
    // Spot value: atom 2 has degree 4 (3 neighbours + itself), atom 3 degree 2.
    QVERIFY(std::abs(dense(g)(2, 3) - 1.0 / std::sqrt(4.0 * 2.0)) < 1e-15);
}

void TestGraph::rowNormalisationRowsSumToOne() {
    Mat3 cell;
    cell << 5.2, 0.0, 0.0, 1.3, 4.9, 0.0, -0.8, 0.6, 5.5;
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> unit(0.0, 1.0);
    std::vector<Vec3> positions;
    for (int i = 0; i < 20; ++i)
        positions.push_back(cell.transpose() * Vec3(unit(rng), unit(rng), unit(rng)));
    const Structure s = makeStructure(cell, {true, true, true}, positions);
    for (EdgeWeighting w : {EdgeWeighting::Binary, EdgeWeighting::SmoothCosine}) {
        for (bool loops : {true, false}) {
            GraphOptions options;
            options.cutoff = 3.0;
            options.weighting = w;
            options.selfLoops = loops;
            options.normalisation = Normalisation::Row;
            const AtomGraph g = buildGraph(s, options);
            checkSortedUnique(g);
            const Eigen::MatrixXd m = dense(g);
            for (int i = 0; i < 20; ++i) {
                const double sum = m.row(i).sum();
                QVERIFY(std::abs(sum - 1.0) < 1e-12 || (!loops && sum == 0.0));
            }
            // Row normalisation of a symmetric A is D⁻¹A: D·Â is symmetric again.
            options.normalisation = Normalisation::None;
            const Eigen::MatrixXd raw = dense(buildGraph(s, options));
            QVERIFY((raw - raw.transpose()).cwiseAbs().maxCoeff() < 1e-14);
            const Eigen::VectorXd degree = raw.rowwise().sum();
            for (int i = 0; i < 20; ++i)
                if (degree[i] > 0)
                    QVERIFY((m.row(i) * degree[i] - raw.row(i)).cwiseAbs().maxCoeff() < 1e-12);
        }
    }
}

void TestGraph::imagesAreSummed() {
    // One atom in a 2 Å cube at 2.1 Å: its six images are all neighbours, all in A_00.
    const Structure s = makeStructure(2.0 * Mat3::Identity(), {true, true, true}, {Vec3::Zero()});
    GraphOptions options;
    options.cutoff = 2.1;
    options.normalisation = Normalisation::None;
    options.selfLoops = false;
    AtomGraph g = buildGraph(s, options);
    QCOMPARE(g.edgeCount, std::size_t(6));
    QCOMPARE(g.values.size(), std::size_t(1));
    QCOMPARE(g.rows[0], 0);
    QCOMPARE(g.columns[0], 0);
    QCOMPARE(g.values[0], 6.0);
    options.selfLoops = true;
    g = buildGraph(s, options);
    QCOMPARE(g.values.size(), std::size_t(1));
    QCOMPARE(g.values[0], 7.0);
    QCOMPARE(g.edgeCount, std::size_t(6)); // self-loops are not edges
    options.normalisation = Normalisation::Symmetric;
    QVERIFY(std::abs(buildGraph(s, options).values[0] - 1.0) < 1e-15);

    // Two atoms in a 2-atom cell seeing each other through several images.
    const double a = 2.1;
    const Structure bcc = makeStructure(a * Mat3::Identity(), {true, true, true},
                                        {Vec3::Zero(), Vec3::Constant(a / 2)});
    options.cutoff = 2.0;
    options.selfLoops = false;
    options.normalisation = Normalisation::None;
    const Eigen::MatrixXd m = dense(buildGraph(bcc, options));
    QCOMPARE(m(0, 1), 8.0); // the 8 corner images at a√3/2
    QCOMPARE(m(1, 0), 8.0);
    QCOMPARE(m(0, 0), 0.0); // own images at a = 2.1 > 2.0
}

void TestGraph::selfLoopsOff() {
    GraphOptions options;
    options.cutoff = 1.5;
    options.selfLoops = false;
    options.normalisation = Normalisation::None;
    const AtomGraph g = buildGraph(handGraphStructure(), options);
    checkSortedUnique(g);
    QCOMPARE(dense(g), handAdjacency());
    for (std::size_t e = 0; e < g.rows.size(); ++e)
        QVERIFY(g.rows[e] != g.columns[e]);
    options.selfLoops = true;
    QCOMPARE(dense(buildGraph(handGraphStructure(), options)),
             Eigen::MatrixXd(handAdjacency() + Eigen::MatrixXd::Identity(5, 5)));
}

void TestGraph::zeroDegreeRowsStayZero() {
    GraphOptions options;
    options.cutoff = 1.5;
    options.selfLoops = false;
    for (Normalisation n : {Normalisation::Symmetric, Normalisation::Row}) {
        options.normalisation = n;
        const Eigen::MatrixXd m = dense(buildGraph(handGraphStructure(), options));
        QVERIFY(m.allFinite());
        QCOMPARE(m.row(4).cwiseAbs().sum(), 0.0);
        QCOMPARE(m.col(4).cwiseAbs().sum(), 0.0);
        QVERIFY(m.row(0).sum() > 0.0);
    }
}

void TestGraph::smoothCosineWeights() {
    const double cutoff = 4.0;
    GraphOptions options;
    options.cutoff = cutoff;
    options.weighting = EdgeWeighting::SmoothCosine;
    options.selfLoops = false;
    options.normalisation = Normalisation::None;
    const auto weightAt = [&](double d) {
        const Structure dimer =
            makeStructure(Mat3::Zero(), {false, false, false}, {Vec3::Zero(), Vec3(d, 0, 0)});
        const AtomGraph g = buildGraph(dimer, options);
        return g.values.empty() ? 0.0 : dense(g)(0, 1);
    };
    QVERIFY(std::abs(weightAt(2.0) - 0.5) < 1e-15); // ½(cos(π/2) + 1)
    QVERIFY(std::abs(weightAt(1.0) - 0.5 * (std::cos(kPi / 4) + 1)) < 1e-15);
    QVERIFY(std::abs(weightAt(1e-9) - 1.0) < 1e-15);
    // Continuous at the cutoff: tends to 0 from inside and is 0 beyond.
    QVERIFY(weightAt(cutoff * (1 - 1e-3)) < 1e-5);
    QVERIFY(weightAt(cutoff * (1 - 1e-3)) > 0.0);
    QVERIFY(weightAt(cutoff * (1 - 1e-7)) < 1e-13);
    QCOMPARE(weightAt(cutoff), 0.0);
    QCOMPARE(weightAt(cutoff + 0.5), 0.0);
    // Monotone decreasing inside.
    double previous = 2.0;
    for (double d = 0.1; d < cutoff; d += 0.3) {
        const double w = weightAt(d);
        QVERIFY(w < previous);
        previous = w;
    }
}

void TestGraph::weightDerivativesAndSmoothnessAtCutoff() {
    const double rc = 3.7;
    for (EdgeWeighting w : {EdgeWeighting::SmoothCosine, EdgeWeighting::SmoothPolynomial}) {
        QVERIFY(hasContinuousDerivative(w));
        QCOMPARE(edgeWeight(w, 0.0, rc), 1.0);
        QCOMPARE(edgeWeight(w, rc, rc), 0.0);
        // w' against central differences inside (0, rc).
        for (double d : {0.3, 1.1, 2.0, 2.9, 3.6}) {
            const double h = 1e-6;
            const double fd = (edgeWeight(w, d + h, rc) - edgeWeight(w, d - h, rc)) / (2 * h);
            QVERIFY2(std::abs(edgeWeightDerivative(w, d, rc) - fd) < 1e-8,
                     qPrintable(QString::fromStdString(toString(w)) + " at " + QString::number(d)));
        }
        // w and w' vanish as d → rc from below.
        const double justInside = rc * (1 - 1e-6);
        QVERIFY(edgeWeight(w, justInside, rc) < 1e-9);
        QVERIFY(std::abs(edgeWeightDerivative(w, justInside, rc)) < 1e-5);
    }
    // Only the polynomial has w'' → 0 at rc (C²): the second difference of w' just inside.
    const double h = 1e-4;
    auto second = [&](EdgeWeighting w) {
        return (edgeWeightDerivative(w, rc - h, rc) - edgeWeightDerivative(w, rc - 2 * h, rc)) / h;
    };
    QVERIFY(std::abs(second(EdgeWeighting::SmoothPolynomial)) < 1e-3);
    QVERIFY(std::abs(second(EdgeWeighting::SmoothCosine)) > 0.1); // π²/(2 rc²) ≈ 0.36
    QVERIFY(!hasContinuousDerivative(EdgeWeighting::Binary));
    QCOMPARE(edgeWeightDerivative(EdgeWeighting::Binary, 1.0, rc), 0.0);
}

void TestGraph::structureOverloadMatchesListOverload() {
    const Structure s = fluoriteHfO2();
    GraphOptions options;
    options.cutoff = 3.0;
    const AtomGraph a = buildGraph(s, options);
    // A list computed with a larger cutoff: edges beyond the graph cutoff are left out.
    const NeighborList wide = computeNeighborList(s, 4.5);
    const AtomGraph b = buildGraph(wide, int(s.size()), options);
    QCOMPARE(a.rows, b.rows);
    QCOMPARE(a.columns, b.columns);
    QCOMPARE(a.values, b.values);
    QCOMPARE(a.edgeCount, b.edgeCount);
    QCOMPARE(a.edgeCount, computeNeighborList(s, 3.0).edgeCount());
    QVERIFY(a.edgeCount < wide.edgeCount());
}

void TestGraph::rejectsBadInput() {
    const Structure s = handGraphStructure();
    const NeighborList nl = computeNeighborList(s, 1.5);
    GraphOptions options;
    options.cutoff = 2.0; // larger than the list's cutoff: edges would be missing
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildGraph(nl, 5, options));
    options.cutoff = 1.5;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildGraph(nl, 3, options)); // atom 3, 4
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildGraph(nl, -1, options));
    options.cutoff = 0.0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, buildGraph(s, options));
}

void TestGraph::namesRoundTrip() {
    for (EdgeWeighting w :
         {EdgeWeighting::Binary, EdgeWeighting::SmoothCosine, EdgeWeighting::SmoothPolynomial})
        QVERIFY(parseEdgeWeighting(toString(w)) == w);
    for (Normalisation n : {Normalisation::None, Normalisation::Symmetric, Normalisation::Row})
        QVERIFY(parseNormalisation(toString(n)) == n);
    QCOMPARE(toString(EdgeWeighting::SmoothCosine), std::string("smooth-cosine"));
    QCOMPARE(toString(Normalisation::Symmetric), std::string("symmetric"));
    try {
        parseNormalisation("Symmetrik");
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        const QString message = QString::fromUtf8(e.what());
        QVERIFY2(message.contains("Symmetrik") && message.contains("'row'"), e.what());
    }
    try {
        parseEdgeWeighting("cosine");
        QFAIL("no exception");
    } catch (const std::invalid_argument& e) {
        QVERIFY2(QString::fromUtf8(e.what()).contains("smooth-cosine"), e.what());
    }
}

void TestGraph::degreeStatisticsHandExample() {
    const NeighborList nl = computeNeighborList(handGraphStructure(), 1.5);
    const DegreeStatistics st = degreeStatistics(nl, 5);
    // Degrees 2, 2, 3, 1, 0; directed edges 8.
    QCOMPARE(st.edges, std::size_t(8));
    QCOMPARE(st.minDegree, 0);
    QCOMPARE(st.maxDegree, 3);
    QCOMPARE(st.meanDegree, 8.0 / 5.0);
    QCOMPARE(st.isolatedAtoms, 1);
    QVERIFY(!st.trivial);

    // A hand-made list with a self-loop entry (i, i, 0): never counted.
    NeighborList manual;
    manual.cutoff = 3.0;
    manual.first = {0, 0, 1};
    manual.second = {0, 1, 0};
    manual.shifts = {Shift{0, 0, 0}, Shift{0, 0, 0}, Shift{0, 0, 0}};
    manual.vectors = {Vec3::Zero(), Vec3(1, 0, 0), Vec3(-1, 0, 0)};
    manual.distances = {0.0, 1.0, 1.0};
    const DegreeStatistics m = degreeStatistics(manual, 3);
    QCOMPARE(m.edges, std::size_t(2));
    QCOMPARE(m.maxDegree, 1);
    QCOMPARE(m.isolatedAtoms, 1);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, degreeStatistics(manual, 1));

    const DegreeStatistics empty = degreeStatistics(NeighborList{}, 0);
    QCOMPARE(empty.edges, std::size_t(0));
    QVERIFY(empty.trivial);
}

void TestGraph::degreeStatisticsPeriodic() {
    // Simple cubic, one atom, 2.1 Å: degree 6 from its own images.
    const Structure sc = makeStructure(2.0 * Mat3::Identity(), {true, true, true}, {Vec3::Zero()});
    const DegreeStatistics st = degreeStatistics(computeNeighborList(sc, 2.1), 1);
    QCOMPARE(st.edges, std::size_t(6));
    QCOMPARE(st.minDegree, 6);
    QCOMPARE(st.maxDegree, 6);
    QCOMPARE(st.isolatedAtoms, 0);
    // Fluorite HfO2 at 2.3 Å: Hf has 8 O, O has 4 Hf.
    const Structure h = fluoriteHfO2();
    const DegreeStatistics f = degreeStatistics(computeNeighborList(h, 2.3), int(h.size()));
    QCOMPARE(f.minDegree, 4);
    QCOMPARE(f.maxDegree, 8);
    QCOMPARE(f.edges, std::size_t(4 * 8 + 8 * 4));
}

void TestGraph::trivialAtHalfAngstrom() {
    // The 2023 study's 0.5 Å cutoff: no pair of a real oxide is that close.
    const Structure h = fluoriteHfO2();
    const NeighborList nl = computeNeighborList(h, 0.5);
    const DegreeStatistics st = degreeStatistics(nl, int(h.size()));
    QVERIFY(st.trivial);
    QCOMPARE(st.edges, std::size_t(0));
    QCOMPARE(st.isolatedAtoms, int(h.size()));
    QCOMPARE(st.maxDegree, 0);
    GraphOptions options;
    options.cutoff = 0.5;
    // With self-loops and no edges, Â is the identity: a per-atom dense layer.
    const AtomGraph g = buildGraph(h, options);
    QCOMPARE(g.edgeCount, std::size_t(0));
    QCOMPARE(dense(g), Eigen::MatrixXd(Eigen::MatrixXd::Identity(12, 12)));
    QVERIFY(!degreeStatistics(computeNeighborList(h, 3.0), int(h.size())).trivial);
}

void TestGraph::trivialOnRealHfO2() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    const QString path = graphace::testing::sharedDataDir() +
                         QStringLiteral("/hfo2/HfO2_mp352_ads_form_sorted.extxyz");
    if (!QFileInfo::exists(path))
        QSKIP("hfo2/HfO2_mp352_ads_form_sorted.extxyz not in the shared data");
    const Dataset data = readExtxyzFile(path.toStdString());
    QVERIFY(data.size() > 0);
    for (const Structure& s : data.structures) {
        const NeighborList nl = computeNeighborList(s, 0.5);
        QVERIFY(degreeStatistics(nl, int(s.size())).trivial);
        QVERIFY(!degreeStatistics(computeNeighborList(s, 3.5), int(s.size())).trivial);
    }
}

void TestGraph::rdfPerfectFcc() {
    const double a = 3.6;
    const Structure s = fcc(a, 1); // the 4-atom cell: neighbours come from images
    const double maxDistance = 6.0;
    const int bins = 120;
    PairDistributionAccumulator acc(maxDistance, bins);
    acc.add(s, computeNeighborList(s, maxDistance));
    const PairDistribution pd = acc.result();
    QCOMPARE(int(pd.counts.size()), bins);
    QCOMPARE(int(pd.rdf.size()), bins);
    QCOMPARE(pd.binWidth, 0.05);
    QVERIFY(std::abs(pd.binCentres[0] - 0.025) < 1e-15);
    const int peak = int(std::max_element(pd.rdf.begin(), pd.rdf.end()) - pd.rdf.begin());
    const int first =
        int(std::find_if(pd.counts.begin(), pd.counts.end(), [](double c) { return c > 0; }) -
            pd.counts.begin());
    const double nearest = a / std::sqrt(2.0);
    QCOMPARE(first, int(nearest / pd.binWidth));
    QVERIFY(std::abs(pd.binCentres[first] - nearest) <= pd.binWidth / 2);
    QCOMPARE(peak, first);
    QCOMPARE(pd.counts[first] / s.size(), 12.0); // 12 nearest neighbours per atom
    // Second shell: 6 at a.
    QCOMPARE(pd.counts[int(a / pd.binWidth)] / s.size(), 6.0);
    // Adding the same crystal twice doubles counts, leaves g(r) unchanged.
    acc.add(s, computeNeighborList(s, maxDistance));
    const PairDistribution twice = acc.result();
    QCOMPARE(twice.counts[first], 2 * pd.counts[first]);
    QVERIFY(std::abs(twice.rdf[first] - pd.rdf[first]) < 1e-12 * pd.rdf[first]);
    // g in the first-shell bin: 12 N / (N²/V · shell volume).
    const double lo = first * pd.binWidth, hi = lo + pd.binWidth;
    const double shell = 4.0 / 3.0 * kPi * (hi * hi * hi - lo * lo * lo);
    QVERIFY(std::abs(pd.rdf[first] - 12.0 * 4 / (16.0 / s.volume() * shell)) < 1e-9);
}

void TestGraph::rdfSpeciesPairs() {
    // Rock salt: Na–Cl nearest at a/2 (6 each), like pairs at a/√2 (12 each).
    const double a = 5.64;
    std::vector<Vec3> positions;
    std::vector<int> numbers;
    for (const Vec3& f : {Vec3(0, 0, 0), Vec3(0, .5, .5), Vec3(.5, 0, .5), Vec3(.5, .5, 0)}) {
        positions.push_back(a * f);
        numbers.push_back(11);
        positions.push_back(a * (f + Vec3(.5, 0, 0)));
        numbers.push_back(17);
    }
    const Structure s = makeStructure(a * Mat3::Identity(), {true, true, true}, positions, numbers);
    const NeighborList nl = computeNeighborList(s, 4.5);
    PairDistributionAccumulator naCl(4.5, 90, 11, 17), naNa(4.5, 90, 11, 11), all(4.5, 90);
    naCl.add(s, nl);
    naNa.add(s, nl);
    all.add(s, nl);
    const PairDistribution pNaCl = naCl.result(), pNaNa = naNa.result(), pAll = all.result();
    QCOMPARE(pNaCl.speciesA, 11);
    QCOMPARE(pNaCl.speciesB, 17);
    const int half = int((a / 2) / pNaCl.binWidth), diag = int((a / std::sqrt(2.0)) / 0.05);
    QCOMPARE(pNaCl.counts[half], 4.0 * 6); // 4 Na × 6 Cl
    QCOMPARE(pNaCl.counts[diag], 0.0);
    QCOMPARE(pNaNa.counts[half], 0.0);
    QCOMPARE(pNaNa.counts[diag], 4.0 * 12);
    QCOMPARE(pAll.counts[half], 8.0 * 6);
    const double total = std::accumulate(pAll.counts.begin(), pAll.counts.end(), 0.0);
    QCOMPARE(total, double(nl.edgeCount()));
    // g normalisations differ by N_A N_B: 4·4 for Na–Cl, 8·8 for all.
    QVERIFY(std::abs(pNaCl.rdf[half] / pAll.rdf[half] - (24.0 / 16) / (48.0 / 64)) < 1e-12);
}

void TestGraph::rdfIdealGas() {
    // Uniform random points in a periodic box: no structure, g(r) → 1 within counting noise.
    const double box = 20.0;
    const int atoms = 2000;
    std::mt19937 rng(12345);
    std::uniform_real_distribution<double> unit(0.0, box);
    std::vector<Vec3> positions;
    for (int i = 0; i < atoms; ++i)
        positions.emplace_back(unit(rng), unit(rng), unit(rng));
    const Structure s = makeStructure(box * Mat3::Identity(), {true, true, true}, positions);
    const double maxDistance = 6.0;
    PairDistributionAccumulator acc(maxDistance, 30);
    acc.add(s, computeNeighborList(s, maxDistance));
    const PairDistribution pd = acc.result();
    QCOMPARE(int(pd.rdf.size()), 30);
    double mean = 0.0;
    int used = 0;
    for (int b = 0; b < 30; ++b) {
        if (pd.binCentres[b] < 2.0)
            continue;
        // Expected counts here are ≥ 2000·0.25·4π·2²·0.2 ≈ 5000 per bin: a few % noise at most
        // (pairs are counted twice, so the relative noise is √(2/expected)).
        QVERIFY2(std::abs(pd.rdf[b] - 1.0) < 0.08,
                 qPrintable(QStringLiteral("g(%1) = %2").arg(pd.binCentres[b]).arg(pd.rdf[b])));
        mean += pd.rdf[b];
        ++used;
    }
    mean /= used;
    QVERIFY2(std::abs(mean - 1.0) < 0.02, qPrintable(QString::number(mean)));
}

void TestGraph::rdfUndefinedWhenNotPeriodic() {
    const Structure s = handGraphStructure();
    PairDistributionAccumulator acc(2.0, 10);
    acc.add(s, computeNeighborList(s, 2.0));
    const PairDistribution pd = acc.result();
    QVERIFY(pd.rdf.empty());
    QCOMPARE(std::accumulate(pd.counts.begin(), pd.counts.end(), 0.0), 8.0);
    QVERIFY(PairDistributionAccumulator(2.0, 10).result().rdf.empty()); // nothing added
}

void TestGraph::pairDistributionRejectsBadInput() {
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PairDistributionAccumulator(0.0, 10));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, PairDistributionAccumulator(5.0, 0));
    const Structure s = fluoriteHfO2();
    PairDistributionAccumulator acc(5.0, 10);
    // A list with a shorter cutoff than the histogram would silently miss pairs.
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, acc.add(s, computeNeighborList(s, 3.0)));
}

QTEST_APPLESS_MAIN(TestGraph)
#include "test_graph.moc"
