import { PathprobeError } from '../../proto/errorCodes.js';
import { MAX_DURATION_MS, MAX_STREAMS } from '../../proto/throughput.js';
import type { Direction } from '../model/direction.js';

export type DirectionChoice = 'forward' | 'reverse' | 'both';
export const DIRECTION_CHOICES: readonly DirectionChoice[] = ['forward', 'reverse', 'both'];
export const MAX_REPEATS = 20;

export interface ThroughputOptions {
  streams: number[];
  durationMs: number;
  repeats: number;
  directions: Direction[];
}

/** "1,2,4,8,16" → [1, 2, 4, 8, 16], sorted, without duplicates. */
export function parseStreams(text: string): number[] {
  const parts = text.split(',').map((part) => part.trim());
  const counts = parts.map((part) => {
    const count = /^\d+$/.test(part) ? Number(part) : NaN;
    if (!Number.isInteger(count) || count < 1) {
      throw new PathprobeError('ERR_USAGE', `--streams ${JSON.stringify(text)}: ${JSON.stringify(part)} is not a stream count of 1 or more`);
    }
    if (count > MAX_STREAMS) {
      throw new PathprobeError('ERR_USAGE', `--streams ${JSON.stringify(text)}: ${count} is more than the limit of ${MAX_STREAMS} parallel streams`);
    }
    return count;
  });
  return [...new Set(counts)].sort((a, b) => a - b);
}

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000 };

/** "10s", "1.5s", "500ms", "2m", or a bare number of seconds → milliseconds. */
export function parseDuration(text: string, flag: string, minimumMs: number): number {
  const match = /^(-?\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  const durationMs = match ? Math.round(Number(match[1]) * UNIT_MS[match[2] ?? 's']!) : NaN;
  if (!match || !Number.isFinite(durationMs)) {
    throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(text)} is not a duration such as 10s, 1.5s or 500ms`);
  }
  if (durationMs < minimumMs) {
    throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(text)} must be at least ${minimumMs / 1000} s`);
  }
  if (durationMs > MAX_DURATION_MS) {
    throw new PathprobeError('ERR_USAGE', `${flag} ${JSON.stringify(text)} must be at most ${MAX_DURATION_MS / 1000} s`);
  }
  return durationMs;
}

export function parseThroughputOptions(input: { streams: string; duration: string; repeats: number; direction: string }): ThroughputOptions {
  if (!DIRECTION_CHOICES.includes(input.direction as DirectionChoice)) {
    throw new PathprobeError('ERR_USAGE', `--direction ${JSON.stringify(input.direction)} must be one of ${DIRECTION_CHOICES.join(', ')}`);
  }
  if (!Number.isInteger(input.repeats) || input.repeats < 1 || input.repeats > MAX_REPEATS) {
    throw new PathprobeError('ERR_USAGE', `--repeats ${input.repeats} must be an integer from 1 to ${MAX_REPEATS}`);
  }
  const direction = input.direction as DirectionChoice;
  return {
    streams: parseStreams(input.streams),
    durationMs: parseDuration(input.duration, '--duration', 1000),
    repeats: input.repeats,
    directions: direction === 'both' ? ['forward', 'reverse'] : [direction],
  };
}
