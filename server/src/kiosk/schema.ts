// Tables of the kiosk service that residents' requests and proof-of-life
// photos need (issue 12), in the shared database, in the registry's schema
// style: CREATE ... IF NOT EXISTS, so opening an existing database is a no-op
// and an older database gains them on its next start (expand only).
import type { SqlDatabase } from '../sql/types.js';

const STATEMENTS = [
  `CREATE TABLE IF NOT EXISTS kiosk_keys (name TEXT PRIMARY KEY, key BLOB NOT NULL) STRICT`,
  // "I did not receive it" complaints and help requests from kiosks, as the
  // county office handles them: open -> in-hand -> settled (issue 12 section 1).
  `CREATE TABLE IF NOT EXISTS kiosk_requests (
     id TEXT PRIMARY KEY,
     terminal_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('pension-complaint', 'help-request')),
     citizen_number TEXT,
     village_code TEXT,
     month TEXT,
     amount_fen INTEGER CHECK (amount_fen IS NULL OR amount_fen >= 0),
     made_at TEXT NOT NULL,
     received_at TEXT NOT NULL,
     state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'in-hand', 'settled')),
     state_by TEXT,
     state_at TEXT,
     note TEXT
   ) STRICT`,
  `CREATE INDEX IF NOT EXISTS kiosk_requests_state ON kiosk_requests(state, received_at)`,
  // Proof-of-life photos taken at kiosks, opened by the server for review at
  // the office (POLICY.md "Proof of life": "a photo is taken for review").
  `CREATE TABLE IF NOT EXISTS kiosk_certification_photos (
     certification_id TEXT PRIMARY KEY,
     terminal_id TEXT NOT NULL,
     citizen_number TEXT NOT NULL,
     certified_on TEXT NOT NULL,
     jpeg BLOB,
     problem TEXT CHECK (problem IS NULL OR problem IN ('unreadable', 'not-jpeg', 'other-key')),
     received_at TEXT NOT NULL
   ) STRICT`,
  // A resident's photos on their page at the office (issue 14 "Residents").
  `CREATE INDEX IF NOT EXISTS kiosk_certification_photos_person ON kiosk_certification_photos(citizen_number, received_at)`,
];

export function migrateKiosk(db: SqlDatabase): void {
  db.transaction(() => {
    for (const sql of STATEMENTS) db.prepare(sql).run();
  })();
}
