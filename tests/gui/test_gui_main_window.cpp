// The main window driven as a person would: load a file, move the cutoff, read the statistics,
// pick atoms, load a bad file. Needs a display (run under xvfb-run).
#include "graphace/element.h"
#include "graphace/extxyz.h"
#include "graphace/gcn_library.h"
#include "graphace/gcn_trainer.h"
#include "graphace/graph_statistics.h"
#include "graphace/neighbor_estimate.h"
#include "graphace/neighbor_list.h"
#include "graphace/sample_dataset.h"
#include "graphace/ui/atom_info_panel.h"
#include "graphace/ui/colour_bar.h"
#include "graphace/ui/cutoff_panel.h"
#include "graphace/ui/dataset_model.h"
#include "graphace/ui/main_window.h"
#include "graphace/ui/pair_distance_chart.h"
#include "graphace/ui/structure_scene.h"
#include "graphace/ui/structure_view.h"
#include "graphace/ui/training_charts.h"
#include "graphace/ui/training_panel.h"
#include "graphace/ui/training_tab.h"
#include "graphace/ui/vtk_viewport.h"
#include "gui_testing.h"
#include "testing.h"

#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QComboBox>
#include <QDockWidget>
#include <QDoubleSpinBox>
#include <QDropEvent>
#include <QFileDialog>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QMouseEvent>
#include <QSet>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardItemModel>
#include <QStatusBar>
#include <QTableView>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTimer>
#include <QToolButton>
#include <QWheelEvent>
#include <QtCharts/QChartView>
#include <QtCharts/QLegend>
#include <QtCharts/QLogValueAxis>
#include <QtCharts/QValueAxis>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <memory>

using namespace graphace;
using namespace graphace::ui;

namespace {

QString shiftText(const Shift& s) {
    return QStringLiteral("%1 %2 %3").arg(s[0]).arg(s[1]).arg(s[2]);
}

int distinctColours(const QImage& image, const QRect& rect) {
    QSet<QRgb> colours;
    for (int y = rect.top(); y <= rect.bottom(); y += 2)
        for (int x = rect.left(); x <= rect.right(); x += 2)
            colours.insert(image.pixel(x, y));
    return colours.size();
}

} // namespace

class TestGuiMainWindow : public QObject {
    Q_OBJECT
public:
    // Runs before QApplication exists: the GL format and a private settings folder.
    static void initMain() { testing::prepareGuiTestProcess(); }

private:
    QTemporaryDir m_dir;
    QString m_file;
    Dataset m_data;
    std::unique_ptr<MainWindow> m_window;

    static bool libTorchMapped() {
        std::ifstream maps("/proc/self/maps");
        std::string line;
        while (std::getline(maps, line))
            if (line.find("libtorch") != std::string::npos)
                return true;
        return false;
    }
    // Whether LibTorch was in the process when the window first painted.
    struct PaintWatch : QObject {
        bool painted = false, libTorchAtFirstPaint = false;
        bool eventFilter(QObject*, QEvent* event) override {
            if (event->type() == QEvent::Paint && !painted) {
                painted = true;
                libTorchAtFirstPaint = libTorchMapped() || gcnLibraryLoaded();
            }
            return false;
        }
    };

    const Structure& shown() const { return *m_window->currentStructurePointer(); }

    void setCutoff(double cutoff) {
        m_window->cutoffPanel()->spinBox()->setValue(cutoff);
        QCOMPARE(m_window->cutoffPanel()->cutoff(), cutoff);
    }

    bool load(const QStringList& files) {
        QSignalSpy finished(m_window.get(), &MainWindow::loadFinished);
        m_window->openFiles(files);
        if (!finished.wait(60000))
            return false;
        return finished.front().front().toBool();
    }

    void waitForHistogram() { QTRY_VERIFY_WITH_TIMEOUT(!m_window->isBusy(), 60000); }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        SampleOptions options;
        options.configurations = 4;
        m_data = generateSampleDataset(options);
        m_file = m_dir.filePath(QStringLiteral("sample4.xyz"));
        writeExtxyzFile(m_file.toStdString(), m_data);

