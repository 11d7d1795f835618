#pragma once
// Words of a text file as numbers, and text quoted for error messages: shared by the structure
// file readers (extxyz_reader.cpp, poscar.cpp) and the format detection, so that they accept the
// same numbers and quote alike. Private to graphace_core.

#include <charconv>
#include <cmath>
#include <string>
#include <string_view>
#include <system_error>

namespace graphace::text {

// Quoted for an error message: control bytes shown as '?', long text shortened.
inline std::string shown(std::string_view s) {
    constexpr std::size_t kMax = 40;
    std::string out = "'";
    for (std::size_t i = 0; i < s.size() && i < kMax; ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
    }
    if (s.size() > kMax)
        out += "...";
    return out + "'";
}

// from_chars takes no leading '+', which printf("%+g") and Fortran write.
inline std::string_view dropPlus(std::string_view t) {
    if (t.size() > 1 && t[0] == '+' && t[1] != '+' && t[1] != '-')
        t.remove_prefix(1);
    return t;
}

inline bool parseReal(std::string_view t, double& value) {
    t = dropPlus(t);
    if (t.empty())
        return false;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    return ec == std::errc() && end == t.data() + t.size();
}

inline bool parseFiniteReal(std::string_view t, double& value) {
    return parseReal(t, value) && std::isfinite(value);
}

inline bool parseInteger(std::string_view t, long long& value) {
    t = dropPlus(t);
    if (t.empty())
        return false;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), value);
    return ec == std::errc() && end == t.data() + t.size();
}

} // namespace graphace::text
