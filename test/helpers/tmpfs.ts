import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tmpfs {
  dir: string;
  /** `mount -o remount,…`: e.g. `size=4m` to make room, `ro` to make it read-only. */
  remount(options: string): void;
}

/**
 * A tmpfs of `size` (e.g. `256k`) mounted on a fresh directory, for a store whose disk fills or
 * turns read-only. Needs root (npm test runs as root). Unmounted and removed in teardown,
 * registered before anything else can fail.
 */
export function mountTmpfs(t: { teardown(fn: () => unknown): void }, size: string): Tmpfs {
  const dir = mkdtempSync(join(tmpdir(), 'pathprobe-tmpfs-'));
  t.teardown(() => {
    try { execFileSync('umount', ['-l', dir], { stdio: 'ignore' }); } catch { /* never mounted */ }
    rmSync(dir, { recursive: true, force: true });
  });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0755`, 'tmpfs', dir]);
  return { dir, remount: (options) => execFileSync('mount', ['-o', `remount,${options}`, dir]) };
}
