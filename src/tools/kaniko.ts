// The Kaniko executor's command line and what its failures mean. Pure: the backend runs the
// executor in a container (src/tools/containerRunner.ts) with these arguments.
//
// Flags are those of github.com/chainguard-dev/kaniko v1.25.5 (`executor --help`). That fork, like
// upstream, has no push-by-digest: a --destination without a tag pushes `:latest`. So a leg either
//  - writes an OCI layout (--no-push --oci-layout-path) that skopeo then copies to REPO@DIGEST,
//    which leaves no tag at all (the default), or
//  - pushes to the scratch tag `hephy-leg-<leg id>` when skopeo is missing: one tag per leg,
//    overwritten by the next run of that leg, never a tag users pull.
// With push disabled the leg writes the layout and stops there: no skopeo, no scratch tag, and a
// registry layer cache is read but not written (--no-push-cache).
// A registry tag cannot be deleted portably (distribution 2.8 and most hosted registries only
// delete manifests, which would delete the digest too), so the scratch tag is left in place.
import { KANIKO_VERSION } from '../core/toolPins.js';

/** Built from the pinned Go module by scripts/kaniko-image.sh into podman's storage. */
export const LOCAL_KANIKO_IMAGE = `localhost/hephy/kaniko-executor:${KANIKO_VERSION}`;

/** Where the executor sees its inputs and outputs. */
export const IN_CONTAINER = {
  context: '/workspace',
  /** The leg's work dir: the Dockerfile built (with the platform args declared), digest file and OCI layout. */
  out: '/hephy/out',
  /** The image's DOCKER_CONFIG: registry auth read by the executor. */
  dockerConfig: '/kaniko/.docker',
} as const;

/** scratch-tag with layoutDir: kaniko also writes the OCI layout (pkg/executor/push.go DoPush writes it before pushing). */
export type KanikoOutput = { kind: 'layout'; layoutDir: string } | { kind: 'scratch-tag'; destination: string; layoutDir?: string };

export interface KanikoFlags {
  /** Dockerfile path inside the container. */
  dockerfile: string;
  /** os/arch[/variant] of the image to build. */
  platform: string;
  /** KEY=VALUE, already expanded. */
  buildArgs: string[];
  target?: string;
  output: KanikoOutput;
  /** File inside the container that receives sha256:... of the built manifest. */
  digestFile: string;
  /** Plain-http (or self-signed) registries for both pulling bases and pushing. */
  insecure: boolean;
  /** Registry layer cache: a repository kaniko reads and pushes cached layers to. */
  cacheRepo?: string;
  /** Read the layer cache but push no layers to it (push disabled). */
  cacheReadOnly?: boolean;
  /**
   * Labels of the image config and annotations of its manifest, keys already checked
   * (core/annotations.ts). `--label` is a multiArg split at the first `=`
   * (chainguard-dev/kaniko v1.25.5 cmd/executor/cmd/root.go, pkg/executor/build.go), `--annotation`
   * a keyValueArg split the same way (pkg/config/args.go), applied to the final image.
   */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function kanikoArgs(flags: KanikoFlags): string[] {
  const args = [
    `--context=dir://${IN_CONTAINER.context}`,
    `--dockerfile=${flags.dockerfile}`,
    `--custom-platform=${flags.platform}`,
    ...flags.buildArgs.map((arg) => `--build-arg=${arg}`),
  ];
  if (flags.target) args.push(`--target=${flags.target}`);
  for (const [key, value] of Object.entries(flags.labels ?? {})) args.push(`--label=${key}=${value}`);
  for (const [key, value] of Object.entries(flags.annotations ?? {})) args.push(`--annotation=${key}=${value}`);
  if (flags.output.kind === 'layout') args.push('--no-push', `--oci-layout-path=${flags.output.layoutDir}`);
  else {
    args.push(`--destination=${flags.output.destination}`);
    if (flags.output.layoutDir) args.push(`--oci-layout-path=${flags.output.layoutDir}`);
  }
  args.push(`--digest-file=${flags.digestFile}`);
  if (flags.cacheRepo) args.push('--cache=true', `--cache-repo=${flags.cacheRepo}`, ...(flags.cacheReadOnly ? ['--no-push-cache'] : []));
  if (flags.insecure) args.push('--insecure', '--insecure-pull', '--skip-tls-verify');
  // No --reproducible: it rebuilds the image from go-containerregistry's empty.Image
  // (pkg/v1/mutate Time, called by Canonical), which has Docker media types, so the platform
  // manifest loses its OCI annotations and imagetools makes a Docker manifest list of the index,
  // which carries none either (issue 7). A Kaniko digest therefore moves when the same inputs are
  // built again (the config's `created`); selection by input digest (issue 10) does not rebuild
  // unchanged inputs, so only --force-rebuild shows it.
  // Plain lines (no colour codes) so the log reads well in Actions and the push line can be found.
  args.push('--log-format=text', '--verbosity=info');
  return args;
}

/** The message of a text-format log line: `time=... level=info msg="RUN make"` -> `RUN make`. */
export function logMessage(line: string): string {
  const match = /\bmsg="((?:[^"\\]|\\.)*)"/.exec(line);
  return match ? match[1].replace(/\\(.)/g, '$1') : line;
}

