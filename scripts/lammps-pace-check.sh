#!/usr/bin/env bash
# A fitted linear ACE model in real LAMMPS: builds LAMMPS from Debian 12's source package with
# the ML-PACE package (ICAMS's evaluator from ../shared/reference/lammps-user-pace), exports a
# model with `graphace fit-linear --export-yace`, runs a short NVE with `pair_style pace` and
# compares step-0 energy and forces with `graphace predict`, and reports the NVE energy drift.
#
#   scripts/lammps-pace-check.sh [DATA.xyz [CONFIG.json]]
#     default: the built-in sample (Hf32O64 cells) with automatic settings
#   GRAPHACE_LAMMPS_WORK   work folder (default build/lammps-pace); the LAMMPS build is reused
#
# Not part of the test suite: it fetches a Debian source package (apt-get source, as root: a
# deb-src entry is added if missing) and compiles LAMMPS (~10 minutes on two cores). Needs
# /usr/bin/python3 with python3-ase (for the LAMMPS data file) and a built graphace (scripts/build.sh).
#
# Versions: Debian 12's LAMMPS is 2022-01-06; its ML-PACE module wants lammps-user-pace
# v.2021.4.9, which cannot read .yace files. v.2021.9.28 can (YAML, ACE.jl radial basis) and its
# own pair_pace.cpp matches LAMMPS of that time, so this script builds that one in its place.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${GRAPHACE_LAMMPS_WORK:-$root/build/lammps-pace}"
pace_tarball="$root/../shared/reference/lammps-user-pace/lammps-user-pace-v.2021.9.28.tar.gz"
graphace="$root/build/app/graphace/graphace"
data="${1:+$(realpath "$1")}"
config="${2:+$(realpath "$2")}"
mkdir -p "$work"
[ -x "$graphace" ] || { echo "build graphace first: scripts/build.sh" >&2; exit 1; }
[ -f "$pace_tarball" ] || { echo "missing $pace_tarball" >&2; exit 1; }

# --- LAMMPS with ML-PACE -------------------------------------------------------------------
lmp="$work/lammps-build/lmp"
if [ ! -x "$lmp" ]; then
    cd "$work"
    if ! ls lammps_*.orig.tar.xz >/dev/null 2>&1; then
        if ! grep -rqs "^Types:.*deb-src\|^deb-src" /etc/apt/sources.list /etc/apt/sources.list.d/; then
            sed 's/^Types: deb$/Types: deb-src/' /etc/apt/sources.list.d/debian.sources \
                > /etc/apt/sources.list.d/debian-src.sources
        fi
        apt-get update -qq
        apt-get source --download-only lammps
    fi
    rm -rf lammps-src && mkdir lammps-src
    tar xJf lammps_*.orig.tar.xz -C lammps-src --strip-components=1
    # The evaluator that reads .yace, with its own pair style and yaml-cpp.
    tar xzf "$pace_tarball" -C "$work"
    pace_src="$(ls -d "$work"/lammps-user-pace-v.2021.9.28)"
    cp "$pace_src"/ML-PACE/pair_pace.{cpp,h} lammps-src/src/ML-PACE/
    cat > lammps-src/cmake/Modules/Packages/ML-PACE.cmake <<EOF
