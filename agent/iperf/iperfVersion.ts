import type { CanRun } from '../../proto/agentFacts.js';
import { PathprobeError } from '../../proto/errorCodes.js';
import { CommandNotFound, exec } from '../exec.js';

const VERSION_TIMEOUT_MS = 5_000;

let cached: Promise<string> | undefined;

/**
 * The first line's "iperf 3.12" from `iperf3 --version`, asked once per agent process: behaviour
 * that matters to us (exit codes under -J, hangs, threads) changes between releases, so results
 * carry it.
 */
export function iperfVersion(): Promise<string> {
  cached ??= readIperfVersion().catch((error: unknown) => {
    // A failure is not cached: iperf3 may be installed while the agent runs.
    cached = undefined;
    throw error;
  });
  return cached;
}

async function readIperfVersion(): Promise<string> {
  const result = await exec('iperf3', ['--version'], { timeoutMs: VERSION_TIMEOUT_MS });
  const match = /^iperf \S+/m.exec(result.stdout);
  if (!match) {
    const said = (result.stdout + result.stderr).trim().split('\n')[0] ?? '';
    throw new Error(`iperf3 --version printed no "iperf <version>" line (exit ${result.exitCode}): ${said}`);
  }
  return match[0];
}

/** PURE. Why iperf3 cannot run, from what iperfVersion() rejected with. */
export function iperfUnusableReason(error: unknown): string {
  if (error instanceof CommandNotFound) return 'iperf3 is not installed (not found on PATH)';
  return `iperf3 is not usable: ${error instanceof Error ? error.message : String(error)}`;
}

/** Throughput's can-run: iperf3 answers `--version`. Asked on every facts request while it fails. */
export async function iperfCanRun(): Promise<CanRun> {
  try {
    await iperfVersion();
    return { ok: true };
  } catch (error) {
    return { ok: false, reason: iperfUnusableReason(error) };
  }
}

/**
 * iperf3's version for a throughput route, or the route's answer when it cannot run: a
 * PathprobeError ERR_PROBE_FAILED saying why (the same reason as the facts' canRun), with
 * `details.canRun` so a controller need not parse the words.
 */
export async function requireIperf(): Promise<string> {
  try {
    return await iperfVersion();
  } catch (error) {
    const reason = iperfUnusableReason(error);
    throw new PathprobeError('ERR_PROBE_FAILED', `this agent cannot run throughput tests: ${reason}`, {
      cause: error,
      details: { test: 'throughput', canRun: { ok: false, reason } },
    });
  }
}
