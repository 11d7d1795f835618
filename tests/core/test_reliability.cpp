// Files are never half-written: the CLI's writers are killed at random moments (SIGKILL) and
// run out of file space (ulimit -f, the signal ignored so that the write itself fails), and
// every file left behind must parse, the previous version must survive a failed write, and no
// temporary file may be left by a write that failed cleanly.

#include "testing.h"

#include "graphace/atomic_file.h"
#include "graphace/error.h"
#include "graphace/extxyz.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

using namespace graphace;
using graphace::testing::runCli;

namespace {

QByteArray contents(const QString& path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) ? file.readAll() : QByteArray();
}

// The leftovers of writers: PATH.tmp.PID files next to `path`.
QStringList temporariesOf(const QString& path) {
    const QFileInfo info(path);
    return info.dir().entryList({info.fileName() + QStringLiteral(".tmp.*")}, QDir::Files);
}

// `graphace ARGS` in a shell whose files may grow to `kib` KiB, SIGXFSZ ignored so that the
// write fails with EFBIG (what a full disk looks like to the program) instead of killing it.
testing::CliResult runWithFileLimit(int kib, const QStringList& arguments) {
    QStringList quoted;
    for (const QString& a : arguments)
        quoted << QStringLiteral("'%1'").arg(a);
    QProcess process;
    process.start(QStringLiteral("/bin/bash"),
                  {QStringLiteral("-c"), QStringLiteral("trap '' XFSZ; ulimit -f %1; exec '%2' %3")
                                             .arg(kib)
                                             .arg(QStringLiteral(GRAPHACE_CLI), quoted.join(' '))});
    if (!process.waitForFinished(600000))
        qFatal("graphace did not finish: %s", qPrintable(arguments.join(' ')));
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

} // namespace

