// Extended-XYZ reader.
//
// A configuration is an atom-count line, a header line of key=value pairs and one line per atom
// whose columns the header's Properties key describes. Rules beyond the format's core, chosen to
// match ASE (the format's reference implementation) where it has one:
//   * No `pbc` key: periodic along all three axes when a Lattice is given, else along none.
//   * No `Properties` key: `species:S:1:pos:R:3` (a plain XYZ file).
//   * Values may be "double-quoted" (with \" and \\ escapes), 'single-quoted', or in {} or [];
//     spaces around `=` are allowed; a key without `=` is a flag with the value "T".
//   * Lattice, pbc and 3- or 9-component lists accept spaces or commas between items.
//   * Only trailing blank lines may end a file; a blank line anywhere else is an error.
// Numbers go through std::from_chars: the reader is meant to run at millions of atoms a second.
#include "graphace/element.h"
#include "graphace/error.h"
#include "graphace/extxyz.h"

#include "text_fields.h"

#include <Eigen/Geometry>
#include <Eigen/LU>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace graphace {
namespace {

using text::parseFiniteReal;
using text::parseInteger;
using text::parseReal;
using text::shown;

const char* const kDefaultProperties = "species:S:1:pos:R:3";
const char* const kEnergyKeys[] = {"energy", "dft_energy", "Energy", "total_energy"};
const char* const kForcesKeys[] = {"forces", "force", "dft_force", "dft_forces"};

bool isBlankChar(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && isBlankChar(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && isBlankChar(s.back()))
        s.remove_suffix(1);
    return s;
}

bool isBlank(std::string_view s) {
    return trim(s).empty();
}

bool equalsNoCase(std::string_view a, std::string_view b) {
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x - 'A' + 'a');
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y - 'A' + 'a');
        if (x != y)
            return false;
    }
    return true;
}

// T/F/True/False in any case, as ASE accepts.
bool parseLogical(std::string_view t, bool& value) {
    if (equalsNoCase(t, "T") || equalsNoCase(t, "True")) {
        value = true;
        return true;
    }
    if (equalsNoCase(t, "F") || equalsNoCase(t, "False")) {
        value = false;
        return true;
    }
    return false;
}

// Whitespace-separated fields of an atom line; views into `line`.
void splitFields(std::string_view line, std::vector<std::string_view>& fields) {
    fields.clear();
    const char* p = line.data();
    const char* const end = p + line.size();
    while (true) {
        while (p != end && isBlankChar(*p))
            ++p;
        if (p == end)
            return;
        const char* start = p;
        while (p != end && !isBlankChar(*p))
            ++p;
        fields.emplace_back(start, static_cast<std::size_t>(p - start));
    }
}

// Atom lines pad columns with runs of spaces: skip them eight bytes at a time.
const char* skipBlanks(const char* p, const char* end) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    while (end - p >= 8) {
        std::uint64_t word;
        std::memcpy(&word, p, 8);
        const std::uint64_t notSpace = word ^ 0x2020202020202020ULL;
        if (notSpace != 0) {
            p += __builtin_ctzll(notSpace) / 8;
            break;
        }
        p += 8;
    }
#endif
    while (p != end && isBlankChar(*p))
        ++p;
    return p;
}

const char* tokenEnd(const char* p, const char* end) {
    while (p != end && !isBlankChar(*p))
        ++p;
    return p;
}

// Parses the field starting at p as a number (from_chars: no locale, no allocation, and a
// leading '+' accepted by hand); on success p moves to the field's end.
template <typename Number> bool readNumber(const char*& p, const char* end, Number& value) {
    const char* q = p;
    if (*q == '+' && q + 1 != end && q[1] != '+' && q[1] != '-')
        ++q;
    const auto [stop, ec] = std::from_chars(q, end, value);
    if (ec != std::errc() || (stop != end && !isBlankChar(*stop)))
        return false;
    p = stop;
    return true;
}

bool readReal(const char*& p, const char* end, double& value) {
    return readNumber(p, end, value);
}
bool readInteger(const char*& p, const char* end, long long& value) {
    return readNumber(p, end, value);
}

