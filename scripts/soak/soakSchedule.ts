import type { SoakSample } from './growth.js';

/** What soak.ts hands the driver it starts in the controller namespace (one JSON argument). */
export interface SoakDriverConfig {
  urls: { h1: string; h2: string };
  tokenFile: string;
  addresses: Record<'h1' | 'h2', { v4: string; v6: string }>;
  agentPids: { h1: number; h2: number };
  sweeps: number;
  cells: number;
  flows: number;
  targetSamples: number;
}

/** What the driver prints on stdout when it is done. */
export interface SoakDriverResult {
  sweepsDone: number;
  cellsDone: number;
  /** One line per sweep direction or cell that did not give the expected answer. */
  failures: string[];
  samples: SoakSample[];
  durationMs: number;
}

export type SoakOperation = { kind: 'sweep' | 'cell'; index: number };

/**
 * Operation `op` (0-based) of a soak of `sweeps` sweeps and `cells` cells, cells spread evenly
 * among the sweeps: a leak in either kind of work then shows from the first window to the last,
 * instead of only in the half of the run where that kind ran.
 */
export function operationAt(op: number, sweeps: number, cells: number): SoakOperation {
  const total = sweeps + cells;
  const cellsBefore = Math.floor((op * cells) / total);
  const cellsThrough = Math.floor(((op + 1) * cells) / total);
  return cellsThrough > cellsBefore ? { kind: 'cell', index: cellsBefore } : { kind: 'sweep', index: op - cellsBefore };
}

/** Operations between samples so that a run gives about `targetSamples` of them (at least one per operation). */
export function sampleEvery(totalOps: number, targetSamples: number): number {
  return Math.max(1, Math.ceil(totalOps / Math.max(1, targetSamples)));
}
