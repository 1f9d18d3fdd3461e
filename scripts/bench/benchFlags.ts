import { UsageError } from './runBench.js';
import type { Family } from './toolRuns.js';

/** `--family v4|v6|both`, or the bench's own default when it is not given. */
export function familiesFlag(value: string | undefined, defaults: Family[]): Family[] {
  if (value === undefined) return defaults;
  if (value === 'v4' || value === 'v6') return [value];
  if (value === 'both') return ['v4', 'v6'];
  throw new UsageError(`--family must be v4, v6 or both, not "${value}"`);
}

/** `--only name,…`: those of the bench's paths, in the bench's order; all of them when not given. */
export function pathsFlag<P extends { name: string }>(value: string | undefined, all: readonly P[]): P[] {
  if (value === undefined) return [...all];
  const names = value.split(',');
  const unknown = names.filter((n) => !all.some((p) => p.name === n));
  if (unknown.length > 0) throw new UsageError(`--only: unknown path ${unknown.join(', ')} (known: ${all.map((p) => p.name).join(', ')})`);
  return all.filter((p) => names.includes(p.name));
}
