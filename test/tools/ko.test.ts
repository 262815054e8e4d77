import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { UserError } from '../../src/core/problem.js';
import { koLayoutDir, readUserKoConfig, stripGoLogTime } from '../../src/tools/ko.js';

describe('koLayoutDir', () => {
  it('writes the layout under workDir when ko accepts that path', () => {
    expect(koLayoutDir('/tmp/hephy-leg-app--linux-arm64-x1y2z3')).toEqual({
      dir: '/tmp/hephy-leg-app--linux-arm64-x1y2z3/ko/oci-layout',
      temporary: false,
    });
  });

  it('moves to a lower-case temp dir when workDir has upper case (ko parses the path as a repository)', () => {
    const chosen = koLayoutDir('/tmp/hephy-leg-app-AbC123', '/tmp');
    expect(chosen.temporary).toBe(true);
    expect(chosen.dir).toMatch(/^\/tmp\/hephy-ko-layout-[0-9a-f]{12}$/);
  });

  it('falls back to /tmp when the temp dir has upper case too (a TMPDIR like macOS /var/folders/.../T/)', () => {
    const chosen = koLayoutDir('/tmp/Work-AbC/hephy-leg-x', '/tmp/Work-AbC');
    expect(chosen.temporary).toBe(true);
    expect(chosen.dir).toMatch(/^\/tmp\/hephy-ko-layout-[0-9a-f]{12}$/);
  });

  it('says what to do when no usable path exists', () => {
    expect(() => koLayoutDir('/Work', '/Temp', ['/Tmp'])).toThrow('set TMPDIR to such a directory');
  });
});

describe('stripGoLogTime', () => {
  it('drops the Go log timestamp that ko puts before every line', () => {
    expect(stripGoLogTime('2026/11/25 15:10:02 Building example.com/app for linux/arm64')).toBe('Building example.com/app for linux/arm64');
    expect(stripGoLogTime('Error: no timestamp')).toBe('Error: no timestamp');
  });
});

describe('readUserKoConfig', () => {
  it('is undefined without a .ko.yaml, and a user error naming the file when it is broken', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hephy-koyaml-'));
    expect(readUserKoConfig(dir)).toBeUndefined();
    writeFileSync(join(dir, '.ko.yml'), 'builds: [\n');
    expect(() => readUserKoConfig(dir)).toThrow(UserError);
    expect(() => readUserKoConfig(dir)).toThrow(`${join(dir, '.ko.yml')} is not valid YAML`);
  });
});
