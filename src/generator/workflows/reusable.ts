// SOURCE of the reusable workflow `.github/workflows/build.yml` (plan -> build -> merge).
// The committed YAML is rendered from this file; a test fails when they drift apart.
import { MAX_WAVES } from '../../core/imageGraph.js';
import { BACKEND_OPTIONS } from '../../core/backendTraits.js';
import { DEFAULT_TAG_MODE } from '../../core/tags.js';
import { note } from '../yamlDoc.js';
import { actionRef, checkoutStep, concurrency, type ActionRelease, type WorkflowVariant } from './common.js';
import { SPIN_GO_TOOLCHAIN } from '../../core/toolPins.js';

/**
 * What changed, as a git revision for the `since` input:
 * - pull_request: the PR's base commit;
 * - push: the commit before the push, unless the branch is new (all zeros: build everything);
 * - anything else: empty, so the action uses the rebuild list (schedule), the dirs input
 *   (workflow_dispatch) or builds everything.
 */
const SINCE =
  "${{ github.event_name == 'pull_request' && github.event.pull_request.base.sha || " +
  "github.event_name == 'push' && github.event.before != '0000000000000000000000000000000000000000' && github.event.before || '' }}";

/**
 * Push unless the caller said no, the run is for a pull request from a fork, or it is any
 * pull_request_target run (it runs with the base's token on code a fork may have written).
 */
const PUSH =
  "${{ inputs.push && github.event_name != 'pull_request_target' && (github.event_name != 'pull_request' || github.event.pull_request.head.repo.full_name == github.repository) }}";

/**
 * The merge job's group: merges that publish from the default branch (a push or manual run there,
 * or a schedule, which always runs there) for the same repository and root wait for each other,
 * so two runs never move the same tags at once; every other run's merge has a group of its own.
 */
const PUBLISH_GROUP =
  "${{ (github.event_name == 'schedule' || github.ref == format('refs/heads/{0}', github.event.repository.default_branch)) && " +
  "format('hephy-publish-{0}-{1}', github.repository, inputs.root) || format('hephy-merge-{0}-{1}-{2}', github.run_id, github.run_attempt, inputs.root) }}";

/** Artifact names of this call (core/legRecord.ts): unique when one run calls the workflow twice. */
const ARTIFACT_SCOPE = '${{ needs.plan.outputs.artifact-scope }}';

// Registry settings every job passes on unchanged.
const REGISTRY_INPUTS = {
  root: '${{ inputs.root }}',
  registry: '${{ inputs.registry }}',
  'image-prefix': '${{ inputs.image-prefix }}',
  'tag-mode': '${{ inputs.tag-mode }}',
};

// The backends' per-run settings (core/backendTraits.ts), inputs of the workflow passed to the build job.
const BACKEND_INPUTS = Object.fromEntries(
  BACKEND_OPTIONS.map((option) => [option.name, { description: option.description, type: 'string', default: '' }]),
);
const BACKEND_INPUTS_PASSED = Object.fromEntries(BACKEND_OPTIONS.map((option) => [option.name, `\${{ inputs.${option.name} }}`]));

/**
 * What the merge job may do with the workflow token: tag the multi-arch indexes (packages),
 * comment on the pull request (pull-requests), read the code (contents). A caller grants these,
 * and `id-token: write` (SIGNING_PERMISSIONS) when it signs.
 */
export const MERGE_PERMISSIONS = { contents: 'read', packages: 'write', 'pull-requests': 'write' } as const;

/**
 * What keyless signing adds: the job's GitHub OIDC token, which cosign trades for a Fulcio
 * certificate (tools/cosign.ts). Only the merge job signs, and only a caller that signs grants it.
 */
export const SIGNING_PERMISSIONS = { 'id-token': 'write' } as const;

const CREDENTIALS = {
  username: '${{ secrets.REGISTRY_USERNAME }}',
  password: '${{ secrets.REGISTRY_PASSWORD }}',
  'token-registries': '${{ inputs.token-registries }}',
};

