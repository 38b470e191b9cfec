// The default ledger store: better-sqlite3 on the server's one database file
// (server/src/db.ts: WAL, synchronous=FULL, one writer connection).
//
// Speed (issue #5 section 7): every statement is prepared once; a batch is one
// transaction; balances are derived totals in ledger_balances, updated in the
// same transaction as the rows they derive from and checked by verify.
// The balances sit in their own narrow table (three integers a row), apart
// from the account specs: a batch touches the balances of accounts spread over
// the whole chart, and a narrow table packs ~7x more of them into each page,
// so a commit writes that many fewer pages to the WAL (the commit's I/O is
// most of a batch's cost, issue #5 section 7).
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../db.js';
import type { AccountId, AccountSpec, TransferQuery } from './types.js';
import type { BalanceDelta, ChainHead, LedgerStore, StoredAccount, StoredTransfer } from './store.js';
import { GENESIS_HASH } from './hash.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

export const LEDGER_SCHEMA_VERSION = 1;

// Tables are prefixed: the registry shares this database file so that a
// registry change and its transfers commit together (db.ts).
const SCHEMA = `
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
-- (account, at): balances on a date (interest on 1 January, POLICY.md) and statements.
CREATE INDEX IF NOT EXISTS ledger_transfers_debit_at ON ledger_transfers (debit_account_id, at);
CREATE INDEX IF NOT EXISTS ledger_transfers_credit_at ON ledger_transfers (credit_account_id, at);
-- The chain's head, so that opening a ledger does not read the chain, and so
-- that deleting the last transfers is seen by verify.
CREATE TABLE IF NOT EXISTS ledger_head (
  one INTEGER PRIMARY KEY CHECK (one = 1),
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL
) STRICT;
-- Transfers are immutable (issue #5 section 1). Dropping these triggers is
-- possible for whoever holds the file; verify is what catches that.
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_update BEFORE UPDATE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_transfers_no_delete BEFORE DELETE ON ledger_transfers
BEGIN SELECT RAISE(ABORT, 'ledger transfers are append-only'); END;
`;

const ACCOUNT_SELECT =
  'SELECT a.id, a.kind, a.normal, a.must_not_go_negative, a.meta, b.debits_fen, b.credits_fen FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num';

const TRANSFER_COLUMNS =
  'seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, prev_hash, hash';

type TransferRow = [number, string, string, string, number, string, string, string | null, string, number, string, string, string];
type AccountRow = [string, string, string, number, string, number, number];

function toTransfer(r: TransferRow): StoredTransfer {
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
    prevHash: r[11],
    hash: r[12],
  };
}

