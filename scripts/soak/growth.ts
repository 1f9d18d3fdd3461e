import { median } from '../../controller/model/sampleStats.js';
import type { ProcessSample } from './procStats.js';

/*
 * Did a process grow over the soak beyond noise? Pure: a series of samples in, findings out.
 *
 * - Warm-up: the first WARMUP_FRACTION of the samples are left out. A fresh node process grows its
 *   heap, JIT code and undici's connection pool during the first operations; that is start-up,
 *   not a leak.
 * - Windows: the median of the first and of the last WINDOW_FRACTION of the remaining samples
 *   (at least MIN_WINDOW_SAMPLES each). Medians, because V8's garbage collector makes RSS a
 *   saw-tooth: one sample right before a major GC can sit tens of MB above its neighbours.
 * - RSS may grow by max(20 MiB, 25 % of the first window) before it counts: V8 sizes its heap
 *   to the work it saw, and malloc arenas (iperf3 JSON, sweep results) rarely shrink back; on a
 *   71 MB agent both stay well under 20 MiB, while a real leak of a sweep's results or a pool per
 *   request adds that within a few hundred operations.
 * - File descriptors and sockets may grow by FD_SLACK: keep-alive connections come and go with
 *   timing (the client's idle pool, a responder closing), so a handful either way is noise; a
 *   leaked socket per sweep adds one per operation and passes 8 within the first windows.
 * - Children: the last sample must show none. Every sample is taken between operations, so an
 *   iperf3 or a helper still alive at the end was never reaped or stopped.
 */

export const WARMUP_FRACTION = 0.15;
export const WINDOW_FRACTION = 0.2;
export const MIN_WINDOW_SAMPLES = 3;
/** Fewer samples than this (after the warm-up) cannot tell growth from noise: the judgement fails. */
export const MIN_JUDGED_SAMPLES = 2 * MIN_WINDOW_SAMPLES;
export const RSS_SLACK_BYTES = 20 * 1024 * 1024;
export const RSS_SLACK_FRACTION = 0.25;
export const FD_SLACK = 8;

export interface SoakSample {
  /** Operations (sweeps + cells) done when the sample was taken. */
  ops: number;
  elapsedMs: number;
  /** Per process name (h1, h2, controller). */
  processes: Record<string, ProcessSample>;
}

export interface MetricGrowth {
  metric: 'rssBytes' | 'fds' | 'sockets';
  firstMedian: number;
  lastMedian: number;
  growth: number;
  allowed: number;
  ok: boolean;
}

export interface ProcessGrowth {
  name: string;
  metrics: MetricGrowth[];
  finalChildren: number;
  ok: boolean;
}

export interface GrowthJudgement {
  ok: boolean;
  /** Samples left out as warm-up, and those in each window. */
  warmupSamples: number;
  windowSamples: number;
  processes: ProcessGrowth[];
  /** One line per finding, empty when ok. */
  findings: string[];
}

function allowedGrowth(metric: MetricGrowth['metric'], firstMedian: number): number {
  return metric === 'rssBytes' ? Math.max(RSS_SLACK_BYTES, RSS_SLACK_FRACTION * firstMedian) : FD_SLACK;
}

const MB = 1024 * 1024;
const show = (metric: MetricGrowth['metric'], value: number): string =>
  metric === 'rssBytes' ? `${(value / MB).toFixed(1)} MB` : String(value);

/** The judgement over every process the samples name (those of the first sample). */
export function judgeGrowth(samples: readonly SoakSample[]): GrowthJudgement {
  const warmupSamples = Math.ceil(samples.length * WARMUP_FRACTION);
  const judged = samples.slice(warmupSamples);
  const windowSamples = Math.min(Math.floor(judged.length / 2), Math.max(MIN_WINDOW_SAMPLES, Math.round(judged.length * WINDOW_FRACTION)));
  if (judged.length < MIN_JUDGED_SAMPLES) {
    return {
      ok: false, warmupSamples, windowSamples, processes: [],
      findings: [`too few samples to judge growth: ${samples.length} (${judged.length} after warm-up, at least ${MIN_JUDGED_SAMPLES} needed)`],
    };
  }
  const names = Object.keys(samples[0]!.processes);
  const findings: string[] = [];
  const processes = names.map((name): ProcessGrowth => {
    const series = (metric: MetricGrowth['metric'], part: readonly SoakSample[]): number[] =>
      part.map((s) => s.processes[name]?.[metric]).filter((v): v is number => typeof v === 'number');
    const first = judged.slice(0, windowSamples);
    const last = judged.slice(judged.length - windowSamples);
    const metrics = (['rssBytes', 'fds', 'sockets'] as const).map((metric): MetricGrowth => {
      const firstMedian = median(series(metric, first)) ?? NaN;
      const lastMedian = median(series(metric, last)) ?? NaN;
      const growth = lastMedian - firstMedian;
      const allowed = allowedGrowth(metric, firstMedian);
      // NaN (a process missing from a window) is never ok.
      const ok = growth <= allowed;
      if (!ok) {
        findings.push(`${name}: ${metric} grew ${show(metric, firstMedian)} → ${show(metric, lastMedian)} `
          + `(+${show(metric, growth)}, allowed +${show(metric, allowed)})`);
      }
      return { metric, firstMedian, lastMedian, growth, allowed, ok };
    });
    const finalChildren = samples[samples.length - 1]!.processes[name]?.children ?? NaN;
    const childrenOk = finalChildren === 0;
    if (!childrenOk) findings.push(`${name}: ${finalChildren} child process(es) still alive at the end`);
    return { name, metrics, finalChildren, ok: childrenOk && metrics.every((m) => m.ok) };
  });
  return { ok: findings.length === 0, warmupSamples, windowSamples, processes, findings };
}
