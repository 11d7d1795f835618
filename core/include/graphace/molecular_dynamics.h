#pragma once
// A small, exact integrator for checking a potential the way the field does: does it hold up in
// dynamics? Not a production MD engine. Units: Å, eV, fs, u (masses from the element table), K.
//
//   NVE:      velocity Verlet   v += ½Δt a;  r += Δt v;  F(r);  v += ½Δt a
//   Langevin: BAOAB (Leimkuhler & Matthews, Appl. Math. Res. Express 2013)
//             v += ½Δt a;  r += ½Δt v;  v = e^{−γΔt} v + √((1 − e^{−2γΔt}) k_B T / m) ξ;
//             r += ½Δt v;  F(r);  v += ½Δt a              (ξ standard normal, fixed seed)
// with a = F/m · 9.6485332e-3 Å/fs² per eV/(Å·u). Positions are wrapped into the cell along
// periodic directions. The start draws velocities from Maxwell–Boltzmann at `temperature` and
// removes the centre-of-mass momentum (3N − 3 degrees of freedom in the temperature).

#include "graphace/reference_potential.h"
#include "graphace/structure.h"

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <vector>

namespace graphace {

// The potential: energy (eV) and forces (eV/Å) of a configuration. May throw.
using ForceField = std::function<EnergyAndForces(const Structure&)>;

enum class Thermostat { None, Langevin };

struct MdSettings {
    double timestep = 1.0;        // fs, > 0
    long long steps = 1000;       // ≥ 0
    double temperature = 300;     // K: the start and, with Langevin, the bath
    double startTemperature = -1; // K of the initial velocities when ≥ 0 (else `temperature`)
    Thermostat thermostat = Thermostat::None;
    double friction = 0.01;    // γ, 1/fs (Langevin)
    std::uint64_t seed = 2023; // velocities and the Langevin noise
    int every = 1;             // record every N steps (≥ 1); step 0 is always recorded
};

struct MdFrame {
    long long step = 0;
    double time = 0.0;        // fs
    double potential = 0.0;   // eV
    double kinetic = 0.0;     // eV
    double temperature = 0.0; // K
    double minDistance = 0.0; // Å, shortest pair distance (all periodic images), ∞ if none < 4 Å
    double maxForce = 0.0;    // eV/Å, largest |F_a|
    double total() const { return potential + kinetic; }
};

// The recorded state at a frame: positions (wrapped), velocities (Å/fs) in `velocities`,
// forces and energy in the structure's own fields.
struct MdState {
    Structure structure;
    std::vector<Vec3> velocities;
};

// Runs `settings.steps` steps from `start` (its positions; velocities drawn as above). Calls
// onFrame at step 0 and every `every` steps; returning false stops the run there. Throws
// std::invalid_argument for bad settings or an atom without a known mass; whatever the force
// field throws propagates. `stopRequested`, when given, is asked after every step (a run that
// records every 5,000 steps still stops within one); when it says true, that step is recorded
// as a frame and the run ends. Returns the number of steps done.
long long runMolecularDynamics(const Structure& start, const ForceField& forceField,
                               const MdSettings& settings,
                               const std::function<bool(const MdFrame&, const MdState&)>& onFrame,
                               const std::function<bool()>& stopRequested = {});

// The NVE energy drift: the least-squares slope of the total energy against time, in meV per
// atom per ps. 0 for fewer than two frames.
double energyDriftMevPerAtomPerPs(const std::vector<MdFrame>& frames, std::size_t atoms);

// Shortest pair distance (all periodic images) below `search` Å; +∞ when none.
double shortestPairDistance(const Structure& structure, double search = 4.0);

// A recorded frame as a trajectory entry (extended XYZ): positions, energy and forces, the
// velocities as a per-atom property "velocities" (Å/fs) and step, time_fs, kinetic_energy and
// temperature in the header; numbers with 15 significant digits (a drift in a large cell's
// total energy stays visible).
Structure mdTrajectoryFrame(const MdFrame& frame, const MdState& state);

// What a data set spans: the ground a stable run stays on.
struct MdGround {
    double minDistance = std::numeric_limits<double>::infinity(); // Å, shortest pair distance
    double maxForce = 0.0;                                        // eV/Å, 0: no forces
};
MdGround mdGroundOf(const Dataset& data);

// When a run has left that ground: a pair closer than minDistanceFraction × the data's
// shortest distance, or a force above maxForceFactor × the data's largest.
struct MdLimits {
    double minDistanceFraction = 0.75;
    double maxForceFactor = 5.0;
};
// Why `frame` is off the ground, in words ("two atoms came within 0.24 Å (0.75 × the data's
// shortest distance, 1.6 Å)"); empty while it is on it.
std::string offGroundReason(const MdFrame& frame, const MdGround& ground, const MdLimits& limits);

} // namespace graphace
