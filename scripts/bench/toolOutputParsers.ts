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

/** The forward direction of `pathprobe pmtu --json`; throws when stdout is not that JSON. */
export function parsePathprobeForward(stdout: string): ParsedPathprobeForward {
  const text = stdout.trim();
  if (!text.startsWith('{')) throw new Error('pathprobe printed no JSON');
  const report = JSON.parse(text) as { forward?: Record<string, unknown> | null };
  const forward = report.forward;
  if (!forward || typeof forward !== 'object') throw new Error('pathprobe JSON has no forward direction');
  const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
  return {
    verdict: typeof forward.verdict === 'string' ? forward.verdict : 'unknown',
    pathMtuBytes: num(forward.pathMtu),
    probes: num(forward.probes),
    sweepElapsedMs: num(forward.elapsedMs),
  };
}

/** Packet count of one named counter in `nft -j reset counters ...` / `nft -j list counters ...` output. */
export function parseNftCounterPackets(nftJson: string, counterName: string): number | null {
  const doc = JSON.parse(nftJson) as { nftables?: Array<{ counter?: { name?: string; packets?: number } }> };
  const entry = (doc.nftables ?? []).find((e) => e.counter?.name === counterName);
  return typeof entry?.counter?.packets === 'number' ? entry.counter.packets : null;
}
