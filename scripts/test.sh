#!/usr/bin/env bash
# One command for the tests: install dependencies, build, run every CTest suite (core, gui, bench),
# then build the .deb, install it, run it and remove it (scripts/test-package.sh).
# GUI suites need a display: without one the whole run goes under xvfb-run.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
"$root/scripts/install-dependencies.sh"
"$root/scripts/build.sh"

run=()
if [ -z "${DISPLAY:-}" ] && command -v xvfb-run >/dev/null; then
    run=(xvfb-run -a)
fi
"${run[@]}" ctest --test-dir "$root/build" --output-on-failure --timeout 1800 "$@"

# The full run (no arguments) also checks reliability (docs/reliability.md): each fuzz target
# for a short time, so that the targets keep building and their seeds keep passing, and the core
# suites under AddressSanitizer + UndefinedBehaviorSanitizer. GRAPHACE_TEST_RELIABILITY=0 skips.
if [ $# -eq 0 ] && [ "${GRAPHACE_TEST_RELIABILITY:-1}" != 0 ]; then
    for target in extxyz poscar config session model; do
        "$root/scripts/fuzz.sh" "$target" 30 2>&1 | tail -n 8
    done
    "$root/scripts/test-sanitizers.sh"
fi

# The Debian package, built and run as a user would install it (as root: a real apt-get
# install and remove). GRAPHACE_TEST_PACKAGE=0 skips it, e.g. for a quick `-L core` run.
if [ "${GRAPHACE_TEST_PACKAGE:-1}" != 0 ]; then
    "$root/scripts/test-package.sh" "$root/build"
fi
