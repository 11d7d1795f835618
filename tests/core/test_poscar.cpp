// VASP POSCAR/CONTCAR: reading as the VASP documentation defines the format (scaling factors,
// Direct/Cartesian, selective dynamics, VASP 4 without species), against ASE's reading of files
// ASE wrote (tests/data/poscar), errors with file and line, writing and reading back, the format
// chosen by name and content, and `graphace convert`.
#include "graphace/poscar.h"
#include "graphace/structure_files.h"

#include "graphace/element.h"
#include "graphace/error.h"
#include "graphace/sample_dataset.h"

#include "testing.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <fstream>
#include <sstream>

using namespace graphace;
using graphace::testing::errorOf;
using graphace::testing::runCli;

namespace {

Structure fromText(const std::string& text, const PoscarReadOptions& options = {}) {
    std::istringstream in(text);
    return readPoscar(in, "test.vasp", options);
}

// "test.vasp:LINE: MESSAGE" of the ParseError a text gives.
QString failure(const std::string& text, const PoscarReadOptions& options = {}) {
    return errorOf([&] { fromText(text, options); });
}

QString poscarData(const char* name) {
    return QDir(graphace::testing::testDataDir()).filePath(QStringLiteral("poscar/") + name);
}

const char* kBn = "Cubic BN\n"
                  "   3.57\n"
                  " 0.0 0.5 0.5\n"
                  " 0.5 0.0 0.5\n"
                  " 0.5 0.5 0.0\n"
                  "   B N\n"
                  "   1 1\n"
                  "Direct\n"
                  " 0.00 0.00 0.00\n"
                  " 0.25 0.25 0.25\n";

} // namespace

