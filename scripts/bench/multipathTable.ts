import { PMTU_FLOWS } from '../../controller/pmtu/flowRule.js';
import type { ParsedFlowClass, ParsedPathprobeDirection } from './toolOutputParsers.js';
import type { Family, PathprobePairRun, ToolRun } from './toolRuns.js';

/** One run of the three tools on one leaf-spine pair and family. */
export interface MultipathRow {
  path: string;
  family: Family;
  /** 1, 2, 3…: the repeats show how a one-flow tool's answer depends on where its flow hashed. */
  run: number;
  /** The size safe on every flow (the faulty spine's cap). */
  truthBytes: number;
  /** What the good spines carry. */
  goodSpineBytes: number;
  pathprobe: PathprobePairRun;
  tracepath: ToolRun;
  scamper: ToolRun;
}

/**
 * A one-flow tool's answer: `ok` when it gave the safe size (its flow hashed onto the faulty
 * spine), `blind` when it gave what the good spines carry (its flow never met the fault), `WRONG`
 * for anything else, `t/o` when cut off.
 */
export type SingleFlowJudgement = 'ok' | 'blind' | 'WRONG' | 't/o';

export function judgeSingleFlow(run: ToolRun, row: Pick<MultipathRow, 'truthBytes' | 'goodSpineBytes'>): SingleFlowJudgement {
  if (run.timedOut) return 't/o';
  if (run.failure !== null) return 'WRONG';
  if (run.mtuBytes === row.truthBytes) return 'ok';
  if (run.mtuBytes === row.goodSpineBytes) return 'blind';
  return 'WRONG';
}

/** pathprobe is right when both directions give the safe size. */
export function isPairCorrect(run: PathprobePairRun, truthBytes: number): boolean {
  return run.failure === null && run.forward?.pathMtuBytes === truthBytes && run.reverse?.pathMtuBytes === truthBytes;
}

function secondsText(ms: number | null): string {
  if (ms === null) return '-';
  const s = ms / 1000;
  if (s < 10) return `${s.toFixed(2)}s`;
  if (s < 100) return `${s.toFixed(1)}s`;
  return `${Math.round(s)}s`;
}

/** "1500:11 9000:12": each class's path MTU and its flows, smallest first. */
export function flowClassesText(classes: readonly ParsedFlowClass[]): string {
  if (classes.length === 0) return '-';
  return classes.map((c) => `${c.pathMtuBytes ?? 'none'}:${c.flows}`).join(' ');
}

function mtuText(d: ParsedPathprobeDirection | null): string {
  return d === null || d.pathMtuBytes === null ? 'none' : String(d.pathMtuBytes);
}

const right = (s: string, w: number): string => s.padStart(w);
const left = (s: string, w: number): string => s.padEnd(w);

// Column widths; the whole line stays under 120 characters.
const W = { path: 16, pair: 15, time: 5, classes: 15, tool: 10 };

function toolCells(run: ToolRun, row: MultipathRow): string {
  const value = run.timedOut ? '' : run.mtuBytes === null ? 'none ' : `${run.mtuBytes} `;
  return `${left(`${value}${judgeSingleFlow(run, row)}`, W.tool)} ${right(secondsText(run.wallMs), W.time)}`;
}

function rowLine(row: MultipathRow): string {
  const pp = row.pathprobe;
  const pair = pp.failure !== null ? 'failed' : `${mtuText(pp.forward)}/${mtuText(pp.reverse)} ${isPairCorrect(pp, row.truthBytes) ? 'ok' : 'WRONG'}`;
  return [
    left(`${row.path} ${row.family} #${row.run}`, W.path),
    `${left(pair, W.pair)} ${right(secondsText(pp.pairSweepMs), W.time)} ${right(secondsText(pp.wallMs), W.time)}`
      + ` ${left(flowClassesText(pp.forward?.flowClasses ?? []), W.classes)} ${left(flowClassesText(pp.reverse?.flowClasses ?? []), W.classes)}`,
    toolCells(row.tracepath, row),
    toolCells(row.scamper, row),
  ].join(' | ');
}

export function formatMultipathTable(rows: readonly MultipathRow[]): string {
  const ppWidth = W.pair + W.time * 2 + W.classes * 2 + 4;
  const toolWidth = W.tool + W.time + 1;
  const head1 = [
    left('', W.path),
    left(`pathprobe, both directions, ${PMTU_FLOWS} flows each`, ppWidth),
    left('tracepath', toolWidth),
    left('scamper -M', toolWidth),
  ].join(' | ');
  const head2 = [
    left('path fam #run', W.path),
    `${left('fwd/rev', W.pair)} ${right('sweep', W.time)} ${right('wall', W.time)} ${left('fwd classes', W.classes)} ${left('rev classes', W.classes)}`,
    `${left('value', W.tool)} ${right('wall', W.time)}`,
    `${left('value', W.tool)} ${right('wall', W.time)}`,
  ].join(' | ');
  const rule = '-'.repeat(head2.length);
  return [head1, head2, rule, ...rows.map(rowLine), rule].join('\n');
}

/** Per path and family: how often each one-flow tool was right, blind or cut off, and pathprobe's mean faulty share. */
export function formatMultipathSummary(rows: readonly MultipathRow[], faultyShareOf: (path: string) => number): string[] {
  const lines: string[] = [];
  const keys = [...new Set(rows.map((r) => `${r.path} ${r.family}`))];
  for (const key of keys) {
    const group = rows.filter((r) => `${r.path} ${r.family}` === key);
    const tally = (tool: 'tracepath' | 'scamper'): string => {
      const counts = new Map<SingleFlowJudgement, number>();
      for (const r of group) {
        const j = judgeSingleFlow(r[tool], r);
        counts.set(j, (counts.get(j) ?? 0) + 1);
      }
      return [...counts.entries()].map(([j, n]) => `${j} ${n}`).join(', ');
    };
    const shares = group.flatMap((r) => [r.pathprobe.forward, r.pathprobe.reverse])
      .map((d) => d?.flowClasses.find((c) => c.pathMtuBytes === group[0]!.truthBytes)?.share ?? null)
      .filter((s): s is number => s !== null);
    const meanShare = shares.length === 0 ? null : shares.reduce((a, b) => a + b, 0) / shares.length;
    const shareText = meanShare === null ? 'no flow found the cap' : `${Math.round(meanShare * 100)} % of flows at ${group[0]!.truthBytes} (expected ${Math.round(faultyShareOf(group[0]!.path) * 100)} %)`;
    const correct = group.filter((r) => isPairCorrect(r.pathprobe, r.truthBytes)).length;
    lines.push(`${key}: pathprobe ok ${correct} of ${group.length}, ${shareText}; tracepath ${tally('tracepath')}; scamper ${tally('scamper')}`);
  }
  return lines;
}
