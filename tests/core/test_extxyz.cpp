// Extended-XYZ reading and writing, and the element table: header variants, key choice, exact
// round trips, and known facts of the real datasets in ../shared/data.
#include "testing.h"

#include "graphace/chemical_formula.h"
#include "graphace/element.h"
#include "graphace/error.h"
#include "graphace/extxyz.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>
#include <stdexcept>

using namespace graphace;

namespace {

Structure readOne(const std::string& text, const ExtxyzReadOptions& options = {}) {
    const Dataset d = readExtxyzString(text, "<test>", options);
    if (d.size() != 1)
        throw std::runtime_error("expected one configuration");
    return d.structures.front();
}

std::string writeToString(const Dataset& d) {
    std::ostringstream out;
    writeExtxyz(out, d);
    return out.str();
}

QString sharedFile(const QString& relative) {
    return QDir(graphace::testing::sharedDataDir()).filePath(relative);
}

// Independent of the reader: counts configurations and atoms by skipping count + 1 lines.
bool scanFile(const QString& path, int* configurations, long* atoms) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QList<QByteArray> lines = file.readAll().split('\n');
    *configurations = 0;
    *atoms = 0;
    for (qsizetype i = 0; i < lines.size();) {
        if (lines[i].trimmed().isEmpty()) {
            ++i;
            continue;
        }
        bool ok = false;
        const int n = lines[i].trimmed().toInt(&ok);
        if (!ok)
            return false;
        ++*configurations;
        *atoms += n;
        i += n + 2;
    }
    return true;
}

// Whitespace-separated fields of a line of a file (1-based).
QStringList fieldsOfLine(const QString& path, int lineNumber) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    for (int k = 1; !file.atEnd(); ++k) {
        const QString line = QString::fromUtf8(file.readLine());
        if (k == lineNumber)
            return line.split(QRegularExpression("\\s+"), Qt::SkipEmptyParts);
    }
    return {};
}

QString headerOf(const QString& path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly | QIODevice::Text))
        return {};
    file.readLine();
    return QString::fromUtf8(file.readLine()).trimmed();
}

// Values of key="a b c" in a header line, parsed with Qt (not the reader under test).
QList<double> quotedNumbers(const QString& header, const QString& key) {
    const QRegularExpression re(QString("(?:^|\\s)%1\\s*=\\s*\"([^\"]*)\"").arg(key));
    const auto match = re.match(header);
    QList<double> values;
    if (match.hasMatch())
        for (const QString& t : match.captured(1).split(' ', Qt::SkipEmptyParts))
            values << t.toDouble();
    return values;
}

// Everything the reader fills in except provenance, compared exactly.
QString firstDifference(const Structure& a, const Structure& b) {
    if (a.cell != b.cell)
        return "cell";
    if (a.pbc != b.pbc)
        return "pbc";
    if (a.numbers != b.numbers)
        return "numbers";
    if (a.positions != b.positions)
        return "positions";
    if (a.energy != b.energy)
        return "energy";
    if (a.forces != b.forces)
        return "forces";
    if (a.stress.has_value() != b.stress.has_value() || (a.stress && *a.stress != *b.stress))
        return "stress";
    if (a.virial.has_value() != b.virial.has_value() || (a.virial && *a.virial != *b.virial))
        return "virial";
    if (a.info != b.info)
        return "info";
    if (a.energyKey != b.energyKey)
        return "energyKey";
    if (a.forcesKey != b.forcesKey)
        return "forcesKey";
    if (a.extraProperties.size() != b.extraProperties.size())
        return "number of extra properties";
    for (std::size_t k = 0; k < a.extraProperties.size(); ++k) {
        const auto& p = a.extraProperties[k];
        const auto& q = b.extraProperties[k];
        if (p.name != q.name || p.type != q.type || p.columns != q.columns || p.values != q.values)
            return QString::fromStdString("extra property " + p.name);
    }
    return {};
}

const char* const kTiAlHeader =
    "Lattice=\"2.614036117884091 0.0 0.0 0.0 2.6528336296738044 0.0 0.0 0.0 3.8250280122051756\"";

} // namespace

class TestExtxyz : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Hill notation, as the CLI and the window both write it.
    void chemicalFormulaIsHill() {
        QCOMPARE(chemicalFormula({6, 1, 1, 1, 1}), std::string("CH4"));
        QCOMPARE(chemicalFormula({1, 6, 6, 8, 1, 1, 1, 1, 1}), std::string("C2H6O"));
        QCOMPARE(chemicalFormula({8, 6, 8}), std::string("CO2"));
        QCOMPARE(chemicalFormula({7, 1, 6}), std::string("CHN"));
        QCOMPARE(chemicalFormula({1, 8, 1}), std::string("H2O")); // no carbon: alphabetical
        QCOMPARE(chemicalFormula({17, 11}), std::string("ClNa"));
        QCOMPARE(chemicalFormula({8, 72, 8}), std::string("HfO2"));
        QCOMPARE(chemicalFormula({}), std::string());
    }

    void elementTable();
    void elementSymbolsAreCaseInsensitive();
    void readsFullConfiguration();
    void latticeAndPbcVariants_data();
    void latticeAndPbcVariants();
    void plainXyzHasNoCell();
    void energyKeyChoice();
    void forcesKeyChoice();
    void stressAndVirial();
    void quotedAndBracketedValues();
    void speciesAndZColumns();
    void extraColumnsKeptVerbatim();
    void blankLinesAndLineEndings();
    void streamingReader();
    void progressAndCancel();
    void writerFormat();
    void writerKeepsKeysAndQuotes();
    void writerRejectsInconsistentStructures();
    void writeFileIsAtomic();

    void sharedConfigurationCounts();
    void sharedFilesRoundTrip_data();
    void sharedFilesRoundTrip();
    void sharedHfO2PicksEnergyNotFreeEnergy();
    void sharedTiAlForceAndVirial();
    void sharedTaSpacedLattice();
    void sharedZuoFirstAtoms();
    void sharedSi3BodyVoigtStress();
};

