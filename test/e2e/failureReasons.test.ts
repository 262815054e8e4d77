// A failed leg's reason is the tool's own error in one line, on real builds: the Go compiler's
// `file:line:col: message` through ko and through a BuildKit RUN step, and BuildKit's failing
// step with its exit code.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildkitBackend } from '../../src/backends/buildkit.js';
import { koBackend } from '../../src/backends/ko.js';
import { toolEnv } from '../../src/tools/paths.js';
import { testLeg } from '../helpers/legContext.js';
import { services, tempDir } from './harness.js';

const TIMEOUT_MS = 10 * 60 * 1000;

const BROKEN_GO = `package main

func main() {
	undefinedThing()
}
`;

async function failure(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  process.stderr.write(`reason: ${message}\n`);
  expect(message).not.toContain('\n');
  return message;
}

describe('failure reasons (e2e)', () => {
  const svc = services();
  const run36 = Date.now().toString(36);

  it(
    "ko: the compiler's file:line:col error, not ko's command line",
    async () => {
      const app = tempDir('reason-ko');
      writeFileSync(join(app, 'go.mod'), 'module example.com/broken\n\ngo 1.21\n');
      writeFileSync(join(app, 'main.go'), BROKEN_GO);
      const { ctx } = testLeg({
        backend: 'ko',
        platform: 'linux/amd64',
        sourceDir: app,
        repository: `${svc.registry}/e2e/reason-ko-${run36}`,
        config: { ko_config: { base_image: svc.staticBase } },
        env: toolEnv(),
      });
      await koBackend.setup(ctx);
      expect(await failure(koBackend.build(ctx))).toBe('ko: main.go:4:2: undefined: undefinedThing');
    },
    TIMEOUT_MS,
  );

  it(
    'BuildKit: the failing step, its place in the Dockerfile, its last output and the exit code',
    async () => {
      const app = tempDir('reason-bk');
      writeFileSync(
        join(app, 'Dockerfile'),
        // A second between the two lines: stdout and stderr reach BuildKit's log as two streams, so two
        // lines written at once may come in either order.
        'ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS build\nRUN echo "compiling" && sleep 1 && echo "fatal: no such recipe" >&2 && exit 3\n',
      );
      const { ctx } = testLeg({
        backend: 'buildkit',
        platform: 'linux/amd64',
        sourceDir: app,
        repository: `${svc.registry}/e2e/reason-bk-${run36}`,
        config: { build_args: ['BASE_IMAGE=${E2E_BASE}'] },
        env: { ...toolEnv(), HEPHY_BUILDX_BUILDER: process.env.HEPHY_BUILDX_BUILDER ?? '', E2E_BASE: svc.busybox },
      });
      await buildkitBackend.setup(ctx);
      const reason = await failure(buildkitBackend.build(ctx));
      expect(reason).toMatch(/^buildkit: \[2\/2\] RUN echo "compiling" .* \(Dockerfile:3\): fatal: no such recipe; /);
      expect(reason).toContain('did not complete successfully: exit code: 3');
      expect(reason).not.toContain('buildx');
    },
    TIMEOUT_MS,
  );
});