// Items of a list value such as a Lattice: optional enclosing [] or {}, spaces or commas between.
std::vector<std::string_view> splitList(std::string_view value) {
    value = trim(value);
    if (value.size() >= 2 && ((value.front() == '[' && value.back() == ']') ||
                              (value.front() == '{' && value.back() == '}')))
        value = value.substr(1, value.size() - 2);
    std::vector<std::string_view> items;
    std::size_t i = 0;
    while (i < value.size()) {
        while (i < value.size() && (isBlankChar(value[i]) || value[i] == ','))
            ++i;
        const std::size_t start = i;
        while (i < value.size() && !isBlankChar(value[i]) && value[i] != ',')
            ++i;
        if (i > start)
            items.push_back(value.substr(start, i - start));
    }
    return items;
}

std::string pbcText(const std::array<bool, 3>& pbc) {
    std::string text;
    for (int k = 0; k < 3; ++k)
        text += std::string(k ? " " : "") + (pbc[k] ? "T" : "F");
    return text;
}

// Whether the lattice vectors of the periodic directions span a line, area or volume.
bool periodicLatticeDegenerate(const Mat3& cell, const std::array<bool, 3>& pbc) {
    constexpr double kTolerance = 1e-10;
    std::vector<Vec3> vectors;
    for (int k = 0; k < 3; ++k)
        if (pbc[k])
            vectors.push_back(cell.row(k).transpose());
    double scale = 1.0;
    for (const Vec3& v : vectors)
        scale *= v.norm();
    if (!(scale > 0.0))
        return true;
    double measure = scale;
    if (vectors.size() == 2)
        measure = vectors[0].cross(vectors[1]).norm();
    else if (vectors.size() == 3)
        measure = std::abs(cell.determinant());
    return !(measure > kTolerance * scale);
}

enum class Role { Species, Position, Forces, Z, Extra };

struct Column {
    std::string name;
    char type = 'R';
    int width = 1;
    int first = 0; // index of the column's first field on an atom line
    Role role = Role::Extra;
    int extra = -1; // index into Structure::extraProperties
};

// The header's key=value items, each taken at most once; what is left goes to Structure::info.
class HeaderItems {
public:
    explicit HeaderItems(std::vector<std::pair<std::string, std::string>> items)
        : m_items(std::move(items)), m_used(m_items.size(), false) {}
    int find(std::string_view key) const {
        for (std::size_t k = 0; k < m_items.size(); ++k)
            if (m_items[k].first == key)
                return static_cast<int>(k);
        return -1;
    }
    bool used(int k) const { return m_used[k]; }
    const std::string& key(int k) const { return m_items[k].first; }
    // The item's value, marked as taken.
    const std::string& take(int k) {
        m_used[k] = true;
        return m_items[k].second;
    }
    void moveUnusedTo(std::vector<std::pair<std::string, std::string>>& info) {
        for (std::size_t k = 0; k < m_items.size(); ++k)
            if (!m_used[k])
                info.push_back(std::move(m_items[k]));
    }

private:
    std::vector<std::pair<std::string, std::string>> m_items;
    std::vector<bool> m_used;
};

} // namespace

struct ExtxyzReader::Impl {
    std::istream& in;
    std::string source;
    ExtxyzReadOptions options;
    long lineNo = 0;
    long configurations = 0;
    std::string text; // the current line
    std::vector<std::string_view> fields;

    Impl(std::istream& stream, std::string name, ExtxyzReadOptions opts)
        : in(stream), source(std::move(name)), options(std::move(opts)) {}

    [[noreturn]] void fail(long line, const std::string& message) const {
        throw ParseError(source, line, message);
    }

    bool readLine() {
        if (!std::getline(in, text)) {
            if (in.bad())
                fail(lineNo + 1, "read error: the input could not be read beyond this point");
            return false;
        }
        ++lineNo;
        if (!text.empty() && text.back() == '\r')
            text.pop_back();
        if (lineNo == 1 && text.rfind("\xEF\xBB\xBF", 0) == 0)
            text.erase(0, 3); // a UTF-8 byte-order mark some editors write
        return true;
    }

    bool next(Structure& out);
    long readAtomCount();
    std::vector<std::pair<std::string, std::string>> parseHeader(std::string_view line) const;
    void readHeader(Structure& s, std::vector<Column>& columns, std::string& properties);
    void readCell(Structure& s, HeaderItems& header) const;
    std::vector<Column> parseProperties(const std::string& properties) const;
    void assignColumnRoles(Structure& s, std::vector<Column>& columns,
                           const std::string& properties) const;
    void readEnergyAndStress(Structure& s, HeaderItems& header) const;
    double headerReal(std::string_view key, std::string_view value) const;
    Mat3 headerMatrix(std::string_view key, std::string_view value) const;
    void readAtoms(Structure& s, long count, long countLine, std::vector<Column>& columns,
                   const std::string& properties);
};

