// Renders the ```mermaid block of a markdown file to a PNG with headless Chromium and the mermaid
// package of node_modules (the same version the tests parse with): how GitHub draws it, for docs.
//
//   node scripts/render-timeline.mjs [MARKDOWN] [PNG]
//     default: docs/summary-example.md -> docs/summary-example-timeline.png
//
// Needs Chromium (Debian: apt-get install chromium). Nothing is fetched: the page loads
// mermaid.min.js from node_modules over file://.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const [source = join(root, 'docs/summary-example.md'), target = join(root, 'docs/summary-example-timeline.png')] = process.argv.slice(2);

const markdown = readFileSync(source, 'utf8');
const match = /```mermaid\n([\s\S]*?)\n```/.exec(markdown);
if (!match) {
  console.error(`${source}: no \`\`\`mermaid block`);
  process.exit(1);
}
const diagram = match[1];
// One row per section (compact mode), plus the title and the axis.
const rows = diagram.split('\n').filter((line) => /^\s*section /.test(line)).length;
const width = 1200;
const height = 110 + rows * 25;

const escape = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const mermaidJs = pathToFileURL(join(root, 'node_modules/mermaid/dist/mermaid.min.js')).href;
const page = `<!doctype html>
<html><head><meta charset="utf-8">
<style>body { margin: 16px; background: #fff; font-family: sans-serif; }</style>
<script src="${mermaidJs}"></script>
</head><body>
<pre class="mermaid">${escape(diagram)}</pre>
<script>
  // UTC on the axis, whatever the machine's zone, so the picture is the same everywhere.
  mermaid.initialize({ startOnLoad: true, theme: 'default', gantt: { useWidth: ${width - 32} } });
</script>
</body></html>`;

const dir = mkdtempSync(join(tmpdir(), 'hephy-timeline-'));
try {
  const html = join(dir, 'timeline.html');
  writeFileSync(html, page);
  execFileSync(
    'chromium',
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--hide-scrollbars',
      '--allow-file-access-from-files',
      `--window-size=${width},${height}`,
      '--virtual-time-budget=15000',
      `--screenshot=${resolve(target)}`,
      pathToFileURL(html).href,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, TZ: 'UTC' } },
  );
  console.log(`${target}: ${width}x${height}, ${rows} rows, ${statSync(target).size} bytes`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
