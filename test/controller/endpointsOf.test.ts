import test from 'ava';
import type { AgentFactsResponse } from '../../proto/agentFacts.js';
import { endpointsOf } from '../../controller/plan/endpointsOf.js';
import type { Plan } from '../../controller/model/plan.js';

function factsWith(addresses: string[]): AgentFactsResponse {
  return {
    v: 1, hostname: 'h1', agentVersion: '0.1.0', contractVersions: [1], kernel: '6.1', cpuCount: 1,
    nics: [{ name: 'eth0', mtuBytes: 9000, addresses, macAddress: null, speedMbps: null, driver: null, operState: 'up' }],
  };
}

function planOf(addresses: string[] | 'all'): Plan {
  return { agents: [{ name: 'h1', url: 'http://198.19.0.1:7420', addresses, labels: {} }] } as unknown as Plan;
}

test('addresses: all tests every global address and never loopback or any link-local one', (t) => {
  const facts = new Map([['h1', factsWith([
    '198.18.1.1/24', '127.0.0.1/8', '169.254.10.1/16', '2001:2:0:1::1/64', '::1/128', 'fe80::1/64', 'fe9a::2/64', 'febf::3/64',
  ])]]);
  t.deepEqual(endpointsOf(planOf('all'), facts).get('h1'), ['198.18.1.1', '2001:2:0:1::1']);
});

test('listed addresses stand even when the agent gave no facts', (t) => {
  t.deepEqual(endpointsOf(planOf(['198.18.1.1']), new Map()).get('h1'), ['198.18.1.1']);
});
