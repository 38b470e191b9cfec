// The journal's tables and their migrations (PRAGMA user_version). Every
// migration runs in one transaction and loses nothing. From version 3 on,
// changes are expand-then-contract (issue 13): a version adds columns and
// tables the previous one ignores, and only a later version drops what no
// version in the field still reads.
import type { JournalDatabase } from './db.js';

/** The journal's schema version. */
export const JOURNAL_SCHEMA_VERSION = 5;

const BASE = `
  CREATE TABLE IF NOT EXISTS account_cache (
    citizen_number TEXT PRIMARY KEY,
    summary_json TEXT NOT NULL,
    cached_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS payment (
    id TEXT PRIMARY KEY,
    citizen_number TEXT NOT NULL,
    contribution_year INTEGER NOT NULL,
    tier_yuan INTEGER NOT NULL,
    due_fen INTEGER NOT NULL CHECK (due_fen > 0),
    stacked_fen INTEGER NOT NULL DEFAULT 0 CHECK (stacked_fen >= 0 AND stacked_fen <= due_fen),
    state TEXT NOT NULL CHECK (state IN ('open', 'complete', 'cancelled')),
    close_reason TEXT,
    opened_at TEXT NOT NULL,
    closed_at TEXT,
    receipt_printed_at TEXT
  ) STRICT;
  CREATE TABLE IF NOT EXISTS payment_note (
    payment_id TEXT NOT NULL REFERENCES payment(id),
    escrow_counter INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    state TEXT NOT NULL CHECK (state IN ('stacking', 'stacked')),
    decided_at TEXT NOT NULL,
    stacked_at TEXT,
    PRIMARY KEY (payment_id, escrow_counter)
  ) STRICT;
  CREATE TABLE IF NOT EXISTS outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    result TEXT
  ) STRICT;
  CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);
  CREATE TABLE IF NOT EXISTS unattributed_cash (
    event_counter INTEGER NOT NULL,
    amount_fen INTEGER NOT NULL,
    reported_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE IF NOT EXISTS device_state (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
`;

/** Version 1 -> 2: the outbox takes proof-of-life certifications (SQLite cannot alter a CHECK: the table is copied). */
function toVersion2(db: JournalDatabase): void {
  const outboxSql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get() as { sql: string }).sql;
  if (outboxSql.includes("'certification'")) return;
  db.exec(`
    ALTER TABLE outbox RENAME TO outbox_v1;
    CREATE TABLE outbox (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
      payload_json TEXT NOT NULL,
      created_at TEXT NOT NULL,
      attempts INTEGER NOT NULL DEFAULT 0,
      sent_at TEXT,
      result TEXT
    ) STRICT;
    INSERT INTO outbox SELECT * FROM outbox_v1;
    DROP TABLE outbox_v1;
    CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);
  `);
}

