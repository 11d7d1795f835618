#include "graphace/poscar.h"

#include "graphace/atomic_file.h"
#include "graphace/element.h"
#include "graphace/error.h"

#include "text_fields.h"

#include <Eigen/Dense>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string_view>

namespace graphace {
namespace {

std::vector<std::string_view> splitWords(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
        const std::size_t start = i;
        while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])))
            ++i;
        if (i > start)
            words.push_back(line.substr(start, i - start));
    }
    return words;
}

using text::parseFiniteReal;
using text::parseInteger;
using text::shown;

// The element of a species label: "Si", "Fe_pv", "Ti_sv/f2c3a8bf" (VASP 6 writes POTCAR names).
int elementOfLabel(std::string_view label) {
    const std::size_t cut = label.find_first_of("_/.");
    return atomicNumber(label.substr(0, cut));
}

class Lines {
public:
    Lines(std::istream& in, std::string source) : m_in(in), m_source(std::move(source)) {}

    // The next line; `what` says what it should hold when the file ends before it.
    std::string_view next(const std::string& what) {
        if (!std::getline(m_in, m_text)) {
            if (m_in.bad())
                fail(m_line + 1, "read error: the input could not be read beyond this point");
            fail(m_line + 1, "the file ends here; expected " + what);
        }
        ++m_line;
        if (!m_text.empty() && m_text.back() == '\r')
            m_text.pop_back();
        if (m_line == 1 && m_text.rfind("\xEF\xBB\xBF", 0) == 0)
            m_text.erase(0, 3);
        return m_text;
    }
    long line() const { return m_line; }
    const std::string& source() const { return m_source; }
    [[noreturn]] void fail(long line, const std::string& message) const {
        throw ParseError(m_source, line, message);
    }
    [[noreturn]] void fail(const std::string& message) const { fail(m_line, message); }

    // `count` reals from the start of the next line (more words may follow).
    std::vector<double> reals(std::size_t count, const std::string& what) {
        const auto words = splitWords(next(what));
        if (words.size() < count)
            fail(what + " needs " + std::to_string(count) + " numbers, the line has " +
                 std::to_string(words.size()));
        std::vector<double> values(count);
        for (std::size_t k = 0; k < count; ++k)
            if (!parseFiniteReal(words[k], values[k]))
                fail(what + ": " + shown(words[k]) + " is not a finite real number");
        return values;
    }

private:
    std::istream& m_in;
    std::string m_source;
    std::string m_text;
    long m_line = 0;
};

} // namespace

