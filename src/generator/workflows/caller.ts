// SOURCE of the caller workflow `hephy-builder init` writes to `.github/workflows/hephy-builder.yml`
// in a user's repository: the triggers, and one job that calls the reusable workflow.
import { note } from '../yamlDoc.js';
import { concurrency, reusableWorkflowRef, type WorkflowVariant } from './common.js';
import { MERGE_PERMISSIONS, SIGNING_PERMISSIONS } from './reusable.js';

/** How registry credentials reach the reusable workflow. */
export type SecretsMode = 'none' | 'explicit' | 'inherit';

/** Resolved caller settings (defaults applied and checked by src/generator/caller.ts). */
export interface CallerSettings {
  variant: WorkflowVariant;
  /** Git ref of hephy/builder to call: a tag like v1, or a full commit SHA. */
  ref: string;
  branch: string;
  cron: string;
  root: string;
  registry: string;
  imagePrefix: string;
  tagMode: string;
  runners: string;
  rebuildList: string;
  secrets: SecretsMode;
  /** Keyless signing on (the reusable workflow's default) or off (`sign: false`, no id-token). */
  sign: boolean;
}

export const CALLER_HEADER = `Builds this repository's images with hephy-builder: a push to the default branch builds and
publishes what changed, a pull request builds it (and publishes it as pr-N tags only, unless it comes from a fork),
a weekly run rebuilds the dirs in the rebuild list, and "Run workflow" builds the dirs you name.`;

function secretsOf(mode: SecretsMode): unknown {
  switch (mode) {
    case 'none':
      return undefined;
    case 'inherit':
      return note('inherit', {
        before: 'Every secret of this repository is passed on; the workflow reads REGISTRY_USERNAME and REGISTRY_PASSWORD.',
      });
    case 'explicit':
      return note(
        {
          REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
          REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
        },
        { before: 'Registry credentials, from repository secrets of the same names.' },
      );
  }
}

export function callerWorkflow(s: CallerSettings): Record<string, unknown> {
  // Only inputs that differ from the reusable workflow's defaults are written, so the file shows
  // what this repository chose.
  const withInputs: Record<string, unknown> = {
    root: s.root !== '.' ? s.root : undefined,
    // No registry host is built in: the repository variable names it (Settings > Variables).
    registry:
      s.registry ||
      note('${{ vars.HEPHY_REGISTRY }}', {
        before: 'Set the repository variable HEPHY_REGISTRY to your registry host, or write the host here.',
      }),
    'image-prefix': s.imagePrefix || undefined,
    'tag-mode': s.tagMode !== 'per-image' ? s.tagMode : undefined,
    runners: s.runners || undefined,
    'rebuild-list': s.rebuildList || undefined,
    dirs: note('${{ inputs.dirs }}', { before: 'Set by "Run workflow"; empty on every other event.' }),
    'force-rebuild': note('${{ inputs.force-rebuild == true }}', {
      before: 'Set by "Run workflow": build even what a default-branch run already built from the same inputs.',
    }),
    sign: s.sign ? undefined : note('false', { before: 'No keyless signatures: this workflow grants no id-token.' }),
  };
  return {
    name: 'hephy-builder',
    on: {
      push: { branches: [s.branch] },
      pull_request: null,
      schedule: [{ cron: note(s.cron, { after: 'weekly rebuild of the rebuild list (UTC)' }) }],
      workflow_dispatch: {
        inputs: {
          dirs: {
            description: 'Directories to build, comma-separated (empty: everything)',
            type: 'string',
            required: false,
            default: '',
          },
          'force-rebuild': {
            description: 'Build even the images whose inputs are unchanged (default: re-tag them)',
            type: 'boolean',
            required: false,
            default: false,
          },
        },
      },
    },
    permissions: note({}, { before: 'No token permissions by default; the job below asks for what it needs.', blank: true }),
    concurrency: note(concurrency('${{ github.workflow }}-${{ github.ref }}'), {
      before: 'A new push to a pull request cancels the run it supersedes.',
    }),
    jobs: note(
      {
        images: note(
          {
            permissions: note(
              { ...MERGE_PERMISSIONS, ...(s.sign ? SIGNING_PERMISSIONS : {}) },
              {
                before:
                  'Exactly what the called workflow needs (it refuses to start with less): read the code,\n' +
                  `push images, comment on the pull request${s.sign ? ", and sign the published images keyless\n(id-token: the merge job's OIDC token; the plan and build jobs never get it)" : ''}.`,
              },
            ),
            uses: reusableWorkflowRef(s.variant, s.ref),
            with: withInputs,
            secrets: secretsOf(s.secrets),
          },
          {
            before:
              'plan -> one build job per image and platform, on native runners -> merge into multi-arch\n' +
              'images and post a summary of what every build cost.',
          },
        ),
      },
      { blank: true },
    ),
  };
}
