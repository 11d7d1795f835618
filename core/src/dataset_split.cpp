#include "graphace/dataset_split.h"

#include <numeric>
#include <random>
#include <stdexcept>
#include <string>

namespace graphace {

DatasetSplit splitIndices(std::size_t size, std::size_t trainCount, std::size_t testCount,
                          std::uint64_t seed) {
    if (trainCount == 0)
        throw std::invalid_argument("split: the training set must not be empty");
    if (trainCount + testCount > size)
        throw std::invalid_argument("split: " + std::to_string(trainCount) + " training + " +
                                    std::to_string(testCount) + " test configurations requested, "
                                    "but the data has only " + std::to_string(size));
    std::vector<std::size_t> order(size);
    std::iota(order.begin(), order.end(), 0);
    std::mt19937_64 engine(seed);
    for (std::size_t i = size; i > 1; --i) {
        // Unbiased draw in [0, i) by rejection; std::uniform_int_distribution is not portable.
        const std::uint64_t limit = UINT64_MAX - UINT64_MAX % i;
        std::uint64_t r;
        do
            r = engine();
        while (r >= limit);
        std::swap(order[i - 1], order[r % i]);
    }
    DatasetSplit split;
    split.train.assign(order.begin(), order.begin() + trainCount);
    split.test.assign(order.begin() + trainCount, order.begin() + trainCount + testCount);
    return split;
}

Dataset subset(const Dataset& dataset, const std::vector<std::size_t>& indices) {
    Dataset out;
    out.structures.reserve(indices.size());
    for (std::size_t i : indices)
        out.structures.push_back(dataset.structures.at(i));
    return out;
}

} // namespace graphace
