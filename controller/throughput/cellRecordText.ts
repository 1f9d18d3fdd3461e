import { formatBitsPerSecond } from '../render/throughputFormat.js';
import type { CellRecord } from '../model/cellRecord.js';

/** One progress line for one measured (or skipped, or failed) cell: "1500 P4 #2: 1.91 Gbit/s". Pure. */
export function cellRecordText(record: CellRecord): string {
  const cell = `${record.row} P${record.streams} #${record.repeat}`;
  if ('skipped' in record) return `${cell}: skipped (the row already stalled)`;
  if ('error' in record) return `${cell}: error: ${record.error.message}`;
  const failure = record.result.processes.find((p) => p.failure)?.failure;
  if (failure) return `${cell}: ${failure.class}: ${failure.message}`;
  return `${cell}: ${formatBitsPerSecond(record.result.processes.reduce((sum, p) => sum + (p.bitsPerSecondReceived ?? 0), 0))}`;
}
