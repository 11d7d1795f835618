// Opening data in the real main window: File → Open (through its dialog) with several files,
// the recent-files list and its menu, drag and drop of file URLs, and bad files (the previous
// data stays, the error names file and line). Needs a display (run under xvfb-run).
#include "graphace/extxyz.h"
#include "graphace/sample_dataset.h"
#include "graphace/ui/main_window.h"
#include "graphace/ui/vtk_viewport.h"
#include "gui_testing.h"
#include "testing.h"

#include <QAction>
#include <QApplication>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QLineEdit>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QMimeData>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrl>
#include <QtTest>

#include <fstream>
#include <memory>

using namespace graphace;
using namespace graphace::ui;

namespace {

QString plain(QString text) {
    return text.remove(QLatin1Char('&'));
}

QMenu* findMenu(const QList<QAction*>& actions, const QString& title) {
    for (QAction* action : actions)
        if (action->menu() && plain(action->text()) == title)
            return action->menu();
    return nullptr;
}

QAction* findAction(const QList<QAction*>& actions, const QString& text) {
    for (QAction* action : actions)
        if (!action->menu() && plain(action->text()) == text)
            return action;
    return nullptr;
}

} // namespace

class TestGuiOpenFiles : public QObject {
    Q_OBJECT
public:
    // Runs before QApplication exists: a private settings folder (the recent-files list starts
    // empty and a person's own list is never touched) and the GL format.
    static void initMain() { testing::prepareGuiTestProcess(); }

private:
    QTemporaryDir m_dir;
    QString m_a, m_b, m_c; // 3, 2 and 1 configurations
    std::unique_ptr<MainWindow> m_window;

    // Waits for the load that `start` begins; its result.
    template <typename Start> bool loadThrough(Start start) {
        QSignalSpy finished(m_window.get(), &MainWindow::loadFinished);
        start();
        if (!finished.wait(60000))
            return false;
        return finished.front().front().toBool();
    }
    bool load(const QStringList& files) {
        return loadThrough([&]() { m_window->openFiles(files); });
    }

    // Drags the files onto the window and drops them: whether the drag and the drop were
    // accepted and the load they start succeeded.
    bool dropFiles(const QStringList& paths) {
        QMimeData files;
        QList<QUrl> urls;
        for (const QString& path : paths)
            urls << QUrl::fromLocalFile(path);
        files.setUrls(urls);
        const QPoint at = m_window->rect().center();
        QDragEnterEvent enter(at, Qt::CopyAction, &files, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &enter);
        if (!enter.isAccepted())
            return false;
        bool dropAccepted = false;
        const bool loaded = loadThrough([&]() {
            QDropEvent drop(QPointF(at), Qt::CopyAction, &files, Qt::LeftButton, Qt::NoModifier);
            QApplication::sendEvent(m_window.get(), &drop);
            dropAccepted = drop.isAccepted();
        });
        return dropAccepted && loaded;
    }

    // `text` as the file `name` in the test folder: its absolute path, empty when not written.
    QString writeText(const QString& name, const char* text) {
        const QString path = QFileInfo(m_dir.filePath(name)).absoluteFilePath();
        QFile out(path);
        if (!out.open(QIODevice::WriteOnly) || out.write(text) < 0)
            return {};
        return path;
    }

    QString writeSample(const QString& name, int configurations, std::uint64_t seed) {
        SampleOptions options;
        options.configurations = configurations;
        options.seed = seed;
        const QString file = QFileInfo(m_dir.filePath(name)).absoluteFilePath();
        writeExtxyzFile(file.toStdString(), generateSampleDataset(options));
        return file;
    }

    QMenu* fileMenu() const { return findMenu(m_window->menuBar()->actions(), "File"); }
    QMenu* recentMenu() const {
        QMenu* file = fileMenu();
        return file ? findMenu(file->actions(), QStringLiteral("Open Recent")) : nullptr;
    }

