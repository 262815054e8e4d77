# shellcheck shell=bash
# The tool pins for the scripts: tool-pins.json at the repository (or package) root, which the
# TypeScript reads too (src/core/toolPins.ts). Read with node, which runs hephy-builder anyway
# (HEPHY_NODE, set by src/tools/localServices.ts, else node on PATH); jq is one of the packages
# install-tools.sh has yet to install. Source it; do not run it.

HEPHY_PINS="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/tool-pins.json"
HEPHY_NODE="${HEPHY_NODE:-node}"

# hephy_pins_go: one line per pinned Go tool, in install order:
#   name|binaries|module|packages|version|ldflags|cgo|mode|minutes|sum
# (binaries and packages space-separated; mode is the pin's `build`; sum the module's h1: checksum).
# shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
hephy_pins_go() {
  "$HEPHY_NODE" -e '
    const { go } = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    for (const [name, t] of Object.entries(go)) {
      const fields = [name, t.binaries.join(" "), t.module, t.packages.join(" "), t.version, t.ldflags ?? "", t.cgo ?? "", t.build, t.minutes, t.sum];
      if (fields.some((f) => String(f).includes("|"))) throw new Error(`${name}: a field holds "|"`);
      console.log(fields.join("|"));
    }' "$HEPHY_PINS"
}

# hephy_pin_version NAME: the pinned version of the Go tool NAME, e.g. v1.25.5 for kaniko.
# shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
hephy_pin_version() {
  "$HEPHY_NODE" -e '
    const t = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).go[process.argv[2]];
    if (!t) { console.error(`tool-pins.json pins no Go tool named ${process.argv[2]}`); process.exit(1); }
    console.log(t.version);' "$HEPHY_PINS" "$1"
}
