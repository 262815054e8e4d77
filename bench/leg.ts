// One build leg through hephy-builder's own leg runner, as `hephy-builder build` runs it, plus one
// thing the CLI does not expose: a Kaniko registry layer cache (the kaniko backend's cacheRepo
// option, `--cache=true --cache-repo`). The benchmark needs it for a fair "warm Kaniko" next to a
// warm ko; everything else in bench/ goes through the real CLI. bench/run.sh bundles this file
// with ncc, like the CLI, and prints the leg record as JSON.
//
//   node leg.js --root DIR --dir APP_DIR --platform linux/amd64 --registry HOST:PORT --prefix PATH
//               [--base-image REF] [--kaniko-image REF] [--kaniko-cache-repo REPO]
// BASE_IMAGE in the environment feeds `${BASE_IMAGE}` build args, as in `hephy-builder run`.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildLeg } from '../src/pipeline/buildLeg.js';
import { toolEnv, toolsDir } from '../src/tools/paths.js';
import { planRepository } from '../src/pipeline/planRepository.js';
import { backendFor } from '../src/backends/index.js';
import { createKanikoBackend } from '../src/backends/kaniko.js';
import { manifestCompressedSize } from '../src/tools/imagetools.js';

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      root: { type: 'string' },
      dir: { type: 'string' },
      platform: { type: 'string' },
      registry: { type: 'string' },
      prefix: { type: 'string' },
      'base-image': { type: 'string' },
      'kaniko-image': { type: 'string' },
      'kaniko-cache-repo': { type: 'string' },
    },
  });
  const root = resolve(values.root ?? '.');
  if (!values.dir || !values.platform || !values.registry)
    throw new Error('usage: leg.js --root DIR --dir APP_DIR --platform P --registry HOST:PORT [--prefix PATH]');
  const plan = await planRepository(root, { kind: 'dirs', dirs: [values.dir] });
  const leg = plan.matrix.include.find((candidate) => candidate.dir === values.dir && candidate.platform === values.platform);
  if (!leg) throw new Error(`no ${values.platform} leg planned for ${values.dir}`);
  const spec = plan.images.find((candidate) => candidate.image === leg.image)!;
  const env = toolEnv(process.env);
  const cacheRepo = values['kaniko-cache-repo'];
  const kaniko = cacheRepo ? createKanikoBackend({ cacheRepo: () => cacheRepo }) : undefined;
  const record = await buildLeg(
    leg,
    spec,
    {
      root,
      publish: { registry: values.registry, prefix: values.prefix ?? 'bench', mode: 'per-image' },
      insecure: true,
      env,
      secrets: [],
      // The same cache root as `hephy-builder run`.
      cacheRoot: join(toolsDir(env), 'cache'),
      backendOptions: { baseImage: values['base-image'], kanikoImage: values['kaniko-image'] },
      onRunner: false,
      log: (line) => process.stderr.write(`${line}\n`),
    },
    {
      backendFor: (name) => (name === 'kaniko' && kaniko ? kaniko : backendFor(name)),
      compressedSize: (ref, toolEnvironment) => manifestCompressedSize(ref, toolEnvironment),
    },
  );
  process.stdout.write(`${JSON.stringify(record)}\n`);
  return record.status === 'success' ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`bench leg: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  },
);
