// Test-only: writes a ledger file exactly as schema 3 (the per-transfer hash
// chain, before issue #15 section 1 chained batches into blocks) wrote it, from
// schema 3's own SQL, so that the migration to blocks is tested on a real v3
// file. Independent of the store's code on purpose: the per-transfer hash, the
// posting-run codec and the checkpoint layout are spelled out again here.
import { hash } from 'node:crypto';
import Database from 'better-sqlite3';
import type { AccountSpec } from '../types.js';

/** Schema 3's SQL, verbatim. */
export const V3_SCHEMA = `
CREATE TABLE IF NOT EXISTS ledger_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS ledger_accounts (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  normal TEXT NOT NULL CHECK (normal IN ('debit', 'credit')),
  must_not_go_negative INTEGER NOT NULL CHECK (must_not_go_negative IN (0, 1)),
  meta TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_balances (num INTEGER PRIMARY KEY, debits_fen INTEGER NOT NULL, credits_fen INTEGER NOT NULL) STRICT;
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
CREATE TABLE IF NOT EXISTS ledger_posting_runs (
  account_num INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (account_num, first_seq)
) STRICT, WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS ledger_head (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL, hash TEXT NOT NULL) STRICT;
CREATE TABLE IF NOT EXISTS ledger_checkpoint (one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER NOT NULL) STRICT;
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_posting_runs_no_update BEFORE UPDATE ON ledger_posting_runs
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_posting_runs_no_delete BEFORE DELETE ON ledger_posting_runs
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
`;

const V3_GENESIS_HASH = '0'.repeat(64);
const V3_RUN_ENTRIES = 40;

/** A transfer in stored form (canonical `at`, canonical meta JSON or ''). */
export interface V3Transfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amountFen: number;
  code: string;
  at: string;
  reference?: string;
  metaJson?: string;
  linked?: boolean;
}

export interface V3LedgerOptions {
  accounts: AccountSpec[];
  /** Each batch gets its own recorded time, as createTransfers gave it. */
  batches: V3Transfer[][];
  /** Balances and posting runs hold the transfers up to this seq; the later ones are the unflushed tail. */
  checkpointSeq: number;
}

export interface V3Ledger {
  head: { seq: number; hash: string };
  /** The recorded time of each batch, in order. */
  recordedAts: string[];
}

/** Schema 3's per-transfer hash: SHA-256 of the previous hash, '\n' and the JSON array of the fields. */
export function v3TransferHash(prevHash: string, seq: number, t: V3Transfer, recordedAt: string): string {
  const encoding = JSON.stringify([
    'nongbao-ledger/1',
    seq,
    t.id,
    t.debitAccountId,
    t.creditAccountId,
    t.amountFen,
    t.code,
    t.at,
    t.reference ?? null,
    t.metaJson ?? '',
    t.linked === true ? 1 : 0,
    recordedAt,
  ]);
  return hash('sha256', `${prevHash}\n${encoding}`, 'hex');
}

function encodeRun(entries: readonly [number, number, number][]): Buffer {
  const out = Buffer.alloc(entries.length * 24);
  entries.forEach(([seq, signedFen, ms], i) => {
    out.writeDoubleLE(seq, i * 24);
    out.writeDoubleLE(signedFen, i * 24 + 8);
    out.writeDoubleLE(ms, i * 24 + 16);
  });
  return out;
}

/** Writes a schema 3 ledger into a new file at `path`. */
export function writeV3Ledger(path: string, options: V3LedgerOptions): V3Ledger {
  const db = new Database(path);
  try {
    db.pragma('journal_mode = WAL');
    db.exec(V3_SCHEMA);
    return db.transaction(() => writeRows(db, options))();
  } finally {
    db.close();
  }
}

