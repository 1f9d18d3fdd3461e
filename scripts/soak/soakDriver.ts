import { readFile } from 'node:fs/promises';
import { AgentClient } from '../../controller/agentClient/agentClient.js';
import { measurePathMtu } from '../../controller/pmtu/measurePathMtu.js';
import { pmtuReport } from '../../controller/pmtu/pmtuReport.js';
import { measureThroughput } from '../../controller/throughput/measureThroughput.js';
import type { ThroughputPlanDirection } from '../../controller/throughput/measureThroughput.js';
import { throughputRows } from '../../controller/throughput/throughputRows.js';
import type { DirectionReport } from '../../controller/model/pmtuReport.js';
import type { CellRecord } from '../../controller/model/cellRecord.js';
import type { SoakSample } from './growth.js';
import { sampleProcesses } from './procStats.js';
import { operationAt, sampleEvery } from './soakSchedule.js';
import type { SoakDriverConfig, SoakDriverResult } from './soakSchedule.js';

/*
 * The soak's controller: runs in the lab's controller namespace (the root namespace never reaches
 * the management net), drives the controller library in-process against the same two agents, and
 * samples /proc for both agents and for itself between operations, so no sample lands in the
 * middle of a cell (whose iperf3 children are expected then).
 *
 * node soakDriver.js CONFIG_JSON — started by soak.ts only. Progress on stderr, one JSON result
 * (SoakDriverResult) on stdout.
 */

/** Children may take a moment to be reaped after the last cell; longer than this is a leftover. */
const CHILDREN_SETTLE_MS = 5_000;
const EXPECTED_PATH_MTU_BYTES = 9000;
const CELL_DURATION_MS = 1000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function directionProblem(d: DirectionReport | null, label: string): string | null {
  if (d === null) return `${label}: not measured`;
  if (d.verdict !== 'ok' || !('pathMtu' in d) || d.pathMtu !== EXPECTED_PATH_MTU_BYTES) {
    const why = d.verdict === 'error' ? `: ${d.error.message}` : '';
    return `${label}: ${d.verdict} ${'pathMtu' in d ? d.pathMtu : '-'}${why}`;
  }
  return null;
}

function cellProblem(record: CellRecord | undefined): string | null {
  if (record === undefined) return 'no record';
  if ('error' in record) return `${record.error.code}: ${record.error.message}`;
  if (!('result' in record)) return `skipped (${record.skipped})`;
  const failed = record.result.processes.find((p) => p.failure !== null);
  if (failed) return `iperf3 ${failed.failure!.class}: ${failed.failure!.message}`;
  const received = record.result.processes.reduce((sum, p) => sum + (p.bytesReceived ?? 0), 0);
  return received > 0 ? null : 'nothing received';
}

async function main(config: SoakDriverConfig): Promise<SoakDriverResult> {
  const token = (await readFile(config.tokenFile, 'utf8')).trim();
  const clients = {
    h1: new AgentClient(new URL(config.urls.h1), { token }),
    h2: new AgentClient(new URL(config.urls.h2), { token }),
  };
  const pids = { h1: config.agentPids.h1, h2: config.agentPids.h2, controller: process.pid };
  const totalOps = config.sweeps + config.cells;
  const every = sampleEvery(totalOps, config.targetSamples);
  const samples: SoakSample[] = [];
  const failures: string[] = [];
  const startedMs = performance.now();
  const sample = async (ops: number) => {
    samples.push({ ops, elapsedMs: Math.round(performance.now() - startedMs), processes: await sampleProcesses(pids) });
  };
  // Rows as the throughput kind derives them for two 9000-byte NICs on a 9000 path: '1500' (-M) and 'jumbo'.
  const rows = throughputRows({ family: 4, senderNicMtuBytes: EXPECTED_PATH_MTU_BYTES, receiverNicMtuBytes: EXPECTED_PATH_MTU_BYTES, pathMtuBytes: EXPECTED_PATH_MTU_BYTES });
  let sweepsDone = 0;
  let cellsDone = 0;
  let lastProgressMs = 0;

  await sample(0);
  for (let op = 0; op < totalOps; op += 1) {
    const what = operationAt(op, config.sweeps, config.cells);
    if (what.kind === 'sweep') {
      // v4 and v6 in turn: both raw-socket families and both responder kinds are exercised.
      const family = what.index % 2 === 0 ? 'v4' : 'v6';
      const label = `sweep ${what.index + 1} ${family}`;
      try {
        const measurement = await measurePathMtu({
          from: clients.h1, to: clients.h2, fromAddress: config.addresses.h1[family], toAddress: config.addresses.h2[family], flows: config.flows,
        });
        const report = pmtuReport(measurement);
        for (const problem of [directionProblem(report.forward, 'forward'), directionProblem(report.reverse, 'reverse')]) {
          if (problem !== null) failures.push(`${label}: ${problem}`);
        }
      } catch (error) {
        failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
      sweepsDone += 1;
    } else {
      // 1500 and jumbo in turn, and the direction every second pair of cells: each agent serves and sends.
      const row = rows[what.index % 2]!;
      const forward = Math.floor(what.index / 2) % 2 === 0;
      const [sender, receiver] = forward ? ['h1', 'h2'] as const : ['h2', 'h1'] as const;
      const plan: ThroughputPlanDirection[] = [{
        direction: forward ? 'forward' : 'reverse',
        sender: clients[sender], receiver: clients[receiver],
        senderAddress: config.addresses[sender].v4, receiverAddress: config.addresses[receiver].v4,
        rows: [row], processes: 1,
      }];
      const label = `cell ${what.index + 1} ${sender}→${receiver} ${row.label}`;
      try {
        const records = await measureThroughput(plan, { streams: [1], durationMs: CELL_DURATION_MS, repeats: 1, directions: [plan[0]!.direction] }, () => undefined);
        const problem = cellProblem(records[0]);
        if (problem !== null) failures.push(`${label}: ${problem}`);
      } catch (error) {
        failures.push(`${label}: ${error instanceof Error ? error.message : String(error)}`);
      }
      cellsDone += 1;
    }
    const done = op + 1;
    if (done === totalOps) {
      // The last sample judges leftover children: give the agents a moment to reap the last cell's.
      const settleUntil = performance.now() + CHILDREN_SETTLE_MS;
      for (;;) {
        await sample(done);
        const children = Object.values(samples[samples.length - 1]!.processes).reduce((sum, p) => sum + p.children, 0);
        if (children === 0 || performance.now() > settleUntil) break;
        samples.pop();
        await sleep(200);
      }
    } else if (done % every === 0) {
      await sample(done);
    }
    if (performance.now() - lastProgressMs > 10_000 || done === totalOps) {
      lastProgressMs = performance.now();
      const s = samples[samples.length - 1]!;
      process.stderr.write(`${sweepsDone}/${config.sweeps} sweeps, ${cellsDone}/${config.cells} cells, ${failures.length} failure(s), `
        + `${((performance.now() - startedMs) / 1000).toFixed(0)} s; at op ${s.ops}: `
        + Object.entries(s.processes).map(([n, p]) => `${n} ${(p.rssBytes / 1048576).toFixed(0)} MB ${p.fds} fds`).join(', ') + '\n');
    }
  }
  return { sweepsDone, cellsDone, failures, samples, durationMs: Math.round(performance.now() - startedMs) };
}

const config = JSON.parse(process.argv[2] ?? '') as SoakDriverConfig;
main(config).then(
  (result) => {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    // The clients' keep-alive pools would hold the process open for their idle time.
    process.exit(0);
  },
  (error: unknown) => {
    process.stderr.write(`soakDriver: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
