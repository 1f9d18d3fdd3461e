import { z } from 'zod';
import { IperfFailureClass, IperfRunResult } from '../../proto/throughput.js';
import { ThroughputDirectionV1, ThroughputRowKindV1 } from './cellRecordV1.js';
import { JumboVerdictKindV1, PmtuVerdictV1 } from './pmtuVerdictV1.js';

const bps = (what: string) => z.number().nullable().describe(`${what}, in bits per second; null when nothing measured it.`);
const ratio = (what: string) => z.number().nullable().describe(`${what}, as a fraction (0.02 = 2 %); null when it cannot be computed.`);
const cpu = (what: string) => z.number().nullable().describe(`${what}, in percent of one core; null when not reported.`);

export const ThroughputRowV1 = z.object({
  row: ThroughputRowKindV1,
  mssBytes: z.number().int().nullable().describe("The iperf3 -M value in bytes; null = the kernel's MSS from the NIC MTU."),
  mtuBytes: z.number().int().describe("The IP MTU of this row's packets, in bytes."),
  label: z.string().describe("For tables: '1500', 'jumbo 9000', 'path 4470'."),
}).meta({ id: 'ThroughputRow' });

const RunFailureV1 = z.object({
  class: IperfFailureClass,
  message: z.string(),
  port: z.number().int().nullable().describe('The port of the iperf3 process that failed.'),
});

export const ThroughputRunSummaryV1 = z.object({
  ok: z.boolean().describe('True only when every process finished without a failure and reported a received rate.'),
  failure: RunFailureV1.nullable().describe('The failure that decides the run (a stall first); null when ok.'),
  failureClass: IperfFailureClass.nullable(),
  failures: z.array(RunFailureV1),
  processes: z.number().int().describe('iperf3 client processes the streams were spread over.'),
  streams: z.number().int(),
  stalledStreams: z.number().int().describe('Streams whose bytes left the sender and never arrived; more than 0 and fewer than streams is a partial stall.'),
  bitsPerSecondReceived: bps('Sum of the processes\' received rates'),
  bytesSent: z.number().nullable().describe('Bytes sent, summed over processes.'),
  bytesReceived: z.number().nullable().describe('Bytes received, summed over processes.'),
  retransmits: z.number().nullable().describe('TCP retransmits, summed over processes.'),
  senderCpuPercent: cpu('Highest client CPU of any process'),
  receiverCpuPercent: cpu('Highest server CPU of any process'),
  maxCorePercent: cpu('Busiest core of the sending host during the run'),
  toolBound: z.boolean().describe('True when iperf3 or a CPU core, not the network, set the rate.'),
  toolBoundReason: z.string().nullable(),
  intervalBitsPerSecond: z.array(z.number()).describe('Sender-side interval rates in bits per second, summed across processes.'),
  intervalCov: z.number().nullable().describe('Coefficient of variation of those intervals (0.03 = steady); null below two intervals.'),
  mssBytesObserved: z.number().int().nullable().describe('The MSS the kernel used, in bytes, as sampled by the sending agent.'),
  elapsedMs: z.number().describe('Duration of the run, in milliseconds.'),
}).meta({ id: 'ThroughputRunSummary', description: 'One repeat of one cell, summed over its iperf3 processes.' });

export const ThroughputCellV1 = z.object({
  row: ThroughputRowKindV1,
  streams: z.number().int(),
  status: z.enum(['measured', 'failed', 'error', 'skipped', 'not-run']).describe('measured: a repeat measured; failed: iperf3 ran, nothing measured; error: only agent errors; skipped: not run on purpose; not-run: no repeat given.'),
  repeats: z.number().int(),
  okRepeats: z.number().int(),
  failedRepeats: z.number().int().describe('Repeats where iperf3 ran and failed.'),
  errorRepeats: z.number().int().describe('Repeats lost to agent or transport errors.'),
  skippedRepeats: z.number().int(),
  failureClasses: z.partialRecord(IperfFailureClass, z.number().int()).describe('How many failed repeats had each failure class.'),
  failures: z.array(z.object({ repeat: z.number().int(), class: IperfFailureClass, message: z.string() })),
  errors: z.array(z.object({ repeat: z.number().int(), code: z.string(), message: z.string() })),
  skipped: z.literal('stalled-row').nullable(),
  medianBitsPerSecond: bps('Median received rate of the ok repeats'),
  minBitsPerSecond: bps('Lowest received rate of the ok repeats'),
  maxBitsPerSecond: bps('Highest received rate of the ok repeats'),
  relativeSpread: ratio('(max − min) / median over the ok repeats'),
  medianRetransmits: z.number().nullable().describe('Median TCP retransmits per repeat.'),
  medianRetransmitRate: ratio('Median retransmits per full-size segment sent'),
  medianSenderCpuPercent: cpu('Median sender CPU'),
  medianReceiverCpuPercent: cpu('Median receiver CPU'),
  medianIntervalCov: z.number().nullable().describe('Median coefficient of variation of the per-interval rates.'),
  toolBound: z.boolean().describe('Some repeat measured iperf3 or a CPU core rather than the network.'),
  toolBoundReason: z.string().nullable(),
  stalled: z.boolean().describe('Some repeat stalled: bytes left the sender and none arrived.'),
  stalledStreams: z.object({ stalled: z.number().int(), of: z.number().int() }).nullable().describe('The repeat with the most stalled streams, e.g. 1 of 4; null when no stream stalled.'),
  partialStall: z.boolean().describe('Some repeat stalled only some of its streams: one of several paths (ECMP, LAG member) caps frames.'),
  mssBytesObserved: z.array(z.number().int()).describe('Distinct MSS values in bytes the kernel used.'),
  linkEfficiency: ratio('Median / link speed'),
  maxGoodputBitsPerSecond: bps("The most TCP payload this row's MTU lets the link carry"),
  goodputEfficiency: ratio('Median / maxGoodputBitsPerSecond'),
  runs: z.array(z.object({ repeat: z.number().int(), summary: ThroughputRunSummaryV1 })),
}).meta({ id: 'ThroughputCell', description: 'The repeats of one cell (direction, row, stream count), summarised.' });

