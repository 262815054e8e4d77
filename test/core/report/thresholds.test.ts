import { UserError } from '../../../src/core/problem.js';
import { DEFAULT_THRESHOLDS, parseDuration, parsePercent, parseSize, thresholdsFrom } from '../../../src/core/report/thresholds.js';

describe('thresholds', () => {
  it('reads durations, sizes and percentages as people write them', () => {
    expect(parseDuration('30s', 'x')).toBe(30_000);
    expect(parseDuration('1m30s', 'x')).toBe(90_000);
    expect(parseDuration('1.5m', 'x')).toBe(90_000);
    expect(parseDuration('500ms', 'x')).toBe(500);
    expect(parseDuration('45', 'x')).toBe(45_000);
    expect(parseSize('128KiB', 'x')).toBe(131_072);
    expect(parseSize('1MiB', 'x')).toBe(1_048_576);
    expect(parseSize('500kB', 'x')).toBe(500_000);
    expect(parseSize('2048', 'x')).toBe(2048);
    expect(parsePercent('50%', 'x')).toBe(0.5);
    expect(parsePercent('12.5', 'x')).toBe(0.125);
  });

  it('keeps the defaults for empty values and names the option of a bad one', () => {
    expect(thresholdsFrom({ timeFloor: '', timeThreshold: undefined, sizeThreshold: ' ' })).toEqual(DEFAULT_THRESHOLDS);
    expect(thresholdsFrom({ timeFloor: '2m', timeThreshold: '25%', sizeThreshold: '1MiB' })).toEqual({
      timeFloorMs: 120_000,
      timeRatio: 0.25,
      sizeBytes: 1_048_576,
    });
    expect(() => thresholdsFrom({ timeFloor: '30 seconds' })).toThrow(UserError);
    expect(() => thresholdsFrom({ timeFloor: '30 seconds' })).toThrow(
      'time-floor: expected a duration such as 30s, 1m30s or 500ms, got `30 seconds`',
    );
    expect(() => thresholdsFrom({ sizeThreshold: '1 parsec' })).toThrow('size-threshold: expected a size');
    expect(() => thresholdsFrom({ timeThreshold: 'half' })).toThrow('time-threshold: expected a percentage');
  });
});
