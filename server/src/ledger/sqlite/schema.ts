// The SQLite store's tables, and opening them: create, migrate, or (read-only)
// check that they are there in this code's version.
import type { SqliteDatabase } from '../../db.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { migrateFromV1, migrateFromV2, setCheckpointToHead } from './migrations.js';

/**
 * 2: ledger_postings replaced the (account id, at) indexes of 1; 3: balances
 * and postings are checkpointed (ledger_checkpoint), so code reading schema 2
 * would see stale balances. Opening a 1 or 2 read-write migrates it.
 */
export const LEDGER_SCHEMA_VERSION = 3;

/**
 * Page cache the store asks of its connection, in KiB (SQLite's default is
 * 2 MiB). Checkpoints and account reads touch balance, account and posting
 * pages spread over the chart; with the default cache most of them are read
 * back from the OS each time (issue #5 section 7; 16 and 256 MiB measured no
 * better for the payroll).
 */
export const LEDGER_CACHE_KIB = 65_536;

// Tables are prefixed: the registry shares this database file so that a
// registry change and its transfers commit together (db.ts).
const SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_accounts (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  normal TEXT NOT NULL CHECK (normal IN ('debit', 'credit')),
  must_not_go_negative INTEGER NOT NULL CHECK (must_not_go_negative IN (0, 1)),
  meta TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_balances (
  num INTEGER PRIMARY KEY,
  debits_fen INTEGER NOT NULL,
  credits_fen INTEGER NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_transfers (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  debit_account_id TEXT NOT NULL,
  credit_account_id TEXT NOT NULL,
  amount_fen INTEGER NOT NULL,
  code TEXT NOT NULL,
  at TEXT NOT NULL,
  reference TEXT,
  meta TEXT NOT NULL,
  linked INTEGER NOT NULL,
  recorded_at TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
-- The per-account history (schema 3): balances on a date (interest on
-- 1 January, POLICY.md) and an account's transfers (statements). A row is a
-- run of up to POSTING_RUN_ENTRIES postings of one account, consecutive in seq
-- and written by one checkpoint, packed in data (posting-run.ts), keyed by its
-- first seq: one B-tree entry for what a checkpoint brings an account, not one
-- per posting.
CREATE TABLE IF NOT EXISTS ledger_posting_runs (
  account_num INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (account_num, first_seq)
) STRICT, WITHOUT ROWID;
-- The chain's head, so that opening a ledger does not read the chain, and so
-- that deleting the last transfers is seen by verify.
CREATE TABLE IF NOT EXISTS ledger_head (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
-- Schema 3: ledger_balances and ledger_posting_runs hold exactly the transfers with
-- seq <= this; the later ones are replayed from ledger_transfers.
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL
) STRICT;
-- Transfers are immutable (issue #5 section 1). Dropping these triggers is
-- possible for whoever holds the file; verify is what catches that.
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_posting_runs_no_update BEFORE UPDATE ON ledger_posting_runs
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_posting_runs_no_delete BEFORE DELETE ON ledger_posting_runs
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
`;

/** Tables every ledger file holds, whatever its version (a read-only open requires them). */
const LEDGER_TABLES = ['ledger_meta', 'ledger_accounts', 'ledger_balances', 'ledger_transfers', 'ledger_head'];

function hasTable(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) === 1;
}

function storedVersion(db: SqliteDatabase): string | undefined {
  return db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
}

/** Creates the tables, or migrates older ones, in one immediate transaction. */
function createOrMigrate(db: SqliteDatabase): void {
  db.transaction(() => {
    db.exec(SCHEMA);
    const stored = storedVersion(db);
    if (stored === undefined) {
      db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run('schema_version', String(LEDGER_SCHEMA_VERSION));
      setCheckpointToHead(db);
    } else if (stored === '1' || stored === '2') {
      if (stored === '1') migrateFromV1(db);
      migrateFromV2(db);
      setCheckpointToHead(db);
      db.prepare("UPDATE ledger_meta SET value = ? WHERE key = 'schema_version'").run(String(LEDGER_SCHEMA_VERSION));
    }
  }).immediate();
}

/** Raises the connection's page cache to LEDGER_CACHE_KIB; never lowers it (the connection may belong to a server that asked for more). */
function raiseCache(db: SqliteDatabase): void {
  const cache = db.pragma('cache_size', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const cacheKib = cache < 0 ? -cache : (cache * pageSize) / 1024;
  if (cacheKib < LEDGER_CACHE_KIB) db.pragma(`cache_size = -${LEDGER_CACHE_KIB}`);
}

/**
 * Makes the ledger tables ready: read-write creates or migrates them; read-only
 * (verify) changes nothing and refuses a file without a ledger. Either way a
 * ledger of another version throws SchemaVersionMismatch.
 */
export function openLedgerSchema(db: SqliteDatabase, readonly: boolean): void {
  if (readonly) {
    if (!LEDGER_TABLES.every((t) => hasTable(db, t))) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the database holds no ledger (ledger tables missing)');
  } else {
    createOrMigrate(db);
    raiseCache(db);
  }
  const version = storedVersion(db);
  if (version !== String(LEDGER_SCHEMA_VERSION)) {
    const hint = (version === '1' || version === '2') && readonly ? ' (open it read-write once, e.g. start the server, to migrate it)' : '';
    throw new LedgerError(LedgerErrorCode.SchemaVersionMismatch, `ledger schema version ${String(version)}, this code reads ${LEDGER_SCHEMA_VERSION}${hint}`);
  }
  if (readonly && !hasTable(db, 'ledger_checkpoint')) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the ledger has no checkpoint table (ledger_checkpoint)');
}
