#pragma once
// The built-in sample: what the program shows and trains on when no data is given.
// Deterministic (same options → bit-identical dataset on every machine with the same compiler
// and C library; see docs/sample-dataset.md for what "same" has to cover).
//
// Each configuration is a 2×2×2 supercell of cubic fluorite HfO₂ (Hf32O64, 96 atoms, Hf first,
// then O, pbc T T T), scaled by a density factor, strained (triclinic) and disordered by Gaussian
// displacements that grow with a per-configuration temperature, then labelled with
// evaluateReferencePotential(…, ReferencePotentialParameters::hafniaDefaults()).
// Info keys: config_type=sample, temperature (K), density_scale, sample_index.

#include "graphace/progress.h"
#include "graphace/structure.h"

#include <cstdint>

namespace graphace {

struct SampleOptions {
    int configurations = 200; // cells of Hf32O64 (96 atoms) each; 0 … 100000
    std::uint64_t seed = 2023;
    double minTemperature = 300; // K, spread of the thermal-like disorder; 0 … 5000
    double maxTemperature = 3000;
    double minDensityScale = 0.94; // linear scale of the cell against the reference density;
    double maxDensityScale = 1.06; // 0.92 … 1.30 (below 0.92 the guard below could not hold)
};

// Cubic fluorite HfO₂ lattice constant at density scale 1, Å.
constexpr double kSampleLatticeConstant = 5.08;

// The generator's guard: no two atoms (any periodic image) are closer than this, Å.
// Hf–O 1.6, O–O 2.2, Hf–Hf 2.2; 0 for any other pair.
double sampleMinimumDistance(int numberA, int numberB);

// Configuration `index` (0-based) of the dataset `options` describes; it depends only on
// options.seed, the temperature and density ranges, and index. Throws std::invalid_argument for
// options out of the ranges above or a negative index.
Structure generateSampleConfiguration(const SampleOptions& options, int index);

// options.configurations of them. Throws std::invalid_argument as above, and
// graphace::Cancelled when the progress callback asks to stop.
Dataset generateSampleDataset(const SampleOptions& options = {},
                              const ProgressCallback& progress = {});

} // namespace graphace
