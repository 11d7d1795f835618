#include "graphace/parallel_for.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace graphace {

void parallelForEach(int count, int threads, const ProgressCallback& progress,
                     const std::function<std::function<void(int)>()>& makeWorker,
                     int* failedIndex) {
    if (threads <= 0)
        threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max(1, std::min(threads, count));

    std::atomic<int> next{0}, done{0};
    std::atomic<bool> stop{false}, cancelled{false};
    std::exception_ptr error;
    int failed = -1;
    std::mutex mutex;
    auto work = [&](bool reporter) {
        std::function<void(int)> task;
        try {
            task = makeWorker();
        } catch (...) {
            std::lock_guard<std::mutex> lock(mutex);
            if (!error)
                error = std::current_exception();
            stop = true;
            return;
        }
        while (!stop) {
            const int k = next++;
            if (k >= count)
                break;
            try {
                task(k);
            } catch (...) {
                std::lock_guard<std::mutex> lock(mutex);
                if (!error) {
                    error = std::current_exception();
                    failed = k;
                }
                stop = true;
            }
            ++done;
            if (reporter && progress && !progress(double(done) / std::max(1, count))) {
                cancelled = true;
                stop = true;
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work, false);
    work(true);
    for (auto& t : pool)
        t.join();
    if (error) {
        if (failedIndex)
            *failedIndex = failed;
        std::rethrow_exception(error);
    }
    if (cancelled)
        throw Cancelled();
    reportProgress(progress, 1.0);
}

} // namespace graphace
