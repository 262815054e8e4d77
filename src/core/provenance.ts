// The SLSA v1 provenance predicate of one leg: how the platform image was built, as the merge
// attaches it (`cosign attest --type slsaprovenance1`, cosign adds the in-toto statement and its
// subject, the platform manifest's digest). Pure.
//
// Field names and meaning from https://slsa.dev/provenance/v1 (predicate type
// https://slsa.dev/provenance/v1): buildDefinition {buildType, externalParameters,
// internalParameters, resolvedDependencies[ResourceDescriptor]}, runDetails {builder {id,
// version}, metadata {invocationId, startedOn, finishedOn}}. ResourceDescriptor: uri, digest
// (algorithm -> hex; `gitCommit` for a git commit, slsa.dev/spec/v1.0/..., DigestSet), name.
import type { BuildConfig } from './config/schema.js';
import type { ImageSpec, Leg, LegInputDigest, LegRecord } from './model.js';
import type { RunContext } from './runContext.js';

/** The predicate type cosign's `--type slsaprovenance1` names (cosign v3.1.3 pkg/cosign/attestation). */
export const SLSA_PROVENANCE_V1 = 'https://slsa.dev/provenance/v1';

/** What our buildType's parameters mean: the leg of a hephy-builder plan (README, Supply chain). */
export const HEPHY_BUILD_TYPE = 'https://github.com/hephy/builder/blob/v1/docs/provenance.md#leg-v1';

/** The reusable workflow that runs the legs on GitHub (README): the builder id on runners. */
export const REUSABLE_WORKFLOW = 'hephy/builder/.github/workflows/build.yml';

export interface ResourceDescriptor {
  uri?: string;
  digest?: Record<string, string>;
  name?: string;
  annotations?: Record<string, string>;
}

export interface ProvenancePredicate {
  buildDefinition: {
    buildType: string;
    externalParameters: Record<string, unknown>;
    internalParameters: Record<string, unknown>;
    resolvedDependencies: ResourceDescriptor[];
  };
  runDetails: {
    builder: { id: string; version?: Record<string, string> };
    metadata: { invocationId?: string; startedOn?: string; finishedOn?: string };
  };
}

export interface Builder {
  id: string;
  /** hephy-builder's own version (package.json). */
  version: string;
}

/**
 * Who built: on a runner, the reusable workflow at the commit it runs from (`ref`: the workflow's
 * own ref or commit, e.g. GITHUB_ACTION_REF of the action it runs, else `unknown`), on the
 * GitHub server of the run; locally `hephy-builder <version>` (the CLI on this machine).
 */
export function builderOf(context: Pick<RunContext, 'onRunner' | 'serverUrl'>, version: string, ref?: string): Builder {
  if (!context.onRunner) return { id: `hephy-builder ${version}`, version };
  const server = (context.serverUrl ?? 'https://github.com').replace(/\/+$/, '');
  return { id: `${server}/${REUSABLE_WORKFLOW}@${ref || 'unknown'}`, version };
}

/**
 * The image's config as the plan resolved it: public by construction (build_args stay in the
 * image history anyway, `secrets` are names of variables, never values, core/config/schema.ts;
 * `${VAR}` is not expanded here). A copy, so the predicate never shares the plan's objects.
 */
export function effectiveConfig(config: BuildConfig): Record<string, unknown> {
  return JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
}

/** `sha256:<hex>` as a DigestSet. */
function digestSet(digest: string): Record<string, string> | undefined {
  const m = /^([a-z0-9]+):([0-9a-f]+)$/.exec(digest);
  return m ? { [m[1]]: m[2] } : undefined;
}

/** `repo@sha256:...` of a base image: its name and digest. */
function baseImageDescriptor(reference: string, digest: string): ResourceDescriptor {
  return {
    uri: `oci://${reference.replace(/^oci:\/\//, '')}`,
    name: reference,
    ...(digestSet(digest) ? { digest: digestSet(digest) } : {}),
  };
}

export interface ProvenanceInput {
  spec: Pick<ImageSpec, 'image' | 'dir' | 'configFile' | 'config' | 'backend' | 'source'>;
  leg: Pick<Leg, 'id' | 'platform' | 'backend' | 'runner' | 'emulated' | 'inputDigest'>;
  /** The leg's successful record: its source commit and times. */
  record: Pick<LegRecord, 'sourceCommit' | 'startedAt' | 'finishedAt' | 'digest'>;
  /** The plan's input digest entry of the leg (base images resolved), when it computed one. */
  inputDigest?: LegInputDigest;
  /** The checkout's repository (owner/name or URL) and ref, for a local app; absent locally. */
  repository?: { uri: string; ref?: string };
  builder: Builder;
  /** Pinned tool versions (tool-pins.json), name -> version. */
  tools: Record<string, string>;
  /** The run (GITHUB_RUN_ID/attempt) that built it, on runners. */
  invocationId?: string;
}

/** The SLSA v1 provenance predicate of one leg. */
export function legProvenance(input: ProvenanceInput): ProvenancePredicate {
  const { spec, leg, record } = input;
  const commit = record.sourceCommit;
  const source: ResourceDescriptor =
    spec.source.kind === 'upstream'
      ? { uri: `git+${spec.source.repo}@${spec.source.ref}`, name: 'source' }
      : {
          uri: input.repository ? `git+${input.repository.uri}${input.repository.ref ? `@${input.repository.ref}` : ''}` : 'git+file:.',
          name: 'source',
        };
  if (commit) source.digest = { gitCommit: commit };
  const bases = Object.entries(input.inputDigest?.baseImages ?? {})
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([reference, digest]) => baseImageDescriptor(reference, digest));
  const inputDigest = leg.inputDigest ?? input.inputDigest?.digest;
  return {
    buildDefinition: {
      buildType: HEPHY_BUILD_TYPE,
      externalParameters: {
        image: spec.image,
        dir: spec.dir,
        ...(spec.configFile ? { configFile: spec.configFile } : {}),
        platform: leg.platform,
        backend: leg.backend,
        config: effectiveConfig(spec.config),
        source: spec.source.kind === 'upstream' ? { repo: spec.source.repo, ref: spec.source.ref } : { dir: spec.source.dir },
      },
      internalParameters: {
        legId: leg.id,
        runner: leg.runner,
        emulated: leg.emulated,
        ...(inputDigest ? { inputDigest } : {}),
        tools: input.tools,
      },
      resolvedDependencies: [source, ...bases],
    },
    runDetails: {
      builder: { id: input.builder.id, version: { 'hephy-builder': input.builder.version } },
      metadata: {
        ...(input.invocationId ? { invocationId: input.invocationId } : {}),
        startedOn: record.startedAt,
        finishedOn: record.finishedAt,
      },
    },
  };
}

/** The file the merge writes a leg's provenance to, beside the leg records. */
export function provenanceFileName(recordName: string): string {
  return `${recordName}.provenance.json`;
}
