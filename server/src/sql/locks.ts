// Locks over the whole server database (issue 15 section 3: several server
// processes share one PostgreSQL database). On PostgreSQL, session advisory
// locks, keyed by a name; on SQLite nothing: a county runs one server process
// on its file, and SQLite's own write lock serialises what two would do.
import { createHash } from 'node:crypto';
import { sqlEngine, type SqlDatabase } from './types.js';

/** The advisory-lock key of a name: the first 8 bytes of its SHA-256, as a signed 64-bit integer. */
function lockKey(name: string): string {
  return createHash('sha256').update(name).digest().readBigInt64BE(0).toString();
}

/**
 * Runs `fn` holding the lock `name`, waiting for another process that holds
 * it. The schema migrations run under one: CREATE TABLE IF NOT EXISTS is not
 * safe against a second process creating the same table at the same time on
 * PostgreSQL (a unique violation in its catalogue).
 */
export function withDatabaseLock<T>(db: SqlDatabase, name: string, fn: () => T): T {
  if (sqlEngine(db) !== 'postgres') return fn();
  db.prepare('SELECT pg_advisory_lock(?::bigint)').get(lockKey(name));
  try {
    return fn();
  } finally {
    db.prepare('SELECT pg_advisory_unlock(?::bigint)').get(lockKey(name));
  }
}

/** Takes the lock `name` if no other process holds it: its release, or undefined. */
export function tryDatabaseLock(db: SqlDatabase, name: string): (() => void) | undefined {
  if (sqlEngine(db) !== 'postgres') return () => {};
  const row = db.prepare('SELECT pg_try_advisory_lock(?::bigint) AS taken').get(lockKey(name)) as { taken: boolean | string };
  if (row.taken !== true && row.taken !== 't') return undefined;
  return () => {
    db.prepare('SELECT pg_advisory_unlock(?::bigint)').get(lockKey(name));
  };
}