void TestExtxyz::elementTable() {
    const Element& h = elementByNumber(1);
    QCOMPARE(QString(h.symbol), QString("H"));
    QCOMPARE(QString(h.name), QString("Hydrogen"));
    QCOMPARE(h.mass, 1.008);
    QCOMPARE(h.covalentRadius, 0.31);
    QCOMPARE(h.colour, (std::array<float, 3>{1.0f, 1.0f, 1.0f}));
    // Cordero 2008 radii and IUPAC weights of the elements in the shared data.
    QCOMPARE(elementByNumber(14).covalentRadius, 1.11);
    QCOMPARE(elementByNumber(14).mass, 28.085);
    QCOMPARE(elementByNumber(29).covalentRadius, 1.32);
    QCOMPARE(elementByNumber(29).mass, 63.546);
    QCOMPARE(elementByNumber(42).covalentRadius, 1.54);
    QCOMPARE(elementByNumber(73).covalentRadius, 1.70);
    QCOMPARE(elementByNumber(72).covalentRadius, 1.75);
    QCOMPARE(elementByNumber(72).mass, 178.49);
    QCOMPARE(QString(elementByNumber(72).name), QString("Hafnium"));
    QCOMPARE(elementByNumber(8).covalentRadius, 0.66);
    QCOMPARE(elementByNumber(6).covalentRadius, 0.76);
    QCOMPARE(elementByNumber(22).covalentRadius, 1.60);
    QCOMPARE(elementByNumber(13).covalentRadius, 1.21);
    QCOMPARE(elementByNumber(96).covalentRadius, 1.69); // Cm, the last one Cordero gives
    QCOMPARE(elementByNumber(97).covalentRadius, 1.5);  // unknown
    QCOMPARE(elementByNumber(118).covalentRadius, 1.5);
    QCOMPARE(QString(elementByNumber(118).symbol), QString("Og"));
    // Jmol colours: O is #FF0D0D, C #909090, Si #F0C8A0, Cu #C88033, Hf #4DC2FF.
    auto colour = [](int z) {
        const auto c = elementByNumber(z).colour;
        return QString::asprintf("#%02x%02x%02x", int(std::lround(c[0] * 255)),
                                 int(std::lround(c[1] * 255)), int(std::lround(c[2] * 255)));
    };
    QCOMPARE(colour(8), QString("#ff0d0d"));
    QCOMPARE(colour(6), QString("#909090"));
    QCOMPARE(colour(7), QString("#3050f8"));
    QCOMPARE(colour(14), QString("#f0c8a0"));
    QCOMPARE(colour(13), QString("#bfa6a6"));
    QCOMPARE(colour(22), QString("#bfc2c7"));
    QCOMPARE(colour(29), QString("#c88033"));
    QCOMPARE(colour(42), QString("#54b5b5"));
    QCOMPARE(colour(73), QString("#4da6ff"));
    QCOMPARE(colour(72), QString("#4dc2ff"));
    QCOMPARE(colour(118), QString("#808080")); // grey where Jmol has none
    for (int z = 1; z <= 118; ++z) {
        const Element& e = elementByNumber(z);
        QCOMPARE(e.number, z);
        QVERIFY(e.mass > 0.0 && e.covalentRadius > 0.0);
        for (float c : e.colour)
            QVERIFY(c >= 0.0f && c <= 1.0f);
        QCOMPARE(atomicNumber(e.symbol), z); // symbols are unique
        QCOMPARE(QString(elementSymbol(z)), QString(e.symbol));
    }
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, elementByNumber(0));
    QVERIFY_THROWS_EXCEPTION(std::out_of_range, elementByNumber(119));
}

void TestExtxyz::elementSymbolsAreCaseInsensitive() {
    QCOMPARE(atomicNumber("Si"), 14);
    QCOMPARE(atomicNumber("SI"), 14);
    QCOMPARE(atomicNumber("si"), 14);
    QCOMPARE(atomicNumber("hf"), 72);
    QCOMPARE(atomicNumber("HF"), 72);
    QCOMPARE(atomicNumber("o"), 8);
    QCOMPARE(atomicNumber("Xx"), 0);
    QCOMPARE(atomicNumber(""), 0);
    QCOMPARE(atomicNumber("Sii"), 0);
    QCOMPARE(atomicNumber("1"), 0);
    QCOMPARE(atomicNumber("X"), 0);
}

void TestExtxyz::readsFullConfiguration() {
    const Structure s = readOne(
        "2\n"
        "Lattice=\"4.0 0.0 0.0 1.0 5.0 0.0 0.5 0.25 6.0\" "
        "Properties=species:S:1:pos:R:3:forces:R:3 energy=-12.5 config_type=bulk pbc=\"T T F\"\n"
        "Ti 0.1 0.2 0.3 1.0 -2.0 3e-2\n"
        "Al 2.0 2.5 3.0 -1.0 2.0 -0.03\n");
    QCOMPARE(s.size(), std::size_t(2));
    Mat3 cell;
    cell << 4.0, 0.0, 0.0, 1.0, 5.0, 0.0, 0.5, 0.25, 6.0; // rows are lattice vectors
    QVERIFY(s.cell == cell);
    QCOMPARE(s.pbc, (std::array<bool, 3>{true, true, false}));
    QCOMPARE(s.numbers, (std::vector<int>{22, 13}));
    QVERIFY(s.positions[0] == Vec3(0.1, 0.2, 0.3));
    QVERIFY(s.positions[1] == Vec3(2.0, 2.5, 3.0));
    QVERIFY(s.forces[0] == Vec3(1.0, -2.0, 0.03));
    QVERIFY(s.forces[1] == Vec3(-1.0, 2.0, -0.03));
    QCOMPARE(s.energy.value(), -12.5);
    QCOMPARE(s.energyKey, std::string("energy"));
    QCOMPARE(s.forcesKey, std::string("forces"));
    QVERIFY(!s.stress && !s.virial);
    QCOMPARE(s.info.size(), std::size_t(1));
    QCOMPARE(s.info[0].first, std::string("config_type"));
    QCOMPARE(s.info[0].second, std::string("bulk"));
    QCOMPARE(s.sourceFile, std::string("<test>"));
    QCOMPARE(s.sourceLine, 1L);
    QVERIFY(s.extraProperties.empty());
}

