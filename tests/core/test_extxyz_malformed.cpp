// Malformed extended-XYZ input: every file in tests/data/malformed must fail with exactly the
// ParseError (line and message) recorded in tests/data/malformed/expected.tsv, and no input,
// however mangled, may crash the reader or end in anything but a ParseError.
#include "testing.h"

#include "graphace/error.h"
#include "graphace/extxyz.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QtTest>

#include <map>
#include <sstream>
#include <string>

using namespace graphace;

namespace {

struct Expected {
    long line = 0;
    QString message;
    ExtxyzReadOptions options;
};

QString corpusDir() {
    return QDir(graphace::testing::testDataDir()).filePath("malformed");
}

// expected.tsv: a header row, then file, line, message and options (energyKey=K or forcesKey=K).
std::map<QString, Expected> readExpected() {
    std::map<QString, Expected> table;
    QFile file(QDir(corpusDir()).filePath("expected.tsv"));
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return table;
    bool header = true;
    while (!file.atEnd()) {
        const QString line = QString::fromUtf8(file.readLine()).chopped(1);
        if (header || line.isEmpty()) {
            header = false;
            continue;
        }
        const QStringList parts = line.split('\t');
        if (parts.size() < 3)
            continue;
        Expected e;
        e.line = parts[1].toLong();
        e.message = parts[2];
        if (parts.size() > 3 && parts[3].startsWith("energyKey="))
            e.options.energyKey = parts[3].mid(10).toStdString();
        if (parts.size() > 3 && parts[3].startsWith("forcesKey="))
            e.options.forcesKey = parts[3].mid(10).toStdString();
        table[parts[0]] = e;
    }
    return table;
}

// A valid two-configuration file to mangle.
const char* const kValid =
    "2\n"
    "Lattice=\"5.43 0 0 0 5.43 0 0 0 5.43\" Properties=species:S:1:pos:R:3:forces:R:3:Z:I:1 "
    "energy=-10.8 stress=\"1 2 3 4 5 6\" config_type=bulk pbc=\"T T T\"\n"
    "Si 0.0 0.0 0.0 0.1 0.2 0.3 14\n"
    "Si 1.3575 1.3575 1.3575 -0.1 -0.2 -0.3 14\n"
    "1\n"
    "Properties=species:S:1:pos:R:3 energy=-1.5 spacegroup=\"P 1\"\n"
    "H 0 0 0\n";

// Reading must succeed or throw ParseError; anything else fails the test.
bool readsOrParseError(const std::string& text, QString* other) {
    try {
        readExtxyzString(text, "fuzz");
        return true;
    } catch (const ParseError& e) {
        if (e.line() < 0)
            *other = "negative line number";
        return false;
    } catch (const std::exception& e) {
        *other = QString::fromStdString(e.what());
        return false;
    }
}

} // namespace

class TestExtxyzMalformed : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void corpusAndTableMatch();
    void corpusFile_data();
    void corpusFile();
    void stringSourceGivesSameError();
    void streamingReaderKeepsGoodConfigurations();
    void missingFileAndFolder();
    void everyPrefixReadsOrFails();
    void mangledBytesReadOrFail();
};

void TestExtxyzMalformed::corpusAndTableMatch() {
    const auto table = readExpected();
    const QStringList files = QDir(corpusDir()).entryList({"*.xyz"}, QDir::Files, QDir::Name);
    QVERIFY2(files.size() >= 30, qPrintable(QString("only %1 corpus files").arg(files.size())));
    for (const QString& f : files)
        QVERIFY2(table.count(f), qPrintable(f + " has no entry in expected.tsv"));
    for (const auto& [name, expected] : table) {
        QVERIFY2(files.contains(name), qPrintable(name + " is in expected.tsv but not a file"));
        QVERIFY2(expected.line >= 1, qPrintable(name + ": line must be 1-based"));
        QVERIFY2(!expected.message.isEmpty(), qPrintable(name + ": empty message"));
    }
}

void TestExtxyzMalformed::corpusFile_data() {
    QTest::addColumn<QString>("path");
    QTest::addColumn<long>("line");
    QTest::addColumn<QString>("message");
    QTest::addColumn<QString>("energyKey");
    QTest::addColumn<QString>("forcesKey");
    const QDir dir(corpusDir());
    for (const auto& [name, e] : readExpected())
        QTest::newRow(qPrintable(name)) << dir.filePath(name) << e.line << e.message
                                        << QString::fromStdString(e.options.energyKey)
                                        << QString::fromStdString(e.options.forcesKey);
}

