#!/usr/bin/env bash
# The core suites built with AddressSanitizer + UndefinedBehaviorSanitizer (GRAPHACE_SANITIZE,
# no GUI) in ./build-asan: any report fails the run. Arguments go to ctest (default: the core
# label without the zuo2020 accuracy suite, whose long trainings repeat code the others cover).
# LibTorch and the system libraries are not instrumented; scripts/lsan.supp is where a leak of
# theirs would be suppressed (none is).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$root/build-asan"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DGRAPHACE_SANITIZE=ON -DGRAPHACE_BUILD_GUI=OFF >/dev/null
cmake --build "$build" -j "$(nproc)"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}"
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
if [ $# -eq 0 ]; then
    set -- -L core -E zuo2020 -j "$(nproc)"
fi
ctest --test-dir "$build" --output-on-failure --timeout 3600 "$@"
