#!/usr/bin/env bash
# dist/ is what the action and the CLI run: it must be exactly what `npm run build` makes from
# the sources. Builds into a temp dir and compares, so the working tree is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bash scripts/build.sh "$out" >/dev/null
if ! diff -r -q dist "$out" >/dev/null; then
  diff -r -q dist "$out" >&2 || true
  echo "dist/ differs from a fresh build: run \`npm run build\` and commit dist/" >&2
  exit 1
fi
echo "dist/ is up to date"
