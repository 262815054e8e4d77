import type { BackendName } from '../../src/core/backendTraits.js';
import type { ImageSpec } from '../../src/core/model.js';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareOutDir, toolsFor } from '../../src/pipeline/localRun.js';

const images = (...backends: BackendName[]) => ({ images: backends.map((backend) => ({ backend }) as ImageSpec) });

describe('toolsFor (the install-tools.sh steps of a local run)', () => {
  it('installs what every run needs, and each planned backend its own tools, once each', () => {
    expect(toolsFor(images())).toEqual(['apt', 'buildx', 'crane']);
    expect(toolsFor(images('ko', 'ko'))).toEqual(['apt', 'buildx', 'crane', 'ko']);
    expect(toolsFor(images('buildkit', 'kaniko')).sort()).toEqual(
      ['apt', 'buildx', 'crane', 'buildkit', 'binfmt', 'kaniko', 'containers-conf'].sort(),
    );
    // The Spin CLI cannot be installed by the script: the user installs it.
    expect(toolsFor(images('spin'))).toEqual(['apt', 'buildx', 'crane']);
  });
});

describe('prepareOutDir (the run output inside the user checkout)', () => {
  const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, encoding: 'utf8' });

  it('keeps the records out of git status (real git), so ko does not see a dirty tree', () => {
    const repo = mkdtempSync(join(tmpdir(), 'hephy-out-'));
    git(repo, 'init', '-q');
    prepareOutDir(join(repo, '.hephy', 'run'));
    writeFileSync(join(repo, '.hephy', 'run', 'report.json'), '{}');
    expect(git(repo, 'status', '--porcelain', '--untracked-files=all')).toBe('');
  });

  it("keeps a .gitignore the user's --out directory already has", () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'hephy-out-')), 'mine');
    mkdirSync(dir);
    writeFileSync(join(dir, '.gitignore'), 'legs/\n');
    prepareOutDir(dir);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('legs/\n');
  });
});
