# shellcheck shell=bash
# Shared helpers for hephy-builder's dev scripts. Source it; do not run it.

HEPHY_TOOLS_DIR="${HEPHY_TOOLS_DIR:-$HOME/.local/hephy-builder}"
HEPHY_BIN="$HEPHY_TOOLS_DIR/bin"
# shellcheck disable=SC2034 # used by install-tools.sh
HEPHY_STAMPS="$HEPHY_TOOLS_DIR/stamps"
# Where start/stop scripts keep their state (pid files, configs, storage).
HEPHY_RUN_DIR="${HEPHY_RUN_DIR:-$HEPHY_TOOLS_DIR/run}"
export HEPHY_TOOLS_DIR

# Go lives in /usr/local/go on the machines of this project.
case ":$PATH:" in *":/usr/local/go/bin:"*) ;; *) [ -d /usr/local/go/bin ] && PATH="/usr/local/go/bin:$PATH" ;; esac
case ":$PATH:" in *":$HEPHY_BIN:"*) ;; *) PATH="$HEPHY_BIN:$PATH" ;; esac
export PATH
export CONTAINERS_CONF="${CONTAINERS_CONF:-$HEPHY_TOOLS_DIR/containers.conf}"

hephy_log() { printf 'hephy: %s\n' "$*" >&2; }
hephy_die() { printf 'hephy: error: %s\n' "$*" >&2; exit 1; }

# Run a command quietly; print its output only if it fails.
hephy_quiet() {
  local out rc=0
  out="$(mktemp)"
  "$@" >"$out" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ]; then
    printf 'hephy: command failed (exit %s): %s\n' "$rc" "$*" >&2
    tail -n 60 "$out" >&2
  fi
  rm -f "$out"
  return "$rc"
}

# A free TCP port on 127.0.0.1 (asks the kernel for one).
hephy_free_port() {
  python3 - <<'EOF'
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()
EOF
}

# Wait until a URL answers (any HTTP status); $1=url $2=timeout seconds.
hephy_wait_http() {
  local url="$1" t="${2:-30}" i=0
  while [ "$i" -lt $((t * 10)) ]; do
    if curl -s -o /dev/null --max-time 1 "$url"; then return 0; fi
    sleep 0.1
    i=$((i + 1))
  done
  return 1
}

# hephy_lock FD FILE WHAT: hold an exclusive lock on FILE through FD until the script exits, so
# that two runs at once take turns writing shared files (say so when waiting for the other).
hephy_lock() {
  local fd="$1" file="$2" what="$3"
  mkdir -p "$(dirname "$file")"
  eval "exec $fd>\"\$file\""
  if ! flock -n "$fd"; then
    hephy_log "waiting for another $what..."
    flock "$fd"
  fi
}

hephy_pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
