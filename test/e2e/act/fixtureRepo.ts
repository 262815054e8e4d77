// The repository act runs in: three of the examples (ko, Kaniko, BuildKit; two platforms each),
// this checkout's action (action.yml + the committed dist/ bundle) and the workflows rendered by
// the generator in their 'local' variant, i.e. with `uses: ./` and
// `uses: ./.github/workflows/build.yml` where users have hephy/builder@v1 (act cannot fetch
// remote actions offline).
import { cpSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { renderCallerWorkflow, renderReusableWorkflow } from '../../../src/generator/index.js';
import { tempRepo, type TempRepo } from '../../helpers/gitRepo.js';

const REPO_ROOT = new URL('../../..', import.meta.url).pathname;

/** The three example apps, one per backend, each built for linux/amd64 and linux/arm64. */
export const FIXTURE_IMAGES = ['go-hello', 'kaniko-app', 'buildkit-cache'] as const;
export const CALLER_PATH = '.github/workflows/hephy-builder.yml';
export const REUSABLE_PATH = '.github/workflows/build.yml';
export const REPOSITORY = 'hephy/act-fixture';

export interface FixtureOptions {
  registry: string;
  imagePrefix: string;
  /** The Kaniko executor image (on a runner the kaniko backend requires the `kaniko-image` input). */
  kanikoImage: string;
}

/**
 * Inputs of the action that the reusable workflow has no input of its own for, so a caller cannot
 * set them: `kaniko-image` (required on runners by the kaniko backend) and `insecure-registry`
 * (skopeo, which pushes Kaniko's output, wants https unless told, even for 127.0.0.1). The
 * fixture writes them into the rendered workflow's build and merge steps, in the open; see
 * "Gaps" in docs/dev/act.md.
 */
export function withActionInputs(reusableYaml: string, inputs: Record<string, string>): string {
  const doc = parseDocument(reusableYaml);
  for (const job of ['build', 'merge']) {
    const steps = doc.getIn(['jobs', job, 'steps']) as { items: Array<{ get(key: string): unknown; setIn(path: string[], v: unknown): void }> };
    const step = steps.items.find((s) => s.get('uses') === './');
    if (!step) throw new Error(`the reusable workflow has no \`uses: ./\` step in jobs.${job}: render it with variant local`);
    for (const [name, value] of Object.entries(inputs)) step.setIn(['with', name], value);
  }
  return doc.toString({ lineWidth: 0 });
}

export function createFixtureRepo(options: FixtureOptions): TempRepo {
  const repo = tempRepo();
  for (const image of FIXTURE_IMAGES) cpSync(join(REPO_ROOT, 'examples', image), join(repo.root, image), { recursive: true });
  cpSync(join(REPO_ROOT, 'action.yml'), join(repo.root, 'action.yml'));
  cpSync(join(REPO_ROOT, 'dist', 'action'), join(repo.root, 'dist', 'action'), { recursive: true });
  mkdirSync(join(repo.root, '.github', 'workflows'), { recursive: true });
  const inputs = { 'kaniko-image': options.kanikoImage, 'insecure-registry': 'true' };
  writeFileSync(join(repo.root, REUSABLE_PATH), withActionInputs(renderReusableWorkflow({ variant: 'local' }), inputs));
  writeFileSync(
    join(repo.root, CALLER_PATH),
    renderCallerWorkflow({ variant: 'local', registry: options.registry, imagePrefix: options.imagePrefix }),
  );
  repo.commit('three images, the action and its workflows');
  return repo;
}

/** A push to main as GitHub sends it (the fields the workflows and the action read). */
export function pushEvent(sha: string, before = '0'.repeat(40)): Record<string, unknown> {
  return {
    ref: 'refs/heads/main',
    before,
    after: sha,
    repository: { full_name: REPOSITORY, name: 'act-fixture', owner: { login: 'hephy' }, default_branch: 'main' },
  };
}

/** A pull request from a branch of the same repository (not a fork: it may push and comment). */
export function pullRequestEvent(number: number, base: { sha: string; ref: string }, head: { sha: string; ref: string }): Record<string, unknown> {
  const repository = { full_name: REPOSITORY, name: 'act-fixture', owner: { login: 'hephy' }, default_branch: 'main' };
  return {
    action: 'synchronize',
    number,
    pull_request: { number, base: { ...base, repo: repository }, head: { ...head, repo: repository } },
    repository,
  };
}