// Returns the atom count, 0 at a clean end of input (only blank lines left).
long ExtxyzReader::Impl::readAtomCount() {
    long firstBlank = 0;
    while (true) {
        if (!readLine())
            return 0;
        if (!isBlank(text))
            break;
        if (firstBlank == 0)
            firstBlank = lineNo;
    }
    if (firstBlank != 0)
        fail(firstBlank, "blank line where an atom count was expected (only trailing blank lines "
                         "may end a file)");
    const std::string_view token = trim(text);
    long long count = 0;
    if (!parseInteger(token, count)) {
        std::string message =
            "expected the number of atoms (a positive integer), got " + shown(token);
        if (configurations > 0)
            message += " (does the configuration before have more atom lines than its count?)";
        fail(lineNo, message);
    }
    if (count <= 0)
        fail(lineNo, "atom count must be positive, got " + std::to_string(count));
    if (count > INT_MAX)
        fail(lineNo, "atom count " + std::to_string(count) + " is too large");
    return static_cast<long>(count);
}

std::vector<std::pair<std::string, std::string>>
ExtxyzReader::Impl::parseHeader(std::string_view line) const {
    std::vector<std::pair<std::string, std::string>> items;
    const std::size_t n = line.size();
    std::size_t i = 0;
    auto skipBlanks = [&] {
        while (i < n && isBlankChar(line[i]))
            ++i;
    };
    // Reads a quoted string starting at line[i] (the quote), unescaping \" and \\.
    auto readQuoted = [&](const std::string& what) {
        const char quote = line[i];
        const std::size_t open = i++;
        std::string value;
        while (i < n && line[i] != quote) {
            if (line[i] == '\\' && i + 1 < n && (line[i + 1] == quote || line[i + 1] == '\\'))
                ++i;
            value += line[i++];
        }
        if (i == n)
            fail(lineNo, std::string("unterminated ") + quote + " in the header " + what +
                             " (opened at column " + std::to_string(open + 1) + ")");
        ++i;
        return value;
    };
    while (true) {
        skipBlanks();
        if (i == n)
            break;
        if (line[i] == '=')
            fail(lineNo,
                 "header has '=' without a key before it (column " + std::to_string(i + 1) + ")");
        std::string key;
        if (line[i] == '"' || line[i] == '\'') {
            key = readQuoted("key");
        } else {
            const std::size_t start = i;
            while (i < n && !isBlankChar(line[i]) && line[i] != '=')
                ++i;
            key.assign(line.substr(start, i - start));
        }
        skipBlanks();
        std::string value = "T"; // a bare key is a flag
        if (i < n && line[i] == '=') {
            ++i;
            const std::size_t afterEquals = i;
            skipBlanks();
            if (i == n)
                fail(lineNo, "header key '" + key + "' has '=' but no value");
            const bool spaced = i != afterEquals;
            const char c = line[i];
            if (c == '"' || c == '\'') {
                value = readQuoted("value of '" + key + "'");
            } else if (c == '[' || c == '{') {
                const char close = c == '[' ? ']' : '}';
                const std::size_t start = i;
                int depth = 0;
                for (; i < n; ++i) {
                    if (line[i] == c)
                        ++depth;
                    else if (line[i] == close && --depth == 0)
                        break;
                }
                if (i == n)
                    fail(lineNo, std::string("unterminated ") + c + " in the header value of '" +
                                     key + "'");
                ++i;
                value.assign(line.substr(start, i - start));
            } else {
                const std::size_t start = i;
                while (i < n && !isBlankChar(line[i]))
                    ++i;
                value.assign(line.substr(start, i - start));
                // `a= b=1` is a key without value followed by b=1, not a = "b=1".
                if (spaced && value.find('=') != std::string::npos)
                    fail(lineNo, "header key '" + key + "' has '=' but no value");
            }
        }
        for (const auto& item : items)
            if (item.first == key)
                fail(lineNo, "header key '" + key + "' appears twice");
        items.emplace_back(std::move(key), std::move(value));
    }
    return items;
}

