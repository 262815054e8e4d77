#!/usr/bin/env bash
# The main job, locally: build every example app for linux/amd64 and linux/arm64 with its backend
# (ko, Kaniko, BuildKit), push each platform by digest into a throwaway local registry, merge them
# into multi-arch indexes and print the summary. Installs what it needs on first use.
#
#   bash scripts/run-examples.sh [extra `hephy-builder run` options]
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "hephy: installing npm dependencies..."
  npm ci --no-audit --no-fund --loglevel=error
fi
dirs=()
while IFS= read -r dir; do dirs+=("$dir"); done < <(node bin/hephy-builder.js plan --root examples --json |
  node -e 'const p = JSON.parse(require("fs").readFileSync(0, "utf8")); for (const s of p.images) console.log(`${s.dir} ${s.backend}`)' |
  while read -r dir backend; do
    # The Spin CLI is installed on GitHub runners by the action; it cannot be installed here.
    if [ "$backend" = spin ] && ! command -v spin >/dev/null 2>&1; then
      echo "hephy: skipping $dir: the Spin CLI is not installed on this machine" >&2
      continue
    fi
    echo "$dir"
  done)
list=$(IFS=,; echo "${dirs[*]}")
exec node bin/hephy-builder.js run --root examples --dirs "$list" "$@"
