import type { BackendName } from '../../src/core/backendTraits.js';
import type { ImageSpec } from '../../src/core/model.js';
import { toolsFor } from '../../src/pipeline/localRun.js';

const images = (...backends: BackendName[]) => ({ images: backends.map((backend) => ({ backend }) as ImageSpec) });

describe('toolsFor (the install-tools.sh steps of a local run)', () => {
  it('installs what every run needs, and each planned backend its own tools, once each', () => {
    expect(toolsFor(images())).toEqual(['apt', 'buildx', 'crane']);
    expect(toolsFor(images('ko', 'ko'))).toEqual(['apt', 'buildx', 'crane', 'ko']);
    expect(toolsFor(images('buildkit', 'kaniko')).sort()).toEqual(
      ['apt', 'buildx', 'crane', 'buildkit', 'binfmt', 'kaniko', 'containers-conf'].sort(),
    );
    // The Spin CLI cannot be installed by the script: the user installs it.
    expect(toolsFor(images('spin'))).toEqual(['apt', 'buildx', 'crane']);
  });
});
