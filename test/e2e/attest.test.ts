// SBOM and provenance attestations, end to end with the real tools against the local registry: a
// ko, a Kaniko and a BuildKit image, planned (`plan --json`, with images[].supplyChain set in the
// plan as the plan will decide it), built leg by leg (`build --leg --plan --record`: ko's own SPDX
// SBOM, syft v1.57.1 on the OCI layouts of Kaniko and BuildKit) and merged with a key
// (`merge --sign-key`): each published index is signed, and every platform manifest is signed and
// carries an SPDX SBOM attestation (cosign --type spdxjson) and a SLSA v1 provenance attestation
// (--type slsaprovenance1), which the real cosign verifies (v3.1.3, tool-pins.json). Then
// `hephy-builder verify --sbom --provenance` passes; a tag moved to another image fails it; a
// second merge of the same digests attests nothing twice.
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot, toolEnv } from '../../src/tools/paths.js';
import { run } from '../../src/tools/exec.js';
import type { Plan, LegRecord } from '../../src/core/model.js';
import { legRecordName } from '../../src/core/legRecord.js';
import { SLSA_PROVENANCE_V1, HEPHY_BUILD_TYPE } from '../../src/core/provenance.js';
import { tempRepo, type TempRepo } from '../helpers/gitRepo.js';
import { indexEntries, rawManifest, runCli, services, tempDir, type CliRun } from './harness.js';

const RUN_TIMEOUT_MS = 30 * 60 * 1000;
const CHECK_TIMEOUT_MS = 5 * 60 * 1000;
const PASSWORD = 'e2e-attest-Pa55word';
const IMAGES = ['att-ko', 'att-kaniko', 'att-bk', 'att-bkprov'];

/** The in-toto statements cosign verify-attestation prints (one DSSE envelope a line). */
function statementsOf(stdout: string): Array<Record<string, any>> {
  return stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(Buffer.from(JSON.parse(l).payload, 'base64').toString('utf8')));
}

/** The attestations stored for a digest: the fallback tag `sha256-<hex>` lists one manifest per bundle (signature or statement). */
async function bundleCount(repository: string, digest: string): Promise<number> {
  return ((await rawManifest(`${repository}:${digest.replace(':', '-')}`)).manifests ?? []).length;
}

