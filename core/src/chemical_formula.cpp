#include "graphace/chemical_formula.h"

#include "graphace/element.h"

#include <map>

namespace graphace {

std::string chemicalFormula(const std::vector<int>& numbers) {
    std::map<std::string, int> counts; // by symbol: alphabetical order
    for (int z : numbers)
        ++counts[elementSymbol(z)];
    std::string formula;
    auto append = [&formula](const std::string& symbol, int count) {
        formula += symbol;
        if (count != 1)
            formula += std::to_string(count);
    };
    const bool carbon = counts.count("C") > 0;
    if (carbon)
        for (const char* first : {"C", "H"})
            if (auto it = counts.find(first); it != counts.end()) {
                append(it->first, it->second);
                counts.erase(it);
            }
    for (const auto& [symbol, count] : counts)
        append(symbol, count);
    return formula;
}

} // namespace graphace
