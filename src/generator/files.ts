// Writing generated files into a repository: `init` (the caller workflow, and a starter
// build-config.yaml for a config-less app), `generate --write` and `generate --check`.
// Files are written to a temporary name and renamed, so an interrupted run never leaves half a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendName } from '../core/config/schema.js';
import { CONFIG_FILE_NAME } from '../core/config/schema.js';
import { traitsOf } from '../core/backendTraits.js';
import { compareDirs, configFileOf, findAppConfigDirs, REPOSITORY_SKIPPED_DIRS, type IgnoreCheck } from '../core/discovery.js';
import { scanDockerfile } from '../core/dockerfile.js';
import { describeExclusion, loadExcludes } from '../core/exclude.js';
import type { SkippedDir } from '../core/model.js';
import { UserError } from '../core/problem.js';
import { DEFAULT_RUNNERS, parseRunnerMap } from '../core/runners.js';
import { walkFiles } from '../core/walk.js';
import { unifiedDiff } from './diff.js';
import {
  readMarker,
  renderCallerWorkflow,
  renderCiWorkflow,
  renderFromMarker,
  renderReusableWorkflow,
  type CallerWorkflowOptions,
} from './render.js';
import { renderStarterConfig, type StarterStage } from './starterConfig.js';

export const WORKFLOWS_DIR = '.github/workflows';
export const CALLER_WORKFLOW_PATH = `${WORKFLOWS_DIR}/hephy-builder.yml`;
/** This repository's own generated workflows, written by `writeGenerated(root, { project: true })`. */
export const PROJECT_WORKFLOWS = [
  { path: `${WORKFLOWS_DIR}/build.yml`, render: () => renderReusableWorkflow() },
  { path: `${WORKFLOWS_DIR}/ci.yml`, render: () => renderCiWorkflow() },
] as const;

export type FileStatus = 'created' | 'overwritten' | 'unchanged';
export interface WrittenFile {
  /** Relative to the root, with / separators. */
  path: string;
  status: FileStatus;
}

/** Writes `text` to `file` via a temporary file in the same directory and a rename. */
export function writeFileAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const temp = join(dirname(file), `.${Date.now()}-${process.pid}-${Math.random().toString(36).slice(2)}.tmp`);
  try {
    writeFileSync(temp, text, { flag: 'wx' });
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
}

function readText(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  // Normalise Windows line endings, so a checkout with autocrlf compares equal.
  return readFileSync(file, 'utf8').replace(/\r\n/g, '\n');
}

/** Writes unless the file already holds exactly `text`. */
function writeIfChanged(root: string, path: string, text: string): WrittenFile {
  const current = readText(join(root, path));
  if (current === text) return { path, status: 'unchanged' };
  writeFileAtomic(join(root, path), text);
  return { path, status: current === undefined ? 'created' : 'overwritten' };
}

/**
 * Files that make a directory worth asking detection about: what core/detect.ts builds from
 * (a Dockerfile, go.mod with cmd/, a Spin manifest) at its default names.
 */
const APP_MARKERS: ReadonlySet<string> = new Set(['Dockerfile', 'go.mod', 'spin.toml']);

/**
 * Directories, at any depth, that may get a starter config, sorted root first; and the ones left
 * out, each with the reason. Walked as discovery walks (dependency trees and symlinked dirs never
 * entered), less what `.hephyignore` excludes and what git ignores (generated output), and never
 * inside a hidden directory (.github, .devcontainer...): a starter there would only be noise.
 */
async function appDirCandidates(
  root: string,
  isIgnored?: IgnoreCheck,
): Promise<{ dirs: string[]; skipped: SkippedDir[]; marked: ReadonlySet<string> }> {
  const marked = walkFiles(root, { skipDirNames: REPOSITORY_SKIPPED_DIRS, include: (name) => APP_MARKERS.has(name) }).map((f) => f.dir);
  const excludes = loadExcludes(root);
  const skipped: SkippedDir[] = [];
  // The root is always asked: a config-less root app is one the plan builds (core/discovery.ts).
  let dirs = [...new Set(['.', ...marked])].sort(compareDirs).filter((dir) => {
    const hidden = dir === '.' ? undefined : dir.split('/').find((part) => part.startsWith('.'));
    const exclusion = excludes.excluded(dir);
    if (hidden) skipped.push({ dir, reason: `inside the hidden directory ${hidden}/` });
    else if (exclusion) skipped.push({ dir, reason: describeExclusion(exclusion) });
    return !hidden && !exclusion;
  });
  const nested = dirs.filter((dir) => dir !== '.');
  if (isIgnored && nested.length > 0) {
    const ignored = await isIgnored(nested.map(configFileOf));
    for (const dir of nested) if (ignored.has(configFileOf(dir))) skipped.push({ dir, reason: 'git ignores it' });
    dirs = dirs.filter((dir) => !ignored.has(configFileOf(dir)));
  }
  return { dirs, skipped, marked: new Set(marked) };
}

