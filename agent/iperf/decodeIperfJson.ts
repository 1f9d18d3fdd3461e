import type { IperfFailureClass, IperfProcessResult } from '../../proto/throughput.js';

/** What one client's `-J` output says, before the runner adds port, streams and timedOut. */
export type DecodedIperfClient = Omit<IperfProcessResult, 'port' | 'streams' | 'timedOut'>;

export interface IperfFailure {
  class: IperfFailureClass;
  message: string;
}

/** The facts around one iperf3 run that classification needs besides its JSON. */
export interface IperfRunFacts {
  stderr?: string;
  /** Our deadline fired and we sent SIGTERM. */
  timedOut?: boolean;
  /** The caller cancelled the run. */
  aborted?: boolean;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function at(value: unknown, ...path: string[]): unknown {
  let here = value;
  for (const key of path) {
    if (!isObject(here)) return undefined;
    here = here[key];
  }
  return here;
}

function numberAt(value: unknown, ...path: string[]): number | null {
  const found = at(value, ...path);
  return typeof found === 'number' && Number.isFinite(found) ? found : null;
}

function integerAt(value: unknown, ...path: string[]): number | null {
  const found = numberAt(value, ...path);
  return found !== null && Number.isInteger(found) ? found : null;
}

function stringAt(value: unknown, ...path: string[]): string | null {
  const found = at(value, ...path);
  return typeof found === 'string' ? found : null;
}

/**
 * The one JSON object a client prints under -J, or null when there is none (parameter errors
 * print usage text instead; SIGKILL prints nothing). Never throws.
 */
export function parseIperfJson(stdout: string): Json | null {
  const tryParse = (text: string): Json | null => {
    try {
      const parsed: unknown = JSON.parse(text);
      return isObject(parsed) ? parsed : null;
    } catch {
      return null;
    }
  };
  const whole = tryParse(stdout.trim());
  if (whole) return whole;
  // Stray text around the object (a warning on stdout) should not cost us the results.
  const first = stdout.indexOf('{');
  const last = stdout.lastIndexOf('}');
  return first >= 0 && last > first ? tryParse(stdout.slice(first, last + 1)) : null;
}

/** First non-empty line, so a one-line failure message never carries iperf3's usage text. */
function firstLine(text: string): string {
  return text.split('\n').map((line) => line.trim()).find((line) => line.length > 0) ?? '';
}

/** iperf3's error strings (3.12, listed in docs/iperf3.md), most specific first. */
const ERROR_CLASSES: ReadonlyArray<readonly [RegExp, IperfFailureClass]> = [
  [/server is busy/i, 'busy'],
  [/connection refused/i, 'refused'],
  [/unable to connect.*timed out/i, 'connect-timeout'],
  [/message too long/i, 'msgsize'],
  [/unable to (send|receive) control message/i, 'control-channel'],
  [/server has terminated/i, 'server-terminated'],
  [/idle timeout/i, 'idle-timeout'],
  // Our SIGTERM: the deadline's, or a caller's cancel.
  [/interrupt - the client has terminated/i, 'timeout'],
];

/**
 * Why a client run did not produce a measurement, or null when it did. Decided from the JSON
 * `error`, stderr and byte counts; never from the exit code (3.12 exits 0 on runtime errors
 * under -J).
 */
export function classifyIperfFailure(input: { json: unknown; stderr: string; timedOut: boolean; aborted: boolean }): IperfFailure | null {
  const error = stringAt(input.json, 'error');
  const stderrLine = firstLine(input.stderr);
  if (input.timedOut) {
    return { class: 'timeout', message: `killed at its deadline${error ? `: ${error}` : ''}` };
  }
  if (!isObject(input.json)) {
    if (/parameter error/i.test(input.stderr)) return { class: 'param-error', message: stderrLine };
    if (input.aborted) return { class: 'other', message: 'cancelled before iperf3 printed its results' };
    return { class: 'other', message: `no JSON output${stderrLine ? `: ${stderrLine}` : ''}` };
  }
  if (error !== null) {
    const found = ERROR_CLASSES.find(([pattern]) => pattern.test(error));
    return { class: found?.[1] ?? 'other', message: error };
  }
  const sentBytes = numberAt(input.json, 'end', 'sum_sent', 'bytes');
  const receivedBytes = numberAt(input.json, 'end', 'sum_received', 'bytes');
  if (receivedBytes === null) return { class: 'other', message: 'no error, but no received byte count in the results' };
  // Only without an error: when the results exchange fails, received bytes are missing, not zero.
  // With -O the stalled sender fills its socket buffer during the omitted warm-up and writes
  // nothing after, so `end.sum_sent` can be 0 too: count the omitted intervals as well.
  const writtenBytes = (sentBytes ?? 0) + omittedSentBytes(input.json);
  const retransmits = numberAt(input.json, 'end', 'sum_sent', 'retransmits');
  if (receivedBytes === 0 && (writtenBytes > 0 || (retransmits ?? 0) > 0)) {
    return {
      class: 'stalled',
      message: `${writtenBytes} bytes sent, none received${retransmits !== null ? `, ${retransmits} retransmits` : ''}: frames are dropped on the path`,
    };
  }
  return null;
}

function omittedSentBytes(json: unknown): number {
  const intervals = at(json, 'intervals');
  if (!Array.isArray(intervals)) return 0;
  return intervals.reduce((sum: number, interval: unknown) => {
    const omitted = at(interval, 'sum', 'omitted') === true;
    const bytes = numberAt(interval, 'sum', 'bytes');
    return omitted && bytes !== null ? sum + bytes : sum;
  }, 0);
}

/** Decodes one client's `-J` stdout narrowly: every path is optional, garbage gives nulls. */
export function decodeIperfJson(stdout: string, facts: IperfRunFacts = {}): DecodedIperfClient {
  const json = parseIperfJson(stdout);
  const intervals = at(json, 'intervals');
  const intervalBitsPerSecond = Array.isArray(intervals)
    ? intervals.flatMap((interval: unknown) => {
        if (at(interval, 'sum', 'omitted') === true) return [];
        const bitsPerSecond = numberAt(interval, 'sum', 'bits_per_second');
        return bitsPerSecond === null ? [] : [bitsPerSecond];
      })
    : [];
  return {
    failure: classifyIperfFailure({
      json,
      stderr: facts.stderr ?? '',
      timedOut: facts.timedOut ?? false,
      aborted: facts.aborted ?? false,
    }),
    bytesSent: numberAt(json, 'end', 'sum_sent', 'bytes'),
    bytesReceived: numberAt(json, 'end', 'sum_received', 'bytes'),
    bitsPerSecondReceived: numberAt(json, 'end', 'sum_received', 'bits_per_second'),
    retransmits: integerAt(json, 'end', 'sum_sent', 'retransmits'),
    senderCpuPercent: numberAt(json, 'end', 'cpu_utilization_percent', 'host_total'),
    receiverCpuPercent: numberAt(json, 'end', 'cpu_utilization_percent', 'remote_total'),
    intervalBitsPerSecond,
    congestionControl: stringAt(json, 'end', 'sender_tcp_congestion'),
    perStream: perStreamBytes(json),
  };
}

/** Each stream's sender and receiver byte counts from `end.streams[]`. */
function perStreamBytes(json: unknown): Array<{ bytesSent: number | null; bytesReceived: number | null }> {
  const streams = at(json, 'end', 'streams');
  if (!Array.isArray(streams)) return [];
  return streams.map((stream: unknown) => ({
    bytesSent: numberAt(stream, 'sender', 'bytes'),
    bytesReceived: numberAt(stream, 'receiver', 'bytes'),
  }));
}
