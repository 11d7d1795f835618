// Neighbour lists: hand cases with known answers, the (i,j,S) ⇔ (j,i,−S) symmetry, random
// triclinic cells and every configuration of the real data against the brute-force reference.
#include "testing.h"

#include "graphace/extxyz.h"
#include "graphace/neighbor_list.h"

#include <QtTest>

#include <cmath>
#include <map>
#include <random>
#include <set>
#include <tuple>

using namespace graphace;

namespace {

using EdgeKey = std::tuple<int, int, int, int, int>;

Structure makeStructure(const Mat3& cell, std::array<bool, 3> pbc, std::vector<Vec3> positions) {
    Structure s;
    s.cell = cell;
    s.pbc = pbc;
    s.numbers.assign(positions.size(), 14);
    s.positions = std::move(positions);
    return s;
}

Mat3 cubic(double a) {
    return a * Mat3::Identity();
}

EdgeKey key(const NeighborList& nl, std::size_t e) {
    const Shift& s = nl.shifts[e];
    return {nl.first[e], nl.second[e], s[0], s[1], s[2]};
}

std::multiset<Shift> shiftsOf(const NeighborList& nl) {
    return {nl.shifts.begin(), nl.shifts.end()};
}

// Compares a list with the reference edge by edge; returns an empty string when they agree.
QString compareLists(const NeighborList& got, const NeighborList& want) {
    if (got.edgeCount() != want.edgeCount())
        return QStringLiteral("edge count %1, brute force %2")
            .arg(got.edgeCount())
            .arg(want.edgeCount());
    for (std::size_t e = 0; e < got.edgeCount(); ++e) {
        if (key(got, e) != key(want, e))
            return QStringLiteral("edge %1: (%2, %3, [%4 %5 %6]) but brute force has (%7, %8, ...)")
                .arg(e)
                .arg(got.first[e])
                .arg(got.second[e])
                .arg(got.shifts[e][0])
                .arg(got.shifts[e][1])
                .arg(got.shifts[e][2])
                .arg(want.first[e])
                .arg(want.second[e]);
        if (std::abs(got.distances[e] - want.distances[e]) > 1e-12 ||
            (got.vectors[e] - want.vectors[e]).cwiseAbs().maxCoeff() > 1e-12)
            return QStringLiteral("edge %1: distance %2 vs %3")
                .arg(e)
                .arg(got.distances[e])
                .arg(want.distances[e]);
    }
    return {};
}

// Checks the documented invariants that do not need a reference.
void checkInvariants(const Structure& s, const NeighborList& nl, double cutoff) {
    const std::size_t m = nl.edgeCount();
    QCOMPARE(nl.second.size(), m);
    QCOMPARE(nl.shifts.size(), m);
    QCOMPARE(nl.vectors.size(), m);
    QCOMPARE(nl.distances.size(), m);
    QCOMPARE(nl.cutoff, cutoff);
    std::map<EdgeKey, std::size_t> index;
    for (std::size_t e = 0; e < m; ++e) {
        if (e > 0)
            QVERIFY2(key(nl, e - 1) < key(nl, e), "edges not strictly sorted by (i, j, S)");
        const Shift& sh = nl.shifts[e];
        QVERIFY(!(nl.first[e] == nl.second[e] && sh == Shift{0, 0, 0}));
        for (int k = 0; k < 3; ++k)
            if (!s.pbc[k])
                QCOMPARE(sh[k], 0);
        // r_ij = r_j − r_i + S·cell for the positions as given.
        const Vec3 expected =
            s.positions[nl.second[e]] - s.positions[nl.first[e]] +
            (sh[0] * s.cell.row(0) + sh[1] * s.cell.row(1) + sh[2] * s.cell.row(2)).transpose();
        QVERIFY((nl.vectors[e] - expected).norm() < 1e-9);
        QVERIFY(std::abs(nl.vectors[e].norm() - nl.distances[e]) < 1e-12);
        QVERIFY(nl.distances[e] < cutoff);
        index[key(nl, e)] = e;
    }
    // Full list: (i, j, S) ⇔ (j, i, −S) with r_ji = −r_ij.
    for (std::size_t e = 0; e < m; ++e) {
        const Shift& sh = nl.shifts[e];
        const auto it = index.find({nl.second[e], nl.first[e], -sh[0], -sh[1], -sh[2]});
        QVERIFY2(it != index.end(), "reverse edge missing");
        QVERIFY((nl.vectors[it->second] + nl.vectors[e]).norm() < 1e-12);
    }
}

// Number of BCC lattice points (conventional constant a) with 0 < |p| < cutoff, counted on the
// cubic representation: points are (a/2)·(n1, n2, n3) with the n all even or all odd.
int bccNeighbourCount(double a, double cutoff) {
    const int range = static_cast<int>(std::ceil(2.0 * cutoff / a)) + 1;
    int count = 0;
    for (int x = -range; x <= range; ++x)
        for (int y = -range; y <= range; ++y)
            for (int z = -range; z <= range; ++z) {
                const bool sameParity = ((x - y) % 2 == 0) && ((y - z) % 2 == 0);
                const double d = 0.5 * a * std::sqrt(double(x * x + y * y + z * z));
                if (sameParity && d > 0 && d < cutoff)
                    ++count;
            }
    return count;
}

} // namespace

