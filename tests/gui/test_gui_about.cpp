// Help → About and Help → User guide: the versions a bug report needs, both menu actions, and
// the guide's text (from the file and from the embedded fallback). Needs a display (xvfb-run).
#include "graphace/gcn_library.h"
#include "graphace/gcn_trainer.h"
#include "graphace/ui/about_dialog.h"
#include "graphace/ui/main_window.h"
#include "graphace/ui/user_guide_dialog.h"
#include "graphace/ui/vtk_viewport.h"
#include "graphace/version.h"
#include "gui_testing.h"
#include "testing.h"

#include <QAction>
#include <QFile>
#include <QFileInfo>
#include <QMenu>
#include <QMenuBar>
#include <QPlainTextEdit>
#include <QRegularExpression>
#include <QScrollBar>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QtTest>

using namespace graphace;
using namespace graphace::ui;

namespace {

// The source tree's guide (tests/data/../../docs/user-guide.md).
QString sourceGuidePath() {
    return QDir(graphace::testing::testDataDir())
        .filePath(QStringLiteral("../../docs/user-guide.md"));
}

QByteArray readAll(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// Text of the first "# " heading of a Markdown document.
QString firstHeading(const QByteArray& markdown) {
    for (const QByteArray& line : markdown.split('\n'))
        if (line.startsWith("# "))
            return QString::fromUtf8(line.mid(2)).trimmed();
    return {};
}

QString lineStartingWith(const QString& text, const QString& prefix) {
    for (const QString& line : text.split(QLatin1Char('\n')))
        if (line.startsWith(prefix))
            return line;
    return {};
}

} // namespace

class TestGuiAbout : public QObject {
    Q_OBJECT
public:
    static void initMain() { testing::prepareGuiTestProcess(); }

private Q_SLOTS:
    void aboutTextNamesEveryVersion() {
        const QString text = aboutText(collectAboutInfo());
        qInfo().noquote() << text;
        // The CMake project version, as configured into version.h (the single source).
        QVERIFY2(text.startsWith(QStringLiteral("GraphACE Studio %1\n").arg(kVersion)),
                 qPrintable(text));
        // Qt: both the library in use and the headers it was built against.
        QCOMPARE(lineStartingWith(text, QStringLiteral("Qt: ")),
                 QStringLiteral("Qt: %1 (built with %2)").arg(qVersion(), QT_VERSION_STR));
        // VTK: the build requires 9.1 (find_package(VTK 9.1)); a full x.y.z version.
        QVERIFY2(QRegularExpression(QStringLiteral("^VTK: 9\\.\\d+\\.\\d+$"))
                     .match(lineStartingWith(text, QStringLiteral("VTK: ")))
                     .hasMatch(),
                 qPrintable(text));
        // LibTorch: the linked library's own version string, and it looks like one.
        const TorchInfo torch = torchInfo();
        QVERIFY(QRegularExpression(QStringLiteral("^\\d+\\.\\d+"))
                    .match(QString::fromStdString(torch.version))
                    .hasMatch());
        QCOMPARE(lineStartingWith(text, QStringLiteral("LibTorch: ")),
                 QStringLiteral("LibTorch: %1").arg(QString::fromStdString(torch.version)));
        // The window loads the network on demand: from the build tree's library here.
        QCOMPARE(
            lineStartingWith(text, QStringLiteral("Network library: ")),
            QStringLiteral("Network library: %1").arg(QString::fromStdString(gcnLibraryPath())));
        QVERIFY2(QFileInfo::exists(QString::fromStdString(gcnLibraryPath())), qPrintable(text));
        QVERIFY(gcnLibraryLoaded());
        const QString cuda = lineStartingWith(text, QStringLiteral("CUDA: "));
        if (torch.cudaAvailable)
            QVERIFY2(cuda.startsWith(QStringLiteral("CUDA: available (")), qPrintable(cuda));
        else
            QCOMPARE(cuda, QStringLiteral("CUDA: not available"));
        QVERIFY(!lineStartingWith(text, QStringLiteral("OpenGL: ")).isEmpty());
    }

    void aboutTextFormatsCuda() {
        AboutInfo info;
        info.graphaceVersion = QStringLiteral("9.9.9");
        info.cudaAvailable = true;
        info.cudaDevices = 2;
        QVERIFY(aboutText(info).contains(QStringLiteral("\nCUDA: available (2 devices)\n")));
        info.cudaDevices = 1;
        QVERIFY(aboutText(info).contains(QStringLiteral("\nCUDA: available (1 device)\n")));
        info.cudaAvailable = false;
        QVERIFY(aboutText(info).contains(QStringLiteral("\nCUDA: not available\n")));
        QVERIFY(aboutText(info).endsWith(QStringLiteral("OpenGL: unknown")));
    }