void TestExtxyz::latticeAndPbcVariants_data() {
    QTest::addColumn<QString>("header");
    QTest::addColumn<bool>("a");
    QTest::addColumn<bool>("b");
    QTest::addColumn<bool>("c");
    const QString lattice = "Lattice=\"3 0 0 0 3 0 0 0 3\" ";
    const QString props = " Properties=species:S:1:pos:R:3";
    QTest::newRow("quoted pbc") << lattice + "pbc=\"T T T\"" + props << true << true << true;
    QTest::newRow("bracket pbc") << lattice + "pbc=[T, T, T]" + props << true << true << true;
    QTest::newRow("bracket pbc mixed")
        << lattice + "pbc=[T, F, T]" + props << true << false << true;
    QTest::newRow("brace pbc") << lattice + "pbc={F T F}" + props << false << true << false;
    QTest::newRow("words pbc") << lattice + "pbc=\"True false TRUE\"" + props << true << false
                               << true;
    // ASE convention: a Lattice without pbc key is periodic in all directions.
    QTest::newRow("no pbc key") << lattice + props << true << true << true;
    QTest::newRow("spaces around =")
        << "Lattice = \"3 0 0 0 3 0 0 0 3\"" + props << true << true << true;
    QTest::newRow("lattice in brackets")
        << "Lattice=[3, 0, 0, 0, 3, 0, 0, 0, 3] pbc=\"F F T\"" + props << false << false << true;
    QTest::newRow("pbc F with lattice")
        << lattice + "pbc=\"F F F\"" + props << false << false << false;
}

void TestExtxyz::latticeAndPbcVariants() {
    QFETCH(QString, header);
    QFETCH(bool, a);
    QFETCH(bool, b);
    QFETCH(bool, c);
    const Structure s = readOne("1\n" + header.toStdString() + "\nCu 0.5 1.5 2.5\n");
    QVERIFY(s.cell == 3.0 * Mat3::Identity());
    QCOMPARE(s.pbc, (std::array<bool, 3>{a, b, c}));
    QVERIFY(s.positions[0] == Vec3(0.5, 1.5, 2.5));
    QVERIFY(s.info.empty()); // Lattice, pbc and Properties are not info
}

void TestExtxyz::plainXyzHasNoCell() {
    // No Lattice, no pbc, no Properties: a plain XYZ file with a free-text comment.
    const Structure s = readOne("3\nwater molecule\nO 0 0 0\nH 0.96 0 0\nH -0.24 0.93 0\n");
    QVERIFY(s.cell.isZero(0.0));
    QCOMPARE(s.pbc, (std::array<bool, 3>{false, false, false}));
    QVERIFY(!s.isPeriodic());
    QCOMPARE(s.numbers, (std::vector<int>{8, 1, 1}));
    QVERIFY(!s.energy && !s.hasForces());
    // Bare words are flags: kept as info with the value "T".
    QCOMPARE(s.info.size(), std::size_t(2));
    QCOMPARE(s.info[0], (std::pair<std::string, std::string>{"water", "T"}));
    QCOMPARE(s.info[1], (std::pair<std::string, std::string>{"molecule", "T"}));
}

void TestExtxyz::energyKeyChoice() {
    const std::string atom = "\nH 0 0 0\n";
    // free_energy first in the line is still not the energy.
    Structure s = readOne("1\nfree_energy=-2.5 energy=-1.5" + atom);
    QCOMPARE(s.energy.value(), -1.5);
    QCOMPARE(s.energyKey, std::string("energy"));
    QCOMPARE(s.info.size(), std::size_t(1));
    QCOMPARE(s.info[0].first, std::string("free_energy"));
    QCOMPARE(s.info[0].second, std::string("-2.5"));
    // Keys merely ending in "energy" are no energy at all.
    s = readOne("1\nfree_energy=-2.5 myenergy=-3 gap_energy=-4" + atom);
    QVERIFY(!s.energy);
    QVERIFY(s.energyKey.empty());
    QCOMPARE(s.info.size(), std::size_t(3));
    // dft_energy when there is no `energy`; `energy` wins when both are there.
    s = readOne("1\ndft_energy=-7.25" + atom);
    QCOMPARE(s.energy.value(), -7.25);
    QCOMPARE(s.energyKey, std::string("dft_energy"));
    s = readOne("1\ndft_energy=-7.25 energy=-8" + atom);
    QCOMPARE(s.energy.value(), -8.0);
    QCOMPARE(*s.findInfo("dft_energy"), std::string("-7.25"));
    s = readOne("1\ntotal_energy=-3" + atom);
    QCOMPARE(s.energyKey, std::string("total_energy"));
    // An explicit choice overrides the automatic one.
    ExtxyzReadOptions options;
    options.energyKey = "free_energy";
    s = readOne("1\nfree_energy=-2.5 energy=-1.5" + atom, options);
    QCOMPARE(s.energy.value(), -2.5);
    QCOMPARE(s.energyKey, std::string("free_energy"));
    QCOMPARE(*s.findInfo("energy"), std::string("-1.5"));
}

void TestExtxyz::forcesKeyChoice() {
    const std::string lattice = "Lattice=\"3 0 0 0 3 0 0 0 3\" ";
    // gap_force beside dft_force is not the force; it stays as an extra column.
    Structure s = readOne("1\n" + lattice +
                          "Properties=species:S:1:pos:R:3:gap_force:R:3:dft_force:R:3\n"
                          "Si 0 0 0 9.5 9.5 9.5 0.25 -0.5 1\n");
    QCOMPARE(s.forcesKey, std::string("dft_force"));
    QVERIFY(s.forces.at(0) == Vec3(0.25, -0.5, 1.0));
    QCOMPARE(s.extraProperties.size(), std::size_t(1));
    QCOMPARE(s.extraProperties[0].name, std::string("gap_force"));
    QCOMPARE(s.extraProperties[0].values, (std::vector<std::string>{"9.5", "9.5", "9.5"}));
    // `force` (Zuo) and lower-case type codes.
    s = readOne("1\n" + lattice + "Properties=species:s:1:pos:r:3:force:r:3\nSi 0 0 0 1 2 3\n");
    QCOMPARE(s.forcesKey, std::string("force"));
    QVERIFY(s.forces.at(0) == Vec3(1, 2, 3));
    // `forces` wins over `force`.
    s = readOne("1\n" + lattice +
                "Properties=species:S:1:pos:R:3:force:R:3:forces:R:3\nSi 0 0 0 1 2 3 4 5 6\n");
    QCOMPARE(s.forcesKey, std::string("forces"));
    QVERIFY(s.forces.at(0) == Vec3(4, 5, 6));
    // Explicit choice.
    ExtxyzReadOptions options;
    options.forcesKey = "gap_force";
    s = readOne("1\n" + lattice +
                    "Properties=species:S:1:pos:R:3:gap_force:R:3:dft_force:R:3\n"
                    "Si 0 0 0 9.5 9.5 9.5 0.25 -0.5 1\n",
                options);
    QCOMPARE(s.forcesKey, std::string("gap_force"));
    QVERIFY(s.forces.at(0) == Vec3(9.5, 9.5, 9.5));
    QCOMPARE(s.extraProperties.at(0).name, std::string("dft_force"));
    // No force column at all.
    s = readOne("1\n" + lattice + "Properties=species:S:1:pos:R:3\nSi 0 0 0\n");
    QVERIFY(!s.hasForces());
    QVERIFY(s.forcesKey.empty());
}

