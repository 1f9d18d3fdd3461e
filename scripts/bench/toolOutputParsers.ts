/*
 * Pure readers of what the tools print. No I/O here, so they can be checked against saved output.
 */

export interface ParsedTracepath {
  /** The number after the final "Resume: pmtu"; null when the run never got that far. */
  pmtuBytes: number | null;
  /** "reached" was printed: the destination answered at some TTL. */
  reached: boolean;
  /** "Too many hops" was printed: tracepath walked every TTL without an answer from the destination. */
  tooManyHops: boolean;
  /** Hops tracepath printed ("N:" lines, including repeats). */
  hopLines: number;
}

/**
 * iputils tracepath 20221126 ends with e.g. `     Resume: pmtu 4000 hops 3 back 3 ` or, on a
 * silent path, `     Too many hops: pmtu 9000` then `     Resume: pmtu 9000 `. The Resume line is the
 * one tracepath means as its answer, so that is the value; it is the local MTU on a silent path.
 */
export function parseTracepath(stdout: string): ParsedTracepath {
  let pmtuBytes: number | null = null;
  let hopLines = 0;
  for (const line of stdout.split('\n')) {
    const resume = /^\s*Resume:\s+pmtu\s+(\d+)/.exec(line);
    if (resume) pmtuBytes = Number(resume[1]);
    if (/^\s*\d+\??:/.test(line)) hopLines += 1;
  }
  return {
    pmtuBytes,
    reached: /\breached\b/.test(stdout),
    tooManyHops: /Too many hops/.test(stdout),
    hopLines,
  };
}

export interface ParsedScamper {
  /** The `pmtud` record's pmtu; null when there was no record or scamper stored 0 ("no value"). */
  pmtuBytes: number | null;
  /** The raw pmtu field, 0 included; null without a pmtud record. */
  rawPmtuBytes: number | null;
  ifMtuBytes: number | null;
  /** PMTUD probes that drew a reply and were recorded (`hop 255` entries); unanswered ones are not stored. */
  answeredPmtudProbes: number;
  /** The trace's stop reason, e.g. "done", "gaplimit". */
  stopReason: string | null;
}

/**
 * Reads `sc_wartsdump` of a `trace -M` warts file. The warts record, not scamper's text output, is
 * the source: the text output annotates the destination hop `[mtu: 9000]` even when the PMTUD record
 * says `pmtu 0` (scamper found no value), so reading the text would invent an answer scamper never gave.
 */
export function parseScamper(wartsdump: string): ParsedScamper {
  const pmtud = /^pmtud:.*?\bifmtu (\d+), pmtu (\d+)/m.exec(wartsdump);
  const rawPmtuBytes = pmtud ? Number(pmtud[2]) : null;
  const stop = /^\s*stop reason:\s*(.+?)\s*$/m.exec(wartsdump);
  return {
    pmtuBytes: rawPmtuBytes !== null && rawPmtuBytes > 0 ? rawPmtuBytes : null,
    rawPmtuBytes,
    ifMtuBytes: pmtud ? Number(pmtud[1]) : null,
    answeredPmtudProbes: (wartsdump.match(/^hop 255 /gm) ?? []).length,
    stopReason: stop?.[1] ?? null,
  };
}

export interface ParsedPathprobeForward {
  verdict: string;
  pathMtuBytes: number | null;
  probes: number | null;
  sweepElapsedMs: number | null;
}

/** One flow class of a multi-flow sweep: the path MTU its flows found (null: no answer) and how many. */
export interface ParsedFlowClass {
  pathMtuBytes: number | null;
  flows: number;
  share: number;
}

export interface ParsedPathprobeDirection extends ParsedPathprobeForward {
  /** Flows probed; null for a one-flow sweep (no `flows` object) or a direction that failed. */
  flowsProbed: number | null;
  /** Smallest path MTU first, as pathprobe prints them; empty for a one-flow sweep. */
  flowClasses: ParsedFlowClass[];
}

export interface ParsedPathprobePair {
  forward: ParsedPathprobeDirection;
  /** null in echo mode (a target with no agent). */
  reverse: ParsedPathprobeDirection | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function pathprobeJson(stdout: string): { forward?: unknown; reverse?: unknown } {
  const text = stdout.trim();
  if (!text.startsWith('{')) throw new Error('pathprobe printed no JSON');
  return JSON.parse(text) as { forward?: unknown; reverse?: unknown };
}

function readDirection(value: unknown, name: string): ParsedPathprobeDirection {
  if (!value || typeof value !== 'object') throw new Error(`pathprobe JSON has no ${name} direction`);
  const d = value as Record<string, unknown>;
  const flows = d.flows && typeof d.flows === 'object' ? d.flows as { probed?: unknown; classes?: unknown } : null;
  const classes = flows !== null && Array.isArray(flows.classes) ? flows.classes as Array<Record<string, unknown>> : [];
  return {
    verdict: typeof d.verdict === 'string' ? d.verdict : 'unknown',
    pathMtuBytes: num(d.pathMtu),
    probes: num(d.probes),
    // A failed direction has no elapsedMs of its own; an inconclusive one keeps it under `inconclusive`.
    sweepElapsedMs: num(d.elapsedMs),
    flowsProbed: num(flows?.probed),
    flowClasses: classes.map((c) => ({ pathMtuBytes: num(c.pathMtuBytes), flows: num(c.flows) ?? 0, share: num(c.share) ?? 0 })),
  };
}

/** The forward direction of `pathprobe pmtu --json`; throws when stdout is not that JSON. */
export function parsePathprobeForward(stdout: string): ParsedPathprobeForward {
  const { verdict, pathMtuBytes, probes, sweepElapsedMs } = readDirection(pathprobeJson(stdout).forward, 'forward');
  return { verdict, pathMtuBytes, probes, sweepElapsedMs };
}

/** Both directions of `pathprobe pmtu --json`, with their flow classes; throws when stdout is not that JSON. */
export function parsePathprobePair(stdout: string): ParsedPathprobePair {
  const report = pathprobeJson(stdout);
  return {
    forward: readDirection(report.forward, 'forward'),
    reverse: report.reverse === null ? null : readDirection(report.reverse, 'reverse'),
  };
}

/** Packet count of one named counter in `nft -j reset counters ...` / `nft -j list counters ...` output. */
export function parseNftCounterPackets(nftJson: string, counterName: string): number | null {
  const doc = JSON.parse(nftJson) as { nftables?: Array<{ counter?: { name?: string; packets?: number } }> };
  const entry = (doc.nftables ?? []).find((e) => e.counter?.name === counterName);
  return typeof entry?.counter?.packets === 'number' ? entry.counter.packets : null;
}
