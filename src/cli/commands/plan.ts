import type { SelectionMode } from '../../core/model.js';
import { UserError } from '../../core/problem.js';
import { renderPlanText } from '../../core/report/planReport.js';
import { planRepository } from '../../pipeline/planRepository.js';
import { imagePrefixOption, imagePrefixOptions, listOption, stringOption, type CommandSpec, type ParsedArgs } from '../args.js';
import { parseTagMode } from '../../core/tags.js';
import { normalizeRegistry } from '../../tools/registryAuth.js';
import { backendOptions, backendOptionsFromArgs, backendOptionsHelp } from '../backendOptions.js';
import { registryReader } from '../../tools/registryRead.js';
import { toolEnv } from '../../tools/paths.js';

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
  summary: 'Show what would build: images, backends and one leg per platform',
  usage: 'hephy-builder plan [--root DIR] [--since REV | --rebuild-list FILE | --dirs a,b] [--runners MAP] [--json]',
  help: `${selectionHelp}
  --json                print the plan as JSON (legs under matrix.include), with each leg's input
                        digest (base images resolved from their registries)
  --registry HOST[:PORT]  select by input digest: leave out the images whose inputs a
                        default-branch run already published there (one read per image and
                        platform); --since REV is then the fallback when it cannot be read
  --image-prefix PATH   path under the registry (default: hephy)
  --tag-mode MODE       per-image (default) or single-repo
  --force-rebuild       with --registry: build every selected image, published or not
${backendOptionsHelp(24)}`,
  options: {
    ...selectionOptions,
    json: { type: 'boolean' },
    registry: { type: 'string' },
    ...imagePrefixOptions,
    'tag-mode': { type: 'string' },
    'force-rebuild': { type: 'boolean' },
    ...backendOptions,
  },
  allowPositionals: false,
  async run(args, io) {
    const json = Boolean(args.values.json);
    const env = toolEnv(io.env);
    const reader = registryReader({ env });
    const given = stringOption(args, 'registry');
    const byDigest = given
      ? {
          publish: {
            registry: normalizeRegistry(given),
            prefix: imagePrefixOption(args) ?? 'hephy',
            mode: parseTagMode(stringOption(args, 'tag-mode'), '--tag-mode'),
          },
          reader,
          forceRebuild: Boolean(args.values['force-rebuild']),
        }
      : undefined;
    if (args.values['force-rebuild'] && !byDigest)
      throw new UserError('--force-rebuild goes with --registry (without it, nothing is skipped)');
    const plan = await planRepository(stringOption(args, 'root') ?? '.', selectionFromArgs(args), {
      runners: stringOption(args, 'runners'),
      cwd: io.cwd,
      // The legs of this plan build its upstream commits: resolve them now (validate never does).
      resolveUpstream: true,
      inputDigests: json || byDigest ? { env, backendOptions: backendOptionsFromArgs(args), registry: reader } : undefined,
      byDigest,
    });
    io.out(args.values.json ? `${JSON.stringify(plan, null, 2)}\n` : renderPlanText(plan));
    return plan.problems.some((p) => p.severity === 'error') ? 1 : 0;
  },
};
