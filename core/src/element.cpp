// The periodic table: symbols, names, standard atomic weights, covalent radii and colours.
//
// Sources: standard atomic weights from IUPAC 2013 (Meija et al., Pure Appl. Chem. 88, 265, 2016;
// conventional values where IUPAC gives a range, the most stable isotope's mass for elements
// without stable isotopes); covalent radii from Cordero et al., Dalton Trans. 2008, 2832 (C sp3,
// low-spin Mn/Fe/Co; 1.5 Å where the paper has none, Z > 96); colours from Jmol's CPK scheme
// (grey where Jmol has none, Z > 109).
#include "graphace/element.h"

#include <cstdint>
#include <stdexcept>
#include <string>

namespace graphace {
namespace {

constexpr double kUnknownRadius = 1.5;
constexpr std::uint32_t kGrey = 0x808080;

constexpr std::array<float, 3> rgb(std::uint32_t hex) {
    return {static_cast<float>((hex >> 16) & 0xFF) / 255.0f,
            static_cast<float>((hex >> 8) & 0xFF) / 255.0f,
            static_cast<float>(hex & 0xFF) / 255.0f};
}

// clang-format off
const Element kElements[118] = {
    {1, "H", "Hydrogen", 1.008, 0.31, rgb(0xFFFFFF)},
    {2, "He", "Helium", 4.002602, 0.28, rgb(0xD9FFFF)},
    {3, "Li", "Lithium", 6.94, 1.28, rgb(0xCC80FF)},
    {4, "Be", "Beryllium", 9.0121831, 0.96, rgb(0xC2FF00)},
    {5, "B", "Boron", 10.81, 0.84, rgb(0xFFB5B5)},
    {6, "C", "Carbon", 12.011, 0.76, rgb(0x909090)},
    {7, "N", "Nitrogen", 14.007, 0.71, rgb(0x3050F8)},
    {8, "O", "Oxygen", 15.999, 0.66, rgb(0xFF0D0D)},
    {9, "F", "Fluorine", 18.998403163, 0.57, rgb(0x90E050)},
    {10, "Ne", "Neon", 20.1797, 0.58, rgb(0xB3E3F5)},
    {11, "Na", "Sodium", 22.98976928, 1.66, rgb(0xAB5CF2)},
    {12, "Mg", "Magnesium", 24.305, 1.41, rgb(0x8AFF00)},
    {13, "Al", "Aluminium", 26.9815385, 1.21, rgb(0xBFA6A6)},
    {14, "Si", "Silicon", 28.085, 1.11, rgb(0xF0C8A0)},
    {15, "P", "Phosphorus", 30.973761998, 1.07, rgb(0xFF8000)},
    {16, "S", "Sulfur", 32.06, 1.05, rgb(0xFFFF30)},
    {17, "Cl", "Chlorine", 35.45, 1.02, rgb(0x1FF01F)},
    {18, "Ar", "Argon", 39.948, 1.06, rgb(0x80D1E3)},
    {19, "K", "Potassium", 39.0983, 2.03, rgb(0x8F40D4)},
    {20, "Ca", "Calcium", 40.078, 1.76, rgb(0x3DFF00)},
    {21, "Sc", "Scandium", 44.955908, 1.70, rgb(0xE6E6E6)},
    {22, "Ti", "Titanium", 47.867, 1.60, rgb(0xBFC2C7)},
    {23, "V", "Vanadium", 50.9415, 1.53, rgb(0xA6A6AB)},
    {24, "Cr", "Chromium", 51.9961, 1.39, rgb(0x8A99C7)},
    {25, "Mn", "Manganese", 54.938044, 1.39, rgb(0x9C7AC7)},
    {26, "Fe", "Iron", 55.845, 1.32, rgb(0xE06633)},
    {27, "Co", "Cobalt", 58.933194, 1.26, rgb(0xF090A0)},
    {28, "Ni", "Nickel", 58.6934, 1.24, rgb(0x50D050)},
    {29, "Cu", "Copper", 63.546, 1.32, rgb(0xC88033)},
    {30, "Zn", "Zinc", 65.38, 1.22, rgb(0x7D80B0)},
    {31, "Ga", "Gallium", 69.723, 1.22, rgb(0xC28F8F)},
    {32, "Ge", "Germanium", 72.630, 1.20, rgb(0x668F8F)},
    {33, "As", "Arsenic", 74.921595, 1.19, rgb(0xBD80E3)},
    {34, "Se", "Selenium", 78.971, 1.20, rgb(0xFFA100)},
    {35, "Br", "Bromine", 79.904, 1.20, rgb(0xA62929)},
    {36, "Kr", "Krypton", 83.798, 1.16, rgb(0x5CB8D1)},
    {37, "Rb", "Rubidium", 85.4678, 2.20, rgb(0x702EB0)},
    {38, "Sr", "Strontium", 87.62, 1.95, rgb(0x00FF00)},
    {39, "Y", "Yttrium", 88.90584, 1.90, rgb(0x94FFFF)},
    {40, "Zr", "Zirconium", 91.224, 1.75, rgb(0x94E0E0)},
    {41, "Nb", "Niobium", 92.90637, 1.64, rgb(0x73C2C9)},
    {42, "Mo", "Molybdenum", 95.95, 1.54, rgb(0x54B5B5)},
    {43, "Tc", "Technetium", 97.90721, 1.47, rgb(0x3B9E9E)},
    {44, "Ru", "Ruthenium", 101.07, 1.46, rgb(0x248F8F)},
    {45, "Rh", "Rhodium", 102.90550, 1.42, rgb(0x0A7D8C)},
    {46, "Pd", "Palladium", 106.42, 1.39, rgb(0x006985)},
    {47, "Ag", "Silver", 107.8682, 1.45, rgb(0xC0C0C0)},
    {48, "Cd", "Cadmium", 112.414, 1.44, rgb(0xFFD98F)},
    {49, "In", "Indium", 114.818, 1.42, rgb(0xA67573)},
    {50, "Sn", "Tin", 118.710, 1.39, rgb(0x668080)},
    {51, "Sb", "Antimony", 121.760, 1.39, rgb(0x9E63B5)},
    {52, "Te", "Tellurium", 127.60, 1.38, rgb(0xD47A00)},
    {53, "I", "Iodine", 126.90447, 1.39, rgb(0x940094)},
    {54, "Xe", "Xenon", 131.293, 1.40, rgb(0x429EB0)},
    {55, "Cs", "Caesium", 132.90545196, 2.44, rgb(0x57178F)},
    {56, "Ba", "Barium", 137.327, 2.15, rgb(0x00C900)},
    {57, "La", "Lanthanum", 138.90547, 2.07, rgb(0x70D4FF)},
    {58, "Ce", "Cerium", 140.116, 2.04, rgb(0xFFFFC7)},
    {59, "Pr", "Praseodymium", 140.90766, 2.03, rgb(0xD9FFC7)},
    {60, "Nd", "Neodymium", 144.242, 2.01, rgb(0xC7FFC7)},
    {61, "Pm", "Promethium", 144.91276, 1.99, rgb(0xA3FFC7)},
    {62, "Sm", "Samarium", 150.36, 1.98, rgb(0x8FFFC7)},
    {63, "Eu", "Europium", 151.964, 1.98, rgb(0x61FFC7)},
    {64, "Gd", "Gadolinium", 157.25, 1.96, rgb(0x45FFC7)},
    {65, "Tb", "Terbium", 158.92535, 1.94, rgb(0x30FFC7)},
    {66, "Dy", "Dysprosium", 162.500, 1.92, rgb(0x1FFFC7)},
    {67, "Ho", "Holmium", 164.93033, 1.92, rgb(0x00FF9C)},
    {68, "Er", "Erbium", 167.259, 1.89, rgb(0x00E675)},
    {69, "Tm", "Thulium", 168.93422, 1.90, rgb(0x00D452)},
    {70, "Yb", "Ytterbium", 173.054, 1.87, rgb(0x00BF38)},
    {71, "Lu", "Lutetium", 174.9668, 1.87, rgb(0x00AB24)},
    {72, "Hf", "Hafnium", 178.49, 1.75, rgb(0x4DC2FF)},
    {73, "Ta", "Tantalum", 180.94788, 1.70, rgb(0x4DA6FF)},
    {74, "W", "Tungsten", 183.84, 1.62, rgb(0x2194D6)},
    {75, "Re", "Rhenium", 186.207, 1.51, rgb(0x267DAB)},
    {76, "Os", "Osmium", 190.23, 1.44, rgb(0x266696)},
    {77, "Ir", "Iridium", 192.217, 1.41, rgb(0x175487)},
    {78, "Pt", "Platinum", 195.084, 1.36, rgb(0xD0D0E0)},
    {79, "Au", "Gold", 196.966569, 1.36, rgb(0xFFD123)},
    {80, "Hg", "Mercury", 200.592, 1.32, rgb(0xB8B8D0)},
    {81, "Tl", "Thallium", 204.38, 1.45, rgb(0xA6544D)},
    {82, "Pb", "Lead", 207.2, 1.46, rgb(0x575961)},
    {83, "Bi", "Bismuth", 208.98040, 1.48, rgb(0x9E4FB5)},
    {84, "Po", "Polonium", 208.98243, 1.40, rgb(0xAB5C00)},
    {85, "At", "Astatine", 209.98715, 1.50, rgb(0x754F45)},
    {86, "Rn", "Radon", 222.01758, 1.50, rgb(0x428296)},
    {87, "Fr", "Francium", 223.01974, 2.60, rgb(0x420066)},
    {88, "Ra", "Radium", 226.02541, 2.21, rgb(0x007D00)},
    {89, "Ac", "Actinium", 227.02775, 2.15, rgb(0x70ABFA)},
    {90, "Th", "Thorium", 232.0377, 2.06, rgb(0x00BAFF)},
    {91, "Pa", "Protactinium", 231.03588, 2.00, rgb(0x00A1FF)},
    {92, "U", "Uranium", 238.02891, 1.96, rgb(0x008FFF)},
    {93, "Np", "Neptunium", 237.04817, 1.90, rgb(0x0080FF)},
    {94, "Pu", "Plutonium", 244.06421, 1.87, rgb(0x006BFF)},
    {95, "Am", "Americium", 243.06138, 1.80, rgb(0x545CF2)},
    {96, "Cm", "Curium", 247.07035, 1.69, rgb(0x785CE3)},
    {97, "Bk", "Berkelium", 247.07031, kUnknownRadius, rgb(0x8A4FE3)},
    {98, "Cf", "Californium", 251.07959, kUnknownRadius, rgb(0xA136D4)},
    {99, "Es", "Einsteinium", 252.0830, kUnknownRadius, rgb(0xB31FD4)},
    {100, "Fm", "Fermium", 257.09511, kUnknownRadius, rgb(0xB31FBA)},
    {101, "Md", "Mendelevium", 258.09843, kUnknownRadius, rgb(0xB30DA6)},
    {102, "No", "Nobelium", 259.1010, kUnknownRadius, rgb(0xBD0D87)},
    {103, "Lr", "Lawrencium", 262.110, kUnknownRadius, rgb(0xC70066)},
    {104, "Rf", "Rutherfordium", 267.122, kUnknownRadius, rgb(0xCC0059)},
    {105, "Db", "Dubnium", 268.126, kUnknownRadius, rgb(0xD1004F)},
    {106, "Sg", "Seaborgium", 271.134, kUnknownRadius, rgb(0xD90045)},
    {107, "Bh", "Bohrium", 270.133, kUnknownRadius, rgb(0xE00038)},
    {108, "Hs", "Hassium", 269.1338, kUnknownRadius, rgb(0xE6002E)},
    {109, "Mt", "Meitnerium", 278.156, kUnknownRadius, rgb(0xEB0026)},
    {110, "Ds", "Darmstadtium", 281.165, kUnknownRadius, rgb(kGrey)},
    {111, "Rg", "Roentgenium", 281.166, kUnknownRadius, rgb(kGrey)},
    {112, "Cn", "Copernicium", 285.177, kUnknownRadius, rgb(kGrey)},
    {113, "Nh", "Nihonium", 286.182, kUnknownRadius, rgb(kGrey)},
    {114, "Fl", "Flerovium", 289.190, kUnknownRadius, rgb(kGrey)},
    {115, "Mc", "Moscovium", 289.194, kUnknownRadius, rgb(kGrey)},
    {116, "Lv", "Livermorium", 293.204, kUnknownRadius, rgb(kGrey)},
    {117, "Ts", "Tennessine", 293.208, kUnknownRadius, rgb(kGrey)},
    {118, "Og", "Oganesson", 294.214, kUnknownRadius, rgb(kGrey)},
};
// clang-format on

char upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// Symbols are one or two letters, so a 26 × 27 table (second letter or none) makes the lookup a
// single index: the reader calls this once per atom.
struct SymbolIndex {
    unsigned char z[26][27] = {};
    SymbolIndex() {
        for (const Element& e : kElements) {
            const int first = e.symbol[0] - 'A';
            const int second = e.symbol[1] ? e.symbol[1] - 'a' + 1 : 0;
            z[first][second] = static_cast<unsigned char>(e.number);
        }
    }
};

} // namespace

const Element& elementByNumber(int number) {
    if (number < 1 || number > 118)
        throw std::out_of_range("no element with atomic number " + std::to_string(number));
    return kElements[number - 1];
}

int atomicNumber(std::string_view symbol) {
    static const SymbolIndex index;
    if (symbol.empty() || symbol.size() > 2)
        return 0;
    const char first = upper(symbol[0]);
    if (first < 'A' || first > 'Z')
        return 0;
    int second = 0;
    if (symbol.size() == 2) {
        const char c = lower(symbol[1]);
        if (c < 'a' || c > 'z')
            return 0;
        second = c - 'a' + 1;
    }
    return index.z[first - 'A'][second];
}

const char* elementSymbol(int number) {
    return elementByNumber(number).symbol;
}

} // namespace graphace
