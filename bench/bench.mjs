#!/usr/bin/env node
// The measurements behind `npm run bench` (bench/run.sh prepares the tools, the registry, the base
// images and the bundles, then runs this). Every comparison is measured side by side in this one
// run, alternating the two sides, and reported as medians and ratios:
//  (a) plan of a generated 500-directory monorepo, node start included, against a 1 s goal, and
//      the same plan selecting by input digest against the registry (goal under 3 s);
//  (b) the overhead of hephy-builder over the bare backend commands: one ko leg (go-hello
//      linux/amd64, warm and cold caches) through `hephy-builder build --leg` vs `ko build` +
//      `crane push` exactly as src/tools/ko.ts and src/tools/crane.ts run them; and the whole
//      `run --dirs go-hello` (two legs + merge) vs the same bare commands for both legs plus one
//      `imagetools create`;
//  (c) ko vs Kaniko on the same Go app (time cold and warm, compressed size), against the seed's
//      ">= 3x faster, >= 4x smaller"; warm Kaniko uses a registry layer cache (bench/leg.ts);
//  (d) a cold ko leg (empty KOCACHE and GOCACHE) vs a warm one;
//  (e) the architecture check's share of the warm ko leg and of the Kaniko leg of (c) (goal <= 5 %);
//  (f) selection by input digest (issue 10): `run` of the examples (ko, Kaniko, BuildKit; no
//      Spin, whose CLI cannot run here) with nothing changed vs the same run with
//      --force-rebuild, which builds every leg on warm caches (goal: at least 10x faster).
// No pass/fail exit code for the goals: the table says where each stands.
//
//   node bench/bench.mjs --registry HOST:PORT --busybox REF --static REF --go-image REF
//        --kaniko-image REF --leg-bundle FILE [--n 5] [--only a,b,c,d] [--json FILE]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values: opt } = parseArgs({
  options: {
    registry: { type: 'string' },
    busybox: { type: 'string' },
    static: { type: 'string' },
    'go-image': { type: 'string' },
    'kaniko-image': { type: 'string' },
    'leg-bundle': { type: 'string' },
    n: { type: 'string', default: '5' },
    only: { type: 'string', default: 'a,b,c,d,f' },
    json: { type: 'string' },
  },
});
for (const key of ['registry', 'busybox', 'static', 'leg-bundle']) {
  if (!opt[key]) {
    process.stderr.write(`bench: --${key} is required (run it through bench/run.sh)\n`);
    process.exit(2);
  }
}
const N = Math.max(1, Number(opt.n));
const ONLY = new Set(opt.only.split(','));
const REG = opt.registry;
// ko writes its layout to a path it parses as a repository name: lower case only.
const ID = randomBytes(4).toString('hex');
const WORK = join(tmpdir(), `hephy-bench-${ID}`);
mkdirSync(WORK, { recursive: true });

const results = { id: ID, date: new Date().toISOString(), machine: machine(), n: N, rows: [], notes: [] };

function machine() {
  const c = cpus();
  return `${c.length} x ${c[0]?.model ?? 'cpu'}, node ${process.version}`;
}

function log(line) {
  process.stderr.write(`bench: ${line}\n`);
}

/** Runs a command to completion; resolves to its wall time (ms) and output. Throws on failure. */
function timed(cmd, args, { env = process.env, cwd = ROOT, capture = true, allowFailure = false } = {}) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { env, cwd, stdio: ['ignore', capture ? 'pipe' : 'ignore', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== 0 && !allowFailure) {
        const tail = `${stdout}\n${stderr}`.trim().split('\n').slice(-30).join('\n');
        reject(new Error(`${cmd} ${args.join(' ')} exited ${code}\n${tail}`));
      } else resolve({ ms, code, stdout, stderr });
    });
  });
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const fmtMs = (ms) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);
const fmtBytes = (b) => (b >= 1024 * 1024 ? `${(b / 1024 / 1024).toFixed(2)} MiB` : `${(b / 1024).toFixed(0)} KiB`);
const fmtRatio = (r) => `${r.toFixed(r >= 10 ? 1 : 2)}x`;

