// Writing generated files into a repository: `init` (the caller workflow, and a starter
// build-config.yaml for a config-less app), `generate --write` and `generate --check`.
// Files are written to a temporary name and renamed, so an interrupted run never leaves half a file.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { BackendName } from '../core/config/schema.js';
import { CONFIG_FILE_NAME } from '../core/config/schema.js';
import { configFileOf, findAppConfigDirs, REPOSITORY_SKIPPED_DIRS, type IgnoreCheck } from '../core/discovery.js';
import { UserError } from '../core/problem.js';
import { unifiedDiff } from './diff.js';
import {
  readMarker,
  renderCallerWorkflow,
  renderCiWorkflow,
  renderFromMarker,
  renderReusableWorkflow,
  type CallerWorkflowOptions,
} from './render.js';
import { renderStarterConfig } from './starterConfig.js';

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
 * Top-level directories that may get a starter config, sorted: those the plan would walk
 * (discovery's skipped directories left out) and whose config git would not ignore (generated
 * output such as dist/ or build/, when ignored), and never a hidden one (.github, .vscode...):
 * init writes files there, and a starter config in a tool's directory would only be noise.
 */
async function appDirCandidates(root: string, isIgnored?: IgnoreCheck): Promise<string[]> {
  const dirs = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.') && !REPOSITORY_SKIPPED_DIRS.has(e.name))
    .map((e) => e.name)
    .sort();
  if (!isIgnored || dirs.length === 0) return dirs;
  const ignored = await isIgnored(dirs.map(configFileOf));
  return dirs.filter((dir) => !ignored.has(configFileOf(dir)));
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

export interface AppDetection {
  backend: BackendName;
  /** One line saying why, e.g. "go.mod and cmd/ found: ko". */
  reason: string;
}

export interface InitOptions {
  /** Backend detection for a directory without build-config.yaml (the core's auto-detection). */
  detect?: (dir: string) => AppDetection | undefined | Promise<AppDetection | undefined>;
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
 * Sets a repository up for hephy-builder: writes `.github/workflows/hephy-builder.yml`, and a
 * commented starter build-config.yaml at the root when the repository has none anywhere and
 * `detect` recognises an app there. Refuses to replace a different workflow unless `force`.
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

  // Starter configs only for a repository that has none yet: the app at the root, or else each
  // top-level directory that holds an app (a monorepo of image dirs).
  const starters: Array<{ path: string; text: string }> = [];
  if ((await findAppConfigDirs(root, options.isIgnored)).length > 0) {
    notes.push(`found ${CONFIG_FILE_NAME} files: each one's directory is an image`);
  } else {
    const atRoot = await options.detect?.(root);
    const candidates: Array<[string, AppDetection | undefined]> = atRoot
      ? [['', atRoot]]
      : await Promise.all(
          (await appDirCandidates(root, options.isIgnored)).map(
            async (name) => [name, await options.detect?.(join(root, name))] as [string, AppDetection | undefined],
          ),
        );
    for (const [dir, detected] of candidates) {
      if (!detected) continue;
      const path = dir ? `${dir}/${CONFIG_FILE_NAME}` : CONFIG_FILE_NAME;
      starters.push({ path, text: renderStarterConfig(detected.backend, detected.reason) });
      notes.push(`no ${CONFIG_FILE_NAME} yet: wrote a starter ${path} (${detected.reason})`);
    }
    if (starters.length === 0)
      notes.push(
        `no ${CONFIG_FILE_NAME} found and no app detected at the root or in its top-level directories: add one to each image directory`,
      );
  }

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
export function writeGenerated(root: string, options: { project?: boolean } = {}): WrittenFile[] {
  const written: WrittenFile[] = [];
  const seen = new Set<string>();
  for (const file of generatedWorkflows(root)) {
    const marker = readMarker(file.text);
    if (!marker) continue;
    seen.add(file.path);
    written.push(writeIfChanged(root, file.path, renderFromMarker(marker)));
  }
  if (options.project) {
    for (const target of PROJECT_WORKFLOWS) {
      if (!seen.has(target.path)) written.push(writeIfChanged(root, target.path, target.render()));
    }
  }
  return written;
}
