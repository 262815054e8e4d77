// The leg's SBOM of a Spin app is made from its source directory: only one inside the repository.
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { insideRepository } from '../../src/pipeline/legSbom.js';

describe('insideRepository (the source tree a Spin SBOM describes)', () => {
  const base = mkdtempSync(join(tmpdir(), 'hephy-leg-sbom-'));
  const repo = join(base, 'repo');
  const outside = join(base, 'outside');
  mkdirSync(join(repo, 'apps', 'hello'), { recursive: true });
  mkdirSync(outside);
  symlinkSync(outside, join(repo, 'apps', 'elsewhere'));
  symlinkSync(join(repo, 'apps', 'hello'), join(repo, 'apps', 'alias'));

  it('gives the real path of a directory in the repository, the root included, links followed', () => {
    expect(insideRepository(join(repo, 'apps', 'hello'), repo)).toBe(realpathSync(join(repo, 'apps', 'hello')));
    expect(insideRepository(join(repo, 'apps', 'alias'), repo)).toBe(realpathSync(join(repo, 'apps', 'hello')));
    expect(insideRepository(repo, repo)).toBe(realpathSync(repo));
  });

  it('refuses one that leads outside it, by a link or by ..', () => {
    expect(() => insideRepository(join(repo, 'apps', 'elsewhere'), repo)).toThrow(
      `the sources to describe (${join(repo, 'apps', 'elsewhere')}) lead outside the repository (${repo}): no SBOM made of them`,
    );
    expect(() => insideRepository(join(repo, '..', 'outside'), repo)).toThrow(/lead outside the repository/);
  });
});