class TestNeighborList : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void simpleCubicOneAtom();
    void strictCutoff();
    void bccConventionalManyImages();
    void bccPrimitiveTriclinic();
    void nonPeriodicDimer();
    void slabHasNoImagesAlongZ();
    void atomsOutsideTheCell();
    void partialPeriodicityWithZeroCell();
    void emptyStructure();
    void rejectsBadInput();
    void progressCanCancel();
    void randomTriclinicAgainstBruteForce();
    void manyImagesAgainstBruteForce();
    void cutoffExactlyAtDistances();
    void atomsVeryFarOutside();
    void hugeCoordinates();
    void orderedCrystalIndices();
    void rejectsTooManyImagePoints();
    void realDataAgainstBruteForce_data();
    void realDataAgainstBruteForce();
};

void TestNeighborList::simpleCubicOneAtom() {
    const Structure s = makeStructure(cubic(2.0), {true, true, true}, {Vec3(0.3, -0.1, 0.2)});
    const NeighborList first = computeNeighborList(s, 2.1);
    checkInvariants(s, first, 2.1);
    QCOMPARE(first.edgeCount(), std::size_t(6));
    const std::multiset<Shift> expected{{-1, 0, 0}, {1, 0, 0},  {0, -1, 0},
                                        {0, 1, 0},  {0, 0, -1}, {0, 0, 1}};
    QCOMPARE(shiftsOf(first), expected);
    for (std::size_t e = 0; e < first.edgeCount(); ++e) {
        QCOMPARE(first.first[e], 0);
        QCOMPARE(first.second[e], 0);
        QVERIFY(std::abs(first.distances[e] - 2.0) < 1e-12);
    }
    // + 12 face diagonals at 2√2 ≈ 2.83, then + 8 body diagonals at 2√3 ≈ 3.46.
    QCOMPARE(computeNeighborList(s, 2.9).edgeCount(), std::size_t(18));
    QCOMPARE(computeNeighborList(s, 3.5).edgeCount(), std::size_t(26));
    checkInvariants(s, computeNeighborList(s, 3.5), 3.5);
}

void TestNeighborList::strictCutoff() {
    const Structure s = makeStructure(cubic(2.0), {true, true, true}, {Vec3::Zero()});
    // d = 2 exactly is not < 2.
    QCOMPARE(computeNeighborList(s, 2.0).edgeCount(), std::size_t(0));
    QCOMPARE(bruteForceNeighborList(s, 2.0).edgeCount(), std::size_t(0));
    QCOMPARE(computeNeighborList(s, std::nextafter(2.0, 3.0)).edgeCount(), std::size_t(6));
}

