import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { readPlan } from './merge.js';
import { buildPlannedLeg } from '../../pipeline/buildPlannedLeg.js';
import { toolsDir } from '../../tools/paths.js';
import { planRepository } from '../../pipeline/planRepository.js';
import { parseLeg } from '../../core/leg.js';
import type { Leg } from '../../core/model.js';
import { UserError } from '../../core/problem.js';
import { renderLegMarkdown } from '../../core/report/legReport.js';
import { BUILD_ENV_HELP, buildEnvFromArgs, buildEnvOption } from '../buildEnvOptions.js';
import { stringOption, type CommandSpec } from '../args.js';
import { backendOptions, backendOptionsFromArgs, backendOptionsHelp } from '../backendOptions.js';
import { registryFromArgs, registryHelp, registryOptions } from '../registryOptions.js';
import { metadataHelp, metadataOptions, runMetadataFromArgs } from '../metadataOptions.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  summary: 'Build one leg (one image, one platform) and push it by digest; print its leg record',
  usage: 'hephy-builder build (--leg JSON | --image NAME --platform P) --registry HOST[:PORT] [--root DIR] [--dry-run] [--record FILE]',
  help: `  --leg JSON              a leg of the plan's matrix (as \`plan --json\` prints under matrix.include)
  --image NAME            or: the image to build ...
  --platform P            ... and its platform, e.g. linux/arm64
  --root DIR              repository root (default: .)
${registryHelp}
${backendOptionsHelp(26)}
${metadataHelp(26)}
  --dry-run               build for real but push nothing (no digest push, no scratch tag, no
                          registry cache write); the registry still names the image
  --record FILE           also write the leg record (JSON) to FILE; its SBOM, when the image
                          asks for one, goes beside it (<record name>.spdx.json)
  --plan FILE             the plan (\`plan --json\`) whose supply-chain settings of the image apply
${BUILD_ENV_HELP}`,
  options: {
    ...registryOptions,
    leg: { type: 'string' },
    image: { type: 'string' },
    platform: { type: 'string' },
    root: { type: 'string' },
    ...backendOptions,
    ...buildEnvOption,
    ...metadataOptions,
    record: { type: 'string' },
    plan: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
  allowPositionals: false,
  async run(args, io) {
    const root = stringOption(args, 'root') ?? '.';
    const metadata = await runMetadataFromArgs(args, io, root);
    let leg: Leg;
    const legText = stringOption(args, 'leg');
    if (legText) leg = parseLeg(legText, '--leg');
    else {
      const image = stringOption(args, 'image');
      const platform = stringOption(args, 'platform');
      if (!image || !platform) throw new UserError('give --leg JSON, or --image NAME and --platform P');
      const plan = await planRepository(root, { kind: 'all' }, { cwd: io.cwd, buildEnvNames: Object.keys(buildEnvFromArgs(args)) });
      const found = plan.matrix.include.find((l) => l.image === image && l.platform === platform);
      if (!found) {
        const known = plan.matrix.include.map((l) => `${l.image} ${l.platform}`).join(', ');
        throw new UserError(`no leg for image ${image} on ${platform} in the plan of ${root}; planned: ${known || 'nothing'}`);
      }
      leg = found;
    }
    const planFile = stringOption(args, 'plan');
    const supplyChain = planFile ? readPlan(resolve(io.cwd, planFile)).images.find((i) => i.image === leg.image)?.supplyChain : undefined;
    const file = stringOption(args, 'record');
    const dryRun = Boolean(args.values['dry-run']);
    const registry = registryFromArgs(args, io, { login: !dryRun });
    const record = await buildPlannedLeg(leg, {
      root,
      cwd: io.cwd,
      publish: registry.publish,
      insecure: registry.insecure,
      push: !dryRun,
      env: registry.env,
      secrets: registry.secrets,
      cacheRoot: join(toolsDir(registry.env), 'cache'),
      backendOptions: backendOptionsFromArgs(args),
      buildEnv: buildEnvFromArgs(args),
      metadata,
      ...(supplyChain ? { supplyChain } : {}),
      ...(file ? { recordDir: dirname(resolve(io.cwd, file)) } : {}),
      onRunner: false,
      log: (line) => io.err(`[${leg.id}] ${line}\n`),
    }).finally(() => registry.release());
    const json = `${JSON.stringify(record, null, 2)}\n`;
    if (file) writeFileSync(resolve(io.cwd, file), json);
    io.out(json);
    if (record.status !== 'success') io.err(renderLegMarkdown(record));
    return record.status === 'success' ? 0 : 1;
  },
};
