// The terminal registry's tables, in the server's database. Columns added
// after a table was first created are added when missing (expand only).
import type { SqlDatabase } from '../sql/types.js';
import { columnNames } from '../sql/schema.js';

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS terminal (
     id TEXT PRIMARY KEY,
     public_key TEXT NOT NULL,
     enrolled_at TEXT NOT NULL,
     revoked_at TEXT
   )`,
  `CREATE TABLE IF NOT EXISTS terminal_enrol_code (
     code_hash TEXT PRIMARY KEY,
     terminal_id TEXT NOT NULL,
     issued_at TEXT NOT NULL,
     expires_at_ms INTEGER NOT NULL,
     used_at TEXT
   )`,
  // Where a kiosk stands and what the county set for it (issue 11 sections 4-5).
  `CREATE TABLE IF NOT EXISTS terminal_site (
     terminal_id TEXT PRIMARY KEY,
     village_code TEXT,
     location TEXT,
     offline_amount_fen INTEGER,
     offline_payments INTEGER,
     config_revision INTEGER NOT NULL DEFAULT 1,
     created_at TEXT NOT NULL,
     created_by TEXT
   ) STRICT`,
  // Handshake nonces seen within the clock-skew window: kept on disk, so a
  // handshake cannot be replayed across a server restart (issue 11 section 4).
  `CREATE TABLE IF NOT EXISTS terminal_nonce (
     terminal_id TEXT NOT NULL,
     nonce TEXT NOT NULL,
     seen_at_ms INTEGER NOT NULL,
     PRIMARY KEY (terminal_id, nonce)
   ) STRICT, WITHOUT ROWID`,
  `CREATE INDEX IF NOT EXISTS terminal_nonce_age ON terminal_nonce(seen_at_ms)`,
  // Entries a kiosk's outbox stopped at, until an operator settles them (issue 11 section 3).
  `CREATE TABLE IF NOT EXISTS terminal_outbox_halt (
     terminal_id TEXT NOT NULL,
     event_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     outcome_json TEXT NOT NULL,
     halted_at TEXT NOT NULL,
     settled_at TEXT,
     settled_by TEXT,
     note TEXT,
     PRIMARY KEY (terminal_id, event_id)
   ) STRICT`,
  // Differences the cash-box reconciliation could not explain, until an
  // operator resolves them (issue 13 section 2); one per collection, kind and denomination.
  `CREATE TABLE IF NOT EXISTS terminal_reconciliation_alarm (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     terminal_id TEXT NOT NULL,
     collection_id TEXT NOT NULL,
     kind TEXT NOT NULL,
     denomination_fen INTEGER NOT NULL DEFAULT 0,
     amount_fen INTEGER NOT NULL,
     detail TEXT NOT NULL,
     raised_at TEXT NOT NULL,
     resolved_at TEXT,
     resolved_by TEXT,
     note TEXT,
     UNIQUE (collection_id, kind, denomination_fen)
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS terminal_reconciliation_alarm_open ON terminal_reconciliation_alarm (terminal_id) WHERE resolved_at IS NULL`,
];

const ADDED_COLUMNS: readonly [table: string, column: string, definition: string][] = [
  ['terminal', 'last_contact_ms', 'INTEGER'],
  ['terminal', 'software_version', 'TEXT'],
  ['terminal', 'status_json', 'TEXT'],
  ['terminal', 'status_at_ms', 'INTEGER'],
  ['terminal', 'connected_since_ms', 'INTEGER'],
  ['terminal', 'last_error', 'TEXT'],
];

export function migrateTerminalRegistry(db: SqlDatabase): void {
  db.transaction(() => {
    for (const sql of STATEMENTS) db.prepare(sql).run();
    for (const [table, column, definition] of ADDED_COLUMNS) {
      if (!columnNames(db, table).includes(column)) db.prepare(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`).run();
    }
  })();
}
