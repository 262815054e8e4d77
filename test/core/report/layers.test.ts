// What grew, layer by layer. The history entries below are those of real images pushed by this
// project's backends (read with `imagetools inspect --format '{{json .Image}}'`): ko v0.19.1,
// BuildKit v0.32.2 and the Kaniko executor v1.25.5, on the busybox base of scripts/base-images.sh.
import { labelLayers, layerChanges, stepLabel } from '../../../src/core/report/layers.js';

const BASE = { created: '1970-01-01T00:00:00Z', created_by: 'hephy-builder scripts/base-images.sh' };
const d = (n: number) => `sha256:${String(n).repeat(64).slice(0, 64)}`;

describe('layer labels', () => {
  it('names each layer by the step that made it, as each backend writes its history', () => {
    expect(
      stepLabel({
        created_by: 'RUN /bin/sh -c echo "build" >> /cache/builds && wc -l < /cache/builds > /builds-seen.txt # buildkit',
        comment: 'buildkit.dockerfile.v0',
      }),
    ).toBe('RUN echo "build" >> /cache/builds && wc -l < /cache/builds > /builds-seen.txt');
    expect(stepLabel({ created_by: 'RUN uname -m > /built-on.txt', author: 'kaniko' })).toBe('RUN uname -m > /built-on.txt');
    expect(
      stepLabel({ created_by: 'ko build ko://example.com/go-hello/cmd/hello', author: 'ko', comment: 'go build output, at /ko-app/hello' }),
    ).toBe('ko: go build output, at /ko-app/hello');
    expect(stepLabel({ created_by: '/bin/sh -c #(nop) COPY file:abc in /app ' })).toBe('COPY file:abc in /app');
    expect(stepLabel({ created_by: `RUN ${'x'.repeat(300)}` })).toHaveLength(120);
  });

  it('maps history entries that made layers onto the layers, skipping empty_layer steps', () => {
    const layers = labelLayers(
      {
        layers: [
          { digest: d(1), size: 100 },
          { digest: d(2), size: 200 },
        ],
      },
      {
        history: [
          BASE,
          { created_by: 'RUN /bin/sh -c make # buildkit', comment: 'buildkit.dockerfile.v0' },
          { created_by: 'CMD ["cat"]', comment: 'buildkit.dockerfile.v0', empty_layer: true },
        ],
      },
    );
    expect(layers.map((l) => l.step)).toEqual(['hephy-builder scripts/base-images.sh', 'RUN make']);
  });

  it('gives the newest steps to the newest layers when the base image has no history', () => {
    const layers = labelLayers(
      {
        layers: [
          { digest: d(1), size: 1 },
          { digest: d(2), size: 2 },
          { digest: d(3), size: 3 },
        ],
      },
      { history: [{ created_by: 'COPY app /app', author: 'kaniko' }] },
    );
    expect(layers.map((l) => l.step)).toEqual(['(base image layer, no history)', '(base image layer, no history)', 'COPY app /app']);
  });
});

describe('layerChanges', () => {
  const before = [
    { digest: d(1), size: 800_000, step: 'base' },
    { digest: d(2), size: 5_000_000, step: 'ko: go build output, at /ko-app/api' },
    { digest: d(3), size: 10_000, step: 'ko: kodata contents, at $KO_DATA_PATH' },
  ];

  it('tells added layers from grown ones, largest growth first, and counts what went away', () => {
    const after = [
      before[0],
      { digest: d(4), size: 7_500_000, step: 'ko: go build output, at /ko-app/api' },
      { digest: d(5), size: 40_000_000, step: 'RUN apt-get install -y chromium' },
    ];
    const changes = layerChanges(before, after);
    expect(changes).toEqual([
      { kind: 'added', step: 'RUN apt-get install -y chromium', digest: d(5), size: 40_000_000, deltaBytes: 40_000_000 },
      {
        kind: 'changed',
        step: 'ko: go build output, at /ko-app/api',
        digest: d(4),
        size: 7_500_000,
        previousSize: 5_000_000,
        deltaBytes: 2_500_000,
      },
      { kind: 'removed', step: 'ko: kodata contents, at $KO_DATA_PATH', digest: d(3), size: 10_000, deltaBytes: -10_000 },
    ]);
    // The changes add up to the difference in layer bytes.
    const sum = (ls: { size: number }[]) => ls.reduce((n, l) => n + l.size, 0);
    expect(changes.reduce((n, c) => n + c.deltaBytes, 0)).toBe(sum(after) - sum(before));
  });

  it('finds nothing between two identical images', () => {
    expect(layerChanges(before, before)).toEqual([]);
  });
});