void TestNeighborList::bccConventionalManyImages() {
    // 2-atom cubic BCC cell of 2.1 Å at 7 Å: the cutoff spans several cells in every direction.
    const double a = 2.1;
    const Structure s =
        makeStructure(cubic(a), {true, true, true}, {Vec3::Zero(), Vec3::Constant(a / 2)});
    // Nearest shell: 8 at a√3/2 = 1.819 Å; next 6 at a = 2.1 Å.
    QCOMPARE(computeNeighborList(s, 2.0).edgeCount(), std::size_t(16));
    QCOMPARE(computeNeighborList(s, 2.2).edgeCount(), std::size_t(28));
    for (double cutoff : {4.0, 7.0}) {
        const NeighborList nl = computeNeighborList(s, cutoff);
        checkInvariants(s, nl, cutoff);
        QCOMPARE(int(nl.edgeCount()), 2 * bccNeighbourCount(a, cutoff));
        QCOMPARE(compareLists(nl, bruteForceNeighborList(s, cutoff)), QString());
    }
    QVERIFY(bccNeighbourCount(a, 7.0) > 150); // really many images
}

void TestNeighborList::bccPrimitiveTriclinic() {
    // The 1-atom primitive BCC cell is triclinic (70.5° between its vectors); the counts must be
    // those of the lattice, whatever the cell shape.
    const double a = 3.3;
    Mat3 cell;
    cell << -1, 1, 1, 1, -1, 1, 1, 1, -1;
    cell *= a / 2;
    const Structure s = makeStructure(cell, {true, true, true}, {Vec3(0.1, 0.2, -0.3)});
    for (double cutoff : {2.9, 3.0, 3.4, 5.0, 7.0, 11.0}) {
        const NeighborList nl = computeNeighborList(s, cutoff);
        checkInvariants(s, nl, cutoff);
        QCOMPARE(int(nl.edgeCount()), bccNeighbourCount(a, cutoff));
    }
    QCOMPARE(computeNeighborList(s, 2.9).edgeCount(), std::size_t(8));
    QCOMPARE(computeNeighborList(s, 3.4).edgeCount(), std::size_t(14));
}

void TestNeighborList::nonPeriodicDimer() {
    const Structure s = makeStructure(Mat3::Zero(), {false, false, false},
                                      {Vec3(100.0, 5.0, -3.0), Vec3(100.6, 5.8, -3.0)});
    const NeighborList nl = computeNeighborList(s, 1.5);
    checkInvariants(s, nl, 1.5);
    QCOMPARE(nl.edgeCount(), std::size_t(2));
    QCOMPARE(key(nl, 0), EdgeKey(0, 1, 0, 0, 0));
    QCOMPARE(key(nl, 1), EdgeKey(1, 0, 0, 0, 0));
    QVERIFY((nl.vectors[0] - Vec3(0.6, 0.8, 0.0)).norm() < 1e-12);
    QVERIFY(std::abs(nl.distances[0] - 1.0) < 1e-12);
    QCOMPARE(computeNeighborList(s, 0.99).edgeCount(), std::size_t(0));
    // A huge cutoff needs no images either.
    QCOMPARE(computeNeighborList(s, 1e6).edgeCount(), std::size_t(2));
}

void TestNeighborList::slabHasNoImagesAlongZ() {
    // Square 3 Å lattice in-plane; the 3 Å along z is only a box: no z images although they
    // would be within the cutoff.
    const Structure slab = makeStructure(cubic(3.0), {true, true, false}, {Vec3(0.5, 0.5, 1.0)});
    const NeighborList nl = computeNeighborList(slab, 3.5);
    checkInvariants(slab, nl, 3.5);
    const std::multiset<Shift> expected{{-1, 0, 0}, {1, 0, 0}, {0, -1, 0}, {0, 1, 0}};
    QCOMPARE(shiftsOf(nl), expected);
    Structure bulk = slab;
    bulk.pbc = {true, true, true};
    QCOMPARE(computeNeighborList(bulk, 3.5).edgeCount(), std::size_t(6));
    // Two layers 2 Å apart in z: each atom sees the other's in-plane images, never z images.
    const Structure twoLayers =
        makeStructure(cubic(3.0), {true, true, false}, {Vec3(0.0, 0.0, 0.0), Vec3(0.0, 0.0, 2.0)});
    const NeighborList layers = computeNeighborList(twoLayers, 3.2);
    checkInvariants(twoLayers, layers, 3.2);
    // Per atom: 4 in-plane images at 3 Å, the other atom at 2 Å (its in-plane images at 3.6 Å).
    QCOMPARE(layers.edgeCount(), std::size_t(10));
    QCOMPARE(compareLists(layers, bruteForceNeighborList(twoLayers, 3.2)), QString());
}