/** The stages of a directory's Dockerfile, for the starter's `target` comment. */
function dockerfileStages(dir: string): StarterStage[] {
  const text = readText(join(dir, 'Dockerfile'));
  return text === undefined ? [] : scanDockerfile(text).stages.map(({ name, line }) => ({ name, line }));
}

/**
 * The branch whose pushes publish: the remote's default branch as recorded by `git clone`; else
 * the checked-out branch when it is main or master (not a feature branch someone happens to be
 * on); else main.
 */
export function defaultBranch(root: string): string {
  const remoteHead = readText(join(root, '.git', 'refs', 'remotes', 'origin', 'HEAD'));
  const remote = remoteHead && /^ref: refs\/remotes\/origin\/(\S+)/.exec(remoteHead.trim());
  if (remote) return remote[1];
  const head = readText(join(root, '.git', 'HEAD'));
  const local = head && /^ref: refs\/heads\/(main|master)$/.exec(head.trim());
  return local ? local[1] : 'main';
}

/** Said by init while linux/arm64 maps to GitHub's arm runner (README: arm64 in a private repository). */
export const ARM64_NOTE =
  `linux/arm64 builds on ${DEFAULT_RUNNERS['linux/arm64']}, which GitHub offers free to public repositories only: ` +
  `for a private repository re-run init --force --runners '{"linux/arm64": ["self-hosted", "ARM64"]}' (a runner of yours), ` +
  `'{"linux/arm64": {"group": "NAME", "labels": "LABEL"}}' (a larger runner), or '{"linux/arm64": null}' (built on the amd64 runner)`;

export interface AppDetection {
  backend: BackendName;
  /** One line saying why, e.g. "go.mod and cmd/ found: ko". */
  reason: string;
}

export interface InitOptions {
  /**
   * Backend detection for a directory without build-config.yaml (the core's auto-detection):
   * `dir` is absolute, `shownDir` relative to the root ('.' for it), for reasons that go into
   * files and must never hold a local absolute path.
   */
  detect?: (dir: string, shownDir: string) => AppDetection | undefined | Promise<AppDetection | undefined>;
  /** What git ignores, so that init finds the configs the plan finds (absent: nothing is ignored). */
  isIgnored?: IgnoreCheck;
  /** Replace an existing caller workflow that differs from what init writes. */
  force?: boolean;
  /** Options of the caller workflow; `branch` defaults to the clone's default branch. */
  workflow?: CallerWorkflowOptions;
}

export interface InitResult {
  files: WrittenFile[];
  /** What init decided and why, one line each, for the CLI to print. */
  notes: string[];
}

/**
 * Sets a repository up for hephy-builder: writes `.github/workflows/hephy-builder.yml`, and, when
 * the repository has no build-config.yaml anywhere, a commented starter config in every
 * directory, at any depth, where `detect` recognises an app; the notes list the directories left
 * out and why. Refuses to replace a different workflow unless `force`.
 */
