// AceConfig (validation, JSON) and the enumeration/coupling of the ACE product basis.
#include "graphace/ace_basis.h"
#include "graphace/ace_config.h"

#include <nlohmann/json.hpp>

#include <QtTest>

#include <array>
#include <cmath>
#include <map>
#include <set>
#include <stdexcept>

using namespace graphace;

class TestAceBasis : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void configDefaultsAndValidation();
    void configJsonRoundTrip();
    void configResolvesSpeciesFromData();
    void studyBasisLayout();
    void degreeRuleAndOrders();
    void pairInvariantsAreSumsOfSquares();
    void couplingsAreNormalisedAsInAce1();
    void countsForBodyOrderFour();
    void perOrderDegreeCounts_data();
    void perOrderDegreeCounts();
    void perOrderDegreeMatchesUniformDegree();
    void perOrderDegreeConfig();
};

void TestAceBasis::configDefaultsAndValidation() {
    AceConfig c;
    c.species = {8, 72};
    validate(c); // the study's parameters are the defaults
    QCOMPARE(c.body_order, 3);
    QCOMPARE(c.max_degree, 3);
    QCOMPARE(c.correlationOrder(), 2);
    auto bad = [&](auto change) {
        AceConfig d = c;
        change(d);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(d));
    };
    bad([](AceConfig& d) { d.body_order = 1; });
    bad([](AceConfig& d) { d.body_order = 6; });
    bad([](AceConfig& d) { d.max_degree = 0; });
    bad([](AceConfig& d) { d.wL = 0; });
    bad([](AceConfig& d) { d.csp = -1; });
    bad([](AceConfig& d) { d.r0 = std::nan(""); });
    bad([](AceConfig& d) { d.rcut = 0.5; });
    bad([](AceConfig& d) { d.species = {72, 8}; });
    bad([](AceConfig& d) { d.species = {8, 8}; });
    bad([](AceConfig& d) { d.species = {0}; });
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, AceBasis(AceConfig{})); // no species
}

void TestAceBasis::configJsonRoundTrip() {
    const auto j = nlohmann::json::parse(
        R"({"species": ["Hf", "O"], "body_order": 4, "max_degree": 9, "wL": 1.5,
            "csp": 0.75, "r0": 2.1, "rcut": 5.5})");
    AceConfig c = j.get<AceConfig>();
    QCOMPARE(c.species, (std::vector<int>{8, 72})); // sorted by atomic number
    QCOMPARE(c.body_order, 4);
    QCOMPARE(c.max_degree, 9);
    QCOMPARE(c.wL, 1.5);
    QCOMPARE(c.csp, 0.75);
    QCOMPARE(c.r0, 2.1);
    QCOMPARE(c.rcut, 5.5);
    const nlohmann::json back = c;
    QCOMPARE(QString::fromStdString(back.at("species").dump()), QString("[\"O\",\"Hf\"]"));
    QVERIFY(back.get<AceConfig>() == c);
    // Partial objects keep the defaults; numbers are accepted as species.
    const AceConfig d = nlohmann::json::parse(R"({"species": [14]})").get<AceConfig>();
    QCOMPARE(d.species, std::vector<int>{14});
    QCOMPARE(d.rcut, 5.0);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             nlohmann::json::parse(R"({"bodyorder": 3})").get<AceConfig>());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             nlohmann::json::parse(R"({"species": ["Xx"]})").get<AceConfig>());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             nlohmann::json::parse(R"({"body_order": 2.5})").get<AceConfig>());
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             nlohmann::json::parse(R"({"rcut": "5"})").get<AceConfig>());
}

void TestAceBasis::configResolvesSpeciesFromData() {
    Dataset data;
    Structure s;
    s.positions = {Vec3(0, 0, 0), Vec3(1, 0, 0), Vec3(0, 1, 0)};
    s.numbers = {72, 8, 8};
    data.structures.push_back(s);
    const AceConfig c = resolvedFor(AceConfig{}, data);
    QCOMPARE(c.species, (std::vector<int>{8, 72}));
    AceConfig given;
    given.species = {1, 8, 72};
    QCOMPARE(resolvedFor(given, data).species, given.species); // explicit species are kept
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, resolvedFor(AceConfig{}, Dataset{}));
}