void TestNeighborList::atomsOutsideTheCell() {
    // Chain along x with a = 3 Å; atom 1 sits 3 cells away from the cell. r_01 = 10 − 0 + 3·S
    // is 1 Å only for S = −3: the shift refers to the positions as given.
    const Structure chain = makeStructure(cubic(3.0), {true, false, false},
                                          {Vec3(0.0, 0.0, 0.0), Vec3(10.0, 0.0, 0.0)});
    const NeighborList nl = computeNeighborList(chain, 1.5);
    checkInvariants(chain, nl, 1.5);
    QCOMPARE(nl.edgeCount(), std::size_t(2));
    QCOMPARE(key(nl, 0), EdgeKey(0, 1, -3, 0, 0));
    QCOMPARE(key(nl, 1), EdgeKey(1, 0, 3, 0, 0));
    QVERIFY((nl.vectors[0] - Vec3(1.0, 0.0, 0.0)).norm() < 1e-12);

    // Same crystal with every atom moved by whole lattice vectors: the same distances, shifts
    // compensating the moves.
    Mat3 cell;
    cell << 4.0, 0.0, 0.0, 1.5, 3.8, 0.0, 0.7, -1.1, 4.4;
    const std::vector<Vec3> inside{Vec3(0.2, 0.3, 0.1), Vec3(2.1, 1.9, 2.0), Vec3(3.1, 0.4, 3.7)};
    const std::vector<Shift> moves{{2, -1, 0}, {-5, 3, 7}, {0, 0, -2}};
    std::vector<Vec3> outside = inside;
    for (std::size_t i = 0; i < inside.size(); ++i)
        outside[i] +=
            (moves[i][0] * cell.row(0) + moves[i][1] * cell.row(1) + moves[i][2] * cell.row(2))
                .transpose();
    const Structure a = makeStructure(cell, {true, true, true}, inside);
    const Structure b = makeStructure(cell, {true, true, true}, outside);
    const NeighborList la = computeNeighborList(a, 6.0), lb = computeNeighborList(b, 6.0);
    checkInvariants(b, lb, 6.0);
    QCOMPARE(la.edgeCount(), lb.edgeCount());
    std::map<EdgeKey, double> moved;
    for (std::size_t e = 0; e < lb.edgeCount(); ++e)
        moved[key(lb, e)] = lb.distances[e];
    for (std::size_t e = 0; e < la.edgeCount(); ++e) {
        const int i = la.first[e], j = la.second[e];
        Shift s = la.shifts[e];
        for (int k = 0; k < 3; ++k)
            s[k] += moves[i][k] - moves[j][k]; // r'_j − r'_i = r_j − r_i + (m_j − m_i)·cell
        const auto it = moved.find({i, j, s[0], s[1], s[2]});
        QVERIFY2(it != moved.end(), "edge of the moved crystal missing");
        QVERIFY(std::abs(it->second - la.distances[e]) < 1e-12);
    }
    QCOMPARE(compareLists(lb, bruteForceNeighborList(b, 6.0)), QString());

    // Far outside (shifts in the thousands) and a small cell that needs images too.
    std::vector<Vec3> far = inside;
    far[0] += 2000.0 * cell.row(0).transpose() - 1500.0 * cell.row(2).transpose();
    far[2] -= 3000.0 * cell.row(1).transpose();
    const Structure c = makeStructure(cell, {true, true, true}, far);
    const NeighborList lc = computeNeighborList(c, 9.0);
    checkInvariants(c, lc, 9.0);
    QCOMPARE(compareLists(lc, bruteForceNeighborList(c, 9.0)), QString());
    QCOMPARE(lc.edgeCount(), computeNeighborList(a, 9.0).edgeCount());
}

