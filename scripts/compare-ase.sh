#!/usr/bin/env bash
# Whole-process comparison with ASE (Debian's python3-ase, run with /usr/bin/python3) on a
# 13,824-atom diamond Si cell (12×12×12 conventional cells), as a user meets both programs:
#   parse:  graphace info FILE                      vs  ase.io.read(FILE)
#   graph:  graphace graph FILE --cutoff 5 --json   vs  ase.io.read + neighbor_list('ijS', 5 Å)
# Each side is timed as one whole process (start, read, compute, exit); the best of REPEAT runs
# (default 3) is reported with the ratio. The cell is written by ASE itself (extended XYZ).
# Usage: scripts/compare-ase.sh [BUILD_DIR] [REPEAT]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"
repeat="${2:-3}"
cli="$build/app/graphace/graphace"
python=/usr/bin/python3
[ -x "$cli" ] || { echo "compare-ase: $cli not found (build first)" >&2; exit 1; }
if ! "$python" -c "import ase" 2>/dev/null; then
    echo "compare-ase: ASE is not installed (apt-get install python3-ase); nothing to compare" >&2
    exit 1
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/graphace-ase.XXXXXX")"
trap 'rm -rf "$work"' EXIT
cell="$work/si-13824.xyz"
"$python" - "$cell" <<'PY'
import sys
from ase.build import bulk
atoms = bulk("Si", "diamond", a=5.431, cubic=True).repeat((12, 12, 12))
atoms.info["energy"] = -5.42 * len(atoms)
atoms.write(sys.argv[1], format="extxyz")
PY

# Best wall-clock seconds of `repeat` runs of the command given.
best_of() {
    local best="" t
    for _ in $(seq "$repeat"); do
        local start end
        start=$(date +%s.%N)
        "$@" >/dev/null
        end=$(date +%s.%N)
        t=$(echo "$end - $start" | bc -l)
        if [ -z "$best" ] || [ "$(echo "$t < $best" | bc -l)" = 1 ]; then best=$t; fi
    done
    printf '%.3f' "$best"
}

parse_ase="$(best_of "$python" -c "import sys; from ase.io import read; read(sys.argv[1])" "$cell")"
parse_ours="$(best_of "$cli" info "$cell")"
graph_ase="$(best_of "$python" -c "
import sys
from ase.io import read
from ase.neighborlist import neighbor_list
i, j, S = neighbor_list('ijS', read(sys.argv[1]), 5.0)
print(len(i))" "$cell")"
graph_ours="$(best_of "$cli" graph "$cell" --cutoff 5 --json)"
edges_ase="$("$python" -c "
import sys
from ase.io import read
from ase.neighborlist import neighbor_list
print(len(neighbor_list('i', read(sys.argv[1]), 5.0)))" "$cell")"
edges_ours="$("$cli" graph "$cell" --cutoff 5 --json | "$python" -c "
import json, sys
print(json.load(sys.stdin)['edges'])")"

printf 'Si diamond, 13,824 atoms, whole processes (best of %s):\n' "$repeat"
printf '%-34s %10s %10s %8s\n' "" "ASE 3.22" "graphace" "ratio"
printf '%-34s %9ss %9ss %7.1fx\n' "parse (read the file)" "$parse_ase" "$parse_ours" \
    "$(echo "$parse_ase / $parse_ours" | bc -l)"
printf '%-34s %9ss %9ss %7.1fx\n' "read + neighbour list at 5 Å" "$graph_ase" "$graph_ours" \
    "$(echo "$graph_ase / $graph_ours" | bc -l)"
printf 'directed edges at 5 Å: ASE %s, graphace %s\n' "$edges_ase" "$edges_ours"
[ "$edges_ase" = "$edges_ours" ] || { echo "compare-ase: the edge counts differ" >&2; exit 1; }
