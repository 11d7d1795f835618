// graphace-studio as a program: --version, --help, --screenshot, errors on bad input.
// Needs a display (run under xvfb-run).
#include "graphace/extxyz.h"
#include "graphace/sample_dataset.h"
#include "graphace/version.h"
#include "testing.h"

#include <QImage>
#include <QProcess>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <fstream>

using namespace graphace;

namespace {

struct Run {
    int exitCode = -1;
    QString out;
    QString err;
};

Run studio(const QStringList& arguments, int timeoutMs = 180000) {
    QProcess process;
    // A private settings folder: recent-file lists of test runs stay out of the user's.
    static QTemporaryDir config;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path());
    environment.insert(QStringLiteral("XDG_DATA_HOME"), config.path() + QStringLiteral("/data"));
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(GRAPHACE_STUDIO), arguments);
    Run run;
    if (!process.waitForFinished(timeoutMs)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2;
    run.out = QString::fromLocal8Bit(process.readAllStandardOutput());
    run.err = QString::fromLocal8Bit(process.readAllStandardError());
    return run;
}

// Checks what a person would see: a full-size, opaque, detailed picture.
void checkScreenshot(const QString& path) {
    QImage image(path);
    QVERIFY2(!image.isNull(), qPrintable(path));
    QVERIFY(image.width() >= 800 && image.height() >= 600);
    QSet<QRgb> colours;
    int transparent = 0;
    for (int y = 0; y < image.height(); y += 3)
        for (int x = 0; x < image.width(); x += 3) {
            const QRgb p = image.pixel(x, y);
            transparent += qAlpha(p) != 255 ? 1 : 0;
            colours.insert(p);
        }
    QCOMPARE(transparent, 0);
    QVERIFY2(colours.size() > 500, qPrintable(QString::number(colours.size())));
    // The 3D view sits left of centre; its background is a dark gradient with coloured atoms:
    // the middle of that area is neither one colour nor the widget grey.
    QSet<QRgb> viewColours;
    const QRect view(image.width() * 35 / 100, image.height() * 25 / 100, image.width() / 5,
                     image.height() / 3);
    for (int y = view.top(); y < view.bottom(); y += 2)
        for (int x = view.left(); x < view.right(); x += 2)
            viewColours.insert(image.pixel(x, y));
    QVERIFY2(viewColours.size() > 100, qPrintable(QString::number(viewColours.size())));
}

} // namespace

class TestGuiScreenshot : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;

private Q_SLOTS:
    void version() {
        const Run run = studio({QStringLiteral("--version")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY2(run.out.contains(QString::fromUtf8(kVersion)), qPrintable(run.out));
    }

    void help() {
        const Run run = studio({QStringLiteral("--help")});
        QCOMPARE(run.exitCode, 0);
        QVERIFY(run.out.contains(QStringLiteral("--screenshot")));
        QVERIFY(run.out.contains(QStringLiteral("FILE")));
    }

    void screenshotOfFile() {
        SampleOptions options;
        options.configurations = 3;
        const QString file = m_dir.filePath(QStringLiteral("three.xyz"));
        writeExtxyzFile(file.toStdString(), generateSampleDataset(options));
        const QString png = m_dir.filePath(QStringLiteral("file.png"));
        const Run run = studio({QStringLiteral("--screenshot"), png, file});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        QVERIFY(QFileInfo::exists(png));
        checkScreenshot(png);
    }

    // No file: the built-in sample is shown.
    void screenshotOfSample() {
        const QString png = m_dir.filePath(QStringLiteral("sample.png"));
        const Run run = studio({QStringLiteral("--screenshot"), png});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        checkScreenshot(png);
    }

    void badFileFailsWithFileAndLine() {
        const QString bad = m_dir.filePath(QStringLiteral("bad.xyz"));
        {
            std::ofstream out(bad.toStdString());
            out << "1\nProperties=species:S:1:pos:R:3\nXx 0 0 0\n";
        }
        const QString png = m_dir.filePath(QStringLiteral("bad.png"));
        const Run run = studio({QStringLiteral("--screenshot"), png, bad});
        QVERIFY(run.exitCode != 0);
        QVERIFY2(run.err.contains(bad) && run.err.contains(QStringLiteral("line 3")),
                 qPrintable(run.err));
        QVERIFY(!QFileInfo::exists(png));
    }

    void badCutoffIsRefused() {
        const Run run =
            studio({QStringLiteral("--cutoff"), QStringLiteral("42"),
                    QStringLiteral("--screenshot"), m_dir.filePath(QStringLiteral("x.png"))});
        QVERIFY(run.exitCode != 0);
        QVERIFY(run.err.contains(QStringLiteral("--cutoff")));
    }
};

QTEST_APPLESS_MAIN(TestGuiScreenshot)
#include "test_gui_screenshot.moc"
