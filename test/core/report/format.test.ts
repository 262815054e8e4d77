import { formatBytes } from '../../../src/core/report/format.js';

describe('formatBytes', () => {
  it('picks the largest unit under 1024, up to GiB', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1024)).toBe('1.0 KiB');
    expect(formatBytes(1.5 * 1024 * 1024)).toBe('1.5 MiB');
    expect(formatBytes(5 * 1024 ** 4)).toBe('5120.0 GiB');
  });

  it('keeps the sign and says - for no size', () => {
    expect(formatBytes(-2048)).toBe('-2.0 KiB');
    expect(formatBytes(undefined)).toBe('-');
    expect(formatBytes(Number.NaN)).toBe('-');
  });
});
