#include "graphace/structure.h"

#include <Eigen/LU>

#include <algorithm>
#include <set>

namespace graphace {

double Structure::volume() const { return std::abs(cell.determinant()); }

const std::string* Structure::findInfo(const std::string& key) const {
    for (const auto& [name, value] : info)
        if (name == key)
            return &value;
    return nullptr;
}

std::size_t Dataset::atomCount() const {
    std::size_t total = 0;
    for (const auto& s : structures)
        total += s.size();
    return total;
}

std::vector<int> Dataset::species() const {
    std::set<int> found;
    for (const auto& s : structures)
        found.insert(s.numbers.begin(), s.numbers.end());
    return {found.begin(), found.end()};
}

} // namespace graphace