Structure readPoscar(std::istream& in, const std::string& sourceName,
                     const PoscarReadOptions& options) {
    Lines lines(in, sourceName);
    Structure s;
    s.sourceFile = sourceName;
    s.pbc = {true, true, true};

    const std::string comment(lines.next("the comment line of a POSCAR file"));
    s.sourceLine = 1;
    if (!comment.empty())
        s.info.push_back({"comment", comment});

    // Scaling: one factor (negative: the volume wanted) or three, for x, y and z.
    const auto scaleWords = splitWords(lines.next("the scaling factor"));
    const long scaleLine = lines.line();
    if (scaleWords.size() != 1 && scaleWords.size() != 3)
        lines.fail("the scaling line needs one number (or three, for x, y and z), it has " +
                   std::to_string(scaleWords.size()) + " words");
    std::vector<double> scale(scaleWords.size());
    for (std::size_t k = 0; k < scaleWords.size(); ++k)
        if (!parseFiniteReal(scaleWords[k], scale[k]))
            lines.fail("scaling factor " + shown(scaleWords[k]) + " is not a finite real number");

    Mat3 lattice;
    for (int r = 0; r < 3; ++r) {
        const auto row = lines.reals(3, "lattice vector a" + std::to_string(r + 1));
        lattice.row(r) = Vec3(row[0], row[1], row[2]).transpose();
    }
    Vec3 factor = Vec3::Ones();
    if (scale.size() == 3) {
        if (scale[0] <= 0 || scale[1] <= 0 || scale[2] <= 0)
            lines.fail(scaleLine, "three scaling factors must all be positive");
        factor = Vec3(scale[0], scale[1], scale[2]);
    } else if (scale[0] > 0) {
        factor = Vec3::Constant(scale[0]);
    } else if (scale[0] < 0) {
        const double volume = std::abs(lattice.determinant());
        if (!(volume > 0))
            lines.fail(scaleLine, "a negative scaling factor asks for a cell volume, but the "
                                  "lattice vectors have none (they are degenerate)");
        factor = Vec3::Constant(std::cbrt(-scale[0] / volume));
    } else {
        lines.fail(scaleLine, "the scaling factor is 0");
    }
    for (int r = 0; r < 3; ++r)
        lattice.row(r) = lattice.row(r).cwiseProduct(factor.transpose());
    if (!lattice.allFinite())
        lines.fail(scaleLine, "the scaled lattice vectors are too large to represent");
    if (!(std::abs(lattice.determinant()) > 1e-12))
        lines.fail(scaleLine + 3, "the lattice vectors are degenerate (zero volume)");
    s.cell = lattice;

    // Species (VASP 5) and counts.
    std::vector<int> elements;
    auto words = splitWords(lines.next("the species line or the atom counts"));
    long long first = 0;
    if (words.empty())
        lines.fail("expected the species line (e.g. 'Si O') or the atom counts (e.g. '4 8')");
    if (!parseInteger(words[0], first)) {
        const long speciesLine = lines.line();
        for (std::string_view label : words) {
            const int z = elementOfLabel(label);
            if (z == 0)
                lines.fail(speciesLine, "species " + shown(label) + " is not an element symbol");
            elements.push_back(z);
        }
        words = splitWords(lines.next("the atom counts (one per species)"));
    }
    const long countsLine = lines.line();
    std::vector<long long> counts;
    for (std::string_view w : words) {
        long long n = 0;
        if (!parseInteger(w, n)) {
            if (!counts.empty())
                break; // a comment after the counts
            lines.fail("atom count " + shown(w) + " is not an integer");
        }
        if (n <= 0 || n > 100'000'000)
            lines.fail("atom count " + shown(w) + " must be a positive integer");
        counts.push_back(n);
    }
    if (elements.empty()) {
        // VASP 4: no species line. From the options, else from the comment when it names them.
        std::vector<std::string> labels = options.species;
        if (labels.empty())
            for (std::string_view w : splitWords(comment))
                labels.emplace_back(w);
        for (const std::string& label : labels) {
            const int z = elementOfLabel(label);
            if (z == 0) {
                elements.clear();
                break;
            }
            elements.push_back(z);
        }
        if (elements.size() != counts.size())
            lines.fail(countsLine,
                       "this POSCAR (VASP 4 format) has no species line: add one with the " +
                           std::to_string(counts.size()) +
                           " elements above the counts (e.g. 'Si O'), or give them in that "
                           "order with graphace's --species" +
                           (options.species.empty()
                                ? std::string()
                                : " (" + std::to_string(options.species.size()) + " were given)"));
    } else if (elements.size() != counts.size()) {
        lines.fail(countsLine, std::to_string(counts.size()) + " atom counts for " +
                                   std::to_string(elements.size()) +
                                   " species: one count per species is needed");
    }
    long long total = 0;
    for (std::size_t k = 0; k < counts.size(); ++k) {
        total += counts[k];
        if (total > 100'000'000)
            lines.fail(countsLine, "more than 100,000,000 atoms");
        s.numbers.insert(s.numbers.end(), counts[k], elements[k]);
    }

    // Selective dynamics, then the coordinate mode.
    std::string_view mode = lines.next("'Direct' or 'Cartesian'");
    const auto firstLetter = [](std::string_view line) {
        const auto w = splitWords(line);
        return w.empty() ? '\0'
                         : static_cast<char>(std::tolower(static_cast<unsigned char>(w[0][0])));
    };
    const bool selective = firstLetter(mode) == 's';
    if (selective)
        mode = lines.next("'Direct' or 'Cartesian' after 'Selective dynamics'");
    const char m = firstLetter(mode);
    if (m == '\0')
        lines.fail("expected 'Direct' or 'Cartesian', the line is blank");
    const bool cartesian = m == 'c' || m == 'k';

    ExtraAtomProperty moveMask;
    if (selective) {
        moveMask.name = "move_mask";
        moveMask.type = 'L';
        moveMask.columns = 3;
        moveMask.values.reserve(3 * total);
    }
    s.positions.reserve(total);
    for (long i = 0; i < total; ++i) {
        const std::string what =
            "the position of atom " + std::to_string(i + 1) + " of " + std::to_string(total);
        const auto w = splitWords(lines.next(what));
        if (w.size() < (selective ? 6u : 3u))
            lines.fail(what + " needs " +
                       (selective ? "3 numbers and 3 flags (T or F)" : "3 numbers") +
                       ", the line has " + std::to_string(w.size()) + " words");
        Vec3 r;
        for (int k = 0; k < 3; ++k)
            if (!parseFiniteReal(w[k], r[k]))
                lines.fail(what + ": " + shown(w[k]) + " is not a finite real number");
        s.positions.push_back(cartesian ? Vec3(r.cwiseProduct(factor))
                                        : Vec3(lattice.transpose() * r));
        if (!s.positions.back().allFinite())
            lines.fail(what + ": the position is too large to represent");
        if (selective)
            for (int k = 3; k < 6; ++k) {
                const char flag =
                    static_cast<char>(std::toupper(static_cast<unsigned char>(w[k][0])));
                if (w[k].size() != 1 || (flag != 'T' && flag != 'F'))
                    lines.fail(what + ": selective-dynamics flag " + shown(w[k]) +
                               " is not T or F");
                moveMask.values.emplace_back(1, flag);
            }
    }
    if (selective)
        s.extraProperties.push_back(std::move(moveMask));
    return s;
}

