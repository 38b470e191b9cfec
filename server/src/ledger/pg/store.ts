// The ledger store on PostgreSQL (issue #15 section 2): the LedgerStore
// contract (store.ts) for a province, where several gateway processes share
// one database.
//
// Synchronous, over the libpq client of sql/pg-database.ts, because the
// contract is: the registry and the runs call the ledger inside their own
// synchronous transactions on one thread. node-postgres' `pg` is asynchronous
// and would need a worker and Atomics.wait per call, one more hop on every
// round trip, for nothing this store needs.
//
// Several writers (issue #15 "Serialisable money"). A hash chain has one order,
// so writers take turns, as the contract asks: the outermost transaction()
// first locks the head row (SELECT ... FOR UPDATE), which also reads the head.
// A second gateway's batch waits there; once it has the lock, every statement
// of its READ COMMITTED transaction sees what the first committed, so its
// balances, its must-not-go-negative checks and its id look-ups are current:
// no overdraft, no id applied twice (the id's UNIQUE is the second guard; the
// head's `WHERE block = prev` in append.ts the third, against a fork).
//
// Memory. Nothing is kept between transactions: another process may append at
// any time. Inside one transaction the head read under the lock is kept (one
// round trip less per batch); any throw forgets it.
import type { PgDatabase } from '../../sql/pg-database.js';
import type { AccountId, AccountSpec } from '../types.js';
import type { AccountState, ChainHead, IndexedTotals, LedgerStore, NewBlock, StoredAccount, StoredBlock, StoredTransfer, TransferQueryParams } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { openPgLedgerSchema, toTextArray } from './schema.js';
import { ACCOUNT_COLUMNS, TRANSFER_COLUMNS, toAccountState, toIntArray, toStoredAccount, toStoredTransfer } from './rows.js';
import { appendBlock } from './append.js';
import * as q from './queries.js';
import { Ledger, type LedgerOptions } from '../ledger.js';

export interface PgLedgerStoreOptions {
  /** Opened read-only (verify): never create tables, refuse writes, take no lock. */
  readonly?: boolean;
}

const HEAD_SELECT = 'SELECT seq, block, hash FROM ledger_head WHERE one = 1';

function toHead(row: Record<string, unknown> | undefined): ChainHead {
  if (row === undefined) throw new LedgerError(LedgerErrorCode.CorruptStore, 'the ledger has no head row');
  return { seq: row.seq as number, block: row.block as number, hash: row.hash as string };
}

export class PgLedgerStore implements LedgerStore {
  readonly kind = 'postgres';
  readonly #db: PgDatabase;
  readonly #readonly: boolean;
  /** How many of this store's transaction() calls are running (nested ones included). */
  #depth = 0;
  /** The head as locked and read by the outermost transaction(), moved by appendBlock; forgotten on any throw and at its end. */
  #head: ChainHead | undefined;

