// Renders the three workflows from their sources in workflows/. Every generated file starts with
// a header that says where it comes from and ends with a marker line naming its kind and options,
// so `generate --check` can re-render it exactly as it was written.
import { parseRunnerMap } from '../core/runners.js';
import { UserError } from '../core/problem.js';
import { parseSwitch } from '../core/supplyChain.js';
import { parseTagMode, type TagMode } from '../core/tags.js';
import { callerWorkflow, CALLER_HEADER, type SecretsMode } from './workflows/caller.js';
import { ciWorkflow, CI_HEADER } from './workflows/ci.js';
import { ACTION_MAJOR, WORKFLOW_VARIANTS, type ActionRelease, type WorkflowVariant } from './workflows/common.js';
import { reusableWorkflow, REUSABLE_HEADER } from './workflows/reusable.js';
import { renderYaml } from './yamlDoc.js';

export type { SecretsMode } from './workflows/caller.js';
export type { WorkflowVariant } from './workflows/common.js';

export type GeneratedKind = 'reusable' | 'caller' | 'ci';
export const GENERATED_MARKER = 'hephy-builder-generated:';

export interface VariantOptions {
  /** 'local' swaps `hephy/builder@v1` for `./` so `act` can run the workflow offline. */
  variant?: WorkflowVariant;
}

export interface CallerWorkflowOptions extends VariantOptions {
  /** Ref of hephy/builder's reusable workflow to call (default v1). */
  ref?: string;
  /** Branch whose pushes build and publish (default main). */
  branch?: string;
  /** When the weekly rebuild runs, as 5-field cron in UTC (default `23 4 * * 1`: Monday 04:23). */
  cron?: string;
  root?: string;
  registry?: string;
  imagePrefix?: string;
  tagMode?: TagMode;
  /** Runner map as JSON or YAML text. */
  runners?: string;
  rebuildList?: string;
  /** `false`: no keyless signing, and no id-token: write (default true). */
  sign?: string;
  /**
   * Default: 'none' for ghcr.io (the workflow token suffices there), else 'explicit': without a
   * registry the repository variable HEPHY_REGISTRY names it, which may be any host.
   */
  secrets?: SecretsMode;
}

export const CALLER_DEFAULTS = { ref: ACTION_MAJOR, branch: 'main', cron: '23 4 * * 1', root: '.' } as const;
const SECRETS_MODES: readonly SecretsMode[] = ['none', 'explicit', 'inherit'];

function markerLine(kind: GeneratedKind, options?: object): string {
  const json = options && Object.keys(options).length > 0 ? ` ${JSON.stringify(options)}` : '';
  return `${GENERATED_MARKER} ${kind}${json}`;
}

function header(text: string, regenerate: string, kind: GeneratedKind, options?: object): string {
  return `${text}\n\n${regenerate}\n${markerLine(kind, options)}`;
}

const FROM_SOURCE = (source: string) =>
  `Generated from ${source} by \`npx hephy-builder generate --write\`: edit the source, not this file.`;

function checkVariant(variant: unknown): WorkflowVariant {
  if (variant === undefined) return 'published';
  if (!WORKFLOW_VARIANTS.includes(variant as WorkflowVariant)) {
    throw new UserError(`unknown workflow variant \`${String(variant)}\`: expected ${WORKFLOW_VARIANTS.join(' or ')}`);
  }
  return variant as WorkflowVariant;
}

export interface ReusableWorkflowOptions extends VariantOptions {
  /** A release: the full commit SHA holding the action code, which every action step runs. */
  actionSha?: string;
  /** ... and the version of that release (a comment beside the SHA), e.g. v1.4.0. */
  actionVersion?: string;
}

