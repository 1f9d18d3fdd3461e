import { isIP } from 'node:net';

/** Parses "198.19.0.1:7420" or "[2001:2::1]:7420" (port 0 = any free port). Throws a one-line error. */
export function parseListenAddress(text: string): { host: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text.trim());
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!host || isIP(host) === 0 || !(port >= 0 && port <= 65535)) {
    throw new Error(`--listen ${JSON.stringify(text)} is not ADDRESS:PORT such as 198.19.0.1:7420 or [2001:2::1]:7420`);
  }
  return { host, port };
}
