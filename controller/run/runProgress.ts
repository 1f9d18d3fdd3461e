import type { PmtuReport } from '../report/pmtuReport.js';
import type { CellRecord } from '../throughput/measureThroughput.js';
import { formatBitsPerSecond } from '../aggregate/throughputFormat.js';
import type { Pair } from './runModel.js';

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
  const where = `${record.direction === 'forward' ? `${pair.a.agent}→${pair.b.agent}` : `${pair.b.agent}→${pair.a.agent}`} ${record.row} P${record.streams} #${record.repeat}`;
  if ('skipped' in record) return `${where}: skipped (row stalled)`;
  if ('error' in record) return `${where}: error: ${record.error.message}`;
  const failure = record.result.processes.find((p) => p.failure)?.failure;
  if (failure) return `${where}: ${failure.class}`;
  return `${where}: ${formatBitsPerSecond(record.result.processes.reduce((sum, p) => sum + (p.bitsPerSecondReceived ?? 0), 0))}`;
}

/**
 * Plain lines for logs, CI and cron; on a terminal the same lines scroll above one status line
 * (phase, elapsed time, counts) that is redrawn in place.
 */
export function createRunProgress(stream: NodeJS.WriteStream, options: { tty: boolean; quiet?: boolean }): RunProgress {
  const startedAt = Date.now();
  let status = '';
  let pmtuDone = 0;
  let cellsDone = 0;
  let estimatedMs: number | null = null;
  const clearStatus = () => { if (options.tty && status) stream.write('\r\x1b[2K'); };
  const drawStatus = () => {
    if (!options.tty) return;
    const elapsedMs = Date.now() - startedAt;
    const eta = estimatedMs === null ? '' : ` · ETA ~${Math.max(0, Math.round((estimatedMs - elapsedMs) / 1000))} s`;
    stream.write(`\r\x1b[2K${status} · ${Math.round(elapsedMs / 1000)} s${eta} · ${pmtuDone} pairs, ${cellsDone} cells measured`);
  };
  const write = (text: string) => {
    if (options.quiet) return;
    clearStatus();
    stream.write(`${text}\n`);
    drawStatus();
  };
  return {
    phase(name, text) {
      status = `[${name}] ${text}`;
      write(`[${name}] ${text}`);
    },
    line: write,
    pmtu(pair, report) { pmtuDone += 1; write(pmtuText(pair, report)); },
    cell(pair, record) { cellsDone += 1; write(cellText(pair, record)); },
    estimate(durationMs) { estimatedMs = durationMs; },
    done() { clearStatus(); status = ''; },
  };
}