function checkRelease(options: ReusableWorkflowOptions): ActionRelease | undefined {
  const { actionSha, actionVersion } = options;
  if (actionSha === undefined && actionVersion === undefined) return undefined;
  if (typeof actionSha !== 'string' || !/^[0-9a-f]{40}$/.test(actionSha)) {
    throw new UserError(`action SHA \`${String(actionSha)}\` is not a full commit SHA (40 lowercase hex digits)`);
  }
  if (typeof actionVersion !== 'string' || !/^v\d+(\.\d+){0,2}(-[0-9A-Za-z.-]+)?$/.test(actionVersion)) {
    throw new UserError(`action version \`${String(actionVersion)}\` is not a release version like v1.4.0`);
  }
  return { sha: actionSha, version: actionVersion };
}

/**
 * `.github/workflows/build.yml`: the reusable plan -> build -> merge workflow. Its action steps
 * use `hephy/builder@v1`, or for a release the commit that holds the action code.
 */
export function renderReusableWorkflow(options: ReusableWorkflowOptions = {}): string {
  const variant = checkVariant(options.variant);
  const release = checkRelease(options);
  if (release && variant === 'local') throw new UserError('a local workflow runs the action of its checkout: it takes no action SHA');
  const marker = variant === 'local' ? { variant } : release ? { actionSha: release.sha, actionVersion: release.version } : undefined;
  return renderYaml(
    reusableWorkflow(variant, release),
    header(REUSABLE_HEADER, FROM_SOURCE('src/generator/workflows/reusable.ts'), 'reusable', marker),
  );
}

/** `.github/workflows/ci.yml` of this repository. */
export function renderCiWorkflow(): string {
  return renderYaml(ciWorkflow(), header(CI_HEADER, FROM_SOURCE('src/generator/workflows/ci.ts'), 'ci'));
}

function singleLine(name: string, value: string): string {
  if (/[\r\n]/.test(value)) throw new UserError(`${name} must be a single line`);
  return value.trim();
}

function checkPattern(name: string, value: string, pattern: RegExp, expected: string): string {
  const v = singleLine(name, value);
  if (!pattern.test(v)) throw new UserError(`${name} \`${v}\` is not valid: expected ${expected}`);
  return v;
}

const CRON_FIELD = /^(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?(,(\*|[0-9A-Za-z]+(-[0-9A-Za-z]+)?)(\/[0-9]+)?)*$/;

function checkCron(value: string): string {
  const cron = singleLine('cron', value).replace(/\s+/g, ' ');
  const fields = cron.split(' ');
  if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
    throw new UserError(`cron \`${cron}\` is not valid: expected 5 fields (minute hour day month weekday), e.g. ${CALLER_DEFAULTS.cron}`);
  }
  return cron;
}

/**
 * The runner map as the plan will read it (core/runners.ts parseRunnerMap): a map init writes is
 * one the plan accepts, labels, label lists and groups alike.
 */
function checkRunners(value: string): string {
  parseRunnerMap(value, 'runners');
  return value.trim();
}

const CALLER_OPTION_KEYS = [
  'variant',
  'ref',
  'branch',
  'cron',
  'root',
  'registry',
  'imagePrefix',
  'tagMode',
  'runners',
  'rebuildList',
  'secrets',
  'sign',
] as const;

function checkOptionShapes(options: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(options)) {
    if (!(CALLER_OPTION_KEYS as readonly string[]).includes(key)) {
      throw new UserError(`unknown workflow option \`${key}\`: expected one of ${CALLER_OPTION_KEYS.join(', ')}`);
    }
    if (value !== undefined && typeof value !== 'string') throw new UserError(`workflow option \`${key}\` must be a string`);
  }
}

