// The default ledger store: better-sqlite3 on the server's one database file
// (server/src/db.ts: WAL, synchronous=FULL, one writer connection).
//
// Speed (issue #5 section 7): every statement is prepared once; a batch is one
// transaction; balances are derived totals in ledger_balances, updated in the
// same transaction as the rows they derive from and checked by verify.
// What a commit costs is mostly the pages it dirties (each is written to the
// WAL, then checkpointed into the file), and a transfer between accounts
// spread over the chart dirties one page per account in every per-account
// structure. So those structures are narrow, keyed by the account's integer
// number rather than its text id:
// - ledger_balances: three integers a row, ~7x more accounts per page than
//   the account specs;
// - ledger_postings (schema 2): the per-account history, one ~20-byte entry
//   per side of a transfer, (account number, seq) -> amount and time. It
//   replaces schema 1's two indexes on (debit/credit account id TEXT, at),
//   whose ~70-byte entries made batches of 100 run at 5-8 % of raw inserts.
//   It also covers balance-before-a-date (no lookup of the transfer rows) and
//   gives transfers({accountId}) in seq order without a sort.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../db.js';
import type { AccountId, AccountSpec, TransferQuery } from './types.js';
import type { AccountState, AppendTransfer, BalanceDelta, ChainHead, IndexedTotals, LedgerStore, StoredAccount, StoredTransfer } from './store.js';
import { GENESIS_HASH } from './hash.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

/** 2: ledger_postings replaced the (account id, at) indexes of 1; opening a 1 read-write migrates it. */
export const LEDGER_SCHEMA_VERSION = 2;

/**
 * Page cache the store asks of its connection, in KiB (SQLite's default is
 * 2 MiB). Every batch reads and dirties pages of the balances and postings
 * spread over the chart; with the default cache most of them are read back
 * from the OS on each batch (issue #5 section 7).
 */
export const LEDGER_CACHE_KIB = 65_536;