double ExtxyzReader::Impl::headerReal(std::string_view key, std::string_view value) const {
    double v = 0.0;
    if (!parseFiniteReal(trim(value), v))
        fail(lineNo, std::string(key) + " value " + shown(value) + " is not a finite real number");
    return v;
}

// Stress or virial: 9 components row by row, or 6 in Voigt order xx yy zz yz xz xy.
Mat3 ExtxyzReader::Impl::headerMatrix(std::string_view key, std::string_view value) const {
    const auto items = splitList(value);
    if (items.size() != 9 && items.size() != 6)
        fail(lineNo, std::string(key) + " needs 9 real numbers (3x3, row by row) or 6 (Voigt xx " +
                         "yy zz yz xz xy), got " + std::to_string(items.size()) + " values");
    double v[9];
    for (std::size_t k = 0; k < items.size(); ++k)
        v[k] = headerReal(key, items[k]);
    Mat3 m;
    if (items.size() == 9)
        m << v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8];
    else
        m << v[0], v[5], v[4], v[5], v[1], v[3], v[4], v[3], v[2];
    return m;
}

// A header line: cell and periodicity, the per-atom columns (Properties) and their roles, the
// energy, stress and virial; the other keys are kept in Structure::info.
void ExtxyzReader::Impl::readHeader(Structure& s, std::vector<Column>& columns,
                                    std::string& properties) {
    HeaderItems header(parseHeader(text));
    readCell(s, header);
    const int props = header.find("Properties");
    properties = props >= 0 ? header.take(props) : std::string(kDefaultProperties);
    columns = parseProperties(properties);
    assignColumnRoles(s, columns, properties);
    readEnergyAndStress(s, header);
    header.moveUnusedTo(s.info);

    for (Column& c : columns) {
        if (c.role != Role::Extra && c.role != Role::Z)
            continue;
        c.extra = static_cast<int>(s.extraProperties.size());
        ExtraAtomProperty p;
        p.name = c.name;
        p.type = c.type;
        p.columns = c.width;
        s.extraProperties.push_back(std::move(p));
    }
}

// Lattice and pbc (without pbc, a Lattice makes every direction periodic: the ASE convention).
void ExtxyzReader::Impl::readCell(Structure& s, HeaderItems& header) const {
    const int lattice = header.find("Lattice");
    if (lattice >= 0) {
        const auto values = splitList(header.take(lattice));
        if (values.size() != 9)
            fail(lineNo, "Lattice needs 9 real numbers (3 rows a1 a2 a3 of x y z), got " +
                             std::to_string(values.size()) + " values");
        for (int k = 0; k < 9; ++k)
            s.cell(k / 3, k % 3) = headerReal("Lattice", values[k]);
    }

    const int pbc = header.find("pbc");
    if (pbc >= 0) {
        const std::string& text = header.take(pbc);
        const auto values = splitList(text);
        if (values.size() != 3)
            fail(lineNo, "pbc needs 3 logical values (T or F), got " +
                             std::to_string(values.size()) + " in " + shown(text));
        for (int k = 0; k < 3; ++k) {
            bool periodic = false;
            if (!parseLogical(values[k], periodic))
                fail(lineNo, "pbc value " + shown(values[k]) + " is not a logical value (T or F)");
            s.pbc[k] = periodic;
        }
    } else {
        s.pbc.fill(lattice >= 0);
    }
    if (s.isPeriodic() && lattice < 0)
        fail(lineNo, "pbc is \"" + pbcText(s.pbc) +
                         "\" but there is no Lattice: a periodic direction needs its lattice "
                         "vector");
    if (s.isPeriodic() && periodicLatticeDegenerate(s.cell, s.pbc))
        fail(lineNo, "Lattice is degenerate (zero length, area or volume) along the periodic "
                     "directions of pbc \"" +
                         pbcText(s.pbc) + "\"" +
                         (pbc < 0 ? " (no pbc key: a Lattice makes it periodic)" : ""));
}

