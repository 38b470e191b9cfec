// The PostgreSQL store's tables (issue #15 section 2). The same records as the
// SQLite store's (sqlite/ddl.ts), laid out for a server database that many
// gateways write: the balances live in the account rows and are written with
// every block (no in-memory tail: another process may append between two
// batches of this one), and the per-account index is two B-tree indexes on the
// transfers by account number, kept by PostgreSQL with every insert.
// Written in PostgreSQL's own SQL; PgDatabase passes it through translate.ts,
// which leaves it as it is (no `?`, no SQLite spellings, aliases lower case).

/**
 * The store's schema version (ledger_meta.schema_version). Its own numbering:
 * the SQLite file's versions describe its checkpoints and posting runs, which
 * this engine does not have; the chain and the records are the same.
 */
export const PG_LEDGER_SCHEMA_VERSION = 1;

/** Tables every PostgreSQL ledger holds (a read-only open requires them). */
export const PG_LEDGER_TABLES = ['ledger_meta', 'ledger_accounts', 'ledger_transfers', 'ledger_blocks', 'ledger_head'] as const;

export const PG_TABLES = `
CREATE TABLE IF NOT EXISTS ledger_meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_accounts (
  num BIGSERIAL PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  normal TEXT NOT NULL CHECK (normal IN ('debit', 'credit')),
  must_not_go_negative SMALLINT NOT NULL CHECK (must_not_go_negative IN (0, 1)),
  meta TEXT NOT NULL,
  debits_fen BIGINT NOT NULL DEFAULT 0,
  credits_fen BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS ledger_transfers (
  seq BIGINT PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  debit_account_id TEXT NOT NULL,
  credit_account_id TEXT NOT NULL,
  debit_num BIGINT NOT NULL,
  credit_num BIGINT NOT NULL,
  amount_fen BIGINT NOT NULL,
  code TEXT NOT NULL,
  at TEXT COLLATE "C" NOT NULL,
  reference TEXT,
  meta TEXT NOT NULL,
  linked SMALLINT NOT NULL,
  recorded_at TEXT NOT NULL,
  block BIGINT NOT NULL,
  block_index BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS ledger_transfers_debit ON ledger_transfers (debit_num, seq);
CREATE INDEX IF NOT EXISTS ledger_transfers_credit ON ledger_transfers (credit_num, seq);
CREATE TABLE IF NOT EXISTS ledger_blocks (
  num BIGINT PRIMARY KEY,
  first_seq BIGINT NOT NULL,
  last_seq BIGINT NOT NULL,
  digest TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS ledger_head (
  one SMALLINT PRIMARY KEY CHECK (one = 1),
  seq BIGINT NOT NULL,
  block BIGINT NOT NULL,
  hash TEXT NOT NULL
)
`;

/**
 * Transfers and blocks are immutable (issue #5 section 1): updates, deletes
 * and truncation are refused. Whoever owns the tables can drop the triggers;
 * verify is what catches that.
 */
export const PG_TRIGGERS = `
CREATE OR REPLACE FUNCTION ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'ledger table % is append-only', TG_TABLE_NAME USING ERRCODE = 'restrict_violation'; END $$;
CREATE OR REPLACE TRIGGER ledger_transfers_append_only BEFORE UPDATE OR DELETE ON ledger_transfers FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE OR REPLACE TRIGGER ledger_transfers_no_truncate BEFORE TRUNCATE ON ledger_transfers FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only();
CREATE OR REPLACE TRIGGER ledger_blocks_append_only BEFORE UPDATE OR DELETE ON ledger_blocks FOR EACH ROW EXECUTE FUNCTION ledger_append_only();
CREATE OR REPLACE TRIGGER ledger_blocks_no_truncate BEFORE TRUNCATE ON ledger_blocks FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()
`;
