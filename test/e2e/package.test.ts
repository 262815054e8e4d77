// hephy-builder as a user gets it: `npm pack`, the tarball installed into a scratch project that
// has a package.json and a scripts/ of its own (decoys named like ours that would leave a marker
// file if run), then `npx hephy-builder run` there, building for real and pushing to the
// throwaway registry the run starts. Then two runs at once from that install, sharing one
// buildkitd: the second starts while the first one's build is running.
//
// The tarball packs the committed dist/ bundles: `npm test` checks they match the sources before
// the e2e tests; after a change, run `npm run build` before this test.
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseLegRecord } from '../../src/core/legRecord.js';
import { dateStamp } from '../../src/core/tags.js';
import { packageRoot, toolsDir } from '../../src/tools/paths.js';
import { extractFile, fileType, indexEntries, rawManifest, tempDir } from './harness.js';

const SETUP_TIMEOUT_MS = 10 * 60 * 1000;
const RUN_TIMEOUT_MS = 15 * 60 * 1000;
const ROOT = packageRoot();
/** The shared builder of this checkout's runs (not the machine's hephy-run, which a user's runs may use). */
const BUILDER = `hephy-e2e-run-${createHash('sha256').update(ROOT).digest('hex').slice(0, 8)}`;

/** Files of the project named like what our package runs; each leaves a marker when run or sourced. */
const DECOYS = [
  'install-tools.sh',
  'registry.sh',
  'buildkitd.sh',
  'base-images.sh',
  'kaniko-image.sh',
  'env.sh',
  'lib/common.sh',
  'lib/oci_layout.py',
];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The throwaway registry the run started. */
  registry: string;
}

function script(name: string, ...args: string[]): string {
  return execFileSync('bash', [join(ROOT, 'scripts', name), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/** The environment of a user's shell: no e2e builder, none of our tools on PATH, no jest flags. */
function userEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, HEPHY_RUN_BUILDER: BUILDER };
  for (const name of Object.keys(env)) if (name.startsWith('HEPHY_E2E_')) delete env[name];
  delete env.HEPHY_BUILDX_BUILDER;
  delete env.NODE_OPTIONS;
  env.PATH = (env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.startsWith(toolsDir()))
    .join(':');
  return env;
}

/** `npx hephy-builder run ARGS` in the project; onOutput sees stdout as it comes. */
function npxRun(project: string, args: string[], onOutput: (stdout: string) => void = () => undefined): Promise<Run> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn('npx', ['--no-install', 'hephy-builder', 'run', ...args], { cwd: project, env: userEnv() });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      onOutput(stdout);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const registry = /started a throwaway registry at (127\.0\.0\.1:\d+)/.exec(stdout)?.[1] ?? '';
      if (code !== 0) process.stderr.write(`npx hephy-builder run ${args.join(' ')} exited ${code}\n${stdout}\n${stderr}\n`);
      resolvePromise({ code, stdout, stderr, registry });
    });
  });
}

