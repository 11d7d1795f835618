#include "graphace/molecular_dynamics.h"

#include "graphace/element.h"
#include "graphace/neighbor_list.h"

#include <Eigen/LU>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <stdexcept>

namespace graphace {

namespace {

constexpr double kBoltzmann = 8.617333262e-5;          // eV/K
constexpr double kAcceleration = 9.648533212331002e-3; // Å/fs² per eV/(Å·u)

double kineticEnergy(const std::vector<Vec3>& v, const std::vector<double>& mass) {
    double sum = 0.0;
    for (std::size_t a = 0; a < v.size(); ++a)
        sum += mass[a] * v[a].squaredNorm();
    return 0.5 * sum / kAcceleration; // u Å²/fs² → eV
}

// Fractional coordinates wrapped into [0, 1) along periodic directions.
void wrap(Structure& s) {
    if (!s.isPeriodic() || s.volume() <= 0)
        return;
    const Mat3 inverse = s.cell.inverse();
    for (Vec3& r : s.positions) {
        Eigen::RowVector3d f = r.transpose() * inverse;
        for (int k = 0; k < 3; ++k)
            if (s.pbc[k])
                f[k] -= std::floor(f[k]);
        r = (f * s.cell).transpose();
    }
}

// `value` with `digits` significant digits (%g).
std::string significant(double value, int digits) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    return buffer;
}

} // namespace

double shortestPairDistance(const Structure& structure, double search) {
    const NeighborList nl = computeNeighborList(structure, search);
    double best = std::numeric_limits<double>::infinity();
    for (double d : nl.distances)
        best = std::min(best, d);
    return best;
}

double energyDriftMevPerAtomPerPs(const std::vector<MdFrame>& frames, std::size_t atoms) {
    if (frames.size() < 2 || atoms == 0)
        return 0.0;
    double mt = 0.0, me = 0.0;
    for (const MdFrame& f : frames) {
        mt += f.time;
        me += f.total();
    }
    mt /= frames.size();
    me /= frames.size();
    double num = 0.0, den = 0.0;
    for (const MdFrame& f : frames) {
        num += (f.time - mt) * (f.total() - me);
        den += (f.time - mt) * (f.time - mt);
    }
    return den > 0 ? num / den * 1e6 /* eV/fs → meV/ps */ / static_cast<double>(atoms) : 0.0;
}

