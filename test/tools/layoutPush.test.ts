// The two layout pushers behind one shape: what each runs, how it checks the digest the registry
// got, and the one-line failure both give (the tool's own last error line, not its argv).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cranePusher } from '../../src/tools/crane.js';
import { ToolError, type RunOptions, type RunResult, type Runner } from '../../src/tools/exec.js';
import { runPushTool, type LayoutPush, type LayoutPusher } from '../../src/tools/layoutPush.js';
import { skopeoPusher } from '../../src/tools/skopeo.js';

const DIGEST = `sha256:${'e'.repeat(64)}`;
const OTHER = `sha256:${'f'.repeat(64)}`;
const REPO = '127.0.0.1:5000/team/app';

function request(): LayoutPush {
  const workDir = mkdtempSync(join(tmpdir(), 'hephy-push-'));
  return { layoutDir: join(workDir, 'layout'), repository: REPO, digest: DIGEST, insecure: true, env: { HOME: workDir }, workDir };
}

/** crane echoes the reference it wrote; skopeo writes the pushed digest to --digestfile. */
function succeeding(pushedDigest: string): { runner: Runner; calls: { cmd: string; args: readonly string[]; options?: RunOptions }[] } {
  const calls: { cmd: string; args: readonly string[]; options?: RunOptions }[] = [];
  const runner: Runner = async (cmd, args, options) => {
    calls.push({ cmd, args, options });
    const digestFile = args.find((a) => a.startsWith('--digestfile='))?.slice('--digestfile='.length);
    if (digestFile) writeFileSync(digestFile, pushedDigest);
    return { code: 0, stdout: `${REPO}@${pushedDigest}\n`, stderr: '', durationMs: 42 } satisfies RunResult;
  };
  return { runner, calls };
}

const failing =
  (stderr: string): Runner =>
  async (cmd, args) => {
    throw new ToolError(`${cmd} ${args.join(' ')} exited with code 1:\n${stderr}`, `${cmd} ${args.join(' ')}`, 1, '', stderr);
  };

const pushers: [string, (runner: Runner) => LayoutPusher][] = [
  ['crane', cranePusher],
  ['skopeo', skopeoPusher],
];

describe.each(pushers)('%s pusher', (tool, make) => {
  it('pushes by digest with a time bound and resolves to the time the tool ran', async () => {
    const { runner, calls } = succeeding(DIGEST);
    await expect(make(runner).push(request())).resolves.toBe(42);
    expect(calls).toHaveLength(1);
    expect(calls[0].cmd).toBe(tool);
    expect(calls[0].args.at(-1)).toMatch(new RegExp(`${REPO}@${DIGEST}$`));
    expect(calls[0].options?.timeoutMs).toBeGreaterThan(0);
  });

  it('refuses a push that reports another digest', async () => {
    await expect(make(succeeding(OTHER).runner).push(request())).rejects.toThrow(DIGEST);
  });

  it("fails in one line with the tool's own error, not its command line", async () => {
    const stderr = [
      'some progress',
      tool === 'skopeo'
        ? 'time="2026-01-01T00:00:00Z" level=fatal msg="writing manifest: unauthorized: authentication required"'
        : 'Error: PUT http://127.0.0.1:5000/v2/team/app/manifests/x: UNAUTHORIZED: authentication required',
    ].join('\n');
    const error = (await make(failing(stderr))
      .push(request())
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(new RegExp(`^${tool}: cannot push ${REPO}@${DIGEST}: \\S.*authentication required"?$`, 'i'));
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toMatch(/time=|: Error: |--insecure|--digestfile/);
  });
});

describe('runPushTool', () => {
  const MANIFEST_RACE =
    'Error: PUT http://127.0.0.1:5000/v2/team/app/manifests/sha256:ab: multiple errors returned: DIGEST_INVALID: provided digest did not match uploaded content; MANIFEST_BLOB_UNKNOWN: blob unknown to registry';

  it('tries once more after a transient registry error (two legs uploading one blob), and says so in the log', async () => {
    let calls = 0;
    const runner: Runner = async (cmd, args) => {
      calls += 1;
      if (calls === 1) return failing(MANIFEST_RACE)(cmd, args);
      return { code: 0, stdout: `${REPO}@${DIGEST}\n`, stderr: '', durationMs: 7 };
    };
    const lines: string[] = [];
    const result = await runPushTool(runner, 'crane', ['push'], { ...request(), onLine: (line: string) => lines.push(line) }, 0);
    expect([calls, result.durationMs]).toEqual([2, 7]);
    expect(lines).toEqual([expect.stringMatching(/^crane: the registry refused the push \(PUT .*DIGEST_INVALID.*\); trying once more$/)]);
  });

  it('gives up after the second try, and never retries an error that is not transient', async () => {
    let calls = 0;
    const counting =
      (stderr: string): Runner =>
      async (cmd, args) => {
        calls += 1;
        return failing(stderr)(cmd, args);
      };
    await expect(runPushTool(counting(MANIFEST_RACE), 'crane', ['push'], request(), 0)).rejects.toThrow(/DIGEST_INVALID/);
    expect(calls).toBe(2);
    calls = 0;
    await expect(runPushTool(counting('Error: UNAUTHORIZED: authentication required'), 'crane', ['push'], request(), 0)).rejects.toThrow(
      /^crane: cannot push .*: UNAUTHORIZED: authentication required$/,
    );
    expect(calls).toBe(1);
  });
});
