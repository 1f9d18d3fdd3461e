import test from 'ava';
import { readLldpNeighbours } from '../../agent/nic/readLldpNeighbours.js';

test('with no lldpd on the socket the facts say so plainly, and no NIC claims a neighbour', async (t) => {
  const reading = await readLldpNeighbours('/nonexistent/pathprobe-test-lldpd.socket');
  t.is(reading.byInterface, null);
  t.false(reading.state.available);
  t.is(reading.state.socket, '/nonexistent/pathprobe-test-lldpd.socket');
  t.regex(reading.state.detail, /^no lldpd on \/nonexistent\/pathprobe-test-lldpd\.socket \(unable to connect to socket .*\): no LLDP neighbours known$/);
});
