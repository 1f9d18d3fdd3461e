import test from 'ava';
import { PmtuSearch, type PmtuSearchOptions, type PmtuSearchResult } from '../../agent/probe/pmtuSearch.js';
import { SimulatedPath, mulberry32, type SimulatedPathSpec } from './simulatedPath.js';

const FAMILIES = [4, 6] as const;

interface Sweep {
  result: PmtuSearchResult;
  roundsSizesBytes: number[][];
  trueMtuBytes: number;
}

/** The driver loop the agent runs, with the simulated path standing in for the network. */
function sweep(
  family: 4 | 6,
  spec: Omit<SimulatedPathSpec, 'rng'> & { seed?: number },
  options: Partial<PmtuSearchOptions> = {},
): Sweep {
  const path = new SimulatedPath({ ...spec, rng: mulberry32(spec.seed ?? 1) });
  const search = new PmtuSearch({ family, maxBytes: spec.deviceMtuBytes, ...options });
  const roundsSizesBytes: number[][] = [];
  for (let guard = 0; !search.done; guard += 1) {
    if (guard > 100) throw new Error('search does not terminate');
    const sizesBytes = search.nextRound();
    if (sizesBytes.length === 0) break;
    roundsSizesBytes.push(sizesBytes);
    search.record(path.sendAll(sizesBytes));
  }
  return { result: search.result(), roundsSizesBytes, trueMtuBytes: path.trueMtuBytes };
}

function isExact(s: Sweep): boolean {
  return s.result.complete && s.result.largestOkBytes === s.trueMtuBytes &&
    s.result.smallestFailBytes === s.trueMtuBytes + 1;
}

function describe(s: Sweep): string {
  const r = s.result;
  return `truth ${s.trueMtuBytes}: ${r.largestOkBytes}/${r.smallestFailBytes} complete=${r.complete} ` +
    `rounds=${r.rounds} stop=${r.stopReason}`;
}

