#!/usr/bin/env bash
# A throwaway OCI registry (Debian's docker-registry, distribution 2.8) on 127.0.0.1.
#
#   scripts/registry.sh start [--port N] [--htpasswd USER:PASS] [--state-dir DIR]
#       prints HOST:PORT on stdout once /v2/ answers; state (config, pid, log, storage)
#       in DIR (default ${TMPDIR:-/tmp}/hephy-registry-PORT). Deleting manifests is enabled.
#   scripts/registry.sh stop DIR|HOST:PORT|PORT [--keep]   stop it and remove its state dir
#   scripts/registry.sh status DIR|HOST:PORT|PORT          exit 0 if it runs
#
# Plain http: ko, crane, buildx imagetools, skopeo (--tls-verify=false) and kaniko
# (--insecure) all accept 127.0.0.1:PORT / localhost:PORT over http.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

state_dir_of() {
  case "$1" in
    */*) printf '%s\n' "$1" ;;
    *:*) printf '%s/hephy-registry-%s\n' "${TMPDIR:-/tmp}" "${1##*:}" ;;
    *[!0-9]*|'') hephy_die "not a state dir, HOST:PORT or PORT: $1" ;;
    *) printf '%s/hephy-registry-%s\n' "${TMPDIR:-/tmp}" "$1" ;;
  esac
}

write_config() { # dir port auth(0|1)
  local dir="$1" port="$2" auth="$3"
  {
    echo "version: 0.1"
    echo "log:"
    echo "  level: error"
    echo "  accesslog:"
    echo "    disabled: true"
    echo "storage:"
    echo "  filesystem:"
    echo "    rootdirectory: $dir/data"
    echo "  delete:"
    echo "    enabled: true"
    echo "  maintenance:"
    echo "    uploadpurging:"
    echo "      enabled: false"
    echo "http:"
    echo "  addr: 127.0.0.1:$port"
    echo "  headers:"
    echo "    X-Content-Type-Options: [nosniff]"
    if [ "$auth" = 1 ]; then
      echo "auth:"
      echo "  htpasswd:"
      echo "    realm: hephy-registry"
      echo "    path: $dir/htpasswd"
    fi
  } >"$dir/config.yml"
}

cmd_start() {
  local port="" creds="" dir_opt="" tries=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="${2:?}"; shift 2 ;;
      --htpasswd) creds="${2:?}"; shift 2 ;;
      --state-dir) dir_opt="${2:?}"; shift 2 ;;
      *) usage >&2; exit 2 ;;
    esac
  done
  "$HERE/install-tools.sh" --only apt
  if [ -n "$creds" ]; then
    case "$creds" in *:*) ;; *) hephy_die "--htpasswd wants USER:PASS" ;; esac
  fi
  while :; do
    tries=$((tries + 1))
    local p="${port:-$(hephy_free_port)}"
    local dir="${dir_opt:-$(state_dir_of "$p")}"
    if [ -f "$dir/pid" ] && hephy_pid_alive "$(cat "$dir/pid")"; then
      hephy_die "a registry already runs with state dir $dir (stop it first)"
    fi
    rm -rf "$dir"
    mkdir -p "$dir/data"
    if [ -n "$creds" ]; then
      # distribution only accepts bcrypt entries.
      htpasswd -Bbn "${creds%%:*}" "${creds#*:}" >"$dir/htpasswd" 2>/dev/null
      touch "$dir/auth"
    fi
    write_config "$dir" "$p" "$([ -n "$creds" ] && echo 1 || echo 0)"
    setsid docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 </dev/null &
    local pid=$!
    echo "$pid" >"$dir/pid"
    echo "127.0.0.1:$p" >"$dir/hostport"
    local i=0
    while [ $i -lt 100 ]; do
      if ! hephy_pid_alive "$pid"; then break; fi
      if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$p/v2/"; then
        echo "127.0.0.1:$p"
        return 0
      fi
      sleep 0.1
      i=$((i + 1))
    done
    kill "$pid" 2>/dev/null || true
    if [ -z "$port" ] && [ "$tries" -lt 3 ]; then continue; fi
    cat "$dir/registry.log" >&2 || true
    hephy_die "registry did not answer on 127.0.0.1:$p (state dir $dir)"
  done
}

cmd_stop() {
  local target="${1:-}" keep=0
  [ -n "$target" ] || { usage >&2; exit 2; }
  [ "${2:-}" = --keep ] && keep=1
  local dir
  dir="$(state_dir_of "$target")"
  [ -d "$dir" ] || return 0
  if [ -f "$dir/pid" ]; then
    local pid
    pid="$(cat "$dir/pid")"
    if hephy_pid_alive "$pid" && grep -q docker-registry "/proc/$pid/cmdline" 2>/dev/null; then
      kill "$pid" 2>/dev/null || true
      local i=0
      while hephy_pid_alive "$pid" && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
      if hephy_pid_alive "$pid"; then kill -9 "$pid" 2>/dev/null || true; fi
    fi
    rm -f "$dir/pid"
  fi
  [ "$keep" = 1 ] || rm -rf "$dir"
}

cmd_status() {
  local dir
  dir="$(state_dir_of "${1:?}")"
  [ -f "$dir/pid" ] && hephy_pid_alive "$(cat "$dir/pid")" && cat "$dir/hostport"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  status) shift; cmd_status "$@" ;;
  -h|--help) usage ;;
  *) usage >&2; exit 2 ;;
esac