function addColumn(db: JournalDatabase, table: string, column: string, definition: string): void {
  const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[];
  if (!columns.some((c) => c.name === column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
}

/**
 * Version 2 -> 3 (issue 11): the journal keeps rows, not wire messages.
 * Certifications get their own table (filled from version-2 outbox payloads);
 * the outbox row says what happened to the entry (state, booking, reason);
 * payments taken offline are marked with their receipt's signature; the
 * kiosk's pushed configuration, its alarms and its sync state are kept.
 * `payload_json` stays (expand only); version 3 writes '{}' there.
 */
function toVersion3(db: JournalDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS certification (
      id TEXT PRIMARY KEY,
      citizen_number TEXT NOT NULL,
      certified_on TEXT NOT NULL,
      certified_at TEXT NOT NULL,
      card_session TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS kiosk_state (
      key TEXT PRIMARY KEY,
      value_json TEXT NOT NULL,
      updated_at TEXT NOT NULL
    ) STRICT;
    CREATE TABLE IF NOT EXISTS alarm (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      code TEXT NOT NULL,
      message TEXT NOT NULL,
      since TEXT NOT NULL,
      event_id TEXT,
      cleared_at TEXT
    ) STRICT;
  `);
  addColumn(db, 'payment', 'offline_signature', 'TEXT');
  addColumn(db, 'outbox', 'state', "TEXT NOT NULL DEFAULT 'pending'");
  addColumn(db, 'outbox', 'booking', 'TEXT');
  addColumn(db, 'outbox', 'reason', 'TEXT');
  addColumn(db, 'outbox', 'outcome_json', 'TEXT');
  db.exec("UPDATE outbox SET state = 'done' WHERE sent_at IS NOT NULL AND state = 'pending'");
  const certifications = db.prepare("SELECT id, payload_json, created_at FROM outbox WHERE kind = 'certification'").all() as {
    id: string;
    payload_json: string;
    created_at: string;
  }[];
  const insert = db.prepare(
    'INSERT OR IGNORE INTO certification (id, citizen_number, certified_on, certified_at, card_session) VALUES (?, ?, ?, ?, ?)',
  );
  for (const c of certifications) {
    const p = JSON.parse(c.payload_json) as { citizenNumber?: string; certifiedOn?: string; certifiedAt?: string; cardSession?: string };
    // A version-2 certification has no card session: the gateway will refuse it, the kiosk raises an alarm.
    insert.run(c.id, p.citizenNumber ?? '', p.certifiedOn ?? '', p.certifiedAt ?? c.created_at, p.cardSession ?? '');
  }
}

/** The outbox as version 3 left it, with `collection` among its kinds. */
const OUTBOX_V4 = `
  CREATE TABLE outbox (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification', 'collection')),
    payload_json TEXT NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TEXT,
    result TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    booking TEXT,
    reason TEXT,
    outcome_json TEXT
  ) STRICT;
`;

/**
 * Version 3 -> 4 (issue 13 section 2): cash-box collections. A collection
 * row says what the journal counted in the box when staff started emptying
 * it; each stacked note and each unattributed credit is marked with the
 * collection that took it out (null: still in the box). The outbox takes
 * `collection` events: SQLite cannot widen a CHECK, so the table is copied
 * with the same columns in the same order, which version 3 still reads (it
 * halts its outbox at a collection it cannot build, and loses nothing).
 */
function toVersion4(db: JournalDatabase): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS collection (
      id TEXT PRIMARY KEY,
      previous_id TEXT,
      staff_card_number TEXT NOT NULL,
      started_at TEXT NOT NULL,
      notes_json TEXT NOT NULL,
      amount_fen INTEGER NOT NULL CHECK (amount_fen >= 0),
      payment_count INTEGER NOT NULL,
      payment_fen INTEGER NOT NULL,
      credit_count INTEGER NOT NULL,
      credit_fen INTEGER NOT NULL,
      unattributed_count INTEGER NOT NULL,
      unattributed_fen INTEGER NOT NULL,
      slip_printed_at TEXT,
      finished_at TEXT
    ) STRICT;
    CREATE UNIQUE INDEX IF NOT EXISTS collection_one_open ON collection ((finished_at IS NULL)) WHERE finished_at IS NULL;
  `);
  addColumn(db, 'payment_note', 'collection_id', 'TEXT');
  addColumn(db, 'unattributed_cash', 'collection_id', 'TEXT');
  const outboxSql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get() as { sql: string }).sql;
  if (outboxSql.includes("'collection'")) return;
  db.exec(`ALTER TABLE outbox RENAME TO outbox_v3; ${OUTBOX_V4} INSERT INTO outbox SELECT * FROM outbox_v3; DROP TABLE outbox_v3;
    CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);`);
}

/** Outbox kinds from version 5 on (protocol `moneyEventSchema`). */
const OUTBOX_KINDS_V5 = "'payment', 'cash-credit', 'certification', 'collection', 'pension-complaint', 'help-request'";

/**
 * Version 4 -> 5 (issue 12): the outbox also relays residents' complaints
 * and help requests (the kind CHECK is widened: the table is copied, its
 * columns named); requests get their table; a certification may carry its
 * photo, sealed for the server before it is written here.
 */
function toVersion5(db: JournalDatabase): void {
  const outboxSql = (db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get() as { sql: string }).sql;
  if (!outboxSql.includes("'help-request'")) {
    const columns = 'id, kind, payload_json, created_at, attempts, sent_at, result, state, booking, reason, outcome_json';
    db.exec(`
      ALTER TABLE outbox RENAME TO outbox_v4;
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN (${OUTBOX_KINDS_V5})),
        payload_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        result TEXT,
        state TEXT NOT NULL DEFAULT 'pending',
        booking TEXT,
        reason TEXT,
        outcome_json TEXT
      ) STRICT;
      INSERT INTO outbox (${columns}) SELECT ${columns} FROM outbox_v4;
      DROP TABLE outbox_v4;
      CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);
    `);
  }
  db.exec(`
    CREATE TABLE IF NOT EXISTS resident_request (
      id TEXT PRIMARY KEY,
      kind TEXT NOT NULL CHECK (kind IN ('pension-complaint', 'help-request')),
      citizen_number TEXT,
      month TEXT,
      amount_fen INTEGER,
      made_at TEXT NOT NULL
    ) STRICT;
  `);
  addColumn(db, 'certification', 'photo_json', 'TEXT');
}

export function migrateJournal(db: JournalDatabase): void {
  db.exec(BASE);
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version >= JOURNAL_SCHEMA_VERSION) return;
  db.transaction(() => {
    if (version < 2) toVersion2(db);
    if (version < 3) toVersion3(db);
    if (version < 4) toVersion4(db);
    if (version < 5) toVersion5(db);
    db.pragma(`user_version = ${JOURNAL_SCHEMA_VERSION}`);
  })();
}
