import { parseLeg } from '../../src/core/leg.js';

const leg = {
  id: 'app--linux-arm64',
  image: 'app',
  dir: 'apps/app',
  backend: 'ko',
  platform: 'linux/arm64',
  runner: 'ubuntu-24.04-arm',
  emulated: false,
};

describe('parseLeg', () => {
  it('accepts a matrix leg, ignoring extra matrix keys', () => {
    expect(parseLeg(JSON.stringify({ ...leg, extra: 1 }))).toEqual(leg);
  });
  it('carries a runner in every form runs-on takes, and refuses others', () => {
    for (const runner of [['self-hosted', 'ARM64'], { group: 'arm' }, { group: 'arm', labels: ['linux'] }, { labels: 'x' }]) {
      expect(parseLeg(JSON.stringify({ ...leg, runner })).runner).toEqual(runner);
    }
    expect(() => parseLeg(JSON.stringify({ ...leg, runner: [] }))).toThrow(/^leg: not a valid leg: runner/);
    expect(() => parseLeg(JSON.stringify({ ...leg, runner: { group: 'a', os: 'linux' } }))).toThrow(/^leg: not a valid leg: runner/);
  });
  it('says what is wrong with a bad leg', () => {
    expect(() => parseLeg('')).toThrow(/leg is empty/);
    expect(() => parseLeg('{')).toThrow(/^leg: not a JSON leg \(.*\); pass a leg of the plan's matrix/);
    expect(() => parseLeg(JSON.stringify({ ...leg, backend: 'docker' }))).toThrow(/^leg: not a valid leg: backend: /);
    expect(() => parseLeg(JSON.stringify({ ...leg, id: '../x' }))).toThrow(/^leg: not a valid leg: id: /);
  });
});
