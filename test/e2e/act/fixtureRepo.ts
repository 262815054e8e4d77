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
  /**
   * A `kaniko-image` input; without one (as `init` writes the workflow) the build job builds the
   * executor image from the pinned, checksum-verified Go module, as on a real runner.
   */
  kanikoImage?: string;
  /** The reusable workflow's `build-env` input: what `${VAR}` in the examples' build_args expands from. */
  buildEnv?: string;
  /** The apps to build, as files by path; absent: the three examples of FIXTURE_IMAGES. */
  files?: Record<string, string>;
}

/** The caller workflow with extra `with:` inputs for the reusable workflow's one job. */
export function withCallerInputs(callerYaml: string, inputs: Record<string, string | boolean>): string {
  const doc = parseDocument(callerYaml);
  for (const [name, value] of Object.entries(inputs)) doc.setIn(['jobs', 'images', 'with', name], value);
  return doc.toString({ lineWidth: 0 });
}

export function createFixtureRepo(options: FixtureOptions): TempRepo {
  const repo = tempRepo(options.files ?? {});
  if (!options.files) {
    for (const image of FIXTURE_IMAGES) cpSync(join(REPO_ROOT, 'examples', image), join(repo.root, image), { recursive: true });
  }
  cpSync(join(REPO_ROOT, 'action.yml'), join(repo.root, 'action.yml'));
  cpSync(join(REPO_ROOT, 'dist', 'action'), join(repo.root, 'dist', 'action'), { recursive: true });
  mkdirSync(join(repo.root, '.github', 'workflows'), { recursive: true });
  writeFileSync(join(repo.root, REUSABLE_PATH), renderReusableWorkflow({ variant: 'local' }));
  // Plain http is what a caller of a local test registry adds to the workflow init writes.
  // Keyless signing needs GitHub's OIDC token service, Fulcio and Rekor, none of which act or this
  // machine has: the caller is rendered as `init --sign false` writes it (no id-token, sign: false).
  const caller = renderCallerWorkflow({ variant: 'local', registry: options.registry, imagePrefix: options.imagePrefix, sign: 'false' });
  const inputs = {
    'insecure-registry': true,
    ...(options.kanikoImage ? { 'kaniko-image': options.kanikoImage } : {}),
    ...(options.buildEnv ? { 'build-env': options.buildEnv } : {}),
  };
  writeFileSync(join(repo.root, CALLER_PATH), withCallerInputs(caller, inputs));
  repo.commit(options.files ? 'the apps, the action and its workflows' : 'three images, the action and its workflows');
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
export function pullRequestEvent(
  number: number,
  base: { sha: string; ref: string },
  head: { sha: string; ref: string },
): Record<string, unknown> {
  const repository = { full_name: REPOSITORY, name: 'act-fixture', owner: { login: 'hephy' }, default_branch: 'main' };
  return {
    action: 'synchronize',
    number,
    pull_request: { number, base: { ...base, repo: repository }, head: { ...head, repo: repository } },
    repository,
  };
}
