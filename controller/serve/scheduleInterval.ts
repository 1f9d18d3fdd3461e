import { Cron } from 'croner';

/** How far ahead the gaps are looked at: a week holds every weekday and weekend pattern. */
const HORIZON_MS = 8 * 24 * 3_600_000;
/** Croner takes up to ~0.3 ms a start on sparse patterns: a bound on the time spent at startup. */
const MAX_STARTS = 1000;
/** Enough starts for two gaps, so a monthly or yearly schedule still has an interval. */
const MIN_STARTS = 3;

/**
 * The longest gap between two consecutive starts of a cron schedule, in seconds, over its next
 * starts from `fromMs` (a week of them, at least 3, at most 1000): "0 2 * * 1-5" gives 3 days (the
 * weekend), not 1. This is how long a healthy schedule can go without a run, which is what a
 * staleness alert must wait for. Null when the schedule has fewer than two more starts.
 */
export function scheduleIntervalSeconds(pattern: string, fromMs: number = Date.now()): number | null {
  const cron = new Cron(pattern, { paused: true });
  try {
    let previous = cron.nextRun(new Date(fromMs));
    let longestMs = -1;
    for (let starts = 1; previous && starts < MAX_STARTS; starts += 1) {
      const next = cron.nextRun(previous);
      if (!next) break;
      longestMs = Math.max(longestMs, next.getTime() - previous.getTime());
      previous = next;
      if (starts + 1 >= MIN_STARTS && next.getTime() - fromMs > HORIZON_MS) break;
    }
    return longestMs < 0 ? null : longestMs / 1000;
  } finally {
    cron.stop();
  }
}