function writeFiles(dir: string, files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

/** The leg record a run wrote, and the platform manifest its image's date tag points to. */
async function published(run: Run, outDir: string, image: string, platform: string, days: string[]) {
  const legId = `${image}--${platform.replace('/', '-')}`;
  const record = parseLegRecord(readFileSync(join(outDir, 'legs', `hephy-leg-${legId}.json`), 'utf8'), legId);
  const repository = `${run.registry}/hephy/${image}`;
  const tags = ((await (await fetch(`http://${run.registry}/v2/hephy/${image}/tags/list`)).json()) as { tags: string[] }).tags;
  const day = tags.find((t) => days.includes(t));
  if (!day) throw new Error(`${repository} has no date tag among ${tags.join(', ')}`);
  const entries = indexEntries(await rawManifest(`${repository}:${day}`));
  return { record, repository, entries, tags };
}

describe('the npm package, installed into a project with its own package.json and scripts/ (e2e)', () => {
  const work = tempDir('package');
  const project = join(work, 'project');
  const markers = join(work, 'decoys-ran');
  const registries: string[] = [];

  beforeAll(() => {
    execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const tarball = readdirSync(work).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error(`npm pack wrote no tarball into ${work}`);
    writeFiles(project, { 'package.json': `${JSON.stringify({ name: 'their-app', version: '1.0.0', private: true }, null, 2)}\n` });
    mkdirSync(markers);
    for (const decoy of DECOYS) {
      const path = join(project, 'scripts', decoy);
      writeFiles(project, { [join('scripts', decoy)]: `#!/bin/sh\ntouch '${join(markers, decoy.replace('/', '-'))}'\n` });
      chmodSync(path, 0o755);
    }
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--ignore-scripts', join(work, tarball)], {
      cwd: project,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // A builder left by an interrupted run of this test: the runs below must start it themselves.
    script('buildkitd.sh', 'stop', '--name', BUILDER, '--purge');
  }, SETUP_TIMEOUT_MS);

  afterAll(() => {
    script('buildkitd.sh', 'stop', '--name', BUILDER, '--purge');
    for (const registry of registries) script('registry.sh', 'stop', registry);
  });

  afterEach(() => {
    // After every test: no file of the project ran.
    expect(readdirSync(markers)).toEqual([]);
  });

  it(
    'runs a Kaniko app on the local base image: tools, registry, base images and executor image from the package, pushed for real',
    async () => {
      writeFiles(project, {
        'hello/build-config.yaml': [
          'build_backend: kaniko',
          'platforms: [linux/amd64]',
          'build_args: ["BASE_IMAGE=${BASE_IMAGE}"]',
          '',
        ].join('\n'),
        'hello/Dockerfile': ['ARG BASE_IMAGE', 'FROM ${BASE_IMAGE}', 'RUN uname -m > /built-on.txt', 'COPY hello.txt /hello.txt', ''].join(
          '\n',
        ),
        'hello/hello.txt': 'hello from the package\n',
      });
      const outDir = join(work, 'out-kaniko');
      const before = dateStamp(new Date());
      const run = await npxRun(project, ['--dirs', 'hello', '--out', outDir]);
      registries.push(run.registry);
      expect(run.code).toBe(0);
      expect(run.stderr).toBe('');
      expect(run.registry).not.toBe('');
      expect(run.stdout).toContain('published hello (linux/amd64)');
      // The hints name the package's own scripts, never the project's.
      expect(run.stdout).toContain(
        `stop it with: bash ${join(project, 'node_modules', 'hephy-builder', 'scripts', 'registry.sh')} stop ${run.registry}`,
      );

      const { record, repository, entries } = await published(run, outDir, 'hello', 'linux/amd64', [before, dateStamp(new Date())]);
      expect(record.status).toBe('success');
      expect(entries).toEqual([{ platform: 'linux/amd64', digest: record.digest }]);
      const dir = tempDir('package-fs');
      expect(readFileSync(await extractFile(`${repository}@${record.digest}`, '/hello.txt', dir), 'utf8')).toBe('hello from the package\n');
      expect(readFileSync(await extractFile(`${repository}@${record.digest}`, '/built-on.txt', dir), 'utf8').trim()).toBe('x86_64');
      // FROM the base image the run pushed from the package's scripts/base-images.sh: busybox.
      expect(await fileType(await extractFile(`${repository}@${record.digest}`, '/bin/busybox', dir))).toMatch(/x86-64/);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'runs twice at once on one buildkitd: the second starts while the first builds, neither breaks the other',
    async () => {
      // A's RUN step waits (host network: buildkitd's OCI worker without CNI) until this server
      // says go, which happens once B is building too: B's whole setup, builder included, runs
      // while A's build is in flight. Before issue 11, B restarted the builder here and A failed.
      let go = false;
      const gate: Server = createServer((_req, res) => {
        res.statusCode = go ? 200 : 503;
        res.end();
      });
      await new Promise<void>((ready) => gate.listen(0, '127.0.0.1', ready));
      const gateUrl = `http://127.0.0.1:${(gate.address() as AddressInfo).port}/`;
      const nonce = `${Date.now()}-${Math.random()}`;
      const app = (mark: string, wait: boolean) => ({
        'build-config.yaml': [
          'image_name: app',
          'build_backend: buildkit',
          'platforms: [linux/amd64]',
          `build_args: ["BASE_IMAGE=\${BASE_IMAGE}", "MARK=${mark}", "NONCE=${nonce}", "GATE=${wait ? gateUrl : ''}"]`,
          '',
        ].join('\n'),
        Dockerfile: [
          'ARG BASE_IMAGE',
          'FROM ${BASE_IMAGE}',
          'ARG MARK',
          'ARG NONCE',
          'ARG GATE',
          // At most ~3 minutes, so a broken gate fails the build instead of hanging the test.
          'RUN --mount=type=cache,target=/cache if [ -n "$GATE" ]; then i=0; until wget -q -O /dev/null "$GATE"; do i=$((i+1)); [ $i -lt 900 ] || exit 7; sleep 0.2; done; fi; echo "$MARK $NONCE" > /mark.txt',
          '',
        ].join('\n'),
      });
      writeFiles(join(work, 'a', 'app'), app('a', true));
      writeFiles(join(work, 'b', 'app'), app('b', false));
      const days = [dateStamp(new Date())];
      const pidFile = join(process.env.TMPDIR || '/tmp', `hephy-buildkitd-${BUILDER}`, 'pid');

      let daemonOfA = '';
      let startB!: () => void;
      const bStarted = new Promise<void>((resolveStart) => (startB = resolveStart));
      const runA = npxRun(project, ['--root', join(work, 'a', 'app'), '--out', join(work, 'out-a')], (out) => {
        if (!daemonOfA && /\[app--linux-amd64\] .*building app for linux\/amd64/.test(out)) {
          daemonOfA = readFileSync(pidFile, 'utf8').trim();
          startB();
        }
      });
      const failsafe = setTimeout(() => (go = true), 5 * 60 * 1000);
      await Promise.race([bStarted, runA]);
      const runB = npxRun(project, ['--root', join(work, 'b', 'app'), '--out', join(work, 'out-b')], (out) => {
        // B reached its build while A still holds the image's local cache: let A finish.
        if (/\[app--linux-amd64\] build cache .* is in use by another build/.test(out)) go = true;
      });
      const [a, b] = await Promise.all([runA, runB]);
      clearTimeout(failsafe);
      gate.close();
      registries.push(a.registry, b.registry);
      days.push(dateStamp(new Date()));

      expect(daemonOfA).not.toBe('');
      for (const run of [a, b]) {
        expect(run.code).toBe(0);
        expect(run.stdout).toContain(`builder "${BUILDER}", shared by local runs`);
        expect(run.stdout).toContain('published app (linux/amd64)');
      }
      expect(b.stdout).toMatch(/build cache \S+ is in use by another build \(pid \d+\): building without it/);
      // One buildkitd all along: the one A started is the one that runs now.
      expect(readFileSync(pidFile, 'utf8').trim()).toBe(daemonOfA);
      expect(existsSync(`/proc/${daemonOfA}`)).toBe(true);

      for (const [run, out, mark] of [
        [a, 'out-a', 'a'],
        [b, 'out-b', 'b'],
      ] as const) {
        const { record, repository, entries } = await published(run, join(work, out), 'app', 'linux/amd64', days);
        expect(entries).toEqual([{ platform: 'linux/amd64', digest: record.digest }]);
        const file = await extractFile(`${repository}@${record.digest}`, '/mark.txt', tempDir('package-mark'));
        expect(readFileSync(file, 'utf8')).toBe(`${mark} ${nonce}\n`);
      }
    },
    RUN_TIMEOUT_MS,
  );
});