void TestAceBasis::studyBasisLayout() {
    AceConfig c;
    c.species = {8, 72};
    const AceBasis basis(c);
    QCOMPARE(basis.blockSize(), 13);
    QCOMPARE(basis.size(), 26);
    QCOMPARE(basis.maxn(), 3);
    QCOMPARE(basis.lmax(), 0);
    const QStringList expected = {"O1",     "O2",      "O3",     "Hf1",    "Hf2",
                                  "Hf3",    "O1·O1",   "O1·O2",  "O1·Hf1", "O1·Hf2",
                                  "O2·Hf1", "Hf1·Hf1", "Hf1·Hf2"};
    const double coef[] = {1, 1, 1, 1, 1, 1, std::sqrt(2.0), 1, 1, 1, 1, std::sqrt(2.0), 1};
    for (int k = 0; k < 13; ++k) {
        QCOMPARE(QString::fromStdString(basis.label(k)), expected[k]);
        const auto& f = basis.functions()[k];
        QCOMPARE(f.termEnd - f.termBegin, 1); // l = 0 only: one product each
        QVERIFY(std::abs(basis.termCoefficients()[f.termBegin] - coef[k]) < 1e-14);
    }
    QCOMPARE(basis.speciesIndex(8), 0);
    QCOMPARE(basis.speciesIndex(72), 1);
    QCOMPARE(basis.speciesIndex(1), -1);
}

void TestAceBasis::degreeRuleAndOrders() {
    AceConfig c;
    c.species = {13, 22};
    c.body_order = 5;
    c.max_degree = 9;
    c.wL = 1.5;
    c.csp = 1.0;
    const AceBasis basis(c);
    std::set<std::vector<int>> seen;
    int previousOrder = 1;
    for (const auto& f : basis.functions()) {
        QVERIFY(f.order() >= 1 && f.order() <= 4);
        QVERIFY(f.order() >= previousOrder); // ordered by ν
        previousOrder = f.order();
        double degree = 0;
        int lsum = 0;
        for (std::size_t k = 0; k < f.channels.size(); ++k) {
            const AceChannel& ch = basis.channels()[f.channels[k]];
            degree += ch.n + c.wL * ch.l;
            lsum += ch.l;
            if (k > 0)
                QVERIFY(f.channels[k] >= f.channels[k - 1]); // sorted tuple
        }
        QVERIFY(c.csp * degree <= c.max_degree + 1e-12);
        QVERIFY(std::abs(f.degree - c.csp * degree) < 1e-12);
        QVERIFY(lsum % 2 == 0);
        if (f.order() == 1)
            QCOMPARE(basis.channels()[f.channels[0]].l, 0);
        if (f.order() == 2)
            QCOMPARE(basis.channels()[f.channels[0]].l, basis.channels()[f.channels[1]].l);
        if (f.coupling == 0)
            QVERIFY(seen.insert(f.channels).second); // each tuple class appears once
    }
    for (int nu = 1; nu <= 4; ++nu)
        QVERIFY(basis.countOfOrder(nu) > 0);
    QVERIFY(basis.lmax() >= 2);
}

