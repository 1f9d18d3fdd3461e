import { median } from '../../controller/model/sampleStats.js';
import type { Lab } from '../lab/lab.js';
import type { LabAgents } from '../lab/labAgents.js';
import { describeCommand } from '../lab/run.js';
import type { StartedProcess } from '../lab/run.js';
import { rateLimited } from '../lab/topologies.js';
import { UsageError, runBench } from './runBench.js';
import type { BenchSession } from './runBench.js';

/*
 * npm run bench -- --only throughput [--quick] [--rate 1000[,400]]
 * node dist/scripts/bench/throughputBench.js [--quick] [--rate MBIT[,MBIT]]
 *
 * h1 → h2 over a tbf-limited lab link (so both tools measure the network, not this VM's CPU, notes
 * §10/§11): `pathprobe throughput` against a plain iperf3 client/server pair with the same options
 * (-C cubic, -O 1, -t, -P, -M 1460 for the 1500 row), repeats interleaved pathprobe, iperf3,
 * pathprobe, ... so drift hits both alike. Exit 0 when every pathprobe / iperf3 ratio is ≥ 0.97,
 * 1 otherwise or on any error, 130 when interrupted.
 */

const TARGET_RATIO = 0.97;
const SENDER = 'h1';
const RECEIVER = 'h2';
/** The 1500 row: what pathprobe passes as -M for IPv4 (1500 − 20 − 20). */
const MSS_1500 = 1460;
const OMIT_S = 1;
/** First port of the plain iperf3 servers; every test gets a fresh one (a stale server must not answer, docs/iperf3.md, "Bounding every run"). */
const FIRST_PORT = 5301;

type RowKind = '1500' | 'jumbo';
const ROWS: readonly RowKind[] = ['1500', 'jumbo'];

interface BenchOptions {
  rates: number[];
  durationS: number;
  repeats: number;
  streams: number[];
}

const USAGE = 'usage: throughputBench.js [--quick] [--rate MBIT[,MBIT]]';

