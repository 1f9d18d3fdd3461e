import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Lab } from '../lab/lab.js';
import { startLabAgents } from '../lab/labAgents.js';
import type { LabAgents, LabPrograms } from '../lab/labAgents.js';
import { removeLabOwnerTag } from '../lab/labOwnerTag.js';
import { labUp } from '../lab/labUp.js';
import { listNetns, removeNamespaces } from '../lab/removeNamespaces.js';
import type { Topology } from '../lab/topology.js';

/** The compiled programs, relative to dist/scripts/bench/: benches pass them to the lab. */
const BENCH_PROGRAMS: LabPrograms = {
  agentMain: fileURLToPath(new URL('../../agent/main.js', import.meta.url)),
  cliMain: fileURLToPath(new URL('../../controller/cli/main.js', import.meta.url)),
};

export class UsageError extends Error {}
/** What a bench throws once SIGINT/SIGTERM came in; it exits 130. */
export class Interrupted extends Error {}

/** Where one lab's time went; teardownMs is filled in once the lab is gone. */
export interface LabTiming {
  buildMs: number;
  agentsMs: number;
  teardownMs: number | null;
}

export interface BenchLab {
  lab: Lab;
  agents: LabAgents;
  timing: LabTiming;
}

export interface BenchSession {
  /** Aborted by SIGINT/SIGTERM, with an Interrupted as its reason. */
  readonly signal: AbortSignal;
  /**
   * Throws once interrupted. Called right before anything new starts, with no await in between,
   * so a teardown that has already listed a namespace's processes never misses a new one.
   */
  checkpoint(): void;
  /** One indented line on stderr while the bench runs. */
  progress(line: string): void;
  /** One line on stderr under the bench's name. */
  say(line: string): void;
  /**
   * Builds the lab and registers its teardown before anything else can fail, starts agents on
   * `agentHosts`, runs `body`, and tears the lab down however `body` ends. A signal tears it
   * down at once (stopping whatever runs in it); `body` then fails at its next checkpoint.
   */
  withLab<T>(topology: Topology, agentHosts: readonly string[] | 'all', body: (env: BenchLab) => Promise<T>): Promise<T>;
  /** Registers cleanup run at the end of the bench, or at once on a signal. Returns it, run-once. */
  defer(cleanup: () => Promise<void>): () => Promise<void>;
}

export interface BenchDefinition<O> {
  /** The script's name, as it prefixes its stderr lines (`pmtuBench`). */
  name: string;
  usage: string;
  /** Flags that take a value, besides the shared `--quick`. */
  valueFlags: readonly string[];
  /** Flags that take none, besides `--quick` (the soak's `--json`). */
  booleanFlags?: readonly string[];
  /** Exit status of a UsageError; 1 (any error) unless the script promises another (the soak: 2). */
  usageExitCode?: number;
  /** Turns the flags into the bench's options; throws UsageError for a bad value. */
  options(flags: { quick: boolean; values: Record<string, string | undefined>; booleans: Record<string, boolean> }): O;
  /** The bench itself; its number is the exit code. */
  run(opts: O, session: BenchSession): Promise<number>;
}

function parseFlags(def: BenchDefinition<unknown>, argv: readonly string[]): { quick: boolean; values: Record<string, string | undefined>; booleans: Record<string, boolean> } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { quick: { type: 'boolean' } };
  for (const flag of def.valueFlags) options[flag] = { type: 'string' };
  for (const flag of def.booleanFlags ?? []) options[flag] = { type: 'boolean' };
  try {
    const { values } = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false });
    const strings: Record<string, string | undefined> = {};
    for (const flag of def.valueFlags) strings[flag] = values[flag] as string | undefined;
    const booleans: Record<string, boolean> = {};
    for (const flag of def.booleanFlags ?? []) booleans[flag] = values[flag] === true;
    return { quick: values.quick === true, values: strings, booleans };
  } catch (err) {
    // node's messages go on to explain `--`, which is no help here.
    const first = (err instanceof Error ? err.message : String(err)).split('. ')[0];
    throw new UsageError(`${first} (${def.usage})`);
  }
}

