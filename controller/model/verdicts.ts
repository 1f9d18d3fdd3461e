/*
 * The verdict vocabulary, defined once with its one ranking. Every roll-up, diff, grid, metric and
 * report reads it from here.
 */

/** A direction's path-MTU verdict, best first. */
export const PMTU_VERDICTS = ['ok', 'mtu-mismatch', 'frag-needed', 'silent-drop', 'unreachable'] as const;
export type PmtuVerdict = (typeof PMTU_VERDICTS)[number];

/** A path-MTU verdict, or 'error' when the direction could not be measured at all. */
export const PATH_VERDICTS = [...PMTU_VERDICTS, 'error'] as const;
export type PathVerdict = (typeof PATH_VERDICTS)[number];

/**
 * Worse is higher. 'error' shares the top rank with 'unreachable': a direction that could no longer
 * be measured is as bad as one that no longer answers, and never better than a finding.
 */
const PATH_RANK: Record<PathVerdict, number> = { ok: 0, 'mtu-mismatch': 1, 'frag-needed': 2, 'silent-drop': 3, unreachable: 4, error: 4 };

export function pathVerdictRank(verdict: PathVerdict): number {
  return PATH_RANK[verdict];
}

/**
 * The worst of some verdicts. Between unreachable and error (same rank) unreachable is named: it is
 * a finding about the path, error only says the measurement failed. Null for none.
 */
export function worstVerdict(verdicts: Iterable<PathVerdict>): PathVerdict | null {
  let worst: PathVerdict | null = null;
  for (const v of verdicts) {
    if (worst === null || PATH_RANK[v] > PATH_RANK[worst] || (PATH_RANK[v] === PATH_RANK[worst] && v === 'unreachable')) worst = v;
  }
  return worst;
}

/** True when `after` ranks worse than `before`; a direction not measured on either side (null) never got worse. */
export function verdictGotWorse(before: PathVerdict | null, after: PathVerdict | null): boolean {
  if (before === null || after === null) return false;
  return PATH_RANK[after] > PATH_RANK[before];
}

/** A direction's throughput verdict: does the jumbo row gain over the 1500 row? */
export const JUMBO_VERDICTS = ['jumbo-gain', 'jumbo-no-gain', 'jumbo-slower', 'jumbo-stalled'] as const;
export type JumboVerdictKind = (typeof JUMBO_VERDICTS)[number];

/** A gain and no gain are both healthy; slower is a finding, stalled is the capped switch. */
const JUMBO_RANK: Record<JumboVerdictKind, number> = { 'jumbo-gain': 0, 'jumbo-no-gain': 0, 'jumbo-slower': 1, 'jumbo-stalled': 2 };

export function jumboVerdictRank(verdict: JumboVerdictKind): number {
  return JUMBO_RANK[verdict];
}

export function jumboVerdictGotWorse(before: JumboVerdictKind | null, after: JumboVerdictKind | null): boolean {
  if (before === null || after === null) return false;
  return JUMBO_RANK[after] > JUMBO_RANK[before];
}

/** The jumbo verdicts that are findings (exit 1): the jumbo row stalls or is slower than 1500. */
export function isJumboFinding(verdict: JumboVerdictKind | null): boolean {
  return verdict !== null && JUMBO_RANK[verdict] > 0;
}
