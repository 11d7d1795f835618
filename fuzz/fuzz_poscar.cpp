// Any bytes as a VASP POSCAR: read, or refused with ParseError (also when named as VASP 4 species
// are given). What was read must write and read back to the same numbers: the writer groups the
// atoms by element and writes Cartesian positions in shortest round-trip form.

#include "graphace/error.h"
#include "graphace/poscar.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <sstream>

namespace {

bool sameReals(double a, double b) {
    return std::memcmp(&a, &b, sizeof a) == 0;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    graphace::PoscarReadOptions options;
    options.species = {"Si", "O", "Hf"};
    graphace::Structure read;
    try {
        std::istringstream in(text);
        read = graphace::readPoscar(in, "fuzz.vasp", options);
    } catch (const graphace::ParseError&) {
        return 0;
    }
    std::ostringstream written;
    graphace::writePoscar(written, read); // the reader only returns what the writer can hold
    std::istringstream in(written.str());
    const graphace::Structure again = graphace::readPoscar(in, "round-trip.vasp");
    if (again.size() != read.size())
        std::abort();
    for (int r = 0; r < 3; ++r)
        for (int k = 0; k < 3; ++k)
            if (!sameReals(read.cell(r, k), again.cell(r, k)))
                std::abort();
    // Atom k of the file written is the k-th atom in element-grouped order.
    std::vector<int> elements;
    for (int z : read.numbers)
        if (std::find(elements.begin(), elements.end(), z) == elements.end())
            elements.push_back(z);
    std::size_t k = 0;
    for (int z : elements)
        for (std::size_t i = 0; i < read.size(); ++i) {
            if (read.numbers[i] != z)
                continue;
            if (again.numbers[k] != z)
                std::abort();
            for (int c = 0; c < 3; ++c)
                if (!sameReals(read.positions[i][c], again.positions[k][c]))
                    std::abort();
            ++k;
        }
    return 0;
}
