import test from 'ava';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { labUp } from '../../scripts/lab/labUp.js';
import { cleanPath } from '../../scripts/lab/topologies.js';
import type { Lab } from '../../scripts/lab/lab.js';
import type { StartedProcess } from '../../scripts/lab/run.js';
import { PmtuSweepResult } from '../../proto/pmtuSweep.js';
import { pmtuInconclusive } from '../../controller/pmtu/pmtuInconclusive.js';
import { pmtuVerdict } from '../../controller/pmtu/pmtuVerdict.js';

const RESPONDER = fileURLToPath(new URL('../helpers/stallableResponder.js', import.meta.url));
const SWEEP = fileURLToPath(new URL('../helpers/sweepOnce.js', import.meta.url));
/** Past the first handshake round (300 ms) and well inside the bound (about 11 s). */
const STALL_MS = 1500;

/** Resolves with every line up to and including the first one `match` accepts. */
function lineOf(stream: Readable | null, match: (line: string) => boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    if (!stream) return reject(new Error('no stdout'));
    let text = '';
    const onData = (chunk: string) => {
      text += chunk;
      const line = text.split('\n').slice(0, -1).find(match);
      if (line !== undefined) {
        stream.off('data', onData);
        resolve(line);
      }
    };
    stream.on('data', onData);
    stream.once('end', () => reject(new Error(`stream ended without the expected line: ${text.trim()}`)));
  });
}

/** A responder process on h2, its teardown registered before it can be stopped. */
async function responderOnH2(t: import('ava').ExecutionContext, lab: Lab): Promise<{ process: StartedProcess; port: number; keyHex: string }> {
  const process = lab.spawn('h2', [globalThis.process.execPath, RESPONDER, lab.hosts.h2!.v4]);
  // SIGCONT first: a stopped process ignores SIGTERM until it runs again.
  t.teardown(async () => { process.kill('SIGCONT'); await process.stop(); });
  const line = await lineOf(process.stdout, (l) => l.startsWith('{')).catch(async (error: Error) => {
    const result = await process.result;
    throw new Error(`responder on h2 did not start (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim()}`, { cause: error });
  });
  const { port, keyHex } = JSON.parse(line) as { port: number; keyHex: string };
  return { process, port, keyHex };
}

async function sweepFromH1(lab: Lab, target: { port: number; keyHex: string }, whenSweeping: () => void): Promise<PmtuSweepResult> {
  const request = { v: 1, mode: 'peer', sourceAddress: lab.hosts.h1!.v4, target: { address: lab.hosts.h2!.v4, port: target.port, keyHex: target.keyHex }, maxRounds: 24 };
  const sweep = lab.spawn('h1', [process.execPath, SWEEP, JSON.stringify(request)], { timeoutMs: 60_000 });
  await lineOf(sweep.stdout, (l) => l === 'sweeping').catch(async (error: Error) => {
    const result = await sweep.result;
    throw new Error(`sweep on h1 did not start (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim()} ${result.stdout.trim()}`, { cause: error });
  });
  whenSweeping();
  const result = await sweep.result;
  const line = result.stdout.split('\n').find((l) => l.startsWith('{'));
  if (!line) throw new Error(`sweep printed no result (exit ${result.exitCode}): ${result.stderr.trim()}`);
  return PmtuSweepResult.parse(JSON.parse(line));
}

const ends = { senderName: 'h1', receiverName: 'h2', senderNic: null, receiverNic: null };

test.serial('a peer whose responder stalls past the first handshake round is waited for and reads 9000 ok', async (t) => {
  const lab = await labUp(cleanPath());
  t.teardown(() => lab.down());
  const responder = await responderOnH2(t, lab);
  responder.process.kill('SIGSTOP');
  let resume: NodeJS.Timeout | undefined;
  t.teardown(() => clearTimeout(resume));
  const sweep = await sweepFromH1(lab, responder, () => {
    resume = setTimeout(() => responder.process.kill('SIGCONT'), STALL_MS);
  });
  t.log(`handshake ${JSON.stringify(sweep.handshake)}, ${sweep.probesSent} probes in ${sweep.elapsedMs} ms`);
  t.true(sweep.handshake!.attempts >= 2, 'the first handshake round went unanswered: the stall was real');
  t.true(sweep.handshake!.answered > 0);
  t.is(sweep.largestOkBytes, 9000);
  t.true(sweep.complete);
  t.is(pmtuInconclusive(sweep), null);
  t.is(pmtuVerdict(sweep, ends).verdict, 'ok');
});

test.serial('a peer whose responder never answers while its host does is inconclusive (peer too slow), not unreachable', async (t) => {
  const lab = await labUp(cleanPath());
  t.teardown(() => lab.down());
  const responder = await responderOnH2(t, lab);
  responder.process.kill('SIGSTOP');
  const sweep = await sweepFromH1(lab, responder, () => {});
  t.log(`handshake ${JSON.stringify(sweep.handshake)}, ${sweep.probesSent} probes in ${sweep.elapsedMs} ms`);
  t.is(sweep.handshake!.answered, 0);
  t.true(sweep.handshake!.hostAnsweredEcho === true, "h2's kernel answers echo although its responder is stopped");
  t.true(sweep.handshake!.neighbourEntry === true, "h1's kernel resolved h2");
  const inconclusive = pmtuInconclusive(sweep);
  t.is(inconclusive?.reason, 'peer too slow');
  t.is(inconclusive?.handshakeAnswered, 0);
  t.is(inconclusive?.handshakeAttempts, sweep.handshake!.attempts);
});

test.serial('a peer host that is gone (no responder, no echo) still reads unreachable', async (t) => {
  const lab = await labUp(cleanPath());
  t.teardown(() => lab.down());
  // h2's data NIC down: nothing on the path answers, neither a responder nor a kernel.
  const down = await lab.exec('h2', ['ip', 'link', 'set', 'eth0', 'down']);
  t.is(down.exitCode, 0, down.stderr);
  const sweep = await sweepFromH1(lab, { port: 9, keyHex: '0'.repeat(32) }, () => {});
  t.is(sweep.handshake!.answered, 0);
  t.false(sweep.handshake!.hostAnsweredEcho);
  t.true(sweep.handshake!.neighbourEntry === true, 'an unanswered ARP still leaves an entry: only a full table leaves none');
  t.is(pmtuInconclusive(sweep), null);
  t.is(pmtuVerdict(sweep, ends).verdict, 'unreachable');
});