void TestNeighborList::partialPeriodicityWithZeroCell() {
    // A wire periodic along a1 only, other lattice rows zero: allowed.
    Mat3 cell = Mat3::Zero();
    cell.row(0) = Vec3(1.0, 1.0, 0.0);
    const Structure wire =
        makeStructure(cell, {true, false, false}, {Vec3(0.0, 0.0, 0.0), Vec3(0.0, 0.0, 1.2)});
    const NeighborList nl = computeNeighborList(wire, 2.0);
    checkInvariants(wire, nl, 2.0);
    QCOMPARE(compareLists(nl, bruteForceNeighborList(wire, 2.0)), QString());
    // Per atom: own images ±a1 (√2) and the other atom at 1.2, 1.2² + 2 = 3.44 → 1.85 for ±a1.
    QCOMPARE(nl.edgeCount(), std::size_t(2 * (2 + 3)));
}

void TestNeighborList::emptyStructure() {
    const Structure s = makeStructure(cubic(5.0), {true, true, true}, {});
    QCOMPARE(computeNeighborList(s, 3.0).edgeCount(), std::size_t(0));
    QCOMPARE(bruteForceNeighborList(s, 3.0).edgeCount(), std::size_t(0));
}

void TestNeighborList::rejectsBadInput() {
    const Structure s = makeStructure(cubic(3.0), {true, true, true}, {Vec3::Zero()});
    for (double bad : {0.0, -1.0, std::nan(""), std::numeric_limits<double>::infinity()}) {
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(s, bad));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bruteForceNeighborList(s, bad));
    }
    // Periodic with a zero or flat cell.
    Structure flat = makeStructure(Mat3::Zero(), {true, true, true}, {Vec3::Zero()});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(flat, 2.0));
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, bruteForceNeighborList(flat, 2.0));
    flat.cell << 1, 0, 0, 0, 1, 0, 1, 1, 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(flat, 2.0));
    flat.pbc = {true, true, false}; // the flat third vector no longer matters
    QCOMPARE(computeNeighborList(flat, 1.1).edgeCount(), std::size_t(4));
    flat.cell.row(1) = Vec3(2.0, 0.0, 0.0); // a2 ∥ a1: degenerate plane
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(flat, 2.0));
    // More than 1e8 image cells.
    const Structure tiny = makeStructure(cubic(0.01), {true, true, true}, {Vec3::Zero()});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(tiny, 100.0));
    // Non-finite position.
    const Structure nanAtom =
        makeStructure(cubic(3.0), {true, true, true}, {Vec3(0.0, std::nan(""), 0.0)});
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(nanAtom, 2.0));
}

void TestNeighborList::progressCanCancel() {
    std::vector<Vec3> positions;
    for (int i = 0; i < 3000; ++i)
        positions.emplace_back(0.01 * i, 0.0, 0.0);
    const Structure s = makeStructure(Mat3::Zero(), {false, false, false}, positions);
    double last = -1.0;
    computeNeighborList(s, 0.5, [&](double f) {
        last = f;
        return true;
    });
    QCOMPARE(last, 1.0);
    QVERIFY_THROWS_EXCEPTION(Cancelled, computeNeighborList(s, 0.5, [](double) { return false; }));
}

