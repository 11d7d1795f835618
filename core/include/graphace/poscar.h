#pragma once
// VASP POSCAR / CONTCAR files (one structure each), read and written.
//
// Read as the VASP documentation defines them: a comment line; one scaling factor s (negative:
// the cell volume wanted, s is then chosen to give it) or three (factors for the x, y and z
// Cartesian components); three lattice vectors (rows, as Structure::cell); the species line
// (VASP 5; absent in VASP 4 files, whose elements then come from ReadOptions::species or, when it
// names them, the comment line); the atom counts; an optional "Selective dynamics" line (only its
// first letter counts); "Direct" or "Cartesian" (first letter C or K: Cartesian, scaled like the
// lattice; anything else: fractional); the positions. What follows (velocities, predictor-
// corrector data of a CONTCAR) is ignored. The structure is periodic along all three axes.
// Selective-dynamics flags are kept as the per-atom L:3 property "move_mask" (T: may move), the
// name ASE's extended XYZ gives them. Species labels such as POTCAR names ("Fe_pv",
// "Ti_sv/f2c3a8bf") give the element before '_' or '/'.
//
// Every problem raises ParseError (file, line, what was expected).

#include "graphace/structure.h"

#include <istream>
#include <ostream>
#include <string>
#include <vector>

namespace graphace {

struct PoscarReadOptions {
    // The elements in the order of the counts line, for VASP 4 files that have no species line
    // (ignored when the file has one).
    std::vector<std::string> species;
};

Structure readPoscar(std::istream& in, const std::string& sourceName,
                     const PoscarReadOptions& options = {});
// Throws ParseError also when the file cannot be opened.
Structure readPoscarFile(const std::string& path, const PoscarReadOptions& options = {});

// VASP 5 format, Cartesian positions, scale 1, reals in shortest round-trip form. Atoms are
// written grouped by element (POSCAR has one block per species), in the order each element
// first appears; a "move_mask" property is written as Selective dynamics. Throws
// std::invalid_argument for a structure POSCAR cannot hold (no atoms, no 3D-periodic cell).
void writePoscar(std::ostream& out, const Structure& structure);
// Atomic (temporary file + rename).
void writePoscarFile(const std::string& path, const Structure& structure);

} // namespace graphace
