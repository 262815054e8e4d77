// Every backend puts the image's labels and annotations on its tool's command line, each as one
// `--flag=KEY=VALUE` argument, so that a value that looks like an option, holds `,`, `"` or `=`
// stays one value of that key. The tools' parsing is cited where each flag is built
// (tools/ko.ts, tools/kaniko.ts, tools/buildx.ts, tools/spin.ts); the e2e tests read the pushed
// images back (test/e2e/metadata.test.ts).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildkitBuildOptions } from '../../src/backends/buildkit.js';
import { kanikoInvocation } from '../../src/backends/kaniko.js';
import { koBuildOptions } from '../../src/backends/ko.js';
import { spinAnnotations } from '../../src/backends/spin.js';
import type { ImageMetadata } from '../../src/core/imageMetadata.js';
import { buildxBuildArgs } from '../../src/tools/buildx.js';
import { koInvocation, koSliceEntry } from '../../src/tools/ko.js';
import { spinPushArgs } from '../../src/tools/spin.js';
import { testLeg } from '../helpers/legContext.js';

const metadata: ImageMetadata = {
  labels: { 'com.example.note': '--insecure, "quoted", a=b', 'org.opencontainers.image.title': 'app' },
  annotations: { 'com.example.ann': '-x', 'org.opencontainers.image.revision': 'a'.repeat(40) },
};

/** Go's encoding/csv reading of one record, as pflag's StringSlice does (readAsCSV). */
function readCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= text.length) {
    if (text[i] === '"') {
      let field = '';
      i++;
      for (;;) {
        if (text[i] === '"' && text[i + 1] === '"') {
          field += '"';
          i += 2;
        } else if (text[i] === '"') break;
        else field += text[i++];
      }
      fields.push(field);
      i += 2; // the closing quote and the comma
    } else {
      const end = text.indexOf(',', i);
      fields.push(text.slice(i, end < 0 ? text.length : end));
      i = end < 0 ? text.length + 1 : end + 1;
    }
  }
  return fields;
}

describe('labels and annotations on the command line', () => {
  it('ko: one CSV-quoted --image-label / --image-annotation per entry, before the import path', () => {
    const { ctx } = testLeg({ backend: 'ko', config: { ko_config: { import_path: './cmd/app' } }, baseImage: 'b', metadata });
    const args = koInvocation(koBuildOptions(ctx), '/l').args;
    const labels = args.filter((a) => a.startsWith('--image-label='));
    const annotations = args.filter((a) => a.startsWith('--image-annotation='));
    expect(labels.map((a) => readCsvRecord(a.slice('--image-label='.length)))).toEqual([
      ['com.example.note=--insecure, "quoted", a=b'],
      ['org.opencontainers.image.title=app'],
    ]);
    expect(annotations.map((a) => readCsvRecord(a.slice('--image-annotation='.length)))).toEqual([
      ['com.example.ann=-x'],
      [`org.opencontainers.image.revision=${'a'.repeat(40)}`],
    ]);
    expect(args.at(-1)).toBe('./cmd/app');
    // Unquoted, pflag would make three labels of the first entry.
    expect(readCsvRecord('com.example.note=--insecure, x')).toHaveLength(2);
    expect(koSliceEntry('k', 'a"b')).toBe('"k=a""b"');
  });

  it('kaniko: --label and --annotation, one argument each', () => {
    const { ctx, write } = testLeg({ backend: 'kaniko', metadata });
    write({ Dockerfile: 'FROM scratch\n' });
    const args = kanikoInvocation(ctx, 'digest').args;
    expect(args.filter((a) => a.startsWith('--label=') || a.startsWith('--annotation='))).toEqual([
      '--label=com.example.note=--insecure, "quoted", a=b',
      '--label=org.opencontainers.image.title=app',
      '--annotation=com.example.ann=-x',
      `--annotation=org.opencontainers.image.revision=${'a'.repeat(40)}`,
    ]);
  });

  it('buildkit: --label and --annotation (manifest level), OCI media types', () => {
    const { ctx } = testLeg({ backend: 'buildkit', metadata, env: {} });
    writeFileSync(join(ctx.sourceDir, 'Dockerfile'), 'FROM scratch\n');
    const args = buildxBuildArgs(buildkitBuildOptions(ctx, { from: [], to: [] }));
    expect(args.filter((a) => a.startsWith('--label=') || a.startsWith('--annotation='))).toEqual([
      '--label=com.example.note=--insecure, "quoted", a=b',
      '--label=org.opencontainers.image.title=app',
      '--annotation=com.example.ann=-x',
      `--annotation=org.opencontainers.image.revision=${'a'.repeat(40)}`,
    ]);
    expect(args[args.indexOf('--output') + 1]).toContain('oci-mediatypes=true');
  });

  it('spin: the annotations only (no image config, so no labels)', () => {
    const { ctx } = testLeg({ backend: 'spin', platform: 'wasi/wasm32', metadata });
    const args = spinPushArgs('spin.toml', 'r/app:t', false, spinAnnotations(ctx));
    expect(args.filter((a) => a.startsWith('--annotation='))).toEqual([
      '--annotation=com.example.ann=-x',
      `--annotation=org.opencontainers.image.revision=${'a'.repeat(40)}`,
    ]);
    expect(args.join(' ')).not.toContain('com.example.note');
  });

  it('no metadata: no flag', () => {
    const { ctx, write } = testLeg({ backend: 'kaniko' });
    write({ Dockerfile: 'FROM scratch\n' });
    expect(kanikoInvocation(ctx, 'digest').args.some((a) => a.startsWith('--label') || a.startsWith('--annotation'))).toBe(false);
  });
});
