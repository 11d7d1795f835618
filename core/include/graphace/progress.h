#pragma once
#include "graphace/error.h"

#include <functional>

namespace graphace {

// Long operations report progress as a fraction in [0, 1] and ask whether to go on.
// Returning false cancels: the operation throws graphace::Cancelled at the next check.
// An empty callback means "no reporting, never cancel".
using ProgressCallback = std::function<bool(double fraction)>;

inline void reportProgress(const ProgressCallback& callback, double fraction) {
    if (callback && !callback(fraction))
        throw Cancelled();
}

} // namespace graphace
