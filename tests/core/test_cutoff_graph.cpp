// The cached neighbour list behind the live cutoff slider (cutoff_graph.h): every cutoff gives
// exactly what a fresh search gives, however the cache was filled.
#include "graphace/cutoff_graph.h"
#include "graphace/graph_statistics.h"
#include "graphace/neighbor_list.h"
#include "sample_structures.h"
#include "testing.h"

#include <QtTest>

#include <memory>
#include <stdexcept>

using namespace graphace;
using namespace graphace::testing;

class TestCutoffGraph : public QObject {
    Q_OBJECT
private Q_SLOTS:
    // Filtering the cached list must give exactly what a fresh search gives: same edges, same
    // order, same statistics; whether the cache was searched upwards or downwards.
    void matchesFreshSearch() {
        const Dataset data = smallSample(2);
        auto structure = std::make_shared<const Structure>(data.structures[1]);
        CutoffGraph graph(structure);
        for (double cutoff : {3.0, 2.2, 0.5, 4.7, 6.0, 1.9, 9.9, 2.6}) {
            const NeighborList& got = graph.at(cutoff);
            const NeighborList want = computeNeighborList(*structure, cutoff);
            QCOMPARE(got.edgeCount(), want.edgeCount());
            QVERIFY(got.first == want.first);
            QVERIFY(got.second == want.second);
            QVERIFY(got.shifts == want.shifts);
            QCOMPARE(got.cutoff, cutoff);
            QVERIFY(graph.searchedCutoff() >= cutoff);
            const DegreeStatistics ref =
                degreeStatistics(want, static_cast<int>(structure->size()));
            QCOMPARE(graph.statistics().edges, ref.edges);
            QCOMPARE(graph.statistics().isolatedAtoms, ref.isolatedAtoms);
            QCOMPARE(graph.statistics().trivial, ref.trivial);
            // Degrees add up to the edge count, one per directed edge.
            std::size_t sum = 0;
            for (int d : graph.degrees())
                sum += static_cast<std::size_t>(d);
            QCOMPARE(sum, want.edgeCount());
        }
    }

    // Dragging down never searches again; dragging up searches with headroom.
    void cachesLargestSearch() {
        auto structure = std::make_shared<const Structure>(twoAtomCell());
        CutoffGraph graph(structure);
        QCOMPARE(graph.searchedCutoff(), 0.0);
        graph.at(4.0);
        const double searched = graph.searchedCutoff();
        QVERIFY(searched >= 4.0);
        QVERIFY(searched <= 10.0 + 1e-12);
        graph.at(2.0);
        QCOMPARE(graph.searchedCutoff(), searched);
        // Hand count: 8 nearest unlike neighbours at √12 ≈ 3.46 Å, 6 like ones at 4 Å (not < 4).
        QCOMPARE(graph.at(3.5).edgeCount(), std::size_t(16));
        QCOMPARE(graph.at(4.0).edgeCount(), std::size_t(16));
        QCOMPARE(graph.at(4.01).edgeCount(), std::size_t(16 + 12));
        QCOMPARE(graph.at(3.0).edgeCount(), std::size_t(0));
        QVERIFY(graph.statistics().trivial);
        QCOMPARE(graph.statistics().isolatedAtoms, 2);
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, graph.at(0.0));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, graph.at(-1.0));
    }

    void acceptsLargerList() {
        auto structure = std::make_shared<const Structure>(twoAtomCell());
        CutoffGraph graph(structure);
        graph.at(2.0);
        graph.offerLargerList(computeNeighborList(*structure, 9.0));
        QCOMPARE(graph.searchedCutoff(), 9.0);
        graph.offerLargerList(computeNeighborList(*structure, 5.0)); // smaller: ignored
        QCOMPARE(graph.searchedCutoff(), 9.0);
        QCOMPARE(graph.at(8.5).edgeCount(), computeNeighborList(*structure, 8.5).edgeCount());
    }

    void reportsDegenerateCell() {
        Structure s = twoAtomCell();
        s.cell.row(2).setZero(); // periodic along a3 with no a3
        CutoffGraph graph(std::make_shared<const Structure>(s));
        QVERIFY_THROWS_EXCEPTION(std::invalid_argument, graph.at(3.0));
    }
};

QTEST_GUILESS_MAIN(TestCutoffGraph)
#include "test_cutoff_graph.moc"