// Properties=name:type:columns:... as columns with their first field on an atom line.
std::vector<Column> ExtxyzReader::Impl::parseProperties(const std::string& properties) const {
    std::vector<std::string_view> parts;
    std::string_view rest = properties;
    while (true) {
        const std::size_t colon = rest.find(':');
        parts.push_back(rest.substr(0, colon));
        if (colon == std::string_view::npos)
            break;
        rest.remove_prefix(colon + 1);
    }
    if (parts.size() % 3 != 0)
        fail(lineNo, "Properties must be name:type:columns triplets, got " +
                         std::to_string(parts.size()) + " fields in " + shown(properties));
    std::vector<Column> columns;
    int first = 0;
    for (std::size_t k = 0; k < parts.size(); k += 3) {
        Column c;
        c.name.assign(parts[k]);
        if (c.name.empty())
            fail(lineNo, "Properties has an empty column name in " + shown(properties));
        for (const Column& other : columns)
            if (other.name == c.name)
                fail(lineNo, "Properties names the column '" + c.name + "' twice");
        const std::string_view type = parts[k + 1];
        if (type.size() != 1 || !std::strchr("RISLrisl", type[0]))
            fail(lineNo, "Properties type " + shown(type) + " of '" + c.name +
                             "' is not one of R (real), I (integer), S (string), L (logical)");
        c.type = static_cast<char>(std::toupper(static_cast<unsigned char>(type[0])));
        long long width = 0;
        if (!parseInteger(parts[k + 2], width) || width < 1 || width > 1000)
            fail(lineNo, "Properties column count " + shown(parts[k + 2]) + " of '" + c.name +
                             "' is not a positive integer");
        c.width = static_cast<int>(width);
        c.first = first;
        first += c.width;
        columns.push_back(std::move(c));
    }
    return columns;
}

// Which columns are the positions, the elements (species or Z) and the forces.
void ExtxyzReader::Impl::assignColumnRoles(Structure& s, std::vector<Column>& columns,
                                           const std::string& properties) const {
    auto column = [&](std::string_view name) -> Column* {
        for (Column& c : columns)
            if (c.name == name)
                return &c;
        return nullptr;
    };
    auto typeText = [](const Column& c) {
        return c.name + ":" + c.type + ":" + std::to_string(c.width);
    };
    Column* pos = column("pos");
    if (!pos)
        fail(lineNo, "Properties " + shown(properties) + " has no pos column (pos:R:3 is needed)");
    if (pos->type != 'R' || pos->width != 3)
        fail(lineNo, "pos must be R:3 (three real columns), got " + typeText(*pos));
    pos->role = Role::Position;
    Column* species = column("species");
    if (species) {
        if (species->type != 'S' || species->width != 1)
            fail(lineNo,
                 "species must be S:1 (one element symbol per atom), got " + typeText(*species));
        species->role = Role::Species;
    }
    Column* z = column("Z");
    if (z) {
        if (z->type != 'I' || z->width != 1)
            fail(lineNo, "Z must be I:1 (one atomic number per atom), got " + typeText(*z));
        z->role = Role::Z;
    }
    if (!species && !z)
        fail(lineNo, "Properties " + shown(properties) +
                         " has neither species:S:1 nor Z:I:1, so the elements are unknown");

    Column* forces = nullptr;
    if (!options.forcesKey.empty()) {
        forces = column(options.forcesKey);
        if (!forces)
            fail(lineNo, "forces column '" + options.forcesKey +
                             "' (chosen in the read options) is not in Properties " +
                             shown(properties));
    } else {
        for (const char* key : kForcesKeys)
            if ((forces = column(key)))
                break;
    }
    if (forces) {
        if (forces->role != Role::Extra)
            fail(lineNo, "column '" + forces->name + "' cannot be the forces");
        if (forces->type != 'R' || forces->width != 3)
            fail(lineNo,
                 "forces column must be R:3 (three real columns), got " + typeText(*forces));
        forces->role = Role::Forces;
        s.forcesKey = forces->name;
    }
}

// The energy (the key chosen in the options, else the first of kEnergyKeys), stress and virial.
void ExtxyzReader::Impl::readEnergyAndStress(Structure& s, HeaderItems& header) const {
    int energy = -1;
    if (!options.energyKey.empty()) {
        energy = header.find(options.energyKey);
        if (energy < 0)
            fail(lineNo, "energy key '" + options.energyKey +
                             "' (chosen in the read options) is not in the header");
    } else {
        for (const char* key : kEnergyKeys)
            if ((energy = header.find(key)) >= 0)
                break;
    }
    if (energy >= 0) {
        if (header.used(energy))
            fail(lineNo, "header key '" + header.key(energy) + "' cannot be the energy");
        s.energyKey = header.key(energy);
        s.energy = headerReal(s.energyKey, header.take(energy));
    }

    const int stress = header.find("stress");
    if (stress >= 0)
        s.stress = headerMatrix("stress", header.take(stress));
    const int virial = header.find("virial");
    if (virial >= 0)
        s.virial = headerMatrix("virial", header.take(virial));
}

