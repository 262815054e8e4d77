// What the merge adds to a published image beyond its tags (issue 12). The plan decides it per
// image (build-config.yaml keys over the action/CLI inputs over the defaults) and the merge
// carries it out after the image published, so a failed image gets no signature or attestation.
//
// The defaults (README, "Supply chain"):
//
//   | where                     | sbom | provenance | sign                                              |
//   | GitHub runner             | on   | on         | keyless on default-branch pushes, schedules,      |
//   |                           |      |            | manual runs and tag (release) runs; a key when     |
//   |                           |      |            | one is given; none on pull requests and other     |
//   |                           |      |            | branches                                          |
//   | local (CLI, no runner)    | on   | on         | key with --sign-key, else none                    |
//
// A run that pushes nothing (a pull request from a fork, pull_request_target) signs nothing,
// whatever is asked: there is no published digest to sign. An attestation is a signed statement:
// with `sign: none` the SBOM and provenance are written beside the leg records, not attached.
import { z } from 'zod';
import type { Locate } from './detect.js';
import type { BuildConfig } from './config/schema.js';
import { UserError, type Problem } from './problem.js';
import type { RunContext } from './runContext.js';
import { classifyRun, runMayPush } from './tagPolicy.js';

// The type lives in core/model.ts (which core/tagPolicy.ts, imported here, imports): no import cycle.
export type { SupplyChainSettings } from './model.js';
import type { SupplyChainSettings } from './model.js';

export const SIGN_MODES = ['keyless', 'key', 'none'] as const satisfies readonly SupplyChainSettings['sign'][];

/** The settings as the plan document carries them (core/planSchema.ts). */
export const supplyChainSettingsSchema = z.object({
  sbom: z.boolean(),
  provenance: z.boolean(),
  sign: z.enum(SIGN_MODES),
  buildkitAttestations: z.boolean().optional(),
  buildkitProvenanceMode: z.enum(['min', 'max']).optional(),
}) satisfies z.ZodType<SupplyChainSettings>;

/** The three switches as a user sets them: build-config.yaml keys, action inputs, CLI flags. Absent: the default. */
export interface SupplyChainSwitches {
  sbom?: boolean;
  provenance?: boolean;
  sign?: boolean;
}

/** The run the defaults are decided for. */
export interface SupplyChainContext {
  /** On a GitHub Actions runner (RunContext.onRunner): the OIDC token exists there only. */
  onRunner: boolean;
  /** The event, ref and pull request (core/tagPolicy.ts classifies them). */
  run: Pick<RunContext, 'eventName' | 'ref' | 'defaultBranch' | 'pullRequest' | 'repository' | 'repositoryVisibility'>;
  /** A cosign private key was given (`--sign-key`, a key secret): signing then uses it. */
  signKey: boolean;
  /** The action inputs or CLI flags (the config keys win over them). */
  inputs?: SupplyChainSwitches;
}

/** What a local run with nothing said gets: SBOM and provenance, no signature. */
export const LOCAL_SUPPLY_CHAIN: SupplyChainContext = {
  onRunner: false,
  run: { eventName: 'push', ref: 'refs/heads/main', defaultBranch: 'main' },
  signKey: false,
};

/** The keys of build-config.yaml that set the switches (the same names as the inputs and flags). */
export const SUPPLY_CHAIN_KEYS = ['sbom', 'provenance', 'sign'] as const;

/**
 * Whether a run on a GitHub runner signs keyless by default: pushes to the default branch,
 * schedules (which run on it), manual runs (workflow_dispatch, any branch or tag) and tag
 * (release) runs. Pull requests and pushes to other branches publish review images: unsigned.
 */
export function signsByDefault(run: SupplyChainContext['run']): boolean {
  const kind = classifyRun(run).kind;
  return kind === 'default-branch' || kind === 'release' || (run.eventName === 'workflow_dispatch' && kind === 'branch');
}

/** Where a setting came from, for the plan's text. */
export type SettingSource = 'config' | 'input' | 'default';

export interface SupplyChainDecision {
  settings: SupplyChainSettings;
  /** Where each switch came from. */
  sources: Record<(typeof SUPPLY_CHAIN_KEYS)[number], SettingSource>;
  /** Why the image is signed so, or not signed, in a few words. */
  signWhy: string;
  /** A warning at the config's `sign` key when it asks for what this run cannot do. */
  problems: Problem[];
}

const pick = (config: boolean | undefined, input: boolean | undefined, fallback: boolean): [boolean, SettingSource] =>
  config !== undefined ? [config, 'config'] : input !== undefined ? [input, 'input'] : [fallback, 'default'];

/**
 * The settings of one image: its build-config.yaml keys over the inputs over the defaults of the
 * run (see the table above). Pure; `file` and `locate` place the warning of a `sign: true` this run
 * cannot honour (not on a runner, no key).
 */
