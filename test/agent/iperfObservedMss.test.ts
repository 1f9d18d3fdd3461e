import test from 'ava';
import { parseObservedMss } from '../../agent/iperf/observedMss.js';

// Shape of `ss -Hti dst 127.0.0.1` during a loopback `-M 1460 -P 1` run, trimmed: the server's
// receiving socket, the control connection (both ends) and the data stream.
const SS_OUTPUT = [
  'ESTAB 4702992 0       127.0.0.1:45205 127.0.0.1:41512',
  '\t cubic wscale:10,10 rto:200 mss:1448 pmtu:65535 rcvmss:1448 advmss:1448 cwnd:10 bytes_received:1734066245',
  'ESTAB 0       0       127.0.0.1:41502 127.0.0.1:45205',
  '\t cubic wscale:10,10 rto:204 mss:32768 pmtu:65535 rcvmss:536 advmss:65483 cwnd:13 bytes_sent:175 bytes_acked:176',
  'ESTAB 0       3419712 127.0.0.1:41512 127.0.0.1:45205',
  '\t cubic wscale:10,10 rto:204 mss:1448 pmtu:65535 rcvmss:536 advmss:1448 cwnd:1040 bytes_sent:1761335469',
  '',
].join('\n');

test('the MSS comes from the busiest socket toward the server port, not the unclamped control connection', (t) => {
  t.is(parseObservedMss(SS_OUTPUT, [45205]), 1448);
  const controlOnly = SS_OUTPUT.split('\n').slice(2, 4).join('\n');
  t.is(parseObservedMss(controlOnly, [45205]), 32768);
});

test('sockets toward other ports are ignored', (t) => {
  t.is(parseObservedMss(SS_OUTPUT, [5201]), null);
});

test('IPv6 peers in brackets are matched by port', (t) => {
  const v6 = 'ESTAB 0 0 [2001:2:0:1::1]:40000 [2001:2:0:1::2]:5201\n\t cubic mss:8928 bytes_sent:99\n';
  t.is(parseObservedMss(v6, [5201]), 8928);
});

test('empty or odd output gives null', (t) => {
  t.is(parseObservedMss('', [5201]), null);
  t.is(parseObservedMss('\t mss:1448\nnonsense', [5201]), null);
});
