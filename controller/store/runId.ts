import { randomBytes } from 'node:crypto';

/*
 * Run ids are short, sort by start time as plain strings and can be typed from a terminal:
 * `r20261128-095501-3fa9` = r + UTC start date-time + 4 random hex digits (two runs started in the
 * same second differ in the suffix; the store retries on the rare collision).
 */

export const RUN_ID_PATTERN = /^r\d{8}-\d{6}-[0-9a-f]{4}$/;

export function newRunId(startedAtMs: number, random: () => string = () => randomBytes(2).toString('hex')): string {
  const d = new Date(startedAtMs);
  if (Number.isNaN(d.getTime())) throw new RangeError(`startedAtMs ${startedAtMs} is not a time`);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const date = `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}`;
  const time = `${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
  return `r${date}-${time}-${random()}`;
}
