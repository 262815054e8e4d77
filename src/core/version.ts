// hephy-builder's own version (package.json's), as `--version` prints it and provenance names the builder.
export const HEPHY_BUILDER_VERSION = '0.1.0';
