// The spin backend end to end: `hephy-builder run` over examples/spin-go (Go's wasip1 port made a
// component by jco) plans one wasi/wasm32 leg, builds and pushes it with the spin backend as
// shipped (no test hook), and the merge tags the artifact. Everything is checked from what the
// registry serves and from what the pulled component does when asked a request, never from what
// the CLI printed.
//
// The Spin CLI cannot be installed on this machine, so `spin` on PATH is the TEST STAND-IN FOR THE
// SPIN CLI (test/e2e/spin-standin/spin.mjs, which says so in its --version): it implements
// `spin build` and `spin registry push` as Spin v3.4.0 does, citing the source. Where a real
// `spin --version` answers (a laptop, a runner), the same test runs against real Spin instead.
// What differs between the two is written in docs/dev/spin.md.
//
// The format checks follow Spin v3.4.0: crates/oci/src/client.rs (media types :31-37, inline limit
// :54, layer assembly :199-499, annotations :833-893) and the oci-distribution fork it pins
// (fermyon/oci-distribution 7b291a3: src/manifest.rs:137-165 OciImageManifest::build,
// src/client.rs:1247-1256 canonical JSON, src/config.rs ConfigFile).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { parseLegRecord } from '../../src/core/legRecord.js';
import type { LegRecord } from '../../src/core/model.js';
import { dateStamp } from '../../src/core/tags.js';
import { run } from '../../src/tools/exec.js';
import { packageRoot } from '../../src/tools/paths.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { runCli, services, tagDigest, tempDir, type CliRun } from './harness.js';
import { repositoryTags } from './registryTags.js';
import { exampleFilter, spinTitle, useSpinOnPath } from './spinStandIn.js';

const RUN_TIMEOUT_MS = 10 * 60 * 1000;
const CHECK_TIMEOUT_MS = 2 * 60 * 1000;
const LEG_ID = 'spin-go--wasi-wasm32';

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** examples/spin-go, without build outputs and node_modules, in a fresh git repository. */
function exampleRepo(): TempRepo {
  const repo = tempRepo();
  cpSync(join(packageRoot(), 'examples', 'spin-go'), join(repo.root, 'spin-go'), {
    recursive: true,
    filter: exampleFilter,
  });
  repo.commit('the spin-go example');
  return repo;
}

async function blob(repository: string, digest: string): Promise<Buffer> {
  const [host, ...path] = repository.split('/');
  const response = await fetch(`http://${host}/v2/${path.join('/')}/blobs/${digest}`);
  if (!response.ok) throw new Error(`GET blob ${digest}: HTTP ${response.status}`);
  return Buffer.from(await response.arrayBuffer());
}

async function manifestBytes(ref: string): Promise<{ bytes: Buffer; contentType: string }> {
  const at = ref.lastIndexOf('@') > 0 ? ref.lastIndexOf('@') : ref.lastIndexOf(':');
  const [host, ...path] = ref.slice(0, at).split('/');
  const response = await fetch(`http://${host}/v2/${path.join('/')}/manifests/${ref.slice(at + 1)}`, {
    headers: { accept: 'application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json' },
  });
  if (!response.ok) throw new Error(`GET manifest ${ref}: HTTP ${response.status}`);
  return { bytes: Buffer.from(await response.arrayBuffer()), contentType: response.headers.get('content-type') ?? '' };
}

/** OLPC canonical JSON of a parsed value: sorted keys, no whitespace (ASCII content here). */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/** The preamble of a Wasm component binary: magic, version 0x0d, layer 1 (a core module has version 1, layer 0). */
const COMPONENT_PREAMBLE = Buffer.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00]);

interface WagiResponse {
  headers: Record<string, string>;
  body: string;
}

/**
 * Sends one request to a WAGI component as Spin's WAGI executor does (crates/trigger-http/src/wagi.rs:
 * CGI variables in the environment, the body on stdin, wasi:cli/run, the CGI response on stdout),
 * with jco as the runtime and the component's files mounted at / as Spin mounts them.
 */
