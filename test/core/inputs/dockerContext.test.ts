import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { dockerContextInputs, dockerContextPaths } from '../../../src/core/inputs/dockerContext.js';
import { tempRepo } from '../../helpers/gitRepo.js';

describe('dockerContextPaths', () => {
  it('reads context_path from the app dir and dockerfile_path from the context', () => {
    expect(dockerContextPaths('/repo', 'apps/web', { context_path: '../..', dockerfile_path: 'apps/web/Dockerfile' })).toEqual({
      context: '.',
      dockerfile: 'apps/web/Dockerfile',
      dockerignore: '.dockerignore',
    });
    expect(dockerContextPaths('/repo', 'app', { dockerfile_path: '../Dockerfile.app' })).toEqual({
      context: 'app',
      dockerfile: 'Dockerfile.app',
      dockerignore: 'app/.dockerignore',
    });
  });

  it('takes a context leading out of the repository as the whole repository', () => {
    expect(dockerContextPaths('/repo', 'app', { context_path: '../..' }).context).toBe('.');
  });
});

describe('dockerContextInputs', () => {
  // .dockerignore semantics as Docker's (moby pkg/fileutils, ported by @balena/dockerignore 1.0.2):
  // `*.md` matches at the context root only; `**/*.md` at any depth; `!` re-includes; a
  // pattern naming a directory excludes what is below it.
  const repo = tempRepo({
    'app/Dockerfile': 'FROM scratch\n',
    'app/.dockerignore': '*.md\n!KEEP.md\n**/*.tmp\nbuild\n',
    'app/README.md': '',
    'app/KEEP.md': '',
    'app/src/NOTES.md': '',
    'app/src/main.c': '',
    'app/src/x.tmp': '',
    'app/build/out.o': '',
    'app/.git/HEAD': '',
  });
  afterAll(() => repo.remove());
  mkdirSync(join(repo.root, 'app', 'links'));
  symlinkSync('../src/main.c', join(repo.root, 'app', 'links', 'main.c'));
  const inputs = dockerContextInputs(repo.root, dockerContextPaths(repo.root, 'app', {}));

  it('lists the context less what .dockerignore drops, with the Dockerfile and .dockerignore', async () => {
    expect(await inputs.files()).toEqual([
      'app/.dockerignore',
      'app/Dockerfile',
      'app/KEEP.md',
      'app/links/main.c',
      'app/src/NOTES.md',
      'app/src/main.c',
    ]);
  });

  it('covers deleted and new paths by the same rules', () => {
    expect(inputs.covers('app/src/gone.c')).toBe(true);
    expect(inputs.covers('app/OTHER.md')).toBe(false);
    expect(inputs.covers('app/build/new.o')).toBe(false);
    expect(inputs.covers('other/file')).toBe(false);
    expect(inputs.covers('app/.dockerignore')).toBe(true);
  });

  it('keeps the Dockerfile and .dockerignore as inputs even when .dockerignore names them', () => {
    const r = tempRepo({ 'a/Dockerfile': '', 'a/.dockerignore': 'Dockerfile\n.dockerignore\n' });
    try {
      const own = dockerContextInputs(r.root, dockerContextPaths(r.root, 'a', {}));
      expect(own.covers('a/Dockerfile')).toBe(true);
      expect(own.covers('a/.dockerignore')).toBe(true);
    } finally {
      r.remove();
    }
  });
});
