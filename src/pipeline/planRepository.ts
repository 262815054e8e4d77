// The plan of a real repository: the pure planner, with git answering what is ignored, what
// changed and what the repository is called. Shared by the CLI and the action.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ImageSpec, Plan, SelectionMode } from '../core/model.js';
import { buildPlan } from '../core/plan.js';
import type { TaggingOptions } from '../core/tagPolicy.js';
import { UserError } from '../core/problem.js';
import { parseRunnerMap, type RunnerMap } from '../core/runners.js';
import { changedFiles, isIgnored, isInsideWorkTree, lsRemote, repoName } from '../tools/git.js';
import { ToolError } from '../tools/exec.js';

export interface PlanRepositoryOptions {
  /** A runner map as JSON/YAML text, or the path of a file holding one. */
  runners?: string;
  cwd?: string;
  /**
   * Resolve each upstream_ref to one commit now (git ls-remote), for a plan whose legs build it:
   * `plan`, the action's plan job, `run`. Off for `validate` (never online) and a build job's
   * re-plan (its leg carries the commit).
   */
  resolveUpstream?: boolean;
  /** The run the tags are decided for (core/tagPolicy.ts); default: a local push to main. */
  tagging?: TaggingOptions;
  /** Names the build environment will hold (core/plan.ts PlanOptions.buildEnvNames); absent: unchecked. */
  buildEnvNames?: readonly string[];
}

/** A runner map given inline (JSON or YAML) or as the path of a file holding one. */
export function readRunnerMap(text: string | undefined, cwd: string): RunnerMap | undefined {
  const trimmed = text?.trim();
  if (!trimmed) return undefined;
  const file = resolve(cwd, trimmed);
  if (!trimmed.includes('\n') && existsSync(file) && statSync(file).isFile()) {
    return parseRunnerMap(readFileSync(file, 'utf8'), trimmed);
  }
  return parseRunnerMap(trimmed, 'runner map');
}

export async function planRepository(root: string, mode: SelectionMode, options: PlanRepositoryOptions = {}): Promise<Plan> {
  const absRoot = resolve(options.cwd ?? process.cwd(), root);
  if (!existsSync(absRoot)) throw new UserError(`${root}: no such directory`);
  const isGit = await isInsideWorkTree(absRoot);
  if (mode.kind === 'since' && !isGit) throw new UserError(`--since needs a git repository; ${root} is not one`);
  try {
    return await buildPlan(absRoot, mode, {
      repoName: isGit ? await repoName(absRoot) : undefined,
      runners: readRunnerMap(options.runners, options.cwd ?? process.cwd()),
      isIgnored: isGit ? (paths) => isIgnored(absRoot, paths) : undefined,
      changedFiles: (rev) => changedFiles(absRoot, rev),
      listUpstreamRefs: options.resolveUpstream ? (repo) => lsRemote(repo, absRoot) : undefined,
      tagging: options.tagging,
      buildEnvNames: options.buildEnvNames,
    });
  } catch (error) {
    // git's answers about the user's revision are user errors, not crashes.
    if (error instanceof ToolError) throw new UserError(error.message);
    throw error;
  }
}

/** Re-resolves one planned image (for a build job, which receives only its leg). */
export async function resolvePlannedImage(
  root: string,
  dir: string,
  image: string,
  options: PlanRepositoryOptions = {},
): Promise<ImageSpec> {
  const plan = await planRepository(root, { kind: 'dirs', dirs: [dir] }, options);
  const spec = plan.images.find((candidate) => candidate.image === image);
  if (!spec) {
    const why = plan.problems.map((p) => `${p.file}:${p.line}:${p.column}: ${p.message}`).join('\n');
    throw new UserError(`image ${image} is not planned from ${dir}${why ? `:\n${why}` : ''}`, plan.problems);
  }
  return spec;
}
