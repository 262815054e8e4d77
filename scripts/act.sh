#!/usr/bin/env bash
# Runs nektos/act (pinned, from scripts/install-tools.sh) in host mode, offline, with the flags this
# project needs, so a workflow runs here the way it runs on a GitHub runner. See docs/dev/act.md.
#
# usage: scripts/act.sh [--state-dir DIR] [--run-id N] [--] EVENT [ACT ARGS...]
#   --state-dir DIR  artifacts (DIR/artifacts/<run id>/<name>/<name>.zip), caches (DIR/cache) and
#                    act's own action cache and job dirs (DIR/act). Default ${TMPDIR:-/tmp}/hephy-act.
#                    Keep it between runs so a later run restores what an earlier one cached.
#   --run-id N       github.run_id of this run (default: a fresh number). act keys artifacts by run
#                    id, so two runs sharing one would see each other's artifacts.
# Everything else goes to act, e.g.
#   scripts/act.sh push -C REPO -W REPO/.github/workflows/hephy-builder.yml -e push.json --json
#
# What it adds to act's command line (and why):
#   -P ubuntu-latest=-self-hosted -P ubuntu-24.04-arm=-self-hosted
#                        every job runs as a process on this machine (no Docker daemon here);
#                        every runs-on label must map to the same platform (act bug with
#                        runs-on: ${{ matrix.runner }} otherwise).
#   --pull=false --action-offline-mode   never fetch images or actions (no network).
#   --use-gitignore=false                copy ignored files (dist/) into each job's workspace too.
#   --container-daemon-socket -          no Docker socket to mount.
#   --artifact-server-path/-addr/-port   act's artifact server (v4 API) on 127.0.0.1, behind
#                        scripts/lib/act-artifact-proxy.mjs, which fixes what act rejects from
#                        @actions/artifact 6 (ACTIONS_RUNTIME_URL points jobs at the proxy).
#   --cache-server-path/-addr            act's cache server (v1 API only) on 127.0.0.1.
#   --action-cache-path                  act's clones and per-job host dirs under the state dir.
#   --env GITHUB_RUN_ID=N
# The outer environment's ACTIONS_* and GITHUB_* variables are removed first: in host mode act
# passes the whole environment on to every step, and a real runner's token or cache service
# (e.g. when this script itself runs inside GitHub Actions) must not leak into the inner run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
. "$here/lib/common.sh"

state_dir="${TMPDIR:-/tmp}/hephy-act"
run_id=""
while [ $# -gt 0 ]; do
  case "$1" in
    --state-dir) state_dir="${2:?--state-dir needs a directory}"; shift 2 ;;
    --run-id) run_id="${2:?--run-id needs a number}"; shift 2 ;;
    --) shift; break ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || hephy_die "usage: scripts/act.sh [--state-dir DIR] [--run-id N] [--] EVENT [ACT ARGS...]"
case "$run_id" in '') run_id="$(date +%s)$$" ;; *[!0-9]*) hephy_die "--run-id must be a number, got: $run_id" ;; esac

command -v act >/dev/null || hephy_die "act is not installed: run scripts/install-tools.sh --only act"
command -v node >/dev/null || hephy_die "node is not on PATH (act runs node actions with the host's node)"

mkdir -p "$state_dir/artifacts" "$state_dir/cache" "$state_dir/act"
state_dir="$(cd "$state_dir" && pwd)"

for name in $(compgen -e); do
  case "$name" in ACTIONS_*|GITHUB_*|RUNNER_*) unset "$name" ;; esac
done

artifact_port="$(hephy_free_port)"
proxy_out="$(mktemp)"
node "$here/lib/act-artifact-proxy.mjs" 0 "$artifact_port" >"$proxy_out" &
proxy_pid=$!
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
  kill "$proxy_pid" 2>/dev/null || true
  wait "$proxy_pid" 2>/dev/null || true
  rm -f "$proxy_out"
}
trap cleanup EXIT
for _ in $(seq 50); do
  grep -q '^listening ' "$proxy_out" && break
  hephy_pid_alive "$proxy_pid" || hephy_die "the artifact proxy did not start"
  sleep 0.1
done
proxy_addr="$(sed -n 's/^listening //p' "$proxy_out")"
[ -n "$proxy_addr" ] || hephy_die "the artifact proxy did not start within 5 s"

export ACTIONS_RUNTIME_URL="http://$proxy_addr/"
rc=0
act "$@" \
  -P ubuntu-latest=-self-hosted -P ubuntu-24.04-arm=-self-hosted \
  --pull=false --action-offline-mode --use-gitignore=false --container-daemon-socket - \
  --artifact-server-path "$state_dir/artifacts" --artifact-server-addr 127.0.0.1 --artifact-server-port "$artifact_port" \
  --cache-server-path "$state_dir/cache" --cache-server-addr 127.0.0.1 \
  --action-cache-path "$state_dir/act" \
  --env "GITHUB_RUN_ID=$run_id" || rc=$?
exit "$rc"
