#pragma once
// The analytic potential that labels the built-in sample: Buckingham + damped shifted-force
// (DSF) Coulomb for Hf–O, documented in docs and in reference_potential.cpp.
// Energies and forces are exact: forces are the negative gradient of the energy.

#include "graphace/structure.h"

#include <map>
#include <utility>

namespace graphace {

struct BuckinghamPair {
    double A = 0.0;    // eV
    double rho = 1.0;  // Å
    double C = 0.0;    // eV Å^6
};

struct ReferencePotentialParameters {
    double cutoff = 0.0;                      // Å; set by the implementation's defaults
    double dampingAlpha = 0.0;                // Å^-1, DSF damping
    std::map<int, double> charges;            // e, by atomic number
    std::map<std::pair<int, int>, BuckinghamPair> buckingham;  // key (Zmin, Zmax)
    std::map<int, double> referenceEnergies;  // eV per atom, added to the total

    static ReferencePotentialParameters hafniaDefaults();
};

struct EnergyAndForces {
    double energy = 0.0;
    std::vector<Vec3> forces;
};

EnergyAndForces evaluateReferencePotential(const Structure& structure,
                                           const ReferencePotentialParameters& parameters);

} // namespace graphace
