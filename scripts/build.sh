#!/usr/bin/env bash
# Bundles the action and the CLI with ncc: scripts/build.sh [OUT_DIR] (default dist).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-dist}"
npx ncc build src/action/main.ts -o "$out/action" --license licenses.txt -q
npx ncc build src/cli/main.ts -o "$out/cli" -q