async function wagiRequest(
  jco: string,
  component: string,
  filesRoot: string,
  method: string,
  path: string,
  body = '',
): Promise<WagiResponse> {
  // jco links its own preview2-shim into --jco-dir: a module there imports the same instance.
  const jcoDir = tempDir('wagi-jco');
  const preopens = join(jcoDir, 'preopens.mjs');
  writeFileSync(
    preopens,
    `import { _setPreopens } from '@bytecodealliance/preview2-shim/filesystem';\n_setPreopens({ '/': ${JSON.stringify(filesRoot)} });\n`,
  );
  const env = {
    PATH: process.env.PATH,
    REQUEST_METHOD: method,
    PATH_INFO: path,
    X_RAW_PATH_INFO: path,
    QUERY_STRING: '',
    CONTENT_LENGTH: String(Buffer.byteLength(body)),
    GATEWAY_INTERFACE: 'CGI/1.1',
    SERVER_PROTOCOL: 'HTTP/1.1',
  };
  const result = await run(jco, ['run', '--jco-dir', jcoDir, '--jco-import', preopens, component], {
    env,
    input: body,
    timeoutMs: 120_000,
  });
  const [head, ...rest] = result.stdout.split('\n\n');
  const headers = Object.fromEntries(head.split('\n').map((line) => line.split(/:\s*/, 2) as [string, string]));
  return { headers, body: rest.join('\n\n') };
}

const title = spinTitle();

