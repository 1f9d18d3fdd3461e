import test, { type ExecutionContext } from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/repoPaths.js';

/*
 * docs/deploy/systemd/ checked by systemd's own tools, which need no running systemd (this
 * machine has none as PID 1, and nothing here starts a unit):
 * - `systemd-analyze verify` parses a unit and checks that ExecStart's program exists. The units
 *   name /usr/bin/node (where Debian's and NodeSource's packages put it); so that the check does
 *   not depend on where node lives on the machine running the tests, each unit is verified as a
 *   copy in a temporary folder with that program replaced by this process's node. Verify exits 0
 *   on an unknown directive or a bad value, only warning on stderr, so any stderr is a failure.
 * - `systemd-analyze security --offline=yes --threshold=N` scores the sandbox from the file alone
 *   and exits non-zero above N (tenths: 20 = an exposure of 2.0 of 10).
 */

const DIR = join(REPO_ROOT, 'docs', 'deploy', 'systemd');
const UNITS = ['pathprobe-agent.service', 'pathprobe-serve.service'] as const;
const EXPOSURE_THRESHOLD = '20';
const INSTALL_ROOT = '/opt/pathprobe/';

interface Run { exitCode: number; stdout: string; stderr: string }

function run(program: string, args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(program, args, { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error?.code === 'ENOENT') {
        reject(new Error(`${program} is not installed (Debian package systemd): run scripts/setup`));
        return;
      }
      resolve({ exitCode: error ? (typeof error.code === 'number' ? error.code : 128) : 0, stdout, stderr });
    });
  });
}

/** The [Service] (or other section's) directives: each key with every value it was given, in order. */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let section: Map<string, string[]> | undefined;
  for (const line of text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      section = new Map();
      sections.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf('=');
    if (!section || eq < 0) throw new Error(`not a unit file line: ${line}`);
    const key = line.slice(0, eq).trim();
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const unitText = (name: string): string => readFileSync(join(DIR, name), 'utf8');

function service(name: string): Map<string, string[]> {
  const section = parseUnit(unitText(name)).get('Service');
  if (!section) throw new Error(`${name} has no [Service] section`);
  return section;
}

/** The directive's last value (systemd takes the last one for single-valued settings). */
const last = (directives: Map<string, string[]>, key: string): string | undefined => directives.get(key)?.at(-1);

/** KEY=value lines of an environment file, quotes removed as systemd removes them. */
function parseEnvironmentFile(text: string): Map<string, string> {
  const vars = new Map<string, string>();
  for (const line of text.split('\n').map((l) => l.trim())) {
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!match) throw new Error(`not KEY=value: ${line}`);
    vars.set(match[1]!, match[2]!.replace(/^"(.*)"$/, '$1').replace(/^'(.*)'$/, '$1'));
  }
  return vars;
}

/** Writes `text` as `name` into a fresh temporary folder removed when the test ends. */
async function unitCopy(t: ExecutionContext, name: string, text: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'pathprobe-systemd-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, name);
  await writeFile(path, text);
  return path;
}

/** The unit with ExecStart's program replaced by this node (see the comment at the top). */
const withThisNode = (text: string): string => text.replace(/^(ExecStart=)\/usr\/bin\/node /m, `$1${process.execPath} `);

const verify = (path: string): Promise<Run> => run('systemd-analyze', ['verify', '--man=no', path]);
const security = (path: string): Promise<Run> =>
  run('systemd-analyze', ['security', '--offline=yes', `--threshold=${EXPOSURE_THRESHOLD}`, '--no-pager', path]);

