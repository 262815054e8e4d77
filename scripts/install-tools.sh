#!/usr/bin/env bash
# Install every tool hephy-builder's dev scripts, tests and CI use, at pinned versions.
#
#   scripts/install-tools.sh                 # everything
#   scripts/install-tools.sh --only ko,buildx
#   scripts/install-tools.sh --list
#   scripts/install-tools.sh --versions      # the pinned Go tools: name version
#
# The versions come from tool-pins.json (scripts/lib/pins.sh), which the TypeScript reads too.
# Idempotent: a re-run with nothing to do takes well under a second. Go tools go to
# $HEPHY_TOOLS_DIR/bin (default ~/.local/hephy-builder/bin), each with a stamp file in
# $HEPHY_TOOLS_DIR/stamps. Afterwards: `source scripts/env.sh`.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/pins.sh
. "$HERE/lib/pins.sh"

APT_PACKAGES=(docker-registry runc podman skopeo qemu-user-static binfmt-support jq
  busybox-static git ca-certificates apache2-utils curl file python3 shellcheck)

# name|binaries|module|packages (relative to the module)|version|ldflags|CGO_ENABLED|mode|minutes|sum
#   sum: the module's h1: checksum; `go mod download` must report it (the Go checksum database
#     verified the download), and a go-installed binary's build info must carry it.
#   ldflags: @V@ = version, @REV@ = the tag's commit (from the module proxy's origin info).
#   mode install: GOBIN=... go install MODULE/PKG@VERSION.
#   mode src: build inside a copy of the module's source, as its own main module. Needed for
#     buildkit (its go.mod has exclude directives, which `go install M@V` refuses) and for
#     chainguard-dev/kaniko (`go install` fails: the proxy answers 403 to its version list).
#   CGO_ENABLED 0 for kaniko: its executor is copied into a scratch image.
command -v "$HEPHY_NODE" >/dev/null 2>&1 || hephy_die "node is needed to read the tool pins ($HEPHY_PINS)"
PINNED="$(hephy_pins_go)" || hephy_die "cannot read the tool pins ($HEPHY_PINS)"
mapfile -t GO_TOOLS <<<"$PINNED"
STEPS=(apt binfmt containers-conf)
for t in "${GO_TOOLS[@]}"; do STEPS+=("${t%%|*}"); done

usage() {
  sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'
  echo "steps: ${STEPS[*]}"
}

ONLY=""
while [ $# -gt 0 ]; do
  case "$1" in
    --only) ONLY="${2:?--only needs a list}"; shift 2 ;;
    --only=*) ONLY="${1#--only=}"; shift ;;
    --list) echo "${STEPS[*]}"; exit 0 ;;
    --versions)
      for t in "${GO_TOOLS[@]}"; do IFS='|' read -r name _ _ _ ver _ <<<"$t"; echo "$name $ver"; done
      exit 0 ;;
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
# Two runs at once install one at a time (apt, Go builds and stamps are shared).
hephy_lock 8 "$HEPHY_TOOLS_DIR/install-tools.lock" "scripts/install-tools.sh"