void TestNeighborList::randomTriclinicAgainstBruteForce() {
    const std::array<std::array<bool, 3>, 6> pbcs{{{true, true, true},
                                                   {true, true, false},
                                                   {false, true, true},
                                                   {true, false, false},
                                                   {false, false, true},
                                                   {false, false, false}}};
    int compared = 0;
    std::size_t edges = 0;
    for (unsigned seed = 1; seed <= 12; ++seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> unit(0.0, 1.0);
        const int atoms = 1 + static_cast<int>(unit(rng) * 24);
        // Strongly skewed cells: off-diagonal parts up to the diagonal size.
        Mat3 cell;
        for (int r = 0; r < 3; ++r)
            for (int c = 0; c < 3; ++c)
                cell(r, c) = r == c ? 1.5 + 6.0 * unit(rng) : (unit(rng) - 0.5) * 5.0;
        std::vector<Vec3> positions;
        for (int i = 0; i < atoms; ++i) {
            // Fractional coordinates −1.5 … 2.5: many atoms outside the cell.
            const Vec3 f(4 * unit(rng) - 1.5, 4 * unit(rng) - 1.5, 4 * unit(rng) - 1.5);
            positions.push_back(cell.transpose() * f);
        }
        for (const auto& pbc : pbcs) {
            const Structure s = makeStructure(cell, pbc, positions);
            for (double cutoff : {0.7, 2.5, 4.0, 9.0}) {
                const NeighborList nl = computeNeighborList(s, cutoff);
                const QString diff = compareLists(nl, bruteForceNeighborList(s, cutoff));
                QVERIFY2(
                    diff.isEmpty(),
                    qPrintable(
                        QStringLiteral("seed %1 cutoff %2: %3").arg(seed).arg(cutoff).arg(diff)));
                checkInvariants(s, nl, cutoff);
                ++compared;
                edges += nl.edgeCount();
            }
        }
    }
    QCOMPARE(compared, 12 * 6 * 4);
    QVERIFY(edges > 10000); // the comparisons were not vacuous
}

void TestNeighborList::manyImagesAgainstBruteForce() {
    // Cells far smaller than the cutoff: thousands of edges per atom, all through images, many
    // per pair (i, j), so the order of the shifts within a pair is tested too.
    Mat3 cell;
    cell << 1.3, 0.0, 0.0, 0.4, 1.1, 0.0, -0.3, 0.2, 1.6;
    const std::vector<Vec3> positions{Vec3(0.1, 0.2, 0.3), Vec3(0.9, -0.4, 1.2),
                                      Vec3(5.0, 7.0, -3.0)};
    for (const auto& pbc :
         {std::array<bool, 3>{true, true, true}, std::array<bool, 3>{true, false, true},
          std::array<bool, 3>{false, true, false}}) {
        const Structure s = makeStructure(cell, pbc, positions);
        for (double cutoff : {6.0, 11.0}) {
            const NeighborList nl = computeNeighborList(s, cutoff);
            QCOMPARE(compareLists(nl, bruteForceNeighborList(s, cutoff)), QString());
            checkInvariants(s, nl, cutoff);
        }
    }
    // Fully periodic at 11 Å: ~ (4/3)π·11³ / V ≈ 2500 images per pair.
    const Structure bulk = makeStructure(cell, {true, true, true}, positions);
    QVERIFY(computeNeighborList(bulk, 11.0).edgeCount() > 9 * 2000);
    // One atom: a lattice, so the count is the lattice's and every edge is an image of itself.
    const Structure one = makeStructure(cell, {true, true, true}, {Vec3(0.2, 0.1, 0.0)});
    const NeighborList lattice = computeNeighborList(one, 8.0);
    QCOMPARE(compareLists(lattice, bruteForceNeighborList(one, 8.0)), QString());
    QVERIFY(lattice.edgeCount() > 800); // ≈ (4/3)π·8³ / V = 937
}

