import { worstVerdict, type PathVerdict } from '../model/verdicts.js';
import type { Pair } from '../model/pair.js';
import type { PmtuReport } from '../model/pmtuReport.js';

/** One letter per verdict, so the grid reads without colour. */
const SYMBOL: Record<PathVerdict, string> = {
  ok: '✓', 'silent-drop': 'S', 'frag-needed': 'F', 'mtu-mismatch': 'M', unreachable: 'U', error: 'E',
};

/**
 * The path-MTU matrix as it fills in: one row per sending host, one column per receiving host,
 * `·` until measured. A host with several NICs shows its worst direction. Pure.
 */
export function pmtuGrid(agents: readonly string[], results: ReadonlyMap<string, { pair: Pair; report: PmtuReport }>): string[] {
  const worst = new Map<string, PathVerdict>();
  const put = (from: string, to: string, verdict: PathVerdict) => {
    const key = `${from}>${to}`;
    worst.set(key, worstVerdict([worst.get(key) ?? verdict, verdict])!);
  };
  for (const { pair, report } of results.values()) {
    put(pair.a.agent, pair.b.agent, report.forward.verdict);
    if (report.reverse) put(pair.b.agent, pair.a.agent, report.reverse.verdict);
  }
  const width = Math.max(2, ...agents.map((name) => name.length));
  const pad = (text: string) => text.padEnd(width);
  const lines = [`${pad('')}  ${agents.map((to) => pad(to)).join(' ')}`];
  for (const from of agents) {
    lines.push(`${pad(from)}  ${agents.map((to) => pad(from === to ? ' ' : (worst.has(`${from}>${to}`) ? SYMBOL[worst.get(`${from}>${to}`)!] : '·'))).join(' ')}`.trimEnd());
  }
  lines.push('✓ ok  S silent-drop  F frag-needed  M mtu-mismatch  U unreachable  E error  · pending');
  return lines;
}