void TestAceBasis::pairInvariantsAreSumsOfSquares() {
    // ν = 2: Σ_m A_lm A'_lm / √(2l+1) (×√2 when both factors are the same channel), a multiple
    // of the rotation-invariant dot product of two l-vectors.
    AceConfig c;
    c.species = {14};
    c.body_order = 3;
    c.max_degree = 8;
    const AceBasis basis(c);
    int checked = 0;
    for (const auto& f : basis.functions()) {
        if (f.order() != 2)
            continue;
        const AceChannel& a = basis.channels()[f.channels[0]];
        const bool same = f.channels[0] == f.channels[1];
        const int l = a.l;
        QCOMPARE(f.termEnd - f.termBegin, 2 * l + 1);
        for (int t = f.termBegin; t < f.termEnd; ++t) {
            const double expect = (same ? std::sqrt(2.0) : 1.0) / std::sqrt(2.0 * l + 1);
            QVERIFY(std::abs(basis.termCoefficients()[t] - expect) < 1e-12);
            const int i0 = basis.termIndices()[4 * t], i1 = basis.termIndices()[4 * t + 1];
            // Same m in both factors.
            QCOMPARE(i0 - basis.channelOffset(f.channels[0]),
                     i1 - basis.channelOffset(f.channels[1]));
        }
        ++checked;
    }
    QCOMPARE(checked, basis.countOfOrder(2));
    QVERIFY(checked > 20);
}

void TestAceBasis::couplingsAreNormalisedAsInAce1() {
    // For one tuple class the rows are √λ v^T U_ri with U_ri orthonormal, so the Gram matrix of
    // the coefficient vectors (over m) is diagonal with entries λ = |Stab| for a distinct tuple.
    AceConfig c;
    c.species = {14};
    c.body_order = 4;
    c.max_degree = 10;
    const AceBasis basis(c);
    int classes = 0;
    for (int k = 0; k < basis.blockSize(); ++k) {
        const auto& f = basis.functions()[k];
        if (f.order() != 3 || f.coupling != 0)
            continue;
        const bool distinct = f.channels[0] != f.channels[1] && f.channels[1] != f.channels[2];
        if (!distinct)
            continue;
        // Rows of this class: consecutive functions with the same channels.
        std::vector<int> rows;
        for (int q = k; q < basis.blockSize() && basis.functions()[q].channels == f.channels; ++q)
            rows.push_back(q);
        auto dot = [&](int p, int q) {
            // Terms are sorted index tuples; with distinct channels each m tuple appears once.
            std::map<std::array<int, 3>, double> a;
            const auto& fp = basis.functions()[p];
            const auto& fq = basis.functions()[q];
            for (int t = fp.termBegin; t < fp.termEnd; ++t)
                a[{basis.termIndices()[4 * t], basis.termIndices()[4 * t + 1],
                   basis.termIndices()[4 * t + 2]}] = basis.termCoefficients()[t];
            double s = 0;
            for (int t = fq.termBegin; t < fq.termEnd; ++t) {
                auto it = a.find({basis.termIndices()[4 * t], basis.termIndices()[4 * t + 1],
                                  basis.termIndices()[4 * t + 2]});
                if (it != a.end())
                    s += it->second * basis.termCoefficients()[t];
            }
            return s;
        };
        for (int p : rows)
            for (int q : rows)
                QVERIFY(std::abs(dot(p, q) - (p == q ? 1.0 : 0.0)) < 1e-12);
        ++classes;
    }
    QVERIFY(classes > 5);
}

namespace {

// Closed-form counts per order for one species, wL = csp = 1:
// ν = 1: n ≤ D1; ν = 2: sorted (n, l) pairs with equal l, degree ≤ D2; ν = 3: sorted triples
// with Σl even and the triangle rule, degree ≤ D3.
std::array<int, 3> closedFormCounts(int d1, int d2, int d3) {
    int pairs = 0;
    for (int l = 0; 2 * (1 + l) <= d2; ++l)
        for (int n1 = 1; n1 + l <= d2; ++n1)
            for (int n2 = n1; (n1 + l) + (n2 + l) <= d2; ++n2)
                ++pairs;
    std::vector<std::array<int, 2>> ch; // (n, l)
    for (int n = 1; n <= d3; ++n)
        for (int l = 0; n + l <= d3; ++l)
            ch.push_back({n, l});
    int triples = 0;
    for (std::size_t a = 0; a < ch.size(); ++a)
        for (std::size_t b = a; b < ch.size(); ++b)
            for (std::size_t d = b; d < ch.size(); ++d) {
                const int l1 = ch[a][1], l2 = ch[b][1], l3 = ch[d][1];
                const int deg = ch[a][0] + ch[b][0] + ch[d][0] + l1 + l2 + l3;
                if (deg <= d3 && (l1 + l2 + l3) % 2 == 0 && l3 <= l1 + l2 &&
                    l3 >= std::abs(l1 - l2))
                    ++triples;
            }
    return {d1, pairs, triples};
}

} // namespace

