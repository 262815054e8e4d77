#!/usr/bin/env bash
# End-to-end smoke test of the toolchain hephy-builder drives (docs/dev/toolchain.md):
# a local registry, offline base images, and one linux/amd64 + one linux/arm64 leg for each
# of ko, BuildKit (buildx + buildkitd) and Kaniko (podman), pushed by digest, merged with
# `docker buildx imagetools create`, then read back with crane and skopeo.
#
#   scripts/selftest.sh [--keep]     (--keep: leave registry, buildkitd and work dir running)
#
# Exits non-zero when any check fails; ends with "N passed, N failed".
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source-path=SCRIPTDIR source=lib/common.sh
. "$HERE/lib/common.sh"
KEEP=0
[ "${1:-}" = --keep ] && KEEP=1

"$HERE/install-tools.sh"
# shellcheck source-path=SCRIPTDIR source=env.sh
. "$HERE/env.sh"

PASS=0
FAIL=0
BUILDER=hephy-selftest
# Lower case on purpose: ko uses an --oci-layout-path as a repository name and rejects upper case.
WORK="${TMPDIR:-/tmp}/hephy-selftest-$$-$(date +%s)"
mkdir -p "$WORK"
cleanup() {
  if [ "$KEEP" = 1 ]; then
    hephy_log "selftest: kept registry $REG, builder $BUILDER, work dir $WORK"
    return
  fi
  # Both take ~2 s to shut down: stop them side by side.
  "$HERE/buildkitd.sh" stop --name "$BUILDER" >/dev/null 2>&1 &
  "$HERE/registry.sh" stop "$WORK/registry" >/dev/null 2>&1 &
  wait || true
  rm -rf "$WORK"
}
trap cleanup EXIT

now() { date +%s.%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }
ok() { PASS=$((PASS + 1)); printf 'hephy selftest: ok   %s\n' "$*"; }
bad() { FAIL=$((FAIL + 1)); printf 'hephy selftest: FAIL %s\n' "$*"; }
# check DESCRIPTION COMMAND...: one check, counted.
check() {
  local d="$1"
  shift
  if "$@" >"$WORK/check.out" 2>&1; then ok "$d"; else bad "$d"; sed 's/^/    /' "$WORK/check.out" | tail -n 20; fi
}
# timed DESCRIPTION COMMAND...: run a step, print its duration, count it as a check.
timed() {
  local d="$1" t
  shift
  t="$(now)"
  if "$@" >"$WORK/step.out" 2>&1; then
    ok "$d ($(secs "$t") s)"
  else
    bad "$d ($(secs "$t") s)"
    sed 's/^/    /' "$WORK/step.out" | tail -n 30
    summary
    exit 1
  fi
}
summary() { printf '%s passed, %s failed\n' "$PASS" "$FAIL"; }
eq() { [ "$1" = "$2" ] || { echo "expected '$2', got '$1'"; return 1; }; }

# ------------------------------------------------------------------ setup
T0="$(now)"
REG="$("$HERE/registry.sh" start --state-dir "$WORK/registry")"
ok "registry on $REG"
timed "base images pushed (hephy/busybox:1, hephy/static:nonroot)" "$HERE/base-images.sh" "$REG"
timed "buildkitd + buildx builder $BUILDER" "$HERE/buildkitd.sh" start "$REG" --name "$BUILDER"
timed "kaniko executor image in podman" "$HERE/kaniko-image.sh"
check "buildkitd worker lists linux/arm64" \
  sh -c "docker buildx inspect $BUILDER | grep -q 'linux/arm64'"

# Platforms of an index, sorted, comma-joined (attestation manifests left out).
index_platforms() {
  docker buildx imagetools inspect --raw "$1" \
    | jq -r '[.manifests[] | select(.platform.os != "unknown") | .platform.os + "/" + .platform.architecture] | sort | join(",")'
}
config_arch() { crane config --insecure "$1" | jq -r '.os + "/" + .architecture'; }
# Is PATH inside the image an aarch64 ELF? (ref may be an index: platform picks.)
# ko writes absolute member names (/ko-app/NAME): match both spellings.
is_aarch64_elf() { # ref platform path
  local d
  d="$(mktemp -d "$WORK/x.XXXXXX")"
  crane export --insecure --platform "$2" "$1" - | tar -x -C "$d" --wildcards "$3" "/$3" 2>/dev/null || true
  file -b "$d/$3"
  file -b "$d/$3" | grep -q 'ARM aarch64'
}
cat_in_image() { crane export --insecure --platform "$2" "$1" - | tar -xO "$3"; }
no_tags() { # the repo has no tag yet (pushed by digest only)
  local n
  n="$(curl -s "http://$REG/v2/$1/tags/list" | jq '.tags // [] | length')"
  eq "$n" 0
}
merge() { # repo tag digestA digestB
  docker buildx imagetools create -t "$REG/$1:$2" "$REG/$1@$3" "$REG/$1@$4"
}

