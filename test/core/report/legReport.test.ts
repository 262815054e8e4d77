import type { LegRecord } from '../../../src/core/model.js';
import { renderLegMarkdown } from '../../../src/core/report/legReport.js';
import { cell, inlineCode, plainText } from '../../../src/core/report/planReport.js';
import { renderRunSummaryMarkdown } from '../../../src/core/report/runSummary.js';

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

describe('untrusted text in summaries', () => {
  it('keeps an error holding a code fence inside one longer fence', () => {
    const md = renderLegMarkdown({ ...record, status: 'failure', error: 'boom\n```\n<img src=x onerror=alert(1)>\n```' });
    expect(md).toContain('````\nboom\n```\n<img src=x onerror=alert(1)>\n```\n````');
  });

  it('escapes HTML and Markdown of a table cell, and @mentions (CommonMark 0.31 §2.4 backslash escapes, §6.1 code spans)', () => {
    const hostile = '<img src=x> **bold** [link](http://x) @octocat `code` ~~s~~ a|b\nnext';
    const text = cell(plainText(hostile));
    expect(text).toBe('&lt;img src=x&gt; \\*\\*bold\\*\\* \\[link\\](http://x) \\@octocat \\`code\\` \\~\\~s\\~\\~ a\\|b next');
    expect(cell(inlineCode('a`b|c'))).toBe("`a'b\\|c`");
  });

  it('escapes a failed leg’s error and its runner label in the run summary', () => {
    const failed: LegRecord = { ...record, status: 'failure', runner: '<b>runner</b>', error: 'x <script>alert(1)</script> @team' };
    const md = renderRunSummaryMarkdown({
      mergeMs: 1,
      outcomes: [
        {
          image: 'app',
          status: 'failed',
          tags: [],
          platforms: ['linux/amd64'],
          failedLegs: [{ legId: failed.legId, platform: failed.platform, reason: failed.error! }],
          records: [failed],
        },
      ],
    });
    expect(md).not.toContain('<script>');
    expect(md).not.toContain('<b>runner');
    expect(md).toContain('\\@team');
  });
});
