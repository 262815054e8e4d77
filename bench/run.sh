#!/usr/bin/env bash
# `npm run bench`: hephy-builder's benchmarks, measured side by side in one run (see
# docs/benchmarks.md for the method and bench/bench.mjs for what is timed).
#
#   bench/run.sh [--n N] [--only a,b,c,d,f] [--registry HOST:PORT]
#
# Installs the tools it needs (scripts/install-tools.sh), bundles dist/ and the bench's leg
# runner, starts a throwaway registry unless --registry is given (or BENCH_REGISTRY is set),
# pushes hephy's base images and an offline Go builder image (bench/go-base-image.sh), builds the
# Kaniko executor image, then prints a table of medians and ratios. Results also go to
# .hephy/bench/results.json. Takes about 5 minutes with N=5 on 2 cores.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
cd "$ROOT"

n="${BENCH_N:-5}" only="a,b,c,d,f" reg="${BENCH_REGISTRY:-}"
while [ $# -gt 0 ]; do
  case "$1" in
    --n) n="${2:?}"; shift 2 ;;
    --only) only="${2:?}"; shift 2 ;;
    --registry) reg="${2:?}"; shift 2 ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument $1" >&2; exit 2 ;;
  esac
done

say() { printf 'bench: %s\n' "$*" >&2; }

say "tools (scripts/install-tools.sh)..."
bash scripts/install-tools.sh --only apt,binfmt,containers-conf,ko,crane,buildx,kaniko,cosign,syft >&2
# shellcheck source-path=SCRIPTDIR source=../scripts/env.sh
. scripts/env.sh

say "bundling dist/ (npm run build) and the bench leg runner (ncc)..."
npm run --silent build >&2
mkdir -p .hephy/bench
npx ncc build bench/leg.ts -o .hephy/bench/leg -q >&2

if [ -z "$reg" ]; then
  reg="$(bash scripts/registry.sh start | tail -n 1)"
  trap 'bash scripts/registry.sh stop "$reg" >/dev/null 2>&1 || true' EXIT
  say "throwaway registry $reg"
fi
say "base images, Go builder image, Kaniko executor image..."
bases="$(bash scripts/base-images.sh "$reg")"
busybox="$(printf '%s\n' "$bases" | grep '/hephy/busybox:' | sed 's/@sha256:.*//')"
static="$(printf '%s\n' "$bases" | grep '/hephy/static:' | sed 's/@sha256:.*//')"
go_image="$(bash bench/go-base-image.sh "$reg" | tail -n 1)"
kaniko="$(bash scripts/kaniko-image.sh | tail -n 1)"

node bench/bench.mjs --registry "$reg" --busybox "$busybox" --static "$static" --go-image "$go_image" \
  --kaniko-image "$kaniko" --leg-bundle .hephy/bench/leg/index.js --n "$n" --only "$only" \
  --json .hephy/bench/results.json