  constructor(db: PgDatabase, options: PgLedgerStoreOptions = {}) {
    this.#db = db;
    this.#readonly = options.readonly === true;
    openPgLedgerSchema(db, this.#readonly);
    // A money commit is durable before it returns (ARCHITECTURE.md): never
    // weaker than `on` for this connection; a stronger setting (remote_apply)
    // is kept.
    if (db.query('SHOW synchronous_commit', []).rows[0]?.synchronous_commit === 'off') db.exec('SET synchronous_commit = on');
  }

  #writable(): void {
    if (this.#readonly) throw new LedgerError(LedgerErrorCode.Closed, 'the ledger was opened read-only');
  }

  transaction<T>(fn: () => T): T {
    const outermost = this.#depth === 0;
    this.#depth++;
    try {
      return this.#db.transaction(() => {
        // The write lock, up front (store.ts): later writers wait here, not half-way.
        if (outermost && !this.#readonly) this.#head = toHead(this.#db.query(`${HEAD_SELECT} FOR UPDATE`, []).rows[0]);
        return fn();
      })();
    } catch (error) {
      this.#head = undefined;
      throw error;
    } finally {
      if (--this.#depth === 0) this.#head = undefined;
    }
  }

  snapshot<T>(fn: () => T): T {
    return this.#db.snapshot(fn);
  }

  getAccount(id: AccountId): StoredAccount | undefined {
    const row = this.#db.query(`SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE id = ?`, [id]).rows[0];
    return row === undefined ? undefined : toStoredAccount(row);
  }

  insertAccount(spec: AccountSpec): void {
    this.#writable();
    this.#db.query('INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) VALUES (?, ?, ?, ?, ?)', [
      spec.id,
      spec.kind,
      spec.normal,
      spec.mustNotGoNegative ? 1 : 0,
      spec.meta === undefined ? '' : JSON.stringify(spec.meta),
    ]);
  }

  /**
   * Adds many accounts in one statement (not part of the contract: the
   * migration moves a county's chart, millions of accounts, with it) and
   * returns each one's key. Same rules as insertAccount.
   */
  insertAccounts(specs: readonly AccountSpec[]): Map<AccountId, number> {
    this.#writable();
    const keys = new Map<AccountId, number>();
    if (specs.length === 0) return keys;
    const rows = this.#db.query(
      'INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) SELECT * FROM unnest(?::text[], ?::text[], ?::text[], ?::smallint[], ?::text[]) RETURNING num, id',
      [
        toTextArray(specs.map((s) => s.id)),
        toTextArray(specs.map((s) => s.kind)),
        toTextArray(specs.map((s) => s.normal)),
        toIntArray(specs.map((s) => (s.mustNotGoNegative ? 1 : 0))),
        toTextArray(specs.map((s) => (s.meta === undefined ? '' : JSON.stringify(s.meta)))),
      ],
    ).rows;
    for (const r of rows) keys.set(r.id as string, r.num as number);
    return keys;
  }

  getAccountStates(ids: readonly AccountId[]): Map<AccountId, AccountState> {
    const found = new Map<AccountId, AccountState>();
    if (ids.length === 0) return found;
    const rows = this.#db.query('SELECT num, id, normal, must_not_go_negative, debits_fen, credits_fen FROM ledger_accounts WHERE id = ANY(?::text[])', [toTextArray(ids)]).rows;
    for (const r of rows) found.set(r.id as string, toAccountState(r));
    return found;
  }

  getTransfer(id: string): StoredTransfer | undefined {
    const row = this.#db.query(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`, [id]).rows[0];
    return row === undefined ? undefined : toStoredTransfer(row);
  }

  getTransfers(ids: readonly string[]): Map<string, StoredTransfer> {
    const found = new Map<string, StoredTransfer>();
    if (ids.length === 0) return found;
    for (const r of this.#db.query(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ANY(?::text[])`, [toTextArray(ids)]).rows) {
      const t = toStoredTransfer(r);
      found.set(t.id, t);
    }
    return found;
  }

  head(): ChainHead {
    return { ...(this.#head ?? toHead(this.#db.query(HEAD_SELECT, []).rows[0])) };
  }

  appendBlock(block: NewBlock): void {
    this.#writable();
    appendBlock(this.#db, block);
    const h = block.header;
    if (this.#head !== undefined) this.#head = { seq: h.lastSeq, block: h.num, hash: h.hash };
  }

  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number } {
    return q.sumTransfers(this.#db, accountId, before);
  }

  queryTransfers(query: TransferQueryParams): StoredTransfer[] {
    return q.queryTransfers(this.#db, query);
  }

  scanTransfers(): Iterable<StoredTransfer> {
    return q.scanTransfers(this.#db);
  }

  scanBlocks(): Iterable<StoredBlock> {
    return q.scanBlocks(this.#db);
  }

  scanAccounts(): Iterable<StoredAccount> {
    return q.scanAccounts(this.#db);
  }

  scanIndexedTotals(): Iterable<IndexedTotals> {
    return q.scanIndexedTotals(this.#db);
  }

  /** Nothing is held between transactions; the connection belongs to its opener. */
  close(): void {
    this.#head = undefined;
  }
}

/** A Ledger on PostgreSQL: creates the ledger tables if missing (read-write). */
export function openPgLedger(db: PgDatabase, options: LedgerOptions & PgLedgerStoreOptions = {}): Ledger {
  return new Ledger(new PgLedgerStore(db, { readonly: options.readonly === true }), options);
}