/** Options with defaults applied, checked; throws UserError with a one-line reason. */
export function resolveCallerOptions(options: CallerWorkflowOptions = {}) {
  checkOptionShapes(options as Record<string, unknown>);
  const registry = singleLine('registry', options.registry ?? '');
  const secrets = options.secrets ?? (registry.toLowerCase() === 'ghcr.io' ? 'none' : 'explicit');
  if (!SECRETS_MODES.includes(secrets)) throw new UserError(`secrets \`${secrets}\` is not valid: expected ${SECRETS_MODES.join(', ')}`);
  const root = checkPattern(
    'root',
    options.root ?? CALLER_DEFAULTS.root,
    /^(?!\/)(?!.*(^|\/)\.\.(\/|$)).+$/,
    'a path relative to the repository root',
  );
  return {
    variant: checkVariant(options.variant),
    ref: checkPattern('ref', options.ref ?? CALLER_DEFAULTS.ref, /^[A-Za-z0-9._/-]+$/, 'a tag, branch or commit SHA'),
    branch: checkPattern('branch', options.branch ?? CALLER_DEFAULTS.branch, /^(?!.*\.\.)[A-Za-z0-9._/-]+$/, 'a branch name'),
    cron: checkCron(options.cron ?? CALLER_DEFAULTS.cron),
    root: root.replace(/\/+$/, '') || '.',
    registry,
    imagePrefix: singleLine('image prefix', options.imagePrefix ?? ''),
    tagMode: parseTagMode(options.tagMode, 'tag mode'),
    runners: options.runners ? checkRunners(options.runners) : '',
    rebuildList: singleLine('rebuild list', options.rebuildList ?? ''),
    secrets,
    sign: parseSwitch(options.sign, 'sign') ?? true,
  };
}

/** Only the options that differ from the defaults: what the marker line records. */
function nonDefaultOptions(resolved: ReturnType<typeof resolveCallerOptions>): CallerWorkflowOptions {
  const defaults = resolveCallerOptions({ registry: resolved.registry });
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(resolved)) {
    // Options are strings in the marker line, as the CLI gives them (a boolean as true/false).
    if (value !== (defaults as Record<string, unknown>)[key]) out[key] = typeof value === 'boolean' ? String(value) : value;
  }
  if (resolved.registry) out.registry = resolved.registry;
  // Keep a stable key order, so the same options always give the same file.
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b))) as CallerWorkflowOptions;
}

/** `.github/workflows/hephy-builder.yml` for a user's repository. */
export function renderCallerWorkflow(options: CallerWorkflowOptions = {}): string {
  const resolved = resolveCallerOptions(options);
  const regenerate =
    'Generated by `npx hephy-builder init`. To change a setting, edit the JSON options on the\n' +
    'line below and run `npx hephy-builder generate --write`; `generate --check` fails on hand edits.';
  return renderYaml(callerWorkflow(resolved), header(CALLER_HEADER, regenerate, 'caller', nonDefaultOptions(resolved)));
}

export interface GeneratedMarker {
  kind: GeneratedKind;
  options: Record<string, unknown>;
}

/** The marker of a generated workflow, from its header; undefined for files we did not write. */
export function readMarker(text: string): GeneratedMarker | undefined {
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    if (!line.startsWith('#')) break;
    const body = line.replace(/^#\s?/, '');
    if (!body.startsWith(GENERATED_MARKER)) continue;
    const m = /^(\S+)\s*(.*)$/.exec(body.slice(GENERATED_MARKER.length).trim());
    if (!m || !['reusable', 'caller', 'ci'].includes(m[1])) {
      throw new UserError(`unknown generated workflow kind in \`${body}\`: expected reusable, caller or ci`);
    }
    let options: Record<string, unknown> = {};
    if (m[2]) {
      try {
        options = JSON.parse(m[2]) as Record<string, unknown>;
      } catch {
        throw new UserError(`the options after \`${GENERATED_MARKER} ${m[1]}\` are not valid JSON: ${m[2]}`);
      }
      if (typeof options !== 'object' || options === null || Array.isArray(options)) {
        throw new UserError(`the options after \`${GENERATED_MARKER} ${m[1]}\` must be a JSON object`);
      }
    }
    return { kind: m[1] as GeneratedKind, options };
  }
  return undefined;
}

/** Renders a workflow again from its marker. */
export function renderFromMarker(marker: GeneratedMarker): string {
  switch (marker.kind) {
    case 'reusable':
      return renderReusableWorkflow(marker.options as ReusableWorkflowOptions);
    case 'ci':
      return renderCiWorkflow();
    case 'caller':
      return renderCallerWorkflow(marker.options as CallerWorkflowOptions);
  }
}
