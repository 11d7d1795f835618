#pragma once
// The analytic potential that labels the built-in sample: Buckingham + r^-12 wall + damped
// shifted-force (DSF) Coulomb for Hf–O, documented in docs/sample-dataset.md and in
// reference_potential.cpp. Every pair term is shifted so that energy AND force are zero at the
// cutoff; energies and forces are exact: forces are the negative gradient of the energy.

#include "graphace/structure.h"

#include <map>
#include <utility>

namespace graphace {

// Short-range pair term A·exp(−r/ρ) − C/r⁶ + B/r¹². B is a wall that keeps the energy bounded
// below where −C/r⁶ or the Coulomb attraction would otherwise win (the Buckingham catastrophe).
struct BuckinghamPair {
    double A = 0.0;   // eV
    double rho = 1.0; // Å
    double C = 0.0;   // eV Å^6
    double B = 0.0;   // eV Å^12
};

struct ReferencePotentialParameters {
    double cutoff = 0.0;                                      // Å
    double dampingAlpha = 0.0;                                // Å^-1, DSF damping
    std::map<int, double> charges;                            // e, by atomic number
    std::map<std::pair<int, int>, BuckinghamPair> buckingham; // key (Zmin, Zmax)
    std::map<int, double> referenceEnergies;                  // eV per atom, added to the total

    // Hf (+4 e) and O (−2 e), formal charges, cutoff 7 Å, α = 0.25 Å⁻¹; see docs/sample-dataset.md.
    static ReferencePotentialParameters hafniaDefaults();
};

struct EnergyAndForces {
    double energy = 0.0;      // eV
    std::vector<Vec3> forces; // eV/Å, one per atom
};

// Total energy and forces. Every species present must have a charge (possibly 0); a pair of
// species without a `buckingham` entry interacts by Coulomb only. Throws std::invalid_argument
// for bad parameters (cutoff ≤ 0, α < 0, ρ ≤ 0, non-finite values), an unknown species,
// non-finite positions, or two atoms closer than 1e-6 Å (the energy would be infinite).
EnergyAndForces evaluateReferencePotential(const Structure& structure,
                                           const ReferencePotentialParameters& parameters);

} // namespace graphace