/** True for the executor's log line that starts the push (scratch-tag mode). */
export function isPushStart(line: string): boolean {
  return logMessage(line).startsWith('Pushing image to ');
}

/**
 * A line the build's own processes printed (a RUN step's stdout or stderr), not the executor's:
 * the executor logs as `time=... level=... msg=...` (--log-format=text) and ends with its
 * `error building image: ...`.
 */
export function stepOutputLine(line: string): string | undefined {
  const trimmed = line.trim();
  if (trimmed === '' || /^time=/.test(trimmed) || /^(error|Error:)/.test(trimmed)) return undefined;
  return trimmed;
}

/** The instruction of a `RUN ...` log line, else undefined. */
export function runInstruction(line: string): string | undefined {
  const message = logMessage(line);
  return /^RUN\s/.test(message) ? message : undefined;
}

export interface FailureContext {
  /** What the executor printed (stderr tail is enough; the error is its last line). */
  output: string;
  exitCode: number | null;
  platform: string;
  /** The last RUN instruction the log showed, if any. */
  lastRun?: string;
  /** The last line the RUN step itself printed (see stepOutputLine), if any: usually its own error. */
  lastOutput?: string;
  dockerfile: string;
  /** Lines the executor's Dockerfile has before the user's (the platform args' declaration). */
  addedLines?: number;
  target?: string;
  destination: string;
}

const MAX_REASON = 400;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_REASON ? `${flat.slice(0, MAX_REASON - 3)}...` : flat;
}

/** The executor's own error line: it prints the wrapped error last, on stderr. */
function lastErrorLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const errorLine = [...lines].reverse().find((l) => /^(error|Error:)/.test(l) || /level=(fatal|error)/.test(l));
  return logMessage(errorLine ?? lines[lines.length - 1] ?? '');
}

/** An image reference from a registry URL in an error, e.g. GET http://h/v2/a/b/manifests/1 -> h/a/b:1. */
function referenceFromUrl(text: string): string | undefined {
  const match = /https?:\/\/([^/\s]+)\/v2\/(\S+?)\/manifests\/([^\s:]+(?::[a-f0-9]+)?)/.exec(text);
  if (!match) return undefined;
  const [, host, name, ref] = match;
  return ref.startsWith('sha256:') ? `${host}/${name}@${ref}` : `${host}/${name}:${ref}`;
}

/** One line saying why the executor failed, for the leg record and the summary. */
export function kanikoFailureReason(f: FailureContext): string {
  const all = f.output;
  const last = lastErrorLine(all);
  const arch = f.platform.split('/')[1] ?? f.platform;

  if (/exec format error/.test(all)) {
    return oneLine(
      `${f.lastRun ?? 'a RUN step'} cannot run ${arch} programs on this machine (exec format error): register QEMU binfmt handlers with the F flag, or build ${f.platform} on a native runner`,
    );
  }
  if (/kaniko should only be run inside of a container/.test(all)) {
    return 'the Kaniko executor refused to run outside a container';
  }
  if (/error resolving dockerfile path/.test(all)) {
    return oneLine(`the Dockerfile ${f.dockerfile} is not in the build context`);
  }
  const stage = /(\S+) is not a valid target build stage/.exec(all);
  if (stage) return oneLine(`target ${f.target ?? stage[1]}: the Dockerfile has no stage of that name`);
  const parse = /dockerfile parse error on line (\d+): ([^\n]*)/.exec(all);
  if (parse) return oneLine(`${f.dockerfile} line ${Number(parse[1]) - (f.addedLines ?? 0)}: ${parse[2]}`);
  if (/server gave HTTP response to HTTPS client/.test(all)) {
    return oneLine(`a registry speaks plain http but the leg expected https: mark the registry insecure (${last})`);
  }
  if (/error checking push permissions/.test(all)) {
    const why = /(UNAUTHORIZED|DENIED|authentication required|unauthorized)/i.test(all)
      ? 'not authorised: log in to the registry (the docker config in DOCKER_CONFIG is mounted into the executor)'
      : last.replace(/^error checking push permissions -- [^:]*: /, '');
    return oneLine(`cannot push to ${f.destination}: ${why}`);
  }
  if (/MANIFEST_UNKNOWN|NAME_UNKNOWN|manifest unknown/.test(all)) {
    const ref = referenceFromUrl(all);
    return oneLine(`base image ${ref ?? ''} not found in its registry`.replace('  ', ' '));
  }
  if (/UNAUTHORIZED|DENIED|authentication required/.test(all)) {
    const ref = referenceFromUrl(all);
    return oneLine(`not authorised to pull ${ref ?? 'a base image'}: log in to its registry (DOCKER_CONFIG)`);
  }
  if (/no space left on device/.test(all)) return 'the build ran out of disk space (no space left on device)';
  const runExit = /failed to execute command: waiting for process to exit: exit status (\d+)/.exec(all);
  if (runExit) {
    const said = f.lastOutput ? `: ${f.lastOutput}` : '';
    return oneLine(`${f.lastRun ?? 'a RUN step'} failed with exit status ${runExit[1]}${said}`);
  }
  const reason = last || `the executor exited with code ${f.exitCode ?? 'unknown'}`;
  return oneLine(reason.replace(/^Error: /, ''));
}
