import { fileURLToPath } from 'node:url';

/** Tests run from dist/test/...; these point at the compiled programs and the source fixtures. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const AGENT_MAIN = fileURLToPath(new URL('../../agent/main.js', import.meta.url));
export const CLI_MAIN = fileURLToPath(new URL('../../controller/cli/main.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../../../test/fixtures/', import.meta.url));
/** What the lab runs in its namespaces: the lab takes these from its caller rather than guessing. */
export const LAB_PROGRAMS = { agentMain: AGENT_MAIN, cliMain: CLI_MAIN } as const;
