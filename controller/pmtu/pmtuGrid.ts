import { worstVerdict, type PathVerdict } from '../model/verdicts.js';
import type { Pair } from '../model/pair.js';
import type { DirectionReport, PmtuReport } from '../model/pmtuReport.js';

/** One letter per verdict, so the grid reads without colour. */
const SYMBOL: Record<PathVerdict, string> = {
  ok: '✓', 'silent-drop': 'S', 'frag-needed': 'F', 'mtu-mismatch': 'M', unreachable: 'U', error: 'E',
};

/** All the grid needs of a direction: a run of thousands of pairs keeps this, not the report. */
export interface GridDirection {
  verdict: PathVerdict;
  split: boolean;
}

/** All the grid needs of a pair's report. */
export interface GridCell {
  from: string;
  to: string;
  forward: GridDirection;
  reverse: GridDirection | null;
}

const gridDirection = (d: DirectionReport): GridDirection => ({ verdict: d.verdict, split: d.verdict !== 'error' && d.flows?.multipath === true });

/** A measured pair reduced to what its two grid cells show. */
export function gridCell(pair: Pair, report: PmtuReport): GridCell {
  return { from: pair.a.agent, to: pair.b.agent, forward: gridDirection(report.forward), reverse: report.reverse ? gridDirection(report.reverse) : null };
}

/**
 * The path-MTU matrix as it fills in: one row per sending host, one column per receiving host,
 * `·` until measured. A host with several NICs shows its worst direction. A cell is one letter
 * wide, too narrow for the shares, so flows that split over paths with different MTUs only add
 * `*` there (the table and the HTML report give the split). Pure.
 */
export function pmtuGrid(agents: readonly string[], cells: Iterable<GridCell>): string[] {
  const worst = new Map<string, PathVerdict>();
  const split = new Set<string>();
  const put = (from: string, to: string, d: GridDirection) => {
    const key = `${from}>${to}`;
    worst.set(key, worstVerdict([worst.get(key) ?? d.verdict, d.verdict])!);
    if (d.split) split.add(key);
  };
  for (const cell of cells) {
    put(cell.from, cell.to, cell.forward);
    if (cell.reverse) put(cell.to, cell.from, cell.reverse);
  }
  const cell = (key: string): string => (worst.has(key) ? `${SYMBOL[worst.get(key)!]}${split.has(key) ? '*' : ''}` : '·');
  const width = Math.max(2, ...agents.map((name) => name.length));
  const pad = (text: string) => text.padEnd(width);
  const lines = [`${pad('')}  ${agents.map((to) => pad(to)).join(' ')}`];
  for (const from of agents) {
    lines.push(`${pad(from)}  ${agents.map((to) => pad(from === to ? ' ' : cell(`${from}>${to}`))).join(' ')}`.trimEnd());
  }
  lines.push(`✓ ok  S silent-drop  F frag-needed  M mtu-mismatch  U unreachable  E error  · pending${split.size ? '  * flows split over paths with different MTUs' : ''}`);
  return lines;
}