export const ThroughputSweetSpotV1 = z.object({
  row: ThroughputRowKindV1,
  basis: z.enum(['measured', 'tool-bound-only', 'none']).describe('measured: chosen among cells that measured the network; tool-bound-only: every measured cell was tool-bound; none: no cell measured.'),
  streams: z.number().int().nullable().describe('The fewest streams within 5 % of the best median; null for basis none.'),
  bitsPerSecond: bps('Median at the sweet spot'),
  bestStreams: z.number().int().nullable(),
  bestBitsPerSecond: bps('The best median of the row'),
  degradesBeyond: z.number().int().nullable().describe('The last stream count before more streams hurt; null if none does.'),
  degradation: z.object({
    streams: z.number().int().describe('The first stream count that degrades.'),
    reason: z.enum(['throughput', 'retransmits']),
    bitsPerSecond: z.number().describe('Its median, in bits per second.'),
    retransmits: z.number().nullable(),
  }).nullable(),
  intermittent: z.array(z.object({ streams: z.number().int(), reached: z.number().int(), of: z.number().int() }))
    .describe('Stream counts below the sweet spot where some repeats reached the best while the median did not (e.g. ECMP hashing).'),
  excluded: z.array(z.object({ streams: z.number().int(), reason: z.enum(['tool-bound', 'no-measurement', 'skipped', 'not-run']) })),
  partialStalls: z.array(z.number().int()).describe('Stream counts left out of the choice because some of their streams stalled while others flowed.'),
  explanation: z.string(),
}).meta({ id: 'ThroughputSweetSpot', description: 'The concurrency sweet spot of one row.' });

const JumboSideV1 = z.object({
  streams: z.number().int(),
  bitsPerSecond: z.number().describe('Median, in bits per second.'),
  relativeSpread: z.number().nullable(),
  toolBound: z.boolean(),
});

export const ThroughputJumboVerdictV1 = z.object({
  verdict: JumboVerdictKindV1.nullable().describe('Null when there is nothing to compare; `reason` says why.'),
  reason: z.string().nullable(),
  jumboMtuBytes: z.number().int().nullable(),
  base: JumboSideV1.nullable().describe('The best 1500 cell.'),
  jumbo: JumboSideV1.nullable().describe('The best jumbo cell.'),
  gain: ratio('(jumbo − 1500) / 1500 of the best medians'),
  gainPercent: z.number().nullable().describe('The gain in percent, one decimal.'),
  noise: ratio('The larger relative spread of the two compared cells'),
  threshold: ratio('The difference that had to be exceeded: max(2 %, noise)'),
  headerOnlyGain: ratio('The gain header overhead alone allows on a link-limited path'),
  toolBound: z.boolean().describe('A compared cell was tool-bound: the comparison is about host CPU, not the link.'),
  stalledStreams: z.array(z.number().int()).describe('Stream counts of jumbo cells that stalled or were skipped because the row stalled.'),
  stall: z.enum(['full', 'partial']).nullable().describe("For jumbo-stalled: full when no jumbo stream got through, partial when some streams or cells flowed while others stalled; null otherwise."),
  pathMtuVerdict: PmtuVerdictV1.nullable(),
  agreesWithPathMtu: z.boolean().nullable().describe('Whether the path-MTU sweep tells the same story; null without a sweep.'),
  explanation: z.string(),
}).meta({ id: 'ThroughputJumboVerdict', description: 'Jumbo frames or not, for one direction.' });

export const ThroughputRunOutcomeV1 = z.union([
  IperfRunResult,
  z.object({ error: z.object({ code: z.string(), message: z.string() }) }),
  z.object({ skipped: z.literal('stalled-row') }),
]);

export const ThroughputMatrixV1 = z.object({
  family: z.literal([4, 6]).describe('IP version of the measured addresses.'),
  linkSpeedMbps: z.number().nullable().describe("The slower end's link speed in Mbit/s; null when unknown."),
  directions: z.array(z.object({
    direction: ThroughputDirectionV1,
    route: z.string().describe("'sender → receiver'."),
    streams: z.array(z.number().int()).describe('The stream-count columns, ascending.'),
    rows: z.array(z.object({
      row: ThroughputRowV1,
      cells: z.array(ThroughputCellV1).describe('One cell per column of `streams`, in the same order.'),
      sweetSpot: ThroughputSweetSpotV1,
    })),
    jumboVerdict: ThroughputJumboVerdictV1,
  })),
  unmatched: z.array(z.object({
    run: z.object({
      direction: ThroughputDirectionV1,
      row: ThroughputRowKindV1,
      streams: z.number().int(),
      repeat: z.number().int(),
      result: ThroughputRunOutcomeV1,
    }),
    reason: z.string(),
  })).describe('Runs that fit no row of the matrix.'),
}).meta({ id: 'ThroughputMatrix', description: 'Per direction, frame-size rows × stream counts of cell summaries, with sweet spots and the jumbo verdict.' });

