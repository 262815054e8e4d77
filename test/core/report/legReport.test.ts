import type { LegRecord } from '../../../src/core/model.js';
import { renderLegMarkdown } from '../../../src/core/report/legReport.js';

const digest = `sha256:${'e'.repeat(64)}`;
const record: LegRecord = {
  schema: 1,
  legId: 'app--linux-amd64',
  image: 'app',
  dir: 'app',
  platform: 'linux/amd64',
  backend: 'kaniko',
  runner: 'ubuntu-latest',
  repository: '127.0.0.1:5000/hephy/app',
  digest,
  compressedSize: 2048,
  pushed: true,
  durationsMs: { setup: 1, build: 2, push: 3, total: 6 },
  status: 'success',
  startedAt: 't0',
  finishedAt: 't1',
};

describe('renderLegMarkdown', () => {
  it('names the pushed reference of a pushed leg', () => {
    const md = renderLegMarkdown(record);
    expect(md).toContain('**pushed**');
    expect(md).toContain(`Digest: \`127.0.0.1:5000/hephy/app@${digest}\``);
  });

  it('says a leg built with push off was not pushed and its digest is in no registry', () => {
    const md = renderLegMarkdown({ ...record, pushed: false, compressedSize: undefined });
    expect(md).toContain('**built, not pushed (push disabled)**');
    expect(md).toContain(`Digest as built: \`${digest}\` (not in any registry: push is disabled).`);
    expect(md).not.toContain('127.0.0.1:5000/hephy/app@');
  });
});
