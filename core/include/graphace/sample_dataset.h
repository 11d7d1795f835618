#pragma once
// The built-in sample: what the program shows and trains on when no data is given.
// Deterministic (same options → bit-identical dataset on every machine).

#include "graphace/progress.h"
#include "graphace/structure.h"

#include <cstdint>

namespace graphace {

struct SampleOptions {
    int configurations = 200;     // cells of Hf32O64 (96 atoms) each
    std::uint64_t seed = 2023;
    double minTemperature = 300;  // K, spread of the thermal-like disorder
    double maxTemperature = 3000;
    double minDensityScale = 0.94;  // linear scale of the cell against the reference density
    double maxDensityScale = 1.06;
};

Dataset generateSampleDataset(const SampleOptions& options = {},
                              const ProgressCallback& progress = {});

} // namespace graphace