for (const name of UNITS) {
  test(`${name} passes systemd-analyze verify without a warning`, async (t) => {
    const result = await verify(await unitCopy(t, name, withThisNode(unitText(name))));
    t.is(result.stderr, '');
    t.is(result.exitCode, 0);
  });

  test(`${name} keeps its sandbox exposure at or under ${Number(EXPOSURE_THRESHOLD) / 10} by systemd-analyze security`, async (t) => {
    const result = await security(await unitCopy(t, name, unitText(name)));
    t.is(result.exitCode, 0, result.stdout.split('\n').filter((l) => l.includes('Overall exposure')).join('\n') || result.stderr);
  });

  test(`${name} runs a program the package builds, as the pathprobe user, restarted on failure, options from its environment file`, (t) => {
    const directives = service(name);
    const execStart = last(directives, 'ExecStart') ?? '';
    const [program, script] = execStart.split(/\s+/);
    t.is(program, '/usr/bin/node');
    t.true(script?.startsWith(INSTALL_ROOT), `${script} is under ${INSTALL_ROOT}`);
    t.true(existsSync(join(REPO_ROOT, script!.slice(INSTALL_ROOT.length))), `${script} is built by npm run build`);
    t.is(last(directives, 'User'), 'pathprobe');
    t.is(last(directives, 'Restart'), 'on-failure');

    // A mandatory file (no leading "-"): a unit that starts without its options would fail later, less clearly.
    const environmentFile = last(directives, 'EnvironmentFile') ?? '';
    t.regex(environmentFile, /^\/etc\/default\/pathprobe-(agent|serve)$/);
    const example = parseEnvironmentFile(readFileSync(join(DIR, 'default', environmentFile.split('/').at(-1)!), 'utf8'));
    const used = [...execStart.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g)].map((m) => m[1]!);
    t.true(used.length > 0);
    for (const variable of used) t.true(example.has(variable), `the example ${environmentFile} sets ${variable}`);
  });
}

test('both units are sandboxed read-only, without new privileges, home or shared /tmp, and with native system calls only', (t) => {
  for (const name of UNITS) {
    const directives = service(name);
    const expected: Record<string, string> = {
      NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes',
      LockPersonality: 'yes', SystemCallArchitectures: 'native',
    };
    for (const [key, value] of Object.entries(expected)) t.is(last(directives, key), value, `${name} ${key}`);
    // V8's JIT writes executable memory: MemoryDenyWriteExecute=yes would kill Node at start.
    t.false(directives.has('MemoryDenyWriteExecute'), `${name} sets MemoryDenyWriteExecute`);
    // The state and log directories systemd makes for the service are its only writable paths.
    t.false(directives.has('ReadWritePaths'), `${name} opens other writable paths`);
  }
});

test('the agent unit holds CAP_NET_RAW and nothing else, with the socket families the probes, ip, ethtool and lldpctl use', (t) => {
  const agent = service('pathprobe-agent.service');
  t.is(last(agent, 'AmbientCapabilities'), 'CAP_NET_RAW');
  t.is(last(agent, 'CapabilityBoundingSet'), 'CAP_NET_RAW');
  t.deepEqual(last(agent, 'RestrictAddressFamilies')?.split(/\s+/).sort(), ['AF_INET', 'AF_INET6', 'AF_NETLINK', 'AF_UNIX']);
});

test('the serve unit holds no capability and keeps its database in its own state directory', (t) => {
  const serve = service('pathprobe-serve.service');
  t.is(last(serve, 'CapabilityBoundingSet'), '');
  t.false(serve.has('AmbientCapabilities'));
  t.is(last(serve, 'StateDirectory'), 'pathprobe');
  const example = parseEnvironmentFile(readFileSync(join(DIR, 'default', 'pathprobe-serve'), 'utf8'));
  t.true(example.get('PATHPROBE_DB')?.startsWith('/var/lib/pathprobe/'), 'the example database is in StateDirectory, the one writable place');
});

test('the checks catch a misspelt directive, a missing program and a loosened sandbox', async (t) => {
  const agent = withThisNode(unitText('pathprobe-agent.service'));

  const misspelt = await verify(await unitCopy(t, 'pathprobe-agent.service', agent.replace('ProtectSystem=strict', 'ProtectSytem=strict')));
  t.regex(misspelt.stderr, /ProtectSytem/);

  const badValue = await verify(await unitCopy(t, 'pathprobe-agent.service', agent.replace('ProtectSystem=strict', 'ProtectSystem=strictly')));
  t.regex(badValue.stderr, /protect system|ProtectSystem/i);

  const missing = await verify(await unitCopy(t, 'pathprobe-agent.service', agent.replace(process.execPath, '/nonexistent/node')));
  t.not(missing.exitCode, 0);

  const loosened = agent.split('\n').filter((line) => !/^(Protect|Private|Restrict|SystemCall|CapabilityBoundingSet)/.test(line)).join('\n');
  const exposed = await security(await unitCopy(t, 'pathprobe-agent.service', loosened));
  t.not(exposed.exitCode, 0);
});
