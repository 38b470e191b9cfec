// One SQLite database file per server: the ledger and the registry share it so
// that a registry change and its transfers commit in one transaction.
// WAL + synchronous=FULL: a commit is on disk before it is acknowledged
// (ARCHITECTURE.md, "Durability and security rules"). The kiosk's journal
// opens its file here too.
//
// The files hold citizen and card numbers: the folder is made 0700 and the
// database 0600 before SQLite opens it (private-files.ts). SQLite gives the
// -wal and -shm files it creates the database file's mode; ones left by an
// older version are tightened here as well.
import Database from 'better-sqlite3';
import { makePrivateFile, tightenIfPresent } from './shared/private-files.js';
import type { SqlDatabase, SqlStatement } from './sql/types.js';

export type SqliteDatabase = Database.Database;
export type SqliteStatement = Database.Statement<unknown[], unknown>;

const BUSY_TIMEOUT_MS = 5_000;
/** The files SQLite keeps beside a database in WAL mode. */
const WAL_SUFFIXES = ['-wal', '-shm'] as const;

export function openDatabase(path: string): SqliteDatabase {
  const onDisk = path !== ':memory:';
  if (onDisk) {
    makePrivateFile(path);
    for (const suffix of WAL_SUFFIXES) tightenIfPresent(`${path}${suffix}`);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (onDisk) for (const suffix of WAL_SUFFIXES) tightenIfPresent(`${path}${suffix}`);
  return db;
}

/** Statements kept per database by `cachedStatement`, the oldest dropped first. */
export const CACHED_STATEMENTS_LIMIT = 256;
const statementCaches = new WeakMap<SqlDatabase, Map<string, SqlStatement>>();

/**
 * The statement for `sql` on `db`, compiled once. better-sqlite3 compiles the
 * SQL at every `prepare()`; on the kiosk money path, where the gateway looks a
 * person up several times per event, that was a third of its time
 * (tests/bench/gateway.bench.ts, issue 11 section 8). For fixed SQL text run
 * with get/run/all: the statement is shared, so a caller must not change its
 * mode (raw, pluck, expand) or iterate it.
 */
export function cachedStatement(db: SqlDatabase, sql: string): SqlStatement {
  let cache = statementCaches.get(db);
  if (!cache) {
    cache = new Map();
    statementCaches.set(db, cache);
  }
  let statement = cache.get(sql);
  if (!statement) {
    statement = db.prepare(sql);
    if (cache.size >= CACHED_STATEMENTS_LIMIT) cache.delete(cache.keys().next().value!);
    cache.set(sql, statement);
  }
  return statement;
}

/** better-sqlite3's transaction function (with .immediate/.deferred), or another engine's plain one. */
type Runner = ((fn: () => unknown) => unknown) & Partial<Record<'immediate' | 'deferred', (fn: () => unknown) => unknown>>;
const transactionRunners = new WeakMap<SqlDatabase, Runner>();

/**
 * Runs `fn` in a transaction on `db` (a savepoint inside an enclosing one),
 * as `db.transaction(fn)()` does, with `mode` for the BEGIN of an outermost
 * one. better-sqlite3 builds four wrapper functions at every
 * `db.transaction(fn)`; a kiosk money event opens several nested
 * transactions, and building them was a tenth of its time
 * (tests/bench/gateway.bench.ts). This builds one runner per database.
 */
export function runTransaction<T>(db: SqlDatabase, fn: () => T, mode: 'default' | 'immediate' | 'deferred' = 'default'): T {
  let runner = transactionRunners.get(db);
  if (!runner) {
    runner = db.transaction((work: () => unknown) => work()) as Runner;
    transactionRunners.set(db, runner);
  }
  // PostgreSQL has no BEGIN IMMEDIATE: its writers lock rows as they write
  // (the ledger's head row first, ledger/pg/store.ts), so every mode is its BEGIN.
  const modal = mode === 'default' ? undefined : runner[mode];
  return (modal ? modal(fn) : runner(fn)) as T;
}