    void aboutDialogShowsTheText() {
        AboutDialog dialog;
        QVERIFY(dialog.text().contains(QStringLiteral("VTK: ")));
        auto* versions = dialog.findChild<QPlainTextEdit*>(QStringLiteral("aboutVersions"));
        QVERIFY(versions);
        QCOMPARE(versions->toPlainText(), dialog.text());
    }

    void helpMenuHasBothActions() {
        MainWindow window;
        auto* help = window.menuBar()->findChild<QMenu*>(QStringLiteral("helpMenu"));
        QVERIFY(help);
        QStringList names;
        for (QAction* action : help->actions())
            names << action->objectName();
        QVERIFY2(names.contains(QStringLiteral("actionAbout")), qPrintable(names.join(',')));
        QVERIFY2(names.contains(QStringLiteral("actionUserGuide")), qPrintable(names.join(',')));
        // Triggering the guide opens a (non-modal) dialog showing the guide.
        for (QAction* action : help->actions())
            if (action->objectName() == QStringLiteral("actionUserGuide"))
                action->trigger();
        auto* dialog = window.findChild<UserGuideDialog*>();
        QVERIFY(dialog);
        QVERIFY(dialog->isVisible());
        QVERIFY(!dialog->browser()->toPlainText().isEmpty());
        dialog->close();
    }

    void userGuideShowsTheGuide() {
        const QByteArray markdown = readAll(sourceGuidePath());
        QVERIFY2(!markdown.isEmpty(), qPrintable(sourceGuidePath()));
        const QString heading = firstHeading(markdown);
        QVERIFY(!heading.isEmpty());
        UserGuideDialog dialog;
        // From a build folder the source tree's copy is found (nothing is installed beside
        // the test executable), and it is the file that was read above.
        QCOMPARE(QFileInfo(dialog.guidePath()).canonicalFilePath(),
                 QFileInfo(sourceGuidePath()).canonicalFilePath());
        QVERIFY2(dialog.browser()->toPlainText().contains(heading), qPrintable(heading));
        // Rendered as Markdown, not shown as source: no "# " left at the start of the text.
        QVERIFY(!dialog.browser()->toPlainText().startsWith(QStringLiteral("# ")));
    }

    void userGuideContentsAndImagesWork() {
        const QByteArray markdown = readAll(sourceGuidePath());
        UserGuideDialog dialog;
        dialog.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dialog));
        // Every "](#anchor)" link of the contents leads somewhere: following it scrolls down.
        const QRegularExpression link(QStringLiteral("\\]\\(#([a-z0-9-]+)\\)"));
        int links = 0;
        for (auto it = link.globalMatch(QString::fromUtf8(markdown)); it.hasNext(); ++links) {
            const QString anchor = it.next().captured(1);
            dialog.browser()->verticalScrollBar()->setValue(0);
            dialog.browser()->scrollToAnchor(anchor);
            QVERIFY2(dialog.browser()->verticalScrollBar()->value() > 0, qPrintable(anchor));
        }
        QVERIFY(links >= 5);
        // Every screenshot loads, and none is wider than the dialog (no sideways scrolling).
        const QRegularExpression image(QStringLiteral("\\]\\((images/[^)]+\\.png)\\)"));
        int images = 0;
        for (auto it = image.globalMatch(QString::fromUtf8(markdown)); it.hasNext(); ++images) {
            const QString name = it.next().captured(1);
            const QVariant data =
                dialog.browser()->document()->resource(QTextDocument::ImageResource, QUrl(name));
            QVERIFY2(!data.value<QImage>().isNull() || !data.value<QPixmap>().isNull(),
                     qPrintable(name));
        }
        QVERIFY(images >= 3);
        QCOMPARE(dialog.browser()->horizontalScrollBar()->maximum(), 0);
    }

    void embeddedGuideIsCurrent() {
        // The fallback copy compiled into the program is the guide in the source tree.
        const QByteArray embedded = readAll(QString::fromLatin1(kEmbeddedUserGuide));
        QVERIFY(!embedded.isEmpty());
        QCOMPARE(embedded, readAll(sourceGuidePath()));
        QTextBrowser browser;
        browser.setSource(QUrl(QStringLiteral("qrc") + QString::fromLatin1(kEmbeddedUserGuide)),
                          QTextDocument::MarkdownResource);
        QVERIFY(browser.toPlainText().contains(firstHeading(embedded)));
    }
};

QTEST_MAIN(TestGuiAbout)
#include "test_gui_about.moc"
