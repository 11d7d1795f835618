#pragma once
// Reproducible train/test splits: the same seed gives the same split on every machine.

#include "graphace/structure.h"

#include <cstdint>
#include <vector>

namespace graphace {

struct DatasetSplit {
    std::vector<std::size_t> train;  // indices into the dataset
    std::vector<std::size_t> test;
};

// Shuffles 0…size−1 with a seeded Fisher–Yates (std::mt19937_64, own index draw, so identical
// across standard libraries) and takes the first `trainCount` for training, the next `testCount`
// for testing. Throws std::invalid_argument when trainCount + testCount > size or trainCount = 0.
DatasetSplit splitIndices(std::size_t size, std::size_t trainCount, std::size_t testCount,
                          std::uint64_t seed);

Dataset subset(const Dataset& dataset, const std::vector<std::size_t>& indices);

} // namespace graphace
