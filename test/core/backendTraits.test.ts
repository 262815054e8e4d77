// The table of backend traits agrees with the code it describes: the config schema, the install
// script, the platforms. A row that names something that does not exist fails here, not in a leg.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  BACKEND_OPTIONS,
  BACKENDS,
  backendsWhere,
  configSections,
  defaultPlatforms,
  readBackendOptions,
  traitsOf,
} from '../../src/core/backendTraits.js';
import { buildConfigSchema, NESTED_KEYS, PLATFORM_SECTIONS } from '../../src/core/config/schema.js';
import { isWasm, parsePlatform } from '../../src/core/platform.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('the table of backend traits', () => {
  it('names the backends in the order of the schema and its messages', () => {
    expect(BACKENDS).toEqual(['kaniko', 'ko', 'buildkit', 'spin']);
    expect(buildConfigSchema.shape.build_backend.unwrap().options).toEqual(BACKENDS);
  });

  it.each(BACKENDS)('%s: default platforms of its kind (wasm or an image for its OS)', (backend) => {
    const traits = traitsOf(backend);
    const platforms = defaultPlatforms(backend);
    expect(platforms.length).toBeGreaterThan(0);
    for (const platform of platforms) {
      expect([platform, isWasm(platform)]).toEqual([platform, traits.artifact === 'wasm']);
      if (traits.os) expect(parsePlatform(platform)).toMatchObject({ os: traits.os });
    }
    platforms.push('changed/copy');
    expect(defaultPlatforms(backend)).not.toContain('changed/copy');
  });

  it('names config sections that exist in the schema, each owned by one backend', () => {
    const sections = configSections();
    expect(sections).toEqual([
      { section: 'ko_config', backend: 'ko' },
      { section: 'spin_config', backend: 'spin' },
    ]);
    for (const { section } of sections) expect([section, Object.keys(NESTED_KEYS)]).toEqual([section, expect.arrayContaining([section])]);
    expect(new Set(sections.map((s) => s.section)).size).toBe(sections.length);
    // Both sections may hold platforms, as the seed's examples do.
    expect(PLATFORM_SECTIONS.map((s) => s.section)).toEqual(['ko_config', 'spin_config']);
  });

  it('lists as local tools only steps that scripts/install-tools.sh has', () => {
    const steps = execFileSync('bash', [`${REPO_ROOT}/scripts/install-tools.sh`, '--list'], { encoding: 'utf8' })
      .trim()
      .split(/\s+/);
    for (const backend of BACKENDS) {
      for (const tool of traitsOf(backend).localTools) expect([backend, tool, steps.includes(tool)]).toEqual([backend, tool, true]);
    }
  });

  it('has a Dockerfile backend that builds BuildKit-only syntax, for the hints that name it', () => {
    expect(backendsWhere((t) => t.input === 'dockerfile' && t.buildkitSyntax === true)).toEqual(['buildkit']);
    expect(backendsWhere((t) => t.artifact === 'wasm')).toEqual(['spin']);
  });
});

describe('backend options', () => {
  it('are declared once each, with a flag name, help and a description', () => {
    expect(BACKEND_OPTIONS.map((o) => [o.backend, o.key, o.name])).toEqual([
      ['kaniko', 'kanikoImage', 'kaniko-image'],
      ['ko', 'baseImage', 'base-image'],
    ]);
    expect(new Set(BACKEND_OPTIONS.map((o) => o.name)).size).toBe(BACKEND_OPTIONS.length);
    for (const option of BACKEND_OPTIONS) {
      expect(option.name).toMatch(/^[a-z][a-z0-9-]*$/);
      expect(option.help).not.toBe('');
      expect(option.description).toMatch(/\.$/);
    }
  });

  it('are read by name; blank values are unset, values trimmed', () => {
    const given: Record<string, string> = { 'kaniko-image': ' registry.example.com/k@sha256:1 ', 'base-image': '  ', other: 'x' };
    expect(readBackendOptions((name) => given[name])).toEqual({ kanikoImage: 'registry.example.com/k@sha256:1' });
    expect(readBackendOptions(() => undefined)).toEqual({});
  });
});
