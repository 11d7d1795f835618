// The MD integrator that checks potentials: energy conservation that shrinks as Δt², the
// Langevin bath's temperature, momentum, determinism, and refusals of bad settings.

#include "testing.h"

#include "graphace/element.h"
#include "graphace/molecular_dynamics.h"
#include "graphace/sample_dataset.h"

#include <Eigen/LU>

#include <cmath>

using namespace graphace;

namespace {

Structure sampleCell() {
    SampleOptions options;
    options.configurations = 1;
    return generateSampleDataset(options).structures.front();
}

ForceField referenceField() {
    const ReferencePotentialParameters parameters = ReferencePotentialParameters::hafniaDefaults();
    return [parameters](const Structure& s) { return evaluateReferencePotential(s, parameters); };
}

std::vector<MdFrame> run(const Structure& start, const MdSettings& settings,
                         std::vector<MdState>* states = nullptr) {
    std::vector<MdFrame> frames;
    runMolecularDynamics(start, referenceField(), settings,
                         [&](const MdFrame& f, const MdState& state) {
                             frames.push_back(f);
                             if (states)
                                 states->push_back(state);
                             return true;
                         });
    return frames;
}

// Largest deviation of the total energy from its start, eV.
double fluctuation(const std::vector<MdFrame>& frames) {
    double worst = 0.0;
    for (const MdFrame& f : frames)
        worst = std::max(worst, std::abs(f.total() - frames.front().total()));
    return worst;
}

} // namespace

class TestMolecularDynamics : public QObject {
    Q_OBJECT

private Q_SLOTS:
    // Velocity Verlet is second order: over the same 100 fs, halving Δt divides the energy
    // error by about four; the error itself stays small (the reference potential is smooth).
    void nveConservesEnergyToSecondOrder() {
        const Structure start = sampleCell();
        MdSettings settings;
        settings.temperature = 600;
        double previous = 0.0;
        for (double dt : {1.0, 0.5, 0.25}) {
            settings.timestep = dt;
            settings.steps = static_cast<long long>(std::lround(100.0 / dt));
            const std::vector<MdFrame> frames = run(start, settings);
            QCOMPARE(frames.size(), std::size_t(settings.steps + 1));
            QVERIFY2(std::abs(frames.front().temperature - 600) < 1e-9,
                     qPrintable(QString::number(frames.front().temperature)));
            const double error = fluctuation(frames);
            const double perAtom = error / start.size();
            qInfo("dt %g fs: energy error %g eV/atom", dt, perAtom);
            QVERIFY2(perAtom < 5e-3,
                     qPrintable(QString("Δt %1 fs: energy error %2 eV/atom").arg(dt).arg(perAtom)));
            if (previous > 0) {
                const double ratio = previous / error;
                QVERIFY2(ratio > 3.0 && ratio < 5.5,
                         qPrintable(QString("Δt %1 → %2 fs: error ratio %3 (Δt² gives 4)")
                                        .arg(2 * dt)
                                        .arg(dt)
                                        .arg(ratio)));
            }
            previous = error;
        }
    }

    // Newton's third law: the centre-of-mass momentum, removed at the start, stays zero.
    void nveKeepsMomentumZero() {
        const Structure start = sampleCell();
        MdSettings settings;
        settings.steps = 50;
        settings.every = 10;
        std::vector<MdState> states;
        run(start, settings, &states);
        QCOMPARE(states.size(), std::size_t(6));
        for (const MdState& state : states) {
            Vec3 momentum = Vec3::Zero();
            for (std::size_t a = 0; a < state.structure.size(); ++a)
                momentum += elementByNumber(state.structure.numbers[a]).mass * state.velocities[a];
            QVERIFY2(momentum.norm() < 1e-9, qPrintable(QString::number(momentum.norm())));
        }
    }

