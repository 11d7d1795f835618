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

void TestAceBasis::countsForBodyOrderFour() {
    // Single species, wL = csp = 1. Pair counts are closed-form: sorted pairs of (n, l)
    // channels with equal l and (n1 + l) + (n2 + l) ≤ D.
    for (int D : {6, 8, 10, 12}) {
        AceConfig c;
        c.species = {14};
        c.body_order = 4;
        c.max_degree = D;
        const AceBasis basis(c);
        QCOMPARE(basis.countOfOrder(1), D);
        int pairs = 0;
        for (int l = 0; 2 * (1 + l) <= D; ++l)
            for (int n1 = 1; n1 + l <= D; ++n1)
                for (int n2 = n1; (n1 + l) + (n2 + l) <= D; ++n2)
                    ++pairs;
        QCOMPARE(basis.countOfOrder(2), pairs);
        QCOMPARE(basis.countOfOrder(4), 0);
        // ν = 3: every sorted channel triple with Σl even and the triangle rule has exactly one
        // invariant (the 3j symbol of (l1 l2 l3) is symmetric when Σl is even, so repeated
        // channels never remove it).
        std::vector<std::array<int, 2>> ch; // (n, l)
        for (int n = 1; n <= D; ++n)
            for (int l = 0; n + l <= D; ++l)
                ch.push_back({n, l});
        int triples = 0;
        for (std::size_t a = 0; a < ch.size(); ++a)
            for (std::size_t b = a; b < ch.size(); ++b)
                for (std::size_t d = b; d < ch.size(); ++d) {
                    const int l1 = ch[a][1], l2 = ch[b][1], l3 = ch[d][1];
                    const int deg = ch[a][0] + ch[b][0] + ch[d][0] + l1 + l2 + l3;
                    if (deg <= D && (l1 + l2 + l3) % 2 == 0 && l3 <= l1 + l2 &&
                        l3 >= std::abs(l1 - l2))
                        ++triples;
                }
        QCOMPARE(basis.countOfOrder(3), triples);
        qInfo("body order 4, max_degree %d: %d functions (nu=1 %d, nu=2 %d, nu=3 %d)", D,
              basis.blockSize(), basis.countOfOrder(1), basis.countOfOrder(2),
              basis.countOfOrder(3));
    }
}

QTEST_APPLESS_MAIN(TestAceBasis)
#include "test_ace_basis.moc"
