import type { RecordedErrorCode } from '../../proto/errorCodes.js';
import type { IperfRunResult } from '../../proto/throughput.js';
import type { Direction } from './direction.js';
import type { ThroughputRowKind } from './throughputMatrix.js';

/** Which repeat of which cell: a direction, a frame-size row, a stream count. */
export interface CellKey {
  direction: Direction;
  row: ThroughputRowKind;
  streams: number;
  repeat: number;
}

export type CellRecord = CellKey & (
  | { result: IperfRunResult; receiverIperfVersion: string }
  | { error: { code: RecordedErrorCode; message: string } }
  | { skipped: 'stalled-row' }
);

/** A stable text key of a cell: what storage and --resume match on. */
export function cellKeyId(key: CellKey): string {
  return `${key.direction}/${key.row}/${key.streams}/${key.repeat}`;
}

/** A throughput cell as stored, with when it ran (to prove no host was in two tests at once). */
export interface StoredCell {
  pairId: string;
  record: CellRecord;
  startedAtMs: number;
  endedAtMs: number;
}
