#!/usr/bin/env bash
# Builds the libFuzzer targets (clang, AddressSanitizer + UndefinedBehaviorSanitizer) into
# ./build-fuzz and runs one of them:
#   scripts/fuzz.sh TARGET [SECONDS]      TARGET: extxyz, poscar, config, model or session;
#                                         default 60 s
# Seeds: fuzz/seeds/TARGET (committed), the malformed-file corpus tests/data/malformed and, for
# extxyz, the first configurations of each file in ../shared/data. What the fuzzer learns is
# kept in build-fuzz/corpus/TARGET for the next run. A crash, a hang (> 1 s for one input) or a
# sanitizer report stops it, leaves the input as build-fuzz/crash-*, timeout-* or leak-* and
# exits non-zero. Extra arguments after SECONDS go to libFuzzer (e.g. -jobs=2).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
target="${1:?usage: scripts/fuzz.sh TARGET [SECONDS] [libFuzzer options]}"
target="${target#fuzz_}"
seconds="${2:-60}"
shift $(( $# >= 2 ? 2 : 1 ))
build="$root/build-fuzz"

if ! command -v clang++ >/dev/null; then
    echo "fuzz.sh: clang++ is needed (apt-get install clang libclang-rt-14-dev)" >&2
    exit 1
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
      -DGRAPHACE_FUZZ=ON -DGRAPHACE_BUILD_GUI=OFF -DGRAPHACE_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" --target "fuzz_$target" -j "$(nproc)"

corpus="$build/corpus/$target"
seeds="$build/seeds/$target"
mkdir -p "$corpus" "$seeds"
cp -f "$root/fuzz/seeds/$target/"* "$seeds/" 2>/dev/null || true
if [ "$target" = extxyz ]; then
    cp -f "$root/tests/data/malformed/"*.xyz "$seeds/" 2>/dev/null || true
    # The first configurations of each real file: enough to show the fuzzer the real shapes.
    shared="$root/../shared/data"
    if [ -d "$shared" ]; then
        find "$shared" -name '*.xyz' | while read -r file; do
            name="$(basename "$(dirname "$file")")-$(basename "$file")"
            awk 'NR == 1 { n = $1 } { print } NR >= n + 2 { exit }' "$file" > "$seeds/$name"
        done
    fi
fi
dictionary=()
if [ -f "$root/fuzz/$target.dict" ]; then
    dictionary=(-dict="$root/fuzz/$target.dict")
fi
# Inputs up to the size of the seeds: a model or checkpoint archive and a session with a run are
# tens of kilobytes.
max_len=8192
case "$target" in model | session) max_len=65536 ;; esac
# Leaks inside LibTorch's own reader are suppressed (scripts/lsan.supp says which and why).
export LSAN_OPTIONS="${LSAN_OPTIONS:-suppressions=$root/scripts/lsan.supp:print_suppressions=0}"
cd "$build"
"./fuzz/fuzz_$target" "$corpus" "$seeds" "${dictionary[@]}" -max_total_time="$seconds" \
    -timeout=1 -rss_limit_mb=2048 -max_len="$max_len" -print_final_stats=1 "$@"