# Written by graphace's scripts/lammps-pace-check.sh: the local lammps-user-pace v.2021.9.28.
set(YAML_BUILD_SHARED_LIBS OFF CACHE BOOL "" FORCE)
set(YAML_CPP_BUILD_TOOLS OFF CACHE BOOL "" FORCE)
set(YAML_CPP_BUILD_CONTRIB OFF CACHE BOOL "" FORCE)
set(YAML_CPP_BUILD_TESTS OFF CACHE BOOL "" FORCE)
add_subdirectory($pace_src/yaml-cpp build-yaml-cpp)
set_target_properties(yaml-cpp PROPERTIES POSITION_INDEPENDENT_CODE ON)
file(GLOB PACE_EVALUATOR_SOURCES $pace_src/ML-PACE/*.cpp)
list(FILTER PACE_EVALUATOR_SOURCES EXCLUDE REGEX pair_pace.cpp)
add_library(pace STATIC \${PACE_EVALUATOR_SOURCES})
set_target_properties(pace PROPERTIES CXX_EXTENSIONS ON POSITION_INDEPENDENT_CODE ON
                      OUTPUT_NAME lammps_pace\${LAMMPS_MACHINE})
target_include_directories(pace PUBLIC $pace_src/ML-PACE $pace_src/yaml-cpp/include)
target_link_libraries(pace PUBLIC yaml-cpp)
target_link_libraries(lammps PRIVATE pace)
EOF
    cmake -S lammps-src/cmake -B lammps-build -G Ninja -DCMAKE_BUILD_TYPE=Release \
        -DPKG_ML-PACE=ON -DBUILD_MPI=OFF -DBUILD_OMP=OFF -DLAMMPS_EXCEPTIONS=ON \
        -DBUILD_SHARED_LIBS=OFF -DWITH_JPEG=OFF -DWITH_PNG=OFF -DWITH_FFMPEG=OFF -DWITH_GZIP=OFF \
        > "$work/lammps-configure.log"
    cmake --build lammps-build -j "$(nproc)" > "$work/lammps-build.log"
fi
echo "LAMMPS: $("$lmp" -h | sed -n 's/^Large-scale.*- \(.*\)$/\1/p' | head -1) with ML-PACE"

# --- the model and one configuration ------------------------------------------------------
cd "$work"
if [ -z "$data" ]; then
    "$graphace" sample --out sample.xyz > /dev/null
    data="$work/sample.xyz"
fi
fit=("$graphace" fit-linear --train "$data" --save-coefficients model.json --export-yace model.yace)
[ -n "$config" ] && fit+=(--config "$config")
"${fit[@]}" > fit.log
# LAMMPS wants a lower-triangular cell (a along x, b in the xy plane): the configuration is
# rotated so (and wrapped into its cell) here, and graphace predicts on the same rotated file, so
# forces compare atom by atom.
/usr/bin/python3 - "$data" <<'EOF'
import sys
import numpy as np
import ase.data
import ase.io
atoms = ase.io.read(sys.argv[1], index=0)
cell = np.array(atoms.get_cell())
q, u = np.linalg.qr(cell.T)  # cell = uᵀ qᵀ, so cell·q = uᵀ is lower-triangular
q = q * np.sign(np.diag(u))  # with a positive diagonal
lower = cell @ q
frac = np.linalg.solve(lower.T, (atoms.get_positions() @ q).T).T % 1.0
atoms.set_cell(lower)
atoms.set_scaled_positions(frac)
atoms.pbc = True
atoms.calc = None
ase.io.write("config.xyz", atoms, format="extxyz")
atoms = ase.io.read("config.xyz")  # the positions as written (8 decimals), used by both sides
species = sorted(set(atoms.get_chemical_symbols()), key=lambda s: ase.data.atomic_numbers[s])
with open("config.data", "w") as f:
    f.write(f"graphace: one configuration, rotated\n\n{len(atoms)} atoms\n{len(species)} atom types\n\n")
    f.write(f"0 {lower[0, 0]:.17g} xlo xhi\n0 {lower[1, 1]:.17g} ylo yhi\n0 {lower[2, 2]:.17g} zlo zhi\n")
    f.write(f"{lower[1, 0]:.17g} {lower[2, 0]:.17g} {lower[2, 1]:.17g} xy xz yz\n\nAtoms # atomic\n\n")
    for i, (s, p) in enumerate(zip(atoms.get_chemical_symbols(), atoms.get_positions()), 1):
        f.write(f"{i} {species.index(s) + 1} {p[0]:.17g} {p[1]:.17g} {p[2]:.17g}\n")
with open("species.txt", "w") as f:
    f.write(" ".join(species) + "\n")
    for i, s in enumerate(species, 1):
        f.write(f"{i} {ase.data.atomic_masses[ase.data.atomic_numbers[s]]}\n")
EOF
read -r -a species < species.txt
common() {
    echo "units metal"
    echo "atom_style atomic"
    echo "boundary p p p"
    echo "box tilt large"
    echo "read_data config.data"
    tail -n +2 species.txt | while read -r type mass; do echo "mass $type $mass"; done
    echo "pair_style pace"
    echo "pair_coeff * * model.yace ${species[*]}"
    echo "neighbor 1.0 bin"
    echo "thermo_style custom step pe ke etotal temp"
    echo "thermo_modify format float %.12g"
}
{
    common
    echo "dump forces all custom 1 forces.dump id fx fy fz"
    echo "dump_modify forces sort id format float %.17g"
    echo "run 0"
} > in.step0
{
    common
    echo "velocity all create ${GRAPHACE_LAMMPS_TEMPERATURE:-300} 2023 mom yes rot no dist gaussian"
    echo "fix nve all nve"
    echo "timestep 0.0005"
    echo "thermo 20"
    echo "run ${GRAPHACE_LAMMPS_STEPS:-2000}"
} > in.nve
"$lmp" -in in.step0 -log step0.log > step0.out
# A model that blows up makes LAMMPS stop ("Lost atoms"): that is a result, not a script error.
"$lmp" -in in.nve -log nve.log > nve.out 2>&1 || true
"$graphace" predict --model model.json config.xyz --out predicted.xyz > /dev/null

/usr/bin/python3 - <<'EOF'
import re
import numpy as np
import ase.io
ours = ase.io.read("predicted.xyz", index=0)
our_energy = ours.get_potential_energy()
our_forces = ours.get_forces()
n = len(ours)

def thermo(path):
    rows = []
    for block in re.findall(r"Step\s+PotEng\s+KinEng\s+TotEng\s+Temp\s*\n(.*?)\n(?:Loop time|ERROR)",
                            open(path).read() + "\nERROR", re.S):
        for line in block.split("\n"):
            try:
                rows.append([float(x) for x in line.split()])
            except ValueError:
                pass
    return np.array(rows)

step0 = thermo("step0.log")[0]
dump = open("forces.dump").read().split("ITEM: ATOMS id fx fy fz\n")[1].split("\n")
lammps_forces = np.array([[float(x) for x in line.split()[1:]] for line in dump if line.strip()])
de = abs(step0[1] - our_energy)
df = np.abs(lammps_forces - our_forces).max()
print(f"step 0 energy: LAMMPS {step0[1]:.10f} eV, graphace {our_energy:.10f} eV, "
      f"difference {de:.1e} eV ({de / abs(our_energy):.1e} relative)")
print(f"step 0 forces: largest difference {df:.1e} eV/Å (largest force "
      f"{np.abs(our_forces).max():.3f} eV/Å, {n} atoms)")

nve = thermo("nve.log")
error = re.search(r"^ERROR.*$", open("nve.out").read(), re.M)
if len(nve) >= 2:
    t = nve[:, 0] * 0.0005
    drift = np.polyfit(t, nve[:, 3], 1)[0] / n * 1000
    print(f"NVE in LAMMPS, 0.5 fs steps: {int(nve[-1, 0])} steps ({t[-1] * 1000:.0f} fs), total "
          f"energy {nve[0, 3]:.6f} → {nve[-1, 3]:.6f} eV ({drift:.2g} meV/atom/ps), "
          f"T {nve[0, 4]:.0f} → {nve[-1, 4]:.0f} K" + (f"; stopped: {error.group(0)}" if error else ""))
ok = de <= 1e-8 * abs(our_energy) and df <= 1e-7
print("step 0 agreement (1e-8 relative, 1e-7 eV/Å):", "OK" if ok else "FAILED")
raise SystemExit(0 if ok else 1)
EOF
