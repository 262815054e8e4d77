#!/usr/bin/env bash
# Makes the leg records behind docs/summary-example.md, for real: ten default-branch runs of the
# example apps build each leg's history, then a "pull request" run changes three things and is
# compared with it, as the merge job of a pull request would be.
#
#   bash scripts/summary-example.sh [--runs N] [--registry HOST:PORT] [--work DIR] [--pr-only]
#
# --pr-only repeats only the pull-request run, against the history and registry of an earlier
# call (pass its --work and --registry; a failed call leaves its registry running for this).
#
# The pull request: kaniko-app gains a RUN step writing 3 MB of random bytes (a size jump, with
# its largest new layer), buildkit-cache gains a RUN step that takes a minute (a real time
# regression among legs whose times vary from run to run), and a new app `web` whose arm64 leg
# fails (a failed image, with its cause). Writes test/fixtures/summary/{report,context}.json
# with the registry address replaced by registry.example.com/team; then
#   UPDATE_DOCS=1 npx jest test/core/report/docsExample.test.ts   (docs/summary-example.md)
#   node scripts/render-timeline.mjs                               (its picture)
# About 12 minutes on 2 cores.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"

runs=10
registry=''
work=''
pr_only=''
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs="$2"; shift 2 ;;
    --registry) registry="$2"; shift 2 ;;
    --work) work="$2"; shift 2 ;;
    --pr-only) pr_only=1; shift ;;
    *) hephy_die "unknown argument: $1 (see the top of $0)" ;;
  esac
done
work="${work:-$(mktemp -d "${TMPDIR:-/tmp}/hephy-summary-example-XXXXXX")}"
mkdir -p "$work"
started_registry=''
if [ -z "$registry" ]; then
  [ -z "$pr_only" ] || hephy_die "--pr-only needs the --registry and --work of the earlier call"
  registry="$(bash "$HERE/registry.sh" start --state-dir "$work/registry")"
  started_registry=1
fi
cleanup() {
  local rc=$?
  [ -n "$started_registry" ] || return 0
  if [ "$rc" -eq 0 ]; then
    bash "$HERE/registry.sh" stop "$work/registry" >/dev/null 2>&1 || true
  else
    hephy_log "registry $registry left running for --pr-only; stop it with: bash $HERE/registry.sh stop $work/registry"
  fi
}
trap cleanup EXIT
hephy_log "registry $registry, work dir $work"

repo="$work/repo"
git_() { git -C "$repo" -c user.name=hephy -c user.email=hephy@example.com "$@"; }
cli() { node "$ROOT/bin/hephy-builder.js" "$@"; }
if [ -z "$pr_only" ]; then
  bash "$HERE/base-images.sh" "$registry" >/dev/null
  rm -rf "$repo" && mkdir -p "$repo"
  for app in buildkit-cache go-hello go-nocfg kaniko-app nested; do cp -r "$ROOT/examples/$app" "$repo/"; done
  git_ init -q -b main && git_ add -A && git_ commit -qm 'the example apps'
  for i in $(seq 1 "$runs"); do
    git_ commit -q --allow-empty -m "default-branch run $i"
    hephy_log "default-branch run $i of $runs"
    cli run --root "$repo" --registry "$registry" --out "$work/main-$i" --save-history "$work/history.json" >"$work/main-$i.log" 2>&1 ||
      hephy_die "run $i failed: see $work/main-$i.log"
  done
fi

git_ checkout -q main
git_ branch -D pull-request >/dev/null 2>&1 || true
git_ checkout -q -b pull-request
cat >>"$repo/kaniko-app/Dockerfile" <<'EOF'
# The pull request: a 3 MB payload (random bytes do not compress).
RUN head -c 3000000 /dev/urandom > /payload.bin
EOF
cat >>"$repo/buildkit-cache/Dockerfile" <<'EOF'
# The pull request: a step that now takes a minute.
RUN sleep 60
EOF
mkdir -p "$repo/web"
cat >"$repo/web/Dockerfile" <<'EOF'
ARG BASE_IMAGE
FROM ${BASE_IMAGE}
RUN test "$(uname -m)" != aarch64 || { echo "web: the arm64 toolchain is missing" >&2; exit 3; }
COPY index.html /srv/index.html
EOF
echo '<h1>web</h1>' >"$repo/web/index.html"
cat >"$repo/web/build-config.yaml" <<'EOF'
use_local_context: true
build_backend: kaniko
build_args:
  - BASE_IMAGE=${BASE_IMAGE}
EOF
git_ add -A && git_ commit -qm 'the pull request'
hephy_log "pull-request run"
# Exit 1: web fails on arm64, on purpose. A second try when something else failed (a tool
# another checkout was rebuilding at the same moment, say).
for try in 1 2; do
  rm -rf "$work/pr"
  cli run --root "$repo" --registry "$registry" --out "$work/pr" --history "$work/history.json" >"$work/pr.log" 2>&1 || true
  if grep -q 'FAILED web' "$work/pr.log" && [ "$(grep -c '^FAILED ' "$work/pr.log")" -eq 1 ]; then break; fi
  [ "$try" -eq 1 ] || hephy_die "the pull-request run did not go as planned: see $work/pr.log"
  hephy_log "the pull-request run did not go as planned (see $work/pr.log); trying once more"
done

fixtures="$ROOT/test/fixtures/summary"
mkdir -p "$fixtures"
anonymise() { sed -e "s#$registry/hephy/#registry.example.com/team/#g" -e "s#$registry#registry.example.com#g"; }
anonymise <"$work/pr/report.json" >"$fixtures/report.json"
anonymise <"$work/pr/summary-context.json" >"$fixtures/context.json"
hephy_log "wrote $fixtures/report.json and context.json; the runs' output stays in $work"