/** One line of the final table. */
function row(part, what, measured, ratio, goal, verdict) {
  results.rows.push({ part, what, measured, ratio, goal, verdict });
  log(`${part} ${what}: ${measured}${ratio ? ` (${ratio})` : ''}`);
}

// ---------------------------------------------------------------- the apps under test
/** A git repo with examples/go-hello and its Kaniko twin (bench/kaniko-go). */
function appsRepo() {
  const repo = join(WORK, 'apps');
  cpSync(join(ROOT, 'examples', 'go-hello'), join(repo, 'go-hello'), { recursive: true });
  mkdirSync(join(repo, 'go-hello-kaniko'), { recursive: true });
  cpSync(join(ROOT, 'examples', 'go-hello', 'go.mod'), join(repo, 'go-hello-kaniko', 'go.mod'));
  cpSync(join(ROOT, 'examples', 'go-hello', 'cmd'), join(repo, 'go-hello-kaniko', 'cmd'), { recursive: true });
  cpSync(join(ROOT, 'bench', 'kaniko-go'), join(repo, 'go-hello-kaniko'), { recursive: true });
  return repo;
}

async function git(repo, ...args) {
  await timed('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo });
}

const toolsDir = process.env.HEPHY_TOOLS_DIR || join(process.env.HOME || '/root', '.local', 'hephy-builder');
const baseEnv = {
  ...process.env,
  PATH: `${join(toolsDir, 'bin')}:/usr/local/go/bin:${process.env.PATH}`,
  CONTAINERS_CONF: process.env.CONTAINERS_CONF || join(toolsDir, 'containers.conf'),
  KOCACHE: process.env.KOCACHE || join(toolsDir, 'cache', 'ko'),
  BASE_IMAGE: opt.busybox,
  GO_IMAGE: opt['go-image'] ?? '',
};

const CLI = join(ROOT, 'bin', 'hephy-builder.js');

/** Planned legs of the apps repo by image, as `plan --json` prints them (what a build job gets). */
async function plannedLegs(repo) {
  const plan = JSON.parse((await timed(process.execPath, [CLI, 'plan', '--root', repo, '--json'])).stdout);
  const byImage = {};
  for (const leg of plan.matrix.include) if (leg.platform === 'linux/amd64') byImage[leg.image] = leg;
  return byImage;
}

/** One leg through the real CLI: `hephy-builder build --leg JSON`, as its own node process. */
async function cliLeg(repo, leg, prefix, env = baseEnv) {
  const args = [
    CLI,
    'build',
    '--leg',
    JSON.stringify(leg),
    '--root',
    repo,
    '--registry',
    REG,
    '--image-prefix',
    prefix,
    '--insecure',
    '--base-image',
    opt.static,
  ];
  if (opt['kaniko-image']) args.push('--kaniko-image', opt['kaniko-image']);
  const r = await timed(process.execPath, args, { env });
  return { ms: r.ms, record: JSON.parse(r.stdout) };
}

/** A Kaniko leg with a registry layer cache, which the CLI does not expose (bench/leg.ts). */
async function cachedKanikoLeg(repo, dir, prefix, cacheRepo) {
  const args = [opt['leg-bundle'], '--root', repo, '--dir', dir, '--platform', 'linux/amd64', '--registry', REG, '--prefix', prefix];
  args.push('--kaniko-image', opt['kaniko-image'], '--kaniko-cache-repo', cacheRepo);
  const r = await timed(process.execPath, args, { env: baseEnv });
  return { ms: r.ms, record: JSON.parse(r.stdout.trim().split('\n').pop()) };
}

// The .ko.yaml hephy writes for examples/go-hello (src/tools/ko.ts koConfigText of its ko_config).
const GO_HELLO_KO_YAML = 'defaultEnv:\n  - CGO_ENABLED=0\ndefaultLdflags:\n  - -s\n  - -w\n  - -X main.version=v1.0.0\n';

/** The bare backend commands of one ko leg, exactly as src/tools/ko.ts + src/tools/crane.ts run them. */
async function bareKoLeg(appDir, repository, platform, scratch, cacheEnv = baseEnv) {
  const layout = join(scratch, `oci-${platform.replace('/', '-')}`);
  const config = join(scratch, '.ko.yaml');
  writeFileSync(config, GO_HELLO_KO_YAML);
  rmSync(layout, { recursive: true, force: true });
  const env = { ...cacheEnv, KO_DOCKER_REPO: repository, KO_CONFIG_PATH: config, KO_DEFAULTBASEIMAGE: opt.static };
  const started = process.hrtime.bigint();
  await timed(
    'ko',
    ['build', '--bare', '--push=false', '--oci-layout-path', layout, '--sbom=none', '--platform', platform, './cmd/hello'],
    { env, cwd: appDir },
  );
  const digest = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')).manifests[0].digest;
  await timed('crane', ['push', '--insecure', layout, `${repository}@${digest}`], { env });
  return { ms: Number(process.hrtime.bigint() - started) / 1e6, digest };
}

/** Runs a and b N times each, alternating which goes first; resolves to their medians. */
async function alternate(label, a, b) {
  const as = [];
  const bs = [];
  for (let i = 0; i < N; i++) {
    if (i % 2 === 0) {
      as.push(await a());
      bs.push(await b());
    } else {
      bs.push(await b());
      as.push(await a());
    }
    log(`${label} round ${i + 1}/${N}: ${fmtMs(as.at(-1))} vs ${fmtMs(bs.at(-1))}`);
  }
  return { a: median(as), b: median(bs), as, bs };
}

// ---------------------------------------------------------------- (a) plan
async function planBench() {
  const gen = join(WORK, 'monorepo');
  await timed(process.execPath, [join(ROOT, 'bench', 'gen-monorepo.mjs'), gen, '--dirs', '500']);
  // Its 934 legs are over GitHub's 256 jobs per matrix, which the plan reports as an error (exit
  // 1) after doing all its work: the timing is what counts here.
  const planArgs = [join(ROOT, 'bin', 'hephy-builder.js'), 'plan', '--root', gen, '--json'];
  const plan = JSON.parse((await timed(process.execPath, planArgs, { allowFailure: true })).stdout);
  const planOnce = async () => (await timed(process.execPath, planArgs, { capture: false, allowFailure: true })).ms;
  const nodeOnce = async () => (await timed(process.execPath, ['-e', '0'], { capture: false })).ms;
  const { a: planMs, b: nodeMs } = await alternate('(a) plan vs node -e 0', planOnce, nodeOnce);
  row(
    'a',
    `plan --json, ${plan.images.length} dirs / ${plan.matrix.include.length} legs, node start included`,
    fmtMs(planMs),
    `${fmtRatio(planMs / 1000)} of 1 s`,
    '< 1 s',
    planMs < 1000 ? 'met' : 'missed',
  );
  row('a', 'node start alone (node -e 0), for scale', fmtMs(nodeMs), '', '', '');
  results.plan = { planMs, nodeMs, images: plan.images.length, legs: plan.matrix.include.length };

  // The same plan selecting by input digest (issue 10), as a push to the default branch: every
  // app's files hashed, go list for the ko apps, each base image resolved and one record read per
  // leg and image from the registry (none is there, so every leg is planned).
  const digestArgs = [
    join(ROOT, 'bin', 'hephy-builder.js'),
    'plan',
    '--root',
    gen,
    '--registry',
    REG,
    '--image-prefix',
    `bench-plan-${ID}`,
    '--event',
    'push',
    '--ref',
    'refs/heads/main',
    '--build-env',
    `BASE_IMAGE=${opt.busybox}`,
    '--base-image',
    opt.static,
    '--json',
  ];
  const digestPlan = JSON.parse((await timed(process.execPath, digestArgs, { allowFailure: true })).stdout);
  const withDigest = (digestPlan.inputDigests ?? []).filter((d) => d.digest).length;
  const samples = [];
  for (let i = 0; i < N; i++) samples.push((await timed(process.execPath, digestArgs, { capture: false, allowFailure: true })).ms);
  const digestMs = median(samples);
  row(
    'a',
    `plan --json by input digest against the registry, ${withDigest} of ${digestPlan.matrix.include.length} legs with a digest`,
    fmtMs(digestMs),
    `${fmtRatio(digestMs / 3000)} of 3 s`,
    '< 3 s',
    digestMs < 3000 ? 'met' : 'missed',
  );
  results.plan.digestMs = digestMs;
  results.plan.digestSamples = samples;
}

// ---------------------------------------------------------------- (b) overhead
async function overheadBench(repo, legs) {
  const appDir = join(repo, 'go-hello');
  const bareScratch = join(WORK, 'bare');
  mkdirSync(bareScratch, { recursive: true });
  const bareRepo = `${REG}/bench-bare-${ID}/go-hello`;
  // Warm both sides: caches, registry blobs, page cache.
  await cliLeg(repo, legs['go-hello'], `bench-${ID}`);
  await bareKoLeg(appDir, bareRepo, 'linux/amd64', bareScratch);
  const legRecords = [];
  const leg = await alternate(
    '(b) one ko leg: hephy-builder build vs bare',
    async () => {
      const r = await cliLeg(repo, legs['go-hello'], `bench-${ID}`);
      legRecords.push(r.record);
      return r.ms;
    },
    async () => (await bareKoLeg(appDir, bareRepo, 'linux/amd64', bareScratch)).ms,
  );
  const ratio = leg.a / leg.b;
  row(
    'b',
    'ko leg go-hello amd64, warm: hephy-builder build --leg vs bare ko build + crane push',
    `${fmtMs(leg.a)} vs ${fmtMs(leg.b)}`,
    fmtRatio(ratio),
    '<= 1.05x',
    ratio <= 1.05 ? 'met' : 'missed',
  );
  row('b', '  fixed cost of hephy-builder build (node start, plan, tool versions, size read-back)', fmtMs(leg.a - leg.b), '', '', '');
  const inside = median(legRecords.map((r) => r.durationsMs.build + r.durationsMs.push));
  row(
    'b',
    '  ko build + crane push inside the hephy leg (record build + push)',
    fmtMs(inside),
    `${fmtRatio(inside / leg.b)} of bare`,
    '',
    '',
  );

  // The whole pipeline for one image: what `hephy-builder run --dirs go-hello` does end to end.
  const runOut = join(WORK, 'run-out');
  const runPrefix = `bench-run-${ID}`;
  const runOnce = async () =>
    (
      await timed(
        process.execPath,
        [
          join(ROOT, 'bin', 'hephy-builder.js'),
          'run',
          '--root',
          repo,
          '--dirs',
          'go-hello',
          '--registry',
          REG,
          '--image-prefix',
          runPrefix,
          '--out',
          runOut,
          '--base-image',
          opt.static,
        ],
        { env: baseEnv },
      )
    ).ms;
  const bareRunRepo = `${REG}/bench-bare-run-${ID}/go-hello`;
  const sha = (await timed('git', ['rev-parse', '--short=7', 'HEAD'], { cwd: repo })).stdout.trim();
  const date = new Date().toISOString().slice(0, 10).replace(/-/g, '');
  const bareRunOnce = async () => {
    const started = process.hrtime.bigint();
    // Two legs at once, as `run` does on two cores; then one merge under the same three tags.
    const legs = await Promise.all(
      ['linux/amd64', 'linux/arm64'].map((p) => bareKoLeg(appDir, bareRunRepo, p, join(bareScratch, p.replace('/', '-')))),
    );
    await timed(
      'docker',
      [
        'buildx',
        'imagetools',
        'create',
        ...['latest', date, sha].flatMap((t) => ['-t', `${bareRunRepo}:${t}`]),
        ...legs.map((l) => `${bareRunRepo}@${l.digest}`),
      ],
      { env: baseEnv },
    );
    return Number(process.hrtime.bigint() - started) / 1e6;
  };
  for (const p of ['linux-amd64', 'linux-arm64']) mkdirSync(join(bareScratch, p), { recursive: true });
  await runOnce();
  await bareRunOnce();
  const whole = await alternate('(b) run --dirs go-hello vs bare', runOnce, bareRunOnce);
  row(
    'b',
    'run --dirs go-hello (2 legs + merge) vs bare: 2 legs in parallel + imagetools create',
    `${fmtMs(whole.a)} vs ${fmtMs(whole.b)}`,
    fmtRatio(whole.a / whole.b),
    '(informative)',
    '',
  );
  const tools = await timed('bash', [join(ROOT, 'scripts', 'install-tools.sh'), '--only', 'apt,buildx,crane,ko'], { env: baseEnv });
  const bases = await timed('bash', [join(ROOT, 'scripts', 'base-images.sh'), REG], { env: baseEnv });
  row(
    'b',
    "  run's service checks: install-tools.sh --only / base-images.sh (no-ops)",
    `${fmtMs(tools.ms)} / ${fmtMs(bases.ms)}`,
    '',
    '',
    '',
  );
  results.overhead = {
    cliLegMs: leg.a,
    bareLegMs: leg.b,
    legInsideMs: inside,
    runMs: whole.a,
    bareRunMs: whole.b,
    toolsMs: tools.ms,
    baseImagesMs: bases.ms,
    legSamples: leg,
    runSamples: whole,
  };
}

// ---------------------------------------------------------------- (c) ko vs Kaniko, (d) ko cold vs warm
async function backendBench(repo, legs) {
  const freshCaches = () => {
    const dir = join(WORK, `caches-${randomBytes(3).toString('hex')}`);
    mkdirSync(join(dir, 'ko'), { recursive: true });
    mkdirSync(join(dir, 'go'), { recursive: true });
    return { ...baseEnv, KOCACHE: join(dir, 'ko'), GOCACHE: join(dir, 'go') };
  };
  const koPrefix = `bench-ko-${ID}`;
  const kanikoPrefix = `bench-kaniko-${ID}`;
  const kanikoCacheRepo = `${REG}/bench-kaniko-cache-${ID}`;
  const bareScratch = join(WORK, 'bare-cold');
  mkdirSync(bareScratch, { recursive: true });
  const s = { koCold: [], bareCold: [], koWarm: [], kaniko: [], kanikoCached: [] };
  // The architecture check's own time (leg record durationsMs.verify) in the legs above.
  const verify = { koWarm: [], kaniko: [] };
  let koSize = 0;
  let kanikoSize = 0;
  const warmEnv = freshCaches();
  // Warm-ups: ko's caches, and Kaniko's registry layer cache.
  await cliLeg(repo, legs['go-hello'], koPrefix, warmEnv);
  await cachedKanikoLeg(repo, 'go-hello-kaniko', kanikoPrefix, kanikoCacheRepo);
  for (let i = 0; i < N; i++) {
    // The two cold ko legs alternate which goes first.
    const hephyCold = async () => s.koCold.push((await cliLeg(repo, legs['go-hello'], koPrefix, freshCaches())).ms);
    const bareCold = async () =>
      s.bareCold.push(
        (await bareKoLeg(join(repo, 'go-hello'), `${REG}/bench-bare-cold-${ID}/go-hello`, 'linux/amd64', bareScratch, freshCaches())).ms,
      );
    if (i % 2 === 0) await hephyCold().then(bareCold);
    else await bareCold().then(hephyCold);
    const warm = await cliLeg(repo, legs['go-hello'], koPrefix, warmEnv);
    s.koWarm.push(warm.ms);
    verify.koWarm.push(warm.record.durationsMs.verify ?? 0);
    koSize = warm.record.compressedSize;
    // Kaniko as `build` runs it: no layer cache, so every build is a cold one.
    const k = await cliLeg(repo, legs['go-hello-kaniko'], kanikoPrefix);
    s.kaniko.push(k.ms);
    verify.kaniko.push(k.record.durationsMs.verify ?? 0);
    kanikoSize = k.record.compressedSize;
    s.kanikoCached.push((await cachedKanikoLeg(repo, 'go-hello-kaniko', kanikoPrefix, kanikoCacheRepo)).ms);
    const last = (xs) => fmtMs(xs.at(-1));
    log(
      `(c) round ${i + 1}/${N}: ko cold ${last(s.koCold)} (bare ${last(s.bareCold)}), ko warm ${last(s.koWarm)}, kaniko ${last(s.kaniko)} (warm layer cache ${last(s.kanikoCached)})`,
    );
  }
  const m = Object.fromEntries(Object.entries(s).map(([k, xs]) => [k, median(xs)]));
  for (const [what, key] of [
    ['warm ko leg go-hello amd64', 'koWarm'],
    ['Kaniko leg go-hello-kaniko amd64', 'kaniko'],
  ]) {
    const share = median(verify[key]) / m[key];
    row(
      'e',
      `architecture check (streamed layers, ELF headers) in a ${what}: check vs whole leg`,
      `${fmtMs(median(verify[key]))} vs ${fmtMs(m[key])}`,
      `${(share * 100).toFixed(1)} %`,
      '<= 5 %',
      share <= 0.05 ? 'met' : 'missed',
    );
  }
  const coldOverhead = m.koCold / m.bareCold;
  row(
    'b',
    'ko leg go-hello amd64, cold (empty KOCACHE, GOCACHE): hephy-builder build vs bare',
    `${fmtMs(m.koCold)} vs ${fmtMs(m.bareCold)}`,
    fmtRatio(coldOverhead),
    '<= 1.05x',
    coldOverhead <= 1.05 ? 'met' : 'missed',
  );
  const coldRatio = m.kaniko / m.koCold;
  const warmRatio = m.kanikoCached / m.koWarm;
  const sizeRatio = kanikoSize / koSize;
  row(
    'c',
    'go-hello amd64 leg, cold: Kaniko (Go stage + busybox, no cache) vs ko (empty caches)',
    `${fmtMs(m.kaniko)} vs ${fmtMs(m.koCold)}`,
    `${fmtRatio(coldRatio)} Kaniko/ko`,
    'seed: >= 3x faster',
    coldRatio >= 3 ? 'met' : 'missed',
  );
  row(
    'c',
    'same, warm: Kaniko (warm --cache-repo layer cache) vs ko (warm KOCACHE, GOCACHE)',
    `${fmtMs(m.kanikoCached)} vs ${fmtMs(m.koWarm)}`,
    `${fmtRatio(warmRatio)} Kaniko/ko`,
    'seed: >= 3x faster',
    warmRatio >= 3 ? 'met' : 'missed',
  );
  row(
    'c',
    '  warm ko vs Kaniko as `build` runs it today (no layer cache)',
    `${fmtMs(m.kaniko)} vs ${fmtMs(m.koWarm)}`,
    `${fmtRatio(m.kaniko / m.koWarm)} Kaniko/ko`,
    '',
    '',
  );
  row(
    'c',
    'compressed size: Kaniko (busybox base) vs ko (static:nonroot base)',
    `${fmtBytes(kanikoSize)} vs ${fmtBytes(koSize)}`,
    `${fmtRatio(sizeRatio)} Kaniko/ko`,
    'seed: >= 4x smaller',
    sizeRatio >= 4 ? 'met' : 'missed',
  );
  const dRatio = m.koCold / m.koWarm;
  row(
    'd',
    'ko leg go-hello amd64 (hephy-builder build): cold vs warm',
    `${fmtMs(m.koCold)} vs ${fmtMs(m.koWarm)}`,
    `${fmtRatio(dRatio)} cold/warm`,
    '(informative)',
    '',
  );
  results.backends = { samples: s, medians: m, koSize, kanikoSize };
}

// ---------------------------------------------------------------- (f) selection by input digest
/** The examples `run` builds on this machine: every backend but Spin (no Spin CLI here). */
const DIGEST_APPS = ['go-hello', 'go-nocfg', 'kaniko-app', 'buildkit-cache'];

async function digestBench() {
  const repo = join(WORK, 'examples');
  for (const app of DIGEST_APPS) cpSync(join(ROOT, 'examples', app), join(repo, app), { recursive: true });
  await git(repo, 'init', '-q', '-b', 'main');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', 'examples');
  const prefix = `bench-digests-${ID}`;
  const args = ['run', '--root', repo, '--registry', REG, '--image-prefix', prefix, '--out', join(WORK, 'digests-out')];
  if (opt['kaniko-image']) args.push('--kaniko-image', opt['kaniko-image']);
  /** One run; the number of legs it built (lines `  [LEG] BACKEND PLATFORM: started`). */
  const runOnce = async (extra) => {
    const r = await timed(process.execPath, [CLI, ...args, ...extra], { env: baseEnv });
    return { ms: r.ms, built: (r.stdout.match(/^ {2}\[[^\]]+\] .*: started$/gm) ?? []).length };
  };
  // The first run publishes every image and its input-digest records, and warms every cache.
  const first = await runOnce([]);
  log(`(f) first run: ${first.built} legs in ${fmtMs(first.ms)}`);
  const built = { none: [], full: [] };
  const { a: noneMs, b: fullMs } = await alternate(
    '(f) run, nothing changed vs --force-rebuild',
    async () => {
      const r = await runOnce([]);
      built.none.push(r.built);
      return r.ms;
    },
    async () => {
      const r = await runOnce(['--force-rebuild']);
      built.full.push(r.built);
      return r.ms;
    },
  );
  if (built.none.some((n) => n !== 0)) results.notes.push(`(f) a no-change run built legs: ${built.none.join(', ')}`);
  const ratio = fullMs / noneMs;
  row(
    'f',
    `run of ${DIGEST_APPS.length} examples (${first.built} legs): nothing changed vs --force-rebuild (warm caches)`,
    `${fmtMs(noneMs)} vs ${fmtMs(fullMs)}`,
    `${fmtRatio(ratio)} faster`,
    '>= 10x faster',
    ratio >= 10 ? 'met' : 'missed',
  );
  row(
    'f',
    '  no-change run as a share of the rebuild',
    `${((100 * noneMs) / fullMs).toFixed(0)} %`,
    '',
    '< 40 %',
    noneMs / fullMs < 0.4 ? 'met' : 'missed',
  );
  results.digests = { noneMs, fullMs, firstMs: first.ms, legs: first.built, built };
}

