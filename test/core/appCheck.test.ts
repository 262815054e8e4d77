import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { checkApp } from '../../src/core/appCheck.js';
import { tempDir } from '../helpers/gitRepo.js';

let root: string;
beforeEach(() => {
  root = tempDir('hephy-app-check-');
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

const config = (dir: string) => ({ path: join(root, dir, 'build-config.yaml'), shown: `${dir}/build-config.yaml` });

describe('checkApp', () => {
  it('detects a config-less app from its files, with an empty config', () => {
    write({ 'app/Dockerfile': 'FROM scratch\n' });
    const checked = checkApp(join(root, 'app'), undefined, { displayDir: 'app' });
    expect(checked).toMatchObject({ config: {}, detection: { backend: 'kaniko' }, problems: [] });
    expect(checked.locate).toBeUndefined();
  });

  it('stops at a config with errors: its problems, no detection', () => {
    write({ 'app/build-config.yaml': 'build_backnd: ko\n', 'app/Dockerfile': 'FROM scratch\n' });
    const checked = checkApp(join(root, 'app'), config('app'), { displayDir: 'app' });
    expect(checked.config).toBeUndefined();
    expect(checked.detection).toBeUndefined();
    expect(checked.problems.map((p) => [p.file, p.path])).toEqual([['app/build-config.yaml', 'build_backnd']]);
  });

  it('gives the config’s problems, then what the backend misses in the directory, named as shown', () => {
    write({ 'app/build-config.yaml': 'build_backend: kaniko\ndockerfile_path: Dockerfile.prod\n' });
    const checked = checkApp(join(root, 'app'), config('app'), { displayDir: 'app' });
    expect(checked.config).toEqual({ build_backend: 'kaniko', dockerfile_path: 'Dockerfile.prod' });
    expect(checked.locate?.(['dockerfile_path'])).toEqual({ line: 2, column: 18 });
    expect(checked.problems).toEqual([
      expect.objectContaining({ file: 'app/build-config.yaml', line: 2, path: 'dockerfile_path', severity: 'error' }),
    ]);
  });
});
