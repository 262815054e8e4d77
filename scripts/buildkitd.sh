#!/usr/bin/env bash
# A standalone buildkitd (OCI/runc worker) on 127.0.0.1 and a buildx builder "hephy" on it.
#
#   scripts/buildkitd.sh start REGISTRY_HOSTPORT[,HOSTPORT...] [--port N] [--use] [--name NAME]
#       prints the buildkitd address (tcp://127.0.0.1:PORT) on stdout once
#       `docker buildx inspect --bootstrap NAME` works. Each registry (and its localhost /
#       127.0.0.1 twin) is marked `http = true, insecure = true` in buildkitd.toml.
#   scripts/buildkitd.sh ensure [REGISTRY_HOSTPORT,...] [--name NAME]
#       the same, unless it already runs: then it is reused as it is (never restarted, so builds
#       on it go on) and its address printed. Loopback registries need no entry (see below).
#   scripts/buildkitd.sh stop [--name NAME] [--purge]   stop it, remove the builder
#                                                       (--purge: drop its cache too)
#   scripts/buildkitd.sh status [--name NAME]           print the address if it runs
#
# NAME (default hephy) is the buildx builder's name; one buildkitd per NAME. start, ensure and
# stop of one NAME take turns (a lock file), so two callers at once get one buildkitd.
# BuildKit speaks plain http to loopback registries (127.0.0.1:*, localhost:*, [::1]:*) without an
# entry: moby/buildkit v0.32.2 util/resolver/resolver.go, NewRegistryConfig ->
# docker.WithPlainHTTP(docker.MatchLocalhost).
# State (config, pid, log, sockets): ${TMPDIR:-/tmp}/hephy-buildkitd-NAME.
# Cache (buildkitd root, kept between runs): $HEPHY_TOOLS_DIR/buildkitd-root-NAME.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"

set_name() {
  case "$1" in ''|*[!a-zA-Z0-9_-]*) hephy_die "bad builder name '$1'" ;; esac
  NAME="$1"
  STATE="${TMPDIR:-/tmp}/hephy-buildkitd-$NAME"
  ROOT="$HEPHY_TOOLS_DIR/buildkitd-root-$NAME"
}
set_name hephy

usage() { sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; }

running_pid() {
  local pid
  [ -f "$STATE/pid" ] || return 1
  pid="$(cat "$STATE/pid")"
  hephy_pid_alive "$pid" && grep -q buildkitd "/proc/$pid/cmdline" 2>/dev/null && echo "$pid"
}

# Holds NAME's lock until the script exits. Kept outside STATE, which start and stop remove.
lock() { hephy_lock 9 "${TMPDIR:-/tmp}/hephy-buildkitd-$NAME.lock" "scripts/buildkitd.sh for '$NAME'"; }

cmd_start() {
  local regs="" port="" use=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="${2:?}"; shift 2 ;;
      --use) use=1; shift ;;
      --name) set_name "${2:?}"; shift 2 ;;
      -*) usage >&2; exit 2 ;;
      *) regs="$1"; shift ;;
    esac
  done
  [ -n "$regs" ] || { usage >&2; exit 2; }
  lock
  "$HERE/install-tools.sh" --only apt,binfmt,buildkit,buildx
  if running_pid >/dev/null; then
    hephy_die "buildkitd '$NAME' already runs ($(cat "$STATE/addr")); run: $0 stop --name $NAME"
  fi
  launch "$regs" "$port" "$use"
}

cmd_ensure() {
  local regs=""
  while [ $# -gt 0 ]; do
    case "$1" in
      --name) set_name "${2:?}"; shift 2 ;;
      -*) usage >&2; exit 2 ;;
      *) regs="$1"; shift ;;
    esac
  done
  lock
  "$HERE/install-tools.sh" --only apt,binfmt,buildkit,buildx
  if running_pid >/dev/null; then
    ensure_builder "$(cat "$STATE/addr")"
    cat "$STATE/addr"
    return 0
  fi
  launch "$regs" "" 0
}

# The buildx builder NAME points at addr: created when missing or pointing elsewhere, else left
# alone (removing it would fail the builds using it).
ensure_builder() {
  local addr="$1"
  if docker buildx inspect "$NAME" 2>/dev/null | grep -Eq "^Endpoint:[[:space:]]+$addr\$"; then return 0; fi
  docker buildx rm "$NAME" >/dev/null 2>&1 || true
  hephy_quiet docker buildx create --name "$NAME" --driver remote "$addr"
  hephy_quiet docker buildx inspect --bootstrap "$NAME"
}