describe(`spin backend, merge and hephy-builder run over examples/spin-go with ${title} (e2e)`, () => {
  const svc = services();
  const prefix = `e2e-spin-${Date.now().toString(36)}`;
  const repository = `${svc.registry}/${prefix}/spin-go`;
  const outDir = tempDir('spin-out');
  let restorePath = () => undefined as void;
  let repo: TempRepo;
  let sha: string;
  let result: CliRun;
  let record: LegRecord;
  let runMs: number;

  beforeAll(async () => {
    restorePath = useSpinOnPath();
    repo = exampleRepo();
    sha = repo.git('rev-parse', 'HEAD');
    const started = Date.now();
    result = await runCli([
      'run',
      '--root',
      repo.root,
      '--registry',
      svc.registry,
      '--prefix',
      prefix,
      '--out',
      outDir,
      '--annotation',
      'com.example.run=--a value, not an option',
    ]);
    runMs = Date.now() - started;
    process.stderr.write(`hephy-builder run of spin-go (${title}): ${runMs} ms\n`);
    if (result.code !== 0) process.stderr.write(`hephy-builder run exited ${result.code}\n${result.stdout}\n${result.stderr}\n`);
    record = parseLegRecord(readFileSync(join(outDir, 'legs', `hephy-leg-${LEG_ID}.json`), 'utf8'), LEG_ID);
  }, RUN_TIMEOUT_MS);

  afterAll(() => {
    restorePath();
    repo?.remove();
  });

  it('plans one wasi/wasm32 leg, records it pushed and publishes the image', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Plan: 1 image(s), 1 leg(s)');
    expect(record).toMatchObject({
      legId: LEG_ID,
      image: 'spin-go',
      platform: 'wasi/wasm32',
      backend: 'spin',
      repository,
      pushed: true,
      sourceCommit: sha,
      status: 'success',
    });
    expect(record.digest).toMatch(/^sha256:[a-f0-9]{64}$/);
    expect(record.compressedSize).toBeGreaterThan(1_000_000);
  });

  it(
    'every tag resolves to the leg manifest itself, not to an index',
    async () => {
      // Leg scratch tags and the input-digest records (`in-<hex>`, issue 10) are bookkeeping.
      const all = await repositoryTags(repository);
      const tags = all.filter((t) => !t.startsWith('hephy-leg-') && !t.startsWith('in-'));
      // One record, for its one platform, naming this manifest (an artifact has no index, so no
      // record of the whole image either: pipeline/planRepository.ts selects it by the leg's).
      const records = all.filter((t) => t.startsWith('in-'));
      expect(records).toHaveLength(1);
      for (const tag of records) expect(await tagDigest(`${repository}:${tag}`)).toBe(record.digest);
      const date = tags.find((t) => /^\d{8}$/.test(t));
      expect([dateStamp(new Date(Date.now() - runMs - 60_000)), dateStamp(new Date())]).toContain(date);
      expect(tags.sort()).toEqual([date, sha.slice(0, 7), 'latest'].sort());
      for (const tag of tags) expect(await tagDigest(`${repository}:${tag}`)).toBe(record.digest);
      const { bytes } = await manifestBytes(`${repository}:latest`);
      expect(JSON.parse(bytes.toString('utf8')).manifests).toBeUndefined();
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    "is Spin's OCI format, field by field: canonical JSON, no media type fields, wasm config, layers in order, small files inlined",
    async () => {
      const { bytes, contentType } = await manifestBytes(`${repository}@${record.digest}`);
      expect(sha256(bytes)).toBe(record.digest);
      // Canonical JSON, byte for byte: keys sorted, no whitespace.
      const manifest = JSON.parse(bytes.toString('utf8'));
      expect(bytes.toString('utf8')).toBe(canonical(manifest));
      expect(contentType).toBe('application/vnd.oci.image.manifest.v1+json');
      expect(Object.keys(manifest).sort()).toEqual(['annotations', 'config', 'layers', 'schemaVersion']);
      expect(manifest.schemaVersion).toBe(2);

      // hephy-builder's annotations (created = the commit time, so the digest repeats; revision;
      // title; version as the tag policy names it, which wins over spin.toml's) and the user's;
      // Spin infers the description from [application] (client.rs all_annotations: explicit win).
      const commitTime = Number(repo.git('show', '-s', '--format=%ct', sha));
      expect(manifest.annotations).toEqual({
        'com.example.run': '--a value, not an option',
        // The leg's input digest (issue 10), on the manifest as on every platform manifest.
        'dev.hephy.input-digest': expect.stringMatching(/^sha256:[a-f0-9]{64}$/),
        'org.opencontainers.image.created': new Date(commitTime * 1000).toISOString().replace('.000Z', 'Z'),
        'org.opencontainers.image.description': "A Spin HTTP app in Go: Go's wasip1 port, made a component by jco",
        'org.opencontainers.image.revision': sha,
        'org.opencontainers.image.title': 'spin-go',
        'org.opencontainers.image.version': sha.slice(0, 7),
      });
      expect(record.annotations).toMatchObject({ 'org.opencontainers.image.revision': sha });

      // Layers: the component, the one data file over 128 bytes, the locked app last.
      expect(manifest.layers.map((l: any) => l.mediaType)).toEqual([
        'application/vnd.wasm.content.layer.v1+wasm',
        'application/vnd.wasm.content.layer.v1+data',
        'application/vnd.fermyon.spin.application.v1+config',
      ]);
      const layers: Buffer[] = [];
      for (const layer of manifest.layers) {
        expect(Object.keys(layer).sort()).toEqual(['digest', 'mediaType', 'size']);
        const data = await blob(repository, layer.digest);
        expect([sha256(data), data.length]).toEqual([layer.digest, layer.size]);
        layers.push(data);
      }
      const [wasm, indexHtml, lockedBytes] = layers;
      const example = join(packageRoot(), 'examples', 'spin-go', 'static');
      expect(indexHtml.equals(readFileSync(join(example, 'index.html')))).toBe(true);

      // The image config: wasm/wasip1 and the locked app's digest as the one label.
      expect(manifest.config.mediaType).toBe('application/vnd.oci.image.config.v1+json');
      const config = await blob(repository, manifest.config.digest);
      expect([sha256(config), config.length]).toEqual([manifest.config.digest, manifest.config.size]);
      expect(JSON.parse(config.toString('utf8'))).toEqual({
        architecture: 'wasm',
        os: 'wasip1',
        config: { Labels: { 'com.fermyon.spin.lockedAppDigest': sha256(lockedBytes) } },
        rootfs: { type: 'layers', diff_ids: [] },
      });

      // The locked app: sources and files by digest, the 25-byte file inlined as unpadded base64.
      const locked = JSON.parse(lockedBytes.toString('utf8'));
      expect(locked.spin_lock_version).toBe(0);
      expect(locked.metadata).toEqual({
        description: "A Spin HTTP app in Go: Go's wasip1 port, made a component by jco",
        name: 'spin-go',
        trigger: { type: 'http' },
        triggers: {},
        version: '0.1.0',
      });
      expect(locked.triggers).toEqual([
        {
          id: 'hello-http-trigger',
          trigger_type: 'http',
          trigger_config: { component: 'hello', executor: { type: 'wagi' }, route: '/...' },
        },
      ]);
      expect(locked.components).toHaveLength(1);
      const [component] = locked.components;
      expect(component.id).toBe('hello');
      expect(component.source).toEqual({ content_type: 'application/wasm', digest: sha256(wasm) });
      const hello = readFileSync(join(example, 'hello.txt'));
      expect(hello.length).toBeLessThanOrEqual(128);
      expect(component.files).toHaveLength(2);
      expect(component.files).toEqual(
        expect.arrayContaining([
          { inline: hello.toString('base64').replace(/=+$/, ''), digest: sha256(hello), path: 'static/hello.txt' },
          { digest: sha256(indexHtml), path: 'static/index.html' },
        ]),
      );
      expect(component.metadata.build.command).toHaveLength(3);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'pulls a Wasm component that answers requests under jco, files served from the pulled layers',
    async () => {
      const manifest = JSON.parse((await manifestBytes(`${repository}@${record.digest}`)).bytes.toString('utf8'));
      const wasm = await blob(repository, manifest.layers[0].digest);
      expect(wasm.subarray(0, 8).equals(COMPONENT_PREAMBLE)).toBe(true);
      const locked = JSON.parse((await blob(repository, manifest.layers.at(-1).digest)).toString('utf8'));

      // The component's files, rebuilt from the locked app as Spin's loader does: inline bytes
      // or the data layer of that digest, at the file's path under /.
      const work = tempDir('spin-pulled');
      const component = join(work, 'app.wasm');
      writeFileSync(component, wasm);
      const filesRoot = join(work, 'files');
      for (const file of locked.components[0].files) {
        const data = file.inline !== undefined ? Buffer.from(file.inline, 'base64') : await blob(repository, file.digest);
        expect(sha256(data)).toBe(file.digest);
        mkdirSync(dirname(join(filesRoot, file.path)), { recursive: true });
        writeFileSync(join(filesRoot, file.path), data);
      }

      const jco = join(repo.root, 'spin-go', 'node_modules', '.bin', 'jco');
      const root = await wagiRequest(jco, component, filesRoot, 'POST', '/', 'ping');
      expect(root.headers['Content-Type']).toBe('text/plain; charset=utf-8');
      expect(root.body).toBe('hello from spin-go: POST /, 4 bytes\n');
      const file = await wagiRequest(jco, component, filesRoot, 'GET', '/static/hello.txt');
      expect(file.body).toBe('hello from a static file\n');
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'a second build of the same commit in another checkout gives the same manifest digest',
    async () => {
      const clone = tempDir('spin-clone');
      execFileSync('git', ['clone', '-q', repo.root, clone]);
      // The first build's verified npm install, reused to save a minute: `npm ls` accepts it.
      symlinkSync(join(repo.root, 'spin-go', 'node_modules'), join(clone, 'spin-go', 'node_modules'));
      const again = await runCli([
        'run',
        '--root',
        clone,
        '--registry',
        svc.registry,
        '--prefix',
        `${prefix}-again`,
        '--out',
        join(outDir, 'again'),
        // The same run metadata as the first build (the clone's origin is a local path: no source).
        '--annotation',
        'com.example.run=--a value, not an option',
      ]);
      expect(again.code).toBe(0);
      const second = parseLegRecord(readFileSync(join(outDir, 'again', 'legs', `hephy-leg-${LEG_ID}.json`), 'utf8'), LEG_ID);
      expect(second.repository).not.toBe(record.repository);
      expect(second.digest).toBe(record.digest);
    },
    RUN_TIMEOUT_MS,
  );
});
