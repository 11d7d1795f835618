#pragma once
// Structure files of every format GraphACE reads, behind one call, so that the viewer, `info`,
// `graph`, `fit-linear`, `train` and `convert` accept them alike. The format is the one asked for,
// else the file name's (POSCAR*, CONTCAR*, *.vasp, *.poscar: POSCAR; *.xyz, *.extxyz: extended
// XYZ), else the content's (a POSCAR's scaling line and three lattice vectors; anything else is
// read as extended XYZ, whose reader then says what is wrong).

#include "graphace/extxyz.h"
#include "graphace/poscar.h"
#include "graphace/progress.h"
#include "graphace/structure.h"

#include <string>
#include <vector>

namespace graphace {

enum class StructureFormat { Auto, Extxyz, Poscar };
std::string toString(StructureFormat format); // "auto", "extxyz", "poscar"
// Throws std::invalid_argument listing the names for an unknown one.
StructureFormat parseStructureFormat(const std::string& name);
// The names parseStructureFormat accepts, for help texts.
std::vector<std::string> structureFormatNames();

struct StructureReadOptions {
    StructureFormat format = StructureFormat::Auto;
    ExtxyzReadOptions extxyz;
    PoscarReadOptions poscar;
};

// The format a file is read as (never Auto). Reads at most its first lines.
StructureFormat detectStructureFormat(const std::string& path);

// Reads every structure of the file (one for POSCAR). Throws ParseError as the format's reader
// does (file, line, what was expected).
Dataset readStructureFile(const std::string& path, const StructureReadOptions& options = {},
                          const ProgressCallback& progress = {});

// The format writeStructureFile uses for `path`: `format`, or for Auto the file name's (extended
// XYZ unless it names POSCAR).
StructureFormat outputFormat(const std::string& path, StructureFormat format);
// Writes `data` as outputFormat(path, format).
// POSCAR holds one structure: more throw std::invalid_argument. Atomic (temporary file + rename).
void writeStructureFile(const std::string& path, const Dataset& data,
                        StructureFormat format = StructureFormat::Auto);

} // namespace graphace