void TestAceBasis::countsForBodyOrderFour() {
    // Single species, wL = csp = 1. Pair counts are closed-form: sorted pairs of (n, l)
    // channels with equal l and (n1 + l) + (n2 + l) ≤ D. ν = 3: every sorted channel triple with
    // Σl even and the triangle rule has exactly one invariant (the 3j symbol of (l1 l2 l3) is
    // symmetric when Σl is even, so repeated channels never remove it).
    for (int D : {6, 8, 10, 12}) {
        AceConfig c;
        c.species = {14};
        c.body_order = 4;
        c.max_degree = D;
        const AceBasis basis(c);
        const auto expected = closedFormCounts(D, D, D);
        QCOMPARE(basis.countOfOrder(1), expected[0]);
        QCOMPARE(basis.countOfOrder(2), expected[1]);
        QCOMPARE(basis.countOfOrder(3), expected[2]);
        QCOMPARE(basis.countOfOrder(4), 0);
        qInfo("body order 4, max_degree %d: %d functions (nu=1 %d, nu=2 %d, nu=3 %d)", D,
              basis.blockSize(), basis.countOfOrder(1), basis.countOfOrder(2),
              basis.countOfOrder(3));
    }
}

void TestAceBasis::perOrderDegreeCounts_data() {
    QTest::addColumn<int>("d1");
    QTest::addColumn<int>("d2");
    QTest::addColumn<int>("d3");
    QTest::newRow("20,14,10 (pair degree highest)") << 20 << 14 << 10;
    QTest::newRow("6,12,8 (pair degree lowest)") << 6 << 12 << 8;
    QTest::newRow("9,7,11 (triples highest)") << 9 << 7 << 11;
}

void TestAceBasis::perOrderDegreeCounts() {
    QFETCH(int, d1);
    QFETCH(int, d2);
    QFETCH(int, d3);
    AceConfig c;
    c.species = {42};
    c.body_order = 4;
    c.max_degree = 5; // ignored where max_degree_per_order is given
    c.max_degree_per_order = {d1, d2, d3};
    const AceBasis basis(c);
    const auto expected = closedFormCounts(d1, d2, d3);
    QCOMPARE(basis.countOfOrder(1), expected[0]);
    QCOMPARE(basis.countOfOrder(2), expected[1]);
    QCOMPARE(basis.countOfOrder(3), expected[2]);
    QCOMPARE(basis.blockSize(), expected[0] + expected[1] + expected[2]);
    // Every function obeys the bound of its own order; the radial basis reaches exactly the
    // largest n any order admits (n ≤ D1 at ν = 1, D2 − 1 at ν = 2, D3 − 2 at ν = 3).
    int largestN = 0;
    for (const auto& f : basis.functions()) {
        QVERIFY(f.degree <= c.max_degree_per_order[f.order() - 1] + 1e-12);
        for (int ch : f.channels)
            largestN = std::max(largestN, basis.channels()[ch].n);
    }
    const int maxn = std::max({d1, d2 - 1, d3 - 2});
    QCOMPARE(largestN, maxn);
    QCOMPARE(basis.maxn(), maxn);
    // l: ν = 2 needs 2(1 + l) ≤ D2, ν = 3 needs 2(1 + l) + 1 ≤ D3.
    QCOMPARE(basis.lmax(), std::max((d2 - 2) / 2, (d3 - 3) / 2));
}