export async function initRepo(root: string, options: InitOptions = {}): Promise<InitResult> {
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new UserError(`${root} is not a directory`);
  const notes: string[] = [];
  const branch = options.workflow?.branch ?? defaultBranch(root);
  const workflow = renderCallerWorkflow({ ...options.workflow, branch });

  const current = readText(join(root, CALLER_WORKFLOW_PATH));
  if (current !== undefined && current !== workflow && !options.force) {
    const diff = unifiedDiff(current, workflow, `a/${CALLER_WORKFLOW_PATH}`, `b/${CALLER_WORKFLOW_PATH}`, { maxLines: 20 });
    throw new UserError(
      `${CALLER_WORKFLOW_PATH} already exists and differs from what init would write; ` + `re-run with --force to replace it.\n${diff}`,
    );
  }

  // Starter configs only for a repository that has none yet: one in each app directory found.
  const starters: Array<{ path: string; text: string }> = [];
  if ((await findAppConfigDirs(root, options.isIgnored)).length > 0) {
    notes.push(`found ${CONFIG_FILE_NAME} files: each one's directory is an image`);
  } else {
    const { dirs, skipped, marked } = await appDirCandidates(root, options.isIgnored);
    for (const dir of dirs) {
      const detected = await options.detect?.(dir === '.' ? root : join(root, dir), dir);
      if (!detected) {
        if (marked.has(dir)) skipped.push({ dir, reason: `no backend can build it as it is (run \`hephy-builder detect ${dir}\`)` });
        continue;
      }
      const path = configFileOf(dir);
      const stages = traitsOf(detected.backend).input === 'dockerfile' ? dockerfileStages(join(root, dir)) : [];
      starters.push({ path, text: renderStarterConfig(detected.backend, detected.reason, { stages }) });
      notes.push(`no ${CONFIG_FILE_NAME} yet: wrote a starter ${path} (${detected.reason})`);
      if (stages.length > 1) {
        const last = stages[stages.length - 1];
        notes.push(
          `${path}: the Dockerfile has ${stages.length} stages; without target the last one (${last.name ?? `line ${last.line}`}) is built: set target if another stage is the image`,
        );
      }
    }
    skipped.sort((a, b) => compareDirs(a.dir, b.dir));
    for (const { dir, reason } of skipped) notes.push(`skipped ${dir}: ${reason}`);
    if (starters.length === 0)
      notes.push(`no ${CONFIG_FILE_NAME} found and no app detected in any directory: add one to each image directory`);
  }

  const runners = parseRunnerMap(options.workflow?.runners ?? '', 'runners');
  if (runners['linux/arm64'] === DEFAULT_RUNNERS['linux/arm64']) notes.push(ARM64_NOTE);

  const files = [writeIfChanged(root, CALLER_WORKFLOW_PATH, workflow)];
  for (const starter of starters) files.push(writeIfChanged(root, starter.path, starter.text));
  notes.push(`pushes to ${branch} publish images; pull requests build them; commit ${CALLER_WORKFLOW_PATH} to enable it`);
  return { files, notes };
}

/** Workflows under .github/workflows that carry our generated marker. */
function generatedWorkflows(root: string): Array<{ path: string; text: string }> {
  const dir = join(root, WORKFLOWS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => ({ path: `${WORKFLOWS_DIR}/${name}`, text: readText(join(dir, name)) ?? '' }))
    .filter((f) => f.text.includes('hephy-builder-generated:'));
}

export interface CheckResult {
  /** True when every generated workflow equals what this version renders. */
  ok: boolean;
  /** Unified diffs (committed -> expected) and reasons, empty when ok. */
  diff: string;
  /** The generated workflows that were compared. */
  checked: string[];
}

/** For `generate --check`: re-renders every generated workflow and compares it with the file. */
export function checkGenerated(root: string): CheckResult {
  const checked: string[] = [];
  const diffs: string[] = [];
  for (const file of generatedWorkflows(root)) {
    let expected: string;
    try {
      const marker = readMarker(file.text);
      if (!marker) continue;
      checked.push(file.path);
      expected = renderFromMarker(marker);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      checked.push(file.path);
      diffs.push(`${file.path}: ${error.message}\n`);
      continue;
    }
    const diff = unifiedDiff(file.text, expected, `a/${file.path}`, `b/${file.path}`);
    if (diff) diffs.push(diff);
  }
  return { ok: diffs.length === 0, diff: diffs.join(''), checked };
}

/**
 * For `generate --write`: re-renders every generated workflow in place. With `project`, also
 * writes this repository's own build.yml and ci.yml when they are missing.
 */
export function writeGenerated(
  root: string,
  options: { project?: boolean; release?: { actionSha: string; actionVersion: string } } = {},
): WrittenFile[] {
  const written: WrittenFile[] = [];
  const seen = new Set<string>();
  for (const file of generatedWorkflows(root)) {
    const marker = readMarker(file.text);
    if (!marker) continue;
    seen.add(file.path);
    // A release pins the reusable workflow's action steps to the commit of the action code.
    const pinned = options.release && marker.kind === 'reusable' && marker.options.variant !== 'local';
    const rendered = pinned
      ? renderFromMarker({ ...marker, options: { ...marker.options, ...options.release } })
      : renderFromMarker(marker);
    written.push(writeIfChanged(root, file.path, rendered));
  }
  if (options.project) {
    for (const target of PROJECT_WORKFLOWS) {
      if (!seen.has(target.path)) written.push(writeIfChanged(root, target.path, target.render()));
    }
  }
  return written;
}
