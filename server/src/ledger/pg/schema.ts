// Opening the PostgreSQL store's tables: create them (read-write) or check
// they are there in this code's version (read-only, for verify).
import type { PgDatabase } from '../../sql/pg-database.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { GENESIS_HASH } from '../hash.js';
import { PG_LEDGER_SCHEMA_VERSION, PG_LEDGER_TABLES, PG_TABLES, PG_TRIGGERS } from './ddl.js';

/**
 * The advisory lock that makes the first open of a database by several
 * gateways at once take turns: CREATE ... IF NOT EXISTS is not safe against a
 * concurrent CREATE of the same name in PostgreSQL.
 */
const SCHEMA_LOCK_KEY = 0x4e42_4c45_4447; // 'NBLEDG'

function ledgerTableCount(db: PgDatabase): number {
  const row = db.query('SELECT count(*) AS n FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY(?::text[])', [toTextArray(PG_LEDGER_TABLES)]).rows[0];
  return Number(row?.n ?? 0);
}

function storedVersion(db: PgDatabase): string | undefined {
  return db.query("SELECT value FROM ledger_meta WHERE key = 'schema_version'", []).rows[0]?.value as string | undefined;
}

/** A PostgreSQL array literal of text values ('{"a","b",NULL}'). */
export function toTextArray(values: readonly (string | null)[]): string {
  let out = '{';
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (i > 0) out += ',';
    out += v === null ? 'NULL' : `"${v.replace(/[\\"]/g, '\\$&')}"`;
  }
  return `${out}}`;
}

/** Whether the database holds any of the ledger's tables (migrate refuses a target that does and has rows in them). */
export function hasPgLedgerTables(db: PgDatabase): boolean {
  return ledgerTableCount(db) > 0;
}

/**
 * Makes the ledger tables ready: read-write creates what is missing (in one
 * transaction, under SCHEMA_LOCK_KEY); read-only changes nothing and refuses a
 * database without a ledger. Either way another version throws
 * SchemaVersionMismatch.
 */
export function openPgLedgerSchema(db: PgDatabase, readonly: boolean): void {
  if (readonly) {
    if (ledgerTableCount(db) !== PG_LEDGER_TABLES.length) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the database holds no ledger (ledger tables missing)');
  } else {
    db.transaction(() => {
      db.query('SELECT pg_advisory_xact_lock(?)', [SCHEMA_LOCK_KEY]);
      db.exec(PG_TABLES);
      db.query('INSERT INTO ledger_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING', ['schema_version', String(PG_LEDGER_SCHEMA_VERSION)]);
      db.query('INSERT INTO ledger_head (one, seq, block, hash) VALUES (1, 0, 0, ?) ON CONFLICT (one) DO NOTHING', [GENESIS_HASH]);
      db.exec(PG_TRIGGERS);
    })();
  }
  const version = storedVersion(db);
  if (version !== String(PG_LEDGER_SCHEMA_VERSION)) {
    throw new LedgerError(LedgerErrorCode.SchemaVersionMismatch, `PostgreSQL ledger schema version ${String(version)}, this code reads ${PG_LEDGER_SCHEMA_VERSION}`);
  }
}
