import { worstVerdict, type PathVerdict } from '../model/verdicts.js';
import type { Pair } from '../model/pair.js';
import type { DirectionReport, PmtuReport } from '../model/pmtuReport.js';

/** One letter per verdict, so the grid reads without colour. */
const SYMBOL: Record<PathVerdict, string> = {
  ok: '✓', 'silent-drop': 'S', 'frag-needed': 'F', 'mtu-mismatch': 'M', unreachable: 'U', error: 'E',
};

const splits = (d: DirectionReport): boolean => d.verdict !== 'error' && d.flows?.multipath === true;

/**
 * The path-MTU matrix as it fills in: one row per sending host, one column per receiving host,
 * `·` until measured. A host with several NICs shows its worst direction. A cell is one letter
 * wide, too narrow for the shares, so flows that split over paths with different MTUs only add
 * `*` there (the table and the HTML report give the split). Pure.
 */
export function pmtuGrid(agents: readonly string[], results: ReadonlyMap<string, { pair: Pair; report: PmtuReport }>): string[] {
  const worst = new Map<string, PathVerdict>();
  const split = new Set<string>();
  const put = (from: string, to: string, d: DirectionReport) => {
    const key = `${from}>${to}`;
    worst.set(key, worstVerdict([worst.get(key) ?? d.verdict, d.verdict])!);
    if (splits(d)) split.add(key);
  };
  for (const { pair, report } of results.values()) {
    put(pair.a.agent, pair.b.agent, report.forward);
    if (report.reverse) put(pair.b.agent, pair.a.agent, report.reverse);
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
