import { cellRecordText } from '../throughput/cellRecordText.js';
import { gridCell, pmtuGrid, type GridCell } from '../pmtu/pmtuGrid.js';
import type { CellRecord } from '../model/cellRecord.js';
import type { Pair } from '../model/pair.js';
import type { PmtuReport } from '../model/pmtuReport.js';

/** What a run tells its operator while it goes. */
export interface RunProgress {
  phase(name: 'facts' | 'pmtu' | 'throughput', text: string): void;
  line(text: string): void;
  pmtu(pair: Pair, report: PmtuReport): void;
  cell(pair: Pair, record: CellRecord): void;
  /** The run's estimated length: the status line counts it down. */
  estimate(durationMs: number): void;
  done(): void;
}

function pmtuText(pair: Pair, report: PmtuReport): string {
  const side = (d: PmtuReport['forward'] | null) => (!d ? '-' : d.verdict === 'error' ? 'error' : `${d.pathMtu ?? '-'} ${d.verdict}`);
  return `pmtu ${pair.a.agent} ${pair.a.address} ⇄ ${pair.b.agent} ${pair.b.address}: → ${side(report.forward)}, ← ${side(report.reverse)}`;
}

function cellText(pair: Pair, record: CellRecord): string {
  const route = record.direction === 'forward' ? `${pair.a.agent}→${pair.b.agent}` : `${pair.b.agent}→${pair.a.agent}`;
  return `${route} ${cellRecordText(record)}`;
}

/**
 * Plain lines for logs, CI and cron. On a terminal the same lines scroll above a live region that
 * is redrawn in place: the path-MTU matrix filling in, and a status line (phase, elapsed, ETA).
 */
export function createRunProgress(stream: NodeJS.WriteStream, options: { tty: boolean; agents: readonly string[] }): RunProgress {
  const startedAt = Date.now();
  let status = '';
  let cellsDone = 0;
  let estimatedMs: number | null = null;
  let regionLines = 0;
  // Per pair only what the grid shows (a re-measured pair replaces its cell), and only on a
  // terminal, where the grid is drawn: a run of 20,000 pairs must not hold every report to its end.
  const measured = new Map<string, GridCell>();

  const region = (): string[] => {
    const elapsedMs = Date.now() - startedAt;
    const eta = estimatedMs === null ? '' : ` · ETA ~${Math.max(0, Math.round((estimatedMs - elapsedMs) / 1000))} s`;
    return [
      ...(measured.size ? pmtuGrid(options.agents, measured.values()) : []),
      `${status} · ${Math.round(elapsedMs / 1000)} s${eta} · ${measured.size} pairs, ${cellsDone} cells measured`,
    ];
  };
  const clearRegion = () => {
    if (regionLines > 0) stream.write(`\x1b[${regionLines}A\r\x1b[J`);
    regionLines = 0;
  };
  const drawRegion = () => {
    const lines = region();
    stream.write(`${lines.join('\n')}\n`);
    regionLines = lines.length;
  };
  const write = (text: string) => {
    if (!options.tty) {
      stream.write(`${text}\n`);
      return;
    }
    clearRegion();
    stream.write(`${text}\n`);
    drawRegion();
  };
  return {
    phase(name, text) {
      status = `[${name}] ${text}`;
      write(`[${name}] ${text}`);
    },
    line: write,
    pmtu(pair, report) {
      if (options.tty) measured.set(pair.id, gridCell(pair, report));
      write(pmtuText(pair, report));
    },
    cell(pair, record) {
      cellsDone += 1;
      write(cellText(pair, record));
    },
    estimate(durationMs) { estimatedMs = durationMs; },
    done() {
      if (!options.tty) return;
      clearRegion();
      if (measured.size) stream.write(`${pmtuGrid(options.agents, measured.values()).join('\n')}\n`);
    },
  };
}
