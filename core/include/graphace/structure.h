#pragma once
// Atomistic structures as read from extended XYZ or made by the sample generator.
//
// Conventions (used everywhere in GraphACE):
//   * Lengths in Å, energies in eV, forces in eV/Å, stress and virial as given by the source.
//   * The lattice vectors are the ROWS of `cell`: a1 = cell.row(0), a2 = cell.row(1),
//     a3 = cell.row(2). A fractional coordinate s (row vector) maps to Cartesian s * cell.
//     This is the order of the extended-XYZ `Lattice="a1x a1y a1z a2x ..."` string.
//   * `pbc[k]` says whether the structure repeats along a(k+1). A non-periodic direction may
//     still have a lattice vector (a slab's vacuum box); it is then only a bounding box.

#include <Eigen/Core>

#include <array>
#include <optional>
#include <string>
#include <vector>

namespace graphace {

using Vec3 = Eigen::Vector3d;
using Mat3 = Eigen::Matrix3d;

// A per-atom column the reader does not interpret (momenta, masses, Z, tags, gap_force, ...),
// kept verbatim so a written file carries it on.
struct ExtraAtomProperty {
    std::string name;
    char type = 'R';  // extended-XYZ type code, upper case: R real, I integer, S string, L logical
    int columns = 1;
    std::vector<std::string> values;  // atoms × columns, row-major, text as read
};

struct Structure {
    Mat3 cell = Mat3::Zero();               // rows are lattice vectors (see above)
    std::array<bool, 3> pbc{false, false, false};
    std::vector<Vec3> positions;            // Cartesian, Å
    std::vector<int> numbers;               // atomic numbers, one per atom

    std::optional<double> energy;           // total energy, eV
    std::vector<Vec3> forces;               // eV/Å; empty when the data has none
    std::optional<Mat3> stress;             // 6-component Voigt input is expanded to 3×3
    std::optional<Mat3> virial;

    // Every other header key=value pair, value text unquoted, in file order (config_type, ...).
    std::vector<std::pair<std::string, std::string>> info;
    std::vector<ExtraAtomProperty> extraProperties;

    // Provenance: where it came from and which keys were taken as energy and forces.
    std::string sourceFile;
    long sourceLine = 0;                    // 1-based line of the atom-count line
    std::string energyKey;                  // empty when no energy
    std::string forcesKey;                  // empty when no forces

    std::size_t size() const { return positions.size(); }
    bool isPeriodic() const { return pbc[0] || pbc[1] || pbc[2]; }
    bool hasForces() const { return !forces.empty(); }
    double volume() const;                  // |det(cell)|; 0 when the cell is unset
    const std::string* findInfo(const std::string& key) const;
};

// Many structures, e.g. one file or a training set.
struct Dataset {
    std::vector<Structure> structures;

    std::size_t size() const { return structures.size(); }
    std::size_t atomCount() const;
    std::vector<int> species() const;       // distinct atomic numbers, ascending
};

} // namespace graphace
