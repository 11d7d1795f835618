// Any bytes as an extended-XYZ file: read, or refused with ParseError. What was read must write
// and read back to the same numbers (extxyz.h: shortest round-trip reals), or the writer must
// refuse it with std::invalid_argument.

#include "graphace/error.h"
#include "graphace/extxyz.h"

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace {

bool sameReals(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

bool same(const graphace::Structure& a, const graphace::Structure& b) {
    if (a.size() != b.size() || a.numbers != b.numbers || a.pbc != b.pbc ||
        a.energy.has_value() != b.energy.has_value() || a.forces.size() != b.forces.size())
        return false;
    if (a.energy && !sameReals(*a.energy, *b.energy))
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        for (int k = 0; k < 3; ++k)
            if (!sameReals(a.positions[i][k], b.positions[i][k]))
                return false;
    for (std::size_t i = 0; i < a.forces.size(); ++i)
        for (int k = 0; k < 3; ++k)
            if (!sameReals(a.forces[i][k], b.forces[i][k]))
                return false;
    return true;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    graphace::Dataset read;
    try {
        read = graphace::readExtxyzString(text, "fuzz.xyz");
    } catch (const graphace::ParseError&) {
        return 0;
    }
    std::ostringstream written;
    try {
        graphace::writeExtxyz(written, read);
    } catch (const std::invalid_argument&) {
        return 0;
    }
    // Written by us: it must read back, to the same numbers.
    const graphace::Dataset again = graphace::readExtxyzString(written.str(), "round-trip.xyz");
    if (again.size() != read.size())
        std::abort();
    for (std::size_t c = 0; c < read.size(); ++c)
        if (!same(read.structures[c], again.structures[c]))
            std::abort();
    return 0;
}