/** Postings migrated from schema 1 per statement round (bounds the rows held in memory). */
const MIGRATION_CHUNK_ROWS = 10_000;

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
-- One row per side of a transfer: balances on a date (interest on 1 January,
-- POLICY.md) and an account's transfers (statements). at_ms is the transfer's
-- canonical at in ms since the epoch: it orders like the ISO string.
CREATE TABLE IF NOT EXISTS ledger_postings (
  account_num INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  debit_fen INTEGER NOT NULL,
  credit_fen INTEGER NOT NULL,
  at_ms INTEGER NOT NULL,
  PRIMARY KEY (account_num, seq)
) STRICT, WITHOUT ROWID;
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
CREATE TRIGGER IF NOT EXISTS ledger_postings_no_update BEFORE UPDATE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
CREATE TRIGGER IF NOT EXISTS ledger_postings_no_delete BEFORE DELETE ON ledger_postings
BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
`;

const LEDGER_TABLES = ['ledger_meta', 'ledger_accounts', 'ledger_balances', 'ledger_transfers', 'ledger_head'];

const ACCOUNT_SELECT =
  'SELECT a.id, a.kind, a.normal, a.must_not_go_negative, a.meta, b.debits_fen, b.credits_fen FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num';

const TRANSFER_COLUMNS =
  'seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, prev_hash, hash';
const T_TRANSFER_COLUMNS = TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');

type TransferRow = [number, string, string, string, number, string, string, string | null, string, number, string, string, string];
type AccountRow = [string, string, string, number, string, number, number];
type AccountStateRow = [number, string, number, number, number];

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

/** ms since the epoch of a canonical ISO timestamp (validate.ts made it; Date.parse cannot fail on it). */
function atMs(canonicalAt: string): number {
  const ms = Date.parse(canonicalAt);
  if (Number.isNaN(ms)) throw new LedgerError(LedgerErrorCode.CorruptStore, `transfer time ${JSON.stringify(canonicalAt)} is not a timestamp`);
  return ms;
}

/** Schema 1 -> 2: postings from the stored transfers, then the old indexes go. Runs inside the opening transaction. */
function migrateFromV1(db: SqliteDatabase): void {
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

export interface SqliteLedgerStoreOptions {
  /** Opened read-only (verify): never create tables; refuse a database without a ledger. */
  readonly?: boolean;
}

export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;
  readonly #getAccount: Statement<[string], AccountRow>;
  readonly #getAccountState: Statement<[string], AccountStateRow>;
  readonly #getAccountStates: Statement<[string], [string, ...AccountStateRow]>;
  readonly #insertAccount: (id: string, kind: string, normal: string, mustNotGoNegative: number, meta: string) => void;
  readonly #getTransfer: Statement<[string], TransferRow>;
  readonly #getTransfers: Statement<[string], TransferRow>;
  readonly #head: Statement<[], [number, string]>;
  readonly #setHead: Statement<[number, string]>;
  readonly #insertTransfer: Statement<unknown[]>;
  readonly #insertPosting: Statement<[number, number, number, number, number]>;
  readonly #applyDelta: Statement<[number, number, number]>;
  readonly #sum: Statement<[string], [number, number]>;
  readonly #sumBefore: Statement<[string, number], [number, number]>;
  readonly #queries = new Map<string, Statement<unknown[], TransferRow>>();

  constructor(db: SqliteDatabase, options: SqliteLedgerStoreOptions = {}) {
    this.#db = db;
    const readonly = options.readonly === true;
    if (readonly) {
      const found = db
        .prepare(`SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN (${LEDGER_TABLES.map((t) => `'${t}'`).join(', ')})`)
        .pluck()
        .get() as number;
      if (found !== LEDGER_TABLES.length) throw new LedgerError(LedgerErrorCode.SchemaMissing, 'the database holds no ledger (ledger tables missing)');
    } else {
      db.transaction(() => {
        db.exec(SCHEMA);
        const stored = db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
        if (stored === undefined) {
          db.prepare('INSERT INTO ledger_meta (key, value) VALUES (?, ?)').run('schema_version', String(LEDGER_SCHEMA_VERSION));
        } else if (stored === '1') {
          migrateFromV1(db);
          db.prepare("UPDATE ledger_meta SET value = ? WHERE key = 'schema_version'").run(String(LEDGER_SCHEMA_VERSION));
        }
      }).immediate();
      // Only ever raised: the connection may belong to a server that asked for more.
      const cache = db.pragma('cache_size', { simple: true }) as number;
      const pageSize = db.pragma('page_size', { simple: true }) as number;
      const cacheKib = cache < 0 ? -cache : (cache * pageSize) / 1024;
      if (cacheKib < LEDGER_CACHE_KIB) db.pragma(`cache_size = -${LEDGER_CACHE_KIB}`);
    }
    const version = db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string | undefined;
    if (version !== String(LEDGER_SCHEMA_VERSION)) {
      const hint = version === '1' && readonly ? ' (open it read-write once, e.g. start the server, to migrate it)' : '';
      throw new LedgerError(LedgerErrorCode.SchemaVersionMismatch, `ledger schema version ${String(version)}, this code reads ${LEDGER_SCHEMA_VERSION}${hint}`);
    }
    this.#getAccount = db.prepare<[string], AccountRow>(`${ACCOUNT_SELECT} WHERE a.id = ?`).raw();
    this.#getAccountState = db
      .prepare<[string], AccountStateRow>(
        'SELECT a.num, a.normal, a.must_not_go_negative, b.debits_fen, b.credits_fen FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num WHERE a.id = ?',
      )
      .raw();
    this.#getAccountStates = db
      .prepare<[string], [string, ...AccountStateRow]>(
        `SELECT a.id, a.num, a.normal, a.must_not_go_negative, b.debits_fen, b.credits_fen FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num
         WHERE a.id IN (SELECT value FROM json_each(?))`,
      )
      .raw();
    this.#getTransfer = db.prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`).raw();
    // One statement for a whole batch's ids (issue #5 section 7): almost always it finds none.
    this.#getTransfers = db
      .prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (SELECT value FROM json_each(?))`)
      .raw();
    this.#head = db.prepare<[], [number, string]>('SELECT seq, hash FROM ledger_head WHERE one = 1').raw();
    const accountNum = '(SELECT num FROM ledger_accounts WHERE id = ?)';
    this.#sum = db
      .prepare<[string], [number, number]>(`SELECT COALESCE(SUM(debit_fen), 0), COALESCE(SUM(credit_fen), 0) FROM ledger_postings WHERE account_num = ${accountNum}`)
      .raw();
    this.#sumBefore = db
      .prepare<[string, number], [number, number]>(
        `SELECT COALESCE(SUM(debit_fen), 0), COALESCE(SUM(credit_fen), 0) FROM ledger_postings WHERE account_num = ${accountNum} AND at_ms < ?`,
      )
      .raw();
    if (readonly) {
      // Writes are refused by the read-only connection itself; prepare nothing that writes.
      const refuse = (): never => {
        throw new LedgerError(LedgerErrorCode.Closed, 'the ledger was opened read-only');
      };
      const readOnly = { run: refuse } as unknown;
      this.#insertAccount = refuse;
      this.#setHead = readOnly as Statement<[number, string]>;
      this.#insertTransfer = readOnly as Statement<unknown[]>;
      this.#insertPosting = readOnly as Statement<[number, number, number, number, number]>;
      this.#applyDelta = readOnly as Statement<[number, number, number]>;
    } else {
      const insertSpec = db.prepare('INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) VALUES (?, ?, ?, ?, ?)');
      const insertBalance = db.prepare('INSERT INTO ledger_balances (num, debits_fen, credits_fen) VALUES (?, 0, 0)');
      this.#insertAccount = (...args) => {
        insertBalance.run(insertSpec.run(...args).lastInsertRowid);
      };
      this.#setHead = db.prepare('INSERT INTO ledger_head (one, seq, hash) VALUES (1, ?, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, hash = excluded.hash');
      this.#insertTransfer = db.prepare(`INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      this.#insertPosting = db.prepare('INSERT INTO ledger_postings (account_num, seq, debit_fen, credit_fen, at_ms) VALUES (?, ?, ?, ?, ?)');
      this.#applyDelta = db.prepare('UPDATE ledger_balances SET debits_fen = debits_fen + ?, credits_fen = credits_fen + ? WHERE num = ?');
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

  getAccountState(id: AccountId): AccountState | undefined {
    const r = this.#getAccountState.get(id);
    if (r === undefined) return undefined;
    return { key: r[0], normal: r[1] as 'debit' | 'credit', mustNotGoNegative: r[2] === 1, debitsFen: r[3], creditsFen: r[4] };
  }

  getAccountStates(ids: readonly AccountId[]): Map<AccountId, AccountState> {
    const found = new Map<AccountId, AccountState>();
    if (ids.length === 0) return found;
    for (const r of this.#getAccountStates.all(JSON.stringify(ids))) {
      found.set(r[0], { key: r[1], normal: r[2] as 'debit' | 'credit', mustNotGoNegative: r[3] === 1, debitsFen: r[4], creditsFen: r[5] });
    }
    return found;
  }

  insertAccount(spec: AccountSpec): void {
    this.#insertAccount(spec.id, spec.kind, spec.normal, spec.mustNotGoNegative ? 1 : 0, spec.meta === undefined ? '' : JSON.stringify(spec.meta));
  }

  getTransfer(id: string): StoredTransfer | undefined {
    const r = this.#getTransfer.get(id);
    return r === undefined ? undefined : toTransfer(r);
  }

  getTransfers(ids: readonly string[]): Map<string, StoredTransfer> {
    const found = new Map<string, StoredTransfer>();
    if (ids.length === 0) return found;
    for (const r of this.#getTransfers.all(JSON.stringify(ids))) found.set(r[1], toTransfer(r));
    return found;
  }

  head(): ChainHead {
    const r = this.#head.get();
    return r === undefined ? { seq: 0, hash: GENESIS_HASH } : { seq: r[0], hash: r[1] };
  }

  appendTransfers(rows: readonly AppendTransfer[]): void {
    if (rows.length === 0) return;
    const insert = this.#insertTransfer;
    const posting = this.#insertPosting;
    let lastAt = '';
    let lastMs = 0;
    for (const t of rows) {
      insert.run(t.seq, t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, t.reference, t.metaJson, t.linked ? 1 : 0, t.recordedAt, t.prevHash, t.hash);
      // A batch's transfers mostly share one time (a run's, a kiosk's morning): parse it once.
      if (t.at !== lastAt) {
        lastMs = atMs(t.at);
        lastAt = t.at;
      }
      posting.run(t.debitKey, t.seq, t.amountFen, 0, lastMs);
      posting.run(t.creditKey, t.seq, 0, t.amountFen, lastMs);
    }
    const last = rows[rows.length - 1]!;
    this.#setHead.run(last.seq, last.hash);
  }

  applyBalanceDeltas(deltas: Iterable<BalanceDelta>): void {
    for (const d of deltas) {
      const changed = this.#applyDelta.run(d.debitsFen, d.creditsFen, d.key).changes;
      if (changed !== 1) throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${d.accountId} vanished during a batch`);
    }
  }

  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number } {
    const r = before === undefined ? this.#sum.get(accountId)! : this.#sumBefore.get(accountId, atMs(before))!;
    return { debitsFen: r[0], creditsFen: r[1] };
  }

  queryTransfers(query: Required<Pick<TransferQuery, 'limit' | 'afterSeq'>> & Omit<TransferQuery, 'limit' | 'afterSeq'>): StoredTransfer[] {
    // One prepared statement per combination of filters (at most 16), cached.
    const where: string[] = [];
    const params: unknown[] = [];
    let from = 'ledger_transfers t';
    if (query.accountId !== undefined) {
      // The account's postings in seq order drive the scan (CROSS JOIN keeps them
      // the outer loop), so a page of a busy fund account reads only that page.
      from = 'ledger_postings p CROSS JOIN ledger_transfers t ON t.seq = p.seq';
      where.push('p.account_num = (SELECT num FROM ledger_accounts WHERE id = ?)', 'p.seq > ?');
      params.push(query.accountId, query.afterSeq);
    } else {
      where.push('t.seq > ?');
      params.push(query.afterSeq);
    }
    if (query.code !== undefined) {
      where.push('t.code = ?');
      params.push(query.code);
    }
    if (query.from !== undefined) {
      where.push('t.at >= ?');
      params.push(query.from);
    }
    if (query.to !== undefined) {
      where.push('t.at < ?');
      params.push(query.to);
    }
    params.push(query.limit);
    const order = query.accountId !== undefined ? 'p.seq' : 't.seq';
    const sql = `SELECT ${T_TRANSFER_COLUMNS} FROM ${from} WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`;
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

  *scanIndexedTotals(): Iterable<IndexedTotals> {
    const stmt = this.#db
      .prepare<[], [number, string | null, number, number, number]>(
        `SELECT p.account_num, a.id, p.d, p.c, p.n FROM
           (SELECT account_num, SUM(debit_fen) AS d, SUM(credit_fen) AS c, COUNT(*) AS n FROM ledger_postings GROUP BY account_num) p
         LEFT JOIN ledger_accounts a ON a.num = p.account_num`,
      )
      .raw();
    for (const r of stmt.iterate()) yield { key: r[0], accountId: r[1] ?? undefined, debitsFen: r[2], creditsFen: r[3], entries: r[4] };
  }

  close(): void {
    this.#queries.clear();
  }
}
