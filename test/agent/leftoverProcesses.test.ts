import test from 'ava';
import { agentMarkerOf, leftoversAmong, parseProcStat, type ProcEntry } from '../../agent/leftoverProcesses.js';

/*
 * Captured on Debian 12 from an orphaned iperf3 (its starting shell had exited, so ppid 1, and it
 * stayed in that shell's process group):
 *   (env -i PATH=/usr/bin:/bin PATHPROBE_AGENT=198.19.0.1:7420 setpriv --pdeathsig SIGKILL -- \
 *     iperf3 -s -1 -p 5999 -B 127.0.0.1 &); cat /proc/$PID/stat /proc/$PID/environ; readlink /proc/$PID/ns/net
 */
const ORPHAN_STAT = '13227 (iperf3) S 1 13221 10088 0 -1 4194304 409 0 0 0 0 1 0 0 20 0 1 0 1430282 8433664 909 18446744073709551615 94687663546368 94687663547873 140736412394720 0 0 0 0 4100 16387 1 0 0 17 1 0 0 0 0 0 94687663557864 94687663558672 94688684871680 140736412401555 140736412401589 140736412401589 140736412401640 0\n';
const ORPHAN_ENVIRON = 'PATH=/usr/bin:/bin\0PATHPROBE_AGENT=198.19.0.1:7420\0';
const NETNS = 'net:[4026531833]';
const OWN = { identity: '198.19.0.1:7420', selfPid: 500, netns: NETNS };

/** The captured orphan, with one thing changed. */
function entry(overrides: Partial<ProcEntry> = {}): ProcEntry {
  return { pid: 13227, environ: ORPHAN_ENVIRON, stat: ORPHAN_STAT, netns: NETNS, ...overrides };
}

test('stat: command, state, parent and process group, even when the command holds spaces and parentheses', (t) => {
  t.deepEqual(parseProcStat(ORPHAN_STAT), { command: 'iperf3', state: 'S', ppid: 1, pgid: 13221 });
  t.deepEqual(parseProcStat('42 (a) b (c)) R 7 42 0'), { command: 'a) b (c)', state: 'R', ppid: 7, pgid: 42 });
  t.is(parseProcStat('garbage'), null);
});

test('the marker is read from a NUL-separated environ, and only as a whole variable', (t) => {
  t.is(agentMarkerOf(ORPHAN_ENVIRON), '198.19.0.1:7420');
  t.is(agentMarkerOf('PATH=/usr/bin\0'), null);
  t.is(agentMarkerOf('X_PATHPROBE_AGENT=198.19.0.1:7420\0'), null);
  t.is(agentMarkerOf(''), null);
});

test('an orphan carrying exactly this identity in this network namespace is a leftover', (t) => {
  t.deepEqual(leftoversAmong([entry()], OWN), [{ pid: 13227, command: 'iperf3', ppid: 1, pgid: 13221 }]);
});

test('a process of any parent (not only PID 1) with the marker is a leftover, but never our own child nor ourselves', (t) => {
  const otherParent = entry({ stat: ORPHAN_STAT.replace(' S 1 ', ' S 777 ') });
  t.is(leftoversAmong([otherParent], OWN).length, 1);
  t.deepEqual(leftoversAmong([entry({ stat: ORPHAN_STAT.replace(' S 1 ', ' S 500 ') })], OWN), []);
  t.deepEqual(leftoversAmong([entry({ pid: 500 })], OWN), []);
});

test('another identity, a prefix of ours, no marker, another namespace or an unreadable one are never touched', (t) => {
  const untouched = [
    entry({ environ: 'PATHPROBE_AGENT=198.19.0.2:7420\0' }),
    entry({ environ: 'PATHPROBE_AGENT=198.19.0.1:74200\0' }),
    entry({ environ: 'PATHPROBE_AGENT=198.19.0.1:742\0' }),
    entry({ environ: 'PATH=/usr/bin\0' }),
    // The same address:port in another namespace is another agent (another lab, another container).
    entry({ netns: 'net:[4026532999]' }),
    entry({ netns: null }),
  ];
  t.deepEqual(leftoversAmong(untouched, OWN), []);
});

test('a zombie is already dead and is left to whoever reaps it', (t) => {
  t.deepEqual(leftoversAmong([entry({ stat: ORPHAN_STAT.replace(' S 1 ', ' Z 1 ') })], OWN), []);
});
