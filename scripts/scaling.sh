#!/usr/bin/env bash
# How time and memory grow with the atoms per cell and with the number of configurations, whole
# processes as a user runs them (/usr/bin/time: wall seconds, peak RSS). Prints Markdown rows.
#   bash scripts/scaling.sh [BUILD_DIR] [WORK_DIR]
# Cells: the built-in sample's first 96-atom cell repeated n×n×n (96 … 96,000 atoms).
# Configurations: the built-in sample with 100 … 10,000 configurations.
set -euo pipefail
build=${1:-build}
work=${2:-$(mktemp -d)}
graphace=$(realpath "$build/app/graphace/graphace")
cd "$work"

measure() { # prints "seconds MB" of the command
    /usr/bin/time -f "%e %M" -o time.txt "$@" > /dev/null 2> err.txt || { cat err.txt >&2; return 1; }
    awk '{printf "%.2f s, %.0f MB", $1, $2 / 1024}' time.txt
}

"$graphace" sample --configurations 200 --out sample.xyz > /dev/null 2>&1
"$graphace" fit-linear --train sample.xyz --forces-weight 1 --save-coefficients model.json \
    > /dev/null 2>&1

echo "| atoms per cell | graph at 5 Å | energy + forces of the fitted linear model (predict) | linear fit with forces, one cell |"
echo "|---|---|---|---|"
for n in 1 2 3 5 7 10; do
    python3 - "$n" > cell.xyz <<'PY'
import sys
n = int(sys.argv[1])
lines = open("sample.xyz").read().split("\n")
count = int(lines[0]); header = lines[1]
import re, shlex
lattice = [float(x) for x in re.search(r'Lattice="([^"]*)"', header).group(1).split()]
a = [lattice[0:3], lattice[3:6], lattice[6:9]]
atoms = [l.split() for l in lines[2:2 + count]]
out = []
for i in range(n):
    for j in range(n):
        for k in range(n):
            shift = [i * a[0][c] + j * a[1][c] + k * a[2][c] for c in range(3)]
            for at in atoms:
                out.append("%s %.10f %.10f %.10f" % (at[0], *(float(at[1 + c]) + shift[c] for c in range(3))))
big = " ".join("%.10f" % (n * x) for x in lattice)
print(len(out))
print('Lattice="%s" Properties=species:S:1:pos:R:3 pbc="T T T"' % big)
print("\n".join(out))
PY
    atoms=$((96 * n * n * n))
    graph=$(measure "$graphace" graph cell.xyz --cutoff 5 --json)
    predict=$(measure "$graphace" predict --model model.json cell.xyz --threads 1)
    fit="-"
    if [ "$atoms" -le 2592 ]; then
        # A cell needs an energy to be fitted: the model's own.
        "$graphace" predict --model model.json cell.xyz --out labelled.xyz > /dev/null 2>&1
        fit=$(measure "$graphace" fit-linear --train labelled.xyz --forces-weight 1 \
            --set ace.r0=2.27 --set ace.rcut=5 --set "ace.max_degree_per_order=[13,6,5]")
    fi
    echo "| $atoms | $graph | $predict | $fit |"
done

echo
echo "| configurations (96 atoms each) | linear fit with forces (streamed) | predict (linear model) |"
echo "|---|---|---|"
for c in 100 1000 10000; do
    "$graphace" sample --configurations "$c" --out many.xyz > /dev/null 2>&1
    fit=$(measure "$graphace" fit-linear --train many.xyz --forces-weight 1 \
        --set ace.r0=2.27 --set ace.rcut=5 --set "ace.max_degree_per_order=[13,6,5]")
    predict=$(measure "$graphace" predict --model model.json many.xyz)
    echo "| $c | $fit | $predict |"
done
