import { fileURLToPath } from 'node:url';
import { start } from '../lab/run.js';
import type { StartedProcess } from '../lab/run.js';

/*
 * npm run bench [-- --quick] [-- --only pmtu|multipath|throughput|run|controlplane|pmtu,multipath,...]
 *
 * Runs the path-MTU bench, the multipath (leaf-spine) path-MTU bench, the throughput bench, the
 * `pathprobe run` scaling bench, then the control-plane bench (one controller against real and
 * simulated agents on 127.0.0.1, no lab), each as its own node process (each builds and tears
 * down its own labs), forwarding --quick. Exit 0 when all passed, 130 when interrupted, otherwise the first
 * non-zero exit. Each bench still runs on its own: node dist/scripts/bench/pmtuBench.js,
 * node dist/scripts/bench/multipathBench.js, node dist/scripts/bench/throughputBench.js,
 * node dist/scripts/bench/runPlanBench.js, node dist/scripts/bench/controlPlaneBench.js.
 */

const BENCHES = {
  pmtu: fileURLToPath(new URL('./pmtuBench.js', import.meta.url)),
  multipath: fileURLToPath(new URL('./multipathBench.js', import.meta.url)),
  throughput: fileURLToPath(new URL('./throughputBench.js', import.meta.url)),
  run: fileURLToPath(new URL('./runPlanBench.js', import.meta.url)),
  controlplane: fileURLToPath(new URL('./controlPlaneBench.js', import.meta.url)),
} as const;
type BenchName = keyof typeof BENCHES;
const NAMES = Object.keys(BENCHES) as BenchName[];

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): { quick: boolean; only: BenchName[] } {
  let quick = false;
  let only = [...NAMES];
  for (let i = 0; i < argv.length; i += 1) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    if (flag === '--quick') quick = true;
    else if (flag === '--only') {
      const v = inline ?? argv[++i];
      if (v === undefined) throw new UsageError('--only needs a value');
      const names = v.split(',');
      const unknown = names.filter((n) => !(NAMES as string[]).includes(n));
      if (unknown.length > 0) throw new UsageError(`--only: unknown bench ${unknown.join(', ')} (known: ${NAMES.join(', ')})`);
      only = NAMES.filter((n) => names.includes(n));
    } else throw new UsageError(`unknown argument "${argv[i]}" (usage: bench.js [--quick] [--only ${NAMES.join('|')}])`);
  }
  return { quick, only };
}

let current: StartedProcess | undefined;
let interruptedBy: NodeJS.Signals | null = null;

/**
 * Node on one bench script, stdio shared, no deadline (a full bench takes many minutes; each bench
 * bounds its own commands). The runner gives it its own process group, so a terminal Ctrl-C
 * reaches it once, through us, not twice (a second signal would cut its teardown short).
 */
async function runChild(script: string, args: readonly string[]): Promise<number> {
  const child = start([process.execPath, script, ...args], { output: 'inherit' });
  current = child;
  const { exitCode, signal, stderr } = await child.result;
  current = undefined;
  if (exitCode === null && signal === null) {
    console.error(`bench: cannot start ${script}: ${stderr.trim()}`);
    return 1;
  }
  return exitCode ?? (signal === 'SIGINT' || signal === 'SIGTERM' ? 130 : 1);
}

async function main(argv: readonly string[]): Promise<number> {
  const { quick, only } = parseArgs(argv);
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interruptedBy !== null) return;
    interruptedBy = signal;
    current?.kill(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let exitCode = 0;
  for (const name of only) {
    if (interruptedBy !== null) break;
    console.error(`bench: ${name}`);
    const code = await runChild(BENCHES[name], quick ? ['--quick'] : []);
    if (code !== 0) console.error(`bench: ${name} bench exited ${code}`);
    if (exitCode === 0) exitCode = code;
    if (code === 130) break;
  }
  return interruptedBy !== null ? 130 : exitCode;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`);
    process.exitCode = 1;
  },
);
