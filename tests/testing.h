#pragma once
// Shared helpers for the QtTest suites.
#include <QDir>
#include <QProcess>
#include <QString>
#include <QtTest>

#include <exception>

namespace graphace::testing {

// The message of the exception `f` throws; "<no exception>" (which no check expects) otherwise.
template <typename F> QString errorOf(F&& f) {
    try {
        f();
    } catch (const std::exception& e) {
        return QString::fromUtf8(e.what());
    }
    return QStringLiteral("<no exception>");
}

// The `graphace` CLI run to completion (no timeout a slow CI machine could hit: 10 minutes).
struct CliResult {
    int exitCode = -1; // -2: crashed
    QByteArray out;
    QByteArray err;
};

inline CliResult runCli(const QStringList& arguments) {
    QProcess process;
    process.start(QStringLiteral(GRAPHACE_CLI), arguments);
    if (!process.waitForFinished(600000))
        qFatal("graphace did not finish: %s", qPrintable(arguments.join(' ')));
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -2,
            process.readAllStandardOutput(), process.readAllStandardError()};
}

// ../shared/data (or $GRAPHACE_DATA_DIR): real datasets, never copied into the repository.
inline QString sharedDataDir() {
    const QByteArray fromEnv = qgetenv("GRAPHACE_DATA_DIR");
    return fromEnv.isEmpty() ? QStringLiteral(GRAPHACE_SHARED_DATA)
                             : QString::fromLocal8Bit(fromEnv);
}

inline bool haveSharedData() {
    return QDir(sharedDataDir()).exists(QStringLiteral("README.md"));
}

// Every extended-XYZ file of the shared data, sorted; empty when the data is absent.
inline QStringList sharedDataFiles() {
    QStringList files;
    if (!haveSharedData())
        return files;
    QDir root(sharedDataDir());
    for (const QString& sub : root.entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name)) {
        QDir dir(root.filePath(sub));
        for (const QString& f : dir.entryList({"*.xyz", "*.extxyz"}, QDir::Files, QDir::Name))
            files << dir.filePath(f);
    }
    return files;
}

inline QString testDataDir() {
    return QStringLiteral(GRAPHACE_TEST_DATA);
}

} // namespace graphace::testing

// Skips the current test with a message that says what is missing and how to provide it.
#define GRAPHACE_REQUIRE_SHARED_DATA()                                                             \
    do {                                                                                           \
        if (!graphace::testing::haveSharedData())                                                  \
            QSKIP(qPrintable(QStringLiteral("shared data not found at %1 (set GRAPHACE_DATA_DIR)") \
                                 .arg(graphace::testing::sharedDataDir())));                       \
    } while (0)