function table() {
  const headers = ['', 'measurement', 'measured (median)', 'ratio', 'goal / claim', ''];
  const rows = [...results.rows]
    .sort((x, y) => x.part.localeCompare(y.part))
    .map((r) => [r.part, r.what, r.measured, r.ratio, r.goal, r.verdict]);
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

async function main() {
  log(`work dir ${WORK}, N=${N}, ${results.machine}, ${availableParallelism()} parallel`);
  const repo = appsRepo();
  await git(repo, 'init', '-q', '-b', 'main');
  await git(repo, 'add', '-A');
  await git(repo, 'commit', '-q', '-m', 'bench apps');
  if (ONLY.has('a')) await planBench();
  const legs = await plannedLegs(repo);
  if (ONLY.has('b')) await overheadBench(repo, legs);
  if (ONLY.has('c') || ONLY.has('d')) await backendBench(repo, legs);
  if (ONLY.has('f')) await digestBench();
  process.stdout.write(`\nhephy-builder benchmarks (${results.date}, ${results.machine}, N=${N})\n\n${table()}\n`);
  if (opt.json) writeFileSync(opt.json, `${JSON.stringify(results, null, 2)}\n`);
  rmSync(WORK, { recursive: true, force: true });
}

main().catch((error) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n(work dir kept: ${WORK})\n`);
  process.exit(1);
});