export const REUSABLE_HEADER = `hephy-builder: build every changed build-config.yaml into multi-arch images.
plan (one job) -> build (one job per image and platform, on a native runner) -> merge (one job).

Call it from a workflow in your repository (\`npx hephy-builder init\` writes one):
  jobs:
    images:
      uses: hephy/builder/.github/workflows/build.yml@v1
      permissions: {contents: read, packages: write, pull-requests: write, id-token: write}
The caller must grant those permissions: GitHub refuses to start a called workflow whose jobs
ask for more than the caller gives. id-token: write is for keyless signing (the sign input);
a caller that does not sign leaves it out and passes sign: false. The plan and build jobs ask
for less; the merge job takes what the caller grants: grant no more than this.`;

export function reusableWorkflow(variant: WorkflowVariant, release?: ActionRelease): Record<string, unknown> {
  const action = actionRef(variant, release);
  return {
    name: 'hephy-builder',
    on: {
      workflow_call: {
        inputs: {
          root: {
            description: 'Directory, relative to the repository root, searched for build-config.yaml files.',
            type: 'string',
            default: '.',
          },
          runners: {
            description:
              'Runner per platform, as JSON or YAML; each one what runs-on takes: a label, a list of labels or {group, labels} ' +
              '(e.g. {"linux/arm64": ["self-hosted", "ARM64"]}); null removes a platform\'s runner (its legs run on `default`). ' +
              'Empty: ubuntu-latest for linux/amd64 and wasi/wasm32, ubuntu-24.04-arm for linux/arm64, which is free for public repositories only.',
            type: 'string',
            default: '',
          },
          registry: {
            description:
              'Registry host[:port] to push to (required), e.g. your GitHub container registry host. Callers written by `hephy-builder init` pass the repository variable HEPHY_REGISTRY.',
            type: 'string',
            default: '',
          },
          'image-prefix': {
            description: 'Path under the registry: the prefix of every image repository (per-image) or the one repository (single-repo).',
            type: 'string',
            default: '',
          },
          'tag-mode': {
            description:
              'per-image: one repository per image, tags as the default table or the tags rules say. single-repo: all images in one repository, each tag as {image}-{tag}.',
            type: 'string',
            default: DEFAULT_TAG_MODE,
          },
          'rebuild-list': {
            description: 'File listing the directories a scheduled run rebuilds, one per line. Empty: rebuild-weekly.txt under root.',
            type: 'string',
            default: '',
          },
          dirs: {
            description: 'Comma- or newline-separated directories to build, regardless of what changed. Empty: decided by the event.',
            type: 'string',
            default: '',
          },
          'force-rebuild': {
            description:
              'Build every selected image even when a default-branch run already built one from the same inputs. Without it, pushes to the default branch, schedules and manual runs build only the images whose inputs (files, config, tool versions, base image digests) are not published, and re-tag the others.',
            type: 'boolean',
            default: false,
          },
          'per-arch-tags': {
            description: "Also tag each platform's manifest with each tag plus -{arch}, e.g. 20261125-arm64.",
            type: 'boolean',
            default: false,
          },
          tags: {
            description:
              'docker/metadata-action tag rules, one per line (e.g. type=ref,event=branch), replacing the default tag table. Empty: the default table (README: "Which tags a run publishes").',
            type: 'string',
            default: '',
          },
          ...BACKEND_INPUTS,
          'build-env': {
            description:
              'What ${VAR} in build_args and ko_config may expand from: NAME=VALUE lines (or NAME, from the build job environment). Nothing else expands besides the safe GitHub values (GITHUB_SHA, GITHUB_REF_NAME, ...). Build args are public.',
            type: 'string',
            default: '',
          },
          labels: {
            description:
              'Labels of every image config, KEY=VALUE lines; win over build-config.yaml labels. The org.opencontainers.image.* labels come from the build.',
            type: 'string',
            default: '',
          },
          annotations: {
            description: 'Annotations of every manifest and index, KEY=VALUE lines; win over build-config.yaml annotations.',
            type: 'string',
            default: '',
          },
          'token-registries': {
            description:
              "Registry hosts besides ghcr.io that take the workflow token as a password (a GitHub Enterprise Server's container registry host). The token is never sent to any other registry.",
            type: 'string',
            default: '',
          },
          'insecure-registry': {
            description: 'Talk plain HTTP to the registry (a local test registry only).',
            type: 'boolean',
            default: false,
          },
          'time-floor': {
            description:
              "Summary: a leg's time is a finding only when it lies outside the range of its last default-branch records by at least this much, or by half the range if wider (e.g. 30s, 1m30s).",
            type: 'string',
            default: '30s',
          },
          'time-threshold': {
            description:
              'Summary: while a leg has fewer than 3 default-branch records, its time must also differ from the newest by this percentage.',
            type: 'string',
            default: '50%',
          },
          'size-threshold': {
            description:
              'Summary: a platform image that grew or shrank by at least this much against its newest default-branch record is a finding (e.g. 128KiB, 1MiB).',
            type: 'string',
            default: '128KiB',
          },
          sbom: {
            description:
              "An SPDX SBOM per platform manifest, attached as a signed attestation: true or false. Empty: true. A build-config.yaml's sbom: key wins.",
            type: 'string',
            default: '',
          },
          provenance: {
            description:
              "A SLSA v1 provenance statement per platform manifest, attached as a signed attestation: true or false. Empty: true. A build-config.yaml's provenance: key wins.",
            type: 'string',
            default: '',
          },
          sign: {
            description:
              "Sign each published image keyless (the merge job's GitHub OIDC token; Fulcio, Rekor): true or false. Empty: on for pushes to the default branch, schedules, manual runs and tag pushes, off for pull requests and other branches. A build-config.yaml's sign: key wins. Signing needs the caller to grant id-token: write; pass false when it does not.",
            type: 'string',
            default: '',
          },
          push: {
            description: 'Push images. Pull requests from forks never push, whatever this says.',
            type: 'boolean',
            default: true,
          },
        },
        secrets: {
          REGISTRY_USERNAME: {
            description: "Registry user. Not needed for GitHub's container registry, which accepts the workflow token.",
            required: false,
          },
          REGISTRY_PASSWORD: {
            description: 'Registry password or token, with REGISTRY_USERNAME.',
            required: false,
          },
        },
        outputs: {
          images: { description: 'JSON list of the images the plan selected.', value: '${{ jobs.plan.outputs.images }}' },
          published: {
            description: 'JSON per image: the index digest and the tags that now point to it.',
            value: '${{ jobs.merge.outputs.published }}',
          },
        },
      },
    },
    concurrency: note(concurrency('hephy-builder-${{ github.workflow }}-${{ github.ref }}-${{ inputs.root }}'), {
      before:
        "One run per caller workflow, ref and root. The group differs from the caller's own group:\n" +
        'sharing it would make the called workflow wait on its caller forever.',
    }),
    jobs: note(
      {
        plan: note(
          {
            name: 'Plan',
            'runs-on': 'ubuntu-latest',
            'timeout-minutes': 15,
            permissions: note(
              { contents: 'read', packages: 'read' },
              { before: 'packages: read the input-digest records (in-<digest> tags) of a private package.' },
            ),
            outputs: {
              matrix: '${{ steps.plan.outputs.matrix }}',
              images: '${{ steps.plan.outputs.images }}',
              'has-work': '${{ steps.plan.outputs.has-work }}',
              ...waveJobOutputs(),
              'merge-has-work': note('${{ steps.plan.outputs.merge-has-work }}', {
                before: "Also true when no leg builds but an unchanged image is re-tagged with this run's tags.",
              }),
              unchanged: '${{ steps.plan.outputs.unchanged }}',
              'artifact-scope': '${{ steps.plan.outputs.artifact-scope }}',
              push: note(PUSH, {
                before:
                  'Whether build and merge push: never for a pull request from a fork nor any pull_request_target run (their code must not reach the registry).',
              }),
            },
            steps: [
              note(checkoutStep({ 'fetch-depth': 0 }), {
                before: 'Full history: the plan diffs against the pull request base or the commit before the push.',
              }),
              note(
                {
                  name: 'Pinned Go toolchain',
                  env: { GOTOOLCHAIN: `${SPIN_GO_TOOLCHAIN}+auto` },
                  run: 'echo "GOTOOLCHAIN=$GOTOOLCHAIN" >> "$GITHUB_ENV"\ngo version\n',
                },
                {
                  before:
                    "A ko app's inputs are the packages its main package imports (go list -deps), and its input\n" +
                    'digest names the Go that builds it: the same pinned Go as its build legs.',
                },
              ),
              note(
                {
                  name: 'Plan the builds',
                  id: 'plan',
                  uses: action,
                  with: {
                    command: 'plan',
                    root: '${{ inputs.root }}',
                    since: SINCE,
                    'rebuild-list': '${{ inputs.rebuild-list }}',
                    dirs: '${{ inputs.dirs }}',
                    runners: '${{ inputs.runners }}',
                    registry: '${{ inputs.registry }}',
                    'image-prefix': '${{ inputs.image-prefix }}',
                    'tag-mode': '${{ inputs.tag-mode }}',
                    'per-arch-tags': '${{ inputs.per-arch-tags }}',
                    tags: '${{ inputs.tags }}',
                    // The base images the legs use are inputs of their digests (ko's base-image).
                    ...BACKEND_INPUTS_PASSED,
                    'build-env': '${{ inputs.build-env }}',
                    'force-rebuild': '${{ inputs.force-rebuild }}',
                    sbom: '${{ inputs.sbom }}',
                    provenance: '${{ inputs.provenance }}',
                    sign: '${{ inputs.sign }}',
                    ...CREDENTIALS,
                    'insecure-registry': '${{ inputs.insecure-registry }}',
                  },
                },
                {
                  before:
                    'What to build: pull_request -> apps one of whose inputs changed since the base commit;\n' +
                    'push to another branch -> changed since the commit before the push. On the default branch:\n' +
                    'push -> every app, schedule -> the rebuild list, workflow_dispatch -> the dirs input (as named,\n' +
                    'no registry read) or every app; then only those whose input digest has no record in the\n' +
                    'registry build, the others are re-tagged (the diff when the registry cannot be read).',
                },
              ),
            ],
          },
          {
            before:
              'plan: find every build-config.yaml, keep what this event selects, validate each config (errors\n' +
              'become annotations on the offending line), pick each backend and emit one matrix leg per\n' +
              'image and platform. Nothing to build -> has-work is false and build is skipped; nothing to\n' +
              're-tag either -> merge-has-work is false and merge is skipped too.',
          },
        ),
        ...buildJobs(action),
        merge: note(
          {
            name: 'Merge and publish',
            needs: ['plan', ...WAVE_JOBS],
            if: note("${{ !cancelled() && needs.plan.outputs.merge-has-work == 'true' }}", {
              before: 'Also when build was skipped (no leg) but unchanged images are to be re-tagged.',
            }),
            'runs-on': 'ubuntu-latest',
            'timeout-minutes': 20,
            concurrency: note(
              { group: PUBLISH_GROUP, 'cancel-in-progress': false },
              {
                before:
                  'Merges publishing from the default branch to the same repository and root run one at a time;\n' +
                  'a publish in progress is never cancelled. The merge also reads every tag back and fails an\n' +
                  'image whose tag another run overwrote ("overwritten by another run").',
              },
            ),
            outputs: note(
              { published: '${{ steps.merge.outputs.published }}' },
              {
                before:
                  'No permissions key: this job takes what the caller grants, which it needs all of:\n' +
                  'contents: read; packages: write, to tag the multi-arch indexes; pull-requests: write, for the\n' +
                  'one summary comment; and, only from a caller that signs, id-token: write, the OIDC token cosign\n' +
                  'signs keyless with. GitHub refuses to start a called workflow whose job asks for a permission\n' +
                  'the caller does not grant, so a job that asked for id-token here would break every caller that\n' +
                  'does not sign; the plan and build jobs state their narrower permissions and never get it.\n' +
                  'The leg records are artifacts of this run (the runtime token reads them, no `actions: read`);\n' +
                  'the default-branch history is in the Actions cache.',
              },
            ),
            steps: [
              checkoutStep(),
              {
                name: 'Merge the legs and publish',
                id: 'merge',
                uses: action,
                with: {
                  command: 'merge',
                  ...REGISTRY_INPUTS,
                  ...CREDENTIALS,
                  'per-arch-tags': '${{ inputs.per-arch-tags }}',
                  'insecure-registry': '${{ inputs.insecure-registry }}',
                  push: '${{ needs.plan.outputs.push }}',
                  'artifact-scope': ARTIFACT_SCOPE,
                  'time-floor': '${{ inputs.time-floor }}',
                  'time-threshold': '${{ inputs.time-threshold }}',
                  'size-threshold': '${{ inputs.size-threshold }}',
                },
              },
            ],
          },
          {
            blank: true,
            before:
              'merge: runs even when some legs failed. Per image whose legs all succeeded, creates the\n' +
              'multi-arch index over the per-platform digests and moves its tags; an image with a failed leg\n' +
              "moves no tag. Unchanged images get this run's tags on their published index; a default-branch\n" +
              'run writes the input-digest records of what it built. Then writes the job summary (each leg against its default-branch history, kept\n' +
              'in the Actions cache) and updates the one PR comment.',
          },
        ),
      },
      { blank: true },
    ),
  };
}