void TestAceBasis::perOrderDegreeMatchesUniformDegree() {
    // [D, D, D] must give exactly the max_degree = D basis, function by function.
    AceConfig uniform;
    uniform.species = {8, 72};
    uniform.body_order = 4;
    uniform.max_degree = 8;
    uniform.wL = 1.5;
    AceConfig perOrder = uniform;
    perOrder.max_degree = 3;
    perOrder.max_degree_per_order = {8, 8, 8};
    const AceBasis a(uniform), b(perOrder);
    QCOMPARE(b.size(), a.size());
    QCOMPARE(b.maxn(), a.maxn());
    QCOMPARE(b.lmax(), a.lmax());
    for (int k = 0; k < a.blockSize(); ++k) {
        QCOMPARE(b.label(k), a.label(k));
        QCOMPARE(b.functions()[k].degree, a.functions()[k].degree);
    }
    QVERIFY(b.termCoefficients() == a.termCoefficients());
    QVERIFY(b.termIndices() == a.termIndices());
}

void TestAceBasis::perOrderDegreeConfig() {
    const AceConfig c = nlohmann::json::parse(
                            R"({"species": ["Mo"], "body_order": 4, "max_degree": 12,
                                "max_degree_per_order": [20, 14, 10]})")
                            .get<AceConfig>();
    QCOMPARE(c.max_degree_per_order, (std::vector<int>{20, 14, 10}));
    QCOMPARE(c.maxDegreeOfOrder(1), 20);
    QCOMPARE(c.maxDegreeOfOrder(3), 10);
    const nlohmann::json back = c;
    QCOMPARE(back.at("max_degree_per_order").get<std::vector<int>>(), c.max_degree_per_order);
    QVERIFY(back.get<AceConfig>() == c);
    AceConfig other = c;
    other.max_degree_per_order = {20, 14, 9};
    QVERIFY(other != c);
    // Without the key: max_degree for every order; the key is written as [] (explicit, so that
    // merging over a config with per-order degrees cannot bring them back).
    AceConfig plain;
    plain.max_degree = 7;
    QCOMPARE(plain.maxDegreeOfOrder(2), 7);
    QCOMPARE(nlohmann::json(plain).at("max_degree_per_order"), nlohmann::json::array());
    // An empty array means the same as no key.
    QVERIFY(nlohmann::json::parse(R"({"max_degree_per_order": []})")
                .get<AceConfig>()
                .max_degree_per_order.empty());

    auto message = [](const char* text) -> QString {
        try {
            nlohmann::json::parse(text).get<AceConfig>();
        } catch (const std::invalid_argument& e) {
            return QString::fromUtf8(e.what());
        }
        return {};
    };
    // Wrong length for the body order: the message says how many entries are needed.
    const QString length = message(R"({"body_order": 4, "max_degree_per_order": [20, 14]})");
    QVERIFY2(length.contains("max_degree_per_order") && length.contains("3"), qPrintable(length));
    QVERIFY(!message(R"({"body_order": 3, "max_degree_per_order": [20, 14, 10]})").isEmpty());
    // Not an array, not integers, out of range, too small for the order (ν factors need n ≥ 1).
    QVERIFY(message(R"({"max_degree_per_order": 12})").contains("array"));
    QVERIFY(message(R"({"max_degree_per_order": [12.5, 8]})").contains("integer"));
    QVERIFY(message(R"({"max_degree_per_order": ["12", 8]})").contains("integer"));
    const QString range = message(R"({"max_degree_per_order": [41, 8]})");
    QVERIFY2(range.contains("max_degree_per_order[0]") && range.contains("1…40"),
             qPrintable(range));
    const QString tooSmall = message(R"({"body_order": 4, "max_degree_per_order": [12, 8, 2]})");
    QVERIFY2(tooSmall.contains("max_degree_per_order[2]"), qPrintable(tooSmall));
    QVERIFY(message(R"({"body_order": 4, "max_degree_per_order": [12, 8, 3]})").isEmpty());
    // validate() catches the same on a struct built in code.
    AceConfig bad;
    bad.body_order = 3;
    bad.max_degree_per_order = {0, 4};
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, validate(bad));
}

QTEST_APPLESS_MAIN(TestAceBasis)
#include "test_ace_basis.moc"
