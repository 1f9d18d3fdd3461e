import test from 'ava';
import { AGENT_API } from '../../../proto/agentApi.js';
import { OpenResponderRequest } from '../../../proto/responder.js';
import { PmtuSweepRequest } from '../../../proto/pmtuSweep.js';
import { pmtuReport } from '../../../controller/pmtu/pmtuReport.js';
import {
  SIMULATED_MTU_BYTES, simulatedCloseResponder, simulatedDataAddress, simulatedFacts, simulatedOpenResponder, simulatedSweep,
} from '../../../scripts/bench/simulatedAgentAnswers.js';

const peerSweep = (flows: number) => PmtuSweepRequest.parse({
  v: 1, mode: 'peer', sourceAddress: '198.18.0.1', target: { address: '198.18.0.2', port: 9, keyHex: 'ab'.repeat(16) }, flows,
});

test('simulated agents get distinct data addresses inside 198.18.0.0/15, and none past its end', (t) => {
  const addresses = Array.from({ length: 5000 }, (_, i) => simulatedDataAddress(i));
  t.is(new Set(addresses).size, 5000);
  t.is(addresses[0], '198.18.0.1');
  t.is(addresses[255], '198.18.1.0');
  t.is(simulatedDataAddress(0xffff), '198.19.0.0');
  t.true(addresses.every((a) => /^198\.1[89]\.\d+\.\d+$/.test(a)));
  t.throws(() => simulatedDataAddress(0x1_fffe), { instanceOf: RangeError });
});

test('a simulated agent\'s facts, responder and close answers are valid answers of the agent API', (t) => {
  const facts = AGENT_API.facts.response.safeParse(simulatedFacts(41));
  t.true(facts.success, JSON.stringify(facts.error?.issues));
  t.true(simulatedFacts(41).nics.some((nic) => nic.addresses.includes(`${simulatedDataAddress(41)}/15`)));
  const opened = simulatedOpenResponder(OpenResponderRequest.parse({ v: 1, bindAddress: '198.18.0.42' }), 9, 1000);
  t.true(AGENT_API.openResponder.response.safeParse(opened).success);
  t.is(opened.expiresAtMs, 1000 + 120_000, 'the request\'s default ttl');
  t.true(AGENT_API.closeResponder.response.safeParse(simulatedCloseResponder(opened.responderId)).success);
});

for (const flows of [1, 23]) {
  test(`a simulated ${flows}-flow sweep is a valid answer that the controller reads as an ok ${SIMULATED_MTU_BYTES}-byte direction`, (t) => {
    const sweep = simulatedSweep(peerSweep(flows), '198.18.0.1');
    const parsed = AGENT_API.sweep.response.safeParse(sweep);
    t.true(parsed.success, JSON.stringify(parsed.error?.issues));
    t.is(sweep.flows?.length ?? 1, flows);
    t.is(sweep.targetAddress, '198.18.0.2');
    const nic = simulatedFacts(0).nics[1]!;
    const end = (name: string, address: string) => ({ name, url: `http://127.0.0.1/${name}`, address, facts: null, nic });
    const report = pmtuReport({
      mode: 'peer', from: end('sim1', '198.18.0.1'), to: end('sim2', '198.18.0.2'),
      forward: { ok: true, sweep }, reverse: { ok: true, sweep: simulatedSweep(peerSweep(flows), '198.18.0.2') },
    });
    const [forward, reverse] = [report.forward, report.reverse];
    t.is(forward.verdict, 'ok', JSON.stringify(forward));
    t.is('pathMtu' in forward ? forward.pathMtu : null, SIMULATED_MTU_BYTES);
    t.is(reverse?.verdict, 'ok');
  });
}