void TestExtxyz::stressAndVirial() {
    // Voigt order xx yy zz yz xz xy.
    Structure s = readOne("1\nLattice=\"3 0 0 0 3 0 0 0 3\" stress=\"1 2 3 4 5 6\" "
                          "virial=\"1 2 3 4 5 6 7 8 9\"\nH 0 0 0\n");
    Mat3 voigt;
    voigt << 1, 6, 5, 6, 2, 4, 5, 4, 3;
    QVERIFY(s.stress.has_value());
    QVERIFY(*s.stress == voigt);
    Mat3 full;
    full << 1, 2, 3, 4, 5, 6, 7, 8, 9; // row by row
    QVERIFY(s.virial.has_value());
    QVERIFY(*s.virial == full);
    QVERIFY(s.info.empty());
    // Brackets and commas work too.
    s = readOne("1\nstress=[1, 2, 3, 4, 5, 6]\nH 0 0 0\n");
    QVERIFY(*s.stress == voigt);
}

void TestExtxyz::quotedAndBracketedValues() {
    const Structure s = readOne(
        "1\nspacegroup=\"P 1\" note=\"say \\\"hi\\\"\" path='C:\\data' flag "
        "dipole=[0.1, 0.2, 0.3] tags={a b} n_minim_iter=2 empty=\"\" unit_cell = conventional\n"
        "H 0 0 0\n");
    QCOMPARE(*s.findInfo("spacegroup"), std::string("P 1"));
    QCOMPARE(*s.findInfo("note"), std::string("say \"hi\""));
    QCOMPARE(*s.findInfo("path"), std::string("C:\\data"));
    QCOMPARE(*s.findInfo("flag"), std::string("T"));
    QCOMPARE(*s.findInfo("dipole"), std::string("[0.1, 0.2, 0.3]"));
    QCOMPARE(*s.findInfo("tags"), std::string("{a b}"));
    QCOMPARE(*s.findInfo("n_minim_iter"), std::string("2"));
    QCOMPARE(*s.findInfo("empty"), std::string(""));
    QCOMPARE(*s.findInfo("unit_cell"), std::string("conventional"));
    // File order is kept.
    QCOMPARE(s.info.size(), std::size_t(9));
    QCOMPARE(s.info.front().first, std::string("spacegroup"));
    QCOMPARE(s.info.back().first, std::string("unit_cell"));
}

void TestExtxyz::speciesAndZColumns() {
    const std::string head = "2\nLattice=\"3 0 0 0 3 0 0 0 3\" Properties=";
    Structure s = readOne(head + "species:S:1:pos:R:3\nSI 0 0 0\nsi 1 1 1\n");
    QCOMPARE(s.numbers, (std::vector<int>{14, 14}));
    // Only Z: the numbers come from it.
    s = readOne(head + "Z:I:1:pos:R:3\n72 0 0 0\n8 1 1 1\n");
    QCOMPARE(s.numbers, (std::vector<int>{72, 8}));
    QCOMPARE(s.extraProperties.at(0).name, std::string("Z"));
    QCOMPARE(s.extraProperties.at(0).values, (std::vector<std::string>{"72", "8"}));
    // Both, agreeing.
    s = readOne(head + "species:S:1:pos:R:3:Z:I:1\nHf 0 0 0 72\nO 1 1 1 8\n");
    QCOMPARE(s.numbers, (std::vector<int>{72, 8}));
    // Both, disagreeing: an error on the atom's line.
    try {
        readOne(head + "species:S:1:pos:R:3:Z:I:1\nHf 0 0 0 72\nO 1 1 1 9\n");
        QFAIL("Z disagreeing with species was accepted");
    } catch (const ParseError& e) {
        QCOMPARE(e.line(), 4L);
    }
}

void TestExtxyz::extraColumnsKeptVerbatim() {
    const Structure s =
        readOne("2\nLattice=\"10 0 0 0 10 0 0 0 10\" "
                "Properties=species:S:1:pos:R:3:force:R:3:momenta:R:3:masses:R:1:Z:I:1:tags:I:1:"
                "fixed:L:1:label:S:1\n"
                "Cu 1 2 3 0.1 0.2 0.3 0.00000000 0.00000000 0.00000000 63.54600000 29 0 T first\n"
                "Cu 4 5 6 -0.1 -0.2 -0.3 1e-3 -2.5E+00 +0.5 63.54600000 29 1 F second\n");
    QCOMPARE(s.extraProperties.size(), std::size_t(6));
    const ExtraAtomProperty& momenta = s.extraProperties[0];
    QCOMPARE(momenta.name, std::string("momenta"));
    QCOMPARE(momenta.type, 'R');
    QCOMPARE(momenta.columns, 3);
    QCOMPARE(momenta.values, (std::vector<std::string>{"0.00000000", "0.00000000", "0.00000000",
                                                       "1e-3", "-2.5E+00", "+0.5"}));
    QCOMPARE(s.extraProperties[1].name, std::string("masses"));
    QCOMPARE(s.extraProperties[1].values, (std::vector<std::string>{"63.54600000", "63.54600000"}));
    QCOMPARE(s.extraProperties[2].name, std::string("Z"));
    QCOMPARE(s.extraProperties[2].type, 'I');
    QCOMPARE(s.extraProperties[3].name, std::string("tags"));
    QCOMPARE(s.extraProperties[3].values, (std::vector<std::string>{"0", "1"}));
    QCOMPARE(s.extraProperties[4].type, 'L');
    QCOMPARE(s.extraProperties[4].values, (std::vector<std::string>{"T", "F"}));
    QCOMPARE(s.extraProperties[5].type, 'S');
    QCOMPARE(s.extraProperties[5].values, (std::vector<std::string>{"first", "second"}));
    QVERIFY(s.positions[1] == Vec3(4, 5, 6));
    QVERIFY(s.forces[1] == Vec3(-0.1, -0.2, -0.3));
}

