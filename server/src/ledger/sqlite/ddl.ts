// The SQLite store's tables (schema 4). Tables are prefixed: the registry
// shares this database file so that a registry change and its transfers
// commit together (db.ts).

/** The transfer log, the truth (issue #5 section 7): everything else is derived from it or checks it. */
export function transfersTable(name: string): string {
  return `CREATE TABLE IF NOT EXISTS ${name} (
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
  -- Its place in the chain (issue #15 section 1): block number, index from 0.
  block INTEGER NOT NULL,
  block_index INTEGER NOT NULL
) STRICT`;
}

/** The chain's head (schema 4: the last block), so that opening a ledger does not read the chain, and so that deleting the last blocks is seen by verify. */
export const HEAD_TABLE = `CREATE TABLE IF NOT EXISTS ledger_head (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL,
  block INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT`;

export const TABLES = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_accounts (
  num INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  normal TEXT NOT NULL CHECK (normal IN ('debit', 'credit')),
  must_not_go_negative INTEGER NOT NULL CHECK (must_not_go_negative IN (0, 1)),
  meta TEXT NOT NULL
) STRICT;
CREATE TABLE IF NOT EXISTS ledger_balances (
  num INTEGER PRIMARY KEY,
  debits_fen INTEGER NOT NULL,
  credits_fen INTEGER NOT NULL
) STRICT;
${transfersTable('ledger_transfers')};
-- One row per committed batch (issue #15 section 1; hash.ts): the transfers
-- first_seq..last_seq, their digest, the previous block's hash and its own.
CREATE TABLE IF NOT EXISTS ledger_blocks (
  num INTEGER PRIMARY KEY,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
) STRICT;
-- The per-account history (schema 3): balances on a date (interest on
-- 1 January, POLICY.md) and an account's transfers (statements). A row is a
-- run of up to POSTING_RUN_ENTRIES postings of one account, consecutive in seq
-- and written by one checkpoint, packed in data (posting-run.ts), keyed by its
-- first seq: one B-tree entry for what a checkpoint brings an account, not one
-- per posting.
CREATE TABLE IF NOT EXISTS ledger_posting_runs (
  account_num INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (account_num, first_seq)
) STRICT, WITHOUT ROWID;
${HEAD_TABLE};
-- Schema 3: ledger_balances and ledger_posting_runs hold exactly the transfers with
-- seq <= this; the later ones are replayed from ledger_transfers.
CREATE TABLE IF NOT EXISTS ledger_checkpoint (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL
) STRICT;
`;

/**
 * Transfers, blocks and postings are immutable (issue #5 section 1). Dropping
 * these triggers is possible for whoever holds the file; verify is what
 * catches that.
 */
export const TRIGGERS = ['ledger_transfers', 'ledger_blocks', 'ledger_posting_runs']
  .flatMap((table) => {
    const what = table === 'ledger_posting_runs' ? 'postings' : table.slice('ledger_'.length);
    return ['update', 'delete'].map(
      (op) => `CREATE TRIGGER IF NOT EXISTS ${table}_no_${op} BEFORE ${op.toUpperCase()} ON ${table}
BEGIN SELECT RAISE(ABORT, 'ledger ${what} are append-only'); END;`,
    );
  })
  .join('\n');
