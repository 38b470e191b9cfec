// A throwaway PostgreSQL cluster in a data folder (issue 15 section 2: "the
// project's scripts ... start a throwaway cluster in a data folder for tests
// and for `npm start -- --db postgres` (initdb + pg_ctl, on a free port,
// stopped at exit); nothing is set up by hand"). Debian's PostgreSQL refuses
// to run as root: as root, initdb and pg_ctl run as the `postgres` user the
// package creates, and the data folder is given to it. The cluster listens on
// 127.0.0.1 only, with trust authentication: it is for tests and the demo.
import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { userInfo } from 'node:os';

/** How long pg_ctl may take to start or stop a cluster (a loaded 2-core machine is slow). */
export const PG_START_TIMEOUT_MS = 60_000;
const PG_USER = 'nongbao';

export interface PgCluster {
  /** postgres://nongbao@127.0.0.1:PORT/DATABASE for a database of the cluster. */
  url(database?: string): string;
  port: number;
  dataDir: string;
  /** Creates a database (idempotent) and returns its URL. */
  createDatabase(name: string): string;
  /**
   * Restarts the server on the same port (tests of a restart, issue 15 "Bad
   * input"): `fast` ends every session and checkpoints; `immediate` ends
   * them without a checkpoint, as a crash does, and the start recovers from the WAL.
   */
  restart(mode: 'fast' | 'immediate'): void;
  stop(): void;
}

/** The newest PostgreSQL server binaries Debian installed (/usr/lib/postgresql/<version>/bin). */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error('PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb): run `npm run setup`');
  return join(root, newest, 'bin');
}

function asPostgresUser(): string[] {
  return userInfo().uid === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
}

function run(command: string[], what: string): void {
  const [file, ...args] = command;
  const result = spawnSync(file!, args, { encoding: 'utf8', timeout: PG_START_TIMEOUT_MS });
  if (result.status !== 0) throw new Error(`${what} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || '').trim().slice(-800)}`);
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
}

function giveToPostgres(path: string): void {
  if (userInfo().uid !== 0) return;
  const { uid, gid } = (() => {
    const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'));
    if (!line) throw new Error('no postgres user: is Debian\'s postgresql package installed?');
    const parts = line.split(':');
    return { uid: Number(parts[2]), gid: Number(parts[3]) };
  })();
  chownSync(path, uid, gid);
}

/**
 * Starts a cluster in `dataDir` (made with initdb the first time, reused
 * after), on a free port unless `port` is given. `stop()` stops it; with
 * `removeOnStop` the folder goes too.
 */
export async function startPgCluster(options: { dataDir: string; port?: number; removeOnStop?: boolean; settings?: Record<string, string> }): Promise<PgCluster> {
  const bin = postgresBinDir();
  const dataDir = options.dataDir;
  const pgData = join(dataDir, 'pgdata');
  const socketDir = join(dataDir, 'sock');
  mkdirSync(dataDir, { recursive: true });
  for (const dir of [dataDir, socketDir]) {
    mkdirSync(dir, { recursive: true });
    giveToPostgres(dir);
  }
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    if (existsSync(pgData)) rmSync(pgData, { recursive: true, force: true });
    run([...asPostgresUser(), join(bin, 'initdb'), '-D', pgData, '-U', PG_USER, '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-instructions'], 'initdb');
  }
  const port = options.port ?? (await freePort());
  const settings = { listen_addresses: '127.0.0.1', fsync: 'on', synchronous_commit: 'on', max_connections: '200', ...options.settings };
  const serverOptions = [`-p ${port}`, `-k ${socketDir}`, ...Object.entries(settings).map(([k, v]) => `-c ${k}=${v}`)].join(' ');
  run([...asPostgresUser(), join(bin, 'pg_ctl'), '-D', pgData, '-l', join(dataDir, 'postgres.log'), '-w', '-t', String(PG_START_TIMEOUT_MS / 1000), '-o', serverOptions, 'start'], 'pg_ctl start');
  let stopped = false;
  const url = (database = 'postgres') => `postgres://${PG_USER}@127.0.0.1:${port}/${database}`;
  return {
    url,
    port,
    dataDir,
    createDatabase: (name) => {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a database name: ${name}`);
      const exists = execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', 'postgres', '-tAc', `SELECT 1 FROM pg_database WHERE datname = '${name}'`], { encoding: 'utf8' }).trim();
      if (exists !== '1') execFileSync(join(bin, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', PG_USER, '-d', 'postgres', '-qc', `CREATE DATABASE ${name}`]);
      return url(name);
    },
    restart: (mode) => {
      run([...asPostgresUser(), join(bin, 'pg_ctl'), '-D', pgData, '-l', join(dataDir, 'postgres.log'), '-m', mode, '-w', '-t', String(PG_START_TIMEOUT_MS / 1000), 'restart'], 'pg_ctl restart');
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      if (existsSync(join(pgData, 'postmaster.pid'))) run([...asPostgresUser(), join(bin, 'pg_ctl'), '-D', pgData, '-m', 'fast', '-w', 'stop'], 'pg_ctl stop');
      if (options.removeOnStop) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Whether a data folder holds a cluster that is running now (its postmaster.pid names a live process). */
export function pgClusterRunning(dataDir: string): boolean {
  const pidFile = join(dataDir, 'pgdata', 'postmaster.pid');
  if (!existsSync(pidFile) || statSync(pidFile).size === 0) return false;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * A streaming replica of `primary` (issue 15 section 4), made with
 * pg_basebackup and started on its own port, under the application name
 * `name`. For synchronous replication the primary names it in
 * synchronous_standby_names (start the primary with that setting, see
 * `synchronousPrimarySettings`); a transaction committed with
 * synchronous_commit = remote_apply is then visible on the replica when the
 * commit returns.
 */
export async function startPgReplica(primary: PgCluster, options: { dataDir: string; name: string; removeOnStop?: boolean }): Promise<PgCluster> {
  const bin = postgresBinDir();
  const pgData = join(options.dataDir, 'pgdata');
  mkdirSync(options.dataDir, { recursive: true });
  giveToPostgres(options.dataDir);
  if (!existsSync(join(pgData, 'PG_VERSION'))) {
    run([...asPostgresUser(), join(bin, 'pg_basebackup'), '-h', '127.0.0.1', '-p', String(primary.port), '-U', PG_USER, '-D', pgData, '-X', 'stream', '-R', '-d', `application_name=${options.name}`], 'pg_basebackup');
  }
  return startPgCluster({ dataDir: options.dataDir, ...(options.removeOnStop ? { removeOnStop: true } : {}), settings: { hot_standby: 'on' } });
}

/** Settings of a primary whose commits wait for the named replicas (and that keeps WAL for them). */
export function synchronousPrimarySettings(replicaNames: readonly string[]): Record<string, string> {
  return { wal_level: 'replica', max_wal_senders: '10', synchronous_standby_names: `'FIRST 1 (${replicaNames.join(',')})'` };
}
