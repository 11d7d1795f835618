#!/usr/bin/env bash
# One command for the tests: install dependencies, build, run every CTest suite (core, gui, bench).
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
