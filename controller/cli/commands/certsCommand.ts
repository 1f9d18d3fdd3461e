import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import type { Argv, CommandModule } from 'yargs';
import { PathprobeError } from '../../../proto/errorCodes.js';
import { CA_DAYS, LEAF_DAYS } from '../../pki/certificateDays.js';
import type { CertificateRole, PemPair } from '../../pki/privatePki.js';

/** Loaded only here: the X.509 library and its polyfill are not for every command to pay. */
const pki = () => import('../../pki/privatePki.js');

interface CertsArgs { dir: string; days?: number; name?: string; role?: string; ip: string[]; dns: string[] }

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

/** Never overwrites: a second `init` would orphan every certificate the first CA signed. */
async function writeNew(path: string, text: string, mode: number): Promise<void> {
  await writeFile(path, text, { mode, flag: 'wx' }).catch((error: NodeJS.ErrnoException) => {
    const why = error.code === 'EEXIST' ? 'it exists already; remove it first to replace it' : error.code ?? error.message;
    throw new PathprobeError('ERR_USAGE', `cannot write ${path}: ${why}`, { cause: error });
  });
}

async function writePair(dir: string, base: string, pair: PemPair): Promise<string[]> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const certificatePath = join(dir, `${base}.pem`);
  const keyPath = join(dir, `${base}-key.pem`);
  // The key first: a certificate without its key is useless, a key alone is merely unused.
  await writeNew(keyPath, pair.keyPem, 0o600);
  await writeNew(certificatePath, pair.certificatePem, 0o644);
  return [certificatePath, keyPath];
}

async function readCa(dir: string): Promise<PemPair> {
  const read = (file: string) => readFile(join(dir, file), 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new PathprobeError('ERR_USAGE', `cannot read ${join(dir, file)}: ${error.code ?? error.message} (make a CA first: pathprobe certs init --dir ${dir})`, { cause: error });
  });
  return { certificatePem: await read('ca.pem'), keyPem: await read('ca-key.pem') };
}

function days(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 3650) throw new PathprobeError('ERR_USAGE', `--days ${value}: a whole number of days from 1 to 3650`);
  return value;
}

const DIR_OPTION = { type: 'string', default: 'pki', describe: 'directory of the CA and the certificates' } as const;

/**
 * `pathprobe certs init | issue agent NAME | issue controller NAME`: a private PKI for mutual TLS
 * between controllers and agents, with no tool beyond pathprobe itself.
 */
export const certsCommand: CommandModule<object, CertsArgs> = {
  command: 'certs',
  describe: 'make a small private PKI for TLS: certs init, certs issue agent NAME, certs issue controller NAME',
  builder: (yargs: Argv) => yargs
    .command<CertsArgs>('init', 'create a CA (DIR/ca.pem and DIR/ca-key.pem)', (y) => y
      .option('dir', DIR_OPTION)
      .option('name', { type: 'string', default: 'pathprobe CA', describe: 'the CA\'s common name' })
      .option('days', { type: 'number', describe: `validity (default ${CA_DAYS})` }) as unknown as Argv<CertsArgs>, async (argv) => {
      const files = await writePair(argv.dir, 'ca', await (await pki()).createCa({ name: argv.name!, days: days(argv.days, CA_DAYS) }));
      process.stdout.write(`CA "${argv.name}" valid ${days(argv.days, CA_DAYS)} days: ${files.join(', ')} (keep ca-key.pem off the fleet)\n`);
    })
    .command<CertsArgs>('issue <role> <name>', 'issue a certificate signed by the CA: an agent\'s (--ip/--dns as in its URL) or a controller\'s', (y) => y
      .positional('role', { type: 'string', choices: ['agent', 'controller'], describe: 'agent (serves TLS) or controller (client)' })
      .positional('name', { type: 'string', describe: 'the host or controller name (files DIR/NAME.pem, DIR/NAME-key.pem)' })
      .option('dir', DIR_OPTION)
      .option('ip', { type: 'string', array: true, default: [] as string[], describe: 'an IP address the agent is reached at (repeatable)' })
      .option('dns', { type: 'string', array: true, default: [] as string[], describe: 'a DNS name it is reached at (repeatable)' })
      .option('days', { type: 'number', describe: `validity (default ${LEAF_DAYS})` }) as unknown as Argv<CertsArgs>, async (argv) => {
      const role = argv.role as CertificateRole;
      const name = argv.name!;
      if (!NAME_PATTERN.test(name) || name === 'ca') {
        throw new PathprobeError('ERR_USAGE', `${JSON.stringify(name)} is not a certificate name: letters, digits, '.', '_' and '-', not "ca"`);
      }
      for (const ip of argv.ip) if (isIP(ip) === 0) throw new PathprobeError('ERR_USAGE', `--ip ${JSON.stringify(ip)} is not an IPv4 or IPv6 address`);
      if (role === 'agent' && argv.ip.length === 0 && argv.dns.length === 0) {
        throw new PathprobeError('ERR_USAGE', 'an agent certificate needs --ip or --dns: the names controllers use in its URL (TLS checks them)');
      }
      const pair = await (await pki()).issueCertificate({ ca: await readCa(argv.dir), role, name, ips: argv.ip, dnsNames: argv.dns, days: days(argv.days, LEAF_DAYS) });
      const files = await writePair(argv.dir, name, pair);
      const names = [...(role === 'controller' ? [name] : []), ...argv.dns, ...argv.ip];
      process.stdout.write(`${role} certificate "${name}" for ${names.join(', ')}, valid ${days(argv.days, LEAF_DAYS)} days: ${files.join(', ')}\n`);
    })
    .demandCommand(1, 'name a certs command: init, or issue agent|controller NAME') as unknown as Argv<CertsArgs>,
  handler: () => undefined,
};
