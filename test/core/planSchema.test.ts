import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plan } from '../../src/core/model.js';
import { buildPlan } from '../../src/core/plan.js';
import { parsePlan } from '../../src/core/planSchema.js';
import { UserError } from '../../src/core/problem.js';
import { tempDir } from '../helpers/gitRepo.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const EXAMPLES = join(HERE, '..', '..', 'examples');
const FIXTURES = join(HERE, '..', 'fixtures');

/** The plan as the plan job writes it and the merge job reads it: through JSON. */
const asWritten = (plan: Plan) => JSON.parse(JSON.stringify(plan)) as Plan;

describe('parsePlan', () => {
  let examples: Plan;
  let monorepo: Plan;
  let upstream: Plan;
  const roots: string[] = [];
  beforeAll(async () => {
    examples = await buildPlan(EXAMPLES, { kind: 'all' }, { repoName: 'examples' });
    // Problems, skipped dirs and nested apps.
    monorepo = await buildPlan(join(FIXTURES, 'repos', 'monorepo'), { kind: 'dirs', dirs: ['kaniko', 'invalid', 'nested/outer'] });
    const root = tempDir('hephy-plan-schema-');
    roots.push(root);
    mkdirSync(join(root, 'tool'));
    cpSync(join(FIXTURES, 'configs', 'valid', 'upstream.yaml'), join(root, 'tool', 'build-config.yaml'));
    upstream = await buildPlan(root, { kind: 'since', rev: 'HEAD~1' }, { changedFiles: () => 'all' });
  });
  afterAll(() => roots.forEach((root) => rmSync(root, { recursive: true, force: true })));

  it('reads back every plan the planner writes, exactly', () => {
    expect(monorepo.problems.length).toBeGreaterThan(0);
    expect(upstream.images[0].source.kind).toBe('upstream');
    for (const plan of [examples, monorepo, upstream]) {
      const text = JSON.stringify(plan, null, 2);
      expect(parsePlan(text, 'plan.json')).toEqual(asWritten(plan));
    }
  });

  it('names the file, the field and the problem of a plan it cannot use', () => {
    const plan = asWritten(examples);
    const broken = (change: (p: any) => void) => {
      const copy = structuredClone(plan) as any;
      change(copy);
      return JSON.stringify(copy);
    };
    expect(() => parsePlan('{"images": [', 'plan.json')).toThrow(/^plan\.json: not a JSON plan \(/);
    expect(() => parsePlan('[]', 'plan.json')).toThrow('plan.json: not a valid plan: (root): ');
    expect(() =>
      parsePlan(
        broken((p) => delete p.matrix),
        'plan.json',
      ),
    ).toThrow(/^plan\.json: not a valid plan: matrix: /);
    expect(() =>
      parsePlan(
        broken((p) => (p.matrix.include[1].backend = 'docker')),
        'p',
      ),
    ).toThrow(/^p: not a valid plan: matrix\.include\.1\.backend: /);
    expect(() =>
      parsePlan(
        broken((p) => (p.images[0].config.build_backnd = 'ko')),
        'p',
      ),
    ).toThrow(/^p: not a valid plan: images\.0\.config: .*build_backnd/);
    expect(() =>
      parsePlan(
        broken((p) => (p.mode = { kind: 'since' })),
        'p',
      ),
    ).toThrow(/^p: not a valid plan: mode\.rev: /);
    expect(() => parsePlan('{}', 'artifact hephy-plan', 'run the plan job first')).toThrow(/; run the plan job first$/);
    expect(() => parsePlan('{}', 'p')).toThrow(UserError);
  });
});