function benchOptions({ quick, values }: { quick: boolean; values: Record<string, string | undefined> }): BenchOptions {
  let rates = [1000];
  if (values.rate !== undefined) {
    const text = values.rate;
    rates = text.split(',').map((s) => Number(s));
    if (rates.some((r) => !Number.isInteger(r) || r < 10 || r > 10_000)) throw new UsageError(`--rate: whole Mbit/s from 10 to 10000, not "${text}"`);
  }
  return quick ? { rates, durationS: 2, repeats: 1, streams: [1] } : { rates, durationS: 5, repeats: 3, streams: [1, 4] };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One measurement: bits/s received, or why there is none. */
interface Sample {
  bitsPerSecond: number | null;
  failure: string | null;
  /** Processes that carried the streams (pathprobe: one per core; plain iperf3: always 1). */
  processes: number;
  retransmits: number | null;
  /** Busiest sender process' CPU %, for the notes. */
  senderCpuPercent: number | null;
}

interface CellResult {
  rateMbit: number;
  row: RowKind;
  streams: number;
  pathprobe: Sample[];
  iperf3: Sample[];
}

// ---------------------------------------------------------------------------------------------
// pathprobe

function pathprobeArgs(lab: Lab, agents: LabAgents, streams: number, durationS: number): string[] {
  return ['throughput', '--from', agents.urls[SENDER]!, '--to', agents.urls[RECEIVER]!,
    '--from-address', lab.hosts[SENDER]!.v4, '--to-address', lab.hosts[RECEIVER]!.v4, '--token-file', agents.tokenFile,
    '--streams', String(streams), '--duration', `${durationS}s`, '--repeats', '1', '--direction', 'forward', '--json'];
}

/**
 * One `pathprobe throughput` run, one repeat of both rows at one stream count. Each repeat is its
 * own command so the plain iperf3 repeats can run in between; the cell's medianBitsPerSecond of a
 * one-repeat run is that repeat.
 */
async function runPathprobe(session: BenchSession, lab: Lab, agents: LabAgents, streams: number, durationS: number): Promise<Record<RowKind, Sample>> {
  const args = pathprobeArgs(lab, agents, streams, durationS);
  // PMTU sweep + two rows of (omit + duration + setup) + margin.
  const timeoutMs = 60_000 + 2 * (OMIT_S + durationS + 10) * 1000;
  session.checkpoint();
  const result = await agents.cli(args, { timeoutMs });
  session.checkpoint();
  const fail = (why: string): Record<RowKind, Sample> => {
    const sample: Sample = { bitsPerSecond: null, failure: why, processes: 0, retransmits: null, senderCpuPercent: null };
    return { '1500': sample, jumbo: sample };
  };
  if (result.timedOut) return fail(`pathprobe timed out after ${timeoutMs / 1000} s`);
  let report: any;
  try {
    report = JSON.parse(result.stdout);
  } catch {
    // A crash ends with node's version line: the error line says more.
    const lines = result.stderr.trim().split('\n').map((l) => l.trim()).filter((l) => l !== '');
    const stderr = (lines.find((l) => /error/i.test(l)) ?? lines.pop() ?? '').slice(0, 120);
    return fail(`pathprobe exit ${result.exitCode}, no JSON${stderr ? `: ${stderr}` : ''}`);
  }
  const forward = report?.matrix?.directions?.find((d: any) => d.direction === 'forward') ?? report?.matrix?.directions?.[0];
  const out = {} as Record<RowKind, Sample>;
  for (const kind of ROWS) {
    const row = forward?.rows?.find((r: any) => r?.row?.row === kind);
    const cell = row?.cells?.find((c: any) => c.streams === streams);
    const record = (report.cells ?? []).find((c: any) => c.direction === 'forward' && c.row === kind && c.streams === streams);
    const processes: any[] = record?.result?.processes ?? [];
    const cpus = processes.map((p) => p.senderCpuPercent).filter((v): v is number => typeof v === 'number');
    const retransmits = processes.map((p) => p.retransmits).filter((v): v is number => typeof v === 'number');
    const failure = cell === undefined
      ? `no ${kind} P${streams} cell in the report`
      : typeof cell.medianBitsPerSecond === 'number'
        ? null
        : `${cell.status}: ${cell.failures?.[0]?.message ?? cell.errors?.[0]?.message ?? 'no measurement'}`;
    out[kind] = {
      bitsPerSecond: failure === null ? cell.medianBitsPerSecond : null,
      failure,
      processes: processes.length,
      retransmits: retransmits.length > 0 ? retransmits.reduce((a, b) => a + b, 0) : null,
      senderCpuPercent: cpus.length > 0 ? Math.max(...cpus) : null,
    };
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// plain iperf3

let nextPort = FIRST_PORT;

function plainClientArgv(lab: Lab, port: number, streams: number, durationS: number, row: RowKind): string[] {
  return ['iperf3', '-c', lab.hosts[RECEIVER]!.v4, '-p', String(port), '-J', '-t', String(durationS), '-O', String(OMIT_S),
    '-C', 'cubic', '-P', String(streams), ...(row === '1500' ? ['-M', String(MSS_1500)] : [])];
}

async function waitListening(session: BenchSession, lab: Lab, port: number, server: StartedProcess): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (Date.now() < deadline) {
    session.checkpoint();
    if (!server.running()) throw new Error(`iperf3 server on ${RECEIVER}:${port} exited before listening`);
    const ss = await lab.exec(RECEIVER, ['ss', '-Hltn', `sport = :${port}`], { timeoutMs: 5_000 });
    if (ss.stdout.trim() !== '') return;
    await sleep(50);
  }
  throw new Error(`iperf3 server on ${RECEIVER}:${port} not listening after 5 s`);
}

async function stopServer(server: StartedProcess): Promise<void> {
  // -s -1 exits after its one test; give it a moment, then stop it (docs/iperf3.md, "Bounding every run").
  await Promise.race([server.result, sleep(2_000)]);
  await server.stop();
}

async function runPlainIperf(session: BenchSession, lab: Lab, row: RowKind, streams: number, durationS: number): Promise<Sample> {
  const port = nextPort++;
  const fail = (why: string): Sample => ({ bitsPerSecond: null, failure: why, processes: 1, retransmits: null, senderCpuPercent: null });
  session.checkpoint();
  const server = lab.spawn(RECEIVER, ['iperf3', '-s', '-1', '-p', String(port)]);
  try {
    await waitListening(session, lab, port, server);
    const timeoutMs = (OMIT_S + durationS + 15) * 1000;
    session.checkpoint();
    const result = await lab.exec(SENDER, plainClientArgv(lab, port, streams, durationS, row), { timeoutMs });
    session.checkpoint();
    if (result.timedOut) return fail(`iperf3 timed out after ${timeoutMs / 1000} s`);
    let json: any;
    try {
      json = JSON.parse(result.stdout);
    } catch {
      // Parameter errors print usage, not JSON (docs/iperf3.md, "Reading results").
      return fail(`iperf3 exit ${result.exitCode}, no JSON: ${(result.stderr.trim().split('\n')[0] ?? '').slice(0, 100)}`);
    }
    // With -J, 3.12 exits 0 on runtime errors: success is JSON without `error` (docs/iperf3.md, "Reading results").
    if (typeof json.error === 'string') return fail(`iperf3: ${json.error}`);
    const bps = json.end?.sum_received?.bits_per_second;
    if (typeof bps !== 'number' || !(json.end?.sum_received?.bytes > 0)) return fail('iperf3: nothing received');
    return {
      bitsPerSecond: bps,
      failure: null,
      processes: 1,
      retransmits: typeof json.end?.sum_sent?.retransmits === 'number' ? json.end.sum_sent.retransmits : null,
      senderCpuPercent: typeof json.end?.cpu_utilization_percent?.host_total === 'number' ? json.end.cpu_utilization_percent.host_total : null,
    };
  } finally {
    await stopServer(server);
  }
}

// ---------------------------------------------------------------------------------------------

function mbit(bps: number | null): string {
  return bps === null ? '-' : `${(bps / 1e6).toFixed(1)}`;
}

function progressLine(rateMbit: number, round: number, tool: string, row: RowKind, streams: number, s: Sample): string {
  const value = s.failure ?? `${mbit(s.bitsPerSecond)} Mbit/s`;
  const extra = s.failure ? '' : `, ${s.processes} proc, retr ${s.retransmits ?? '-'}, cpu ${s.senderCpuPercent?.toFixed(0) ?? '-'} %`;
  return `${rateMbit}M ${row} P${streams} #${round} ${tool}: ${value}${extra}`;
}

function benchOneRate(session: BenchSession, rateMbit: number, opts: BenchOptions): Promise<{ cells: CellResult[]; commands: string[] }> {
  return session.withLab(rateLimited({ rateMbit }), [SENDER, RECEIVER], async ({ lab, agents }) => {
    const cells: CellResult[] = [];
    for (const streams of opts.streams) for (const row of ROWS) cells.push({ rateMbit, row, streams, pathprobe: [], iperf3: [] });
    const cellOf = (row: RowKind, streams: number) => cells.find((c) => c.row === row && c.streams === streams)!;
    // A B A B A B: each round runs pathprobe (both rows) then plain iperf3 (both rows), per stream count.
    for (let round = 1; round <= opts.repeats; round += 1) {
      for (const streams of opts.streams) {
        const pp = await runPathprobe(session, lab, agents, streams, opts.durationS);
        for (const row of ROWS) {
          cellOf(row, streams).pathprobe.push(pp[row]);
          session.progress(progressLine(rateMbit, round, 'pathprobe', row, streams, pp[row]));
        }
        for (const row of ROWS) {
          const plain = await runPlainIperf(session, lab, row, streams, opts.durationS);
          cellOf(row, streams).iperf3.push(plain);
          session.progress(progressLine(rateMbit, round, 'iperf3', row, streams, plain));
        }
      }
    }
    const p = opts.streams[opts.streams.length - 1]!;
    const commands = [
      `pathprobe ${describeCommand(pathprobeArgs(lab, agents, p, opts.durationS))}   (in ${lab.controllerNetns})`,
      `iperf3 -s -1 -p PORT   (in ${RECEIVER})`,
      ...ROWS.map((row) => `${describeCommand(plainClientArgv(lab, 0, p, opts.durationS, row)).replace(' -p 0 ', ' -p PORT ')}   (in ${SENDER})`),
    ];
    return { cells, commands };
  });
}

interface Verdict {
  cell: CellResult;
  pathprobe: number | null;
  iperf3: number | null;
  ratio: number | null;
  ok: boolean;
}

function judge(cell: CellResult): Verdict {
  const pp = median(cell.pathprobe.flatMap((s) => (s.bitsPerSecond === null ? [] : [s.bitsPerSecond])));
  const ip = median(cell.iperf3.flatMap((s) => (s.bitsPerSecond === null ? [] : [s.bitsPerSecond])));
  const ratio = pp !== null && ip !== null && ip > 0 ? pp / ip : null;
  // A failed repeat on either side is a finding, not something to average away.
  const allOk = cell.pathprobe.every((s) => s.failure === null) && cell.iperf3.every((s) => s.failure === null);
  return { cell, pathprobe: pp, iperf3: ip, ratio, ok: allOk && ratio !== null && ratio >= TARGET_RATIO };
}

function formatTable(verdicts: readonly Verdict[]): string {
  const head = ['link', 'row', 'streams', 'pathprobe Mbit/s', 'iperf3 Mbit/s', 'ratio pp/iperf3', `target ≥ ${TARGET_RATIO}`];
  const lines = verdicts.map((v) => [
    `${v.cell.rateMbit}M`, v.cell.row === '1500' ? '1500 (-M 1460)' : 'jumbo 9000', `P${v.cell.streams}`,
    mbit(v.pathprobe), mbit(v.iperf3), v.ratio === null ? '-' : v.ratio.toFixed(3), v.ok ? 'ok' : 'LOW',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cols: string[]) => cols.map((c, i) => (i <= 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ');
  const rule = '-'.repeat(fmt(head).length);
  return [fmt(head), rule, ...lines.map(fmt), rule].join('\n');
}

function formatNotes(verdicts: readonly Verdict[]): string[] {
  const notes: string[] = [];
  const list = (samples: readonly Sample[]) => samples.map((s) => s.failure ?? mbit(s.bitsPerSecond)).join(' / ');
  const procs = (samples: readonly Sample[]) => [...new Set(samples.filter((s) => s.failure === null).map((s) => s.processes))].join(',') || '-';
  const retr = (samples: readonly Sample[]) => samples.map((s) => s.retransmits ?? '-').join('/');
  for (const v of verdicts) {
    const c = v.cell;
    notes.push(`${c.rateMbit}M ${c.row} P${c.streams}: pathprobe ${list(c.pathprobe)} (${procs(c.pathprobe)} proc, retr ${retr(c.pathprobe)}); `
      + `iperf3 ${list(c.iperf3)} (1 proc, retr ${retr(c.iperf3)})`);
  }
  return notes;
}

runBench<BenchOptions>({
  name: 'throughputBench',
  usage: USAGE,
  valueFlags: ['rate'],
  options: benchOptions,
  run: async (opts, session) => {
    session.say(`rateLimited ${opts.rates.join(', ')} Mbit/s, rows 1500 + jumbo, P${opts.streams.join(',')}, `
      + `${opts.durationS} s + ${OMIT_S} s omit, ${opts.repeats} interleaved repeat(s) per tool`);
    const verdicts: Verdict[] = [];
    let commands: string[] = [];
    for (const rate of opts.rates) {
      const { cells, commands: c } = await benchOneRate(session, rate, opts);
      verdicts.push(...cells.map(judge));
      if (commands.length === 0) commands = c;
    }
    console.log(formatTable(verdicts));
    console.log('');
    console.log('h1 → h2 over a tbf-shaped link (both switch ports); medians of the repeats, Mbit/s received (iperf3 end.sum_received).');
    console.log('pathprobe: the forward cell of one `pathprobe throughput --repeats 1` per repeat (its streams split over one iperf3');
    console.log('process per core); iperf3: one plain client process, -P N. Repeats interleaved pathprobe, iperf3, pathprobe, ...');
    console.log('');
    for (const note of formatNotes(verdicts)) console.log(note);
    console.log('');
    console.log('commands (last stream count):');
    for (const c of commands) console.log(`  ${c}`);
    const low = verdicts.filter((v) => !v.ok);
    if (low.length > 0) session.say(`below ${TARGET_RATIO} on ${low.map((v) => `${v.cell.rateMbit}M ${v.cell.row} P${v.cell.streams}`).join(', ')}`);
    return low.length === 0 ? 0 : 1;
  },
});