export function resolveSupplyChain(
  config: Pick<BuildConfig, 'sbom' | 'provenance' | 'sign' | 'buildkit_provenance'>,
  context: SupplyChainContext,
  where: { file: string; locate?: Locate } = { file: '.' },
): SupplyChainDecision {
  const inputs = context.inputs ?? {};
  // On by default everywhere: on runners attached, locally without a key written beside the records.
  const [sbom, sbomSource] = pick(config.sbom, inputs.sbom, true);
  const [provenance, provenanceSource] = pick(config.provenance, inputs.provenance, true);
  const signDefault = context.signKey || (context.onRunner && signsByDefault(context.run));
  const [wantsSign, signSource] = pick(config.sign, inputs.sign, signDefault);
  const sources = { sbom: sbomSource, provenance: provenanceSource, sign: signSource };
  const problems: Problem[] = [];
  // BuildKit's own provenance in the pushed index, only when asked for (it adds an unknown/unknown
  // entry some platforms trip over); max for public repositories, as docker/github-builder does.
  const buildkit: Partial<SupplyChainSettings> = config.buildkit_provenance
    ? { buildkitAttestations: true, buildkitProvenanceMode: context.run.repositoryVisibility === 'public' ? 'max' : 'min' }
    : {};
  const settings = (sign: SupplyChainSettings['sign'], signWhy: string): SupplyChainDecision => ({
    settings: { sbom, provenance, sign, ...buildkit },
    sources,
    signWhy,
    problems,
  });
  if (!wantsSign) {
    if (signSource !== 'default') return settings('none', `sign: false (${signSource === 'config' ? 'build-config.yaml' : 'input'})`);
    return settings('none', context.onRunner ? `${runKind(context.run)}: not signed by default` : 'no signing key (--sign-key)');
  }
  const may = runMayPush(context.run);
  if (!may.push) return settings('none', `nothing is pushed: ${may.why}`);
  if (context.signKey) return settings('key', 'with the given key');
  if (context.onRunner) return settings('keyless', "keyless, with the runner's GitHub OIDC token");
  if (signSource === 'config') {
    const at = where.locate?.(['sign']) ?? { line: 1, column: 1 };
    problems.push({
      file: where.file,
      ...at,
      path: 'sign',
      message:
        'sign: true, but this run has no signing key and is not on a GitHub runner (keyless needs its OIDC token): the image is published unsigned',
      hint: 'pass --sign-key FILE (cosign generate-key-pair) to sign locally',
      severity: 'warning',
    });
  }
  return settings('none', 'no signing key (--sign-key) and no GitHub runner');
}

function runKind(run: SupplyChainContext['run']): string {
  const kind = classifyRun(run).kind;
  return kind === 'pull-request' ? 'a pull request' : kind === 'branch' ? 'a push to a branch other than the default' : 'this run';
}

/** The booleans of YAML 1.2's core schema: what build-config.yaml's `sign:` key takes (and GitHub's boolean inputs). */
const TRUE_WORDS = ['true', 'True', 'TRUE'];
const FALSE_WORDS = ['false', 'False', 'FALSE'];

/**
 * One switch as an input or flag gives it: what the config key of the same name takes, `true` or
 * `false` (YAML 1.2 core schema: also True/TRUE, False/FALSE), empty for the default. yes/no,
 * on/off and 1/0 are refused as the config refuses them (YAML 1.2 reads them as strings).
 * @throws UserError naming `what` and the value, with what to write instead.
 */
export function parseSwitch(value: string | undefined, what: string): boolean | undefined {
  const text = value?.trim() ?? '';
  if (text === '') return undefined;
  if (TRUE_WORDS.includes(text)) return true;
  if (FALSE_WORDS.includes(text)) return false;
  const lower = text.toLowerCase();
  const meant = ['yes', 'on', 'y', '1'].includes(lower) ? ' (write true)' : ['no', 'off', 'n', '0'].includes(lower) ? ' (write false)' : '';
  throw new UserError(`${what}: expected true or false (or empty for the default), got \`${value}\`${meant}`);
}

/** The settings in one line for the plan's text, e.g. "SBOM, provenance, signed keyless". */
export function describeSupplyChain(settings: SupplyChainSettings): string {
  const parts = [settings.sbom ? 'SBOM' : 'no SBOM', settings.provenance ? 'provenance' : 'no provenance'];
  parts.push(settings.sign === 'none' ? 'unsigned' : `signed ${settings.sign === 'key' ? 'with a key' : 'keyless'}`);
  if (settings.buildkitAttestations) parts.push(`BuildKit provenance mode=${settings.buildkitProvenanceMode ?? 'min'} in the index`);
  return parts.join(', ');
}

/**
 * The certificate identity Fulcio gives a GitHub Actions job: the server URL and the token's
 * `job_workflow_ref` claim (OWNER/REPO/.github/workflows/FILE@REF). From a reusable workflow the
 * claim names the called workflow, not its caller (GitHub docs, "OpenID Connect reference" and
 * "Using OpenID Connect with reusable workflows"; sigstore/fulcio#306 made it the SAN for that
 * reason): a user trusts hephy-builder's workflow at the ref they call, whoever calls it.
 * `jwt` is the job's OIDC token (only its payload is read; Fulcio checks the signature).
 * @throws Error when the token has no job_workflow_ref.
 */
export function keylessIdentity(jwt: string, serverUrl = 'https://github.com'): string {
  const payload = jwt.split('.')[1] ?? '';
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw new Error('the OIDC token is not a JWT');
  }
  const ref = (claims as { job_workflow_ref?: unknown })?.job_workflow_ref;
  if (typeof ref !== 'string' || !/^[^/\s]+\/[^/\s]+\/\S+@\S+$/.test(ref)) throw new Error('the OIDC token has no job_workflow_ref claim');
  return `${serverUrl.replace(/\/+$/, '')}/${ref}`;
}
