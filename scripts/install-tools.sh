#!/usr/bin/env bash
# Install every tool hephy-builder's dev scripts, tests and CI use, at pinned versions.
#
#   scripts/install-tools.sh                 # everything
#   scripts/install-tools.sh --only ko,buildx
#   scripts/install-tools.sh --list
#
# Idempotent: a re-run with nothing to do takes well under a second. Go tools go to
# $HEPHY_TOOLS_DIR/bin (default ~/.local/hephy-builder/bin), each with a stamp file in
# $HEPHY_TOOLS_DIR/stamps. Afterwards: `source scripts/env.sh`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=lib/common.sh
. "$HERE/lib/common.sh"

APT_PACKAGES=(docker-registry runc podman skopeo qemu-user-static binfmt-support jq
  busybox-static git ca-certificates apache2-utils curl file python3)

# name|binaries|package path|version|ldflags|CGO_ENABLED ("" = go's default)|minutes (first build)
GO_TOOLS=(
  "actionlint|actionlint|github.com/rhysd/actionlint/cmd/actionlint|v1.7.12|||1"
  "ko|ko|github.com/google/ko|v0.19.1|||2"
  "crane|crane|github.com/google/go-containerregistry/cmd/crane|v0.22.1|||1"
  "buildkit|buildkitd buildctl|github.com/moby/buildkit/cmd/buildkitd github.com/moby/buildkit/cmd/buildctl|v0.32.2|||4"
  "buildx|buildx|github.com/docker/buildx/cmd/buildx|v0.36.1|-X github.com/docker/buildx/version.Version=v0.36.1 -X github.com/docker/buildx/version.Package=github.com/docker/buildx||4"
  "kaniko|executor|github.com/chainguard-dev/kaniko/cmd/executor|v1.25.5||0|4"
  "act|act|github.com/nektos/act|v0.2.87|||3"
)
STEPS=(apt binfmt containers-conf actionlint ko crane buildkit buildx kaniko act)

usage() {
  sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'
  echo "steps: ${STEPS[*]}"
}

ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="${2:?--only needs a list}"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; shift ;;
    --list) echo "${STEPS[*]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 2 ;;
  esac
done
if [ -n "$ONLY" ]; then
  for s in ${ONLY//,/ }; do
    case " ${STEPS[*]} " in *" $s "*) ;; *) hephy_die "unknown step '$s' (steps: ${STEPS[*]})" ;; esac
  done
fi
want() { [ -z "$ONLY" ] || case ",$ONLY," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }

[ "$(id -u)" -eq 0 ] || hephy_die "run as root (apt-get, binfmt_misc and podman need it)"
mkdir -p "$HEPHY_BIN" "$HEPHY_STAMPS"

