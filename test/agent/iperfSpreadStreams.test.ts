import test from 'ava';
import { iperfClientArgs, spreadStreams, wholeSeconds } from '../../agent/iperf/runIperfClients.js';
import { CONTRACT_VERSION } from '../../proto/contractVersion.js';
import type { IperfRunRequest } from '../../proto/throughput.js';

test('streams spread evenly over the ports, the first ports taking the remainder', (t) => {
  t.deepEqual(spreadStreams(4, [5201, 5202]), [{ port: 5201, streams: 2 }, { port: 5202, streams: 2 }]);
  t.deepEqual(spreadStreams(5, [5201, 5202]), [{ port: 5201, streams: 3 }, { port: 5202, streams: 2 }]);
  t.deepEqual(spreadStreams(128, [1, 2, 3]).map((p) => p.streams), [43, 43, 42]);
});

test('fewer streams than ports use one process per stream and leave the other ports unused', (t) => {
  t.deepEqual(spreadStreams(2, [5201, 5202, 5203, 5204]), [{ port: 5201, streams: 1 }, { port: 5202, streams: 1 }]);
});

test('milliseconds round up to the whole seconds iperf3 3.12 accepts', (t) => {
  t.is(wholeSeconds(0), 0);
  t.is(wholeSeconds(1000), 1);
  t.is(wholeSeconds(1001), 2);
  t.is(wholeSeconds(2500), 3);
});

const base: IperfRunRequest = {
  v: CONTRACT_VERSION,
  target: { address: '198.18.1.2', ports: [5201] },
  streams: 4,
  mssBytes: null,
  durationMs: 3000,
  omitMs: 1000,
  congestionControl: 'cubic',
};

test('a client argv carries every request field as its own argument, without -M for the kernel MSS', (t) => {
  t.deepEqual(iperfClientArgs(base, 5201, 4), [
    '-c', '198.18.1.2', '-p', '5201', '-J', '-t', '3', '-O', '1', '-P', '4', '-C', 'cubic', '--connect-timeout', '3000',
  ]);
});

test('an MSS and a source address add -M and -B', (t) => {
  const args = iperfClientArgs({ ...base, mssBytes: 1460, sourceAddress: '198.18.1.1' }, 5202, 2);
  t.deepEqual(args.slice(args.indexOf('-M'), args.indexOf('-M') + 2), ['-M', '1460']);
  t.deepEqual(args.slice(args.indexOf('-B'), args.indexOf('-B') + 2), ['-B', '198.18.1.1']);
});