for (const family of FAMILIES) {
  const v = `IPv${family}`;

  test(`${v}: a clean 9000-byte path is exact in one round, the NIC limit standing as the failure above it`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000 });
    t.is(s.result.largestOkBytes, 9000);
    t.is(s.result.smallestFailBytes, 9001);
    t.true(s.result.complete);
    t.true(s.result.reachable);
    t.deepEqual(s.result.failEvidence, { silent: 0, icmp: 0, local: 1, sendError: 0 });
    // BASE and seeds share round 1, so "≤ 2 rounds after BASE" is met with one round in total.
    t.is(s.result.rounds, 1);
    t.false(s.roundsSizesBytes.flat().some((size) => size > 9000), 'nothing above the NIC MTU is sent');
  });

  test(`${v}: a silent cap on a seed size (4470) is exact`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: 4470 });
    t.true(isExact(s), describe(s));
    t.is(s.result.failEvidence.silent >= 3, true);
    t.log(`silent cap 4470: ${s.result.rounds} rounds, ${s.result.probesSent} probes`);
  });

  for (const capBytes of [5123, 1500, 1280, 8999]) {
    test(`${v}: a silent cap at ${capBytes} is found byte-exact`, (t) => {
      const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: capBytes });
      t.true(isExact(s), describe(s));
      t.true(s.result.rounds <= 7, describe(s));
      t.log(`silent cap ${capBytes}: ${s.result.rounds} rounds, ${s.result.probesSent} probes`);
    });
  }

  test(`${v}: a router at 4000 that sends PTBs is exact with ICMP evidence in at most 3 rounds`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000, router: { mtuBytes: 4000, icmp: true, from: 'r1' } });
    t.true(isExact(s), describe(s));
    t.true(s.result.failEvidence.icmp >= 3);
    t.is(s.result.failEvidence.silent, 0);
    t.true(s.result.rounds <= 3, describe(s));
    t.true(s.roundsSizesBytes[1]?.includes(4000) && s.roundsSizesBytes[1]?.includes(4001),
      'the PTB value and value + 1 are probed in the next round');
    t.log(`icmp router 4000: ${s.result.rounds} rounds, ${s.result.probesSent} probes`);
  });

  test(`${v}: a PTB saying 4000 is not trusted when a silent switch further on caps at 3000`, (t) => {
    const s = sweep(family, {
      deviceMtuBytes: 9000, silentCapBytes: 3000, router: { mtuBytes: 4000, icmp: true, from: 'r1' },
    });
    t.true(isExact(s), describe(s));
    t.is(s.result.largestOkBytes, 3000);
    t.true(s.result.failEvidence.silent >= 3);
  });

  test(`${v}: a router at 4000 whose ICMP is filtered is found by silence`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000, router: { mtuBytes: 4000, icmp: false, from: 'r1' } });
    t.true(isExact(s), describe(s));
    t.true(s.result.failEvidence.silent >= 3);
    t.is(s.result.failEvidence.icmp, 0);
  });

  test(`${v}: a bogus PTB value (mtu ≥ the probe size, or below the minimum) is treated like no value`, (t) => {
    const router = { mtuBytes: 4000, icmp: true, from: 'r1' };
    const noValue = sweep(family, { deviceMtuBytes: 9000, router: { ...router, reportedMtuBytes: 0 } });
    const tooLarge = sweep(family, { deviceMtuBytes: 9000, router: { ...router, reportedMtuBytes: 9000 } });
    const tooSmall = sweep(family, { deviceMtuBytes: 9000, router: { ...router, reportedMtuBytes: 60 } });
    for (const s of [noValue, tooLarge, tooSmall]) t.true(isExact(s), describe(s));
    t.deepEqual(tooLarge.roundsSizesBytes, noValue.roundsSizesBytes);
    t.deepEqual(tooSmall.roundsSizesBytes, noValue.roundsSizesBytes);
  });

  test(`${v}: a dead path is reported unreachable, never as a small MTU`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: 0 });
    t.false(s.result.reachable);
    t.false(s.result.complete);
    t.is(s.result.largestOkBytes, null);
    t.is(s.result.smallestFailBytes, null);
    t.is(s.result.stopReason, 'unreachable');
    t.is(s.result.rounds, 1);
  });

  test(`${v}: a path that dies mid-sweep ends incomplete instead of proving a small MTU`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: 5123, diesAfterProbes: 30 });
    t.false(s.result.complete);
    t.is(s.result.stopReason, 'path-went-silent');
    t.true(s.result.largestOkBytes !== null && s.result.largestOkBytes <= 5123);
    t.true(s.result.smallestFailBytes !== null && s.result.smallestFailBytes > 5123,
      `the bracket still holds the truth: ${describe(s)}`);
  });

  test(`${v}: every silent cap from 1280 to 9000 is exact within 7 rounds without loss`, (t) => {
    // The driver pays one timeout per round that holds a silent probe, so rounds are the cost.
    // Budget: BASE + seeds (one round here) + ≤ 3 bisection rounds at k = 15 + confirmations.
    let worstRounds = 0;
    let worstProbes = 0;
    let worstCap = 0;
    for (let capBytes = 1280; capBytes <= 9000; capBytes += 1) {
      const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: capBytes });
      if (!isExact(s)) t.fail(describe(s));
      if (s.result.rounds > worstRounds) { worstRounds = s.result.rounds; worstCap = capBytes; }
      worstProbes = Math.max(worstProbes, s.result.probesSent);
    }
    t.true(worstRounds <= 7);
    t.true(worstProbes <= 120);
    t.log(`worst case: ${worstRounds} rounds (cap ${worstCap}), at most ${worstProbes} probes`);
  });

  test(`${v}: 2 % loss each way never changes the answer over 500 random silent caps`, (t) => {
    const rng = mulberry32(family * 1000 + 7);
    let exact = 0;
    let worstRounds = 0;
    let worstProbes = 0;
    const runs = 500;
    for (let run = 0; run < runs; run += 1) {
      const capBytes = 1280 + Math.floor(rng() * (9000 - 1280 + 1));
      const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: capBytes, lossEachWay: 0.02, seed: run + 1 });
      if (isExact(s)) exact += 1;
      else t.log(`run ${run}: ${describe(s)}`);
      worstRounds = Math.max(worstRounds, s.result.rounds);
      worstProbes = Math.max(worstProbes, s.result.probesSent);
    }
    t.is(exact, runs);
    t.log(`lossy worst case: ${worstRounds} rounds, ${worstProbes} probes`);
  });

  test(`${v}: running out of rounds gives an incomplete result whose bracket still holds the truth`, (t) => {
    const s = sweep(family, { deviceMtuBytes: 9000, silentCapBytes: 5123 }, { maxRounds: 2 });
    t.false(s.result.complete);
    t.is(s.result.stopReason, 'max-rounds');
    t.is(s.result.rounds, 2);
    const { largestOkBytes, smallestFailBytes } = s.result;
    t.true(largestOkBytes !== null && largestOkBytes <= 5123, describe(s));
    t.true(smallestFailBytes !== null && smallestFailBytes > 5123, describe(s));
  });

  test(`${v}: a size the NIC refused is never probed again, and nothing above it`, (t) => {
    // The caller believed 9000, the interface really sends 1500 (a wrong maxBytes, a route lock).
    const path = new SimulatedPath({ deviceMtuBytes: 1500, rng: mulberry32(3) });
    const search = new PmtuSearch({ family, maxBytes: 9000 });
    let firstRefusedBytes = Infinity;
    while (!search.done) {
      const sizesBytes = search.nextRound();
      t.false(sizesBytes.some((size) => size >= firstRefusedBytes), `re-probed ${sizesBytes.join(',')}`);
      const observations = path.sendAll(sizesBytes);
      for (const o of observations) {
        if (o.outcome === 'too-big-local') firstRefusedBytes = Math.min(firstRefusedBytes, o.sizeBytes);
      }
      search.record(observations);
    }
    const r = search.result();
    t.is(r.largestOkBytes, 1500);
    t.is(r.smallestFailBytes, 1501);
    t.true(r.complete);
    t.is(r.failEvidence.local, 1);
  });

  test(`${v}: random caps and loss up to 5 % never yield a size above the truth, and complete means exact`, (t) => {
    const rng = mulberry32(family * 31 + 5);
    let complete = 0;
    const runs = 400;
    for (let run = 0; run < runs; run += 1) {
      const capBytes = 1280 + Math.floor(rng() * (9000 - 1280 + 1));
      const kind = Math.floor(rng() * 3);
      const spec: Omit<SimulatedPathSpec, 'rng'> & { seed: number } = {
        deviceMtuBytes: 9000,
        lossEachWay: rng() * 0.05,
        seed: 10_000 + run,
        ...(kind === 0 ? { silentCapBytes: capBytes } : {}),
        ...(kind > 0 ? { router: { mtuBytes: capBytes, icmp: kind === 1, from: 'r1' } } : {}),
      };
      const s = sweep(family, spec);
      const { largestOkBytes } = s.result;
      if (largestOkBytes !== null && largestOkBytes > s.trueMtuBytes) t.fail(`false pass: ${describe(s)}`);
      if (s.result.complete && !isExact(s)) t.fail(`wrong proof: ${describe(s)}`);
      if (s.result.complete) complete += 1;
    }
    t.pass();
    t.log(`${complete} of ${runs} runs complete`);
  });
}