void TestExtxyz::blankLinesAndLineEndings() {
    // Trailing blank lines are fine; CRLF and tabs too.
    const Dataset d = readExtxyzString("1\r\nProperties=species:S:1:pos:R:3 energy=-1\r\n"
                                       "H\t0.5\t0 0\r\n1\nenergy=-2\nHe 1 1 1\n\n  \n\t\n");
    QCOMPARE(d.size(), std::size_t(2));
    QCOMPARE(d.structures[0].energy.value(), -1.0);
    QVERIFY(d.structures[0].positions[0] == Vec3(0.5, 0, 0));
    QCOMPARE(d.structures[1].numbers, (std::vector<int>{2}));
    QCOMPARE(d.structures[1].sourceLine, 4L);
    // A UTF-8 byte-order mark before the first count.
    QCOMPARE(readExtxyzString("\xEF\xBB\xBF"
                              "1\n\nH 0 0 1\n")
                 .size(),
             std::size_t(1));
    // A file whose last line has no newline.
    QCOMPARE(readExtxyzString("1\n\nH 0 0 1").structures.at(0).positions[0], Vec3(0, 0, 1));
}

void TestExtxyz::streamingReader() {
    std::istringstream in("1\nenergy=1\nH 0 0 0\n2\nenergy=2\nH 0 0 0\nH 0 0 1\n"
                          "1\nenergy=3\nHe 0 0 0\n\n");
    ExtxyzReader reader(in, "stream.xyz");
    Structure s;
    QCOMPARE(reader.line(), 0L);
    QVERIFY(reader.next(s));
    QCOMPARE(s.energy.value(), 1.0);
    QCOMPARE(reader.line(), 3L);
    QVERIFY(reader.next(s));
    QCOMPARE(s.size(), std::size_t(2));
    QCOMPARE(s.sourceLine, 4L);
    QCOMPARE(s.sourceFile, std::string("stream.xyz"));
    QCOMPARE(reader.line(), 7L);
    QVERIFY(reader.next(s));
    QCOMPARE(s.numbers, (std::vector<int>{2}));
    QVERIFY(!reader.next(s));
    QVERIFY(!reader.next(s));
}

void TestExtxyz::progressAndCancel() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("many.xyz").toStdString();
    {
        std::ofstream out(path);
        for (int k = 0; k < 2000; ++k)
            out << "2\nLattice=\"3 0 0 0 3 0 0 0 3\" energy=" << k << "\nH 0 0 0\nH 1 1 1\n";
    }
    std::vector<double> fractions;
    const Dataset d = readExtxyzFile(path, {}, [&](double f) {
        fractions.push_back(f);
        return true;
    });
    QCOMPARE(d.size(), std::size_t(2000));
    QCOMPARE(d.structures.back().energy.value(), 1999.0);
    QVERIFY(fractions.size() >= 10); // reported along the way, not only at the end
    QCOMPARE(fractions.front(), 0.0);
    QCOMPARE(fractions.back(), 1.0);
    for (std::size_t k = 1; k < fractions.size(); ++k)
        QVERIFY(fractions[k] >= fractions[k - 1] && fractions[k] <= 1.0);

    int calls = 0;
    QVERIFY_THROWS_EXCEPTION(Cancelled, readExtxyzFile(path, {}, [&](double f) {
                                 ++calls;
                                 return f < 0.3;
                             }));
    QVERIFY(calls >= 2);
}

void TestExtxyz::writerFormat() {
    Structure s;
    s.cell << 3, 0, 0, 0, 4, 0, 0, 0, 20;
    s.pbc = {true, true, false};
    s.numbers = {8, 1};
    s.positions = {Vec3(0.1, 0.2, 0.3), Vec3(1.0 / 3.0, -2e-17, 1e10)};
    s.energy = -0.1;
    s.forces = {Vec3(1, 2, 3), Vec3(-1, -2, -3)};
    const std::string text = writeToString(Dataset{{s}});
    QVERIFY2(text.rfind("2\n", 0) == 0, text.c_str());
    QVERIFY2(text.find("pbc=\"T T F\"") != std::string::npos, text.c_str());
    QVERIFY2(text.find("Lattice=\"3 0 0 0 4 0 0 0 20\"") != std::string::npos, text.c_str());
    QVERIFY2(text.find("Properties=species:S:1:pos:R:3:forces:R:3") != std::string::npos,
             text.c_str());
    QVERIFY2(text.find("energy=-0.1") != std::string::npos, text.c_str());
    QVERIFY2(text.find("\nO 0.1 0.2 0.3 1 2 3\n") != std::string::npos, text.c_str());
    const Structure back = readOne(text);
    // Unnamed energy and forces go out under the default keys.
    QCOMPARE(back.energyKey, std::string("energy"));
    QCOMPARE(back.forcesKey, std::string("forces"));
    s.energyKey = "energy";
    s.forcesKey = "forces";
    QCOMPARE(firstDifference(s, back), QString());
    QCOMPARE(back.positions[1].x(), 1.0 / 3.0); // full precision

    // A zero cell is not written; such a structure is not periodic.
    Structure molecule;
    molecule.numbers = {1};
    molecule.positions = {Vec3(0, 0, 0)};
    const std::string plain = writeToString(Dataset{{molecule}});
    QVERIFY2(plain.find("Lattice") == std::string::npos, plain.c_str());
    QVERIFY2(plain.find("pbc=\"F F F\"") != std::string::npos, plain.c_str());
    QCOMPARE(firstDifference(molecule, readOne(plain)), QString());
}

