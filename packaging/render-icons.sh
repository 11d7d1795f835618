#!/usr/bin/env bash
# Regenerates resources/icons/graphace-studio-<size>.png from resources/graphace.svg.
# Run after editing the SVG, then commit the PNGs (the package build does not render them).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake -S "$root/packaging/render-icons" -B "$work" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$work" >/dev/null
mkdir -p "$root/resources/icons"
QT_QPA_PLATFORM=offscreen "$work/render_icons" "$root/resources/graphace.svg" "$root/resources/icons"
