import { UserError } from '../../src/core/problem.js';
import { DEFAULT_RUNNERS, formatRunner, parseRunnerMap, runnerFor } from '../../src/core/runners.js';

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

  // ko runs `go build` with GOOS/GOARCH set: the compiler emits the foreign code, nothing of it
  // runs on the runner, so no QEMU (core/backendTraits.ts crossCompiles).
  it('does not emulate a backend that cross-compiles', () => {
    expect(runnerFor('linux/arm/v7', DEFAULT_RUNNERS, true)).toEqual({ runner: 'ubuntu-latest', emulated: false });
    expect(runnerFor('linux/arm64', parseRunnerMap('linux/arm64: null'), true)).toEqual({ runner: 'ubuntu-latest', emulated: false });
    expect(runnerFor('linux/arm64', parseRunnerMap('linux/arm64: null'), false)).toEqual({ runner: 'ubuntu-latest', emulated: true });
  });

  it('hands out lists and groups as they were given', () => {
    const map = parseRunnerMap('linux/arm64: [self-hosted, ARM64]\ndefault: {group: qemu, labels: [linux]}\n');
    expect(runnerFor('linux/arm64', map)).toEqual({ runner: ['self-hosted', 'ARM64'], emulated: false });
    expect(runnerFor('linux/riscv64', map)).toEqual({ runner: { group: 'qemu', labels: ['linux'] }, emulated: true });
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

  // GitHub's workflow syntax, jobs.<job_id>.runs-on: "a single string or an array of strings", or
  // a mapping with `group` and/or `labels` (labels: a string or an array). The plan keeps the form
  // it was given, so a single label stays a string.
  it('takes every form runs-on takes: a label, a list of labels, a group with labels', () => {
    const map = parseRunnerMap(
      [
        'linux/amd64: [self-hosted, x64]',
        'linux/arm64: {group: arm-runners, labels: [linux, ARM64]}',
        'linux/arm/v7: {group: pi-farm}',
        'linux/s390x: {labels: mainframe}',
        'linux/ppc64le: [power9]',
      ].join('\n'),
    );
    expect(map).toEqual({
      'linux/amd64': ['self-hosted', 'x64'],
      'linux/arm64': { group: 'arm-runners', labels: ['linux', 'ARM64'] },
      'linux/arm/v7': { group: 'pi-farm' },
      'linux/s390x': { labels: 'mainframe' },
      'linux/ppc64le': ['power9'],
      'wasi/wasm32': 'ubuntu-latest',
    });
    expect(parseRunnerMap('{"linux/arm64": {"group": "Larger runners", "labels": "ubuntu-24.04-arm64-4core"}}')['linux/arm64']).toEqual({
      group: 'Larger runners',
      labels: 'ubuntu-24.04-arm64-4core',
    });
  });

  it('removes a platform runner with null, so its legs run on the default runner', () => {
    const map = parseRunnerMap('linux/arm64: null');
    expect(map['linux/arm64']).toBeUndefined();
    expect(runnerFor('linux/arm64', map)).toEqual({ runner: 'ubuntu-latest', emulated: true });
  });

  it('normalises platform keys so lookups match', () => {
    const map = parseRunnerMap('{"linux/arm64/v8": "arm", "linux/arm": "pi"}');
    expect(runnerFor('linux/arm64', map).runner).toBe('arm');
    expect(runnerFor('linux/arm/v7', map)).toEqual({ runner: 'pi', emulated: false });
  });

  it.each([
    ['{"linux/arm64": ', /not valid JSON or YAML/],
    ['[ubuntu-latest]', /expected a mapping of platform to runner/],
    ['linux/arm64: [self hosted, arm]', /linux\/arm64 \(line 1\): "self hosted" is not a runner label/],
    ['linux/arm64: []', /linux\/arm64 \(line 1\): the list of labels is empty/],
    ['linux/arm64: [a, 3]', /a label is a string, got 3/],
    ['linux/arm64: {grup: arm}', /unknown key `grup` \(runs-on takes group and labels\) \(did you mean `group`\?\)/],
    ['linux/arm64: {}', /expected group, labels or both/],
    ['linux/arm64: {group: ""}', /group must be a runner group's name/],
    ['linux/arm64: {group: arm, labels: [a b]}', /"a b" is not a runner label/],
    ['linux/amd64: x\nlinux/arm65: x', /linux\/arm65 \(line 2\): .*unknown architecture arm65.*did you mean `linux\/arm64`/],
    ['linux/amd64: ""', /is not a runner label/],
    ['linux/amd64: 7', /expected a runner label, a list of labels/],
    ['default: null', /the default runner cannot be removed/],
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

describe('formatRunner', () => {
  it('writes each form on one line', () => {
    expect(formatRunner('ubuntu-latest')).toBe('ubuntu-latest');
    expect(formatRunner(['self-hosted', 'ARM64'])).toBe('[self-hosted, ARM64]');
    expect(formatRunner({ group: 'arm', labels: ['linux', 'ARM64'] })).toBe('{group: arm, labels: [linux, ARM64]}');
    expect(formatRunner({ labels: 'x' })).toBe('{labels: x}');
  });
});
