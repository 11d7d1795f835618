// Extended-XYZ writer: writes what the reader reads back identically.
//
// Reals use std::to_chars' shortest form, which parses back to the same double (as %.17g does,
// with fewer digits). Anything the reader would refuse (no atoms, NaN, pbc without a lattice,
// mismatched array sizes, a key the header cannot hold) raises std::invalid_argument instead of
// producing a file that cannot be read.
#include "graphace/atomic_file.h"
#include "graphace/element.h"
#include "graphace/extxyz.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string_view>

namespace graphace {
namespace {

void appendReal(std::string& out, double value) {
    char buffer[32];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

void appendInteger(std::string& out, long value) {
    char buffer[24];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
    out.append(buffer, result.ptr);
}

bool isBlankChar(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

// Header keys and values go out bare when the reader would take them back unchanged.
bool needsQuotes(std::string_view text) {
    if (text.empty() || text.front() == '\'' || text.front() == '[' || text.front() == '{')
        return true;
    for (const char c : text)
        if (isBlankChar(c) || c == '"' || c == '\\' || c == '=')
            return true;
    return false;
}

void appendHeaderText(std::string& out, std::string_view text) {
    if (!needsQuotes(text)) {
        out += text;
        return;
    }
    out += '"';
    for (const char c : text) {
        if (c == '"' || c == '\\')
            out += '\\';
        out += c;
    }
    out += '"';
}

class Writer {
public:
    explicit Writer(const Structure& s) : m_s(s) {}

    void write(std::ostream& out);

private:
    [[noreturn]] void invalid(const std::string& what) const {
        std::string where;
        if (!m_s.sourceFile.empty())
            where = " (read from " + m_s.sourceFile + ":" + std::to_string(m_s.sourceLine) + ")";
        throw std::invalid_argument("cannot write structure" + where + " as extended XYZ: " + what);
    }
    void checkFinite(double value, const char* what) const {
        if (!std::isfinite(value))
            invalid(std::string("non-finite ") + what);
    }
    void checkColumnName(const std::string& name) const {
        if (name.empty())
            invalid("empty per-atom column name");
        for (const char c : name)
            if (isBlankChar(c) || c == ':' || c == '=' || c == '"' || c == '\'')
                invalid("per-atom column name '" + name + "' has a blank, ':', '=' or quote");
    }
    void appendMatrix(const Mat3& m, const char* what);
    void check() const;

    const Structure& m_s;
    std::string m_text;
};

void Writer::check() const {
    const std::size_t n = m_s.positions.size();
    if (n == 0)
        invalid("it has no atoms");
    if (m_s.numbers.size() != n)
        invalid(std::to_string(n) + " positions but " + std::to_string(m_s.numbers.size()) +
                " atomic numbers");
    if (!m_s.forces.empty() && m_s.forces.size() != n)
        invalid(std::to_string(n) + " positions but " + std::to_string(m_s.forces.size()) +
                " forces");
    for (const int z : m_s.numbers)
        if (z < 1 || z > 118)
            invalid("atomic number " + std::to_string(z) + " is not an element");
    if (m_s.isPeriodic() && m_s.cell.isZero(0.0))
        invalid("it is periodic but has no lattice");

    std::vector<std::string> names = {"species", "pos"};
    if (!m_s.forces.empty()) {
        names.push_back(m_s.forcesKey.empty() ? "forces" : m_s.forcesKey);
        checkColumnName(names.back());
    }
    for (const ExtraAtomProperty& p : m_s.extraProperties) {
        checkColumnName(p.name);
        names.push_back(p.name);
        if (p.type != 'R' && p.type != 'I' && p.type != 'S' && p.type != 'L')
            invalid("column '" + p.name + "' has type '" + std::string(1, p.type) +
                    "', not R, I, S or L");
        if (p.columns < 1 || p.values.size() != n * static_cast<std::size_t>(p.columns))
            invalid("column '" + p.name + "' holds " + std::to_string(p.values.size()) +
                    " values for " + std::to_string(n) + " atoms of " + std::to_string(p.columns) +
                    " columns");
        for (const std::string& v : p.values) {
            if (v.empty())
                invalid("column '" + p.name + "' has an empty value");
            for (const char c : v)
                if (isBlankChar(c))
                    invalid("column '" + p.name + "' has a value with a blank: '" + v + "'");
        }
    }
    for (std::size_t i = 0; i < names.size(); ++i)
        for (std::size_t j = i + 1; j < names.size(); ++j)
            if (names[i] == names[j])
                invalid("two per-atom columns are named '" + names[i] + "'");

    std::vector<std::string> keys = {"Lattice", "Properties", "pbc"};
    if (m_s.energy) {
        keys.push_back(m_s.energyKey.empty() ? "energy" : m_s.energyKey);
        for (int k = 0; k < 3; ++k)
            if (keys.back() == keys[k])
                invalid("the energy cannot be written under the key '" + keys.back() + "'");
    }
    if (m_s.stress)
        keys.emplace_back("stress");
    if (m_s.virial)
        keys.emplace_back("virial");
    for (const auto& [key, value] : m_s.info) {
        for (const std::string& k : keys)
            if (k == key)
                invalid("header key '" + key + "' appears twice (in info and as a field)");
        if (value.find('\n') != std::string::npos)
            invalid("header value of '" + key + "' has a line break");
        keys.push_back(key);
    }
}

void Writer::appendMatrix(const Mat3& m, const char* what) {
    m_text += '"';
    for (int k = 0; k < 9; ++k) {
        checkFinite(m(k / 3, k % 3), what);
        if (k)
            m_text += ' ';
        appendReal(m_text, m(k / 3, k % 3));
    }
    m_text += '"';
}

void Writer::write(std::ostream& out) {
    check();
    const std::size_t n = m_s.positions.size();
    m_text.clear();
    appendInteger(m_text, static_cast<long>(n));
    m_text += '\n';

    if (!m_s.cell.isZero(0.0)) {
        m_text += "Lattice=";
        appendMatrix(m_s.cell, "lattice vector");
        m_text += ' ';
    }
    const std::string forcesKey = m_s.forcesKey.empty() ? "forces" : m_s.forcesKey;
    m_text += "Properties=species:S:1:pos:R:3";
    if (!m_s.forces.empty())
        m_text += ":" + forcesKey + ":R:3";
    for (const ExtraAtomProperty& p : m_s.extraProperties)
        m_text += ":" + p.name + ":" + p.type + ":" + std::to_string(p.columns);
    if (m_s.energy) {
        checkFinite(*m_s.energy, "energy");
        m_text += ' ';
        appendHeaderText(m_text, m_s.energyKey.empty() ? "energy" : m_s.energyKey);
        m_text += '=';
        appendReal(m_text, *m_s.energy);
    }
    if (m_s.stress) {
        m_text += " stress=";
        appendMatrix(*m_s.stress, "stress");
    }
    if (m_s.virial) {
        m_text += " virial=";
        appendMatrix(*m_s.virial, "virial");
    }
    for (const auto& [key, value] : m_s.info) {
        m_text += ' ';
        appendHeaderText(m_text, key);
        m_text += '=';
        appendHeaderText(m_text, value);
    }
    m_text += " pbc=\"";
    for (int k = 0; k < 3; ++k) {
        if (k)
            m_text += ' ';
        m_text += m_s.pbc[k] ? 'T' : 'F';
    }
    m_text += "\"\n";

    for (std::size_t i = 0; i < n; ++i) {
        m_text += elementSymbol(m_s.numbers[i]);
        for (int k = 0; k < 3; ++k) {
            checkFinite(m_s.positions[i][k], "position");
            m_text += ' ';
            appendReal(m_text, m_s.positions[i][k]);
        }
        if (!m_s.forces.empty())
            for (int k = 0; k < 3; ++k) {
                checkFinite(m_s.forces[i][k], "force");
                m_text += ' ';
                appendReal(m_text, m_s.forces[i][k]);
            }
        for (const ExtraAtomProperty& p : m_s.extraProperties) {
            const std::size_t first = i * static_cast<std::size_t>(p.columns);
            // Z must agree with species on reading: write the current atomic number if the
            // structure was changed after reading (or the text does not say the same number).
            if (p.name == "Z" && p.type == 'I' && p.columns == 1) {
                long z = 0;
                const std::string& v = p.values[first];
                const auto r = std::from_chars(v.data(), v.data() + v.size(), z);
                m_text += ' ';
                if (r.ec == std::errc() && r.ptr == v.data() + v.size() && z == m_s.numbers[i])
                    m_text += v;
                else
                    appendInteger(m_text, m_s.numbers[i]);
                continue;
            }
            for (int k = 0; k < p.columns; ++k) {
                m_text += ' ';
                m_text += p.values[first + static_cast<std::size_t>(k)];
            }
        }
        m_text += '\n';
    }
    out.write(m_text.data(), static_cast<std::streamsize>(m_text.size()));
}

} // namespace

void writeExtxyz(std::ostream& out, const Structure& structure) {
    Writer(structure).write(out);
}

void writeExtxyz(std::ostream& out, const Dataset& dataset) {
    for (const Structure& s : dataset.structures)
        writeExtxyz(out, s);
}

void writeExtxyzFile(const std::string& path, const Dataset& dataset) {
    writeAtomically(path, [&](const std::string& temporary) {
        std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
        if (!out)
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno));
        writeExtxyz(out, dataset);
        out.close();
        if (!out)
            throw std::runtime_error("cannot write " + path + ": " + std::strerror(errno) +
                                     " (disk full?)");
    });
}

} // namespace graphace
