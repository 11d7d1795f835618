#pragma once
// Extended XYZ (the ASE/QUIP format) reading and writing.
//
// Reading streams: a multi-megabyte file is parsed one configuration at a time, never loaded
// whole. Every problem raises graphace::ParseError naming file, 1-based line and what was
// expected; nothing is guessed silently.
//
// Energy key: the first of `energy`, `dft_energy`, `Energy`, `total_energy` present (exact key
// match; `free_energy`, `gap_energy`, ... are *not* the energy), unless ReadOptions::energyKey
// names one. Forces: the first per-atom R:3 column among `forces`, `force`, `dft_force`,
// `dft_forces`, unless ReadOptions::forcesKey names one. A named key that is missing is an error.
//
// Periodicity: without a `pbc` key a configuration is periodic along all three axes when it has a
// Lattice and along none otherwise (the ASE convention). Header values may be "quoted", in [] or
// {}; a key without `=` is a flag with the value "T". Per-atom columns other than species, pos
// and the forces are kept verbatim in Structure::extraProperties (Z is also checked against
// species, or gives the elements when there is no species column).

#include "graphace/progress.h"
#include "graphace/structure.h"

#include <istream>
#include <memory>
#include <ostream>
#include <string>

namespace graphace {

struct ExtxyzReadOptions {
    std::string energyKey;  // empty: automatic choice as above
    std::string forcesKey;  // empty: automatic choice as above
};

// Pulls configurations one by one from a stream.
class ExtxyzReader {
public:
    // `sourceName` is used in error messages and Structure::sourceFile.
    ExtxyzReader(std::istream& in, std::string sourceName, ExtxyzReadOptions options = {});
    ~ExtxyzReader();
    ExtxyzReader(const ExtxyzReader&) = delete;
    ExtxyzReader& operator=(const ExtxyzReader&) = delete;

    // Reads the next configuration into `out`; false at a clean end of input.
    bool next(Structure& out);
    long line() const;  // last line consumed, 1-based

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// Reads a whole file. Throws ParseError (also for a file that cannot be opened or holds no
// configuration; readExtxyzString likewise). `progress` gets the fraction of bytes read.
Dataset readExtxyzFile(const std::string& path, const ExtxyzReadOptions& options = {},
                       const ProgressCallback& progress = {});
Dataset readExtxyzString(const std::string& text, const std::string& sourceName = "<string>",
                         const ExtxyzReadOptions& options = {});

// Writes reals in their shortest round-trip form (std::to_chars; as exact as %.17g) so that
// reading back gives the same numbers bit for bit. Energy and forces are written under the keys
// they were read with (default energy/forces); pbc as pbc="T T F"; Lattice whenever the cell is
// nonzero. A structure the reader would refuse (no atoms, NaN, mismatched sizes, periodic without
// a cell, clashing keys) throws std::invalid_argument rather than producing an unreadable file.
void writeExtxyz(std::ostream& out, const Structure& structure);
void writeExtxyz(std::ostream& out, const Dataset& dataset);
// Atomic: writes PATH.tmp then renames it over PATH. Throws std::runtime_error on I/O failure.
void writeExtxyzFile(const std::string& path, const Dataset& dataset);

} // namespace graphace
