#!/usr/bin/env bash
# Make hephy's two-platform (linux/amd64 + linux/arm64/v8) base images offline and push them:
#
#   scripts/base-images.sh REGISTRY_HOSTPORT
#
#   REG/hephy/busybox:1        busybox-static from Debian, applet symlinks (incl. /bin/sh),
#                              /etc/passwd, /etc/group, /tmp; Cmd ["sh"]
#   REG/hephy/static:nonroot   distroless-like: no shell, passwd/group with nonroot (65532),
#                              CA bundle, /tmp, /home/nonroot; User 65532
#
# OCI layouts are cached (reproducible: same inputs, same digests) under
# $HEPHY_TOOLS_DIR/base-images; a push is skipped when the registry already has the digest.
# Prints the two references (REF@DIGEST) on stdout.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"

REG="${1:-}"
[ -n "$REG" ] || { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
"$HERE/install-tools.sh" --only apt

CACHE="$HEPHY_TOOLS_DIR/base-images"
DEBS="$CACHE/debs"
mkdir -p "$DEBS"
# Two runs at once write the cached layouts one at a time (each pushes to its own registry).
hephy_lock 7 "$CACHE.lock" "scripts/base-images.sh"
LAYOUT_PY="$HERE/lib/oci_layout.py"
# Bump when the image recipes below change (forces a rebuild of the cached layouts).
RECIPE_VERSION=1

# ------------------------------------------------------------ busybox-static debs
fetch_busybox_debs() {
  local have=1 a
  for a in amd64 arm64; do
    compgen -G "$DEBS/busybox-static_*_$a.deb" >/dev/null || have=0
  done
  [ "$have" = 1 ] && return 0
  hephy_log "base images: downloading busybox-static for amd64 and arm64 (apt, ~30 s)..."
  export DEBIAN_FRONTEND=noninteractive
  if ! dpkg --print-foreign-architectures | grep -qx arm64; then
    dpkg --add-architecture arm64
    hephy_quiet apt-get update
  fi
  if ! (cd "$DEBS" && hephy_quiet apt-get download busybox-static:amd64 busybox-static:arm64); then
    hephy_quiet apt-get update
    (cd "$DEBS" && hephy_quiet apt-get download busybox-static:amd64 busybox-static:arm64)
  fi
}

deb_for() { compgen -G "$DEBS/busybox-static_*_$1.deb" | sort | tail -n 1; }

# ------------------------------------------------------------ rootfs recipes
make_busybox_rootfs() { # arch dest
  local arch="$1" dest="$2" x applet
  x="$(mktemp -d)"
  dpkg-deb -x "$(deb_for "$arch")" "$x"
  mkdir -p "$dest/bin" "$dest/sbin" "$dest/usr/bin" "$dest/usr/sbin" "$dest/etc" "$dest/tmp" \
    "$dest/root" "$dest/home" "$dest/var/tmp"
  cp "$x/bin/busybox" "$dest/bin/busybox"
  # Applet list from the amd64 binary (same package version for both arches, same list).
  local bb_amd64
  bb_amd64="$(mktemp -d)"
  dpkg-deb -x "$(deb_for amd64)" "$bb_amd64"
  "$bb_amd64/bin/busybox" --list-full | sort | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$dest/$(dirname "$applet")"
    ln -sfn /bin/busybox "$dest/$applet"
  done
  rm -rf "$x" "$bb_amd64"
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$dest/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$dest/etc/group"
}

make_static_rootfs() { # dest
  local dest="$1"
  mkdir -p "$dest/etc/ssl/certs" "$dest/tmp" "$dest/home/nonroot" "$dest/root" "$dest/var/tmp"
  cp /etc/ssl/certs/ca-certificates.crt "$dest/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$dest/etc/passwd"
  printf 'root:x:0:\nnobody:x:65534:\nnonroot:x:65532:\n' >"$dest/etc/group"
  printf 'hosts: files dns\n' >"$dest/etc/nsswitch.conf"
  printf 'PRETTY_NAME="hephy static (distroless-like)"\nID=hephy-static\n' >"$dest/etc/os-release"
}

# ------------------------------------------------------------ build (cached) + push
# build_image NAME TAG INPUT_KEY BUILD_FN
# BUILD_FN ROOTFS_AMD64 ROOTFS_ARM64 LAYOUT TAG must write LAYOUT.
build_image() {
  local name="$1" tag="$2" key="$3" fn="$4" dir="$CACHE/$1"
  if [ -f "$dir/key" ] && [ "$(cat "$dir/key")" = "$key" ] && [ -f "$dir/layout/index.json" ]; then
    return 0
  fi
  hephy_log "base images: writing OCI layout hephy/$name:$tag..."
  local work
  work="$(mktemp -d)"
  rm -rf "$dir"
  mkdir -p "$dir"
  "$fn" "$work/amd64" "$work/arm64" "$dir/layout" "$tag"
  rm -rf "$work"
  printf '%s' "$key" >"$dir/key"
}

build_busybox() {
  make_busybox_rootfs amd64 "$1"
  make_busybox_rootfs arm64 "$2"
  python3 "$LAYOUT_PY" --out "$3" --tag "$4" \
    --platform "linux/amd64=$1" --platform "linux/arm64/v8=$2" \
    --mode /tmp=1777 --mode /var/tmp=1777 --mode /root=0700 \
    --config '{"Cmd":["sh"],"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}' >/dev/null
}

build_static() {
  make_static_rootfs "$1"
  python3 "$LAYOUT_PY" --out "$3" --tag "$4" \
    --platform "linux/amd64=$1" --platform "linux/arm64/v8=$1" \
    --mode /tmp=1777 --mode /var/tmp=1777 --mode /root=0700 --mode /home/nonroot=0700 \
    --owner /home/nonroot=65532:65532 \
    --config '{"User":"65532","WorkingDir":"/home/nonroot","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]}' >/dev/null
}

local_digest() { # layout dir -> digest of the tagged index
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$1/index.json"
}

push_image() { # name tag
  local name="$1" tag="$2" layout="$CACHE/$1/layout" want have
  want="$(local_digest "$layout")"
  have="$(skopeo inspect --raw --tls-verify=false "docker://$REG/hephy/$name:$tag" 2>/dev/null | sha256sum | cut -d' ' -f1 || true)"
  if [ "sha256:$have" != "$want" ]; then
    hephy_quiet skopeo copy --all --preserve-digests --dest-tls-verify=false \
      "oci:$layout:$tag" "docker://$REG/hephy/$name:$tag"
  fi
  echo "$REG/hephy/$name:$tag@$want"
}

fetch_busybox_debs
SELF_SUM="$(cat "$0" "$LAYOUT_PY" | sha256sum | cut -c1-16)"
BB_KEY="r$RECIPE_VERSION $SELF_SUM $(basename "$(deb_for amd64)") $(basename "$(deb_for arm64)")"
ST_KEY="r$RECIPE_VERSION $SELF_SUM $(sha256sum /etc/ssl/certs/ca-certificates.crt | cut -c1-16)"
build_image busybox 1 "$BB_KEY" build_busybox
build_image static nonroot "$ST_KEY" build_static
push_image busybox 1
push_image static nonroot
