/*
 * node dist/test/helpers/stallableResponder.js BIND_ADDRESS
 *
 * A keyed UDP responder as its own process, so a lab test can SIGSTOP it (a stalled peer agent)
 * and SIGCONT it. Prints one JSON line {port, keyHex} once bound, then answers until SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import { openUdpResponder } from '../../agent/probe/udpResponder.js';

const bindAddress = process.argv[2];
if (!bindAddress) {
  console.error('usage: stallableResponder.js BIND_ADDRESS');
  process.exit(2);
}
const keyHex = randomBytes(16).toString('hex');
const responder = await openUdpResponder({ bindAddress, keyHex, ttlMs: 600_000 });
process.on('SIGTERM', () => void responder.close().then(() => process.exit(0)));
console.log(JSON.stringify({ port: responder.port, keyHex }));
