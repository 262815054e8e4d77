import { parseCommandArgs } from '../../src/cli/args.js';
import { buildCommand } from '../../src/cli/commands/build.js';
import { mergeCommand } from '../../src/cli/commands/merge.js';
import { registryFromArgs } from '../../src/cli/registryOptions.js';

const io = { out: () => undefined, err: () => undefined, cwd: process.cwd(), env: { HOME: '/nonexistent', PATH: '/usr/bin:/bin' } };

describe('registryFromArgs: the image prefix of build and merge', () => {
  it.each([
    [['--image-prefix', 'team'], 'team'],
    [['--prefix', 'team'], 'team'],
    [['--image-prefix', 'team', '--prefix', 'team'], 'team'],
    [[], 'hephy'],
  ])('%j -> %s', (flags, prefix) => {
    for (const command of [buildCommand, mergeCommand]) {
      const args = parseCommandArgs(command, ['--registry', '127.0.0.1:5000', ...flags]);
      expect(registryFromArgs(args, io).publish.prefix).toBe(prefix);
    }
  });

  it('refuses two different values', () => {
    const args = parseCommandArgs(buildCommand, ['--registry', 'r.example', '--image-prefix', 'a', '--prefix', 'b']);
    expect(() => registryFromArgs(args, io)).toThrow('--image-prefix `a` and --prefix `b` are one option');
  });
});