describe('SBOM and provenance attestations with cosign (e2e)', () => {
  const svc = services();
  const prefix = `e2e-attest-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  const keys = tempDir('attest-keys');
  const records = tempDir('attest-records');
  const planFile = join(tempDir('attest-plan'), 'plan.json');
  const registryArgs = ['--registry', svc.registry, '--image-prefix', prefix, '--insecure'];
  const savedPassword = process.env.HEPHY_COSIGN_PASSWORD;
  let repo: TempRepo;
  let commit: string;
  let plan: Plan;
  let merged: CliRun;
  const builds: Record<string, CliRun> = {};
  const repositoryOf = (image: string) => `${svc.registry}/${prefix}/${image}`;
  /** The first tag the plan gave the image, as a full reference. */
  const taggedOf = (image: string) => {
    const tag = plan.images.find((i) => i.image === image)!.tags[0];
    return tag.includes('/') ? tag : `${repositoryOf(image)}:${tag}`;
  };
  const recordOf = (legId: string) => JSON.parse(readFileSync(join(records, `${legRecordName(legId)}.json`), 'utf8')) as LegRecord;
  const cosign = (args: string[]) => run('cosign', args, { env: toolEnv(), allowFailure: true });

  beforeAll(async () => {
    await run('cosign', ['generate-key-pair'], { cwd: keys, env: { ...toolEnv(), COSIGN_PASSWORD: PASSWORD }, secrets: [PASSWORD] });
    repo = tempRepo();
    const examples = join(packageRoot(), 'examples');
    cpSync(join(examples, 'go-hello'), join(repo.root, 'att-ko'), { recursive: true });
    // Kaniko and BuildKit for amd64 only: an arm64 leg of theirs runs under QEMU, minutes on this machine.
    cpSync(join(examples, 'kaniko-app'), join(repo.root, 'att-kaniko'), { recursive: true });
    const kanikoConfig = join(repo.root, 'att-kaniko', 'build-config.yaml');
    writeFileSync(kanikoConfig, readFileSync(kanikoConfig, 'utf8').replace(/^platforms: .*$/m, 'platforms: [linux/amd64]'));
    cpSync(join(examples, 'buildkit-cache'), join(repo.root, 'att-bk'), { recursive: true });
    writeFileSync(
      join(repo.root, 'att-bk', 'build-config.yaml'),
      'use_local_context: true\nbuild_backend: buildkit\nplatforms: [linux/amd64]\nbuild_args:\n  - BASE_IMAGE=${BASE_IMAGE}\n',
    );
    // The same BuildKit app with BuildKit's own provenance in its pushed index (supplyChain.buildkitAttestations).
    cpSync(join(repo.root, 'att-bk'), join(repo.root, 'att-bkprov'), { recursive: true });
    commit = repo.commit('four apps to attest');
    const buildEnv = ['--build-env', `BASE_IMAGE=${svc.busybox}`];
    const planned = await runCli(['plan', '--root', repo.root, '--json', ...buildEnv]);
    if (planned.code !== 0) throw new Error(`plan failed: ${planned.stderr}`);
    plan = JSON.parse(planned.stdout) as Plan;
    // What the plan decides once the settings keys are in (core/supplyChain.ts): SBOM, provenance, a key.
    for (const image of plan.images)
      image.supplyChain = {
        sbom: true,
        provenance: true,
        sign: 'key',
        ...(image.image === 'att-bkprov' ? { buildkitAttestations: true } : {}),
      };
    writeFileSync(planFile, JSON.stringify(plan));
    process.env.HEPHY_COSIGN_PASSWORD = PASSWORD;
    for (const leg of plan.matrix.include) {
      builds[leg.id] = await runCli([
        'build',
        '--root',
        repo.root,
        '--leg',
        JSON.stringify(leg),
        '--plan',
        planFile,
        '--record',
        join(records, `${legRecordName(leg.id)}.json`),
        ...registryArgs,
        '--base-image',
        svc.staticBase,
        '--kaniko-image',
        svc.kanikoImage,
        ...buildEnv,
      ]);
      if (builds[leg.id].code !== 0) process.stderr.write(`build ${leg.id} exited ${builds[leg.id].code}\n${builds[leg.id].stderr}\n`);
    }
    merged = await runCli(['merge', '--plan', planFile, '--records', records, ...registryArgs, '--sign-key', join(keys, 'cosign.key')]);
    if (merged.code !== 0) process.stderr.write(`merge exited ${merged.code}\n${merged.stdout}\n${merged.stderr}\n`);
  }, RUN_TIMEOUT_MS);

  afterAll(() => {
    repo?.remove();
    if (savedPassword === undefined) delete process.env.HEPHY_COSIGN_PASSWORD;
    else process.env.HEPHY_COSIGN_PASSWORD = savedPassword;
  });

  it('plans a ko, a Kaniko and a BuildKit image, builds every leg with an SBOM beside its record, and publishes them', () => {
    expect(plan.images.map((i) => [i.image, i.backend]).sort()).toEqual([
      ['att-bk', 'buildkit'],
      ['att-bkprov', 'buildkit'],
      ['att-kaniko', 'kaniko'],
      ['att-ko', 'ko'],
    ]);
    for (const leg of plan.matrix.include) expect([leg.id, builds[leg.id].code]).toEqual([leg.id, 0]);
    expect(merged.code).toBe(0);
    expect(`${merged.stdout}${merged.stderr}`).not.toContain(PASSWORD);
    expect(merged.stderr).toMatch(/\[att-ko\] attested 4 statement\(s\) \(SBOM, provenance\) on 2 platform manifest\(s\)/);
    expect(merged.stderr).toMatch(/\[att-kaniko\] attested 2 statement\(s\)/);
    expect(merged.stderr).toMatch(/\[att-bk\] attested 2 statement\(s\)/);
    expect(merged.stderr).toMatch(/\[att-bkprov\] attested 2 statement\(s\)/);
  });

  it(
    "a BuildKit leg with BuildKit's own provenance records its platform manifest and publishes a correct index with the attestation",
    async () => {
      const leg = plan.matrix.include.find((l) => l.image === 'att-bkprov')!;
      const record = recordOf(leg.id);
      expect(record.index).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(record.index).not.toBe(record.digest);
      // What the leg pushed: BuildKit's index, the image and its attestation manifest.
      const pushed = await rawManifest(`${repositoryOf('att-bkprov')}@${record.index}`);
      expect(
        indexEntries(pushed)
          .map((e) => e.platform)
          .sort(),
      ).toEqual(['linux/amd64', 'unknown/unknown']);
      // What the merge published: the same two, the platform manifest being the recorded digest.
      const index = await rawManifest(taggedOf('att-bkprov'));
      const entries = indexEntries(index);
      expect(entries.find((e) => e.platform === 'linux/amd64')?.digest).toBe(record.digest);
      const attestation = index.manifests.find((m: any) => m.platform?.os === 'unknown');
      expect(attestation?.annotations?.['vnd.docker.reference.digest']).toBe(record.digest);
      expect((await rawManifest(`${repositoryOf('att-bkprov')}@${record.digest}`)).config).toBeDefined();
      // The other BuildKit image, without them, is an index of its platform alone.
      expect(indexEntries(await rawManifest(taggedOf('att-bk'))).map((e) => e.platform)).toEqual(['linux/amd64']);
    },
    CHECK_TIMEOUT_MS,
  );

  it('each SBOM is SPDX JSON from the right tool, dated at the commit time, and holds no secret', () => {
    const commitTime = Number(execFileSync('git', ['-C', repo.root, 'log', '-1', '--format=%ct']).toString().trim());
    for (const leg of plan.matrix.include) {
      const record = recordOf(leg.id);
      expect(record.sbom?.tool).toBe(leg.backend === 'ko' ? 'ko v0.19.1' : 'syft v1.57.1');
      const text = readFileSync(join(records, record.sbom!.file), 'utf8');
      const doc = JSON.parse(text);
      expect(doc.spdxVersion).toMatch(/^SPDX-2\./);
      expect(doc.creationInfo.created).toBe(new Date(commitTime * 1000).toISOString().replace(/\.000Z$/, 'Z'));
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain('HEPHY_');
      // ko describes the image by its digest; syft was told its name and digest.
      expect(text).toContain(record.digest!.slice('sha256:'.length));
    }
  });

  it(
    'cosign verifies an SBOM and a provenance statement on every platform manifest, each naming that digest',
    async () => {
      const pub = join(keys, 'cosign.pub');
      for (const image of IMAGES) {
        const repository = repositoryOf(image);
        const index = await rawManifest(taggedOf(image));
        for (const { platform, digest } of indexEntries(index).filter((e) => e.platform !== 'unknown/unknown')) {
          const leg = plan.matrix.include.find((l) => l.image === image && l.platform === platform)!;
          for (const [type, predicateType] of [
            ['spdxjson', 'https://spdx.dev/Document'],
            ['slsaprovenance1', SLSA_PROVENANCE_V1],
          ]) {
            const verified = await cosign([
              'verify-attestation',
              `--key=${pub}`,
              `--type=${type}`,
              '--insecure-ignore-tlog=true',
              `${repository}@${digest}`,
            ]);
            expect([image, platform, type, verified.code]).toEqual([image, platform, type, 0]);
            const [statement] = statementsOf(verified.stdout);
            expect(statement.predicateType).toBe(predicateType);
            expect(statement.subject[0].digest.sha256).toBe(digest.slice('sha256:'.length));
            if (type === 'slsaprovenance1') {
              const p = statement.predicate;
              expect(p.buildDefinition.buildType).toBe(HEPHY_BUILD_TYPE);
              expect(p.buildDefinition.externalParameters).toMatchObject({ image, platform, backend: leg.backend });
              expect(p.buildDefinition.resolvedDependencies[0].digest).toEqual({ gitCommit: commit });
              expect(p.buildDefinition.internalParameters.tools.cosign).toBe('v3.1.3');
              expect(p.runDetails.builder.id).toBe('hephy-builder 0.1.0');
              if (leg.inputDigest) expect(p.buildDefinition.internalParameters.inputDigest).toBe(leg.inputDigest);
            }
          }
        }
      }
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    '`hephy-builder verify --sbom --provenance` reports each platform signed, with SBOM and provenance',
    async () => {
      for (const image of IMAGES) {
        const verified = await runCli(['verify', taggedOf(image), '--key', join(keys, 'cosign.pub'), '--sbom', '--provenance']);
        expect([image, verified.code, verified.stderr]).toEqual([image, 0, '']);
        expect(verified.stdout).toMatch(/^\s+linux\/amd64\s+sha256:[0-9a-f]{64}\s+signed$/m);
        expect(verified.stdout).toMatch(/^\s+SBOM\s+attested$/m);
        expect(verified.stdout).toMatch(/^\s+provenance\s+attested$/m);
        const platforms = image === 'att-ko' ? 2 : 1;
        expect(verified.stdout).toContain(`SBOM on ${platforms}, provenance on ${platforms} of ${platforms} platform(s)`);
      }
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'a tag moved to another image fails verify; an unsigned image fails --sbom',
    async () => {
      const tampered = `${repositoryOf('att-ko')}:tampered`;
      await run('crane', ['copy', '--insecure', taggedOf('att-kaniko'), tampered]);
      const verified = await runCli(['verify', tampered, '--key', join(keys, 'cosign.pub'), '--sbom', '--provenance']);
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(/NOT signed: /);
      const unsigned = `${repositoryOf('att-ko')}:unsigned`;
      await run('crane', ['copy', '--insecure', svc.busybox, unsigned]);
      const bare = await runCli(['verify', unsigned, '--key', join(keys, 'cosign.pub'), '--sbom']);
      expect(bare.code).toBe(1);
      expect(bare.stdout).toMatch(/SBOM\s+none: /);
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'an unchanged image re-tagged from a digest an earlier run published without attestations is signed, and the run says which it lacks',
    async () => {
      // What an earlier run without SBOM and provenance left: a two-platform index (the e2e
      // busybox), published under the image's repository with no statement on it.
      const repository = repositoryOf('att-old');
      await run('crane', ['copy', '--insecure', svc.busybox, `${repository}:earlier`]);
      const index = await rawManifest(`${repository}:earlier`);
      const platforms = indexEntries(index);
      const indexDigest = (await run('crane', ['digest', '--insecure', `${repository}:earlier`])).stdout.trim();
      const unchangedPlan: Plan = {
        ...plan,
        images: [],
        matrix: { include: [] },
        inputDigests: [],
        unchanged: [
          {
            image: 'att-old',
            dir: 'att-old',
            tags: ['retagged'],
            index: indexDigest,
            platforms: platforms.map((p, i) => ({
              platform: p.platform,
              digest: p.digest,
              inputDigest: `sha256:${String(i + 1).repeat(64)}`,
            })),
            supplyChain: { sbom: true, provenance: true, sign: 'key' },
          },
        ],
      };
      const file = join(tempDir('attest-unchanged-plan'), 'plan.json');
      writeFileSync(file, JSON.stringify(unchangedPlan));
      const summary = join(tempDir('attest-unchanged-summary'), 'summary.md');
      const retagged = await runCli([
        'merge',
        '--plan',
        file,
        '--records',
        tempDir('attest-unchanged-records'),
        ...registryArgs,
        '--sign-key',
        join(keys, 'cosign.key'),
        '--summary',
        summary,
      ]);
      expect([retagged.code, retagged.stderr]).toEqual([0, expect.any(String)]);
      const note =
        'no SBOM and no provenance attestation on the published digest (built by an earlier run without them); --force-rebuild to make them';
      // One line in the log, one in the summary (text and markdown).
      expect(retagged.stderr.split('\n').filter((l) => l.includes(note))).toEqual([`[att-old] ${note}`]);
      expect(retagged.stdout).toContain(`  note: ${note}`);
      expect(readFileSync(summary, 'utf8')).toContain(`- \`att-old\`: ${note}`);
      // What the note says is what verify finds: signed now, no attestation.
      const verified = await runCli(['verify', `${repository}:retagged`, '--key', join(keys, 'cosign.pub'), '--sbom', '--provenance']);
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(/^\s+index\s+sha256:[0-9a-f]{64}\s+signed$/m);
      expect(verified.stdout).toContain('FAILED: a required attestation is missing');
    },
    CHECK_TIMEOUT_MS,
  );

  it(
    'merging the same digests again attests nothing twice',
    async () => {
      const repository = repositoryOf('att-ko');
      const [first] = indexEntries(await rawManifest(taggedOf('att-ko')));
      const before = await bundleCount(repository, first.digest);
      const again = await runCli([
        'merge',
        '--plan',
        planFile,
        '--records',
        records,
        ...registryArgs,
        '--sign-key',
        join(keys, 'cosign.key'),
      ]);
      expect(again.code).toBe(0);
      expect(again.stderr).toMatch(/\[att-ko\] already attested with this key/);
      expect(await bundleCount(repository, first.digest)).toBe(before);
    },
    CHECK_TIMEOUT_MS,
  );
});
