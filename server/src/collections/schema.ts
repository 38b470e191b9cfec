// The cash-box collections' tables, in the server's database (issue 13
// section 2). Created when missing; columns are only ever added.
// - kiosk_cash_event: every payment and cash credit a kiosk relayed, as the
//   gateway received it and whatever became of it (booked from the cash box,
//   refused, not booked), and the collection whose box it was in: the kiosk's
//   journal as the server knows it. Filled once from kiosk_money_events when
//   the table is new, so the first collection after an upgrade finds the
//   events booked before it.
// - cash_collection: each collection as the kiosk relayed it (what its journal
//   said the box held), the ledger's cash-box balance when it arrived, and the
//   office's count.
import { sqlEngine, type SqlDatabase } from '../sql/types.js';
import { columnNames, tableExists } from '../sql/schema.js';

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS kiosk_cash_event (
     id TEXT PRIMARY KEY,
     terminal_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit')),
     citizen_number TEXT NOT NULL,
     amount_fen INTEGER NOT NULL,
     kiosk_at TEXT NOT NULL,
     outcome TEXT NOT NULL CHECK (outcome IN ('booked', 'refused', 'not-booked')),
     reason TEXT,
     received_at TEXT NOT NULL,
     ledger_at TEXT,
     collection_id TEXT
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS kiosk_cash_event_box ON kiosk_cash_event (terminal_id, collection_id)`,
  `CREATE INDEX IF NOT EXISTS kiosk_cash_event_kiosk_day ON kiosk_cash_event (terminal_id, kiosk_at)`,
  `CREATE INDEX IF NOT EXISTS kiosk_cash_event_ledger_day ON kiosk_cash_event (terminal_id, ledger_at)`,
  `CREATE TABLE IF NOT EXISTS cash_collection (
     id TEXT PRIMARY KEY,
     terminal_id TEXT NOT NULL,
     previous_id TEXT,
     expected_previous_id TEXT,
     staff_card_number TEXT NOT NULL,
     started_at TEXT NOT NULL,
     booked_at TEXT NOT NULL,
     received_at TEXT NOT NULL,
     request_json TEXT NOT NULL,
     journal_fen INTEGER NOT NULL,
     ledger_fen INTEGER NOT NULL,
     counted_json TEXT,
     counted_fen INTEGER,
     counted_at TEXT,
     counted_by TEXT,
     count_note TEXT,
     seq INTEGER
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS cash_collection_terminal ON cash_collection (terminal_id, received_at)`,
  `CREATE INDEX IF NOT EXISTS cash_collection_started ON cash_collection (terminal_id, started_at)`,
];

/** Booked kiosk payments and credits recorded before kiosk_cash_event existed (their ledger time is filled in by the caller). */
const INSERT_BACKFILLED = `
  INSERT OR IGNORE INTO kiosk_cash_event (id, terminal_id, kind, citizen_number, amount_fen, kiosk_at, outcome, reason, received_at)
  VALUES (?, ?, ?, ?, ?, ?, 'booked', ?, ?)`;

interface MoneyEventRow {
  id: string;
  terminal_id: string;
  kind: 'payment' | 'cash-credit';
  request_json: string;
  booking: string;
  received_at: string;
}

/**
 * Copies the booked kiosk payments and credits into the new table. Read in
 * code rather than with SQLite's json_extract/strftime, so the copy is the
 * same on both engines; a row without a person, an amount or a valid kiosk
 * time is skipped (as SQLite's NOT NULL under OR IGNORE skipped it before).
 */
function backfill(db: SqlDatabase): void {
  const insert = db.prepare(INSERT_BACKFILLED);
  const rows = db.prepare("SELECT id, terminal_id, kind, request_json, booking, received_at FROM kiosk_money_events WHERE kind IN ('payment', 'cash-credit')").all() as MoneyEventRow[];
  for (const row of rows) {
    const request = JSON.parse(row.request_json) as { citizenNumber?: unknown; cashFen?: unknown; amountFen?: unknown; paidAt?: unknown; at?: unknown };
    const amountFen = row.kind === 'payment' ? request.cashFen : request.amountFen;
    const at = row.kind === 'payment' ? request.paidAt : request.at;
    const atMs = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (typeof request.citizenNumber !== 'string' || typeof amountFen !== 'number' || Number.isNaN(atMs)) continue;
    insert.run(row.id, row.terminal_id, row.kind, request.citizenNumber, amountFen, new Date(atMs).toISOString(), row.booking, row.received_at);
  }
}

/**
 * cash_collection.seq orders a kiosk's collections as they arrived (the
 * newest is the next one's expected predecessor). It replaced SQLite's rowid,
 * which PostgreSQL has not (issue 15 section 2); a table made before it gets
 * the column, filled from the rowid it replaces (only SQLite can have such a table).
 */
function addCollectionSeq(db: SqlDatabase): void {
  if (!columnNames(db, 'cash_collection').includes('seq')) {
    db.prepare('ALTER TABLE cash_collection ADD COLUMN seq INTEGER').run();
    if (sqlEngine(db) === 'sqlite') db.prepare('UPDATE cash_collection SET seq = rowid').run();
  }
  db.prepare('CREATE INDEX IF NOT EXISTS cash_collection_seq ON cash_collection (terminal_id, seq)').run();
}

/**
 * Creates the tables when missing, in one transaction. `ledgerAt` gives a
 * booked event's ledger time (the ledger's public API), for the events
 * copied from kiosk_money_events when the table is new.
 */
export function migrateCollections(db: SqlDatabase, ledgerAt: (eventId: string) => string | null): void {
  db.transaction(() => {
    const fresh = !tableExists(db, 'kiosk_cash_event');
    for (const sql of STATEMENTS) db.prepare(sql).run();
    addCollectionSeq(db);
    if (!fresh || !tableExists(db, 'kiosk_money_events')) return;
    backfill(db);
    const update = db.prepare('UPDATE kiosk_cash_event SET ledger_at = ? WHERE id = ?');
    for (const { id } of db.prepare('SELECT id FROM kiosk_cash_event').all() as { id: string }[]) update.run(ledgerAt(id), id);
  })();
}
