// Migrations of the SQLite store's older schemas, run inside the opening
// transaction (schema.ts), so a failure leaves the file as it was.
import type { SqliteDatabase } from '../../db.js';
import type { StoredBlock } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { GENESIS_HASH, blockDigest, blockHash, canonicalTransferEncoding, schema3TransferHash, type TransferContent } from '../hash.js';
import { MAX_BLOCK_TRANSFERS } from '../block.js';
import { POSTING_RUN_ENTRIES, QUAD, encodeRun } from './posting-run.js';
import { HEAD_TABLE, transfersTable } from './ddl.js';

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

// Schema 3 -> 4 (issue #15 section 1): the per-transfer hash chain becomes a
// chain of blocks. Decision: the history is re-chained into blocks, after
// schema 3's chain has been checked link by link against its head. A broken
// chain is not migrated (MigrationRefused, the file unchanged): new blocks
// over it would vouch for what may have been tampered with. The blocks follow
// the original batches (a batch's transfers share their recorded time; at most
// MAX_BLOCK_TRANSFERS each). The per-transfer hashes are dropped with their
// columns: they are derived from the transfers' own fields (schema3TransferHash
// recomputes them), and the old head is kept in ledger_meta (schema3_head) for
// an auditor who noted it down.

/** A schema 3 transfer row: its content, its stored link and hash. */
type V3Row = [number, string, string, string, number, string, string, string | null, string, number, string, string, string];

function contentOf(r: V3Row): TransferContent {
  return {
    seq: r[0],
    id: r[1],
    debitAccountId: r[2],
    creditAccountId: r[3],
    amountFen: r[4],
    code: r[5],
    at: r[6],
    reference: r[7],
    metaJson: r[8],
    linked: r[9] === 1,
    recordedAt: r[10],
  };
}

function refuse(why: string): never {
  throw new LedgerError(
    LedgerErrorCode.MigrationRefused,
    `the schema 3 ledger was not migrated, and is unchanged: ${why}. Investigate the file with the version that wrote it (nongbao ledger verify)`,
  );
}

/** Walks schema 3's chain in seq order, checking each link, and groups the transfers into blocks. */
class Rechain {
  #seq = 0;
  #hash = GENESIS_HASH;
  #blockHash = GENESIS_HASH;
  #blocks = 0;
  #open: { firstSeq: number; recordedAt: string; encodings: string[] } | undefined;

  constructor(private readonly insertBlock: (b: StoredBlock) => void) {}

  add(r: V3Row): void {
    const t = contentOf(r);
    if (t.seq !== this.#seq + 1) refuse(`seq ${t.seq} follows ${this.#seq}`);
    if (r[11] !== this.#hash) refuse(`the link of seq ${t.seq} does not match the hash of seq ${this.#seq}`);
    if (schema3TransferHash(this.#hash, t) !== r[12]) refuse(`the hash of seq ${t.seq} does not match its content`);
    this.#seq = t.seq;
    this.#hash = r[12];
    const open = this.#open;
    if (open !== undefined && (open.recordedAt !== t.recordedAt || open.encodings.length === MAX_BLOCK_TRANSFERS)) this.close();
    this.#open ??= { firstSeq: t.seq, recordedAt: t.recordedAt, encodings: [] };
    this.#open.encodings.push(canonicalTransferEncoding(t));
  }

  close(): void {
    const open = this.#open;
    if (open === undefined) return;
    this.#open = undefined;
    const header = { num: ++this.#blocks, firstSeq: open.firstSeq, lastSeq: open.firstSeq + open.encodings.length - 1, digest: blockDigest(open.encodings), prevHash: this.#blockHash };
    this.#blockHash = blockHash(header);
    this.insertBlock({ ...header, hash: this.#blockHash });
  }

  /** The head schema 3 stored must be where its chain ended. */
  end(head: { seq: number; hash: string }): { seq: number; block: number; hash: string } {
    this.close();
    if (head.seq !== this.#seq || head.hash !== this.#hash) refuse(`its head (seq ${head.seq}) is not the end of its chain (seq ${this.#seq})`);
    return { seq: this.#seq, block: this.#blocks, hash: this.#blockHash };
  }
}

/** Checks schema 3's chain and writes ledger_blocks from it; returns the new head. */
function rechainIntoBlocks(db: SqliteDatabase): { seq: number; block: number; hash: string } {
  const insert = db.prepare('INSERT INTO ledger_blocks (num, first_seq, last_seq, digest, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)');
  const rechain = new Rechain((b) => insert.run(b.num, b.firstSeq, b.lastSeq, b.digest, b.prevHash, b.hash));
  // Read in pages (keyset on seq): the connection cannot insert while a read is open.
  const page = db
    .prepare<[number, number], V3Row>(
      `SELECT seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, prev_hash, hash
       FROM ledger_transfers WHERE seq > ? ORDER BY seq LIMIT ?`,
    )
    .raw();
  for (let after = 0; ; ) {
    const rows = page.all(after, MIGRATION_CHUNK_ROWS);
    if (rows.length === 0) break;
    for (const r of rows) rechain.add(r);
    after = rows[rows.length - 1]![0];
  }
  const head = db.prepare<[], [number, string]>('SELECT seq, hash FROM ledger_head WHERE one = 1').raw().get() ?? [0, GENESIS_HASH];
  return rechain.end({ seq: head[0], hash: head[1] });
}

const V4_COLUMNS = 'seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at';

export function migrateFromV3(db: SqliteDatabase): void {
  const v3Head = db.prepare<[], [number, string]>('SELECT seq, hash FROM ledger_head WHERE one = 1').raw().get() ?? [0, GENESIS_HASH];
  const head = rechainIntoBlocks(db);
  // The transfer rows move to a table without the per-transfer chain, each with its block and index (one pass, in seq order).
  db.exec(`${transfersTable('ledger_transfers_v4')};
    INSERT INTO ledger_transfers_v4 (${V4_COLUMNS}, block, block_index)
      SELECT ${V4_COLUMNS
        .split(', ')
        .map((c) => `t.${c}`)
        .join(', ')}, b.num, t.seq - b.first_seq
      FROM ledger_blocks b JOIN ledger_transfers t ON t.seq BETWEEN b.first_seq AND b.last_seq ORDER BY t.seq;
    DROP TABLE ledger_transfers;
    ALTER TABLE ledger_transfers_v4 RENAME TO ledger_transfers;
    DROP TABLE ledger_head;
    ${HEAD_TABLE};`);
  if (head.block > 0) db.prepare('INSERT INTO ledger_head (one, seq, block, hash) VALUES (1, ?, ?, ?)').run(head.seq, head.block, head.hash);
  db.prepare("INSERT INTO ledger_meta (key, value) VALUES ('schema3_head', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(`seq ${v3Head[0]} hash ${v3Head[1]}`);
}