class TestPoscar : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void directWithScale() {
        const Structure s = fromText(kBn);
        QCOMPARE(s.size(), std::size_t(2));
        QCOMPARE(s.numbers, (std::vector<int>{5, 7}));
        QVERIFY(s.pbc[0] && s.pbc[1] && s.pbc[2]);
        QCOMPARE(s.cell(0, 1), 0.5 * 3.57);
        QCOMPARE(s.cell(2, 2), 0.0);
        // 0.25 (a1 + a2 + a3) = 0.25 · 3.57 · (1, 1, 1)
        QVERIFY((s.positions[1] - Vec3::Constant(0.25 * 3.57)).norm() < 1e-12);
        QCOMPARE(*s.findInfo("comment"), std::string("Cubic BN"));
    }

    void cartesianIsScaledLikeTheLattice() {
        std::string text = kBn;
        text.replace(text.find("Direct"), 6, "cartesian");
        const Structure s = fromText(text);
        QVERIFY((s.positions[1] - Vec3::Constant(0.25 * 3.57)).norm() < 1e-12);
        // K (for Kartesian) too, per the VASP documentation.
        text.replace(text.find("cartesian"), 9, "K");
        QVERIFY((fromText(text).positions[1] - Vec3::Constant(0.25 * 3.57)).norm() < 1e-12);
    }

    void negativeScaleIsTheVolume() {
        std::string text = kBn;
        text.replace(text.find("3.57"), 4, "-11.5");
        const Structure s = fromText(text);
        QVERIFY(std::abs(s.volume() - 11.5) < 1e-10);
        // Direct positions follow the scaled cell.
        const double a = s.cell(0, 1) / 0.5;
        QVERIFY((s.positions[1] - Vec3::Constant(0.25 * a)).norm() < 1e-12);
    }

    void threeScalesActOnCartesianComponents() {
        std::string text = kBn;
        text.replace(text.find("3.57"), 4, "2 3 4");
        text.replace(text.find("Direct"), 6, "Cartesian");
        const Structure s = fromText(text);
        QCOMPARE(s.cell(0, 1), 1.5); // a1 = (0, 0.5, 0.5) · (2, 3, 4)
        QCOMPARE(s.cell(0, 2), 2.0);
        QVERIFY((s.positions[1] - Vec3(0.5, 0.75, 1.0)).norm() < 1e-12);
        text.replace(text.find("2 3 4"), 5, "2 -3 4");
        QVERIFY2(failure(text) == "test.vasp:2: three scaling factors must all be positive",
                 qPrintable(failure(text)));
    }

    void selectiveDynamicsBecomesMoveMask() {
        std::string text = kBn;
        text.replace(text.find("Direct"), 6, "Selective dynamics\nDirect");
        text.replace(text.find(" 0.00 0.00 0.00\n"), 16, " 0.00 0.00 0.00 F F T\n");
        text.replace(text.find(" 0.25 0.25 0.25\n"), 16, " 0.25 0.25 0.25 T T T\n");
        const Structure s = fromText(text);
        QCOMPARE(s.extraProperties.size(), std::size_t(1));
        const ExtraAtomProperty& mask = s.extraProperties.front();
        QCOMPARE(mask.name, std::string("move_mask"));
        QCOMPARE(mask.type, 'L');
        QCOMPARE(mask.columns, 3);
        QCOMPARE(mask.values, (std::vector<std::string>{"F", "F", "T", "T", "T", "T"}));
        text.replace(text.find("T T T"), 5, "T X T");
        QVERIFY2(failure(text).startsWith("test.vasp:11: the position of atom 2 of 2: "
                                          "selective-dynamics flag 'X' is not T or F"),
                 qPrintable(failure(text)));
    }

    void vasp4TakesSpeciesFromOptionsOrComment() {
        std::string text = kBn;
        text.erase(text.find("   B N\n"), 7);
        // "Cubic BN" names no elements: the person is asked for them.
        QVERIFY2(
            failure(text).startsWith("test.vasp:6: this POSCAR (VASP 4 format) has no "
                                     "species line: add one with the 2 elements above the counts"),
            qPrintable(failure(text)));
        PoscarReadOptions options;
        options.species = {"B", "N"};
        QCOMPARE(fromText(text, options).numbers, (std::vector<int>{5, 7}));
        options.species = {"B"};
        QVERIFY2(failure(text, options).endsWith("--species (1 were given)"),
                 qPrintable(failure(text, options)));
        text.replace(0, 8, "B N");
        QCOMPARE(fromText(text).numbers, (std::vector<int>{5, 7}));
    }

    void potcarLabelsGiveTheElement() {
        std::string text = kBn;
        text.replace(text.find("   B N\n"), 7, "   B_s N_h/8c5f3d\n");
        QCOMPARE(fromText(text).numbers, (std::vector<int>{5, 7}));
    }

    void malformedFilesNameTheLine() {
        const struct {
            std::string from, to, expected;
        } cases[] = {
            {"   3.57\n", "   abc\n",
             "test.vasp:2: scaling factor 'abc' is not a finite real number"},
            {"   3.57\n", "   0\n", "test.vasp:2: the scaling factor is 0"},
            {"   3.57\n", "   1 2\n",
             "test.vasp:2: the scaling line needs one number (or three, for x, y and z), it has 2 "
             "words"},
            {" 0.5 0.0 0.5\n", " 0.5 0.0\n",
             "test.vasp:4: lattice vector a2 needs 3 numbers, the line has 2"},
            {" 0.5 0.5 0.0\n", " 0.0 0.5 0.5\n",
             "test.vasp:5: the lattice vectors are degenerate (zero volume)"},
            {"   B N\n", "   B Xx\n", "test.vasp:6: species 'Xx' is not an element symbol"},
            {"   1 1\n", "   1\n",
             "test.vasp:7: 1 atom counts for 2 species: one count per species is needed"},
            {"   1 1\n", "   1 -2\n", "test.vasp:7: atom count '-2' must be a positive integer"},
            {"Direct\n", "\n", "test.vasp:8: expected 'Direct' or 'Cartesian', the line is blank"},
            {" 0.25 0.25 0.25\n", " 0.25 nan 0.25\n",
             "test.vasp:10: the position of atom 2 of 2: 'nan' is not a finite real number"},
            {" 0.25 0.25 0.25\n", "",
             "test.vasp:10: the file ends here; expected the position of atom 2 of 2"},
        };
        for (const auto& c : cases) {
            std::string text = kBn;
            const auto at = text.find(c.from);
            QVERIFY(at != std::string::npos);
            text.replace(at, c.from.size(), c.to);
            QCOMPARE(failure(text), QString::fromStdString(c.expected));
        }
        QVERIFY(errorOf([] {
                    readPoscarFile("/nonexistent/POSCAR");
                }).startsWith("/nonexistent/POSCAR:0: cannot open the file"));
    }

    // ASE wrote these files and read them back (tests/data/poscar/expected_ase.json): we read
    // the same elements, cell and positions.
    void readsWhatAseWrote() {
        QFile file(poscarData("expected_ase.json"));
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QJsonObject expected = QJsonDocument::fromJson(file.readAll()).object();
        QCOMPARE(expected.size(), 4);
        for (auto it = expected.begin(); it != expected.end(); ++it) {
            const QString name = it.key();
            const QJsonObject e = it.value().toObject();
            const Structure s = readPoscarFile(poscarData(qPrintable(name)).toStdString());
            const QJsonArray symbols = e["symbols"].toArray();
            QCOMPARE(s.size(), std::size_t(symbols.size()));
            for (int i = 0; i < symbols.size(); ++i) {
                QCOMPARE(QString::fromLatin1(elementSymbol(s.numbers[i])), symbols[i].toString());
                const QJsonArray r = e["positions"].toArray()[i].toArray();
                for (int k = 0; k < 3; ++k)
                    QVERIFY2(std::abs(s.positions[i][k] - r[k].toDouble()) < 1e-12,
                             qPrintable(name));
            }
            for (int row = 0; row < 3; ++row)
                for (int k = 0; k < 3; ++k)
                    QCOMPARE(s.cell(row, k), e["cell"].toArray()[row].toArray()[k].toDouble());
            if (e.contains("fixed")) {
                QCOMPARE(s.extraProperties.size(), std::size_t(1));
                const auto& mask = s.extraProperties.front().values;
                const QJsonArray fixed = e["fixed"].toArray();
                for (int i = 0; i < fixed.size(); ++i)
                    for (int k = 0; k < 3; ++k)
                        QCOMPARE(mask[3 * i + k] == "F", fixed[i].toArray()[k].toBool());
            }
        }
    }

    void writtenFilesReadBackExactly() {
        SampleOptions options;
        options.configurations = 1;
        const Structure original = generateSampleDataset(options).structures.front();
        std::ostringstream out;
        writePoscar(out, original);
        std::istringstream in(out.str());
        const Structure back = readPoscar(in, "written");
        QCOMPARE(back.size(), original.size());
        QVERIFY(back.cell == original.cell);
        // Grouped by element in the order of first appearance; each atom's position bit for bit.
        std::vector<int> elements;
        for (int z : original.numbers)
            if (std::find(elements.begin(), elements.end(), z) == elements.end())
                elements.push_back(z);
        std::vector<std::size_t> order;
        for (int z : elements)
            for (std::size_t i = 0; i < original.size(); ++i)
                if (original.numbers[i] == z)
                    order.push_back(i);
        QCOMPARE(order.size(), original.size());
        for (std::size_t k = 0; k < order.size(); ++k) {
            QCOMPARE(back.numbers[k], original.numbers[order[k]]);
            QVERIFY(back.positions[k] == original.positions[order[k]]);
        }
        // Selective dynamics survives a round trip; a structure VASP cannot hold is refused.
        const Structure selective = readPoscarFile(poscarData("ase_selective.vasp").toStdString());
        std::ostringstream again;
        writePoscar(again, selective);
        QVERIFY(again.str().find("Selective dynamics\nCartesian\n") != std::string::npos);
        Structure molecule = original;
        molecule.pbc = {true, true, false};
        QVERIFY(errorOf([&] {
                    std::ostringstream o;
                    writePoscar(o, molecule);
                }).contains("not periodic along all three axes"));
    }

    void formatFromNameThenContent() {
        QTemporaryDir dir;
        const QString poscarNamedOddly = dir.filePath(QStringLiteral("cell.txt"));
        {
            std::ofstream out(poscarNamedOddly.toStdString());
            out << kBn;
        }
        QCOMPARE(toString(detectStructureFormat(poscarNamedOddly.toStdString())),
                 toString(StructureFormat::Poscar));
        QCOMPARE(toString(detectStructureFormat("/some/where/CONTCAR")),
                 toString(StructureFormat::Poscar));
        QCOMPARE(toString(detectStructureFormat("/some/where/POSCAR_relaxed")),
                 toString(StructureFormat::Poscar));
        QCOMPARE(toString(detectStructureFormat("/some/where/x.vasp")),
                 toString(StructureFormat::Poscar));
        QCOMPARE(toString(detectStructureFormat("/some/where/x.xyz")),
                 toString(StructureFormat::Extxyz));
        const QString xyz = dir.filePath(QStringLiteral("data.txt"));
        SampleOptions options;
        options.configurations = 2;
        writeExtxyzFile(xyz.toStdString(), generateSampleDataset(options));
        QCOMPARE(toString(detectStructureFormat(xyz.toStdString())),
                 toString(StructureFormat::Extxyz));
        QCOMPARE(readStructureFile(xyz.toStdString()).size(), std::size_t(2));
        QCOMPARE(readStructureFile(poscarNamedOddly.toStdString()).size(), std::size_t(1));
        // An explicit format wins: a POSCAR read as extended XYZ fails in that reader's words.
        StructureReadOptions asXyz;
        asXyz.format = StructureFormat::Extxyz;
        QVERIFY(errorOf([&] {
                    readStructureFile(poscarNamedOddly.toStdString(), asXyz);
                }).startsWith(poscarNamedOddly + ":1:"));
        QCOMPARE(toString(parseStructureFormat("POSCAR")), toString(StructureFormat::Poscar));
        QVERIFY(errorOf([] { parseStructureFormat("cif"); }).contains("auto, extxyz or poscar"));
    }

    void convertCommand() {
        QTemporaryDir dir;
        const QString xyz = dir.filePath(QStringLiteral("sample.xyz"));
        QCOMPARE(runCli({"sample", "--out", xyz, "--configurations", "3"}).exitCode, 0);
        const QString poscar = dir.filePath(QStringLiteral("POSCAR"));
        // Three configurations do not fit one POSCAR: said, with the way out.
        const auto refused = runCli({"convert", xyz, poscar});
        QCOMPARE(refused.exitCode, 1);
        QVERIFY2(refused.err.contains("POSCAR holds one structure") &&
                     refused.err.contains("--index"),
                 refused.err.constData());
        const auto converted = runCli({"convert", xyz, poscar, "--index", "-1"});
        QCOMPARE(converted.exitCode, 0);
        // The sample's energies and forces cannot go into a POSCAR: said.
        QVERIFY2(converted.err.contains("warning: POSCAR holds no energy, forces or stress"),
                 converted.err.constData());
        const Structure last = readExtxyzFile(xyz.toStdString()).structures.back();
        const Structure written = readPoscarFile(poscar.toStdString());
        QCOMPARE(written.size(), last.size());
        QVERIFY(written.cell == last.cell);
        // And back to extended XYZ; info and graph take the POSCAR directly.
        const QString back = dir.filePath(QStringLiteral("back.xyz"));
        QCOMPARE(runCli({"convert", poscar, back}).exitCode, 0);
        const Structure again = readExtxyzFile(back.toStdString()).structures.front();
        QVERIFY(again.positions == written.positions);
        const auto info = runCli({"info", poscar});
        QCOMPARE(info.exitCode, 0);
        QVERIFY2(info.out.contains("96"), info.out.constData());
        QCOMPARE(runCli({"graph", poscar, "--cutoff", "3"}).exitCode, 0);
        const auto vasp4 = runCli({"info", poscarData("ase_vasp4.vasp"), "--format", "poscar"});
        QCOMPARE(vasp4.exitCode, 0);
        // A VASP 4 file whose comment names no elements: refused, then read with --species.
        const QString old = dir.filePath(QStringLiteral("old.vasp"));
        {
            std::string text = kBn;
            text.erase(text.find("   B N\n"), 7);
            std::ofstream(old.toStdString()) << text;
        }
        const auto refusedOld = runCli({"info", old});
        QCOMPARE(refusedOld.exitCode, 1);
        QVERIFY2(refusedOld.err.contains("old.vasp:6:") && refusedOld.err.contains("--species"),
                 refusedOld.err.constData());
        const auto withSpecies = runCli({"info", old, "--species", "B,N"});
        QCOMPARE(withSpecies.exitCode, 0);
        QVERIFY2(withSpecies.out.contains("B:1 N:1"), withSpecies.out.constData());
    }
};

QTEST_GUILESS_MAIN(TestPoscar)
#include "test_poscar.moc"
