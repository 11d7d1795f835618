#pragma once
#include <array>
#include <string>
#include <string_view>

namespace graphace {

// Static facts about the chemical elements H (1) … Og (118).
struct Element {
    int number;                    // atomic number
    const char* symbol;            // "Hf"
    const char* name;              // "Hafnium"
    double mass;                   // standard atomic weight, u
    double covalentRadius;         // Å (Cordero et al. 2008; 1.5 where unknown)
    std::array<float, 3> colour;   // RGB in [0, 1], Jmol/CPK-like
};

// Element with this atomic number; throws std::out_of_range outside 1…118.
const Element& elementByNumber(int number);
// Atomic number of a symbol; case-insensitive ("hf", "HF", "Hf"); 0 when unknown.
int atomicNumber(std::string_view symbol);
const char* elementSymbol(int number);

} // namespace graphace
