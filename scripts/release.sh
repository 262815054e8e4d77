#!/usr/bin/env bash
# The release step: scripts/release.sh VERSION (e.g. v1.4.0), run on a clean checkout of the
# commit to release (dist/ built and committed, as the action runs it).
#
# A reusable workflow's `uses:` takes no expressions, so it cannot say "the action of my own
# release". This step writes it in: it rewrites every action step of .github/workflows/build.yml
# from hephy/builder@v1 to hephy/builder@<the current commit>, which holds the action code, commits
# that as the release commit (its parent is the action's commit), and tags the release commit
# VERSION. A caller that pins the reusable workflow at VERSION's commit then runs exactly that
# action, with no floating ref inside. Push the tag (and move the major tag) afterwards.
#   HEPHY_CLI: the CLI to run (default: this checkout's bin/hephy-builder.js).
set -euo pipefail
version="${1:?usage: scripts/release.sh VERSION (e.g. v1.4.0)}"
[[ "$version" =~ ^v[0-9]+(\.[0-9]+){0,2}(-[0-9A-Za-z.-]+)?$ ]] || { echo "release: $version is not a version like v1.4.0" >&2; exit 2; }
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="${HEPHY_CLI:-$here/bin/hephy-builder.js}"
git diff --quiet HEAD -- || { echo "release: the work tree has changes; commit or stash them first" >&2; exit 1; }
if git rev-parse -q --verify "refs/tags/$version" >/dev/null; then echo "release: tag $version exists" >&2; exit 1; fi
action_sha="$(git rev-parse HEAD)"
node "$cli" generate --write --root . --action-sha "$action_sha" --action-version "$version" >/dev/null
# Every action step now names the commit; no floating ref of our action may remain.
if grep -En 'uses:[[:space:]]*hephy/builder@' .github/workflows/build.yml | grep -Ev "@$action_sha([[:space:]]|\$)"; then
  echo "release: .github/workflows/build.yml still uses hephy/builder at another ref (above)" >&2
  exit 1
fi
node "$cli" generate --check --root . >/dev/null
git add .github/workflows/build.yml
git commit -q -m "release $version: the reusable workflow runs the action at $action_sha"
git tag -a "$version" -m "hephy-builder $version (action code: $action_sha)"
echo "release $version: $(git rev-parse HEAD) (action code: $action_sha); push with: git push origin HEAD $version"
