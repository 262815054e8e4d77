#!/usr/bin/env node
// The npm bin: runs the committed CLI bundle.
process.env.HEPHY_CLI_ENTRY = '1';
await import('../dist/cli/index.js');