void TestExtxyz::writerKeepsKeysAndQuotes() {
    Structure s =
        readOne(std::string("2\n") + kTiAlHeader +
                " Properties=species:S:1:pos:R:3:force:R:3:tags:I:1 config_type=FLD_TiAl "
                "spacegroup=\"P 1\" note=\"a \\\"b\\\" c\\\\d\" flag dft_energy=-1703.64063822 "
                "virial=\"5 0.1 0.6 0.1 4.6 0.5 0.6 0.5 4.7\" pbc=\"T T T\"\n"
                "Ti 1.30924260 1.32316179 1.62637131 0.86219000 0.78737000 2.65969000 0\n"
                "Al 0.11095015 0.09471147 -0.05013464 -0.86219000 -0.78737000 -2.65969000 1\n");
    QCOMPARE(s.energyKey, std::string("dft_energy"));
    QCOMPARE(s.forcesKey, std::string("force"));
    const std::string text = writeToString(Dataset{{s}});
    QVERIFY2(text.find(" dft_energy=-1703.64063822") != std::string::npos, text.c_str());
    QVERIFY2(text.find(":force:R:3:tags:I:1") != std::string::npos, text.c_str());
    QVERIFY2(text.find("spacegroup=\"P 1\"") != std::string::npos, text.c_str());
    const Structure back = readOne(text);
    QCOMPARE(firstDifference(s, back), QString());
    QCOMPARE(*back.findInfo("note"), std::string("a \"b\" c\\d"));
    QCOMPARE(*back.findInfo("flag"), std::string("T"));
    // Z is rewritten from the atomic numbers when those were changed after reading.
    Structure z = readOne("1\nProperties=species:S:1:pos:R:3:Z:I:1\nSi 0 0 0 14\n");
    z.numbers[0] = 32;
    QCOMPARE(readOne(writeToString(Dataset{{z}})).numbers, (std::vector<int>{32}));
}

void TestExtxyz::writerRejectsInconsistentStructures() {
    Structure good;
    good.numbers = {1, 1};
    good.positions = {Vec3(0, 0, 0), Vec3(0, 0, 0.74)};
    std::ostringstream out;
    writeExtxyz(out, good);
    QVERIFY(!out.str().empty());

    auto rejects = [](const Structure& s) {
        std::ostringstream sink;
        try {
            writeExtxyz(sink, s);
        } catch (const std::invalid_argument&) {
            return true;
        }
        return false;
    };
    Structure s = good;
    s.numbers = {1};
    QVERIFY(rejects(s));
    s = good;
    s.forces = {Vec3(0, 0, 1)};
    QVERIFY(rejects(s));
    s = good;
    s.positions[1].z() = std::numeric_limits<double>::quiet_NaN();
    QVERIFY(rejects(s));
    s = good;
    s.pbc = {true, false, false}; // periodic without a lattice
    QVERIFY(rejects(s));
    s = good;
    s.numbers[0] = 0;
    QVERIFY(rejects(s));
    s = good;
    s.extraProperties.push_back({"tags", 'I', 1, {"1"}}); // one value for two atoms
    QVERIFY(rejects(s));
    s = good;
    s.extraProperties.push_back({"pos", 'R', 1, {"1", "2"}}); // clashes with positions
    QVERIFY(rejects(s));
    s = good;
    s.energy = 1.0;
    s.info = {{"energy", "2"}}; // would be written twice
    QVERIFY(rejects(s));
    s = Structure();
    QVERIFY(rejects(s)); // no atoms
}

void TestExtxyz::writeFileIsAtomic() {
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const std::string path = dir.filePath("out.xyz").toStdString();
    const Dataset d = readExtxyzString("1\nLattice=\"3 0 0 0 3 0 0 0 3\" energy=-1\nCu 0 0 0\n"
                                       "2\nenergy=-2\nH 0 0 0\nH 0 0 0.74\n");
    writeExtxyzFile(path, d);
    QVERIFY(QFileInfo::exists(QString::fromStdString(path)));
    QVERIFY(!QFileInfo::exists(QString::fromStdString(path + ".tmp")));
    Dataset back = readExtxyzFile(path);
    QCOMPARE(back.size(), std::size_t(2));
    QCOMPARE(firstDifference(d.structures[1], back.structures[1]), QString());

    // A failing write leaves the existing file as it was.
    Dataset bad = d;
    bad.structures[1].forces = {Vec3(1, 0, 0)}; // one force for two atoms
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument, writeExtxyzFile(path, bad));
    QVERIFY(!QFileInfo::exists(QString::fromStdString(path + ".tmp")));
    back = readExtxyzFile(path);
    QCOMPARE(back.size(), std::size_t(2));
    // An unwritable place is an I/O error.
    QVERIFY_THROWS_EXCEPTION(std::runtime_error,
                             writeExtxyzFile(dir.filePath("no/such/dir/out.xyz").toStdString(), d));
}

void TestExtxyz::sharedConfigurationCounts() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    // The data README's table.
    const std::vector<std::pair<const char*, int>> expected = {
        {"zuo2020/Si_train.xyz", 214},
        {"zuo2020/Si_test.xyz", 25},
        {"zuo2020/Cu_train.xyz", 262},
        {"zuo2020/Cu_test.xyz", 31},
        {"zuo2020/Mo_train.xyz", 194},
        {"zuo2020/Mo_test.xyz", 23},
        {"hfo2/HfO2_mp352_ads_form_sorted.extxyz", 76},
        {"hfo2/Hf_mp103_ads_form_sorted.extxyz", 29},
        {"tial/TiAl_tutorial.xyz", 329},
        {"tial/TiAl_tiny.xyz", 33},
        {"tial/TiAl_examples.xyz", 5},
        {"si-3body/data.xyz", 201}};
    for (const auto& [file, count] : expected) {
        const QString path = sharedFile(file);
        int scanned = 0;
        long atoms = 0;
        QVERIFY2(scanFile(path, &scanned, &atoms), file);
        QCOMPARE(scanned, count);
        const Dataset d = readExtxyzFile(path.toStdString());
        QCOMPARE(int(d.size()), count);
        QCOMPARE(long(d.atomCount()), atoms);
    }
    int ta = 0;
    for (const QString& f : QDir(sharedFile("fitsnap-ta")).entryList({"*.xyz"}, QDir::Files))
        ta += int(readExtxyzFile(sharedFile("fitsnap-ta/" + f).toStdString()).size());
    QCOMPARE(ta, 363);
}