test('IPv4: a cap below BASE signalled by PTB is searched below BASE', (t) => {
  const s = sweep(4, { deviceMtuBytes: 1500, router: { mtuBytes: 1000, icmp: true, from: 'r1' } });
  t.true(isExact(s), describe(s));
});

test('IPv4: a silent cap below BASE is found once the minimum-size probe passes', (t) => {
  const s = sweep(4, { deviceMtuBytes: 1500, silentCapBytes: 1000 });
  t.true(isExact(s), describe(s));
});

test('a path where every send fails is unreachable', (t) => {
  const search = new PmtuSearch({ family: 6, maxBytes: 9000 });
  const sizesBytes = search.nextRound();
  search.record(sizesBytes.map((sizeBytes) => ({ sizeBytes, outcome: 'send-error' as const, icmp: null })));
  t.true(search.done);
  t.false(search.result().reachable);
  t.deepEqual(search.nextRound(), []);
});

test('late results are credited to the round they were sent in', (t) => {
  // Cap 4470. The round-2 result for 4471 arrives only with round 3; tagged with its round it is a
  // second round of evidence, so the proof closes after round 4 (rounds 2, 3, 4).
  const search = new PmtuSearch({ family: 4, maxBytes: 9000 });
  const path = new SimulatedPath({ deviceMtuBytes: 9000, silentCapBytes: 4470, rng: mulberry32(1) });
  search.record(path.sendAll(search.nextRound()));
  const second = path.sendAll(search.nextRound());
  const late = second.filter((o) => o.sizeBytes === 4471).map((o) => ({ ...o, round: 2 }));
  t.is(late.length, 1);
  search.record(second.filter((o) => o.sizeBytes !== 4471));
  search.record([...path.sendAll(search.nextRound()), ...late]);
  t.false(search.done);
  search.record(path.sendAll(search.nextRound()));
  t.true(search.done);
  const r = search.result();
  t.true(r.complete);
  t.is(r.rounds, 4);
  t.is(r.largestOkBytes, 4470);
});

test('invalid options are rejected', (t) => {
  t.throws(() => new PmtuSearch({ family: 6, maxBytes: 1000 }), { instanceOf: RangeError });
  t.throws(() => new PmtuSearch({ family: 4, maxBytes: 1500, widthPerRound: 0 }), { instanceOf: RangeError });
});
