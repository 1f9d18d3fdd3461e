import type { TestFn } from 'ava';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

/*
 * A throwaway PostgreSQL server for one test file: Debian's PostgreSQL 15 binaries (scripts/setup
 * installs them; the cluster Debian's package would create is never used), `initdb` into a
 * temporary directory, `postgres` on a free loopback port with its unix socket in that directory.
 * PostgreSQL refuses to run as root, so under root both run as the `postgres` user.
 * Trust authentication: the server listens on 127.0.0.1 only and lives for one test file.
 */

const BIN = '/usr/lib/postgresql/15/bin';
const USER = 'pathprobe';

export interface PostgresServer {
  /** The server's port on 127.0.0.1 (valid once the file's `before` hook ran). */
  readonly port: number;
  /** A new, empty database on the server, as a `--db` URL. */
  createDatabase(): Promise<string>;
}

interface Owner { uid: number; gid: number }

/** The postgres user's ids, from /etc/passwd (the Debian package creates it). */
function postgresOwner(): Owner {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
  if (!line) throw new Error('no postgres user: run scripts/setup (it installs postgresql-15)');
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A loopback port nothing listens on right now (bound, then released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

function run(file: string, args: readonly string[], options: { owner: Owner | null; cwd: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: options.cwd, timeout: 120_000, env: { ...process.env, LC_ALL: 'C' }, ...options.owner }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/**
 * Starts one server before the file's tests and stops it after them (`after.always`: also when a
 * test fails), removing its directory. Each test asks for its own database.
 */
export function usePostgresServer(test: TestFn): PostgresServer {
  const state: { dir: string | null; child: ChildProcess | null; exited: Promise<void> | null; port: number; databases: number } = {
    dir: null, child: null, exited: null, port: 0, databases: 0,
  };

  // If the worker dies before `after.always` runs (an uncaught exception ends it at once), the
  // server and its directory still go: synchronously, as the process exits.
  process.once('exit', () => {
    if (state.child?.exitCode === null && state.child.signalCode === null) {
      try { process.kill(-state.child.pid!, 'SIGKILL'); } catch { /* gone */ }
    }
    if (state.dir) rmSync(state.dir, { recursive: true, force: true, maxRetries: 3 });
  });

  test.after.always('stop the PostgreSQL server and remove its directory', async () => {
    const { child, exited } = state;
    if (child && exited && child.exitCode === null && child.signalCode === null) {
      // SIGINT is the fast shutdown: open connections are cut, the server exits at once.
      process.kill(-child.pid!, 'SIGINT');
      const timer = setTimeout(() => { try { process.kill(-child.pid!, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
      await exited;
      clearTimeout(timer);
    }
    if (state.dir) await rm(state.dir, { recursive: true, force: true });
    state.dir = null;
  });

  test.before('start a PostgreSQL server', async () => {
    if (!existsSync(join(BIN, 'initdb'))) throw new Error(`${BIN}/initdb is missing: run scripts/setup (it installs postgresql-15)`);
    const owner = process.getuid?.() === 0 ? postgresOwner() : null;
    const dir = await mkdtemp(join(tmpdir(), 'pathprobe-pg-'));
    state.dir = dir;
    if (owner) await chown(dir, owner.uid, owner.gid);
    const data = join(dir, 'data');
    await run(join(BIN, 'initdb'), ['-D', data, '-U', USER, '--auth=trust', '--no-sync', '-E', 'UTF8', '--locale=C'], { owner, cwd: dir });

    state.port = await freePort();
    // Durability settings off: this server's data dies with the test file anyway.
    const child = spawn(join(BIN, 'postgres'), [
      '-D', data, '-p', String(state.port), '-k', dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=50',
    ], { cwd: dir, detached: true, stdio: ['ignore', 'ignore', 'pipe'], ...owner });
    state.child = child;
    state.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        if (/database system is ready to accept connections/.test(stderr)) resolve();
      });
      child.once('exit', (code, signal) => reject(new Error(`postgres exited (${code ?? signal}) before accepting connections:\n${stderr}`)));
      child.once('error', reject);
    });
  });

  return {
    get port() { return state.port; },
    async createDatabase() {
      state.databases += 1;
      const name = `t${state.databases}`;
      const client = new pg.Client({ host: '127.0.0.1', port: state.port, user: USER, database: 'postgres' });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return `postgres://${USER}@127.0.0.1:${state.port}/${name}`;
    },
  };
}
