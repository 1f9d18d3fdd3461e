import test from 'ava';
import { probeSlot, withProbeRate } from '../../agent/probe/probeRate.js';

/** When each of `count` probes of one request could go, at `probesPerSecond` (null: no limit). */
async function slotTimes(probesPerSecond: number | null, count: number): Promise<number[]> {
  return withProbeRate(probesPerSecond, async () => {
    const times: number[] = [];
    for (let i = 0; i < count; i++) {
      await probeSlot();
      times.push(performance.now());
    }
    return times;
  });
}

// A floor, not a speed target: a paced request can never send faster than its grant, however fast
// the machine. (Timers fire at millisecond granularity, so one millisecond per gap is allowed.)
test('a request held to 200 probes per second never sends two probes closer than 5 ms apart on average', async (t) => {
  const times = await slotTimes(200, 21);
  const spanMs = times.at(-1)! - times[0]!;
  t.true(spanMs >= 20 * (5 - 1), `21 probes in ${spanMs.toFixed(1)} ms`);
});

test('the limit covers everything one request sends, its flows together, and no other request', async (t) => {
  const [together, other] = await Promise.all([
    withProbeRate(100, async () => {
      // Two flows of one sweep share the budget: 2 × 5 probes at 100/s take at least 9 gaps of 10 ms.
      const flows = await Promise.all([0, 1].map(async () => {
        const times: number[] = [];
        for (let i = 0; i < 5; i++) {
          await probeSlot();
          times.push(performance.now());
        }
        return times;
      }));
      const all = flows.flat().sort((a, b) => a - b);
      return all.at(-1)! - all[0]!;
    }),
    slotTimes(null, 50).then((times) => times.at(-1)! - times[0]!),
  ]);
  t.true(together >= 9 * (10 - 1), `10 probes of two flows in ${together.toFixed(1)} ms`);
  // Held to 100/s, its 50 slots would take at least 490 ms; a loaded machine stretches both, not that.
  t.true(other < 49 * 10, `a request without a limit is not held by another request's: 50 slots in ${other.toFixed(1)} ms`);
});
