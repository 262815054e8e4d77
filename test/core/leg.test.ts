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
  it('says what is wrong with a bad leg', () => {
    expect(() => parseLeg('')).toThrow(/leg is empty/);
    expect(() => parseLeg('{')).toThrow(/^leg: not a JSON leg \(.*\); pass a leg of the plan's matrix/);
    expect(() => parseLeg(JSON.stringify({ ...leg, backend: 'docker' }))).toThrow(/^leg: not a valid leg: backend: /);
    expect(() => parseLeg(JSON.stringify({ ...leg, id: '../x' }))).toThrow(/^leg: not a valid leg: id: /);
  });
});
