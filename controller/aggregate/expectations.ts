import { median, numbers } from '../model/sampleStats.js';
import { pairDirections } from '../model/pairDirections.js';
import type { PlanExpectations } from '../model/plan.js';
import type { ExpectationResult, PairResult } from '../model/runReport.js';
import type { ThroughputCell } from '../model/throughputMatrix.js';
import type { Direction } from '../model/direction.js';
import { pairEnds, type Pair } from '../model/pair.js';

/** 1 GB = 10^9 bytes, as link speeds count. */
export const BYTES_PER_GB = 1e9;

/**
 * An expectation's outcome. `notEvaluated` counts items that could not be judged (no link speed,
 * no bytes reported, nothing measured): they are neither passes nor failures, and `pass` is true
 * only when every item was judged and passed. `notes` says why items were not judged.
 */
export interface ExpectationCheck extends ExpectationResult {
  notEvaluated: number;
  notes: string[];
}

function endText(pair: Pair, direction: Direction): string {
  const { sender, receiver } = pairEnds(pair, direction);
  return `${sender.agent} (${sender.address}) → ${receiver.agent} (${receiver.address})`;
}

function result(name: string, expected: string, passed: number, failed: number, failures: string[], notEvaluated: number, notes: string[]): ExpectationCheck {
  if (passed + failed + notEvaluated === 0) notes.push('nothing was measured that this expectation applies to');
  return { name, expected, passed, failed, pass: failed === 0 && notEvaluated === 0 && passed > 0, failures, notEvaluated, notes };
}

/**
 * Retransmits per GB sent, for one cell: the median over its ok repeats of
 * `retransmits / (bytesSent / 10^9)`, both summed over the repeat's iperf3 processes (sender side).
 * Null when no ok repeat reported both, or none sent a byte.
 */
export function retransmitsPerGB(cell: ThroughputCell): number | null {
  return median(numbers(cell.runs
    .filter((r) => r.summary.ok)
    .map((r) => (r.summary.retransmits === null || r.summary.bytesSent === null || r.summary.bytesSent <= 0
      ? null
      : r.summary.retransmits / (r.summary.bytesSent / BYTES_PER_GB)))));
}

/**
 * Check the plan's expectations against the results. Only expectations the plan sets are checked,
 * in the order pathMtu, minLinkEfficiency, maxRetransmitsPerGB:
 * - pathMtu: every path MTU direction measured (or attempted) must have exactly that path MTU;
 *   unreachable and error directions fail; directions never attempted are not counted.
 * - minLinkEfficiency: per throughput direction, the best cell's linkEfficiency (median rate / link
 *   speed, any row or stream count) must reach it. A direction whose link speed is unknown is not
 *   evaluated; one with no measured cell fails.
 * - maxRetransmitsPerGB: per measured throughput cell, `retransmitsPerGB` (above) must not exceed it;
 *   a cell without retransmit or byte counts is not evaluated.
 * Pure.
 */
export function checkExpectations(expect: PlanExpectations, results: readonly PairResult[]): ExpectationCheck[] {
  const checks: ExpectationCheck[] = [];

  if (expect.pathMtu !== undefined) {
    const want = expect.pathMtu;
    let passed = 0;
    const failures: string[] = [];
    for (const r of results) {
      for (const d of pairDirections(r)) {
        const where = endText(r.pair, d.direction);
        if (d.verdict === 'error') failures.push(`${where}: not measured${d.error ? ` (${d.error.code}: ${d.error.message})` : ''}`);
        else if (d.verdict === 'unreachable') failures.push(`${where}: unreachable`);
        else if (d.pathMtu === want) passed++;
        else failures.push(`${where}: path MTU ${d.pathMtu ?? 'unknown'} (${d.verdict}), expected ${want}`);
      }
    }
    checks.push(result('pathMtu', `${want}`, passed, failures.length, failures, 0, []));
  }

  if (expect.minLinkEfficiency !== undefined) {
    const want = expect.minLinkEfficiency;
    let passed = 0;
    let notEvaluated = 0;
    const failures: string[] = [];
    const notes: string[] = [];
    for (const r of results) {
      const m = r.throughput;
      if (!m) continue;
      for (const dir of m.directions) {
        const where = endText(r.pair, dir.direction);
        const cells = dir.rows.flatMap((row) => row.cells);
        if (m.linkSpeedMbps === null) {
          notEvaluated++;
          notes.push(`${where}: link speed unknown, efficiency not evaluated`);
          continue;
        }
        const effs = numbers(cells.map((c) => c.linkEfficiency));
        if (effs.length === 0) {
          failures.push(`${where}: no throughput cell measured`);
          continue;
        }
        const best = Math.max(...effs);
        if (best >= want) passed++;
        else failures.push(`${where}: best cell reached ${(best * 100).toFixed(1)} % of ${m.linkSpeedMbps} Mbit/s, expected at least ${(want * 100).toFixed(1)} %`);
      }
    }
    checks.push(result('minLinkEfficiency', `≥ ${want}`, passed, failures.length, failures, notEvaluated, notes));
  }

  if (expect.maxRetransmitsPerGB !== undefined) {
    const want = expect.maxRetransmitsPerGB;
    let passed = 0;
    let notEvaluated = 0;
    const failures: string[] = [];
    const notes: string[] = [];
    for (const r of results) {
      for (const dir of r.throughput?.directions ?? []) {
        const where = endText(r.pair, dir.direction);
        for (const row of dir.rows) {
          for (const cell of row.cells) {
            if (cell.status !== 'measured') continue;
            const perGB = retransmitsPerGB(cell);
            const name = `${where} ${row.row.label} P${cell.streams}`;
            if (perGB === null) {
              notEvaluated++;
              notes.push(`${name}: no retransmit or byte counts reported`);
            } else if (perGB <= want) passed++;
            else failures.push(`${name}: ${perGB < 10 ? perGB.toFixed(2) : Math.round(perGB)} retransmits/GB, expected at most ${want}`);
          }
        }
      }
    }
    checks.push(result('maxRetransmitsPerGB', `≤ ${want} retransmits/GB`, passed, failures.length, failures, notEvaluated, notes));
  }
  return checks;
}
