#pragma once
// The README's fit recipes (docs/recipes/zuo2020-*.json), read from the source tree, so tests
// exercise exactly the settings users are told to run.
#include "graphace/ace_config.h"

#include <nlohmann/json.hpp>

#include <QString>

#include <fstream>
#include <stdexcept>

namespace graphace::testing {

inline QString zuo2020RecipePath(const QString& element) {
    return QStringLiteral(GRAPHACE_SOURCE_DIR "/docs/recipes/zuo2020-%1.json").arg(element);
}

// The recipe's "ace" block (species empty: taken from the data).
inline AceConfig zuo2020RecipeAce(const QString& element) {
    std::ifstream in(zuo2020RecipePath(element).toStdString());
    if (!in)
        throw std::runtime_error("recipe not found: " + zuo2020RecipePath(element).toStdString());
    return nlohmann::json::parse(in).at("ace").get<AceConfig>();
}

} // namespace graphace::testing
