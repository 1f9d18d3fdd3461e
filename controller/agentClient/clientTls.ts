import { readFile } from 'node:fs/promises';
import { PathprobeError } from '../../proto/errorCodes.js';

/** What the controller trusts and presents over TLS, as PEM texts; every field optional. */
export interface ClientTls {
  /** Agents' certificates must chain to this CA (instead of the system's). */
  caPem: string | null;
  /** Presented to agents that ask for a client certificate (mutual TLS). */
  certificatePem: string | null;
  keyPem: string | null;
}

/** Where the files come from: flags (`--ca`) or a plan (`tls.ca`), for the messages. */
export interface ClientTlsPaths { ca?: string; cert?: string; key?: string }

/** Reads the files once, before any agent is contacted; null when none is given. */
export async function readClientTls(paths: ClientTlsPaths, names: { ca: string; cert: string; key: string } = { ca: '--ca', cert: '--cert', key: '--key' }): Promise<ClientTls | null> {
  if (paths.ca === undefined && paths.cert === undefined && paths.key === undefined) return null;
  if ((paths.cert === undefined) !== (paths.key === undefined)) throw new PathprobeError('ERR_USAGE', `give both ${names.cert} and ${names.key}, or neither`);
  const read = async (path: string | undefined, name: string): Promise<string | null> => {
    if (path === undefined) return null;
    try {
      return await readFile(path, 'utf8');
    } catch (error) {
      throw new PathprobeError('ERR_USAGE', `cannot read ${name} ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
    }
  };
  return { caPem: await read(paths.ca, names.ca), certificatePem: await read(paths.cert, names.cert), keyPem: await read(paths.key, names.key) };
}

/** `--ca`, `--cert`, `--key` of the commands that talk to agents directly. */
export const TLS_OPTIONS = {
  ca: { type: 'string', describe: 'CA certificate (PEM) the agents\' https:// certificates must chain to' },
  cert: { type: 'string', describe: 'this controller\'s certificate (PEM), for agents that require mutual TLS' },
  key: { type: 'string', describe: 'the key (PEM) of --cert' },
} as const;