    // The Langevin bath brings a cold start to its temperature: the mean over the second half
    // is within 5 % (the standard error of ~100 independent samples of 96 atoms is ~1.5 %).
    void langevinReachesItsTemperature() {
        const Structure start = sampleCell();
        MdSettings settings;
        settings.thermostat = Thermostat::Langevin;
        settings.friction = 0.05;
        settings.startTemperature = 100; // start cold, couple to 900 K
        settings.temperature = 900;
        settings.steps = 2000;
        settings.timestep = 1.0;
        const std::vector<MdFrame> frames = run(start, settings);
        QVERIFY(std::abs(frames.front().temperature - 100) < 1e-9);
        double mean = 0.0;
        int count = 0;
        for (const MdFrame& f : frames)
            if (f.step >= 1000) {
                mean += f.temperature;
                ++count;
            }
        mean /= count;
        QVERIFY2(std::abs(mean - 900) < 45, qPrintable(QString("mean T %1 K").arg(mean)));
        QVERIFY(frames.back().minDistance > 1.0);
    }

    void sameSeedSameTrajectory() {
        const Structure start = sampleCell();
        MdSettings settings;
        settings.steps = 20;
        settings.thermostat = Thermostat::Langevin;
        std::vector<MdState> a, b, c;
        run(start, settings, &a);
        run(start, settings, &b);
        settings.seed = 7;
        run(start, settings, &c);
        QVERIFY(a.back().structure.positions == b.back().structure.positions);
        QVERIFY(a.back().velocities == b.back().velocities);
        QVERIFY(a.back().structure.positions != c.back().structure.positions);
        // Wrapped into the cell: fractional coordinates in [0, 1).
        const Mat3 inverse = a.back().structure.cell.inverse();
        for (const Vec3& r : a.back().structure.positions) {
            const Eigen::RowVector3d f = r.transpose() * inverse;
            QVERIFY(f.minCoeff() >= -1e-12 && f.maxCoeff() < 1 + 1e-12);
        }
    }

    void stopsWhenAsked() {
        const Structure start = sampleCell();
        MdSettings settings;
        settings.steps = 100;
        long long last = -1;
        const long long done = runMolecularDynamics(start, referenceField(), settings,
                                                    [&](const MdFrame& f, const MdState&) {
                                                        last = f.step;
                                                        return f.step < 7;
                                                    });
        QCOMPARE(done, 7LL);
        QCOMPARE(last, 7LL);
    }

    // A run recording every 1,000 steps still stops within one step when asked, and records the
    // step it stopped at.
    void stopRequestIsCheckedEveryStep() {
        const Structure start = sampleCell();
        MdSettings settings;
        settings.steps = 5000;
        settings.every = 1000;
        int asked = 0;
        std::vector<long long> recorded;
        const long long done = runMolecularDynamics(
            start, referenceField(), settings,
            [&](const MdFrame& f, const MdState&) {
                recorded.push_back(f.step);
                return true;
            },
            [&] { return ++asked == 13; });
        QCOMPARE(done, 13LL);
        QCOMPARE(recorded, (std::vector<long long>{0, 13}));
    }

    void badSettingsAreRefused() {
        const Structure start = sampleCell();
        auto refuse = [&](const std::function<void(MdSettings&)>& edit) {
            MdSettings settings;
            edit(settings);
            QVERIFY_THROWS_EXCEPTION(
                std::invalid_argument,
                runMolecularDynamics(start, referenceField(), settings,
                                     [](const MdFrame&, const MdState&) { return true; }));
        };
        refuse([](MdSettings& s) { s.timestep = 0; });
        refuse([](MdSettings& s) { s.timestep = NAN; });
        refuse([](MdSettings& s) { s.steps = -1; });
        refuse([](MdSettings& s) { s.temperature = -5; });
        refuse([](MdSettings& s) {
            s.thermostat = Thermostat::Langevin;
            s.friction = 0;
        });
        refuse([](MdSettings& s) { s.every = 0; });
    }

    void driftOfALine() {
        std::vector<MdFrame> frames(11);
        for (int k = 0; k <= 10; ++k) {
            frames[k].time = 100.0 * k;            // fs
            frames[k].potential = -5.0 + 2e-3 * k; // 2 meV per 100 fs = 20 meV/ps in all
        }
        QVERIFY(std::abs(energyDriftMevPerAtomPerPs(frames, 4) - 5.0) < 1e-9);
    }
};

QTEST_APPLESS_MAIN(TestMolecularDynamics)
#include "test_molecular_dynamics.moc"
