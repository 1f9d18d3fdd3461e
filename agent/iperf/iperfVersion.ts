import { exec } from '../exec.js';

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
