#!/usr/bin/env bash
# Installs the Debian 12 packages GraphACE Studio builds against (skips what is already there).
set -euo pipefail

packages=(
    cmake ninja-build g++ pkg-config
    libeigen3-dev nlohmann-json3-dev libcli11-dev zlib1g-dev
    qt6-base-dev qt6-charts-dev qt6-svg-dev libqt6opengl6-dev libvtk9-dev libtorch-dev
    xvfb xauth libgl1-mesa-dri
    dpkg-dev  # dpkg-shlibdeps: the .deb's Depends (scripts/test-package.sh)
    clang libclang-rt-14-dev  # libFuzzer for the fuzz targets (scripts/fuzz.sh)
)

missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
    echo "All build dependencies are installed."
    exit 0
fi

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "Installing: ${missing[*]}"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