# launch REGS PORT USE: start buildkitd NAME and its builder (the lock held, none running).
launch() {
  local regs="$1" port="$2" use="$3" builder="$NAME"
  port="${port:-$(hephy_free_port)}"
  rm -rf "$STATE"
  mkdir -p "$STATE" "$ROOT"
  local addr="tcp://127.0.0.1:$port"
  {
    echo "# Written by hephy-builder scripts/buildkitd.sh"
    echo "root = \"$ROOT\""
    echo "[grpc]"
    echo "  address = [\"unix://$STATE/buildkitd.sock\", \"$addr\"]"
    echo "[worker.oci]"
    echo "  enabled = true"
    echo "  snapshotter = \"overlayfs\""
    echo "  gc = true"
    echo "  gckeepstorage = \"10GB\""
    echo "[worker.containerd]"
    echo "  enabled = false"
    local r hp seen=" "
    for r in ${regs//,/ }; do
      local p="${r##*:}"
      for hp in "$r" "127.0.0.1:$p" "localhost:$p"; do
        case "$seen" in *" $hp "*) continue ;; esac
        seen="$seen$hp "
        echo "[registry.\"$hp\"]"
        echo "  http = true"
        echo "  insecure = true"
      done
    done
  } >"$STATE/buildkitd.toml"
  # 9>&-: the daemon must not hold the lock after this script exits.
  setsid buildkitd --config "$STATE/buildkitd.toml" >"$STATE/buildkitd.log" 2>&1 </dev/null 9>&- &
  echo $! >"$STATE/pid"
  echo "$addr" >"$STATE/addr"
  echo "$builder" >"$STATE/builder"
  local i=0
  until buildctl --addr "unix://$STATE/buildkitd.sock" debug workers >/dev/null 2>&1; do
    if ! running_pid >/dev/null || [ $i -ge 300 ]; then
      tail -n 30 "$STATE/buildkitd.log" >&2 || true
      hephy_die "buildkitd did not start (log: $STATE/buildkitd.log)"
    fi
    sleep 0.1
    i=$((i + 1))
  done
  local plats
  plats="$(buildctl --addr "unix://$STATE/buildkitd.sock" debug workers --format '{{range .}}{{range .Platforms}}{{.OS}}/{{.Architecture}} {{end}}{{end}}')"
  case " $plats " in
    *" linux/arm64 "*) ;;
    *) hephy_log "warning: buildkitd worker platforms are '$plats' (no linux/arm64: is qemu-aarch64 registered?)" ;;
  esac
  docker buildx rm "$builder" >/dev/null 2>&1 || true
  local -a create=(buildx create --name "$builder" --driver remote)
  [ "$use" = 1 ] && create+=(--use)
  hephy_quiet docker "${create[@]}" "$addr"
  hephy_quiet docker buildx inspect --bootstrap "$builder"
  echo "$addr"
}

cmd_stop() {
  local purge=0 pid
  while [ $# -gt 0 ]; do
    case "$1" in
      --purge) purge=1; shift ;;
      --name) set_name "${2:?}"; shift 2 ;;
      *) usage >&2; exit 2 ;;
    esac
  done
  lock
  if [ -f "$STATE/builder" ]; then
    docker buildx rm "$(cat "$STATE/builder")" >/dev/null 2>&1 || true
  fi
  if pid="$(running_pid)"; then
    kill "$pid" 2>/dev/null || true
    local i=0
    while hephy_pid_alive "$pid" && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    if hephy_pid_alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
  fi
  rm -rf "$STATE"
  if [ "$purge" = 1 ] && [ -d "$ROOT" ]; then
    # Leftover overlay mounts (after a kill -9) would make rm fail.
    # (grep finding none exits 1: under pipefail that ended the script before the rm.)
    { grep -o " ${ROOT}[^ ]*" /proc/mounts || true; } | sort -r | while read -r m; do umount "$m" 2>/dev/null || true; done
    rm -rf "$ROOT"
  fi
}

cmd_status() {
  [ "${1:-}" = --name ] && set_name "${2:?}"
  running_pid >/dev/null && cat "$STATE/addr"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  ensure) shift; cmd_ensure "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  -h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