/**
 * The build jobs, one per wave (issue 14, core/imageGraph.ts MAX_WAVES): wave N runs after the
 * earlier ones, only when it has legs, and also when a leg of an earlier wave failed (that leg's
 * dependants are then skipped by the build command, with the reason, and move no tag).
 */
const WAVE_JOBS = Array.from({ length: MAX_WAVES }, (_, i) => (i === 0 ? 'build' : `build-${i + 1}`));

function waveJobOutputs(): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (let wave = 1; wave <= MAX_WAVES; wave++) {
    outputs[`matrix-${wave}`] = `\${{ steps.plan.outputs.matrix-${wave} }}`;
    outputs[`has-work-${wave}`] = `\${{ steps.plan.outputs.has-work-${wave} }}`;
  }
  return outputs;
}

function buildJobs(action: ReturnType<typeof actionRef>): Record<string, unknown> {
  return Object.fromEntries(WAVE_JOBS.map((job, i) => [job, buildJob(action, i + 1)]));
}

function buildJob(action: ReturnType<typeof actionRef>, wave: number): unknown {
  return note(
    {
      name: wave === 1 ? '${{ matrix.image }} ${{ matrix.platform }}' : `${'${{ matrix.image }} ${{ matrix.platform }}'} (wave ${wave})`,
      needs: wave === 1 ? 'plan' : ['plan', ...WAVE_JOBS.slice(0, wave - 1)],
      if: wave === 1 ? "needs.plan.outputs.has-work-1 == 'true'" : `\${{ !cancelled() && needs.plan.outputs.has-work-${wave} == 'true' }}`,
      'runs-on': note('${{ matrix.runner }}', {
        before:
          'A label, a list of labels or {group, labels}: the matrix holds the runner as the plan read it from\n' +
          'the runners input, and a whole-value expression passes lists and mappings on as they are.',
      }),
      'timeout-minutes': 60,
      permissions: { contents: 'read', packages: 'write' },
      strategy: {
        'fail-fast': note(false, { before: 'One failed leg must not cancel the others: other images still publish.' }),
        matrix: `\${{ fromJSON(needs.plan.outputs.matrix-${wave}) }}`,
      },
      steps: [
        checkoutStep(),
        note(
          {
            name: 'Pinned Go toolchain for Spin and ko apps',
            if: "matrix.backend == 'spin' || matrix.backend == 'ko'",
            env: { GOTOOLCHAIN: `${SPIN_GO_TOOLCHAIN}+auto` },
            run: 'echo "GOTOOLCHAIN=$GOTOOLCHAIN" >> "$GITHUB_ENV"\ngo version\n',
          },
          {
            before:
              'ko legs build with the Go their input digest names (the plan job sets the same one up).\n' +
              "Spin legs run the app's own build commands (spin.toml). Go apps (Go's wasip1 port) get\n" +
              "the same bytes, so the same digest, only from the same Go: the runner's go fetches this\n" +
              "one and checks it against the Go checksum database. npm packages come from the app's\n" +
              'lockfile, checked by npm. Rust apps need `rustup target add wasm32-wasip1` in their build.',
          },
        ),
        {
          name: 'Build and push by digest',
          id: 'build',
          uses: action,
          with: {
            command: 'build',
            leg: '${{ toJSON(matrix) }}',
            ...REGISTRY_INPUTS,
            ...CREDENTIALS,
            ...BACKEND_INPUTS_PASSED,
            'build-env': '${{ inputs.build-env }}',
            labels: '${{ inputs.labels }}',
            annotations: '${{ inputs.annotations }}',
            'insecure-registry': '${{ inputs.insecure-registry }}',
            push: '${{ needs.plan.outputs.push }}',
            'artifact-scope': ARTIFACT_SCOPE,
          },
        },
      ],
    },
    {
      blank: true,
      before:
        'build: one job per leg, on a runner native to its platform (no emulation). Builds ONE platform,\n' +
        'pushes it by digest (no tag yet) and records image, digest, size and timings for merge.',
    },
  );
}
