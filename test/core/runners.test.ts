import { UserError } from '../../src/core/problem.js';
import { DEFAULT_RUNNERS, parseRunnerMap, runnerFor } from '../../src/core/runners.js';

describe('runnerFor', () => {
  it('uses native runners by default', () => {
    expect(runnerFor('linux/amd64')).toEqual({ runner: 'ubuntu-latest', emulated: false });
    expect(runnerFor('linux/arm64')).toEqual({ runner: 'ubuntu-24.04-arm', emulated: false });
    expect(runnerFor('linux/arm64/v8')).toEqual({ runner: 'ubuntu-24.04-arm', emulated: false });
    expect(runnerFor('wasi/wasm32')).toEqual({ runner: 'ubuntu-latest', emulated: false });
  });

  it('emulates other platforms with QEMU on the amd64 runner, or on `default`', () => {
    expect(runnerFor('linux/s390x')).toEqual({ runner: 'ubuntu-latest', emulated: true });
    expect(runnerFor('linux/arm/v7', { ...DEFAULT_RUNNERS, 'linux/amd64': 'big-x64' })).toEqual({ runner: 'big-x64', emulated: true });
    expect(runnerFor('linux/ppc64le', { ...DEFAULT_RUNNERS, default: 'qemu-box' })).toEqual({ runner: 'qemu-box', emulated: true });
  });
});

describe('parseRunnerMap', () => {
  it('accepts JSON and YAML, overriding the defaults entry by entry', () => {
    expect(parseRunnerMap('{"linux/arm64": "self-hosted-arm"}')).toEqual({ ...DEFAULT_RUNNERS, 'linux/arm64': 'self-hosted-arm' });
    expect(parseRunnerMap('linux/arm/v7: pi-runner\ndefault: qemu-box\n')).toEqual({
      ...DEFAULT_RUNNERS,
      'linux/arm/v7': 'pi-runner',
      default: 'qemu-box',
    });
    expect(parseRunnerMap('  ')).toEqual(DEFAULT_RUNNERS);
  });

  it('normalises platform keys so lookups match', () => {
    const map = parseRunnerMap('{"linux/arm64/v8": "arm", "linux/arm": "pi"}');
    expect(runnerFor('linux/arm64', map).runner).toBe('arm');
    expect(runnerFor('linux/arm/v7', map)).toEqual({ runner: 'pi', emulated: false });
  });

  it.each([
    ['{"linux/arm64": ', /not valid JSON or YAML/],
    ['[ubuntu-latest]', /expected a mapping of platform to runner label/],
    ['linux/arm64: [self-hosted, arm]', /linux\/arm64: expected one runner label/],
    ['linux/arm65: x', /linux\/arm65: .*unknown architecture arm65.*did you mean `linux\/arm64`/],
    ['linux/amd64: ""', /expected one runner label/],
  ])('rejects %s with a clear message', (text, message) => {
    let error: unknown;
    try {
      parseRunnerMap(text);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).toMatch(/^runner map: /);
  });
});