class TestReliability : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void killedWritersLeaveCompleteFiles() {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("data.xyz"));
        const QStringList base = {QStringLiteral("sample"), QStringLiteral("--out"), path,
                                  QStringLiteral("--configurations"), QStringLiteral("150")};
        // An uninterrupted run: its duration sets the range of the kill times.
        QElapsedTimer clock;
        clock.start();
        QCOMPARE(runCli(base + QStringList{QStringLiteral("--seed"), QStringLiteral("1")}).exitCode,
                 0);
        const qint64 duration = std::max<qint64>(clock.elapsed(), 20);
        QCOMPARE(readExtxyzFile(path.toStdString()).size(), std::size_t(150));

        std::mt19937 random(7);
        int killedBeforeTheEnd = 0, changed = 0;
        for (int round = 0; round < 12; ++round) {
            const QByteArray before = contents(path);
            QProcess writer;
            writer.start(QStringLiteral(GRAPHACE_CLI),
                         base + QStringList{QStringLiteral("--seed"), QString::number(round + 2)});
            QVERIFY(writer.waitForStarted());
            const int delay =
                std::uniform_int_distribution<int>(0, static_cast<int>(duration * 12 / 10))(random);
            // The last writer always runs to the end: under load (a parallel ctest) every random
            // moment may come before a writer's finish, and a changed file must still be seen.
            if (!writer.waitForFinished(round == 11 ? 600000 : delay)) {
                writer.kill(); // SIGKILL
                writer.waitForFinished();
                ++killedBeforeTheEnd;
            }
            // Whatever the moment: the file is a whole dataset, the old one or the new one; a
            // killed writer's partial output is only ever its own PATH.tmp.PID.
            const Dataset read = readExtxyzFile(path.toStdString());
            QCOMPARE(read.size(), std::size_t(150));
            changed += contents(path) != before ? 1 : 0;
        }
        // Some writers finished (the file changed), some were killed (it did not).
        QVERIFY2(changed >= 1, "no writer finished");
        QVERIFY2(killedBeforeTheEnd >= 3,
                 qPrintable(QStringLiteral("only %1 writers were killed").arg(killedBeforeTheEnd)));
    }

    void fullDiskKeepsThePreviousFile_data() {
        QTest::addColumn<QStringList>("arguments"); // %1: the output file, %2: a data file
        QTest::addColumn<QString>("name");
        QTest::addRow("sample (extended XYZ)")
            << QStringList{QStringLiteral("sample"), QStringLiteral("--out"), QStringLiteral("%1"),
                           QStringLiteral("--configurations"), QStringLiteral("40")}
            << QStringLiteral("data.xyz");
        QTest::addRow("descriptors (streamed CSV)")
            << QStringList{QStringLiteral("descriptors"), QStringLiteral("%2"),
                           QStringLiteral("--out"), QStringLiteral("%1")}
            << QStringLiteral("descriptors.csv");
        QTest::addRow("fit-linear --json")
            << QStringList{QStringLiteral("fit-linear"),
                           QStringLiteral("--train"),
                           QStringLiteral("%2"),
                           QStringLiteral("--json"),
                           QStringLiteral("%1"),
                           QStringLiteral("--set"),
                           QStringLiteral("ace.max_degree_per_order=[6,4,3]")}
            << QStringLiteral("fit.json");
    }

    void fullDiskKeepsThePreviousFile() {
        QFETCH(QStringList, arguments);
        QFETCH(QString, name);
        QTemporaryDir dir;
        const QString data = dir.filePath(QStringLiteral("input.xyz"));
        QCOMPARE(runCli({QStringLiteral("sample"), QStringLiteral("--out"), data,
                         QStringLiteral("--configurations"), QStringLiteral("6")})
                     .exitCode,
                 0);
        const QString path = dir.filePath(name);
        const QByteArray previous = "the previous version\n";
        {
            QFile file(path);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write(previous);
        }
        for (QString& a : arguments)
            a.replace(QStringLiteral("%1"), path).replace(QStringLiteral("%2"), data);
        // 1 KiB of room: every one of these outputs is larger.
        const testing::CliResult result = runWithFileLimit(1, arguments);
        QVERIFY2(result.exitCode > 0, qPrintable(QString::number(result.exitCode)));
        const QString error = QString::fromUtf8(result.err);
        QVERIFY2(error.contains(path) && error.contains(QStringLiteral("File too large")),
                 qPrintable(error));
        QCOMPARE(contents(path), previous);
        QVERIFY2(temporariesOf(path).isEmpty(), qPrintable(temporariesOf(path).join(' ')));
        // With room, the same command replaces it.
        QCOMPARE(runCli(arguments).exitCode, 0);
        QVERIFY(contents(path) != previous);
        QVERIFY(contents(path).size() > 1024);
    }

    void atomicWriteReportsAndCleansUp() {
        QTemporaryDir dir;
        // A folder that does not exist: the error names the path, nothing is created.
        const std::string missing = dir.filePath(QStringLiteral("no/such/file.txt")).toStdString();
        const QString error = testing::errorOf([&] { writeFileAtomically(missing, "x"); });
        QVERIFY2(error.contains(QString::fromStdString(missing)), qPrintable(error));
        // A writer that fails: its exception passes unchanged, its temporary is gone.
        const std::string path = dir.filePath(QStringLiteral("out.txt")).toStdString();
        writeFileAtomically(path, "first\n");
        try {
            writeAtomically(path, [](const std::string& temporary) {
                QFile(QString::fromStdString(temporary)).open(QIODevice::WriteOnly);
                throw std::invalid_argument("the writer's own reason");
            });
            QFAIL("no exception");
        } catch (const std::invalid_argument& e) {
            QCOMPARE(QString::fromUtf8(e.what()), QStringLiteral("the writer's own reason"));
        }
        QCOMPARE(contents(QString::fromStdString(path)), QByteArray("first\n"));
        QVERIFY(temporariesOf(QString::fromStdString(path)).isEmpty());
        writeFileAtomically(path, "second\n");
        QCOMPARE(contents(QString::fromStdString(path)), QByteArray("second\n"));
    }
};

QTEST_GUILESS_MAIN(TestReliability)
#include "test_reliability.moc"
