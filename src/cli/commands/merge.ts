import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { anyFailed, checkPlanPublish, mergeImages, mergePushes, readLegRecords } from '../../pipeline/merge.js';
import type { Plan } from '../../core/model.js';
import { parsePlan } from '../../core/planSchema.js';
import { UserError, messageOf } from '../../core/problem.js';
import { renderRunComment, renderRunSummaryMarkdown, renderRunSummaryText, type SummaryOptions } from '../../core/report/runSummary.js';
import { compareRecords } from '../../core/report/compare.js';
import { readLayerGrowth } from '../../pipeline/layerGrowth.js';
import { saveHistoryFile, summaryFromArgs, summaryHelp, summaryOptions } from '../summaryOptions.js';
import { stringOption, type CommandSpec } from '../args.js';
import { registryFromArgs, registryHelp, registryOptions } from '../registryOptions.js';
import { NOT_SIGNED_NOTE, signHelp, signOptions, signerFromArgs } from '../signOptions.js';
import type { Signer } from '../../pipeline/sign.js';
import { builderOf } from '../../core/provenance.js';
import { HEPHY_BUILDER_VERSION } from '../../core/version.js';
import { pinnedToolVersions } from '../../core/toolPins.js';

/** The plan file, checked (core/planSchema.ts). @throws UserError */
export function readPlan(file: string): Plan {
  const hint = 'write one with `hephy-builder plan --json > plan.json`';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`${file}: cannot read the plan (${messageOf(error)}); ${hint}`);
  }
  return parsePlan(text, file, hint);
}

export const mergeCommand: CommandSpec = {
  name: 'merge',
  summary: "Publish each image whose legs all succeeded as one multi-arch index under the plan's tags",
  usage:
    'hephy-builder merge --plan plan.json --records DIR --registry HOST[:PORT] [--sign-key FILE] [--dry-run] [--summary FILE] [--comment FILE] [--history PATH]',
  help: `  --plan FILE             the plan (\`hephy-builder plan --json\`)
  --records DIR           where the leg records are (searched recursively)
${registryHelp}
  --per-arch-tags         also tag each platform's manifest ({tag}-{arch}, for each of the plan's tags)
${signHelp}
  --dry-run               publish nothing and contact no registry; report images as built
                          (implied when every leg record was built with \`build --dry-run\`)
  --summary FILE          write the markdown summary (the job summary) to FILE
  --comment FILE          write the pull-request comment to FILE (the summary cut to 65,536 characters)
${summaryHelp}`,
  options: {
    ...registryOptions,
    plan: { type: 'string' },
    records: { type: 'string' },
    summary: { type: 'string' },
    comment: { type: 'string' },
    ...summaryOptions,
    'per-arch-tags': { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    ...signOptions,
  },
  allowPositionals: false,
  async run(args, io) {
    const planFile = stringOption(args, 'plan');
    const recordsDir = stringOption(args, 'records');
    if (!planFile || !recordsDir) throw new UserError('--plan FILE and --records DIR are required');
    const plan = readPlan(resolve(io.cwd, planFile));
    // Before anything is published: a bad threshold or history changes nothing.
    const choice = summaryFromArgs(args, io);
    const { records, dirs, problems } = readLegRecords(resolve(io.cwd, recordsDir));
    for (const problem of problems) io.err(`warning: ${problem}\n`);
    // Nothing is pushed on a dry run, nor when every leg was built with --dry-run: no login then.
    // A plan whose images are all unchanged has no record at all, and still re-tags (and signs).
    const pushes = !args.values['dry-run'] && mergePushes({ records });
    const registry = registryFromArgs(args, io, { login: pushes });
    let signer: Signer | undefined;
    try {
      // Before anything is published: a missing key or a wrong password changes nothing.
      if (pushes && plan.publish.push) {
        signer = await signerFromArgs(args, io, { env: registry.env, secrets: registry.secrets, insecure: registry.insecure });
        if (!signer) io.err(`${NOT_SIGNED_NOTE}\n`);
      }
      registry.publish.perArchTags = Boolean(args.values['per-arch-tags']);
      checkPlanPublish(plan.publish, registry.publish);
      // The plan says when this run may not push (a pull request from a fork, pull_request_target).
      if (!plan.publish.push && !args.values['dry-run']) io.err(`nothing is pushed: ${plan.publish.pushWhy}\n`);
      const report = await mergeImages({
        images: plan.images,
        legs: plan.matrix.include,
        records,
        publish: registry.publish,
        env: registry.env,
        secrets: registry.secrets,
        // Absent: mergeImages decides from the records.
        push: args.values['dry-run'] || !plan.publish.push ? false : undefined,
        // Selection by digest: images re-tagged, not built; records only where the plan's run may write them.
        unchanged: plan.unchanged,
        recordInputs: plan.publish.recordInputs,
        log: (line) => io.err(`${line}\n`),
        signer,
        supplyChain: {
          specs: plan.images,
          recordDirs: dirs,
          outDir: resolve(io.cwd, recordsDir),
          builder: builderOf({ onRunner: false }, HEPHY_BUILDER_VERSION),
          tools: pinnedToolVersions(),
          inputDigests: plan.inputDigests,
        },
      });
      const comparisons = compareRecords(records, choice.history, choice.thresholds);
      const growth = pushes
        ? await readLayerGrowth(comparisons, { env: registry.env, secrets: registry.secrets, log: (line) => io.err(`${line}\n`) })
        : [];
      const summaryOptions: SummaryOptions = { history: choice.history, thresholds: choice.thresholds, growth };
      const summary = stringOption(args, 'summary');
      if (summary) writeFileSync(resolve(io.cwd, summary), renderRunSummaryMarkdown(report, summaryOptions));
      const comment = stringOption(args, 'comment');
      if (comment) writeFileSync(resolve(io.cwd, comment), renderRunComment(report, summaryOptions));
      io.out(renderRunSummaryText(report, summaryOptions));
      if (choice.saveTo) saveHistoryFile(choice, records);
      return anyFailed(report) ? 1 : 0;
    } finally {
      signer?.dispose();
      registry.release();
    }
  },
};
