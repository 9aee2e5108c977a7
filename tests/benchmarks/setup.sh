#!/usr/bin/env bash
# Installs, from npm, into tests/benchmarks/peers/installed/ (ignored by git): the two peers that bench_peers.py draws
# next to the tool, and the Lighthouse CLI that bench_lighthouse.py runs. Safe to run again: it does nothing when the
# pinned versions are already there. It runs no package scripts and downloads no browser; the benchmarks use the
# system's Chromium.
#
#   bash tests/benchmarks/setup.sh
set -euo pipefail

VIS_TIMELINE="vis-timeline@8.5.4"             # the current release (npm view vis-timeline version)
TIMELINEJS="@knight-lab/timelinejs@3.9.11"    # the current TimelineJS3 (npm view @knight-lab/timelinejs version)
# The current release (npm view lighthouse version). It declares node >= 22.19 but runs on Debian's node 20; npm
# only warns (EBADENGINE).
LIGHTHOUSE="lighthouse@13.5.0"
PINNED=("$VIS_TIMELINE" "$TIMELINEJS" "$LIGHTHOUSE")

prefix="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/peers/installed"

for tool in npm node; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        echo "setup.sh: needs $tool to install the pinned packages (Debian: apt-get install -y npm)" >&2
        exit 1
    fi
done

installed() {  # installed NAME@VERSION: true when exactly that version is in the prefix
    local name="${1%@*}" version="${1##*@}" manifest
    manifest="$prefix/node_modules/$name/package.json"
    [[ -f "$manifest" ]] && [[ "$(node -p "require(process.argv[1]).version" "$manifest")" == "$version" ]]
}

all_installed() {
    local package
    for package in "${PINNED[@]}"; do
        installed "$package" || return 1
    done
}

if all_installed; then
    echo "setup.sh: ${PINNED[*]} are already in $prefix"
    exit 0
fi

mkdir -p "$prefix"
# --legacy-peer-deps: vis-timeline's standalone build bundles its peer dependencies, so they are not installed.
npm install --prefix "$prefix" --save-exact --ignore-scripts --legacy-peer-deps --no-audit --no-fund \
    "${PINNED[@]}"
all_installed || { echo "setup.sh: npm did not install the pinned versions" >&2; exit 1; }
echo "setup.sh: installed ${PINNED[*]} in $prefix"