void TestNeighborList::cutoffExactlyAtDistances() {
    // A distance computed exactly: 0.75² + 1² = 1.25² in binary floating point, and the image
    // at S = −1 of an atom 3 Å along a 4 Å axis is 1 Å away.
    const Structure pair =
        makeStructure(Mat3::Zero(), {false, false, false}, {Vec3::Zero(), Vec3(0.75, 1.0, 0.0)});
    QCOMPARE(computeNeighborList(pair, 1.25).edgeCount(), std::size_t(0));
    QCOMPARE(computeNeighborList(pair, std::nextafter(1.25, 2.0)).edgeCount(), std::size_t(2));
    const Structure chain =
        makeStructure(cubic(4.0), {true, false, false}, {Vec3::Zero(), Vec3(3.0, 0.0, 0.0)});
    QCOMPARE(computeNeighborList(chain, 1.0).edgeCount(), std::size_t(0));
    const NeighborList touching = computeNeighborList(chain, std::nextafter(1.0, 2.0));
    QCOMPARE(touching.edgeCount(), std::size_t(2));
    QCOMPARE(key(touching, 0), EdgeKey(0, 1, -1, 0, 0));

    // A strained triclinic crystal with every cutoff set exactly to one of its computed
    // distances: the pairs at that distance are out (strictly less), and the cell list takes the
    // very same decision as brute force for every pair, to the last bit.
    Mat3 cell;
    cell << 3.61, 0.02, 0.0, 0.01, 3.58, 0.03, -0.02, 0.0, 3.63;
    std::vector<Vec3> positions;
    for (const Vec3& f : {Vec3(0, 0, 0), Vec3(0.5, 0.5, 0), Vec3(0.5, 0, 0.5), Vec3(0, 0.5, 0.5)})
        positions.push_back(cell.transpose() * f);
    const Structure fcc = makeStructure(cell, {true, true, true}, positions);
    const NeighborList wide = bruteForceNeighborList(fcc, 6.0);
    std::set<double> distances(wide.distances.begin(), wide.distances.end());
    QVERIFY(distances.size() > 10);
    int checked = 0;
    for (double d : distances) {
        if (++checked > 40)
            break;
        const NeighborList nl = computeNeighborList(fcc, d);
        QCOMPARE(compareLists(nl, bruteForceNeighborList(fcc, d)), QString());
        for (double got : nl.distances)
            QVERIFY(got < d);
    }
}

void TestNeighborList::atomsVeryFarOutside() {
    // Atoms a million cells away: shifts of ±10^6, beyond what the search packs into its sort
    // keys, so the order is decided by the direct comparison of (j, S).
    Mat3 cell;
    cell << 3.0, 0.0, 0.0, 0.5, 2.8, 0.0, 0.3, -0.4, 3.2;
    std::vector<Vec3> positions{Vec3(0.2, 0.3, 0.1), Vec3(1.6, 1.5, 1.9), Vec3(2.1, 0.4, 2.7)};
    positions[0] += (1e6 * cell.row(0) - 1e6 * cell.row(1) + 1e6 * cell.row(2)).transpose();
    positions[2] += (-1e6 * cell.row(0) + 1e6 * cell.row(1) - 1e6 * cell.row(2)).transpose();
    const Structure s = makeStructure(cell, {true, true, true}, positions);
    for (double cutoff : {2.5, 5.0}) {
        const NeighborList nl = computeNeighborList(s, cutoff);
        checkInvariants(s, nl, cutoff);
        QCOMPARE(compareLists(nl, bruteForceNeighborList(s, cutoff)), QString());
        bool bigShift = false;
        for (const Shift& sh : nl.shifts)
            bigShift = bigShift || std::abs(sh[0]) > 999999;
        QVERIFY(bigShift);
    }
}

void TestNeighborList::hugeCoordinates() {
    // Molecules 10^7 Å from the origin (where single precision has a 1 Å step) and one beyond
    // the range of single precision: whatever the search does inside, it must find every pair.
    std::mt19937 rng(5);
    std::uniform_real_distribution<double> jitter(-2.0, 2.0);
    std::vector<Vec3> positions;
    for (int i = 0; i < 20; ++i)
        positions.emplace_back(1e7 + jitter(rng), -3e7 + jitter(rng), 2e7 + jitter(rng));
    const Structure far = makeStructure(Mat3::Zero(), {false, false, false}, positions);
    const NeighborList nl = computeNeighborList(far, 1.5);
    QCOMPARE(compareLists(nl, bruteForceNeighborList(far, 1.5)), QString());
    QVERIFY(nl.edgeCount() > 0);

    // 1e39 does not fit a float; the pair there is 2^80 ≈ 1.2e24 Å apart, exactly.
    const double x = 0x1p130; // ≈ 1.4e39
    const Structure beyond = makeStructure(
        Mat3::Zero(), {false, false, false},
        {Vec3::Zero(), Vec3(1.0, 0.0, 0.0), Vec3(x, 0.0, 0.0), Vec3(x + 0x1p80, 0.0, 0.0)});
    const NeighborList huge = computeNeighborList(beyond, 0x1p81);
    QCOMPARE(compareLists(huge, bruteForceNeighborList(beyond, 0x1p81)), QString());
    QCOMPARE(huge.edgeCount(), std::size_t(4));
    QCOMPARE(key(huge, 2), EdgeKey(2, 3, 0, 0, 0));
}