void TestExtxyz::sharedFilesRoundTrip_data() {
    QTest::addColumn<QString>("path");
    for (const QString& f : graphace::testing::sharedDataFiles())
        QTest::newRow(qPrintable(QDir(graphace::testing::sharedDataDir()).relativeFilePath(f)))
            << f;
}

void TestExtxyz::sharedFilesRoundTrip() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    QFETCH(QString, path);
    const Dataset d = readExtxyzFile(path.toStdString());
    int scanned = 0;
    long atoms = 0;
    QVERIFY(scanFile(path, &scanned, &atoms));
    QCOMPARE(int(d.size()), scanned);
    QCOMPARE(long(d.atomCount()), atoms);
    for (const Structure& s : d.structures) {
        QVERIFY(s.energy.has_value());
        QCOMPARE(s.numbers.size(), s.size());
        QVERIFY(s.isPeriodic());
        QVERIFY(s.volume() > 0.0);
        QCOMPARE(s.sourceFile, path.toStdString());
    }
    // read -> write -> read gives the same numbers, bit for bit.
    const Dataset back = readExtxyzString(writeToString(d), "round trip");
    QCOMPARE(back.size(), d.size());
    for (std::size_t k = 0; k < d.size(); ++k) {
        const QString diff = firstDifference(d.structures[k], back.structures[k]);
        QVERIFY2(diff.isEmpty(), qPrintable(QString("configuration %1: %2").arg(k).arg(diff)));
    }
    // Through a file as well.
    QTemporaryDir dir;
    const std::string copy = dir.filePath("copy.xyz").toStdString();
    writeExtxyzFile(copy, d);
    const Dataset again = readExtxyzFile(copy);
    QCOMPARE(again.size(), d.size());
    QCOMPARE(firstDifference(d.structures.back(), again.structures.back()), QString());
}

void TestExtxyz::sharedHfO2PicksEnergyNotFreeEnergy() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    for (const char* file :
         {"hfo2/HfO2_mp352_ads_form_sorted.extxyz", "hfo2/Hf_mp103_ads_form_sorted.extxyz"}) {
        const Dataset d = readExtxyzFile(sharedFile(file).toStdString());
        for (const Structure& s : d.structures) {
            QCOMPARE(s.energyKey, std::string("energy"));
            QVERIFY(s.findInfo("free_energy") != nullptr);
            QCOMPARE(s.forcesKey, std::string("forces"));
            QVERIFY(s.stress.has_value());
        }
    }
    // The first header says energy=-850.7020822245177 free_energy=-86699.14082145914.
    const Dataset d =
        readExtxyzFile(sharedFile("hfo2/HfO2_mp352_ads_form_sorted.extxyz").toStdString());
    const Structure& s = d.structures.front();
    QCOMPARE(s.energy.value(), -850.7020822245177);
    QCOMPARE(*s.findInfo("free_energy"), std::string("-86699.14082145914"));
    QCOMPARE(s.size(), std::size_t(98));
    QCOMPARE(d.species(), (std::vector<int>{8, 72}));
    // Hf 2.94417550 1.44605588 3.42710201 -2.07846128 0.75067342 -1.87768667
    QVERIFY(s.positions[0] == Vec3(2.94417550, 1.44605588, 3.42710201));
    QVERIFY(s.forces[0] == Vec3(-2.07846128, 0.75067342, -1.87768667));
    QCOMPARE(s.cell(1, 2), -1.7523420574216604); // a2 has a z component: triclinic
}

void TestExtxyz::sharedTiAlForceAndVirial() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    const QString path = sharedFile("tial/TiAl_tutorial.xyz");
    const Dataset d = readExtxyzFile(path.toStdString());
    for (const Structure& s : d.structures) {
        QCOMPARE(s.forcesKey, std::string("force"));
        QVERIFY(s.virial.has_value());
        QVERIFY(s.findInfo("config_type") != nullptr);
    }
    const Structure& s = d.structures.front();
    // The 9-component virial, against the header text parsed here with Qt.
    const QList<double> virial = quotedNumbers(headerOf(path), "virial");
    QCOMPARE(virial.size(), 9);
    for (int k = 0; k < 9; ++k)
        QCOMPARE((*s.virial)(k / 3, k % 3), virial[k]);
    QCOMPARE((*s.virial)(0, 0), 5.072173561696366);
    QCOMPARE(*s.findInfo("spacegroup"), std::string("P 1"));
    QCOMPARE(*s.findInfo("config_type"), std::string("FLD_TiAl"));
    QCOMPARE(s.energy.value(), -1703.64063822);
    // Ti 1.30924260 1.32316179 1.62637131 0.86219000 0.78737000 2.65969000 0
    QCOMPARE(s.numbers, (std::vector<int>{22, 13}));
    QVERIFY(s.positions[0] == Vec3(1.30924260, 1.32316179, 1.62637131));
    QVERIFY(s.forces[0] == Vec3(0.86219000, 0.78737000, 2.65969000));
    QCOMPARE(s.extraProperties.at(0).name, std::string("tags"));
    QCOMPARE(s.extraProperties.at(0).values, (std::vector<std::string>{"0", "1"}));
    QCOMPARE(d.species(), (std::vector<int>{13, 22}));
    // TiAl_examples.xyz calls the column `forces`.
    const Dataset examples = readExtxyzFile(sharedFile("tial/TiAl_examples.xyz").toStdString());
    QCOMPARE(examples.structures.front().forcesKey, std::string("forces"));
}

