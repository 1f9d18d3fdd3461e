import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import { PathprobeError, recordedErrorCode } from '../../proto/errorCodes.js';
import { addressFamilyOf } from '../../proto/ipAddress.js';
import { MAX_IPERF_PROCESSES, type IperfRunResult } from '../../proto/throughput.js';
import type { AgentClient } from '../agentClient/agentClient.js';
import { fullyStalled, streamStalls } from './streamStalls.js';
import { whenNotBusy } from '../agentClient/whenNotBusy.js';
import { throughputRows } from './throughputRows.js';
import type { ThroughputOptions } from './parseThroughputOptions.js';
import { cellKeyId, type CellKey, type CellRecord } from '../model/cellRecord.js';
import type { Direction } from '../model/direction.js';
import type { DirectionReport, PmtuReport } from '../model/pmtuReport.js';
import type { ThroughputRow } from '../model/throughputMatrix.js';





const OMIT_MS = 1000;
/** Servers outlive their test by this much at most, even if nobody stops them. */
const SERVER_MARGIN_MS = 15_000;

/**
 * Every stream of the run stalled: the row cannot carry data, so its other cells are not worth
 * waiting for. A partial stall (some streams flowed) keeps the row going: more streams may land
 * on the paths that work, and the matrix should show how many do not.
 */
export function cellStalled(result: IperfRunResult): boolean {
  return fullyStalled(streamStalls(result));
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

/** This direction's proved path MTU, or null when the sweep proved nothing. */
function pathMtuOf(direction: DirectionReport | null): number | null {
  return direction && direction.verdict !== 'error' && direction.verdict !== 'unreachable' ? direction.pathMtu : null;
}

/**
 * Which cells to run, per direction: the rows follow from the NICs' MTUs and the path MTU the
 * sweep found in that direction (never an assumed 9000).
 */
export function planThroughput(pmtu: PmtuReport, clients: { from: AgentClient; to: AgentClient }, options: ThroughputOptions): ThroughputPlanDirection[] {
  const family = addressFamilyOf(pmtu.from.address);
  const cores = Math.min(pmtu.from.cpuCount ?? 1, pmtu.to.cpuCount ?? 1, MAX_IPERF_PROCESSES);
  return options.directions.map((direction) => {
    const [senderEnd, receiverEnd] = direction === 'forward' ? [pmtu.from, pmtu.to] : [pmtu.to, pmtu.from];
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
        pathMtuBytes: pathMtuOf(direction === 'forward' ? pmtu.forward : pmtu.reverse),
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
export interface CellTiming {
  startedAtMs: number;
  endedAtMs: number;
}

export async function measureThroughput(
  plan: readonly ThroughputPlanDirection[],
  options: ThroughputOptions,
  /** A promise it returns is awaited before the next cell starts: a record is stored before anything else is measured. */
  onRecord: (record: CellRecord, timing: CellTiming) => unknown,
  /** Cells measured by an earlier, interrupted attempt: not run again, but they count (a stall still skips its row). */
  done: ReadonlyMap<string, CellRecord> = new Map(),
  /** Once aborted, no new cell starts; the one running finishes and is kept. */
  signal?: AbortSignal,
): Promise<CellRecord[]> {
  const records: CellRecord[] = [];
  let startedAtMs = Date.now();
  const emit = async (record: CellRecord) => {
    records.push(record);
    await onRecord(record, { startedAtMs, endedAtMs: Date.now() });
  };
  for (const d of plan) {
    for (const row of d.rows) {
      let rowStalled = false;
      for (const streams of options.streams) {
        for (let repeat = 1; repeat <= options.repeats; repeat += 1) {
          const key: CellKey = { direction: d.direction, row: row.row, streams, repeat };
          const earlier = done.get(cellKeyId(key));
          if (earlier) {
            records.push(earlier);
            if ('result' in earlier) rowStalled ||= cellStalled(earlier.result);
            continue;
          }
          if (signal?.aborted) return records;
          startedAtMs = Date.now();
          if (rowStalled) { await emit({ ...key, skipped: 'stalled-row' }); continue; }
          let measured: CellRecord;
          try {
            const { result, receiverIperfVersion } = await runCell(d, row, streams, options.durationMs);
            measured = { ...key, result, receiverIperfVersion };
            rowStalled = cellStalled(result);
          } catch (error) {
            // A dead agent fails the next cells fast (connection refused), each with its own error.
            const failure = PathprobeError.from(error);
            measured = { ...key, error: { code: recordedErrorCode(failure.code), message: failure.message } };
          }
          // Outside the try: a failure to store a measurement must not turn it into an error record.
          await emit(measured);
        }
      }
    }
  }
  return records;
}

async function runCell(d: ThroughputPlanDirection, row: ThroughputRow, streams: number, durationMs: number): Promise<{ result: IperfRunResult; receiverIperfVersion: string }> {
  const processes = Math.min(streams, d.processes);
  const servers = await whenNotBusy(() => d.receiver.startIperfServers(d.receiverAddress, processes, OMIT_MS + durationMs + SERVER_MARGIN_MS));
  try {
    const result = await whenNotBusy(() => d.sender.runIperf({
      v: CONTRACT_VERSION,
      sourceAddress: d.senderAddress,
      target: { address: d.receiverAddress, ports: servers.ports },
      streams,
      mssBytes: row.mssBytes,
      durationMs,
      omitMs: OMIT_MS,
      congestionControl: 'cubic',
    }));
    return { result, receiverIperfVersion: servers.iperfVersion };
  } finally {
    // The servers expire on their own too; a failed stop must not hide the measurement.
    await d.receiver.stopIperfServers(servers.sessionId).catch(() => {});
  }
}
