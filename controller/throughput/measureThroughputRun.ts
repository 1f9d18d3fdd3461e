import type { KindRun } from '../kinds/testKind.js';
import { cellKeyId, type CellRecord, type StoredCell } from '../model/cellRecord.js';
import { cannotRunReason } from '../model/cannotRun.js';
import { DIRECTIONS } from '../model/direction.js';
import type { Pair } from '../model/pair.js';
import type { PmtuReport } from '../model/pmtuReport.js';
import { measureThroughput, planThroughput } from './measureThroughput.js';

/**
 * Throughput of every pair in scope, round by round (no host in two tests at once), each cell
 * stored the moment it exists. Cells stored by an interrupted attempt are not run again.
 */
export async function measureThroughputRun(run: KindRun): Promise<void> {
  const { plan, store, runId, clients, rounds, progress, signal } = run;
  const stored = await store.loadResults(runId);
  const pmtuByPair = new Map<string, PmtuReport>();
  for (const [id, outcome] of stored?.pmtu ?? []) if ('report' in outcome) pmtuByPair.set(id, outcome.report);
  const doneCells = new Map<string, Map<string, CellRecord>>();
  for (const cell of stored?.cells ?? []) {
    const perPair = doneCells.get(cell.pairId) ?? new Map<string, CellRecord>();
    perPair.set(cellKeyId(cell.record), cell.record);
    doneCells.set(cell.pairId, perPair);
  }
  const options = { ...plan.throughput, directions: [...DIRECTIONS] };
  for (const [index, round] of rounds.entries()) {
    if (signal.aborted) return;
    progress.phase('throughput', `round ${index + 1} of ${rounds.length}: ${round.map((pair) => `${pair.a.agent}⇄${pair.b.agent}`).join(', ')}`);
    // allSettled: a cell the store refuses (a full disk) ends the run after the round's other
    // pairs finish the cell they are in (their measureThroughput stops at its own failing save).
    const settled = await Promise.allSettled(round.map(async (pair: Pair) => {
      const pmtu = pmtuByPair.get(pair.id);
      if (!pmtu) return;
      // Left for --resume once the agent can: the report names why (cannotRunFindings).
      const cannot = cannotRunReason(pair.a.agent, run.facts.get(pair.a.agent), 'throughput') ?? cannotRunReason(pair.b.agent, run.facts.get(pair.b.agent), 'throughput');
      if (cannot !== null) {
        progress.line(`${pair.id}: throughput not measured: ${cannot}`);
        return;
      }
      // Only directions whose path answered at all: an unreachable one has nothing to measure.
      const reachable = DIRECTIONS.filter((d) => !['error', 'unreachable'].includes(pmtu[d]?.verdict ?? 'error'));
      if (reachable.length === 0) return;
      const cellPlan = planThroughput(pmtu, { from: clients.get(pair.a.agent)!, to: clients.get(pair.b.agent)! }, { ...options, directions: reachable });
      await measureThroughput(cellPlan, options, async (record, timing) => {
        const cell: StoredCell = { pairId: pair.id, record, ...timing };
        await store.saveCell(runId, cell);
        progress.cell(pair, record);
      }, doneCells.get(pair.id), signal);
    }));
    const failed = settled.find((outcome) => outcome.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
