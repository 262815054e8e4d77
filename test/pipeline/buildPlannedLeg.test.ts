// A build job's leg of wave 2 (issue 14): its needs come from the earlier waves' records, or it is
// skipped with the reason before any tool runs.
import { buildPlannedLeg, type PlannedLegOptions } from '../../src/pipeline/buildPlannedLeg.js';
import type { Leg } from '../../src/core/model.js';
import { tempRepo } from '../helpers/gitRepo.js';

describe('buildPlannedLeg with needs', () => {
  const repo = tempRepo({
    'base/build-config.yaml': 'build_backend: kaniko\n',
    'base/Dockerfile': 'FROM scratch\nCOPY . /\n',
    'app/build-config.yaml': 'build_backend: kaniko\nneeds: [base]\n',
    'app/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /\n',
  });
  afterAll(() => repo.remove());
  const leg: Leg = {
    id: 'app--linux-arm64',
    image: 'app',
    dir: 'app',
    backend: 'kaniko',
    platform: 'linux/arm64',
    runner: 'ubuntu-24.04-arm',
    emulated: false,
    wave: 2,
  };
  const options = (earlierLegs?: PlannedLegOptions['earlierLegs']): PlannedLegOptions => ({
    root: '.',
    cwd: repo.root,
    publish: { registry: '127.0.0.1:1', prefix: 'p', mode: 'single-repo' as never },
    insecure: true,
    env: {},
    secrets: [],
    cacheRoot: repo.root,
    onRunner: false,
    log: () => undefined,
    prepare: () => {
      throw new Error('no tool may be set up for a skipped leg');
    },
    ...(earlierLegs ? { earlierLegs } : {}),
  });

  it("is skipped, before any tool, when its need's leg for the platform failed", async () => {
    const record = await buildPlannedLeg(
      leg,
      options(async () => [{ image: 'base', platform: 'linux/arm64', status: 'failure' }]),
    );
    expect(record).toMatchObject({ status: 'failure', error: 'skipped: its need base failed for linux/arm64' });
  });

  it('is skipped, before any tool, when its need was built without pushing: Kaniko cannot build FROM an OCI layout', async () => {
    const asked: unknown[] = [];
    const record = await buildPlannedLeg(
      leg,
      options(async (needs, platform) => {
        asked.push({ needs, platform });
        return [
          {
            image: 'base',
            platform: 'linux/arm64',
            status: 'success',
            repository: 'r/p/base',
            digest: `sha256:${'e'.repeat(64)}`,
            pushed: false,
            layout: '/tmp/layouts/hephy-layout-base--linux-arm64',
          },
        ];
      }),
    );
    expect(record).toMatchObject({
      status: 'failure',
      error:
        'skipped: its need base was built without pushing for linux/arm64, and Kaniko cannot build FROM an OCI layout; push the base or use BuildKit',
    });
    // The build job is told which needs and platform to fetch the layouts of.
    expect(asked).toEqual([{ needs: [{ name: 'base', image: 'base' }], platform: 'linux/arm64' }]);
  });

  it('is skipped when the earlier waves cannot be read', async () => {
    const record = await buildPlannedLeg(leg, options());
    expect(record).toMatchObject({ status: 'failure', error: 'skipped: the records of the earlier waves are not available here' });
  });
});
