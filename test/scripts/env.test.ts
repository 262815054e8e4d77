// `. scripts/env.sh` for local work: the pinned tools (crane included) come first on PATH.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The binaries scripts/install-tools.sh puts in $HEPHY_TOOLS_DIR/bin. */
const PINNED = ['crane', 'ko', 'buildkitd', 'buildctl', 'buildx', 'executor', 'act', 'actionlint'];

function fakeTool(dir: string, name: string): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), '#!/bin/sh\nexit 0\n');
  chmodSync(join(dir, name), 0o755);
}

describe('scripts/env.sh', () => {
  it('puts every pinned tool first on PATH, ahead of another copy already there, and sets CONTAINERS_CONF and KOCACHE', () => {
    const tools = mkdtempSync(join(tmpdir(), 'hephy-env-tools-'));
    const other = mkdtempSync(join(tmpdir(), 'hephy-env-other-'));
    for (const name of PINNED) fakeTool(join(tools, 'bin'), name);
    fakeTool(other, 'crane');
    const script = `. scripts/env.sh && for t in ${PINNED.join(' ')}; do command -v "$t"; done && echo "$CONTAINERS_CONF" && echo "$KOCACHE"`;
    const result = spawnSync('bash', ['-c', script], {
      encoding: 'utf8',
      env: { HOME: '/nonexistent', HEPHY_TOOLS_DIR: tools, PATH: `${other}:/usr/bin:/bin` },
    });
    expect(result.stderr).toBe('');
    expect(result.stdout.trim().split('\n')).toEqual([
      ...PINNED.map((name) => join(tools, 'bin', name)),
      join(tools, 'containers.conf'),
      join(tools, 'cache', 'ko'),
    ]);
  });

  it('uses ~/.local/hephy-builder when HEPHY_TOOLS_DIR is unset', () => {
    const home = mkdtempSync(join(tmpdir(), 'hephy-env-home-'));
    fakeTool(join(home, '.local', 'hephy-builder', 'bin'), 'crane');
    const result = spawnSync('bash', ['-c', '. scripts/env.sh && command -v crane'], {
      encoding: 'utf8',
      env: { HOME: home, PATH: '/usr/bin:/bin' },
    });
    expect(result.stdout.trim()).toBe(join(home, '.local', 'hephy-builder', 'bin', 'crane'));
  });
});
