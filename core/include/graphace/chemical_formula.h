#pragma once
// A configuration's chemical formula, written one way everywhere (CLI, window, reports).

#include <string>
#include <vector>

namespace graphace {

// Hill notation: with carbon, C first and H second, then the other elements alphabetically;
// without carbon, every element alphabetically. A count of 1 is not written: "CH4", "Hf32O64",
// "HfO", "H2O". `numbers`: atomic numbers, any order.
std::string chemicalFormula(const std::vector<int>& numbers);

} // namespace graphace
