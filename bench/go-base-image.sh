#!/usr/bin/env bash
# A Go builder image made offline, for the Kaniko side of the ko-vs-Kaniko benchmark:
#
#   bench/go-base-image.sh REGISTRY_HOSTPORT      prints REG/hephy/go-builder:GOVERSION@DIGEST
#
# No Go image can be pulled here, so this one is assembled from the host's own toolchain
# (/usr/local/go, minus its tests, docs and the toolchain's own sources) on top of Debian's static
# busybox (from scripts/base-images.sh's download cache), as one linux/amd64 layer written by
# scripts/lib/oci_layout.py (reproducible) and pushed with skopeo. The benchmark builds
# linux/amd64 only, so one platform is enough. The layout is cached in
# $HEPHY_TOOLS_DIR/bench/go-builder, keyed on the Go version and this script.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SCRIPTS="$HERE/../scripts"
# shellcheck source-path=SCRIPTDIR source=../scripts/lib/common.sh
. "$SCRIPTS/lib/common.sh"

REG="${1:-}"
[ -n "$REG" ] || { sed -n '2,3p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
GOROOT_HOST="${GOROOT_HOST:-/usr/local/go}"
[ -x "$GOROOT_HOST/bin/go" ] || hephy_die "no Go toolchain at $GOROOT_HOST"
GO_VERSION="$("$GOROOT_HOST/bin/go" env GOVERSION)"
GO_ARCH="$("$GOROOT_HOST/bin/go" env GOHOSTARCH)"
[ "$GO_ARCH" = amd64 ] || hephy_die "the host Go toolchain is $GO_ARCH; this image is linux/amd64"
TAG="${GO_VERSION#go}"

DEB="$(compgen -G "$HEPHY_TOOLS_DIR/base-images/debs/busybox-static_*_amd64.deb" | sort | tail -n 1 || true)"
[ -n "$DEB" ] || hephy_die "no busybox-static deb in $HEPHY_TOOLS_DIR/base-images/debs: run scripts/base-images.sh $REG first"

CACHE="$HEPHY_TOOLS_DIR/bench/go-builder"
KEY="$GO_VERSION $(basename "$DEB") $(cat "$0" "$SCRIPTS/lib/oci_layout.py" | sha256sum | cut -c1-16)"
if ! { [ -f "$CACHE/key" ] && [ "$(cat "$CACHE/key")" = "$KEY" ] && [ -f "$CACHE/layout/index.json" ]; }; then
  hephy_log "go builder image: writing an OCI layout of $GO_VERSION + busybox (~20 s)..."
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  root="$work/rootfs"
  mkdir -p "$root/bin" "$root/etc" "$root/tmp" "$root/root" "$root/src" "$root/usr/local"
  dpkg-deb -x "$DEB" "$work/deb"
  cp "$work/deb/bin/busybox" "$root/bin/busybox"
  "$root/bin/busybox" --list-full | while read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$root/$(dirname "$applet")"
    ln -sfn /bin/busybox "$root/$applet"
  done
  printf 'root:x:0:0:root:/root:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\n' >"$root/etc/group"
  cp -a "$GOROOT_HOST" "$root/usr/local/go"
  # Not needed to build programs: the toolchain's tests, docs and its own sources (src/cmd).
  rm -rf "$root/usr/local/go/"{test,api,doc,misc,src/cmd}
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  python3 "$SCRIPTS/lib/oci_layout.py" --out "$CACHE/layout" --tag "$TAG" \
    --platform "linux/amd64=$root" --mode /tmp=1777 --mode /root=0700 \
    --comment "hephy-builder bench/go-base-image.sh ($GO_VERSION)" \
    --config '{"Env":["PATH=/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","GOTOOLCHAIN=local","GOPROXY=off","GOFLAGS=-mod=mod","CGO_ENABLED=0"],"WorkingDir":"/src","Cmd":["go","version"]}' >/dev/null
  printf '%s' "$KEY" >"$CACHE/key"
fi

want="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["manifests"][0]["digest"])' "$CACHE/layout/index.json")"
ref="$REG/hephy/go-builder:$TAG"
have="$(skopeo inspect --raw --tls-verify=false "docker://$ref" 2>/dev/null | sha256sum | cut -d' ' -f1 || true)"
if [ "sha256:$have" != "$want" ]; then
  hephy_log "go builder image: pushing $ref..."
  hephy_quiet skopeo copy --all --preserve-digests --dest-tls-verify=false "oci:$CACHE/layout:$TAG" "docker://$ref"
fi
echo "$ref@$want"
