#!/usr/bin/env bash
# Every test of hephy-builder, on a fresh machine too: installs what it needs (npm packages,
# Debian packages, the pinned Go-built tools), then checks types, the committed dist/ bundles,
# the unit tests and the end-to-end tests against real tools. Ends with "N passed, N failed".
#
#   bash scripts/test.sh            # everything (what CI runs)
#   bash scripts/test.sh --unit     # types, dist and unit tests only (no tools needed)
set -uo pipefail
cd "$(dirname "$0")/.."
ONLY_UNIT=0
[ "${1:-}" = "--unit" ] && ONLY_UNIT=1

step() { printf '\n== %s\n' "$*"; }
fail() { printf 'test.sh: %s\n' "$*" >&2; exit 1; }

step "npm dependencies"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund || fail "npm ci failed"
fi

if [ "$ONLY_UNIT" = 0 ]; then
  step "tools (apt packages and pinned Go-built tools; the first run builds them from source)"
  bash scripts/install-tools.sh || fail "scripts/install-tools.sh failed"
fi
# shellcheck source=env.sh
. scripts/env.sh

step "types"
npx tsc --noEmit || fail "type errors"

step "lint (ESLint and Prettier)"
npm run -s lint || fail "lint problems: fix them (npm run format fixes the formatting)"

step "dist/ matches the sources"
bash scripts/check-dist.sh || fail "dist/ is stale: run npm run build and commit dist/"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT
export NODE_OPTIONS=--experimental-vm-modules

step "unit tests"
npx jest --selectProjects unit --json --outputFile="$results/unit.json" 2>&1 | tail -n 40
unit_rc=${PIPESTATUS[0]}

e2e_rc=0
if [ "$ONLY_UNIT" = 0 ]; then
  step "end-to-end tests (registry, buildkitd, ko, Kaniko, imagetools, act)"
  npx jest --selectProjects e2e --runInBand --json --outputFile="$results/e2e.json" 2>&1 | tail -n 60
  e2e_rc=${PIPESTATUS[0]}
fi

node -e '
  const fs = require("fs");
  let passed = 0, failed = 0;
  for (const f of process.argv.slice(1)) {
    if (!fs.existsSync(f)) { failed += 1; console.log(`no results in ${f}: the runner crashed`); continue; }
    const r = JSON.parse(fs.readFileSync(f, "utf8"));
    passed += r.numPassedTests;
    failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
    // The tail of the jest output above may not reach every failure: name each one here.
    for (const suite of r.testResults) {
      const file = require("path").relative(process.cwd(), suite.name);
      const tests = suite.assertionResults.filter((t) => t.status === "failed");
      for (const t of tests) console.log(`FAILED ${file}: ${t.fullName}: ${(t.failureMessages[0] || "").split("\n")[0].slice(0, 300)}`);
      if (suite.status === "failed" && tests.length === 0) console.log(`FAILED ${file}: ${(suite.message || "").split("\n").find((l) => l.trim()) || "suite failed"}`);
    }
  }
  console.log(`\n${passed} passed, ${failed} failed`);
' "$results/unit.json" $([ "$ONLY_UNIT" = 0 ] && echo "$results/e2e.json")

[ "$unit_rc" = 0 ] && [ "$e2e_rc" = 0 ]