# ------------------------------------------------------------------ (a) ko
mkdir -p "$WORK/ko/cmd/hello"
cat >"$WORK/ko/go.mod" <<'EOF'
module example.com/hephyselftest

go 1.22
EOF
cat >"$WORK/ko/cmd/hello/main.go" <<'EOF'
package main

import (
	"fmt"
	"runtime"
)

func main() { fmt.Printf("hello from %s/%s\n", runtime.GOOS, runtime.GOARCH) }
EOF
ko_push_tag() { # platform: ko pushes itself, to a per-leg throwaway tag
  (cd "$WORK/ko" && KO_DOCKER_REPO="$REG/selftest/ko" KO_DEFAULTBASEIMAGE="$REG/hephy/static:nonroot" \
    ko build ./cmd/hello --bare --sbom none --platform "$1" --tags "hephy-leg-${1//\//-}" \
    --image-refs "$WORK/ko-${1//\//-}.ref")
}
ko_layout_then_skopeo() { # platform: ko writes an OCI layout, skopeo pushes it by digest (no tag)
  local plat="$1" d
  (cd "$WORK/ko" && KO_DOCKER_REPO="$REG/selftest/ko" KO_DEFAULTBASEIMAGE="$REG/hephy/static:nonroot" \
    ko build ./cmd/hello --bare --sbom none --platform "$plat" --push=false \
    --oci-layout-path "$WORK/ko-oci-${plat//\//-}" --image-refs "$WORK/ko-${plat//\//-}.ref")
  d="$(sed 's/.*@//' "$WORK/ko-${plat//\//-}.ref")"
  skopeo copy --dest-tls-verify=false "oci:$WORK/ko-oci-${plat//\//-}" "docker://$REG/selftest/ko@$d"
}
timed "ko build linux/arm64 (push to a leg tag)" ko_push_tag linux/arm64
timed "ko build linux/amd64 (OCI layout + skopeo copy by digest)" ko_layout_then_skopeo linux/amd64
KO_ARM="$(sed 's/.*@//' "$WORK/ko-linux-arm64.ref")"
KO_AMD="$(sed 's/.*@//' "$WORK/ko-linux-amd64.ref")"
check "ko arm64 config is linux/arm64" eq "$(config_arch "$REG/selftest/ko@$KO_ARM")" linux/arm64
check "ko arm64 /ko-app/hello is an aarch64 ELF" is_aarch64_elf "$REG/selftest/ko@$KO_ARM" linux/arm64 ko-app/hello
check "ko image runs as 65532 (from hephy/static:nonroot)" \
  eq "$(crane config --insecure "$REG/selftest/ko@$KO_ARM" | jq -r .config.User)" 65532
timed "merge ko legs" merge selftest/ko v1 "$KO_AMD" "$KO_ARM"
check "ko index has linux/amd64,linux/arm64" eq "$(index_platforms "$REG/selftest/ko:v1")" linux/amd64,linux/arm64

# ------------------------------------------------------------------ (b) buildkit
mkdir -p "$WORK/bk"
cat >"$WORK/bk/Dockerfile" <<'EOF'
ARG REGISTRY=localhost:5000
FROM ${REGISTRY}/hephy/busybox:1
ARG TARGETPLATFORM
RUN --mount=type=cache,target=/var/cache/hephy,id=hephy-selftest \
    uname -m > /arch.txt && echo "$TARGETPLATFORM" >> /var/cache/hephy/runs && cp /var/cache/hephy/runs /cache-runs.txt
COPY hello.txt /hello.txt
CMD ["cat", "/arch.txt"]
EOF
echo "selftest $(date +%s%N)" >"$WORK/bk/hello.txt"
bk_leg() { # platform
  docker buildx build --builder "$BUILDER" --progress=plain --provenance=false --sbom=false \
    --platform "$1" --build-arg "REGISTRY=$REG" \
    --output "type=image,name=$REG/selftest/bk,push-by-digest=true,name-canonical=true,push=true" \
    --metadata-file "$WORK/bk-${1//\//-}.json" "$WORK/bk"
}
timed "buildx build linux/arm64 (RUN under qemu, cache mount, push by digest)" bk_leg linux/arm64
timed "buildx build linux/amd64" bk_leg linux/amd64
BK_ARM="$(jq -r '."containerimage.digest"' "$WORK/bk-linux-arm64.json")"
BK_AMD="$(jq -r '."containerimage.digest"' "$WORK/bk-linux-amd64.json")"
check "buildx metadata has an image manifest digest" \
  eq "$(jq -r '."containerimage.descriptor".mediaType' "$WORK/bk-linux-arm64.json")" application/vnd.oci.image.manifest.v1+json
check "buildkit legs pushed by digest, no tag yet" no_tags selftest/bk
check "buildkit arm64 RUN saw uname -m = aarch64" eq "$(cat_in_image "$REG/selftest/bk@$BK_ARM" linux/arm64 arch.txt)" aarch64
check "buildkit arm64 /bin/busybox is an aarch64 ELF" is_aarch64_elf "$REG/selftest/bk@$BK_ARM" linux/arm64 bin/busybox
timed "merge buildkit legs" merge selftest/bk v1 "$BK_AMD" "$BK_ARM"
check "buildkit index has linux/amd64,linux/arm64" eq "$(index_platforms "$REG/selftest/bk:v1")" linux/amd64,linux/arm64

# ------------------------------------------------------------------ (c) kaniko
mkdir -p "$WORK/kaniko"
cat >"$WORK/kaniko/Dockerfile" <<'EOF'
ARG REGISTRY=localhost:5000
FROM ${REGISTRY}/hephy/busybox:1
RUN uname -m > /arch.txt
COPY hello.txt /hello.txt
CMD ["cat", "/arch.txt"]
EOF
echo "selftest $(date +%s%N)" >"$WORK/kaniko/hello.txt"
KANIKO_IMAGE=localhost/hephy/kaniko-executor:v1.25.5
# The context is mounted read-only at /workspace; outputs go to a separate mount, so that a
# digest file or layout never lands in the build context (COPY . . would pick it up).
mkdir -p "$WORK/kaniko-out"
kaniko_run() {
  podman run --rm --network host -v "$WORK/kaniko:/workspace:ro" -v "$WORK/kaniko-out:/hephy-out" \
    "$KANIKO_IMAGE" --context dir:///workspace --dockerfile /workspace/Dockerfile "$@"
}
kaniko_layout_then_skopeo() { # platform: kaniko writes an OCI layout; skopeo pushes by digest
  local p="${1//\//-}" d
  kaniko_run --custom-platform "$1" --build-arg "REGISTRY=$REG" --insecure-pull \
    --no-push --oci-layout-path "/hephy-out/oci-$p" --digest-file "/hephy-out/digest-$p"
  d="$(cat "$WORK/kaniko-out/digest-$p")"
  skopeo copy --dest-tls-verify=false "oci:$WORK/kaniko-out/oci-$p" "docker://$REG/selftest/kaniko@$d"
}
kaniko_push_tag() { # platform: kaniko pushes itself, to a per-leg throwaway tag
  local p="${1//\//-}"
  kaniko_run --custom-platform "$1" --build-arg "REGISTRY=$REG" --insecure-pull --insecure \
    --destination "$REG/selftest/kaniko-tag:hephy-leg-$p" --digest-file "/hephy-out/digest-tag-$p"
}
timed "kaniko linux/arm64 (RUN under qemu; OCI layout + skopeo copy by digest)" kaniko_layout_then_skopeo linux/arm64
timed "kaniko linux/amd64 (OCI layout + skopeo copy by digest)" kaniko_layout_then_skopeo linux/amd64
KA_ARM="$(cat "$WORK/kaniko-out/digest-linux-arm64")"
KA_AMD="$(cat "$WORK/kaniko-out/digest-linux-amd64")"
check "kaniko legs pushed by digest, no tag yet" no_tags selftest/kaniko
check "kaniko arm64 config is linux/arm64" eq "$(config_arch "$REG/selftest/kaniko@$KA_ARM")" linux/arm64
check "kaniko arm64 RUN saw uname -m = aarch64" eq "$(cat_in_image "$REG/selftest/kaniko@$KA_ARM" linux/arm64 arch.txt)" aarch64
timed "merge kaniko legs" merge selftest/kaniko v1 "$KA_AMD" "$KA_ARM"
check "kaniko index has linux/amd64,linux/arm64" eq "$(index_platforms "$REG/selftest/kaniko:v1")" linux/amd64,linux/arm64
timed "kaniko linux/arm64 pushing itself (--insecure, leg tag)" kaniko_push_tag linux/arm64
check "kaniko --digest-file matches the pushed leg tag" \
  eq "$(crane digest --insecure "$REG/selftest/kaniko-tag:hephy-leg-linux-arm64")" "$(cat "$WORK/kaniko-out/digest-tag-linux-arm64")"

# ------------------------------------------------------------------ (d)+(e) read back
check "skopeo reads the merged index" \
  sh -c "skopeo inspect --raw --tls-verify=false docker://$REG/selftest/bk:v1 | jq -e '.manifests | length == 2'"
check "skopeo --override-arch arm64 reads the arm64 image's config" \
  eq "$(skopeo inspect --tls-verify=false --override-arch arm64 "docker://$REG/selftest/kaniko:v1" | jq -r '.Os + "/" + .Architecture')" linux/arm64
check "crane digest of the merged tag = imagetools' digest" \
  eq "$(crane digest --insecure "$REG/selftest/ko:v1")" \
  "$(docker buildx imagetools inspect "$REG/selftest/ko:v1" --format '{{json .Manifest}}' | jq -r .digest)"

printf 'hephy selftest: total %s s\n' "$(secs "$T0")"
summary
[ "$FAIL" -eq 0 ]
