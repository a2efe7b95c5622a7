/** Small statistics for benchmark figures: medians, percentiles and log-log growth exponents. */

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Nearest-rank percentile (p in 0..100) of raw samples. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/**
 * Growth exponent k of y ≈ c·x^k: the least-squares slope of log y against log x.
 * 1 means linear; 2 quadratic. Points with y ≤ 0 are left out (no logarithm).
 */
export function growthExponent(points: readonly (readonly [number, number])[]): number {
  const usable = points.filter(([x, y]) => x > 0 && y > 0).map(([x, y]) => [Math.log(x), Math.log(y)] as const);
  if (usable.length < 2) return Number.NaN;
  const mx = usable.reduce((s, [x]) => s + x, 0) / usable.length;
  const my = usable.reduce((s, [, y]) => s + y, 0) / usable.length;
  const sxy = usable.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = usable.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxy / sxx;
}

export const ms = (value: number): string => (Number.isFinite(value) ? (value >= 100 ? `${value.toFixed(0)} ms` : `${value.toFixed(value >= 10 ? 1 : 2)} ms`) : 'n/a');
export const seconds = (valueMs: number): string => (Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(2)} s` : 'n/a');
export const ratio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : 'n/a');
export const count = (value: number): string => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : 'n/a');
export const mib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MiB` : 'n/a');
export const kib = (bytes: number): string => (Number.isFinite(bytes) ? `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KiB` : 'n/a');
export const micros = (valueMs: number): string => (Number.isFinite(valueMs) ? `${(valueMs * 1000).toFixed(0)} µs` : 'n/a');
