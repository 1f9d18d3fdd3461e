/**
 * Small, pure statistics over samples. Every function ignores nothing silently: callers filter
 * nulls first, and an empty sample gives null rather than NaN.
 */

/** Median; the mean of the two middle values for an even count. Null for an empty sample. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  return values.reduce((sum, v) => sum + v, 0) / values.length;
}

export function minOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.min(...values);
}

export function maxOf(values: readonly number[]): number | null {
  return values.length === 0 ? null : Math.max(...values);
}

/** Sample standard deviation (n − 1). Null below two values. */
export function sampleStdDev(values: readonly number[]): number | null {
  if (values.length < 2) return null;
  const m = mean(values)!;
  const squares = values.reduce((sum, v) => sum + (v - m) ** 2, 0);
  return Math.sqrt(squares / (values.length - 1));
}

/**
 * Coefficient of variation: sample standard deviation / mean. Null below two values or when the
 * mean is not positive (a CoV of a zero-throughput series says nothing).
 */
export function coefficientOfVariation(values: readonly number[]): number | null {
  const m = mean(values);
  const sd = sampleStdDev(values);
  if (m === null || sd === null || m <= 0) return null;
  return sd / m;
}

/** (max − min) / median: how far apart the repeats of one cell landed. Null when the median is not positive. */
export function relativeSpread(values: readonly number[]): number | null {
  const med = median(values);
  if (med === null || med <= 0) return null;
  return (Math.max(...values) - Math.min(...values)) / med;
}

/** The values that are numbers. */
export function numbers(values: ReadonlyArray<number | null | undefined>): number[] {
  return values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
}