void TestExtxyz::sharedTaSpacedLattice() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    // `Lattice = "..."` with spaces around '=' and no pbc key (so periodic: Lattice given).
    const QString path = sharedFile("fitsnap-ta/Elastic_BCC.xyz");
    QVERIFY(headerOf(path).startsWith("Lattice = \""));
    QVERIFY(!headerOf(path).contains("pbc"));
    const Dataset d = readExtxyzFile(path.toStdString());
    QCOMPARE(d.size(), std::size_t(100));
    const Structure& s = d.structures.front();
    QCOMPARE(s.pbc, (std::array<bool, 3>{true, true, true}));
    // Lattice = "3.31180000305 0.0 0.0 0.0131999999285 3.32649993896 0.0 -0.00789999961853 ..."
    const QList<double> lattice = quotedNumbers(headerOf(path), "Lattice");
    QCOMPARE(lattice.size(), 9);
    for (int k = 0; k < 9; ++k)
        QCOMPARE(s.cell(k / 3, k % 3), lattice[k]);
    QCOMPARE(s.cell(1, 0), 0.0131999999285);
    QCOMPARE(s.cell(2, 0), -0.00789999961853);
    QCOMPARE(s.energy.value(), -23.689367);
    QCOMPARE(s.forcesKey, std::string("forces"));
    QVERIFY(s.stress.has_value());
    QCOMPARE((*s.stress)(0, 1), -2978.6600000000003);
    // Ta 1.6585 1.6597 1.6524 0.00044 -3e-06 2e-06
    QVERIFY(s.positions[1] == Vec3(1.6585, 1.6597, 1.6524));
    QVERIFY(s.forces[1] == Vec3(0.00044, -3e-06, 2e-06));
    QCOMPARE(s.numbers, (std::vector<int>{73, 73}));
}

void TestExtxyz::sharedZuoFirstAtoms() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    struct Case {
        const char* file;
        int z;
    };
    for (const Case& c : {Case{"zuo2020/Cu_train.xyz", 29}, Case{"zuo2020/Si_test.xyz", 14},
                          Case{"zuo2020/Mo_train.xyz", 42}}) {
        const QString path = sharedFile(c.file);
        const Dataset d = readExtxyzFile(path.toStdString());
        const Structure& s = d.structures.front();
        QVERIFY(headerOf(path).startsWith("pbc=[T, T, T]"));
        QCOMPARE(s.pbc, (std::array<bool, 3>{true, true, true}));
        QCOMPARE(s.forcesKey, std::string("force"));
        QCOMPARE(d.species(), (std::vector<int>{c.z}));
        // The first atom line, field by field, converted here with Qt.
        const QStringList f = fieldsOfLine(path, 3);
        QCOMPARE(f.size(), 12);
        QCOMPARE(atomicNumber(f[0].toStdString()), c.z);
        for (int k = 0; k < 3; ++k) {
            QCOMPARE(s.positions[0][k], f[1 + k].toDouble());
            QCOMPARE(s.forces[0][k], f[4 + k].toDouble());
        }
        // momenta, masses and Z are kept as text.
        QCOMPARE(s.extraProperties.size(), std::size_t(3));
        QCOMPARE(s.extraProperties[0].name, std::string("momenta"));
        QCOMPARE(s.extraProperties[0].values[0], f[7].toStdString());
        QCOMPARE(s.extraProperties[1].name, std::string("masses"));
        QCOMPARE(s.extraProperties[1].values[0], f[10].toStdString());
        QCOMPARE(s.extraProperties[2].name, std::string("Z"));
        QCOMPARE(s.extraProperties[2].values[0], f[11].toStdString());
    }
    // Cu_train.xyz: Cu 10.72089660 0.02908236 3.74682271 0.66566644 -1.15457477 -1.39804032
    const Structure cu =
        readExtxyzFile(sharedFile("zuo2020/Cu_train.xyz").toStdString()).structures[0];
    QVERIFY(cu.positions[0] == Vec3(10.72089660, 0.02908236, 3.74682271));
    QVERIFY(cu.forces[0] == Vec3(0.66566644, -1.15457477, -1.39804032));
    QCOMPARE(cu.energy.value(), -426.29982847);
    QCOMPARE(cu.size(), std::size_t(107));
    QCOMPARE(cu.extraProperties[1].values[0], std::string("63.54600000"));
    // Si_train.xyz has a triclinic cell: 14.22366000 5.59192100 15.55731400 0 9.05593500 ...
    const Structure si =
        readExtxyzFile(sharedFile("zuo2020/Si_train.xyz").toStdString()).structures[0];
    QCOMPARE(si.cell(0, 1), 5.59192100);
    QCOMPARE(si.cell(0, 2), 15.55731400);
    QCOMPARE(si.cell(1, 2), 0.27217900);
}

void TestExtxyz::sharedSi3BodyVoigtStress() {
    GRAPHACE_REQUIRE_SHARED_DATA();
    const QString path = sharedFile("si-3body/data.xyz");
    // Lower-case type codes (pos:r:3) and a 6-component stress.
    QVERIFY(headerOf(path).contains("pos:r:3"));
    const Dataset d = readExtxyzFile(path.toStdString());
    const Structure& s = d.structures.front();
    const QList<double> voigt = quotedNumbers(headerOf(path), "stress");
    QCOMPARE(voigt.size(), 6);
    // xx yy zz yz xz xy
    QCOMPARE((*s.stress)(0, 0), voigt[0]);
    QCOMPARE((*s.stress)(1, 1), voigt[1]);
    QCOMPARE((*s.stress)(2, 2), voigt[2]);
    QCOMPARE((*s.stress)(1, 2), voigt[3]);
    QCOMPARE((*s.stress)(2, 1), voigt[3]);
    QCOMPARE((*s.stress)(0, 2), voigt[4]);
    QCOMPARE((*s.stress)(0, 1), voigt[5]);
    QCOMPARE((*s.stress)(1, 0), voigt[5]);
    QCOMPARE((*s.stress)(0, 0), -2.787423e+02);
    QCOMPARE(s.energy.value(), -2.975970e+02);
    QCOMPARE(s.size(), std::size_t(64));
    QCOMPARE(s.forcesKey, std::string("forces"));
    QVERIFY(s.positions[0] == Vec3(6.788750e+00, 1.357750e+00, 1.357750e+00));
}

QTEST_APPLESS_MAIN(TestExtxyz)
#include "test_extxyz.moc"
