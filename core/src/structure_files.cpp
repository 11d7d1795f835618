#include "graphace/structure_files.h"

#include "graphace/error.h"

#include "text_fields.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace graphace {
namespace {

const std::pair<StructureFormat, const char*> kNames[] = {{StructureFormat::Auto, "auto"},
                                                          {StructureFormat::Extxyz, "extxyz"},
                                                          {StructureFormat::Poscar, "poscar"}};

std::string lower(std::string text) {
    for (char& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// From the file name alone; Auto when it says nothing.
StructureFormat formatFromName(const std::string& path) {
    const std::filesystem::path p(path);
    const std::string name = lower(p.filename().string());
    const std::string extension = lower(p.extension().string());
    if (name.rfind("poscar", 0) == 0 || name.rfind("contcar", 0) == 0 || extension == ".vasp" ||
        extension == ".poscar")
        return StructureFormat::Poscar;
    if (extension == ".xyz" || extension == ".extxyz")
        return StructureFormat::Extxyz;
    return StructureFormat::Auto;
}

// Whether a line starts with minimum…maximum reals (text may follow them).
bool holdsReals(const std::string& line, std::size_t minimum, std::size_t maximum) {
    std::istringstream words(line);
    std::string word;
    std::size_t n = 0;
    while (words >> word) {
        double value = 0;
        if (!text::parseReal(word, value))
            return n >= minimum && n <= maximum && n > 0; // trailing text after the numbers
        ++n;
    }
    return n >= minimum && n <= maximum;
}

} // namespace

std::string toString(StructureFormat format) {
    for (const auto& [f, name] : kNames)
        if (f == format)
            return name;
    return "auto";
}

StructureFormat parseStructureFormat(const std::string& name) {
    for (const auto& [f, n] : kNames)
        if (lower(name) == n)
            return f;
    throw std::invalid_argument("unknown structure format \"" + name +
                                "\" (use auto, extxyz or poscar)");
}

std::vector<std::string> structureFormatNames() {
    std::vector<std::string> names;
    for (const auto& [f, name] : kNames)
        names.emplace_back(name);
    return names;
}

StructureFormat detectStructureFormat(const std::string& path) {
    const StructureFormat byName = formatFromName(path);
    if (byName != StructureFormat::Auto)
        return byName;
    std::ifstream in(path, std::ios::binary);
    std::vector<std::string> lines;
    std::string line;
    while (lines.size() < 5 && std::getline(in, line))
        lines.push_back(line);
    // POSCAR: a comment, one or three scaling factors, three lattice vectors. (An extended-XYZ
    // file starts with its atom count, one integer, and then a header line of key=value pairs.)
    if (lines.size() == 5 && holdsReals(lines[1], 1, 3) && !holdsReals(lines[0], 1, 1) &&
        holdsReals(lines[2], 3, 3) && holdsReals(lines[3], 3, 3) && holdsReals(lines[4], 3, 3))
        return StructureFormat::Poscar;
    return StructureFormat::Extxyz;
}

Dataset readStructureFile(const std::string& path, const StructureReadOptions& options,
                          const ProgressCallback& progress) {
    const StructureFormat format =
        options.format == StructureFormat::Auto ? detectStructureFormat(path) : options.format;
    if (format == StructureFormat::Poscar) {
        Dataset data;
        data.structures.push_back(readPoscarFile(path, options.poscar));
        if (progress)
            progress(1.0);
        return data;
    }
    return readExtxyzFile(path, options.extxyz, progress);
}

StructureFormat outputFormat(const std::string& path, StructureFormat format) {
    if (format != StructureFormat::Auto)
        return format;
    return formatFromName(path) == StructureFormat::Poscar ? StructureFormat::Poscar
                                                           : StructureFormat::Extxyz;
}

void writeStructureFile(const std::string& path, const Dataset& data, StructureFormat format) {
    format = outputFormat(path, format);
    if (format == StructureFormat::Poscar) {
        if (data.size() != 1)
            throw std::invalid_argument("POSCAR holds one structure; " + path + " would get " +
                                        std::to_string(data.size()) +
                                        " (choose one, e.g. graphace convert --index N)");
        writePoscarFile(path, data.structures.front());
        return;
    }
    writeExtxyzFile(path, data);
}

} // namespace graphace
