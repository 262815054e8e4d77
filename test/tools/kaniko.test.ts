import {
  isPushStart,
  kanikoArgs,
  kanikoFailureReason,
  logMessage,
  runInstruction,
  stepOutputLine,
  type FailureContext,
} from '../../src/tools/kaniko.js';

// Output lines below were printed by the chainguard-dev/kaniko v1.25.5 executor (podman, local
// registry) for the failure each test names.
const REG = '127.0.0.1:52265';
const base: FailureContext = {
  output: '',
  exitCode: 1,
  platform: 'linux/arm64',
  dockerfile: 'Dockerfile',
  destination: `${REG}/t/app`,
};
const reason = (output: string, extra: Partial<FailureContext> = {}) => kanikoFailureReason({ ...base, output, ...extra });

describe('kanikoFailureReason', () => {
  it('names the RUN step that failed and its exit status', () => {
    const output = [
      'time="2026-11-25T15:10:24Z" level=info msg="Running: [/bin/sh -c exit 3]"',
      'error building image: error building stage: failed to execute command: waiting for process to exit: exit status 3',
    ].join('\n');
    expect(reason(output, { lastRun: 'RUN exit 3', exitCode: 3 })).toBe('RUN exit 3 failed with exit status 3');
    // What the step itself printed last is its own error.
    expect(reason(output, { lastRun: 'RUN make', lastOutput: 'make: *** No rule to make target', exitCode: 3 })).toBe(
      'RUN make failed with exit status 3: make: *** No rule to make target',
    );
  });

  it("tells the step's own output from the executor's log lines", () => {
    expect(stepOutputLine('flaky: refusing to build on aarch64')).toBe('flaky: refusing to build on aarch64');
    expect(stepOutputLine('time="2026-11-25T15:10:24Z" level=info msg="Running: [/bin/sh -c exit 3]"')).toBeUndefined();
    expect(stepOutputLine('error building image: error building stage: failed to execute command')).toBeUndefined();
    expect(stepOutputLine('   ')).toBeUndefined();
  });

  it('names the base image that is not in its registry', () => {
    const output = `error building image: unable to complete operation after 0 attempts, last error: GET http://${REG}/v2/hephy/nope/manifests/1: MANIFEST_UNKNOWN: manifest unknown; map[Tag:1]`;
    expect(reason(output)).toBe(`base image ${REG}/hephy/nope:1 not found in its registry`);
  });

  it('says a Dockerfile is not in the context', () => {
    const output =
      'Error: error resolving dockerfile path: please provide a valid path to a Dockerfile within the build context with --dockerfile\nUsage:\n  executor [flags]';
    expect(reason(output, { dockerfile: 'docker/Dockerfile' })).toBe('the Dockerfile docker/Dockerfile is not in the build context');
  });

  it('says a target stage does not exist', () => {
    expect(reason('error building image: Error finding target stage: foo is not a valid target build stage', { target: 'foo' })).toBe(
      'target foo: the Dockerfile has no stage of that name',
    );
  });

  it('points at the Dockerfile line kaniko cannot parse', () => {
    const output =
      'error building image: parsing dockerfile: dockerfile parse error on line 2: unknown instruction: FOO (did you mean FROM?)';
    expect(reason(output)).toBe('Dockerfile line 2: unknown instruction: FOO (did you mean FROM?)');
  });

  it('explains a push permission failure for an unreachable registry with its cause', () => {
    const output =
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "registry.example.invalid/t/app:x": creating push check transport for registry.example.invalid failed: Get "https://registry.example.invalid/v2/": dial tcp: lookup registry.example.invalid on 10.255.255.53:53: no such host';
    expect(reason(output, { destination: 'registry.example.invalid/t/app:x' })).toBe(
      'cannot push to registry.example.invalid/t/app:x: checking push permission for "registry.example.invalid/t/app:x": creating push check transport for registry.example.invalid failed: Get "https://registry.example.invalid/v2/": dial tcp: lookup registry.example.invalid on 10.255.255.53:53: no such host',
    );
  });

  it('says to log in when the push is not authorised', () => {
    const output =
      'error checking push permissions -- make sure you entered the correct tag name, and that you are authenticated correctly, and try again: checking push permission for "registry.example.com/t/app:x": POST https://registry.example.com/v2/t/app/blobs/uploads/: UNAUTHORIZED: authentication required';
    expect(reason(output, { destination: 'registry.example.com/t/app:x' })).toMatch(
      /^cannot push to registry.example.com\/t\/app:x: not authorised: log in/,
    );
  });

  it('blames missing QEMU for a foreign RUN that cannot start', () => {
    const output =
      'error building image: error building stage: failed to execute command: starting command: fork/exec /bin/sh: exec format error';
    expect(reason(output, { lastRun: 'RUN uname -m > /arch' })).toBe(
      'RUN uname -m > /arch cannot run arm64 programs on this machine (exec format error): register QEMU binfmt handlers with the F flag, or build linux/arm64 on a native runner',
    );
  });

  it("falls back to the executor's last error line, on one line", () => {
    expect(reason('time="x" level=info msg="Unpacking rootfs"\nerror building image: something\nnew happened')).toBe(
      'error building image: something',
    );
    expect(reason('', { exitCode: 137 })).toBe('the executor exited with code 137');
  });
});

describe('log lines', () => {
  it('reads the message of a text-format line', () => {
    expect(logMessage('time="2026-11-25T15:10:16Z" level=info msg="Args: [-c uname -m > /arch]"')).toBe('Args: [-c uname -m > /arch]');
    expect(logMessage('time="t" level=info msg="RUN echo \\"hi\\""')).toBe('RUN echo "hi"');
    expect(logMessage('plain line')).toBe('plain line');
  });

  it('finds RUN instructions and the start of the push', () => {
    expect(runInstruction('time="t" level=info msg="RUN uname -m > /arch"')).toBe('RUN uname -m > /arch');
    expect(runInstruction('time="t" level=info msg="Running: [/bin/sh -c x]"')).toBeUndefined();
    expect(isPushStart(`time="t" level=info msg="Pushing image to ${REG}/t/app:hephy-leg-app--linux-arm64"`)).toBe(true);
    expect(isPushStart(`time="t" level=info msg="Pushed ${REG}/t/app@sha256:00"`)).toBe(false);
  });
});

describe('kanikoArgs', () => {
  it('pushes to a destination or writes a layout, never both', () => {
    const common = {
      dockerfile: '/workspace/Dockerfile',
      platform: 'linux/amd64',
      buildArgs: [],
      digestFile: '/hephy/out/digest',
      insecure: false,
    };
    const pushed = kanikoArgs({ ...common, output: { kind: 'scratch-tag', destination: `${REG}/t/app:hephy-leg-x` } });
    expect(pushed).toContain(`--destination=${REG}/t/app:hephy-leg-x`);
    expect(pushed).not.toContain('--no-push');
    const layout = kanikoArgs({ ...common, output: { kind: 'layout', layoutDir: '/hephy/out/layout' } });
    expect(layout).toEqual(expect.arrayContaining(['--no-push', '--oci-layout-path=/hephy/out/layout']));
    expect(layout.some((a) => a.startsWith('--destination'))).toBe(false);
    expect(layout).not.toContain('--force');
  });
});
