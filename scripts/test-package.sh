#!/usr/bin/env bash
# Builds the Debian package from a build folder and checks it the way a user would meet it:
#   1. `cpack -G DEB` into a temporary folder; the .deb is graphace_<version>_<arch>.deb;
#   2. its file list holds the executables, the desktop entry, the icons and the docs, and its
#      Depends (from dpkg-shlibdeps) names the Debian 12 Qt, VTK and LibTorch packages;
#   3. as root (CI: a throwaway machine): `apt-get install ./graphace_*.deb` for real, run
#      /usr/bin/graphace (and through it /usr/libexec/graphace/graphace-gcn) and
#      /usr/bin/graphace-studio --screenshot, then `apt-get remove`;
#      otherwise (or with GRAPHACE_PACKAGE_INSTALL=0): unpack it into a throwaway root with
#      `dpkg-deb -x` and run the binaries from there.
# Usage: scripts/test-package.sh [BUILD_DIR]   (default: ./build, already built)
# Exits non-zero with a "test-package: FAIL: ..." line on the first failure.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
build="$(cd "${1:-$root/build}" && pwd)"

fail() {
    echo "test-package: FAIL: $*" >&2
    exit 1
}
note() { echo "test-package: $*"; }

[ -f "$build/CPackConfig.cmake" ] || fail "$build/CPackConfig.cmake not found (configure and build first)"
for tool in cpack dpkg-deb dpkg; do
    command -v "$tool" >/dev/null || fail "$tool is not installed"
done
gui=ON
grep -q '^GRAPHACE_BUILD_GUI:BOOL=OFF' "$build/CMakeCache.txt" 2>/dev/null && gui=OFF

