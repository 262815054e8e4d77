import { resolve } from 'node:path';
import { detectBackend } from '../../core/detect.js';
import { initRepo } from '../../generator/index.js';
import { parseTagMode } from '../../core/tags.js';
import { UserError } from '../../core/problem.js';
import { isIgnored } from '../../tools/git.js';
import { normalizeRegistry } from '../../tools/registryAuth.js';
import { imagePrefixOption, imagePrefixOptions, stringOption, type CommandSpec, type ParsedArgs } from '../args.js';

/** --registry as a host[:port] (a scheme is dropped); anything else stops init before it writes. */
function registryOption(args: ParsedArgs): string | undefined {
  const registry = stringOption(args, 'registry');
  if (registry === undefined) return undefined;
  const host = normalizeRegistry(registry);
  // A path after the host is the image prefix: say so rather than drop it.
  const path = registry
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .split('/')
    .slice(1)
    .filter(Boolean)
    .join('/');
  if (path) throw new UserError(`--registry \`${registry}\`: a registry is a host[:port]; use --registry ${host} --image-prefix ${path}`);
  return host;
}

export const initCommand: CommandSpec = {
  name: 'init',
  summary: 'Write .github/workflows/hephy-builder.yml (and a starter build-config.yaml in each app directory found, when there is none)',
  usage:
    'hephy-builder init [--root DIR] [--registry HOST] [--image-prefix PATH] [--tag-mode per-image|single-repo] [--runners MAP] [--branch B] [--ref SHA] [--sign true|false] [--force]',
  help: `  --root DIR            repository root (default: .)
  --registry HOST       registry to push to (default: the repository variable HEPHY_REGISTRY)
  --image-prefix PATH   path under the registry (default: the repository's owner/name)
  --tag-mode MODE       per-image (default) or single-repo
  --runners MAP         runner per platform, JSON or YAML, as runs-on takes it: a label, a list of
                        labels or {group, labels}, e.g. '{"linux/arm64": ["self-hosted", "ARM64"]}'
                        (ubuntu-24.04-arm, the default for linux/arm64, is free for public repositories only)
  --branch B            default branch whose pushes publish (default: detected from the clone)
  --ref SHA             call the reusable workflow at this commit of hephy/builder (a release's
                        commit: it cannot move, unlike the default v1)
  --sign true|false     keyless signing of published images (default true: the workflow grants
                        id-token: write to the job that signs); false leaves it out and passes sign: false
  --force               replace an existing workflow that differs`,
  options: {
    root: { type: 'string' },
    registry: { type: 'string' },
    ...imagePrefixOptions,
    'tag-mode': { type: 'string' },
    runners: { type: 'string' },
    branch: { type: 'string' },
    ref: { type: 'string' },
    sign: { type: 'string' },
    force: { type: 'boolean' },
  },
  allowPositionals: false,
  async run(args, io) {
    const root = resolve(io.cwd, stringOption(args, 'root') ?? '.');
    const tagMode = parseTagMode(stringOption(args, 'tag-mode'), '--tag-mode');
    const result = await initRepo(root, {
      force: Boolean(args.values.force),
      // Outside a git work tree git answers nothing ignored, as the plan assumes there.
      isIgnored: (paths) => isIgnored(root, paths),
      // Reasons name paths relative to the root: they go into the starter files.
      detect: (dir, shownDir) => {
        const detection = detectBackend(dir, undefined, undefined, { displayDir: shownDir, root });
        return detection.backend ? { backend: detection.backend, reason: detection.reason } : undefined;
      },
      workflow: {
        registry: registryOption(args),
        imagePrefix: imagePrefixOption(args),
        tagMode,
        runners: stringOption(args, 'runners'),
        branch: stringOption(args, 'branch'),
        ref: stringOption(args, 'ref'),
        sign: stringOption(args, 'sign'),
      },
    });
    for (const file of result.files) io.out(`${file.status.padEnd(11)} ${file.path}\n`);
    for (const note of result.notes) io.out(`note: ${note}\n`);
    const ref = stringOption(args, 'ref');
    if (!ref || !/^[0-9a-f]{40}$/.test(ref)) {
      io.out(`note: the workflow calls hephy/builder at ${ref ?? 'v1'}, a tag that can move; pin a release's commit with --ref SHA\n`);
    }
    return 0;
  },
};
