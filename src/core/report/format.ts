// Small formatters shared by every report.
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '-';
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  if (abs < 1000) return `${sign}${Math.round(abs)}ms`;
  const seconds = abs / 1000;
  if (seconds < 59.95) return `${sign}${seconds.toFixed(1)}s`;
  // Rounded to whole seconds first, so 4m 59.7s reads 5m 00s, not 4m 60s.
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  return `${sign}${minutes}m ${(whole % 60).toString().padStart(2, '0')}s`;
}

const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB'] as const;

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '-';
  const sign = bytes < 0 ? '-' : '';
  let value = Math.abs(bytes);
  let unit = 0;
  // GiB is the largest unit: a larger size stays in GiB.
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${sign}${unit === 0 ? value : value.toFixed(1)} ${BYTE_UNITS[unit]}`;
}

/** "+12.3s (+15%)", "-2.0s (-4%)", or "new" when there is nothing to compare with. */
export function formatDelta(current: number | undefined, base: number | undefined, unit: 'ms' | 'bytes'): string {
  if (current === undefined || base === undefined) return 'new';
  const diff = current - base;
  const abs = unit === 'ms' ? formatDuration(diff) : formatBytes(diff);
  const signed = diff > 0 ? `+${abs}` : diff === 0 ? `±0` : abs;
  if (base === 0) return signed;
  const pct = Math.round((diff / base) * 100);
  return `${signed} (${pct > 0 ? '+' : ''}${pct}%)`;
}