void TestNeighborList::orderedCrystalIndices() {
    // A 5×5×5 FCC supercell numbered cell by cell (as crystal builders do): the neighbours of an
    // atom have indices in a few tight clusters, the opposite of random numbering.
    const double a = 3.6;
    const int m = 5;
    std::vector<Vec3> positions;
    for (int x = 0; x < m; ++x)
        for (int y = 0; y < m; ++y)
            for (int z = 0; z < m; ++z)
                for (const Vec3& f :
                     {Vec3(0, 0, 0), Vec3(0.5, 0.5, 0), Vec3(0.5, 0, 0.5), Vec3(0, 0.5, 0.5)})
                    positions.push_back(a * (Vec3(x, y, z) + f) + Vec3(0.01, -0.02, 0.03));
    const Structure s = makeStructure(cubic(a * m), {true, true, true}, positions);
    const NeighborList nl = computeNeighborList(s, 6.0);
    QCOMPARE(compareLists(nl, bruteForceNeighborList(s, 6.0)), QString());
    // FCC shells within 6 Å at a = 3.6: 12 + 6 + 24 + 12 + 24 (at a·√(n/2), n = 1…5) = 78.
    QCOMPARE(nl.edgeCount(), std::size_t(78 * 4 * m * m * m));
}

void TestNeighborList::rejectsTooManyImagePoints() {
    // 40 atoms in a 0.02 Å cell at 4 Å: fewer than 10^8 image cells, but 40 times as many
    // periodic images of atoms as would fit: refused, rather than running out of memory.
    std::vector<Vec3> positions;
    for (int i = 0; i < 40; ++i)
        positions.emplace_back(0.0005 * i, 0.0, 0.0);
    const Structure s = makeStructure(cubic(0.02), {true, true, true}, positions);
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, computeNeighborList(s, 4.0));
}

void TestNeighborList::realDataAgainstBruteForce_data() {
    QTest::addColumn<QString>("file");
    for (const QString& file : graphace::testing::sharedDataFiles())
        QTest::newRow(qPrintable(QDir(graphace::testing::sharedDataDir()).relativeFilePath(file)))
            << file;
    if (graphace::testing::sharedDataFiles().isEmpty())
        QTest::newRow("no shared data") << QString();
}

void TestNeighborList::realDataAgainstBruteForce() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    QFETCH(QString, file);
    const Dataset data = readExtxyzFile(file.toStdString());
    QVERIFY(data.size() > 0);
    // Under AddressSanitizer the brute force (the reference, not the code under test) is ten
    // times slower: every seventh configuration then, as many shapes in a tenth of the time.
#if defined(__SANITIZE_ADDRESS__)
    const std::size_t stride = 7;
#else
    const std::size_t stride = 1;
#endif
    std::size_t edges = 0;
    for (std::size_t c = 0; c < data.size(); c += stride) {
        const Structure& s = data.structures[c];
        for (double cutoff : {0.5, 2.0, 3.5, 5.0, 7.0}) {
            const NeighborList nl = computeNeighborList(s, cutoff);
            const QString diff = compareLists(nl, bruteForceNeighborList(s, cutoff));
            QVERIFY2(diff.isEmpty(), qPrintable(QStringLiteral("configuration %1 (line %2), "
                                                               "cutoff %3: %4")
                                                    .arg(c)
                                                    .arg(s.sourceLine)
                                                    .arg(cutoff)
                                                    .arg(diff)));
            edges += nl.edgeCount();
        }
    }
    QVERIFY(edges > 0);
}

QTEST_APPLESS_MAIN(TestNeighborList)
#include "test_neighbor_list.moc"
