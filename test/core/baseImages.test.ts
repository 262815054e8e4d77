import { dockerfileBaseImages } from '../../src/core/baseImages.js';

describe('dockerfileBaseImages', () => {
  it('lists each FROM image once, leaving out scratch and earlier stages (any case)', () => {
    const text =
      'FROM golang:1.22 AS Build\nRUN x\nFROM build AS test\nFROM scratch\nFROM golang:1.22\nFROM reg.example/base@sha256:' +
      'a'.repeat(64) +
      '\n';
    expect(dockerfileBaseImages(text, [], 'linux/amd64')).toEqual({
      refs: ['golang:1.22', `reg.example/base@sha256:${'a'.repeat(64)}`],
      unresolved: [],
    });
  });

  it('expands global ARGs: defaults, overridden by build args, and the platform ARGs', () => {
    const text = 'ARG BASE=busybox:1\nARG TAG\nFROM ${BASE}\nFROM $BASE-${TARGETARCH}\nFROM reg/x:${TAG:-dev}\n';
    expect(dockerfileBaseImages(text, [], 'linux/arm64').refs).toEqual(['busybox:1', 'busybox:1-arm64', 'reg/x:dev']);
    expect(dockerfileBaseImages(text, ['BASE=reg/b:2', 'TAG=9'], 'linux/amd64').refs).toEqual(['reg/b:2', 'reg/b:2-amd64', 'reg/x:9']);
  });

  it('reports a FROM whose variable has no value', () => {
    expect(dockerfileBaseImages('ARG BASE\nFROM ${BASE}\n', [], 'linux/amd64')).toEqual({ refs: [], unresolved: ['${BASE}'] });
  });

  it('does not expand an ARG declared after the first FROM (not in scope for FROM)', () => {
    expect(dockerfileBaseImages('FROM a\nARG B=x\nFROM ${B}\n', [], 'linux/amd64').unresolved).toEqual(['${B}']);
  });
});