/**
 * lab.down() and, should it fail (an `ip netns exec` still starting can keep a namespace busy), a
 * second removal by name, so an interrupted run leaves no namespace and no process behind.
 */
async function tearDownLab(lab: Lab): Promise<void> {
  try {
    await lab.down();
  } catch {
    const left = await removeNamespaces(lab.namespaces);
    if (left.length > 0) throw new Error(`lab ${lab.id}: namespaces still present after teardown: ${left.join(', ')}`);
    removeLabOwnerTag(lab.id);
  }
}

/**
 * The one harness of the benches: flags (`--quick` plus the bench's own), SIGINT/SIGTERM (nothing
 * new starts, labs go down at once, exit 130), teardown registered right after each setup, and a
 * final check that none of this run's namespaces is left. Exit 0/1 is the bench's verdict; any
 * error is 1 with its first line on stderr.
 */
export function runBench<O>(def: BenchDefinition<O>): void {
  const controller = new AbortController();
  const live = new Set<() => Promise<void>>();
  const ownNamespaces: string[] = [];
  const say = (line: string): void => { console.error(`${def.name}: ${line}`); };

  const defer = (cleanup: () => Promise<void>): (() => Promise<void>) => {
    let done: Promise<void> | undefined;
    const once = (): Promise<void> => {
      done ??= cleanup().finally(() => live.delete(once));
      return done;
    };
    live.add(once);
    return once;
  };
  const checkpoint = (): void => {
    if (controller.signal.aborted) throw controller.signal.reason;
  };

  const session: BenchSession = {
    signal: controller.signal,
    checkpoint,
    progress: (line) => { console.error(`  ${line}`); },
    say,
    defer,
    withLab: async (topology, agentHosts, body) => {
      checkpoint();
      const lab = await labUp(topology);
      ownNamespaces.push(...lab.namespaces);
      const timing: LabTiming = { buildMs: lab.buildMs, agentsMs: 0, teardownMs: null };
      const tearDown = defer(async () => {
        const startedAt = performance.now();
        await tearDownLab(lab);
        timing.teardownMs = performance.now() - startedAt;
      });
      try {
        checkpoint();
        const agentsStartedAt = performance.now();
        const agents = await startLabAgents(lab, {
          programs: BENCH_PROGRAMS,
          signal: controller.signal,
          ...(agentHosts === 'all' ? {} : { hosts: agentHosts }),
        });
        timing.agentsMs = performance.now() - agentsStartedAt;
        try {
          return await body({ lab, agents, timing });
        } finally {
          await agents.stop();
        }
      } finally {
        await tearDown();
      }
    },
  };

  const onSignal = (signal: NodeJS.Signals): void => {
    if (controller.signal.aborted) return;
    controller.abort(new Interrupted(`interrupted by ${signal}; lab torn down`));
    say(`${signal}, tearing the lab down`);
    // The main flow stops at its next checkpoint; this stops what runs right now (a 90 s tracepath).
    for (const cleanup of live) void cleanup().catch(() => undefined);
  };

  const main = async (): Promise<number> => {
    const opts = def.options(parseFlags(def as BenchDefinition<unknown>, process.argv.slice(2)));
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    let leftover: string[] = [];
    let code: number;
    try {
      code = await def.run(opts, session);
    } catch (err) {
      // Whatever a tool said once a signal came in, the run was interrupted.
      if (controller.signal.aborted && !(err instanceof Interrupted)) throw controller.signal.reason;
      throw err;
    } finally {
      await Promise.allSettled([...live].map((cleanup) => cleanup()));
      const present = new Set(await listNetns());
      leftover = ownNamespaces.filter((n) => present.has(n));
      // Said here too, because an error already on its way out would hide it.
      if (leftover.length > 0) say(`namespaces left behind: ${leftover.join(', ')}`);
    }
    if (leftover.length > 0) throw new Error('namespaces left behind (see above)');
    return code;
  };

  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      const message = err instanceof Error ? err.message : String(err);
      say(message.split('\n')[0] ?? message);
      process.exitCode = err instanceof Interrupted ? 130 : err instanceof UsageError ? def.usageExitCode ?? 1 : 1;
    },
  );
}
