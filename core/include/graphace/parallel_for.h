#pragma once
// Work sharing over configurations (descriptors, graph datasets): indices are handed out one at
// a time, so cells of very different sizes still keep every thread busy.

#include "graphace/progress.h"

#include <functional>

namespace graphace {

// Calls, on `threads` threads (0: all cores; never more than `count`), makeWorker() once per
// thread, then the returned function for indices 0…count−1, each exactly once. The first
// exception stops every thread and is rethrown here, with its index in *failedIndex when given.
// Progress (done / count) is reported from the calling thread only, so the callback never runs
// concurrently; when it returns false the work stops and Cancelled is thrown.
void parallelForEach(int count, int threads, const ProgressCallback& progress,
                     const std::function<std::function<void(int)>()>& makeWorker,
                     int* failedIndex = nullptr);

} // namespace graphace