void TestExtxyzMalformed::corpusFile() {
    QFETCH(QString, path);
    QFETCH(long, line);
    QFETCH(QString, message);
    QFETCH(QString, energyKey);
    QFETCH(QString, forcesKey);
    ExtxyzReadOptions options;
    options.energyKey = energyKey.toStdString();
    options.forcesKey = forcesKey.toStdString();
    try {
        const Dataset d = readExtxyzFile(path.toStdString(), options);
        QFAIL(qPrintable(QString("read %1 configurations instead of failing").arg(d.size())));
    } catch (const ParseError& e) {
        QCOMPARE(QString::fromStdString(e.message()), message);
        QCOMPARE(e.line(), line);
        QCOMPARE(QString::fromStdString(e.file()), path);
        const QString what = QString::fromStdString(e.what());
        QCOMPARE(what, QString("%1:%2: %3").arg(path).arg(line).arg(message));
    }
}

void TestExtxyzMalformed::stringSourceGivesSameError() {
    QFile file(QDir(corpusDir()).filePath("09_bad_number.xyz"));
    QVERIFY(file.open(QIODevice::ReadOnly));
    const std::string text = file.readAll().toStdString();
    try {
        readExtxyzString(text, "pasted text");
        QFAIL("no error");
    } catch (const ParseError& e) {
        QCOMPARE(e.file(), std::string("pasted text"));
        QCOMPARE(e.line(), 3L);
        QCOMPARE(e.message(),
                 std::string("pos value '1.2.3' of atom 1 is not a finite real number"));
    }
}

void TestExtxyzMalformed::streamingReaderKeepsGoodConfigurations() {
    // The second configuration is broken: the first still comes out, then the error.
    std::istringstream in("1\nProperties=species:S:1:pos:R:3\nH 0 0 0\n"
                          "1\nProperties=species:S:1:pos:R:3\nH 0 zero 0\n");
    ExtxyzReader reader(in, "stream");
    Structure s;
    QVERIFY(reader.next(s));
    QCOMPARE(s.size(), std::size_t(1));
    QCOMPARE(reader.line(), 3L);
    try {
        reader.next(s);
        QFAIL("no error for the second configuration");
    } catch (const ParseError& e) {
        QCOMPARE(e.line(), 6L);
        QCOMPARE(e.message(),
                 std::string("pos value 'zero' of atom 1 is not a finite real number"));
    }
}

void TestExtxyzMalformed::missingFileAndFolder() {
    const std::string missing = (QDir(corpusDir()).filePath("no_such_file.xyz")).toStdString();
    try {
        readExtxyzFile(missing);
        QFAIL("no error for a missing file");
    } catch (const ParseError& e) {
        QCOMPARE(e.file(), missing);
        QVERIFY2(e.message().find("cannot open") != std::string::npos, e.what());
    }
    try {
        readExtxyzFile(corpusDir().toStdString());
        QFAIL("no error for a folder");
    } catch (const ParseError& e) {
        QCOMPARE(e.file(), corpusDir().toStdString());
        QVERIFY2(e.message().find("folder") != std::string::npos, e.what());
    }
}

void TestExtxyzMalformed::everyPrefixReadsOrFails() {
    const std::string text = kValid;
    const Dataset whole = readExtxyzString(text);
    QCOMPARE(whole.size(), std::size_t(2));
    int parsed = 0;
    for (std::size_t n = 0; n < text.size(); ++n) {
        QString other;
        if (readsOrParseError(text.substr(0, n), &other))
            ++parsed;
        QVERIFY2(other.isEmpty(), qPrintable(QString("prefix %1: %2").arg(n).arg(other)));
    }
    // Only cuts at (or inside the last number of) a configuration's last line can be complete.
    QVERIFY(parsed > 0);
    QVERIFY(parsed < 20);
}

void TestExtxyzMalformed::mangledBytesReadOrFail() {
    const std::string text = kValid;
    const char replacements[] = {' ', '\n', '"', '=', ':',  '[',  '{',  '\t', '\0', 'x',
                                 '-', '.',  '9', 'T', '\r', '\'', '\\', ',',  'e',  '\x7f'};
    QRandomGenerator random(20240601); // fixed seed: a failure can be replayed
    for (int trial = 0; trial < 4000; ++trial) {
        std::string mangled = text;
        const int edits = 1 + static_cast<int>(random.bounded(3));
        for (int k = 0; k < edits; ++k) {
            const auto at = random.bounded(static_cast<quint32>(mangled.size()));
            const char c = replacements[random.bounded(static_cast<quint32>(sizeof replacements))];
            if (random.bounded(4) == 0)
                mangled.erase(at, 1);
            else
                mangled[at] = c;
        }
        QString other;
        readsOrParseError(mangled, &other);
        QVERIFY2(other.isEmpty(), qPrintable(QString("trial %1: %2").arg(trial).arg(other)));
    }
}

QTEST_APPLESS_MAIN(TestExtxyzMalformed)
#include "test_extxyz_malformed.moc"
