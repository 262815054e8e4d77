import { parse } from 'yaml';
import { BACKENDS, buildConfigSchema } from '../../src/core/config/schema.js';
import { UserError } from '../../src/core/problem.js';
import { renderStarterConfig } from '../../src/generator/index.js';

describe('renderStarterConfig', () => {
  it.each(BACKENDS)('%s: a valid build-config.yaml naming its backend', (backend) => {
    const text = renderStarterConfig(backend, 'detected for the test');
    const result = buildConfigSchema.safeParse(parse(text));
    expect(result.error?.issues ?? []).toEqual([]);
    expect(result.data?.build_backend).toBe(backend);
    expect(text).toContain('# Written by `hephy-builder init`: detected for the test.');
  });

  it('builds both native platforms for container backends and one wasm platform for spin', () => {
    expect(parse(renderStarterConfig('ko', 'x')).platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(parse(renderStarterConfig('kaniko', 'x')).dockerfile_path).toBe('Dockerfile');
    expect(parse(renderStarterConfig('spin', 'x')).platforms).toEqual(['wasi/wasm32']);
  });

  it('keeps a multi-line reason inside its comment', () => {
    const text = renderStarterConfig('buildkit', 'Dockerfile uses\nRUN --mount: buildkit');
    expect(text).toContain('# Written by `hephy-builder init`: Dockerfile uses RUN --mount: buildkit.');
    expect(parse(text).build_backend).toBe('buildkit');
  });

  it('uses no public registry host in its examples', () => {
    for (const backend of BACKENDS) {
      const hosts = renderStarterConfig(backend, 'x').match(/[a-z0-9-]+(\.[a-z0-9-]+)+\/[a-z]/g) ?? [];
      for (const host of hosts) expect(host).toMatch(/^registry\.example\.com\//);
    }
  });

  it('rejects an unknown backend', () => {
    expect(() => renderStarterConfig('docker' as never, 'x')).toThrow(UserError);
  });
});