void ExtxyzReader::Impl::readAtoms(Structure& s, long count, long countLine,
                                   std::vector<Column>& columns, const std::string& properties) {
    std::size_t fieldsNeeded = 0;
    bool haveSpecies = false;
    for (const Column& c : columns) {
        fieldsNeeded += static_cast<std::size_t>(c.width);
        haveSpecies = haveSpecies || c.role == Role::Species;
    }
    // A lying count must not allocate gigabytes before the file runs out.
    const auto reserve = static_cast<std::size_t>(std::min(count, 1L << 14));
    s.positions.reserve(reserve);
    s.numbers.reserve(reserve);
    if (!s.forcesKey.empty())
        s.forces.reserve(reserve);
    for (Column& c : columns)
        if (c.extra >= 0)
            s.extraProperties[c.extra].values.reserve(reserve * c.width);

    const std::string countText = " (atom count on line " + std::to_string(countLine) + ")";
    long atom = 0;
    // The line is read in one pass, field after field; only on an error is it split to tell a
    // wrong number of fields (reported first) from a bad value.
    auto checkFieldCount = [&] {
        splitFields(text, fields);
        if (fields.empty())
            fail(lineNo, "blank line where atom " + std::to_string(atom) + " of " +
                             std::to_string(count) + " was expected" + countText);
        if (fields.size() != fieldsNeeded)
            fail(lineNo, "atom line has " + std::to_string(fields.size()) +
                             " fields, Properties (" + properties +
                             (properties == kDefaultProperties ? ", the default" : "") +
                             ") needs " + std::to_string(fieldsNeeded));
    };
    const char* p = nullptr;
    const char* end = nullptr;
    auto nextField = [&] {
        p = skipBlanks(p, end);
        if (p == end)
            checkFieldCount(); // fails: the line has too few fields
        return p;
    };
    auto badValue = [&](const Column& c, const char* start, const char* expected) {
        checkFieldCount();
        fail(lineNo, c.name + " value " +
                         shown(std::string_view(start, tokenEnd(start, end) - start)) +
                         " of atom " + std::to_string(atom) + " is not " + expected);
    };

    for (atom = 1; atom <= count; ++atom) {
        if (!readLine())
            fail(lineNo + 1, "file ends after " + std::to_string(atom - 1) + " of " +
                                 std::to_string(count) + " atoms" + countText);
        p = text.data();
        end = p + text.size();
        int zFromColumn = 0;
        for (const Column& c : columns) {
            switch (c.role) {
            case Role::Species: {
                const char* start = nextField();
                p = tokenEnd(p, end);
                const std::string_view symbol(start, static_cast<std::size_t>(p - start));
                const int number = atomicNumber(symbol);
                if (number == 0) {
                    checkFieldCount();
                    fail(lineNo, "unknown element symbol " + shown(symbol) + " (atom " +
                                     std::to_string(atom) + ")");
                }
                s.numbers.push_back(number);
                break;
            }
            case Role::Position:
            case Role::Forces: {
                Vec3 v;
                for (int k = 0; k < 3; ++k) {
                    const char* start = nextField();
                    if (!readReal(p, end, v[k]) || !std::isfinite(v[k]))
                        badValue(c, start, "a finite real number");
                }
                (c.role == Role::Position ? s.positions : s.forces).push_back(v);
                break;
            }
            case Role::Z: {
                const char* start = nextField();
                long long number = 0;
                if (!readInteger(p, end, number) || number < 1 || number > 118)
                    badValue(c, start, "an atomic number (1 to 118)");
                zFromColumn = static_cast<int>(number);
                s.extraProperties[c.extra].values.emplace_back(start, p - start);
                break;
            }
            case Role::Extra: {
                auto& values = s.extraProperties[c.extra].values;
                for (int k = 0; k < c.width; ++k) {
                    const char* start = nextField();
                    double real = 0.0;
                    long long integer = 0;
                    bool logical = false;
                    if (c.type == 'R' && !readReal(p, end, real))
                        badValue(c, start, "a real number");
                    if (c.type == 'I' && !readInteger(p, end, integer))
                        badValue(c, start, "an integer");
                    if (c.type == 'L' || c.type == 'S')
                        p = tokenEnd(p, end);
                    if (c.type == 'L' && !parseLogical(std::string_view(start, p - start), logical))
                        badValue(c, start, "a logical value (T or F)");
                    values.emplace_back(start, p - start);
                }
                break;
            }
            }
        }
        if (skipBlanks(p, end) != end)
            checkFieldCount(); // fails: the line has too many fields
        if (zFromColumn != 0) {
            if (!haveSpecies)
                s.numbers.push_back(zFromColumn);
            else if (s.numbers.back() != zFromColumn)
                fail(lineNo, "Z = " + std::to_string(zFromColumn) + " disagrees with species " +
                                 shown(elementSymbol(s.numbers.back())) +
                                 " (Z = " + std::to_string(s.numbers.back()) + ") on atom " +
                                 std::to_string(atom));
        }
    }
}

