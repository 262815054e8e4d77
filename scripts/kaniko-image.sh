#!/usr/bin/env bash
# Build the Kaniko executor image from the Go-built binary (no base image, no network) and
# load it into podman's storage:
#
#   scripts/kaniko-image.sh            # prints localhost/hephy/kaniko-executor:<pinned version>
#
# Image = scratch + /kaniko/executor (static, CGO_ENABLED=0) + /kaniko/ssl/certs/ca-certificates.crt
# + /kaniko/.docker/ + /etc/nsswitch.conf, with the upstream image's env and entrypoint.
# Platform = this machine's (the executor runs natively; foreign RUN steps go through qemu).
# Idempotent: skipped when podman already has the same manifest digest.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"
# shellcheck source-path=SCRIPTDIR source=lib/pins.sh
. "$HERE/lib/pins.sh"

KANIKO_VERSION="$(hephy_pin_version kaniko)" || hephy_die "cannot read the kaniko pin ($HEPHY_PINS)"
IMAGE="localhost/hephy/kaniko-executor:$KANIKO_VERSION"
EXE="$HEPHY_BIN/executor"

"$HERE/install-tools.sh" --only apt,containers-conf,kaniko
file -b "$EXE" | grep -q 'statically linked' || hephy_die "$EXE is not statically linked (needs CGO_ENABLED=0)"

case "$(uname -m)" in
  x86_64) PLAT=linux/amd64 ;;
  aarch64) PLAT=linux/arm64/v8 ;;
  *) hephy_die "unsupported host arch $(uname -m)" ;;
esac

CACHE="$HEPHY_TOOLS_DIR/kaniko-image"
# Two runs at once write the layout and load podman one at a time.
hephy_lock 7 "$CACHE.lock" "scripts/kaniko-image.sh"
KEY="$(cat "$0" "$HERE/lib/oci_layout.py" "$EXE" /etc/ssl/certs/ca-certificates.crt | sha256sum | cut -c1-32) $PLAT"
if ! { [ -f "$CACHE/key" ] && [ "$(cat "$CACHE/key")" = "$KEY" ] && [ -f "$CACHE/layout/index.json" ]; }; then
  hephy_log "kaniko image: writing OCI layout for $IMAGE..."
  rm -rf "$CACHE"
  mkdir -p "$CACHE"
  root="$(mktemp -d)"
  mkdir -p "$root/kaniko/ssl/certs" "$root/kaniko/.docker" "$root/etc" "$root/workspace" "$root/root" "$root/tmp"
  cp "$EXE" "$root/kaniko/executor"
  cp /etc/ssl/certs/ca-certificates.crt "$root/kaniko/ssl/certs/ca-certificates.crt"
  printf 'passwd: files\ngroup: files\nhosts: files dns\n' >"$root/etc/nsswitch.conf"
  python3 "$HERE/lib/oci_layout.py" --out "$CACHE/layout" --tag "$KANIKO_VERSION" \
    --platform "$PLAT=$root" --mode /kaniko=0777 --mode /tmp=1777 --mode /root=0700 \
    --comment "hephy-builder scripts/kaniko-image.sh" \
    --config '{"Entrypoint":["/kaniko/executor"],"WorkingDir":"/workspace","Env":["HOME=/root","USER=root","PATH=/usr/local/bin:/kaniko","SSL_CERT_DIR=/kaniko/ssl/certs","DOCKER_CONFIG=/kaniko/.docker/"]}' >/dev/null
  rm -rf "$root"
  printf '%s' "$KEY" >"$CACHE/key"
fi

# Digests of the layout's index and of its single platform manifest; podman reports either.
read -r want_index want_manifest < <(python3 - "$CACHE/layout" <<'EOF'
import json, os, sys
d = sys.argv[1]
top = json.load(open(os.path.join(d, "index.json")))
idig = top["manifests"][0]["digest"]
idx = json.load(open(os.path.join(d, "blobs", *idig.split(":"))))
print(idig, idx["manifests"][0]["digest"])
EOF
)
have="$(podman image inspect --format '{{.Digest}} {{.RepoDigests}}' "$IMAGE" 2>/dev/null || true)"
if ! case "$have" in *"$want_index"*|*"$want_manifest"*) true ;; *) false ;; esac; then
  hephy_log "kaniko image: loading $IMAGE into podman..."
  hephy_quiet skopeo copy "oci:$CACHE/layout:$KANIKO_VERSION" "containers-storage:$IMAGE"
fi
echo "$IMAGE"
