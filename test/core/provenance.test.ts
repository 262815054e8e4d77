// The SLSA v1 provenance predicate, against the field names of https://slsa.dev/provenance/v1.
import { builderOf, effectiveConfig, HEPHY_BUILD_TYPE, legProvenance, SLSA_PROVENANCE_V1 } from '../../src/core/provenance.js';
import type { ProvenanceInput } from '../../src/core/provenance.js';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const COMMIT = 'a'.repeat(40);
const BASE = `sha256:${'b'.repeat(64)}`;
const INPUT = `sha256:${'c'.repeat(64)}`;

function input(extra: Partial<ProvenanceInput> = {}): ProvenanceInput {
  return {
    spec: {
      image: 'app',
      dir: 'app',
      configFile: 'app/build-config.yaml',
      config: { build_backend: 'kaniko', build_args: ['BASE_IMAGE=${BASE_IMAGE}'], secrets: ['NPM_TOKEN'] } as never,
      backend: 'kaniko',
      source: { kind: 'local', dir: 'app' },
    },
    leg: {
      id: 'app--linux-amd64',
      platform: 'linux/amd64',
      backend: 'kaniko',
      runner: 'ubuntu-24.04',
      emulated: false,
      inputDigest: INPUT,
    },
    record: { sourceCommit: COMMIT, startedAt: '2026-11-30T20:00:00.000Z', finishedAt: '2026-11-30T20:01:00.000Z' },
    inputDigest: { legId: 'app--linux-amd64', digest: INPUT, baseImages: { 'reg.example/hephy/busybox:1': BASE } },
    builder: builderOf({ onRunner: false }, '0.1.0'),
    tools: { kaniko: 'v1.25.5', cosign: 'v3.1.3' },
    ...extra,
  };
}

describe('core/provenance', () => {
  it('names the predicate type cosign --type slsaprovenance1 stands for', () => {
    expect(SLSA_PROVENANCE_V1).toBe('https://slsa.dev/provenance/v1');
  });

  it('fills buildDefinition and runDetails with the spec field names', () => {
    const p = legProvenance(input());
    expect(Object.keys(p)).toEqual(['buildDefinition', 'runDetails']);
    expect(Object.keys(p.buildDefinition)).toEqual(['buildType', 'externalParameters', 'internalParameters', 'resolvedDependencies']);
    expect(Object.keys(p.runDetails)).toEqual(['builder', 'metadata']);
    expect(p.buildDefinition.buildType).toBe(HEPHY_BUILD_TYPE);
    expect(p.buildDefinition.externalParameters).toMatchObject({
      image: 'app',
      platform: 'linux/amd64',
      backend: 'kaniko',
      configFile: 'app/build-config.yaml',
      source: { dir: 'app' },
    });
    expect(p.buildDefinition.internalParameters).toMatchObject({
      inputDigest: INPUT,
      tools: { kaniko: 'v1.25.5', cosign: 'v3.1.3' },
      emulated: false,
    });
    expect(p.buildDefinition.resolvedDependencies).toEqual([
      { uri: 'git+file:.', name: 'source', digest: { gitCommit: COMMIT } },
      { uri: 'oci://reg.example/hephy/busybox:1', name: 'reg.example/hephy/busybox:1', digest: { sha256: 'b'.repeat(64) } },
    ]);
    expect(p.runDetails).toEqual({
      builder: { id: 'hephy-builder 0.1.0', version: { 'hephy-builder': '0.1.0' } },
      metadata: { startedOn: '2026-11-30T20:00:00.000Z', finishedOn: '2026-11-30T20:01:00.000Z' },
    });
  });

  it('on a runner: the reusable workflow at its ref is the builder, the run the invocation, the repository the source', () => {
    const builder = builderOf({ onRunner: true, serverUrl: 'https://github.com' }, '0.1.0', 'v1.2.3');
    expect(builder.id).toBe('https://github.com/hephy/builder/.github/workflows/build.yml@v1.2.3');
    const p = legProvenance(
      input({
        builder,
        repository: { uri: 'https://github.com/o/r', ref: 'refs/heads/main' },
        invocationId: 'https://github.com/o/r/actions/runs/1/attempts/1',
      }),
    );
    expect(p.buildDefinition.resolvedDependencies[0]).toEqual({
      uri: 'git+https://github.com/o/r@refs/heads/main',
      name: 'source',
      digest: { gitCommit: COMMIT },
    });
    expect(p.runDetails.metadata.invocationId).toBe('https://github.com/o/r/actions/runs/1/attempts/1');
  });

  it('an upstream image names its repository and ref', () => {
    const p = legProvenance(
      input({ spec: { ...input().spec, source: { kind: 'upstream', repo: 'https://example.com/x.git', ref: 'v1', commit: COMMIT } } }),
    );
    expect(p.buildDefinition.resolvedDependencies[0].uri).toBe('git+https://example.com/x.git@v1');
    expect(p.buildDefinition.externalParameters.source).toEqual({ repo: 'https://example.com/x.git', ref: 'v1' });
  });

  it('carries the config as planned: secret names, unexpanded ${VAR}, a copy', () => {
    const config = { build_backend: 'buildkit', secrets: ['NPM_TOKEN'], build_args: ['A=${A}'] } as never;
    const copy = effectiveConfig(config);
    expect(copy).toEqual(config);
    expect(copy).not.toBe(config);
  });
});

describe('the buildType page (docs/provenance.md)', () => {
  // The buildType names a file of this repository at the v1 tag and a section of it.
  const url = new URL(HEPHY_BUILD_TYPE);
  const [, , , file] = /^\/([^/]+)\/([^/]+)\/blob\/v1\/(.+)$/.exec(url.pathname) ?? [];
  const text = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '..', '..', file ?? 'missing'), 'utf8');

  /** The anchor GitHub gives a Markdown heading: lower case, punctuation but - dropped, spaces as -. */
  const slug = (heading: string) =>
    heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s-]/gu, '')
      .replace(/\s/g, '-');

  it('is a file of the repository with a heading whose anchor is the fragment', () => {
    expect(file).toBe('docs/provenance.md');
    const anchors = [...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1]));
    expect(anchors).toContain(url.hash.slice(1));
  });

  it('documents every parameter the predicate carries', () => {
    const p = legProvenance(input({ invocationId: 'https://github.com/o/r/actions/runs/1/attempts/1' }));
    const keys = [...Object.keys(p.buildDefinition.externalParameters), ...Object.keys(p.buildDefinition.internalParameters)];
    expect(keys.length).toBeGreaterThan(8);
    for (const key of keys) expect([key, text.includes(`| \`${key}\``)]).toEqual([key, true]);
    for (const key of Object.keys(p.runDetails.metadata)) expect([key, text.includes(key)]).toEqual([key, true]);
  });
});