Structure readPoscarFile(const std::string& path, const PoscarReadOptions& options) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ParseError(path, 0, "cannot open the file");
    return readPoscar(in, path, options);
}

void writePoscar(std::ostream& out, const Structure& s) {
    if (s.size() == 0)
        throw std::invalid_argument("POSCAR: the structure has no atoms");
    if (!(s.pbc[0] && s.pbc[1] && s.pbc[2]) || !(std::abs(s.cell.determinant()) > 1e-12))
        throw std::invalid_argument("POSCAR: the structure is not periodic along all three axes "
                                    "with a cell of nonzero volume, which VASP needs");
    // One block per element, in the order each first appears.
    std::vector<int> elements;
    for (int z : s.numbers)
        if (std::find(elements.begin(), elements.end(), z) == elements.end())
            elements.push_back(z);
    const ExtraAtomProperty* mask = nullptr;
    for (const ExtraAtomProperty& p : s.extraProperties)
        if (p.name == "move_mask" && p.type == 'L' && p.columns == 3 &&
            p.values.size() == 3 * s.size())
            mask = &p;

    auto real = [](double v) {
        char buffer[32];
        const auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, v);
        return std::string(buffer, error == std::errc() ? end : buffer);
    };
    std::ostringstream text;
    std::string comment;
    if (const std::string* c = s.findInfo("comment"))
        comment = *c;
    for (char& ch : comment)
        if (ch == '\n' || ch == '\r')
            ch = ' ';
    text << (comment.empty() ? std::string("written by GraphACE") : comment) << "\n1.0\n";
    for (int r = 0; r < 3; ++r)
        text << "  " << real(s.cell(r, 0)) << " " << real(s.cell(r, 1)) << " " << real(s.cell(r, 2))
             << "\n";
    for (int z : elements)
        text << " " << elementSymbol(z);
    text << "\n";
    for (int z : elements)
        text << " " << std::count(s.numbers.begin(), s.numbers.end(), z);
    text << "\n";
    if (mask)
        text << "Selective dynamics\n";
    text << "Cartesian\n";
    for (int z : elements)
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s.numbers[i] != z)
                continue;
            const Vec3& r = s.positions[i];
            text << "  " << real(r.x()) << " " << real(r.y()) << " " << real(r.z());
            if (mask)
                for (int k = 0; k < 3; ++k)
                    text << " " << (mask->values[3 * i + k] == "T" ? 'T' : 'F');
            text << "\n";
        }
    out << text.str();
}

void writePoscarFile(const std::string& path, const Structure& structure) {
    std::ostringstream text;
    writePoscar(text, structure);
    writeFileAtomically(path, text.str());
}

} // namespace graphace