work="$(mktemp -d "${TMPDIR:-/tmp}/graphace-package.XXXXXX")"
installed=0
cleanup() {
    if [ "$installed" = 1 ]; then
        note "removing the package after a failure"
        DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq graphace >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

# --- 1. build the package ----------------------------------------------------------------------
note "cpack -G DEB from $build"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1; then
    cat "$work/cpack.log" >&2
    fail "cpack failed (log above)"
fi
version="$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$build/CPackConfig.cmake")"
[ -n "$version" ] || fail "no CPACK_PACKAGE_VERSION in $build/CPackConfig.cmake"
deb="$work/out/graphace_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || fail "expected $(basename "$deb"); cpack made: $(cd "$work/out" && ls ./*.deb 2>/dev/null)"
note "built $(basename "$deb") ($(du -h "$deb" | cut -f1))"

# --- 2. contents and metadata ------------------------------------------------------------------
[ "$(dpkg-deb -f "$deb" Package)" = graphace ] || fail "package name is not graphace"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "package version is not $version"
dpkg-deb --contents "$deb" | awk '{print $NF}' | sed 's|^\./|/|' >"$work/contents"
expected=(/usr/bin/graphace
          /usr/libexec/graphace/graphace-gcn
          /usr/share/doc/graphace/README.md
          /usr/share/doc/graphace/user-guide.md
          /usr/share/doc/graphace/cli.md)
for recipe in "$root"/docs/recipes/*.json; do
    expected+=("/usr/share/doc/graphace/recipes/$(basename "$recipe")")
done
if [ "$gui" = ON ]; then
    expected+=(/usr/bin/graphace-studio
               /usr/share/applications/graphace-studio.desktop
               /usr/share/metainfo/io.github.graphace.studio.metainfo.xml
               /usr/share/icons/hicolor/scalable/apps/graphace-studio.svg)
    for size in 16 24 32 48 64 128 256 512; do
        expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/graphace-studio.png")
    done
fi
# Every image the guide links must travel with it.
while read -r image; do
    expected+=("/usr/share/doc/graphace/$image")
done < <(grep -o '](images/[^)]*\.png)' "$root/docs/user-guide.md" | sed 's/^](//; s/)$//' | sort -u)
for path in "${expected[@]}"; do
    grep -qxF "$path" "$work/contents" || fail "$path is missing from the package"
done
if [ "$gui" = ON ]; then
    # Its folder follows the install's libdir (lib/ or lib/<multiarch>/).
    grep -qE '^/usr/lib/([^/]+/)?graphace/graphace-network\.so$' "$work/contents" ||
        fail "graphace-network.so (the window's network, loaded on demand) is missing from the package"
fi
note "contents: all ${#expected[@]} expected files present"

depends="$(dpkg-deb -f "$deb" Depends)"
[ -n "$depends" ] || fail "the package has no Depends (is dpkg-shlibdeps installed?)"
wanted=(libtorch libstdc++6)
[ "$gui" = ON ] && wanted+=(libqt6core6 libqt6gui6 libqt6widgets6 libqt6charts6 libvtk9)
for dep in "${wanted[@]}"; do
    grep -q "$dep" <<<"$depends" || fail "Depends lacks $dep: $depends"
done
note "Depends: $depends"

if [ "$gui" = ON ]; then
    mkdir -p "$work/peek"
    dpkg-deb -x "$deb" "$work/peek"
    desktop="$work/peek/usr/share/applications/graphace-studio.desktop"
    if command -v desktop-file-validate >/dev/null; then
        desktop-file-validate "$desktop" || fail "desktop-file-validate rejects the desktop entry"
        note "desktop entry: desktop-file-validate passed"
    fi
    grep -qx 'Exec=graphace-studio %F' "$desktop" || fail "desktop entry does not run graphace-studio"
    grep -qx 'Icon=graphace-studio' "$desktop" || fail "desktop entry names another icon"
fi

# --- 3. install (or unpack) and run --------------------------------------------------------------
# A PNG check without image tools: signature, IHDR size, and enough bytes to hold a real picture
# (a blank 1360x860 window compresses to a few kB; a rendered one is hundreds of kB).
check_png() {
    local png="$1"
    [ -f "$png" ] || fail "no screenshot at $png"
    [ "$(head -c 8 "$png" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
        fail "$png is not a PNG"
    local width height bytes
    width=$((16#$(od -An -tx1 -j16 -N4 "$png" | tr -d ' \n')))
    height=$((16#$(od -An -tx1 -j20 -N4 "$png" | tr -d ' \n')))
    bytes=$(stat -c %s "$png")
    if [ "$width" -lt 800 ] || [ "$height" -lt 600 ]; then
        fail "screenshot is only ${width}x$height"
    fi
    [ "$bytes" -ge 50000 ] || fail "screenshot is suspiciously small ($bytes bytes): blank window?"
    note "screenshot ${width}x$height, $bytes bytes"
}

# Runs the installed (or unpacked) programs; $1 is the folder holding them.
run_programs() {
    local bin="$1"
    local out
    out="$("$bin/graphace" --version)" || fail "$bin/graphace --version failed"
    [ "$out" = "graphace $version" ] || fail "graphace --version printed '$out', not 'graphace $version'"
    "$bin/graphace" info --help >/dev/null || fail "$bin/graphace info --help failed"
    note "$bin/graphace --version: $out"
    # train and predict run in graphace-gcn (libexec), found from graphace's own location.
    local help
    help="$("$bin/graphace" predict --help)" || fail "$bin/graphace predict --help failed"
    grep -q -- "--model" <<<"$help" || fail "graphace predict --help did not reach graphace-gcn: $help"
    ! ldd "$bin/graphace" | grep -q libtorch || fail "$bin/graphace links LibTorch"
    note "$bin/graphace predict --help: answered by graphace-gcn; graphace itself links no LibTorch"
    [ "$gui" = ON ] || return 0

    # A private settings folder: the run leaves nothing in the user's.
    export XDG_CONFIG_HOME="$work/config" XDG_DATA_HOME="$work/data" XDG_RUNTIME_DIR="$work/runtime"
    mkdir -p "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR"
    chmod 700 "$XDG_RUNTIME_DIR"
    local display=()
    if [ -z "${DISPLAY:-}" ]; then
        command -v xvfb-run >/dev/null || fail "no DISPLAY and no xvfb-run (apt-get install xvfb)"
        display=(xvfb-run -a)
    fi
    # --version needs no display (answered before the GUI starts).
    out="$(env -u DISPLAY -u WAYLAND_DISPLAY "$bin/graphace-studio" --version)" ||
        fail "$bin/graphace-studio --version failed"
    [ "$out" = "GraphACE Studio $version" ] ||
        fail "graphace-studio --version printed '$out', not 'GraphACE Studio $version'"
    note "$bin/graphace-studio --version: $out"
    "${display[@]}" "$bin/graphace-studio" --screenshot "$work/studio.png" >"$work/studio.log" 2>&1 ||
        { cat "$work/studio.log" >&2; fail "$bin/graphace-studio --screenshot failed (log above)"; }
    check_png "$work/studio.png"
    # The window loads LibTorch on demand, from graphace-network.so found beside itself.
    ! ldd "$bin/graphace-studio" | grep -q libtorch ||
        fail "$bin/graphace-studio links LibTorch (it should load the network on demand)"
    "${display[@]}" "$bin/graphace-studio" --tab training --train --set optimiser.phases.0.epochs=2 \
        --screenshot "$work/trained.png" >"$work/trained.log" 2>&1 ||
        { cat "$work/trained.log" >&2; fail "training in $bin/graphace-studio failed (log above)"; }
    check_png "$work/trained.png"
    note "$bin/graphace-studio links no LibTorch; trained 2 epochs through graphace-network.so"
}

if [ "$(id -u)" = 0 ] && [ "${GRAPHACE_PACKAGE_INSTALL:-1}" != 0 ] && command -v apt-get >/dev/null; then
    if dpkg-query -W -f='${Status}' graphace 2>/dev/null | grep -q "install ok installed"; then
        fail "a graphace package is already installed; remove it first (this test removes what it installs)"
    fi
    [ ! -e /usr/bin/graphace ] || fail "/usr/bin/graphace exists but belongs to no graphace package"
    note "apt-get install $(basename "$deb") (root: a real install)"
    installed=1
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$deb" \
        >"$work/apt.log" 2>&1; then
        cat "$work/apt.log" >&2
        fail "apt-get install failed (log above)"
    fi
    [ "$(command -v graphace)" = /usr/bin/graphace ] || fail "graphace is not on PATH at /usr/bin"
    if [ "$gui" = ON ]; then
        [ -x /usr/bin/graphace-studio ] || fail "/usr/bin/graphace-studio not installed"
    fi
    run_programs /usr/bin
    DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq graphace >"$work/apt.log" 2>&1 ||
        { cat "$work/apt.log" >&2; fail "apt-get remove graphace failed"; }
    installed=0
    [ ! -e /usr/bin/graphace ] || fail "/usr/bin/graphace is still there after apt-get remove"
    note "installed, ran and removed the package"
else
    note "unpacking into a throwaway root (not root, or GRAPHACE_PACKAGE_INSTALL=0)"
    dpkg-deb -x "$deb" "$work/root"
    run_programs "$work/root/usr/bin"
fi
note "OK"
