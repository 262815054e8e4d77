import type { SelectionMode } from '../../core/model.js';
import { UserError } from '../../core/problem.js';
import { renderPlanText } from '../../core/report/planReport.js';
import { planRepository } from '../../pipeline/planRepository.js';
import { resolve } from 'node:path';
import { imagePrefixOptions, listOption, stringOption, type CommandSpec, type ParsedArgs } from '../args.js';
import { tagRunFromArgs, tagRunHelp, tagRunOptions } from '../tagOptions.js';
import { buildEnvNames } from '../../core/buildEnv.js';
import { BUILD_ENV_HELP, buildEnvEntries, buildEnvFromArgs, buildEnvOption } from '../buildEnvOptions.js';
import { selectsByDigest } from '../../core/tagPolicy.js';
import { backendOptions, backendOptionsFromArgs, backendOptionsHelp } from '../backendOptions.js';
import { registryReader } from '../../tools/registryRead.js';
import { toolEnv } from '../../tools/paths.js';
import { runContextFromArgs } from '../tagOptions.js';
import { checkSignFlag, supplyChainFromArgs, supplyChainHelp, supplyChainOptions } from '../supplyChainOptions.js';
import { signOptions } from '../signOptions.js';

export function selectionFromArgs(args: ParsedArgs): SelectionMode {
  const since = stringOption(args, 'since');
  const rebuildList = stringOption(args, 'rebuild-list');
  const dirs = listOption(args, 'dirs');
  const chosen = [since && '--since', rebuildList && '--rebuild-list', dirs && '--dirs'].filter(Boolean);
  if (chosen.length > 1) throw new UserError(`${chosen.join(' and ')} select dirs in different ways: use one of them`);
  if (since) return { kind: 'since', rev: since };
  if (rebuildList) return { kind: 'rebuild-list', file: rebuildList };
  if (dirs) return { kind: 'dirs', dirs };
  return { kind: 'all' };
}

export const selectionOptions = {
  root: { type: 'string' },
  since: { type: 'string' },
  'rebuild-list': { type: 'string' },
  dirs: { type: 'string', multiple: true },
  runners: { type: 'string' },
} as const;

export const selectionHelp = `  --root DIR            repository root (default: .)
  --since REV           only apps one of whose inputs changed since REV (a commit, branch or tag)
  --rebuild-list FILE   only apps listed in FILE (one dir per line, # comments), e.g. rebuild-weekly.txt
  --dirs a,b            only these app dirs (repeatable)
  --runners MAP         runner per platform, JSON/YAML or a file, e.g. '{"linux/arm64": "my-arm"}'`;

export const planCommand: CommandSpec = {
  name: 'plan',
  summary: 'Show what would build: images, backends, one leg per platform, and the tags each image gets',
  usage:
    'hephy-builder plan [--root DIR] [--since REV | --rebuild-list FILE | --dirs a,b] [--runners MAP] [--registry HOST --image-prefix PATH --tag-mode M] [--event E --ref R --sha S --pr N --branch B --tags RULES] [--sbom B --provenance B --sign B --sign-key FILE] [--json]',
  help: `${selectionHelp}
  --registry HOST[:PORT]  the registry the merge publishes to: images[].tags are then full
                        references; and, for a default-branch, scheduled or manual run, select by
                        input digest: leave out the images whose inputs a default-branch run already
                        published there (one read per image and platform), re-tagged instead;
                        --since REV is then the fallback when the registry cannot be read
  --image-prefix PATH   path under the registry (default: hephy)
  --tag-mode MODE       per-image (default) or single-repo
  --per-arch-tags       the merge also tags each platform's manifest: check those tags too
  --force-rebuild       with --registry: build every selected image, published or not
${tagRunHelp}
${backendOptionsHelp(24)}
${supplyChainHelp(24)}
  --sign-key FILE       the merge will sign with this key: images that sign do so with it
                        (the plan only notes it; merge --sign-key reads it)
  --json                print the plan as JSON (legs under matrix.include, tags under images[].tags),
                        with each leg's input digest (base images resolved from their registries)
${BUILD_ENV_HELP}: every \${NAME} of a config must be one of them (or a safe GitHub value)`,
  options: {
    ...selectionOptions,
    registry: { type: 'string' },
    ...imagePrefixOptions,
    'tag-mode': { type: 'string' },
    'per-arch-tags': { type: 'boolean' },
    'force-rebuild': { type: 'boolean' },
    ...tagRunOptions,
    ...buildEnvOption,
    ...backendOptions,
    ...supplyChainOptions,
    ...signOptions,
    json: { type: 'boolean' },
  },
  allowPositionals: false,
  async run(args, io) {
    const root = stringOption(args, 'root') ?? '.';
    const json = Boolean(args.values.json);
    const env = toolEnv(io.env);
    const reader = registryReader({ env });
    const tagging = await tagRunFromArgs(args, io, resolve(io.cwd, root));
    if (args.values['force-rebuild'] && !tagging.target)
      throw new UserError('--force-rebuild goes with --registry (without it, nothing is skipped)');
    const byDigest =
      tagging.target && selectsByDigest(tagging.run)
        ? { publish: { ...tagging.target, mode: tagging.mode }, reader, forceRebuild: Boolean(args.values['force-rebuild']) }
        : undefined;
    const supplyChain = {
      onRunner: runContextFromArgs(args, io).onRunner,
      signKey: stringOption(args, 'sign-key') !== undefined,
      inputs: supplyChainFromArgs(args),
    };
    checkSignFlag(supplyChain.inputs, supplyChain);
    const plan = await planRepository(root, selectionFromArgs(args), {
      runners: stringOption(args, 'runners'),
      cwd: io.cwd,
      // The legs of this plan build its upstream commits: resolve them now (validate never does).
      resolveUpstream: true,
      // Names only: a NAME entry's value comes from the build job's environment.
      buildEnvNames: args.values['build-env'] === undefined ? undefined : buildEnvNames(buildEnvEntries(args)),
      tagging,
      supplyChain,
      // Input digests need the registry their base images resolve in: only with --registry
      // (plan --json without one stays a local, offline read of the repository).
      inputDigests:
        tagging.target && (json || byDigest)
          ? { env, buildEnv: buildEnvFromArgs(args, io.env), backendOptions: backendOptionsFromArgs(args), registry: reader }
          : undefined,
      byDigest,
    });
    io.out(args.values.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
    return plan.problems.some((p) => p.severity === 'error') ? 1 : 0;
  },
};
