// The server's database from a `--db` value (issue 15 section 2): a file path
// or `sqlite:FILE` is SQLite (the default, zero set-up: a county), a
// postgres:// or postgresql:// URL is PostgreSQL (a province). Anything else
// shaped like a URL is refused, never taken for a file path ("Bad input").
// PostgreSQL's client (libpq) is loaded only when a URL names it, so a county
// never loads it.
import { openDatabase, type SqliteDatabase } from '../db.js';
import { Ledger, type LedgerOptions } from '../ledger/ledger.js';
import { openPgLedger } from '../ledger/pg/store.js';
import type { PgDatabase } from './pg-database.js';
import { checkPgUrl, looksLikeUrl, redactPgUrl } from './pg-url.js';
import { DatabaseOpenError, DatabaseOpenErrorCode } from './errors.js';
import { sqlEngine, type SqlDatabase } from './types.js';

export type DatabaseSpec = { engine: 'sqlite'; path: string } | { engine: 'postgres'; url: string };

const SQLITE_PREFIX = 'sqlite:';

/** What a `--db` value names; a DatabaseOpenError (one line, password hidden) when it names nothing this server opens. */
export function parseDatabaseSpec(text: string): DatabaseSpec {
  if (text.toLowerCase().startsWith(SQLITE_PREFIX)) {
    const path = text.slice(SQLITE_PREFIX.length);
    if (path === '' || path.startsWith('//')) throw new DatabaseOpenError(DatabaseOpenErrorCode.EmptyPath, `database ${text} names no file: write sqlite:FILE`);
    return { engine: 'sqlite', path };
  }
  if (/^postgres(ql)?:/i.test(text)) {
    const checked = checkPgUrl(text);
    if (!checked.ok) throw new DatabaseOpenError(DatabaseOpenErrorCode.MalformedUrl, `database URL ${redactPgUrl(text)} ${checked.reason}`);
    return { engine: 'postgres', url: checked.url };
  }
  if (looksLikeUrl(text)) {
    throw new DatabaseOpenError(DatabaseOpenErrorCode.UnknownScheme, `database ${redactPgUrl(text)} is not a file path, sqlite:FILE or a postgres:// URL`);
  }
  return { engine: 'sqlite', path: text };
}

/** Opens the server's database named by a `--db` value; a PostgreSQL server that cannot be reached fails here, at start. */
export async function openServerDatabase(text: string): Promise<SqlDatabase> {
  const spec = parseDatabaseSpec(text);
  if (spec.engine === 'sqlite') return openDatabase(spec.path);
  const { PgDatabase: Pg, PgError } = await import('./pg-database.js');
  try {
    return new Pg(spec.url);
  } catch (error) {
    if (error instanceof PgError) throw new DatabaseOpenError(DatabaseOpenErrorCode.Unreachable, error.message);
    throw error;
  }
}

/**
 * The ledger on the server's database, on the same connection as the
 * registry, so that a registry row and its transfers commit in one
 * transaction on either engine.
 */
export function openServerLedger(db: SqlDatabase, options: LedgerOptions = {}): Ledger {
  return sqlEngine(db) === 'postgres' ? openPgLedger(db as PgDatabase, options) : Ledger.openSqlite(db as SqliteDatabase, options);
}
