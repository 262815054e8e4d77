// The plan's text: why legs that select by input digest (issue 10) have none and always build.
import { renderPlanMarkdown, renderPlanText, undigestedLines } from '../../../src/core/report/planReport.js';
import type { Leg, Plan } from '../../../src/core/model.js';

const leg = (image: string, platform: string): Leg =>
  ({ id: `${image}--${platform.replace('/', '-')}`, image, platform, dir: image, backend: 'kaniko', wave: 1 }) as unknown as Leg;

const legs = [leg('app', 'linux/amd64'), leg('app', 'linux/arm64'), leg('web', 'linux/amd64'), leg('ok', 'linux/amd64')];
const reason = 'FROM ${BASE_IMAGE}: a variable without a value (give it a value in build_args, or with the build-env input or --build-env)';

describe('undigestedLines', () => {
  test('one line per image and reason, with its platforms; legs with a digest are not listed', () => {
    const plan = {
      matrix: { include: legs },
      inputDigests: [
        { legId: 'app--linux-amd64', reason },
        { legId: 'app--linux-arm64', reason },
        { legId: 'web--linux-amd64', reason: 'base image: registry unreachable' },
        { legId: 'ok--linux-amd64', digest: `sha256:${'a'.repeat(64)}`, files: 3 },
      ],
    } as unknown as Plan;
    expect(undigestedLines(plan)).toEqual([
      `app (linux/amd64, linux/arm64): ${reason}`,
      'web (linux/amd64): base image: registry unreachable',
    ]);
  });

  test('a plan that does not select by digest has none, and its text has no such section', () => {
    const plan = {
      images: [],
      matrix: { include: [] },
      mode: { kind: 'all' },
      skipped: [],
      problems: [],
      publish: { run: 'a local run', push: true },
    } as unknown as Plan;
    expect(undigestedLines(plan)).toEqual([]);
    expect(renderPlanText(plan)).not.toContain('no input digest');
  });

  test("the plan's text says why such legs build", () => {
    const plan = {
      images: [],
      matrix: { include: legs },
      mode: { kind: 'all' },
      skipped: [],
      problems: [],
      publish: { run: 'a local run', push: true },
      inputDigests: [{ legId: 'app--linux-amd64', reason }],
    } as unknown as Plan;
    expect(renderPlanText(plan)).toContain(`Built whatever is published (no input digest to compare):\n  app (linux/amd64): ${reason}\n`);
  });
});

test('the Markdown plan lists them too, as plain text', () => {
  const plan = {
    images: [],
    matrix: { include: legs },
    mode: { kind: 'all' },
    skipped: [],
    problems: [],
    publish: { run: 'a push to main', push: true },
    inputDigests: [{ legId: 'web--linux-amd64', reason: 'base image: <b>@x' }],
  } as unknown as Plan;
  expect(renderPlanMarkdown(plan)).toContain(
    '**Built whatever is published** (no input digest to compare):\n\n- web (linux/amd64): base image: &lt;b&gt;\\@x\n',
  );
});
