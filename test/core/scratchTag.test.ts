import { scratchTag } from '../../src/core/scratchTag.js';

describe('scratchTag', () => {
  it('prefixes the leg id', () => {
    expect(scratchTag('app--linux-arm64')).toBe('hephy-leg-app--linux-arm64');
    expect(scratchTag('spin-hello--wasi-wasm32')).toBe('hephy-leg-spin-hello--wasi-wasm32');
  });

  it('keeps within the 128 characters and the alphabet of a tag', () => {
    expect(scratchTag(`${'x'.repeat(200)}--linux-amd64`)).toHaveLength(128);
    expect(scratchTag('a/b c')).toBe('hephy-leg-a-b-c');
  });
});
