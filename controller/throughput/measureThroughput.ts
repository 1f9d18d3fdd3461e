import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import { PathprobeError, type ErrorCode } from '../../proto/errorCodes.js';
import { addressFamilyOf } from '../../proto/ipAddress.js';
import { MAX_IPERF_PROCESSES, type IperfRunResult } from '../../proto/throughput.js';
import type { AgentClient } from '../agentClient.js';
import { throughputRows, type ThroughputRow, type ThroughputRowKind } from '../aggregate/throughputRows.js';
import type { PathMtuMeasurement } from '../pmtu/measurePathMtu.js';
import type { ThroughputOptions } from './parseThroughputOptions.js';

export type Direction = 'forward' | 'reverse';

export interface CellKey {
  direction: Direction;
  row: ThroughputRowKind;
  streams: number;
  repeat: number;
}

export type CellRecord = CellKey & (
  | { result: IperfRunResult; receiverIperfVersion: string }
  | { error: { code: ErrorCode; message: string } }
  | { skipped: 'stalled-row' }
);

/** Frames that never arrive: the row cannot carry data, so its other cells are not worth waiting for. */
const STALL_CLASSES = new Set(['stalled', 'timeout', 'control-channel']);
const OMIT_MS = 1000;

export function cellStalled(result: IperfRunResult): boolean {
  return result.processes.some((p) => p.failure !== null && STALL_CLASSES.has(p.failure.class) && !(p.bytesReceived ?? 0));
}

export interface ThroughputPlanDirection {
  direction: Direction;
  sender: AgentClient;
  receiver: AgentClient;
  senderAddress: string;
  receiverAddress: string;
  rows: ThroughputRow[];
  processes: number;
}

/**
 * Which cells to run, per direction: the rows follow from the NICs' MTUs and the path MTU the
 * sweep just found in that direction (never an assumed 9000).
 */
export function planThroughput(pmtu: PathMtuMeasurement, clients: { from: AgentClient; to: AgentClient }, options: ThroughputOptions): ThroughputPlanDirection[] {
  const family = addressFamilyOf(pmtu.from.address);
  const cores = Math.min(pmtu.from.facts?.cpuCount ?? 1, pmtu.to.facts?.cpuCount ?? 1, MAX_IPERF_PROCESSES);
  return options.directions.map((direction) => {
    const [senderEnd, receiverEnd] = direction === 'forward' ? [pmtu.from, pmtu.to] : [pmtu.to, pmtu.from];
    const sweep = direction === 'forward' ? pmtu.forward : pmtu.reverse;
    const pathMtuBytes = sweep?.ok && sweep.sweep.reachable ? sweep.sweep.largestOkBytes : null;
    return {
      direction,
      sender: direction === 'forward' ? clients.from : clients.to,
      receiver: direction === 'forward' ? clients.to : clients.from,
      senderAddress: senderEnd.address,
      receiverAddress: receiverEnd.address,
      rows: throughputRows({
        family,
        senderNicMtuBytes: senderEnd.nic?.mtuBytes ?? 1500,
        receiverNicMtuBytes: receiverEnd.nic?.mtuBytes ?? 1500,
        pathMtuBytes,
      }),
      processes: cores,
    };
  });
}

/**
 * Runs every cell one at a time (two tests at once would measure each other) and hands each
 * record over the moment it exists, so a caller can store or print it before the next one starts.
 * An agent error fails that cell only; a stalled row skips its remaining cells.
 */
export async function measureThroughput(
  plan: readonly ThroughputPlanDirection[],
  options: ThroughputOptions,
  onRecord: (record: CellRecord) => void,
): Promise<CellRecord[]> {
  const records: CellRecord[] = [];
  const emit = (record: CellRecord) => {
    records.push(record);
    onRecord(record);
  };
  for (const d of plan) {
    for (const row of d.rows) {
      let rowStalled = false;
      for (const streams of options.streams) {
        for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
          const key: CellKey = { direction: d.direction, row: row.row, streams, repeat };
          if (rowStalled) { emit({ ...key, skipped: 'stalled-row' }); continue; }
          try {
            const { result, receiverIperfVersion } = await runCell(d, row, streams, options.durationMs);
            emit({ ...key, result, receiverIperfVersion });
            rowStalled = cellStalled(result);
          } catch (error) {
            // A dead agent fails the next cells fast (connection refused), each with its own error.
            const failure = error instanceof PathprobeError ? error : new PathprobeError('ERR_INTERNAL', String((error as Error).message ?? error), { cause: error });
            emit({ ...key, error: { code: failure.code, message: failure.message } });
          }
        }
      }
    }
  }
  return records;
}

async function runCell(d: ThroughputPlanDirection, row: ThroughputRow, streams: number, durationMs: number): Promise<{ result: IperfRunResult; receiverIperfVersion: string }> {
  const processes = Math.min(streams, d.processes);
  const servers = await d.receiver.startIperfServers(d.receiverAddress, processes, OMIT_MS + durationMs + 30_000);
  try {
    const result = await d.sender.runIperf({
      v: CONTRACT_VERSION,
      sourceAddress: d.senderAddress,
      target: { address: d.receiverAddress, ports: servers.ports },
      streams,
      mssBytes: row.mssBytes,
      durationMs,
      omitMs: OMIT_MS,
      congestionControl: 'cubic',
    });
    return { result, receiverIperfVersion: servers.iperfVersion };
  } finally {
    // The servers expire on their own too; a failed stop must not hide the measurement.
    await d.receiver.stopIperfServers(servers.sessionId).catch(() => {});
  }
}