function writeRows(db: Database.Database, options: V3LedgerOptions): V3Ledger {
  db.prepare("INSERT INTO ledger_meta (key, value) VALUES ('schema_version', '3')").run();
  const nums = new Map<string, number>();
  for (const spec of options.accounts) {
    const meta = spec.meta === undefined ? '' : JSON.stringify(spec.meta);
    const num = Number(db.prepare('INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) VALUES (?, ?, ?, ?, ?)').run(spec.id, spec.kind, spec.normal, spec.mustNotGoNegative ? 1 : 0, meta).lastInsertRowid);
    db.prepare('INSERT INTO ledger_balances (num, debits_fen, credits_fen) VALUES (?, 0, 0)').run(num);
    nums.set(spec.id, num);
  }
  const insert = db.prepare('INSERT INTO ledger_transfers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const addBalance = db.prepare('UPDATE ledger_balances SET debits_fen = debits_fen + ?, credits_fen = credits_fen + ? WHERE num = ?');
  const postings = new Map<number, [number, number, number][]>();
  const recordedAts: string[] = [];
  let prevHash = V3_GENESIS_HASH;
  let seq = 0;
  options.batches.forEach((batch, b) => {
    const recordedAt = new Date(Date.UTC(2025, 0, 1) + b * 1_000).toISOString();
    recordedAts.push(recordedAt);
    for (const t of batch) {
      seq++;
      const h = v3TransferHash(prevHash, seq, t, recordedAt);
      insert.run(seq, t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, t.reference ?? null, t.metaJson ?? '', t.linked === true ? 1 : 0, recordedAt, prevHash, h);
      prevHash = h;
      if (seq > options.checkpointSeq) continue;
      const [d, c] = [nums.get(t.debitAccountId)!, nums.get(t.creditAccountId)!];
      addBalance.run(t.amountFen, 0, d);
      addBalance.run(0, t.amountFen, c);
      const ms = Date.parse(t.at);
      if (!postings.has(d)) postings.set(d, []);
      if (!postings.has(c)) postings.set(c, []);
      postings.get(d)!.push([seq, t.amountFen, ms]);
      postings.get(c)!.push([seq, -t.amountFen, ms]);
    }
  });
  const insertRun = db.prepare('INSERT INTO ledger_posting_runs (account_num, first_seq, data) VALUES (?, ?, ?)');
  for (const [num, entries] of postings) {
    for (let k = 0; k < entries.length; k += V3_RUN_ENTRIES) insertRun.run(num, entries[k]![0], encodeRun(entries.slice(k, k + V3_RUN_ENTRIES)));
  }
  db.prepare('INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?, ?)').run(seq, prevHash);
  db.prepare('INSERT INTO ledger_checkpoint (one, seq) VALUES (1, ?)').run(options.checkpointSeq);
  return { head: { seq, hash: prevHash }, recordedAts };
}

type RowV4 = [number, string, string, string, number, string, string, string | null, string, number, string];

/**
 * Rewrites a schema 4 ledger file in place as schema 3 held the same
 * transfers: the per-transfer chain instead of blocks. For the older
 * migrations' tests, which turn a file further back from there.
 */
export function rewriteAsV3(db: Database.Database): V3Ledger['head'] {
  const rows = db
    .prepare('SELECT seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at FROM ledger_transfers ORDER BY seq')
    .raw()
    .all() as RowV4[];
  db.exec('DROP TABLE ledger_transfers; DROP TABLE ledger_blocks; DROP TABLE ledger_head;');
  db.exec(V3_SCHEMA);
  const insert = db.prepare('INSERT INTO ledger_transfers VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
  let prevHash = V3_GENESIS_HASH;
  for (const [seq, id, debitAccountId, creditAccountId, amountFen, code, at, reference, metaJson, linked, recordedAt] of rows) {
    const t: V3Transfer = { id, debitAccountId, creditAccountId, amountFen, code, at, metaJson, linked: linked === 1 };
    if (reference !== null) t.reference = reference;
    const h = v3TransferHash(prevHash, seq, t, recordedAt);
    insert.run(seq, id, debitAccountId, creditAccountId, amountFen, code, at, reference, metaJson, linked, recordedAt, prevHash, h);
    prevHash = h;
  }
  const head = { seq: rows.length === 0 ? 0 : rows[rows.length - 1]![0], hash: prevHash };
  if (rows.length > 0) db.prepare('INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?, ?)').run(head.seq, head.hash);
  db.prepare("UPDATE ledger_meta SET value = '3' WHERE key = 'schema_version'").run();
  return head;
}
