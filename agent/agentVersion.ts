import { readFileSync } from 'node:fs';

/** The agent's version, from the package it ships in. */
export const AGENT_VERSION: string = (() => {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
})();
