#include "graphace/reference_virial.h"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace graphace {
namespace {

std::string lowered(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

} // namespace

double evPerA3(StressUnit unit) {
    // 1 eV/Å³ = 160.21766208 GPa (CODATA e and Å).
    constexpr double evPerA3PerGPa = 1.0 / 160.21766208;
    switch (unit) {
    case StressUnit::None:
        return 0.0;
    case StressUnit::EvPerA3:
        return 1.0;
    case StressUnit::GPa:
        return evPerA3PerGPa;
    case StressUnit::Kbar:
        return 0.1 * evPerA3PerGPa;
    case StressUnit::Bar:
        return 1e-4 * evPerA3PerGPa;
    }
    return 0.0;
}

std::string toString(StressUnit unit) {
    switch (unit) {
    case StressUnit::None:
        return "none";
    case StressUnit::EvPerA3:
        return "eV/A^3";
    case StressUnit::GPa:
        return "GPa";
    case StressUnit::Kbar:
        return "kbar";
    case StressUnit::Bar:
        return "bar";
    }
    return "none";
}

std::string toString(StressSign sign) {
    return sign == StressSign::PressurePositive ? "pressure_positive" : "tension_positive";
}

StressUnit parseStressUnit(const std::string& text) {
    const std::string t = lowered(text);
    if (t == "none")
        return StressUnit::None;
    if (t == "ev/a^3" || t == "ev/a3")
        return StressUnit::EvPerA3;
    if (t == "gpa")
        return StressUnit::GPa;
    if (t == "kbar" || t == "kb")
        return StressUnit::Kbar;
    if (t == "bar")
        return StressUnit::Bar;
    throw std::invalid_argument("unknown stress unit \"" + text +
                                "\" (expected none, eV/A^3, GPa, kbar or bar)");
}

StressSign parseStressSign(const std::string& text) {
    const std::string t = lowered(text);
    if (t == "tension_positive")
        return StressSign::TensionPositive;
    if (t == "pressure_positive")
        return StressSign::PressurePositive;
    throw std::invalid_argument("unknown stress sign \"" + text +
                                "\" (expected tension_positive (ASE) or pressure_positive "
                                "(VASP, LAMMPS))");
}

std::optional<Mat3> referenceVirial(const Structure& structure,
                                    const StressConvention& convention) {
    if (structure.virial)
        return structure.virial;
    const bool periodic = structure.pbc[0] && structure.pbc[1] && structure.pbc[2];
    const double volume = structure.volume();
    if (!structure.stress || convention.unit == StressUnit::None || !periodic || !(volume > 0))
        return std::nullopt;
    const double sign = convention.sign == StressSign::TensionPositive ? 1.0 : -1.0;
    return Mat3(-sign * volume * evPerA3(convention.unit) * *structure.stress);
}

} // namespace graphace