bool ExtxyzReader::Impl::next(Structure& out) {
    const long count = readAtomCount();
    if (count == 0)
        return false;
    const long countLine = lineNo;
    if (!readLine())
        fail(lineNo + 1, "file ends after the atom count; expected the header (comment) line");
    Structure s;
    s.sourceFile = source;
    s.sourceLine = countLine;
    std::vector<Column> columns;
    std::string properties;
    readHeader(s, columns, properties);
    readAtoms(s, count, countLine, columns, properties);
    out = std::move(s);
    ++configurations;
    return true;
}

ExtxyzReader::ExtxyzReader(std::istream& in, std::string sourceName, ExtxyzReadOptions options)
    : m_impl(std::make_unique<Impl>(in, std::move(sourceName), std::move(options))) {}

ExtxyzReader::~ExtxyzReader() = default;

bool ExtxyzReader::next(Structure& out) {
    return m_impl->next(out);
}

long ExtxyzReader::line() const {
    return m_impl->lineNo;
}

namespace {

// Reads all configurations; `position` (bytes consumed, or -1) feeds the progress callback.
Dataset readAll(std::istream& in, const std::string& name, const ExtxyzReadOptions& options,
                const ProgressCallback& progress, double totalBytes) {
    ExtxyzReader reader(in, name, options);
    Dataset dataset;
    reportProgress(progress, 0.0);
    double reported = 0.0;
    Structure s;
    while (reader.next(s)) {
        dataset.structures.push_back(std::move(s));
        if (progress && totalBytes > 0) {
            const auto at = static_cast<double>(in.tellg());
            // Reports every 0.5 %: a callback may repaint a dialog.
            if (at >= 0 && at / totalBytes - reported >= 0.005) {
                reported = at / totalBytes;
                reportProgress(progress, std::min(reported, 1.0));
            }
        }
    }
    if (dataset.structures.empty())
        throw ParseError(name, 1,
                         reader.line() == 0
                             ? "file is empty: expected an atom count on line 1"
                             : "file holds only blank lines: expected an atom count on line 1");
    reportProgress(progress, 1.0);
    return dataset;
}

} // namespace

Dataset readExtxyzFile(const std::string& path, const ExtxyzReadOptions& options,
                       const ProgressCallback& progress) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec))
        throw ParseError(path, 0, "is a folder, not an extended-XYZ file");
    std::vector<char> buffer(1 << 20); // fewer, larger reads than the default 8 KiB; outlives `in`
    std::ifstream in;
    in.rdbuf()->pubsetbuf(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    in.open(path, std::ios::binary);
    if (!in)
        throw ParseError(path, 0, std::string("cannot open the file: ") + std::strerror(errno));
    const auto size = std::filesystem::file_size(path, ec);
    return readAll(in, path, options, progress, ec ? 0.0 : static_cast<double>(size));
}

Dataset readExtxyzString(const std::string& text, const std::string& sourceName,
                         const ExtxyzReadOptions& options) {
    std::istringstream in(text);
    return readAll(in, sourceName, options, {}, 0.0);
}

} // namespace graphace
