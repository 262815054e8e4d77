// SOURCE of this repository's own CI workflow `.github/workflows/ci.yml`: install, run every check
// in .ci/run, and make sure the committed bundle in dist/ is what the sources build.
import { note } from '../yamlDoc.js';
import { checkoutStep, concurrency, pinned } from './common.js';
import { SETUP_NODE } from './pins.js';

export const CI_HEADER = `CI of hephy-builder itself: tests, type checks and linters (.ci/run), and a check that the
committed action bundle in dist/ matches the sources.`;

export function ciWorkflow(): Record<string, unknown> {
  return {
    name: 'ci',
    on: {
      push: { branches: ['main'] },
      pull_request: null,
    },
    permissions: note({}, { before: 'No token permissions by default; each job asks for what it needs.', blank: true }),
    concurrency: concurrency('${{ github.workflow }}-${{ github.ref }}'),
    jobs: note(
      {
        check: note(
          {
            name: 'Test and check dist',
            'runs-on': 'ubuntu-latest',
            'timeout-minutes': 30,
            permissions: { contents: 'read' },
            steps: [
              checkoutStep(),
              {
                name: 'Set up Node.js',
                uses: pinned(SETUP_NODE),
                with: note(
                  { 'node-version': '24', cache: 'npm' },
                  { before: 'The action runs on node24 (action.yml), so CI builds and tests on the same major.' },
                ),
              },
              { name: 'Install dependencies', run: 'npm ci' },
              { name: 'Run the checks', run: 'bash .ci/run' },
              note(
                {
                  name: 'Check that dist/ is up to date',
                  run:
                    'npm run build\n' +
                    '# New files count too: intent-to-add makes untracked files show up in git diff.\n' +
                    'git add --intent-to-add dist\n' +
                    'git diff --exit-code --stat dist\n',
                },
                {
                  before:
                    'The action runs the committed bundle, not the sources: a stale dist/ would ship old code.\n' +
                    'Fix a failure with `npm run build` and commit dist/.',
                },
              ),
            ],
          },
          {
            before: 'check: install exactly the locked dependencies, run .ci/run, verify dist/.',
          },
        ),
      },
      { blank: true },
    ),
  };
}