# ---------------------------------------------------------------- apt
install_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  # The docker CLI (client only) is on this project's machines; fall back to Debian's if absent.
  command -v docker >/dev/null 2>&1 || missing+=(docker.io)
  [ ${#missing[@]} -eq 0 ] && return 0
  hephy_log "apt: installing ${missing[*]} (~1 min)..."
  export DEBIAN_FRONTEND=noninteractive
  hephy_quiet apt-get update
  hephy_quiet apt-get install -y "${missing[@]}"
}

# ---------------------------------------------------------------- binfmt
install_binfmt() {
  local f=/proc/sys/fs/binfmt_misc
  if [ ! -e "$f/register" ]; then
    mount -t binfmt_misc binfmt_misc "$f" || hephy_die "cannot mount binfmt_misc on $f"
  fi
  [ -e "$f/status" ] && [ "$(cat "$f/status")" = enabled ] || echo 1 >"$f/status"
  if [ -e "$f/qemu-aarch64" ] && grep -q '^enabled' "$f/qemu-aarch64" \
    && grep -Eq '^flags: .*F' "$f/qemu-aarch64"; then
    return 0
  fi
  hephy_log "binfmt: registering qemu-aarch64 (flags F)..."
  # Registered without F (works only outside containers): drop it first.
  [ -e "$f/qemu-aarch64" ] && echo -1 >"$f/qemu-aarch64"
  hephy_quiet update-binfmts --enable qemu-aarch64 || true
  if ! grep -Eq '^flags: .*F' "$f/qemu-aarch64" 2>/dev/null; then
    # update-binfmts keeps its own state; import the package's spec again and retry.
    hephy_quiet update-binfmts --import qemu-aarch64 || true
    hephy_quiet update-binfmts --enable qemu-aarch64
  fi
  grep -Eq '^flags: .*F' "$f/qemu-aarch64" || hephy_die "qemu-aarch64 is not registered with flag F"
}

# ---------------------------------------------------------------- containers.conf
install_containers_conf() {
  local conf="$HEPHY_TOOLS_DIR/containers.conf" tmp
  tmp="$(mktemp)"
  cat >"$tmp" <<'EOF'
# Written by hephy-builder scripts/install-tools.sh. Use: export CONTAINERS_CONF=<this file>
[containers]
# Without this, runc fails with "error setting rlimit type 7" in this sandbox.
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
  if cmp -s "$tmp" "$conf"; then rm -f "$tmp"; else mv "$tmp" "$conf"; fi
}

# ---------------------------------------------------------------- go tools
# Does $HEPHY_BIN/$1 match package $2 at version $3 with ldflags $4 and CGO_ENABLED $5?
go_binary_matches() {
  local bin="$HEPHY_BIN/$1" info
  [ -x "$bin" ] || return 1
  info="$(go version -m "$bin" 2>/dev/null)" || return 1
  printf '%s\n' "$info" | grep -Eq "^[[:space:]]+path[[:space:]]+$2\$" || return 1
  printf '%s\n' "$info" | grep -Eq "^[[:space:]]+mod[[:space:]]+[^[:space:]]+[[:space:]]+$3([[:space:]]|\$)" || return 1
  if [ -n "$4" ]; then
    printf '%s\n' "$info" | grep -Fq -- "-ldflags=\"$4\"" || return 1
  fi
  if [ -n "$5" ]; then
    printf '%s\n' "$info" | grep -Eq "^[[:space:]]+build[[:space:]]+CGO_ENABLED=$5\$" || return 1
  fi
}

install_go_tool() {
  local name="$1" bins="$2" pkgs="$3" ver="$4" ldflags="$5" cgo="$6" mins="$7"
  local spec="$pkgs@$ver|$ldflags|cgo=$cgo" stamp="$HEPHY_STAMPS/$name" ok=1 b p i
  local -a barr parr
  read -r -a barr <<<"$bins"
  read -r -a parr <<<"$pkgs"
  for b in "${barr[@]}"; do [ -x "$HEPHY_BIN/$b" ] || ok=0; done
  if [ "$ok" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$spec" ]; then return 0; fi
  command -v go >/dev/null 2>&1 || hephy_die "go is needed to build $name (expected in /usr/local/go/bin)"
  # A binary built earlier without a stamp (or by hand) is adopted if its build info matches.
  ok=1
  for i in "${!barr[@]}"; do
    go_binary_matches "${barr[$i]}" "${parr[$i]}" "$ver" "$ldflags" "$cgo" || ok=0
  done
  if [ "$ok" = 0 ]; then
    hephy_log "building $name $ver from source (first use, ~$mins min)..."
    local -a args=(install)
    [ -n "$ldflags" ] && args+=(-ldflags "$ldflags")
    for p in "${parr[@]}"; do args+=("$p@$ver"); done
    if [ -n "$cgo" ]; then
      hephy_quiet env GOBIN="$HEPHY_BIN" GOFLAGS=-buildvcs=false CGO_ENABLED="$cgo" go "${args[@]}"
    else
      hephy_quiet env GOBIN="$HEPHY_BIN" GOFLAGS=-buildvcs=false go "${args[@]}"
    fi
    for i in "${!barr[@]}"; do
      go_binary_matches "${barr[$i]}" "${parr[$i]}" "$ver" "$ldflags" "$cgo" \
        || hephy_die "$name: built ${barr[$i]} does not report $ver"
    done
  fi
  printf '%s' "$spec" >"$stamp"
}

install_buildx_plugin() {
  local dir="${DOCKER_CONFIG:-$HOME/.docker}/cli-plugins"
  mkdir -p "$dir"
  if [ "$(readlink "$dir/docker-buildx" 2>/dev/null)" != "$HEPHY_BIN/buildx" ]; then
    ln -sfn "$HEPHY_BIN/buildx" "$dir/docker-buildx"
  fi
}

want apt && install_apt
want binfmt && install_binfmt
want containers-conf && install_containers_conf
for t in "${GO_TOOLS[@]}"; do
  IFS='|' read -r name bins pkgs ver ldflags cgo mins <<<"$t"
  if want "$name"; then
    install_go_tool "$name" "$bins" "$pkgs" "$ver" "$ldflags" "$cgo" "$mins"
    [ "$name" = buildx ] && install_buildx_plugin
  fi
done
exit 0