# ---------------------------------------------------------------- apt
install_apt() {
  local missing=() p
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
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
pkg_path() { if [ "$2" = . ]; then echo "$1"; else echo "$1/$2"; fi; }

# Does $HEPHY_BIN/$1 come from package $2 at version $3 (mode $4), with the version
# ldflag $5 (first -X of the template, @V@ filled in), CGO_ENABLED $6 and, for go install, the
# module checksum $7?
go_binary_matches() {
  local bin="$HEPHY_BIN/$1" info
  [ -x "$bin" ] || return 1
  info="$(go version -m "$bin" 2>/dev/null)" || return 1
  grep -Eq "^[[:space:]]+path[[:space:]]+$2\$" <<<"$info" || return 1
  if [ "$4" = install ]; then
    grep -Fq "$(printf '\t%s\t%s' "$3" "$7")" <<<"$(grep -E '^[[:space:]]+mod[[:space:]]' <<<"$info")" || return 1
  fi
  if [ -n "$5" ]; then
    grep -Eq "^[[:space:]]+build[[:space:]]+-ldflags=.*$5( |\"|\$)" <<<"$info" || return 1
  fi
  if [ -n "$6" ]; then
    grep -Eq "^[[:space:]]+build[[:space:]]+CGO_ENABLED=$6\$" <<<"$info" || return 1
  fi
}

install_go_tool() {
  local name="$1" bins="$2" mod="$3" pkgs="$4" ver="$5" ldt="$6" cgo="$7" mode="$8" mins="$9" sum="${10}"
  local spec="$mod $pkgs@$ver $sum|$ldt|cgo=$cgo|$mode" stamp="$HEPHY_STAMPS/$name" ok=1 b p i
  local -a barr parr
  read -r -a barr <<<"$bins"
  read -r -a parr <<<"$pkgs"
  for b in "${barr[@]}"; do [ -x "$HEPHY_BIN/$b" ] || ok=0; done
  if [ "$ok" = 1 ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$spec" ]; then return 0; fi
  command -v go >/dev/null 2>&1 || hephy_die "go is needed to build $name (expected in /usr/local/go/bin)"
  command -v jq >/dev/null 2>&1 || hephy_die "jq is needed: scripts/install-tools.sh --only apt"
  local vflag=""
  [ -n "$ldt" ] && vflag="$(printf '%s' "${ldt%% -X *}" | sed "s|@V@|$ver|")"
  vflag="${vflag#-X }"
  # A binary built earlier without a stamp (or by hand) is adopted if its build info matches.
  ok=1
  for i in "${!barr[@]}"; do
    go_binary_matches "${barr[$i]}" "$(pkg_path "$mod" "${parr[$i]}")" "$ver" "$mode" "$vflag" "$cgo" "$sum" || ok=0
  done
  if [ "$ok" = 0 ]; then
    hephy_log "building $name $ver from source (first use, ~$mins min)..."
    local dl dir rev ldflags
    dl="$(mktemp)"
    hephy_quiet go mod download -json "$mod@$ver" || hephy_die "cannot download $mod@$ver"
    go mod download -json "$mod@$ver" >"$dl"
    [ "$(jq -r .Sum "$dl")" = "$sum" ] \
      || hephy_die "$mod@$ver: go mod download reports checksum $(jq -r .Sum "$dl"), tool-pins.json pins $sum"
    dir="$(jq -r .Dir "$dl")"
    rev="$(jq -r '.Origin.Hash // empty' "$dl")"
    rm -f "$dl"
    ldflags="${ldt//@V@/$ver}"
    ldflags="${ldflags//@REV@/${rev:-unknown}}"
    local -a env=(GOBIN="$HEPHY_BIN" GOFLAGS=-buildvcs=false)
    [ -n "$cgo" ] && env+=(CGO_ENABLED="$cgo")
    if [ "$mode" = install ]; then
      local -a args=(install)
      [ -n "$ldflags" ] && args+=(-ldflags "$ldflags")
      for p in "${parr[@]}"; do args+=("$(pkg_path "$mod" "$p")@$ver"); done
      hephy_quiet env "${env[@]}" go "${args[@]}"
    else
      local work
      work="$(mktemp -d)"
      cp -r "$dir/." "$work/"
      chmod -R u+w "$work"
      local -a args=(build -o "$HEPHY_BIN/")
      [ -n "$ldflags" ] && args+=(-ldflags "$ldflags")
      for p in "${parr[@]}"; do args+=("./$p"); done
      (cd "$work" && hephy_quiet env "${env[@]}" go "${args[@]}") || { rm -rf "$work"; exit 1; }
      rm -rf "$work"
    fi
    for i in "${!barr[@]}"; do
      go_binary_matches "${barr[$i]}" "$(pkg_path "$mod" "${parr[$i]}")" "$ver" "$mode" "$vflag" "$cgo" "$sum" \
        || hephy_die "$name: built ${barr[$i]} does not carry $ver (and its checksum) in its build info"
    done
  fi
  printf '%s' "$spec" >"$stamp"
}

install_buildx_plugin() {
  # The docker CLI (client only) comes with this project's machines (/usr/local/bin/docker)
  # and with GitHub's runners; it is not installed here.
  command -v docker >/dev/null 2>&1 || hephy_die "no docker CLI on PATH (buildx runs as its plugin)"
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
  IFS='|' read -r name bins mod pkgs ver ldt cgo mode mins sum <<<"$t"
  if want "$name"; then
    install_go_tool "$name" "$bins" "$mod" "$pkgs" "$ver" "$ldt" "$cgo" "$mode" "$mins" "$sum"
    [ "$name" = buildx ] && install_buildx_plugin
  fi
done
exit 0