function toAccount(r: AccountRow): StoredAccount {
  let meta: Record<string, string> | undefined;
  if (r[4] !== '') {
    try {
      meta = JSON.parse(r[4]) as Record<string, string>;
    } catch {
      throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${r[0]} has unreadable meta`);
    }
  }
  const spec: AccountSpec = { id: r[0], kind: r[1], normal: r[2] as 'debit' | 'credit', mustNotGoNegative: r[3] === 1 };
  if (meta !== undefined) spec.meta = meta;
  return { spec, debitsFen: r[5], creditsFen: r[6] };
}

export interface SqliteLedgerStoreOptions {
  /** Opened read-only (verify): never create tables; refuse a database without a ledger. */
  readonly?: boolean;
}

export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;
  readonly #getAccount: Statement<[string], AccountRow>;
  readonly #insertAccount: Statement<[string, string, string, number, string]>;
  readonly #getTransfer: Statement<[string], TransferRow>;
  readonly #head: Statement<[], [number, string]>;
  readonly #setHead: Statement<[number, string]>;
  readonly #insertTransfer: Statement<unknown[]>;
  readonly #applyDelta: Statement<[number, number, string]>;
  readonly #sumDebits: Statement<[string], [number]>;
  readonly #sumCredits: Statement<[string], [number]>;
  readonly #sumDebitsBefore: Statement<[string, string], [number]>;
  readonly #sumCreditsBefore: Statement<[string, string], [number]>;
  readonly #queries = new Map<string, Statement<unknown[], TransferRow>>();

  constructor(db: SqliteDatabase, options: SqliteLedgerStoreOptions = {}) {
    this.#db = db;
    if (options.readonly) {
      const found = db.prepare("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('ledger_meta', 'ledger_accounts', 'ledger_balances', 'ledger_transfers', 'ledger_head')").pluck().get() as number;
      if (found !== 5) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the database holds no ledger (ledger tables missing)');
    } else {
      db.transaction(() => {
        db.exec(SCHEMA);
        db.prepare('INSERT OR IGNORE INTO ledger_meta (key, value) VALUES (?, ?)').run('schema_version', String(LEDGER_SCHEMA_VERSION));
      })();
    }
    const version = db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
    if (version !== String(LEDGER_SCHEMA_VERSION)) {
      throw new LedgerError(LedgerErrorCode.SchemaVersionMismatch, `ledger schema version ${String(version)}, this code reads ${LEDGER_SCHEMA_VERSION}`);
    }
    this.#getAccount = db.prepare<[string], AccountRow>(`${ACCOUNT_SELECT} WHERE a.id = ?`).raw();
    this.#getTransfer = db.prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`).raw();
    this.#head = db.prepare<[], [number, string]>('SELECT seq, hash FROM ledger_head WHERE one = 1').raw();
    this.#sumDebits = db.prepare<[string], [number]>('SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE debit_account_id = ?').raw();
    this.#sumCredits = db.prepare<[string], [number]>('SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE credit_account_id = ?').raw();
    this.#sumDebitsBefore = db.prepare<[string, string], [number]>('SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE debit_account_id = ? AND at < ?').raw();
    this.#sumCreditsBefore = db.prepare<[string, string], [number]>('SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_transfers WHERE credit_account_id = ? AND at < ?').raw();
    if (options.readonly) {
      // Writes are refused by the read-only connection itself; prepare nothing that writes.
      const refuse = (): never => {
        throw new LedgerError(LedgerErrorCode.Closed, 'the ledger was opened read-only');
      };
      const readOnly = { run: refuse } as unknown;
      this.#insertAccount = readOnly as Statement<[string, string, string, number, string]>;
      this.#setHead = readOnly as Statement<[number, string]>;
      this.#insertTransfer = readOnly as Statement<unknown[]>;
      this.#applyDelta = readOnly as Statement<[number, number, string]>;
    } else {
      const insertSpec = db.prepare('INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) VALUES (?, ?, ?, ?, ?)');
      const insertBalance = db.prepare('INSERT INTO ledger_balances (num, debits_fen, credits_fen) VALUES (?, 0, 0)');
      this.#insertAccount = {
        run: (...args: [string, string, string, number, string]) => insertBalance.run(insertSpec.run(...args).lastInsertRowid),
      } as unknown as Statement<[string, string, string, number, string]>;
      this.#setHead = db.prepare('INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash');
      this.#insertTransfer = db.prepare(`INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      this.#applyDelta = db.prepare('UPDATE ledger_balances SET debits_fen = debits_fen + ?, credits_fen = credits_fen + ? WHERE num = (SELECT num FROM ledger_accounts WHERE id = ?)');
    }
  }

  transaction<T>(fn: () => T): T {
    const txn = this.#db.transaction(fn);
    // Inside an enclosing transaction better-sqlite3 nests with a savepoint;
    // alone, take the write lock at BEGIN so a batch never fails half-way on SQLITE_BUSY.
    return this.#db.inTransaction ? txn() : txn.immediate();
  }

  /** A read transaction: verify sees one snapshot even while a writer appends. */
  snapshot<T>(fn: () => T): T {
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).deferred();
  }

  getAccount(id: AccountId): StoredAccount | undefined {
    const r = this.#getAccount.get(id);
    return r === undefined ? undefined : toAccount(r);
  }

  insertAccount(spec: AccountSpec): void {
    this.#insertAccount.run(spec.id, spec.kind, spec.normal, spec.mustNotGoNegative ? 1 : 0, spec.meta === undefined ? '' : JSON.stringify(spec.meta));
  }

  getTransfer(id: string): StoredTransfer | undefined {
    const r = this.#getTransfer.get(id);
    return r === undefined ? undefined : toTransfer(r);
  }

  head(): ChainHead {
    const r = this.#head.get();
    return r === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: r[0], hash: r[1] };
  }

  appendTransfers(rows: readonly StoredTransfer[]): void {
    if (rows.length === 0) return;
    const insert = this.#insertTransfer;
    for (const t of rows) {
      insert.run(t.seq, t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, t.reference, t.metaJson, t.linked ? 1 : 0, t.recordedAt, t.prevHash, t.hash);
    }
    const last = rows[rows.length - 1]!;
    this.#setHead.run(last.seq, last.hash);
  }

  applyBalanceDeltas(deltas: Iterable<BalanceDelta>): void {
    for (const d of deltas) {
      const changed = this.#applyDelta.run(d.debitsFen, d.creditsFen, d.accountId).changes;
      if (changed !== 1) throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${d.accountId} vanished during a batch`);
    }
  }

  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number } {
    if (before === undefined) {
      return { debitsFen: this.#sumDebits.get(accountId)![0], creditsFen: this.#sumCredits.get(accountId)![0] };
    }
    return {
      debitsFen: this.#sumDebitsBefore.get(accountId, before)![0],
      creditsFen: this.#sumCreditsBefore.get(accountId, before)![0],
    };
  }

  queryTransfers(query: Required<Pick<TransferQuery, 'limit' | 'afterSeq'>> & Omit<TransferQuery, 'limit' | 'afterSeq'>): StoredTransfer[] {
    // One prepared statement per combination of filters (at most 16), cached.
    const where: string[] = ['seq > ?'];
    const params: unknown[] = [query.afterSeq];
    if (query.accountId !== undefined) {
      where.push('(debit_account_id = ? OR credit_account_id = ?)');
      params.push(query.accountId, query.accountId);
    }
    if (query.code !== undefined) {
      where.push('code = ?');
      params.push(query.code);
    }
    if (query.from !== undefined) {
      where.push('at >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('at < ?');
      params.push(query.to);
    }
    params.push(query.limit);
    const sql = `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`;
    let stmt = this.#queries.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare<unknown[], TransferRow>(sql).raw();
      this.#queries.set(sql, stmt);
    }
    return stmt.all(...params).map(toTransfer);
  }

  *scanTransfers(): Iterable<StoredTransfer> {
    const stmt = this.#db.prepare<[], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`).raw();
    for (const r of stmt.iterate()) yield toTransfer(r);
  }

  *scanAccounts(): Iterable<StoredAccount> {
    const stmt = this.#db.prepare<[], AccountRow>(`${ACCOUNT_SELECT} ORDER BY a.id`).raw();
    for (const r of stmt.iterate()) yield toAccount(r);
  }

  close(): void {
    this.#queries.clear();
  }
}
