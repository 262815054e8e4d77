import { resolve } from 'node:path';
import { runLocally } from '../../pipeline/localRun.js';
import { BUILD_ENV_HELP, buildEnvFromArgs, buildEnvOption } from '../buildEnvOptions.js';
import { anyFailed } from '../../pipeline/merge.js';
import { parseTagMode } from '../../core/tags.js';
import { UserError } from '../../core/problem.js';
import { parseSwitch } from '../../core/supplyChain.js';
import { imagePrefixOption, imagePrefixOptions, stringOption, type CommandSpec } from '../args.js';
import { tagRunFromArgs, tagRunHelp, tagRunOptions } from '../tagOptions.js';
import { backendOptions, backendOptionsFromArgs, backendOptionsHelp } from '../backendOptions.js';
import { metadataHelp, metadataOptions, runMetadataFromArgs } from '../metadataOptions.js';
import { selectionFromArgs, selectionHelp, selectionOptions } from './plan.js';
import { signHelp, signKeyFromArgs, signOptions, signPasswordFrom } from '../signOptions.js';
import { checkSignFlag, supplyChainFromArgs, supplyChainHelp, supplyChainOptions } from '../supplyChainOptions.js';
import { saveHistoryFile, summaryFromArgs, summaryHelp, summaryOptions } from '../summaryOptions.js';

export const runCommand: CommandSpec = {
  name: 'run',
  summary: 'Run the whole pipeline here: plan, build every leg, merge into a local registry, summarise',
  usage:
    'hephy-builder run [--root DIR] [--registry HOST:PORT] [selection options] [--jobs N] [--push true|false] [--sign-key FILE] [--sbom B --provenance B --sign B] [--history PATH] [--save-history FILE]',
  help: `${selectionHelp}
  --registry HOST:PORT  registry to push to (default: start a throwaway one on 127.0.0.1)
  --image-prefix PATH   path under the registry (default: hephy)
  --tag-mode MODE       per-image (default) or single-repo
  --per-arch-tags       also tag each platform's manifest, e.g. 20261125-arm64
${tagRunHelp}
  --jobs N              legs built at once (default: the number of cores)
  --force-rebuild       build every selected image, even those whose inputs the registry has
  --push true|false     false: a dry run, as for a pull request from a fork: build every leg for
                        real, push and tag nothing; images built on others use their OCI
                        layouts where the backend can (BuildKit, ko), else (Kaniko) are skipped (default true)
${backendOptionsHelp(24, { baseImage: "base image for ko apps (default: hephy's static base in the registry)" })}
${metadataHelp(24)}
${BUILD_ENV_HELP}
${signHelp}
${supplyChainHelp(24)}
  --out DIR             where leg records, summary.md and comment.md go (default: .hephy/run)
${summaryHelp}`,
  options: {
    ...selectionOptions,
    registry: { type: 'string' },
    ...imagePrefixOptions,
    'tag-mode': { type: 'string' },
    'per-arch-tags': { type: 'boolean' },
    jobs: { type: 'string' },
    'force-rebuild': { type: 'boolean' },
    push: { type: 'string' },
    ...tagRunOptions,
    ...backendOptions,
    ...buildEnvOption,
    ...metadataOptions,
    out: { type: 'string' },
    ...signOptions,
    ...supplyChainOptions,
    ...summaryOptions,
  },
  allowPositionals: false,
  async run(args, io) {
    const tagMode = parseTagMode(stringOption(args, 'tag-mode'), '--tag-mode');
    const jobsText = stringOption(args, 'jobs');
    const jobs = jobsText === undefined ? undefined : Number(jobsText);
    if (jobs !== undefined && (!Number.isInteger(jobs) || jobs < 1))
      throw new UserError(`--jobs: expected a whole number of at least 1, got \`${jobsText}\``);
    const registry = stringOption(args, 'registry');
    if (registry !== undefined && !/^[A-Za-z0-9.-]+(:\d+)?$/.test(registry))
      throw new UserError(`--registry: expected HOST[:PORT], got \`${registry}\``);
    const supplyChain = supplyChainFromArgs(args);
    // A missing key stops the run here, before any service starts (the signer is made later).
    checkSignFlag(supplyChain, { onRunner: false, signKey: signKeyFromArgs(args, io) !== undefined });
    const summary = summaryFromArgs(args, io);
    const root = stringOption(args, 'root') ?? '.';
    const metadata = await runMetadataFromArgs(args, io, root);
    const result = await runLocally({
      root,
      tagging: await tagRunFromArgs(args, io, resolve(io.cwd, root)),
      mode: selectionFromArgs(args),
      runners: stringOption(args, 'runners'),
      registry,
      prefix: imagePrefixOption(args) ?? 'hephy',
      tagMode,
      perArchTags: Boolean(args.values['per-arch-tags']),
      jobs,
      backendOptions: backendOptionsFromArgs(args),
      buildEnv: buildEnvFromArgs(args),
      forceRebuild: Boolean(args.values['force-rebuild']),
      push: parseSwitch(stringOption(args, 'push'), '--push') ?? true,
      metadata,
      outDir: resolve(io.cwd, stringOption(args, 'out') ?? '.hephy/run'),
      cwd: io.cwd,
      out: io.out,
      history: summary.history,
      thresholds: summary.thresholds,
      signKey: stringOption(args, 'sign-key'),
      signPassword: signPasswordFrom(io.env),
      supplyChain,
    });
    if (!summary.history && !summary.saveTo)
      io.out("hint: --save-history FILE keeps each leg's last 10 records and compares the next run with them\n");
    if (summary.saveTo) {
      const legs = saveHistoryFile(
        summary,
        result.report.outcomes.flatMap((o) => o.records),
      );
      io.out(`history: ${summary.saveTo} (${legs} leg(s), the last 10 records of each)\n`);
    }
    return anyFailed(result.report) ? 1 : 0;
  },
};
