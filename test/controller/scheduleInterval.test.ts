import test from 'ava';
import { scheduleIntervalSeconds } from '../../controller/serve/scheduleInterval.js';

/** A Monday noon, far from any daylight-saving change in either hemisphere. */
const MONDAY_NOON_MS = Date.UTC(2026, 11, 7, 12);

for (const [pattern, seconds, why] of [
  ['0 2 * * *', 86_400, 'every night: a day'],
  ['0 2 * * 1-5', 3 * 86_400, 'weekdays only: the weekend, not a day'],
  ['*/5 * * * * *', 5, 'a 6th leading field is seconds'],
  ['0 2 1 * *', 31 * 86_400, 'monthly: the longest month ahead'],
] as const) {
  test(`the interval of "${pattern}" is ${seconds} s (${why})`, (t) => {
    t.is(scheduleIntervalSeconds(pattern, MONDAY_NOON_MS), seconds);
  });
}

test('a schedule that never starts again has no interval', (t) => {
  t.is(scheduleIntervalSeconds('0 0 30 2 *', MONDAY_NOON_MS), null);
});
