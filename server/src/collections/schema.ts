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
import type { SqliteDatabase } from '../db.js';

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
     count_note TEXT
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS cash_collection_terminal ON cash_collection (terminal_id, received_at)`,
  `CREATE INDEX IF NOT EXISTS cash_collection_started ON cash_collection (terminal_id, started_at)`,
];

/** Booked kiosk payments and credits recorded before kiosk_cash_event existed (their ledger time is filled in by the caller). */
const BACKFILL = `
  INSERT OR IGNORE INTO kiosk_cash_event (id, terminal_id, kind, citizen_number, amount_fen, kiosk_at, outcome, reason, received_at)
  SELECT id, terminal_id, kind, json_extract(request_json, '$.citizenNumber'),
         CASE kind WHEN 'payment' THEN json_extract(request_json, '$.cashFen') ELSE json_extract(request_json, '$.amountFen') END,
         strftime('%Y-%m-%dT%H:%M:%fZ', CASE kind WHEN 'payment' THEN json_extract(request_json, '$.paidAt') ELSE json_extract(request_json, '$.at') END),
         'booked', booking, received_at
  FROM kiosk_money_events WHERE kind IN ('payment', 'cash-credit')`;

function tableExists(db: SqliteDatabase, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

/**
 * Creates the tables when missing, in one transaction. `ledgerAt` gives a
 * booked event's ledger time (the ledger's public API), for the events
 * copied from kiosk_money_events when the table is new.
 */
export function migrateCollections(db: SqliteDatabase, ledgerAt: (eventId: string) => string | null): void {
  db.transaction(() => {
    const fresh = !tableExists(db, 'kiosk_cash_event');
    for (const sql of STATEMENTS) db.prepare(sql).run();
    if (!fresh || !tableExists(db, 'kiosk_money_events')) return;
    db.prepare(BACKFILL).run();
    const update = db.prepare('UPDATE kiosk_cash_event SET ledger_at = ? WHERE id = ?');
    for (const { id } of db.prepare('SELECT id FROM kiosk_cash_event').all() as { id: string }[]) update.run(ledgerAt(id), id);
  })();
}
