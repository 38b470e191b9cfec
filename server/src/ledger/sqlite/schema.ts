// The SQLite store's tables, and opening them: create, migrate, or (read-only)
// check that they are there in this code's version.
import type { SqliteDatabase } from '../../db.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { TABLES, TRIGGERS } from './ddl.js';
import { migrateFromV1, migrateFromV2, migrateFromV3, setCheckpointToHead } from './migrations.js';

/**
 * 2: ledger_postings replaced the (account id, at) indexes of 1; 3: balances
 * and postings are checkpointed (ledger_checkpoint), so code reading schema 2
 * would see stale balances; 4: the hash chain is per block (one per committed
 * batch, issue #15 section 1) instead of per transfer. Opening a 1, 2 or 3
 * read-write migrates it (migrations.ts).
 */
export const LEDGER_SCHEMA_VERSION = 4;

const OLDER_VERSIONS = ['1', '2', '3'];

/**
 * Page cache the store asks of its connection, in KiB (SQLite's default is
 * 2 MiB). Checkpoints and account reads touch balance, account and posting
 * pages spread over the chart; with the default cache most of them are read
 * back from the OS each time (issue #5 section 7; 16 and 256 MiB measured no
 * better for the payroll).
 */
export const LEDGER_CACHE_KIB = 65_536;

/** Tables every ledger file holds, whatever its version (a read-only open requires them). */
const LEDGER_TABLES = ['ledger_meta', 'ledger_accounts', 'ledger_balances', 'ledger_transfers', 'ledger_head'];

function hasTable(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?").pluck().get(name) === 1;
}

function storedVersion(db: SqliteDatabase): string | undefined {
  return db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
}

/** Creates the tables, or migrates older ones, in one immediate transaction: a failed migration leaves the file as it was. */
function createOrMigrate(db: SqliteDatabase): void {
  db.transaction(() => {
    db.exec(TABLES);
    const stored = storedVersion(db);
    if (stored === undefined) {
      db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run('schema_version', String(LEDGER_SCHEMA_VERSION));
      setCheckpointToHead(db);
    } else if (OLDER_VERSIONS.includes(stored)) {
      if (stored === '1') migrateFromV1(db);
      if (stored === '1' || stored === '2') {
        migrateFromV2(db);
        setCheckpointToHead(db);
      }
      migrateFromV3(db);
      db.prepare("UPDATE ledger_meta SET value = ? WHERE key = 'schema_version'").run(String(LEDGER_SCHEMA_VERSION));
    }
    db.exec(TRIGGERS);
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
    const hint = version !== undefined && OLDER_VERSIONS.includes(version) && readonly ? ' (open it read-write once, e.g. start the server, to migrate it)' : '';
    throw new LedgerError(LedgerErrorCode.SchemaVersionMismatch, `ledger schema version ${String(version)}, this code reads ${LEDGER_SCHEMA_VERSION}${hint}`);
  }
  if (readonly && !hasTable(db, 'ledger_checkpoint')) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the ledger has no checkpoint table (ledger_checkpoint)');
}
