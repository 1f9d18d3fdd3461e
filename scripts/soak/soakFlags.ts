import { MAX_SWEEP_FLOWS } from '../../proto/pmtuSweep.js';
import { UsageError } from '../bench/runBench.js';

export const SOAK_USAGE = 'usage: soak.js [--quick] [--sweeps N] [--cells N] [--flows N] [--json]';

export interface SoakOptions {
  sweeps: number;
  cells: number;
  /** Flows per direction of each sweep: few, so thousands of sweeps fit in minutes. */
  flows: number;
  json: boolean;
}

/** Default: a few thousand sweeps and a couple of hundred 1 s cells (about half an hour on 2 cores). */
export const DEFAULT_SOAK = { sweeps: 2000, cells: 200 } as const;
/** --quick: a tenth, for a look in a few minutes. */
export const QUICK_SOAK = { sweeps: 200, cells: 20 } as const;
export const DEFAULT_FLOWS = 1;
/** Fewer operations than this give too few samples to tell growth from noise. */
export const MIN_OPERATIONS = 20;

function count(flag: string, text: string | undefined, fallback: number, { min, max }: { min: number; max: number }): number {
  if (text === undefined) return fallback;
  const value = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < min || value > max) throw new UsageError(`--${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return value;
}

/** The soak's flags, as runBench hands them over; throws UsageError (exit 2) for a bad value. */
export function soakOptions({ quick, values, booleans }: { quick: boolean; values: Record<string, string | undefined>; booleans: Record<string, boolean> }): SoakOptions {
  const base = quick ? QUICK_SOAK : DEFAULT_SOAK;
  const sweeps = count('sweeps', values.sweeps, base.sweeps, { min: 0, max: 1_000_000 });
  const cells = count('cells', values.cells, base.cells, { min: 0, max: 100_000 });
  const flows = count('flows', values.flows, DEFAULT_FLOWS, { min: 1, max: MAX_SWEEP_FLOWS });
  if (sweeps + cells < MIN_OPERATIONS) throw new UsageError(`--sweeps plus --cells must be at least ${MIN_OPERATIONS} (enough samples to judge growth), not ${sweeps + cells}`);
  return { sweeps, cells, flows, json: booleans.json === true };
}
