#pragma once
// Reference virials for training and scoring: the one number a model's stress is compared with.
//
// GraphACE's virial is W = −Σ_e r_e ⊗ ∂E/∂r_e = −∂E/∂ε (eV; ASE's and ACEsuit's convention),
// positive on the diagonal for a compressed cell, and stress σ = −W / V (eV/Å³, ASE: positive
// under tension). A `virial` key in the data is taken as this W. A `stress` key has no agreed
// unit or sign in extended-XYZ files met in practice (ASE writes eV/Å³ with tension positive;
// FitSNAP's Ta set has bar with pressure positive, as VASP and LAMMPS print it), so it is used
// only when the user names its convention (data.stress_unit, data.stress_sign):
//   W = −s · V · σ_given · u,  u = eV/Å³ per unit, s = +1 (tension positive) or −1 (pressure
//   positive); only for cells periodic in all three directions (V is the cell volume).

#include "graphace/structure.h"

#include <optional>
#include <string>

namespace graphace {

enum class StressUnit { None, EvPerA3, GPa, Kbar, Bar };
enum class StressSign { TensionPositive, PressurePositive };

struct StressConvention {
    StressUnit unit = StressUnit::None; // None: `stress` keys are not used
    StressSign sign = StressSign::TensionPositive;
};

// eV/Å³ in one unit of `unit` (0 for None).
double evPerA3(StressUnit unit);

std::string toString(StressUnit unit); // "none", "eV/A^3", "GPa", "kbar", "bar"
std::string toString(StressSign sign); // "tension_positive", "pressure_positive"
// Inverses (case-insensitive; "ev/a3" too); throw std::invalid_argument listing the names.
StressUnit parseStressUnit(const std::string& text);
StressSign parseStressSign(const std::string& text);

// The configuration's reference virial (eV): its `virial` when given, else its `stress` by
// `convention` when the unit is not None and the cell is periodic in all three directions with
// a nonzero volume; nullopt otherwise.
std::optional<Mat3> referenceVirial(const Structure& structure, const StressConvention& convention);

} // namespace graphace