long long runMolecularDynamics(const Structure& start, const ForceField& forceField,
                               const MdSettings& settings,
                               const std::function<bool(const MdFrame&, const MdState&)>& onFrame,
                               const std::function<bool()>& stopRequested) {
    if (!(settings.timestep > 0) || !std::isfinite(settings.timestep))
        throw std::invalid_argument("MD: the timestep must be a positive number of fs");
    if (settings.steps < 0)
        throw std::invalid_argument("MD: the number of steps must be >= 0");
    if (!(settings.temperature >= 0) || !std::isfinite(settings.temperature))
        throw std::invalid_argument("MD: the temperature must be >= 0 K");
    if (settings.thermostat == Thermostat::Langevin &&
        (!(settings.friction > 0) || !std::isfinite(settings.friction)))
        throw std::invalid_argument("MD: the Langevin friction must be > 0 per fs");
    if (settings.every < 1)
        throw std::invalid_argument("MD: record every N >= 1 steps");
    const std::size_t n = start.size();
    if (n == 0)
        throw std::invalid_argument("MD: the configuration has no atoms");

    MdState state;
    state.structure = start;
    Structure& s = state.structure;
    std::vector<double> mass(n);
    for (std::size_t a = 0; a < n; ++a) {
        mass[a] = elementByNumber(s.numbers[a]).mass;
        if (!(mass[a] > 0))
            throw std::invalid_argument("MD: atom " + std::to_string(a) + " (Z = " +
                                        std::to_string(s.numbers[a]) + ") has no known mass");
    }

    // Maxwell–Boltzmann velocities, centre-of-mass momentum removed, rescaled to exactly T.
    std::mt19937_64 engine(settings.seed);
    std::normal_distribution<double> normal;
    std::vector<Vec3>& v = state.velocities;
    v.assign(n, Vec3::Zero());
    const double dof = n > 1 ? 3.0 * n - 3.0 : 3.0;
    const double startTemperature =
        settings.startTemperature >= 0 ? settings.startTemperature : settings.temperature;
    if (!std::isfinite(startTemperature))
        throw std::invalid_argument("MD: the start temperature must be >= 0 K");
    if (startTemperature > 0) {
        Vec3 momentum = Vec3::Zero();
        double totalMass = 0.0;
        for (std::size_t a = 0; a < n; ++a) {
            const double sigma = std::sqrt(kBoltzmann * startTemperature / mass[a] * kAcceleration);
            v[a] = Vec3(normal(engine), normal(engine), normal(engine)) * sigma;
            momentum += mass[a] * v[a];
            totalMass += mass[a];
        }
        if (n > 1)
            for (Vec3& va : v)
                va -= momentum / totalMass;
        const double t = 2.0 * kineticEnergy(v, mass) / (dof * kBoltzmann);
        if (t > 0)
            for (Vec3& va : v)
                va *= std::sqrt(startTemperature / t);
    }

    const double dt = settings.timestep;
    EnergyAndForces ef = forceField(s);
    auto frame = [&](long long step) {
        MdFrame f;
        f.step = step;
        f.time = step * dt;
        f.potential = ef.energy;
        f.kinetic = kineticEnergy(v, mass);
        f.temperature = 2.0 * f.kinetic / (dof * kBoltzmann);
        f.minDistance = shortestPairDistance(s);
        for (const Vec3& force : ef.forces)
            f.maxForce = std::max(f.maxForce, force.norm());
        s.energy = ef.energy;
        s.forces = ef.forces;
        return onFrame(f, state);
    };
    auto checkForces = [&] {
        if (ef.forces.size() != n)
            throw std::runtime_error("MD: the force field returned " +
                                     std::to_string(ef.forces.size()) + " forces for " +
                                     std::to_string(n) + " atoms");
    };
    checkForces();
    if (!frame(0))
        return 0;

    const double friction = std::exp(-settings.friction * dt);
    for (long long step = 1; step <= settings.steps; ++step) {
        for (std::size_t a = 0; a < n; ++a)
            v[a] += 0.5 * dt * kAcceleration / mass[a] * ef.forces[a];
        if (settings.thermostat == Thermostat::Langevin) {
            for (std::size_t a = 0; a < n; ++a)
                s.positions[a] += 0.5 * dt * v[a];
            for (std::size_t a = 0; a < n; ++a) {
                const double sigma = std::sqrt((1.0 - friction * friction) * kBoltzmann *
                                               settings.temperature / mass[a] * kAcceleration);
                v[a] =
                    friction * v[a] + sigma * Vec3(normal(engine), normal(engine), normal(engine));
            }
            for (std::size_t a = 0; a < n; ++a)
                s.positions[a] += 0.5 * dt * v[a];
        } else {
            for (std::size_t a = 0; a < n; ++a)
                s.positions[a] += dt * v[a];
        }
        wrap(s);
        ef = forceField(s);
        checkForces();
        for (std::size_t a = 0; a < n; ++a)
            v[a] += 0.5 * dt * kAcceleration / mass[a] * ef.forces[a];
        const bool recorded = step % settings.every == 0 || step == settings.steps;
        if (recorded && !frame(step))
            return step;
        if (stopRequested && stopRequested()) {
            if (!recorded)
                frame(step); // the state it stopped in
            return step;
        }
    }
    return settings.steps;
}

Structure mdTrajectoryFrame(const MdFrame& f, const MdState& state) {
    // 15 significant digits: a drift in a large cell's total energy stays visible.
    auto text = [](double value) { return significant(value, 15); };
    Structure s = state.structure;
    s.energyKey = "energy";
    s.forcesKey = "forces";
    s.stress.reset();
    s.virial.reset();
    s.info = {{"step", std::to_string(f.step)},
              {"time_fs", text(f.time)},
              {"kinetic_energy", text(f.kinetic)},
              {"temperature", text(f.temperature)}};
    ExtraAtomProperty velocities{"velocities", 'R', 3, {}};
    for (const Vec3& v : state.velocities)
        for (int c = 0; c < 3; ++c)
            velocities.values.push_back(text(v[c]));
    s.extraProperties = {velocities};
    return s;
}

MdGround mdGroundOf(const Dataset& data) {
    MdGround g;
    for (const Structure& s : data.structures) {
        g.minDistance = std::min(g.minDistance, shortestPairDistance(s));
        for (const Vec3& f : s.forces)
            g.maxForce = std::max(g.maxForce, f.norm());
    }
    return g;
}

std::string offGroundReason(const MdFrame& f, const MdGround& ground, const MdLimits& limits) {
    auto number = significant;
    if (!std::isfinite(f.potential) || !std::isfinite(f.kinetic))
        return "the energy is not finite";
    if (f.minDistance < limits.minDistanceFraction * ground.minDistance)
        return "two atoms came within " + number(f.minDistance, 3) + " Å (" +
               number(limits.minDistanceFraction, 2) + " × the data's shortest distance, " +
               number(ground.minDistance, 3) + " Å)";
    if (ground.maxForce > 0 && f.maxForce > limits.maxForceFactor * ground.maxForce)
        return "a force of " + number(f.maxForce, 3) + " eV/Å (" +
               number(limits.maxForceFactor, 2) + " × the data's largest, " +
               number(ground.maxForce, 3) + " eV/Å)";
    return {};
}

} // namespace graphace