    // The files the structures of the shown dataset came from, one entry per structure.
    QStringList sources() const {
        QStringList files;
        for (const Structure& s : m_window->dataset()->structures)
            files << QFileInfo(QString::fromStdString(s.sourceFile)).fileName();
        return files;
    }

    void closeErrorDialog() {
        if (m_window->errorDialog())
            m_window->errorDialog()->close();
    }

private Q_SLOTS:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        m_a = writeSample(QStringLiteral("a.xyz"), 3, 1);
        m_b = writeSample(QStringLiteral("b.xyz"), 2, 2);
        m_c = writeSample(QStringLiteral("c.extxyz"), 1, 3);
        m_window = std::make_unique<MainWindow>();
        m_window->resize(1200, 800);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QVERIFY(m_window->recentFiles().isEmpty());
        QVERIFY(recentMenu());
        QVERIFY(!recentMenu()->isEnabled()); // nothing to offer yet
    }

    void cleanup() { closeErrorDialog(); }

    // File → Open…: the action opens a dialog; choosing two files there loads both, in order.
    void openActionLoadsTwoFiles() {
        QMenu* file = fileMenu();
        QVERIFY(file);
        QAction* open = findAction(file->actions(), QStringLiteral("Open…"));
        QVERIFY(open);
        QCOMPARE(open->shortcut(), QKeySequence(QKeySequence::Open));

        bool chosen = false;
        QTimer poll;
        poll.setInterval(50);
        connect(&poll, &QTimer::timeout, this, [&]() {
            auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget());
            if (!dialog)
                return;
            poll.stop();
            dialog->setDirectory(m_dir.path());
            // Typed into the file-name box as a person would: quoted names for several files.
            if (auto* name = dialog->findChild<QLineEdit*>(QStringLiteral("fileNameEdit")))
                name->setText(QStringLiteral("\"a.xyz\" \"b.xyz\""));
            chosen = dialog->selectedFiles() == QStringList{m_a, m_b};
            if (chosen)
                static_cast<QDialog*>(dialog)->accept(); // public in QDialog
            else
                dialog->reject();
        });
        poll.start();
        QTimer::singleShot(20000, &poll, [&]() { // never leave a modal dialog hanging
            if (auto* dialog = qobject_cast<QFileDialog*>(QApplication::activeModalWidget()))
                dialog->reject();
        });
        QSignalSpy finished(m_window.get(), &MainWindow::loadFinished);
        open->trigger(); // returns when the dialog has closed
        QVERIFY2(chosen, "the dialog did not take the two files");
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000); // may be done already
        QCOMPARE(finished.front().front().toBool(), true);

        QCOMPARE(m_window->dataset()->size(), std::size_t(5));
        QCOMPARE(sources(), (QStringList{"a.xyz", "a.xyz", "a.xyz", "b.xyz", "b.xyz"}));
        QCOMPARE(m_window->datasetView()->model()->rowCount(), 5);
        QVERIFY(m_window->lastError().isEmpty());
        // Both become recent, in the order chosen (the first at the top).
        QCOMPARE(m_window->recentFiles(), (QStringList{m_a, m_b}));
    }

    // Opening another file puts it first; the list has no duplicates.
    void recentFilesMostRecentFirst() {
        QVERIFY(load({m_c}));
        QCOMPARE(m_window->dataset()->size(), std::size_t(1));
        QCOMPARE(m_window->recentFiles(), (QStringList{m_c, m_a, m_b}));
        QVERIFY(load({m_a}));
        QCOMPARE(m_window->recentFiles(), (QStringList{m_a, m_c, m_b}));

        // The menu shows them in the same order, with the full path as tooltip.
        QMenu* recent = recentMenu();
        QVERIFY(recent);
        QVERIFY(recent->isEnabled());
        QStringList shown;
        for (QAction* action : recent->actions())
            if (!action->isSeparator() && action->toolTip().startsWith(QLatin1Char('/')))
                shown << action->toolTip();
        QCOMPARE(shown, (QStringList{m_a, m_c, m_b}));
    }

    // A recent-files menu entry reopens that file (and moves it to the top).
    void recentMenuActionReopens() {
        QMenu* recent = recentMenu();
        QVERIFY(recent);
        QAction* b = findAction(recent->actions(), QStringLiteral("b.xyz"));
        QVERIFY(b);
        QVERIFY(loadThrough([&]() { b->trigger(); }));
        QCOMPARE(m_window->dataset()->size(), std::size_t(2));
        QCOMPARE(sources(), (QStringList{"b.xyz", "b.xyz"}));
        QCOMPARE(m_window->recentFiles().front(), m_b);
        QCOMPARE(m_window->recentFiles().size(), 3);
    }

    // Shared data: two real files load as one dataset whose size is the sum.
    void twoSharedFiles() {
        GRAPHACE_REQUIRE_SHARED_DATA();
        const QString first = graphace::testing::sharedDataDir() + "/fitsnap-ta/Volume_BCC.xyz";
        const QString second = graphace::testing::sharedDataDir() + "/fitsnap-ta/Volume_FCC.xyz";
        if (!QFileInfo::exists(first) || !QFileInfo::exists(second))
            QSKIP("fitsnap-ta Volume_BCC.xyz / Volume_FCC.xyz not in the shared data");
        const std::size_t expected = readExtxyzFile(first.toStdString()).size() +
                                     readExtxyzFile(second.toStdString()).size();
        QVERIFY(expected > 0);
        QVERIFY(load({first, second}));
        QCOMPARE(m_window->dataset()->size(), expected);
        QCOMPARE(m_window->datasetView()->model()->rowCount(), int(expected));
        QCOMPARE(m_window->recentFiles().mid(0, 2),
                 (QStringList{QFileInfo(first).absoluteFilePath(),
                              QFileInfo(second).absoluteFilePath()}));
    }

    // A malformed second file fails the whole load: the data shown before stays, the error
    // names the file and the line, and the bad file does not become recent.
    void malformedFileKeepsPreviousData() {
        QVERIFY(load({m_a, m_b}));
        const auto before = m_window->dataset();
        const QStringList recentBefore = m_window->recentFiles();
        const QString bad = m_dir.filePath(QStringLiteral("malformed.xyz"));
        {
            std::ofstream out(bad.toStdString());
            out << "1\n"
                   "Lattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3 energy=-1.5 "
                   "pbc=\"T T T\"\n"
                   "Si 0 0 0\n"
                   "2\n"
                   "Lattice=\"4 0 0 0 4 0 0 0 4\" Properties=species:S:1:pos:R:3 energy=-3.0 "
                   "pbc=\"T T T\"\n"
                   "Si 0 0 0\n"
                   "Si 1.0 2.0 x3.0\n"; // line 7: not a number
        }
        QVERIFY(!load({m_c, bad}));
        QCOMPARE(m_window->dataset(), before);
        QCOMPARE(m_window->dataset()->size(), std::size_t(5));
        QCOMPARE(m_window->datasetView()->model()->rowCount(), 5);
        const QString error = m_window->lastError();
        QVERIFY2(error.contains(bad), qPrintable(error));
        QVERIFY2(error.contains(QStringLiteral("line 7")), qPrintable(error));
        QVERIFY(m_window->errorDialog());
        QTRY_VERIFY(m_window->errorDialog()->isVisible());
        QVERIFY(m_window->errorDialog()->text().contains(QStringLiteral("malformed.xyz")));
        QVERIFY(m_window->errorDialog()->text().contains(QStringLiteral("7")));
        QCOMPARE(m_window->recentFiles(), recentBefore);
        closeErrorDialog();

        // A file that does not exist: named, data kept; a later good load clears the error.
        const QString missing = m_dir.filePath(QStringLiteral("missing.xyz"));
        QVERIFY(!load({missing}));
        QVERIFY2(m_window->lastError().contains(missing), qPrintable(m_window->lastError()));
        QCOMPARE(m_window->dataset(), before);
        closeErrorDialog();
        QVERIFY(load({m_c}));
        QVERIFY(m_window->lastError().isEmpty());
    }

    // Dropping file URLs on the window loads them; other URLs are refused.
    void dropLoadsFiles() {
        QVERIFY(dropFiles({m_b, m_a}));
        QCOMPARE(m_window->dataset()->size(), std::size_t(5));
        QCOMPARE(sources(), (QStringList{"b.xyz", "b.xyz", "a.xyz", "a.xyz", "a.xyz"}));
        QCOMPARE(m_window->recentFiles().mid(0, 2), (QStringList{m_b, m_a}));

        // A web link is not a file: refused, nothing loads.
        const QPoint at = m_window->rect().center();
        const auto before = m_window->dataset();
        QMimeData web;
        web.setUrls({QUrl(QStringLiteral("https://example.org/data.xyz"))});
        QDragEnterEvent webEnter(at, Qt::CopyAction, &web, Qt::LeftButton, Qt::NoModifier);
        webEnter.ignore();
        QApplication::sendEvent(m_window.get(), &webEnter);
        QVERIFY(!webEnter.isAccepted());
        QSignalSpy finished(m_window.get(), &MainWindow::loadFinished);
        QDropEvent webDrop(QPointF(at), Qt::CopyAction, &web, Qt::LeftButton, Qt::NoModifier);
        QApplication::sendEvent(m_window.get(), &webDrop);
        QVERIFY(!m_window->isLoading());
        QTest::qWait(100);
        QCOMPARE(finished.count(), 0);
        QCOMPARE(m_window->dataset(), before);
    }

    // A VASP POSCAR, dropped beside an extended-XYZ file, joins the same dataset; a VASP 4 file
    // without species is refused naming its line.
    void dropPoscarWithXyz() {
        const QString poscar =
            writeText(QStringLiteral("POSCAR"), "Cubic BN\n 3.57\n 0.0 0.5 0.5\n 0.5 0.0 0.5\n "
                                                "0.5 0.5 0.0\n B N\n 1 1\nDirect\n 0 0 0\n "
                                                "0.25 0.25 0.25\n");
        QVERIFY(!poscar.isEmpty());
        QVERIFY(dropFiles({poscar, m_c}));
        QCOMPARE(m_window->dataset()->size(), std::size_t(2));
        QCOMPARE(sources(), (QStringList{"POSCAR", "c.extxyz"}));
        QCOMPARE(m_window->dataset()->structures.front().numbers, (std::vector<int>{5, 7}));

        const QString vasp4 =
            writeText(QStringLiteral("old.vasp"), "Cubic BN\n 3.57\n 0.0 0.5 0.5\n 0.5 0.0 0.5\n "
                                                  "0.5 0.5 0.0\n 1 1\nDirect\n 0 0 0\n "
                                                  "0.25 0.25 0.25\n");
        QVERIFY(!vasp4.isEmpty());
        const auto before = m_window->dataset();
        QVERIFY(!load({vasp4}));
        QCOMPARE(m_window->dataset(), before);
        QVERIFY2(m_window->lastError().contains(QStringLiteral("old.vasp")) &&
                     m_window->lastError().contains(QStringLiteral("line 6")) &&
                     m_window->lastError().contains(QStringLiteral("--species")),
                 qPrintable(m_window->lastError()));
    }

    // "Clear list" empties the recent files and disables the menu.
    void clearRecentList() {
        QMenu* recent = recentMenu();
        QVERIFY(recent);
        QAction* clear = findAction(recent->actions(), QStringLiteral("Clear list"));
        QVERIFY(clear);
        clear->trigger();
        QVERIFY(m_window->recentFiles().isEmpty());
        QVERIFY(!recentMenu()->isEnabled());
    }

    void cleanupTestCase() { m_window.reset(); }
};

QTEST_MAIN(TestGuiOpenFiles)
#include "test_gui_open_files.moc"
