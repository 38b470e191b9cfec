// Migrations of the SQLite store's older schemas, run inside the opening
// transaction (schema.ts), so a failure leaves the file as it was.
import type { SqliteDatabase } from '../../db.js';
import { POSTING_RUN_ENTRIES, QUAD, encodeRun } from './posting-run.js';

/** Rows migrated per statement round (bounds the rows held in memory). */
const MIGRATION_CHUNK_ROWS = 10_000;

/** Schema 2's per-posting table: made by the schema 1 migration, read and dropped by the schema 2 one. */
const SCHEMA_2_POSTINGS = `CREATE TABLE IF NOT EXISTS ledger_postings (
  account_num INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  debit_fen INTEGER NOT NULL,
  credit_fen INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (account_num, seq)
) STRICT, WITHOUT ROWID`;

/** Schema 1 -> 2: postings from the stored transfers, then the old indexes go. */
export function migrateFromV1(db: SqliteDatabase): void {
  db.exec(SCHEMA_2_POSTINGS);
  const read = db
    .prepare<[number, number], [number, number, string, number | null, number | null]>(
      `SELECT t.seq, t.amount_fen, t.at, d.num, c.num FROM ledger_transfers t
       LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
       WHERE t.seq > ? ORDER BY t.seq LIMIT ?`,
    )
    .raw();
  const insert = db.prepare('INSERT OR IGNORE INTO ledger_postings (account_num, seq, debit_fen, credit_fen, at_ms) VALUES (?, ?, ?, ?, ?)');
  let after = 0;
  for (;;) {
    const rows = read.all(after, MIGRATION_CHUNK_ROWS);
    if (rows.length === 0) break;
    for (const [seq, amount, at, debitNum, creditNum] of rows) {
      // A transfer naming an account the chart lacks gets no posting there; verify reports it.
      const ms = Date.parse(at);
      const when = Number.isNaN(ms) ? 0 : ms;
      if (debitNum !== null) insert.run(debitNum, seq, amount, 0, when);
      if (creditNum !== null) insert.run(creditNum, seq, 0, amount, when);
    }
    after = rows[rows.length - 1]![0];
  }
  db.exec('DROP INDEX IF EXISTS ledger_transfers_debit_at; DROP INDEX IF EXISTS ledger_transfers_credit_at;');
}

/** Schema 2 -> 3: the postings become runs (streamed in key order), then the schema 2 table goes. */
export function migrateFromV2(db: SqliteDatabase): void {
  const insertRun = db.prepare('INSERT INTO ledger_posting_runs (account_num, first_seq, data) VALUES (?, ?, ?)');
  let num = -1;
  let run: number[] = [];
  const flush = (): void => {
    if (run.length > 0) insertRun.run(num, run[0]!, encodeRun(run));
    run = [];
  };
  // Read in pages (keyset on the primary key): the connection cannot insert while a read is open.
  const page = db
    .prepare<[number, number, number, number], [number, number, number, number, number]>(
      `SELECT account_num, seq, debit_fen, credit_fen, at_ms FROM ledger_postings
       WHERE account_num > ? OR (account_num = ? AND seq > ?) ORDER BY account_num, seq LIMIT ?`,
    )
    .raw();
  let afterNum = -1;
  let afterSeq = 0;
  for (;;) {
    const rows = page.all(afterNum, afterNum, afterSeq, MIGRATION_CHUNK_ROWS);
    if (rows.length === 0) break;
    for (const [account, seq, debit, credit, ms] of rows) {
      if (account !== num || run.length === POSTING_RUN_ENTRIES * QUAD) {
        flush();
        num = account;
      }
      run.push(seq, debit, credit, ms);
    }
    [afterNum, afterSeq] = rows[rows.length - 1]!;
  }
  flush();
  db.exec('DROP TRIGGER IF EXISTS ledger_postings_no_update; DROP TRIGGER IF EXISTS ledger_postings_no_delete; DROP TABLE ledger_postings;');
}

/** Schema 1 or 2 -> 3: their balances and postings are complete, so the checkpoint is the head. */
export function setCheckpointToHead(db: SqliteDatabase): void {
  const head = (db.prepare('SELECT seq FROM ledger_head WHERE one = 1').pluck().get() as number | undefined) ?? 0;
  db.prepare('INSERT INTO ledger_checkpoint (one, seq) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq').run(head);
}
