import type { CellRecord } from '../../controller/model/cellRecord.js';
import type { RunReport } from '../../controller/model/runReport.js';
import { RunStore } from '../../controller/store/RunStore.js';
import { rackRun } from '../fixtures/runs/rackRun.js';

/**
 * Stores a run of the fixture as `pathprobe run` would have, into `db` (an SQLite path or a
 * postgres:// URL); `retune` rewrites the h3~h4 cells.
 */
export async function storeRun(db: string, startedAtMs: number, options: { retune?: (r: CellRecord) => CellRecord; status?: 'done' | 'interrupted' } = {}): Promise<string> {
  const report: RunReport = rackRun();
  const store = await RunStore.open(db);
  try {
    const runId = await store.createRun({ plan: report.plan, planPath: 'racks/rack12.yaml', startedAtMs });
    for (const [agent, facts] of Object.entries(report.facts)) await store.saveFacts(runId, agent, facts, startedAtMs);
    for (const p of report.pairs) {
      await store.savePmtu(runId, p.pair.id, { report: p.pmtu! }, startedAtMs + 1000);
      const h3h4 = p.pair.a.agent === 'h3' && p.pair.b.agent === 'h4';
      for (const cell of p.cells) {
        const record = h3h4 && options.retune ? options.retune(cell.record) : cell.record;
        await store.saveCell(runId, { ...cell, record, startedAtMs: startedAtMs + (cell.startedAtMs - Date.parse(report.startedAt)) });
      }
    }
    await store.finishRun(runId, { status: options.status ?? 'done', exitCode: 1, finishedAtMs: startedAtMs + 3_600_000 });
    return runId;
  } finally {
    await store.close();
  }
}


/** The rack fixture's forward cells at 60 % of their goodput: a throughput regression to find. */
export const throttled = (record: CellRecord): CellRecord => {
  if (!('result' in record) || record.direction !== 'forward') return record;
  return {
    ...record,
    result: {
      ...record.result,
      processes: record.result.processes.map((p) => ({
        ...p, bitsPerSecondReceived: p.bitsPerSecondReceived === null ? null : p.bitsPerSecondReceived * 0.6,
      })),
    },
  };
};
