import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startWatchdog } from './watchdog.js';

const run = promisify(execFile);

/** Where Debian's postgresql-15 puts its programs (scripts/ensure-postgres.mjs installs it). */
export const POSTGRES_BIN = '/usr/lib/postgresql/15/bin';

/** A throwaway PostgreSQL server: its superuser's URL, and how to stop it. */
export interface Cluster {
  /** `postgres://skills:PASSWORD@127.0.0.1:PORT/postgres`, the superuser's connection. */
  readonly url: string;
  /** What {@link restartCluster} needs, plain data (it crosses from the global setup to the test workers). */
  readonly control: ClusterControl;
  /**
   * Stops the server and removes its folder. Idempotent. Done anyway when the process that
   * started the cluster ends without calling it (killed, even by SIGKILL): see `startWatchdog`.
   */
  stop(): Promise<void>;
}

/** Where a cluster's data folder is, and the options it was started with. */
export interface ClusterControl {
  readonly data: string;
  readonly log: string;
  readonly options: string;
  /** initdb and the server run as the `postgres` user (this process is root). */
  readonly asRoot: boolean;
}

/** The command line of one of PostgreSQL's programs, run as the `postgres` user when this process is root. */
function pgCommand(asRoot: boolean, program: string, args: string[]): [string, ...string[]] {
  return asRoot ? ['runuser', '-u', 'postgres', '--', join(POSTGRES_BIN, program), ...args] : [join(POSTGRES_BIN, program), ...args];
}

/** Runs one of PostgreSQL's programs (see {@link pgCommand}). */
function pgProgram(asRoot: boolean, program: string, args: string[]) {
  const [file, ...rest] = pgCommand(asRoot, program, args);
  return run(file, rest);
}

/**
 * Stops the cluster (fast: sessions are ended, transactions in flight roll back) and starts it
 * again on the same port, waiting until it accepts connections; `whileDown` runs in between.
 */
export async function restartCluster(control: ClusterControl, whileDown: () => Promise<void> = async () => undefined): Promise<void> {
  await pgProgram(control.asRoot, 'pg_ctl', ['-D', control.data, 'stop', '-m', 'fast', '-w']);
  try {
    await whileDown();
  } finally {
    await pgProgram(control.asRoot, 'pg_ctl', ['-D', control.data, '-o', control.options, '-l', control.log, '-w', '-t', '60', 'start']);
  }
}

/**
 * Why no cluster can be started on this machine, or null when one can: the reason a test
 * report gives for skipping the PostgreSQL tests.
 */
export function clusterUnavailableReason(): string | null {
  if (!existsSync(join(POSTGRES_BIN, 'initdb'))) {
    return `PostgreSQL 15 is not installed (no ${POSTGRES_BIN}/initdb): run \`node scripts/ensure-postgres.mjs\` or set SKILLS_TEST_POSTGRES_URL`;
  }
  if (process.getuid?.() === 0 && !existsSync('/usr/sbin/runuser') && !existsSync('/sbin/runuser')) {
    return 'running as root without runuser: PostgreSQL refuses to run as root';
  }
  return null;
}

/** How to start a throwaway cluster. */
export interface ClusterOptions {
  /**
   * Keep PostgreSQL's crash safety (fsync, full-page writes, synchronous commit), as a real
   * server runs: for measurements. Default false: tests run without it, much faster.
   */
  readonly durable?: boolean;
}

/**
 * Starts a cluster in a new temporary folder, on 127.0.0.1 and a free port, with md5 password
 * authentication. As root, initdb and the server run as the `postgres` user (the server refuses
 * root), so the folder is given to that user; its parent (the system's temporary folder) must be
 * enterable by it. A keeper process stops the server and removes the folder when this process
 * ends, however it ends: a killed test run leaves no server behind.
 */
export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const dir = mkdtempSync(join(tmpdir(), 'skills-pg-'));
  const asRoot = process.getuid?.() === 0;
  const data = join(dir, 'data');
  const stop = startWatchdog(dir, pgCommand(asRoot, 'pg_ctl', ['-D', data, 'stop', '-m', 'fast', '-w'])).release;
  const pg = (program: string, args: string[]) => pgProgram(asRoot, program, args);
  try {
    const password = randomBytes(18).toString('base64url');
    const pwfile = join(dir, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (asRoot) {
      const { uid, gid } = await postgresUser();
      chownSync(dir, uid, gid);
      chownSync(pwfile, uid, gid);
    }
    chmodSync(dir, 0o700);
    await pg('initdb', ['-D', data, '-U', 'skills', '--auth=md5', `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C.UTF-8', '--no-sync']);
    rmSync(pwfile);
    const port = await freePort();
    // fsync off for tests: a test server loses nothing that matters in a crash, and runs much faster.
    const durability = options.durable ? '' : ' -c fsync=off -c synchronous_commit=off -c full_page_writes=off';
    const serverOptions = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1${durability} -c max_connections=200`;
    const control = { data, log: join(dir, 'log'), options: serverOptions, asRoot };
    await pg('pg_ctl', ['-D', data, '-o', serverOptions, '-l', control.log, '-w', '-t', '60', 'start']);
    return { url: `postgres://skills:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`, control, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
    throw new Error('there is no `postgres` user to run the server as (PostgreSQL refuses to run as root)');
  });
  const { stdout: gid } = await run('id', ['-g', 'postgres']);
  return { uid: Number(stdout.trim()), gid: Number(gid.trim()) };
}

/** A TCP port free on 127.0.0.1 right now. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