        // The window is built and painted before the network (LibTorch) is loaded; it loads in
        // the background afterwards and then says whether CUDA can be used.
        QVERIFY(!gcnLibraryLoaded());
        QVERIFY(!libTorchMapped());
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1300, 850);
        PaintWatch firstPaint;
        m_window->installEventFilter(&firstPaint);
        QVERIFY(!libTorchMapped());
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QTRY_VERIFY(firstPaint.painted);
        QVERIFY(!firstPaint.libTorchAtFirstPaint);
        TrainingPanel* panel = m_window->trainingTab()->panel();
        QTRY_VERIFY_WITH_TIMEOUT(panel->devicesProbed(), 60000);
        QVERIFY(gcnLibraryLoaded());
        QVERIFY(libTorchMapped());
        const QString cudaTip = panel->deviceCombo()->itemData(1, Qt::ToolTipRole).toString();
        QVERIFY2(!cudaTip.contains(QStringLiteral("checked once")), qPrintable(cudaTip));
        if (!torchInfo().cudaAvailable) {
            QVERIFY(cudaTip.contains(QStringLiteral("CUDA")));
            auto* items = qobject_cast<QStandardItemModel*>(panel->deviceCombo()->model());
            QVERIFY(items && !items->item(1)->isEnabled());
        }
        m_window->removeEventFilter(&firstPaint);

        QVERIFY(load({m_file}));
        waitForHistogram();
    }

    void loadedFileIsShown() {
        QVERIFY(m_window->dataset());
        QCOMPARE(m_window->dataset()->size(), std::size_t(4));
        QCOMPARE(m_window->datasetView()->model()->rowCount(), 4);
        QCOMPARE(m_window->currentStructure(), 0);
        QCOMPARE(shown().size(), std::size_t(96));
        QVERIFY(m_window->lastError().isEmpty());
        QVERIFY(m_window->windowTitle().contains(QStringLiteral("sample4.xyz")));
        QVERIFY(m_window->recentFiles().contains(QFileInfo(m_file).absoluteFilePath()));
        QCOMPARE(m_window->structureView()->scene().displayedAtomCount(), 96);
    }

    void slider_and_spinBox_are_linked() {
        setCutoff(3.25);
        QCOMPARE(m_window->cutoffPanel()->slider()->value(), 325);
        m_window->cutoffPanel()->slider()->setValue(410);
        QCOMPARE(m_window->cutoffPanel()->spinBox()->value(), 4.1);
        // Out of range input is clamped to the control's range (0.1–20 Å).
        m_window->cutoffPanel()->spinBox()->setValue(50.0);
        QCOMPARE(m_window->cutoffPanel()->cutoff(), CutoffPanel::kMaximumCutoff);
        QCOMPARE(CutoffPanel::kMaximumCutoff, 20.0);
    }

    // A cutoff typed beyond the range is not cut to its first digit ("50" → 5.00 Å): it
    // becomes the maximum, and the panel says what was typed and what it became.
    void typedCutoffOutOfRangeIsSaid() {
        QDoubleSpinBox* spin = m_window->cutoffPanel()->spinBox();
        m_window->activateWindow();
        spin->setFocus();
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("50"));
        QTest::keyClick(spin, Qt::Key_Return);
        QCOMPARE(m_window->cutoffPanel()->cutoff(), CutoffPanel::kMaximumCutoff);
        QVERIFY2(m_window->cutoffPanel()->rangeNote().contains(QStringLiteral("50 Å is outside")),
                 qPrintable(m_window->cutoffPanel()->rangeNote()));
        spin->selectAll();
        QTest::keyClicks(spin, QStringLiteral("4"));
        QTest::keyClick(spin, Qt::Key_Return);
        QCOMPARE(m_window->cutoffPanel()->cutoff(), 4.0);
        QVERIFY(m_window->cutoffPanel()->rangeNote().isEmpty());
    }

    void edgeCountFollowsCutoff_data() {
        QTest::addColumn<int>("structure");
        QTest::addColumn<double>("cutoff");
        for (int s : {0, 2})
            for (double c : {0.5, 1.9, 2.5, 3.5, 5.0, 7.25, 12.5, 19.9})
                QTest::addRow("structure %d, %.2f A", s, c) << s << c;
    }
    void edgeCountFollowsCutoff() {
        QFETCH(int, structure);
        QFETCH(double, cutoff);
        m_window->selectStructure(structure);
        QCOMPARE(m_window->currentStructure(), structure);
        setCutoff(cutoff);
        const NeighborList reference = computeNeighborList(m_data.structures[structure], cutoff);
        QCOMPARE(m_window->cutoffPanel()->edgesLabel()->text(),
                 QString::number(reference.edgeCount()));
        QCOMPARE(m_window->currentNeighbors()->edgeCount(), reference.edgeCount());
    }

    // The edge estimate that guards the viewer is the mean-density count of pairs: close to
    // the real count for a condensed structure at a cutoff well beyond the first shell.
    void edgeEstimateGuardsTheViewer() {
        const Structure& s = m_data.structures[0];
        const double estimate = estimatedNeighborPairs(s, 8.0);
        const double real = static_cast<double>(computeNeighborList(s, 8.0).edgeCount());
        QVERIFY2(std::abs(estimate - real) < 0.2 * real,
                 qPrintable(QStringLiteral("%1 estimated, %2 real").arg(estimate).arg(real)));
        // A 20 Å cutoff on a 13,824-atom cell of this density is refused before any search.
        QVERIFY(estimatedNeighborPairs(s, 20.0) * 144 > kMaxViewerEdges);
    }

    void warningAtTinyCutoffOnly() {
        m_window->selectStructure(0);
        setCutoff(0.5);
        QVERIFY(m_window->cutoffPanel()->warningShown());
        QVERIFY(m_window->cutoffPanel()->warningText().contains(QStringLiteral("self-loops")));
        setCutoff(3.5);
        QVERIFY(!m_window->cutoffPanel()->warningShown());
        QVERIFY(m_window->cutoffPanel()->warningText().isEmpty());
        setCutoff(0.5);
        QVERIFY(m_window->cutoffPanel()->warningShown());
        setCutoff(3.5);
    }

    // The shaded part of the histogram (bins below the cutoff) is the mean degree: the chart
    // and the statistics come from separate computations, so this checks both.
    void histogramMatchesMeanDegree() {
        m_window->selectStructure(1);
        waitForHistogram();
        QVERIFY(m_window->pairDistanceChart()->hasDistribution());
        for (double cutoff : {2.5, 3.5, 4.0, 14.5}) { // multiples of the 0.05 Å bin width
            setCutoff(cutoff);
            // Beyond 10 Å the histogram is computed again out to the cutoff.
            QTRY_VERIFY_WITH_TIMEOUT(!m_window->isBusy(), 60000);
            QTRY_VERIFY_WITH_TIMEOUT(m_window->pairDistanceChart()->hasDistribution(), 60000);
            const NeighborList reference = computeNeighborList(m_data.structures[1], cutoff);
            const double meanDegree = double(reference.edgeCount()) / 96.0;
            QCOMPARE(m_window->pairDistanceChart()->cutoff(), cutoff);
            QVERIFY2(qAbs(m_window->pairDistanceChart()->shadedNeighboursPerAtom() - meanDegree) <
                         1e-9,
                     qPrintable(QStringLiteral("%1 shaded, %2 mean degree at %3 Å")
                                    .arg(m_window->pairDistanceChart()->shadedNeighboursPerAtom())
                                    .arg(meanDegree)
                                    .arg(cutoff)));
        }
    }

    void pickListsNeighbours() {
        m_window->selectStructure(0);
        setCutoff(3.0);
        const NeighborList reference = computeNeighborList(m_data.structures[0], 3.0);
        for (int atom : {0, 5, 40, 95}) {
            QSignalSpy picked(m_window->structureView(), &StructureView::atomPicked);
            m_window->pickAtom(atom);
            QCOMPARE(picked.count(), 1);
            QCOMPARE(picked.front().front().toInt(), atom);
            QCOMPARE(m_window->structureView()->scene().highlightedAtom(), atom);
            QCOMPARE(m_window->atomInfoPanel()->atom(), atom);

            std::multimap<QString, double> expected; // "j | shift" → distance
            for (std::size_t e = 0; e < reference.edgeCount(); ++e)
                if (reference.first[e] == atom)
                    expected.emplace(QStringLiteral("%1 | %2")
                                         .arg(reference.second[e])
                                         .arg(shiftText(reference.shifts[e])),
                                     reference.distances[e]);
            QTableWidget* table = m_window->atomInfoPanel()->table();
            QCOMPARE(table->rowCount(), static_cast<int>(expected.size()));
            QVERIFY(table->rowCount() > 0);
            for (int row = 0; row < table->rowCount(); ++row) {
                const QString key = QStringLiteral("%1 | %2").arg(
                    table->item(row, AtomInfoPanel::Neighbour)->text(),
                    table->item(row, AtomInfoPanel::ImageShift)->text());
                auto it = expected.find(key);
                QVERIFY2(it != expected.end(), qPrintable(key));
                const double shownDistance =
                    table->item(row, AtomInfoPanel::Distance)->text().toDouble();
                QVERIFY(qAbs(shownDistance - it->second) < 1e-4);
                const int j = table->item(row, AtomInfoPanel::Neighbour)->text().toInt();
                QCOMPARE(table->item(row, AtomInfoPanel::Element)->text(),
                         QString::fromUtf8(elementSymbol(m_data.structures[0].numbers[j])));
                expected.erase(it);
                if (row > 0) // nearest first
                    QVERIFY(table->item(row - 1, AtomInfoPanel::Distance)->text().toDouble() <=
                            shownDistance);
            }
        }
        // The list follows the cutoff while the atom stays picked.
        setCutoff(2.0);
        const NeighborList smaller = computeNeighborList(m_data.structures[0], 2.0);
        int count = 0;
        for (int i : smaller.first)
            count += i == 95 ? 1 : 0;
        QCOMPARE(m_window->atomInfoPanel()->table()->rowCount(), count);
        m_window->pickAtom(-1);
        QCOMPARE(m_window->atomInfoPanel()->table()->rowCount(), 0);
        QCOMPARE(m_window->structureView()->scene().highlightedAtom(), -1);
    }

    // A click on the nearest atom's centre picks that atom (through VTK's camera transform).
    void clickPicksNearestAtom() {
        m_window->selectStructure(0);
        setCutoff(3.0);
        StructureView* view = m_window->structureView();
        VtkViewport* viewport = view->viewport();
        QTRY_VERIFY(viewport->renderedFrames() > 0);
        int nearest = -1;
        double depth = 2.0;
        std::array<double, 3> where{};
        for (int atom = 0; atom < 96; ++atom) {
            const auto p = view->scene().projectAtom(atom);
            if (p[2] < depth) {
                depth = p[2];
                nearest = atom;
                where = p;
            }
        }
        QVERIFY(nearest >= 0);
        const double ratio = viewport->devicePixelRatioF();
        const QPoint at(qRound(where[0] / ratio),
                        qRound((viewport->height() * ratio - 1 - where[1]) / ratio));
        QVERIFY(viewport->rect().contains(at));
        QSignalSpy picked(view, &StructureView::atomPicked);
        QTest::mouseClick(viewport, Qt::LeftButton, Qt::NoModifier, at);
        QCOMPARE(picked.count(), 1);
        QCOMPARE(picked.front().front().toInt(), nearest);
        QCOMPARE(m_window->atomInfoPanel()->atom(), nearest);
        // A click on empty space (a corner) clears the pick.
        QTest::mouseClick(viewport, Qt::LeftButton, Qt::NoModifier, QPoint(2, 2));
        QCOMPARE(picked.count(), 2);
        QCOMPARE(picked.back().front().toInt(), -1);
    }

    // Mouse drag orbits, the wheel zooms, "Reset view" restores the framing; the projection
    // toggles between perspective and orthographic.
    void mouseOrbitsZoomsAndResets() {
        StructureView* view = m_window->structureView();
        VtkViewport* viewport = view->viewport();
        view->resetView();
        const auto start = view->scene().cameraState();
        const QPoint centre = viewport->rect().center();
        QTest::mousePress(viewport, Qt::LeftButton, Qt::NoModifier, centre);
        for (int step = 1; step <= 10; ++step) {
            QMouseEvent move(QEvent::MouseMove, QPointF(centre + QPoint(8 * step, 3 * step)),
                             viewport->mapToGlobal(QPointF(centre + QPoint(8 * step, 3 * step))),
                             Qt::NoButton, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(viewport, &move);
        }
        QTest::mouseRelease(viewport, Qt::LeftButton, Qt::NoModifier, centre + QPoint(80, 30));
        const auto orbited = view->scene().cameraState();
        auto distance = [](const std::array<double, 6>& c) {
            return std::sqrt(std::pow(c[0] - c[3], 2) + std::pow(c[1] - c[4], 2) +
                             std::pow(c[2] - c[5], 2));
        };
        QVERIFY(std::abs(orbited[0] - start[0]) + std::abs(orbited[1] - start[1]) +
                    std::abs(orbited[2] - start[2]) >
                1.0);
        QVERIFY(std::abs(distance(orbited) - distance(start)) < 1e-6 * distance(start));

        QWheelEvent wheel(QPointF(centre), viewport->mapToGlobal(QPointF(centre)), QPoint(),
                          QPoint(0, 120), Qt::NoButton, Qt::NoModifier, Qt::NoScrollPhase, false);
        QApplication::sendEvent(viewport, &wheel);
        QVERIFY(distance(view->scene().cameraState()) < distance(orbited));

        view->resetView();
        const auto reset = view->scene().cameraState();
        for (int k = 0; k < 6; ++k)
            QVERIFY(std::abs(reset[k] - start[k]) < 1e-6 * (1 + std::abs(start[k])));

        QVERIFY(!view->scene().parallelProjection());
        view->setParallelProjection(true);
        QVERIFY(view->scene().parallelProjection());
        view->setParallelProjection(false);
        QVERIFY(!view->scene().parallelProjection());
    }

    // Bonds and ghosts follow from the neighbour list: each bond inside the cell is drawn
    // once, each bond that leaves the cell ends on one faded image per (atom, shift).
    void bondsAndImagesMatchNeighbourList() {
        m_window->selectStructure(0);
        setCutoff(3.0);
        const NeighborList list = computeNeighborList(m_data.structures[0], 3.0);
        int inside = 0, crossing = 0;
        QSet<QString> images;
        for (std::size_t e = 0; e < list.edgeCount(); ++e) {
            if (list.shifts[e] == Shift{0, 0, 0}) {
                ++inside;
            } else {
                ++crossing;
                images.insert(
                    QStringLiteral("%1 %2").arg(list.second[e]).arg(shiftText(list.shifts[e])));
            }
        }
        const StructureScene& scene = m_window->structureView()->scene();
        QCOMPARE(scene.bondCount(), inside / 2 + crossing);
        QCOMPARE(scene.ghostAtomCount(), images.size());
        QVERIFY(crossing > 0);

        // Without images, every bond that leaves the cell becomes a half-bond: same count,
        // no ghosts.
        QCheckBox* imagesBox = nullptr;
        for (QCheckBox* box : m_window->structureView()->findChildren<QCheckBox*>())
            if (box->text() == QStringLiteral("Images"))
                imagesBox = box;
        QVERIFY(imagesBox);
        imagesBox->setChecked(false);
        QCOMPARE(scene.ghostAtomCount(), 0);
        QCOMPARE(scene.bondCount(), inside / 2 + crossing);
        imagesBox->setChecked(true);
        QCOMPARE(scene.ghostAtomCount(), images.size());
    }

    void replicasMultiplyAtoms() {
        StructureView* view = m_window->structureView();
        view->replicaBox(0)->setValue(2);
        view->replicaBox(1)->setValue(3);
        QCOMPARE(view->scene().displayedAtomCount(), 96 * 2 * 3);
        // Bonds inside the block: the 6-cell block holds every edge 6 times over.
        const NeighborList list = computeNeighborList(m_data.structures[0], 3.0);
        QVERIFY(view->scene().bondCount() >= static_cast<int>(list.edgeCount() * 6 / 2));
        view->replicaBox(0)->setValue(1);
        view->replicaBox(1)->setValue(1);
        QCOMPARE(view->scene().displayedAtomCount(), 96);
    }

    void colourChoicesAndColourBar() {
        StructureView* view = m_window->structureView();
        QComboBox* colour = view->colourBox();
        colour->setCurrentIndex(1);
        QCOMPARE(view->scene().options().colouring, AtomColouring::Degree);
        view->setColourByDegree(false);
        QCOMPARE(view->scene().options().colouring, AtomColouring::Element);
        QVERIFY(!view->colourBar()->isVisibleTo(view));

        // A value per atom: offered in the box, drawn on the scale from 0, keyed by the bar.
        const int atoms =
            static_cast<int>(m_window->dataset()->structures[m_window->currentStructure()].size());
        std::vector<double> values(atoms);
        for (int i = 0; i < atoms; ++i)
            values[i] = 0.5 + 0.25 * i;
        view->setAtomQuantities({{QStringLiteral("test error (eV/Å)"), values, true}});
        QCOMPARE(colour->count(), 3);
        QCOMPARE(view->scene().options().colouring, AtomColouring::Element); // not chosen yet
        colour->setCurrentIndex(2);
        QCOMPARE(view->scene().options().colouring, AtomColouring::Values);
        QVERIFY(view->colourBar()->isVisibleTo(view));
        QCOMPARE(view->colourBar()->title(), QStringLiteral("test error (eV/Å)"));
        QCOMPARE(view->colourBar()->low(), 0.0);
        QCOMPARE(view->colourBar()->high(), values.back());
        QCOMPARE(view->scene().atomColour(atoms - 1), valueColour(1.0));
        QCOMPARE(view->scene().atomColour(0), valueColour(values[0] / values.back()));
        QVERIFY(view->scene().atomColour(0) != view->scene().atomColour(atoms - 1));

        // Another structure without the quantity shows elements; the choice comes back with it.
        const int other = m_window->currentStructure() == 0 ? 1 : 0;
        m_window->selectStructure(other);
        QCOMPARE(colour->count(), 2);
        QCOMPARE(view->scene().options().colouring, AtomColouring::Element);
        const int otherAtoms =
            static_cast<int>(m_window->dataset()->structures[m_window->currentStructure()].size());
        view->setAtomQuantities(
            {{QStringLiteral("test error (eV/Å)"), std::vector<double>(otherAtoms, 1.0), false}});
        QCOMPARE(view->scene().options().colouring, AtomColouring::Values);
        QCOMPARE(view->colourBar()->low(), 1.0); // not from zero: the smallest value
        colour->setCurrentIndex(0);
    }

    void filterHidesRows() {
        m_window->filterEdit()->setText(QStringLiteral("no such configuration"));
        QCOMPARE(m_window->datasetView()->model()->rowCount(), 0);
        m_window->filterEdit()->clear();
        QCOMPARE(m_window->datasetView()->model()->rowCount(), 4);
    }

    // Selecting a row in the dataset table shows that configuration.
    void tableSelectionShowsStructure() {
        QTableView* table = m_window->datasetView();
        table->setCurrentIndex(table->model()->index(3, 0));
        const int source = table->model()->index(3, 0).data().toInt();
        QCOMPARE(m_window->currentStructure(), source);
        QCOMPARE(shown().positions.front(), m_data.structures[source].positions.front());
    }

    // A bad file: dialog with file, line and problem; the loaded data stays.
    void badFileKeepsPreviousData() {
        const QString bad = m_dir.filePath(QStringLiteral("broken.xyz"));
        {
            std::ofstream out(bad.toStdString());
            out << "2\n"
                   "Lattice=\"5 0 0 0 5 0 0 0 5\" Properties=species:S:1:pos:R:3 pbc=\"T T T\"\n"
                   "Hf 0 0 0\n"
                   "O 1.0 abc 1.0\n";
        }
        const auto before = m_window->dataset();
        const int shownBefore = m_window->currentStructure();
        QVERIFY(!load({bad}));
        QVERIFY(m_window->lastError().contains(bad));
        QVERIFY(m_window->lastError().contains(QStringLiteral("line 4")));
        QVERIFY(m_window->errorDialog());
        QTRY_VERIFY(m_window->errorDialog()->isVisible());
        QVERIFY(m_window->errorDialog()->text().contains(QStringLiteral("broken.xyz")));
        QCOMPARE(m_window->dataset(), before);
        QCOMPARE(m_window->currentStructure(), shownBefore);
        QCOMPARE(m_window->datasetView()->model()->rowCount(), 4);
        m_window->errorDialog()->close();
    }

    void multipleFilesAndDrop() {
        QVERIFY(load({m_file, m_file}));
        QCOMPARE(m_window->dataset()->size(), std::size_t(8));
        QVERIFY(m_window->lastError().isEmpty());

        // Drag and drop of one file replaces the dataset.
        auto* mime = new QMimeData;
        mime->setUrls({QUrl::fromLocalFile(m_file)});
        QSignalSpy finished(m_window.get(), &MainWindow::loadFinished);
        QDragEnterEvent enter(QPoint(200, 200), Qt::CopyAction, mime, Qt::LeftButton,
                              Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &enter);
        QVERIFY(enter.isAccepted());
        QDropEvent drop(QPointF(200, 200), Qt::CopyAction, mime, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &drop);
        QVERIFY(finished.wait(60000));
        QCOMPARE(m_window->dataset()->size(), std::size_t(4));
        delete mime;
        waitForHistogram();
    }

    // What a person sees: an opaque window with a rendered 3D view (not one flat colour).
    void grabShowsRenderedView() {
        m_window->selectStructure(0);
        setCutoff(3.0);
        waitForHistogram();
        QTest::qWait(200);
        const QImage image = m_window->grabImage();
        QVERIFY(!image.isNull());
        QCOMPARE(image.size(), m_window->size() * m_window->devicePixelRatioF());
        for (int y = 0; y < image.height(); y += 7)
            for (int x = 0; x < image.width(); x += 7)
                QCOMPARE(qAlpha(image.pixel(x, y)), 255);
        QVERIFY(distinctColours(image, image.rect()) > 200);

        VtkViewport* viewport = m_window->structureView()->viewport();
        const QRect area(viewport->mapTo(m_window.get(), QPoint(0, 0)), viewport->size());
        const double ratio = m_window->devicePixelRatioF();
        const QRect pixels(area.topLeft() * ratio, area.size() * ratio);
        QVERIFY(image.rect().contains(pixels));
        // Background gradient, atoms of two elements with shading, bonds, cell lines.
        QVERIFY2(distinctColours(image, pixels) > 100,
                 qPrintable(QString::number(distinctColours(image, pixels))));
    }

    // The wheel over a settings box that was not clicked into leaves it alone (issue 20: a
    // scrolled panel changed a layer width 64 → 42); once focused, the wheel steps it.
    void wheelChangesOnlyFocusedBoxes() {
        m_window->tabs()->setCurrentWidget(m_window->trainingTab());
        QSpinBox* box = nullptr;
        for (QSpinBox* candidate : m_window->trainingTab()->panel()->findChildren<QSpinBox*>())
            if (candidate->isVisible() && candidate->isEnabled() &&
                candidate->value() + candidate->singleStep() <= candidate->maximum()) {
                box = candidate;
                break;
            }
        QVERIFY(box);
        auto wheel = [&] {
            const QPointF at(box->width() / 2.0, box->height() / 2.0);
            QWheelEvent event(at, box->mapToGlobal(at), QPoint(), QPoint(0, 120), Qt::NoButton,
                              Qt::NoModifier, Qt::NoScrollPhase, false);
            QApplication::sendEvent(box, &event);
        };
        const int before = box->value();
        m_window->tabs()->setFocus();
        QVERIFY(!box->hasFocus());
        wheel();
        QCOMPARE(box->value(), before);

        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        box->setFocus(Qt::MouseFocusReason);
        QTRY_VERIFY(box->hasFocus());
        wheel();
        QCOMPARE(box->value(), before + box->singleStep());
        box->setValue(before);
        m_window->tabs()->setCurrentIndex(0);
    }

    // File → Export's dialogs open in the folder the last export went to, and remember it.
    void exportDialogsRememberTheirFolder() {
        QTemporaryDir first;
        QSettings(QStringLiteral("GraphACE"), QStringLiteral("GraphACE Studio"))
            .setValue(QStringLiteral("lastExportFolder"), first.path());
        const QString second = QDir(first.path()).filePath(QStringLiteral("second"));
        QVERIFY(QDir().mkpath(second));
        QString opened;
        QTimer::singleShot(300, [&] {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            opened = dialog->directory().absolutePath();
            dialog->selectFile(QDir(second).filePath(QStringLiteral("series.csv")));
            static_cast<QDialog*>(dialog)->accept(); // QFileDialog::accept, as Save does
        });
        auto* action = m_window->findChild<QAction*>(QStringLiteral("actionExportSeries"));
        QVERIFY(action);
        action->trigger();
        QCOMPARE(opened, QDir(first.path()).absolutePath());
        QVERIFY(QFileInfo::exists(QDir(second).filePath(QStringLiteral("series.csv"))));
        QCOMPARE(QSettings(QStringLiteral("GraphACE"), QStringLiteral("GraphACE Studio"))
                     .value(QStringLiteral("lastExportFolder"))
                     .toString(),
                 QDir(second).absolutePath());
    }

    // A 1024×700 screen holds the whole window on every tab (nothing forces it wider), with
    // the dataset's key columns (#, atoms, composition) in view.
    void windowFitsA1024By700Screen() {
        m_window->resize(1024, 700);
        for (int tab = 0; tab < m_window->tabs()->count(); ++tab) {
            m_window->tabs()->setCurrentIndex(tab);
            QApplication::processEvents();
            QVERIFY2(m_window->minimumSizeHint().width() <= 1024,
                     qPrintable(QStringLiteral("tab %1 needs %2 pixels")
                                    .arg(m_window->tabs()->tabText(tab))
                                    .arg(m_window->minimumSizeHint().width())));
            QTRY_COMPARE(m_window->width(), 1024);
            QVERIFY(m_window->height() <= 700);
        }
        // Floating the dataset panel and docking it again leaves the window as it was.
        auto* dock =
            qobject_cast<QDockWidget*>(m_window->datasetView()->parentWidget()->parentWidget());
        QVERIFY(dock);
        dock->setFloating(true);
        QApplication::processEvents();
        dock->setFloating(false);
        QApplication::processEvents();
        QTRY_COMPARE(m_window->width(), 1024);
        QTableView* table = m_window->datasetView();
        table->resizeColumnsToContents();
        QApplication::processEvents();
        QVERIFY(table->columnViewportPosition(DatasetModel::Formula) +
                    table->columnWidth(DatasetModel::Formula) <=
                table->viewport()->width());
        // Four training charts (a run with forces) wrap into two rows instead of widening it.
        TrainingCharts charts;
        charts.resize(420, 300);
        const int run = charts.addRun(QStringLiteral("forces"));
        EpochRecord record;
        record.epoch = 1;
        record.trainLoss = record.testLoss = 1e-3;
        record.trainRmseMevPerAtom = record.testRmseMevPerAtom = 2;
        record.trainForceRmseEvPerA = record.testForceRmseEvPerA = 0.05;
        record.learningRate = 1e-2;
        charts.addEpoch(run, record);
        charts.flush();
        charts.show();
        QVERIFY(QTest::qWaitForWindowExposed(&charts));
        QVERIFY(charts.hasForceCurves());
        QVERIFY(charts.minimumSizeHint().width() <= 420 || charts.minimumWidth() <= 420);
        QTRY_VERIFY(charts.forceRmseView()->geometry().top() >
                    charts.lossView()->geometry().bottom()); // a second row
        charts.resize(1200, 300);
        QTRY_COMPARE(charts.forceRmseView()->geometry().top(), charts.lossView()->geometry().top());
        // A legend far wider than its chart goes (Qt would elide every axis label to "…") and
        // comes back when there is room.
        TrainingCharts named;
        for (const char* name : {"#1 recommended (modified)", "#2 recommended (modified)"})
            named.addEpoch(named.addRun(QString::fromLatin1(name)), record);
        named.flush();
        named.resize(420, 300);
        named.show();
        QVERIFY(QTest::qWaitForWindowExposed(&named));
        QTRY_VERIFY(!named.lossView()->chart()->legend()->isVisible());
        QVERIFY(!named.learningRateView()->chart()->legend()->isVisible());
        named.resize(2000, 300);
        QTRY_VERIFY(named.lossView()->chart()->legend()->isVisible());
        QVERIFY(named.learningRateView()->chart()->legend()->isVisible());
        m_window->tabs()->setCurrentIndex(0);
        m_window->resize(1300, 850);
    }

    // Every log decade the curves span is labelled, the lowest included, and epochs are whole.
    void chartAxesLabelDecadesAndWholeEpochs() {
        TrainingCharts charts;
        const int run = charts.addRun(QStringLiteral("decades"));
        for (int epoch = 1; epoch <= 4; ++epoch) {
            EpochRecord record;
            record.epoch = epoch;
            record.trainLoss = record.testLoss = 3e-6 * std::pow(10.0, epoch - 1);
            record.trainRmseMevPerAtom = record.testRmseMevPerAtom = 1.5;
            record.learningRate = 1e-2 / epoch;
            charts.addEpoch(run, record);
        }
        charts.flush();
        auto* lossAxis =
            qobject_cast<QLogValueAxis*>(charts.lossView()->chart()->axes(Qt::Vertical).front());
        QVERIFY(lossAxis);
        // Qt labels the decades from ceil(log(min)) on: the range must start just below 1e-6,
        // never on or above it, or the lowest label is dropped.
        QVERIFY(lossAxis->min() < 1e-6 && lossAxis->min() > 0.9e-6);
        QCOMPARE(lossAxis->max(), 1e-2);
        QCOMPARE(std::ceil(std::log10(lossAxis->min())), -6.0);
        auto* epochs =
            qobject_cast<QValueAxis*>(charts.lossView()->chart()->axes(Qt::Horizontal).front());
        QVERIFY(epochs);
        QCOMPARE(epochs->tickType(), QValueAxis::TicksDynamic);
        QCOMPARE(epochs->tickInterval(), 1.0);
        QCOMPARE(epochs->max(), 4.0);
    }

    // A cell of two atoms is framed with its periodic images (most of its neighbours), once
    // they are known; a 96-atom cell is framed on itself as before.
    void fewAtomCellsFrameTheirImages() {
        StructureView* view = m_window->structureView();
        auto distance = [view]() {
            const auto c = view->scene().cameraState();
            return std::sqrt(std::pow(c[0] - c[3], 2) + std::pow(c[1] - c[4], 2) +
                             std::pow(c[2] - c[5], 2));
        };
        auto silicon = std::make_shared<Structure>();
        silicon->cell << 0.0, 2.715, 2.715, 2.715, 0.0, 2.715, 2.715, 2.715, 0.0;
        silicon->pbc = {true, true, true};
        silicon->positions = {Vec3(0, 0, 0), Vec3(1.3575, 1.3575, 1.3575)};
        silicon->numbers = {14, 14};
        const NeighborList list = computeNeighborList(*silicon, 3.0);
        std::vector<int> degrees(2, 0);
        for (std::size_t e = 0; e < list.edgeCount(); ++e)
            ++degrees[list.first[e]];
        view->setStructure(silicon);
        const double cellOnly = distance();
        view->setNeighbors(list, degrees);
        QVERIFY2(distance() > 1.15 * cellOnly,
                 qPrintable(QStringLiteral("%1 then %2").arg(cellOnly).arg(distance())));

        auto hafnia = std::make_shared<Structure>(m_data.structures[0]);
        const NeighborList bonds = computeNeighborList(*hafnia, 3.0);
        std::vector<int> hafniaDegrees(hafnia->size(), 0);
        for (std::size_t e = 0; e < bonds.edgeCount(); ++e)
            ++hafniaDegrees[bonds.first[e]];
        view->setStructure(hafnia);
        const double framed = distance();
        view->setNeighbors(bonds, hafniaDegrees);
        QVERIFY(std::abs(distance() - framed) < 1e-9 * framed);
        m_window->selectStructure(1);
        m_window->selectStructure(0);
    }

    // The atom colours have a key: each element with its count, or the degree scale.
    void colourLegendNamesTheElements() {
        StructureView* view = m_window->structureView();
        view->colourBox()->setCurrentIndex(0);
        QLabel* legend = view->colourLegend();
        QVERIFY(legend->isVisibleTo(view));
        QVERIFY2(legend->text().contains(QStringLiteral("Hf&nbsp;(32)")),
                 qPrintable(legend->text()));
        QVERIFY(legend->text().contains(QStringLiteral("O&nbsp;(64)")));
        const QColor hf =
            QColor::fromRgbF(elementByNumber(72).colour[0], elementByNumber(72).colour[1],
                             elementByNumber(72).colour[2]);
        QVERIFY(legend->text().contains(hf.name()));
        view->colourBox()->setCurrentIndex(1);
        QVERIFY(legend->text().contains(QStringLiteral("isolated")));
        QVERIFY(!legend->text().contains(QStringLiteral("Hf")));
        view->colourBox()->setCurrentIndex(0);
    }

    // View → Dataset panel hides the dock and brings it back; the projection shortcut lives in
    // the menu, so it works while the view's tool bar has its button in the overflow menu.
    void viewMenuTogglesDockAndProjection() {
        auto* toggle = m_window->findChild<QAction*>(QStringLiteral("actionToggleDataset"));
        QVERIFY(toggle);
        QWidget* dock = m_window->datasetView()->parentWidget()->parentWidget();
        QVERIFY(dock->isVisible());
        toggle->trigger();
        QVERIFY(!dock->isVisible());
        toggle->trigger();
        QVERIFY(dock->isVisible());
        QToolButton* projection = m_window->structureView()->projectionButton();
        QVERIFY(!projection->isChecked());
        m_window->tabs()->setCurrentIndex(0);
        m_window->activateWindow();
        QVERIFY(QTest::qWaitForWindowActive(m_window.get()));
        // The 3D view has the focus (a text field would take the letter as typing).
        m_window->structureView()->viewport()->setFocus();
        QTest::keyClick(m_window->structureView()->viewport(), Qt::Key_O);
        QVERIFY(projection->isChecked());
        QTest::keyClick(m_window->structureView()->viewport(), Qt::Key_O);
        QVERIFY(!projection->isChecked());
    }

    // File → Export → Charts asks for the size and resolution first: 400×300 at 192 dpi gives
    // 800×600-pixel files that record 192 dpi; the choice is offered again next time.
    void chartExportAsksSizeAndResolution() {
        QTemporaryDir folder;
        QSettings(QStringLiteral("GraphACE"), QStringLiteral("GraphACE Studio"))
            .setValue(QStringLiteral("lastExportFolder"), folder.path());
        bool optionsSeen = false;
        std::function<void()> answer = [&]() {
            QWidget* modal = QApplication::activeModalWidget();
            if (auto* dialog = qobject_cast<QFileDialog*>(modal)) {
                dialog->setDirectory(folder.path());
                static_cast<QDialog*>(dialog)->accept();
                return; // the last dialog
            }
            if (modal && modal->objectName() == QStringLiteral("chartExportDialog")) {
                optionsSeen = true;
                modal->findChild<QSpinBox*>(QStringLiteral("chartWidth"))->setValue(400);
                modal->findChild<QSpinBox*>(QStringLiteral("chartHeight"))->setValue(300);
                modal->findChild<QComboBox*>(QStringLiteral("chartResolution"))->setCurrentIndex(1);
                static_cast<QDialog*>(modal)->accept();
            }
            QTimer::singleShot(200, answer);
        };
        QTimer::singleShot(200, answer);
        auto* action = m_window->findChild<QAction*>(QStringLiteral("actionExportCharts"));
        QVERIFY(action);
        action->trigger();
        QVERIFY(optionsSeen);
        const QImage loss(QDir(folder.path()).filePath(QStringLiteral("loss.png")));
        QCOMPARE(loss.size(), QSize(800, 600));
        QCOMPARE(loss.dotsPerMeterX(), static_cast<int>(std::lround(192 / 0.0254)));
        QVERIFY(QFileInfo::exists(QDir(folder.path()).filePath(QStringLiteral("loss.svg"))));
        QSettings settings(QStringLiteral("GraphACE"), QStringLiteral("GraphACE Studio"));
        QCOMPARE(settings.value(QStringLiteral("chartExportWidth")).toInt(), 400);
        QCOMPARE(settings.value(QStringLiteral("chartExportScale")).toDouble(), 2.0);
    }

    void cleanupTestCase() { m_window.reset(); }
};

QTEST_MAIN(TestGuiMainWindow)
#include "test_gui_main_window.moc"
