// The default ledger store: better-sqlite3 on the server's one database file
// (server/src/db.ts: WAL, synchronous=FULL, one writer connection).
//
// Speed (issue #5 section 7). Every statement is prepared once; a batch is one
// transaction. What a commit costs is mostly the pages it dirties, and a
// transfer between accounts spread over the chart dirties one page per account
// in every per-account structure. History of that trade:
// - schema 1: two indexes on (debit/credit account id TEXT, at), ~70-byte
//   entries; batches of 100 ran at 5-8 % of raw inserts;
// - schema 2: narrow per-account structures keyed by the account's integer
//   number (ledger_balances, ledger_postings, one ~20-byte row per posting),
//   still written with every batch: ~10 %;
// - schema 3 (TigerBeetle-style: the log is the truth, derived state is
//   checkpointed): a batch commits only its transfer rows and the chain head,
//   durable before createTransfers returns. The balances and postings of the
//   transfers after ledger_checkpoint.seq live in memory (tail.ts) and are
//   written every LEDGER_CHECKPOINT_TRANSFERS transfers (checkpoint.ts), one
//   posting-run row per account moved (posting-run.ts). Every read adds the
//   tail; the account cache (account-cache.ts) saves a batch its lookups;
// - schema 4 (now; issue #15 section 1): the chain is per batch, so a batch
//   commits its transfer rows, one block row and the head, and a transfer
//   row carries two small integers (block, index) instead of two hashes.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import type { AccountId, AccountSpec } from '../types.js';
import type { AccountState, ChainHead, IndexedTotals, LedgerStore, NewBlock, StoredAccount, StoredBlock, StoredTransfer, TransferQueryParams } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { openLedgerSchema } from './schema.js';
import {
  ACCOUNT_SELECT,
  ACCOUNT_STATE_SELECT,
  BLOCK_COLUMNS,
  TRANSFER_COLUMNS,
  atMs,
  toStoredAccount,
  toStoredBlock,
  toStoredTransfer,
  type AccountRow,
  type AccountStateRow,
  type BlockRow,
  type TransferRow,
} from './rows.js';
import { AccountCache } from './account-cache.js';
import { Tail } from './tail.js';
import { AccountIndex } from './account-index.js';
import { TransferQueries } from './transfer-query.js';
import { CheckpointWriter } from './checkpoint.js';
import { BlockAppender } from './append.js';

/**
 * Transfers after which the tail's balances and postings are checkpointed
 * (issue #5 section 7). Bounds the memory of the tail (one entry per side of a
 * transfer), the work of a recovery replay, and the scan a statement of the
 * tail costs. A checkpoint costs about one balance row and one posting-run row
 * per account it moved, on pages spread over the chart, so the fewer
 * checkpoints a busy account sees, the less it costs per transfer: 200 000
 * instead of 50 000 made batches of 1000 about 10 % faster (issue #15 section
 * 5; 200 000 transfers over 10 000 persons). The price, measured over 100 000
 * persons: the tail holds up to about 42 MiB, a replay after a crash takes
 * about 1 s, and the batch that checkpoints takes about 0.7 s longer.
 */
export const LEDGER_CHECKPOINT_TRANSFERS = 200_000;

export interface SqliteLedgerStoreOptions {
  /** Opened read-only (verify): never create tables; refuse a database without a ledger. */
  readonly?: boolean;
  /** Transfers between checkpoints (default LEDGER_CHECKPOINT_TRANSFERS). */
  checkpointTransfers?: number;
}

/** What only a read-write store has. */
interface Writers {
  insertAccount: (id: string, kind: string, normal: string, mustNotGoNegative: number, meta: string) => void;
  appender: BlockAppender;
  checkpoint: CheckpointWriter;
}

function readOnlyError(): LedgerError {
  return new LedgerError(LedgerErrorCode.Closed, 'the ledger was opened read-only');
}

function prepareWriters(db: SqliteDatabase): Writers {
  const insertSpec = db.prepare('INSERT INTO ledger_accounts (id, kind, normal, must_not_go_negative, meta) VALUES (?, ?, ?, ?, ?)');
  const insertBalance = db.prepare('INSERT INTO ledger_balances (num, debits_fen, credits_fen) VALUES (?, 0, 0)');
  return {
    insertAccount: (...args) => {
      insertBalance.run(insertSpec.run(...args).lastInsertRowid);
    },
    appender: new BlockAppender(db),
    checkpoint: new CheckpointWriter(db),
  };
}

export class SqliteLedgerStore implements LedgerStore {
  readonly kind = 'sqlite';
  readonly #db: SqliteDatabase;
  readonly #checkpointTransfers: number;
  readonly #writers: Writers | undefined;
  readonly #getAccount: Statement<[string], AccountRow>;
  readonly #getAccountState: Statement<[string], AccountStateRow>;
  readonly #getTransfer: Statement<[string], TransferRow>;
  readonly #getTransfers: Statement<[string], TransferRow>;
  readonly #cache: AccountCache;
  readonly #tail: Tail;
  readonly #index: AccountIndex;
  readonly #queries: TransferQueries;
  /** How many of this store's transaction() calls are running (nested ones included). */
  #depth = 0;
  /** Memory matches the database for the rest of the outermost running transaction() (#sync). */
  #synced = false;

  constructor(db: SqliteDatabase, options: SqliteLedgerStoreOptions = {}) {
    this.#db = db;
    const readonly = options.readonly === true;
    const every = options.checkpointTransfers ?? LEDGER_CHECKPOINT_TRANSFERS;
    if (!Number.isSafeInteger(every) || every < 1) throw new LedgerError(LedgerErrorCode.InvalidQuery, `checkpointTransfers must be a positive integer (got ${String(every)})`);
    this.#checkpointTransfers = every;
    openLedgerSchema(db, readonly);
    this.#getAccount = db.prepare<[string], AccountRow>(`${ACCOUNT_SELECT} WHERE a.id = ?`).raw();
    this.#getAccountState = db.prepare<[string], AccountStateRow>(`${ACCOUNT_STATE_SELECT} WHERE a.id = ?`).raw();
    this.#getTransfer = db.prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id = ?`).raw();
    // One statement for a whole batch's ids (issue #5 section 7): almost always it finds none.
    this.#getTransfers = db.prepare<[string], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE id IN (SELECT value FROM json_each(?))`).raw();
    this.#cache = new AccountCache(db, readonly);
    this.#tail = new Tail(db);
    this.#index = new AccountIndex(db);
    this.#queries = new TransferQueries(db, this.#index);
    // Writes are refused by a read-only connection itself; prepare nothing that writes.
    this.#writers = readonly ? undefined : prepareWriters(db);
  }

  #writable(): Writers {
    if (this.#writers === undefined) throw readOnlyError();
    return this.#writers;
  }

  transaction<T>(fn: () => T): T {
    const txn = this.#db.transaction(fn);
    this.#depth++;
    try {
      // Inside an enclosing transaction better-sqlite3 nests with a savepoint;
      // alone, take the write lock at BEGIN so a batch never fails half-way on SQLITE_BUSY.
      return this.#db.inTransaction ? txn() : txn.immediate();
    } catch (error) {
      // Rolled back: memory may hold what the database no longer does.
      this.#synced = false;
      throw error;
    } finally {
      // Past our own transaction, a caller's may roll back or another connection write.
      if (--this.#depth === 0) this.#synced = false;
    }
  }

  /** A read transaction: verify sees one snapshot even while a writer appends. */
  snapshot<T>(fn: () => T): T {
    return this.#db.inTransaction ? fn() : this.#db.transaction(fn).deferred();
  }

  /**
   * Brings memory to the database: the tail (a checkpoint made elsewhere makes
   * the cached totals stale) and the account cache (an account insert rolled
   * back). Inside this store's own transaction it does so once: until that
   * transaction ends or rolls back, only this store writes the ledger, and
   * its writes keep memory in step (a batch's reads and its append are one
   * statement apart instead of three; issue #15 section 5).
   */
  #sync(): void {
    if (this.#synced) return;
    if (this.#tail.sync()) this.#cache.clear();
    this.#cache.revalidate();
    this.#synced = this.#depth > 0;
  }

  /** Transfers after the checkpoint (for tests and the bench). */
  get unflushedTransfers(): number {
    this.#sync();
    return this.#tail.size;
  }

  /**
   * Writes the tail's balances and postings and moves the checkpoint to the
   * head, in one transaction (nested in the caller's, if any).
   */
  checkpoint(): void {
    const writers = this.#writable();
    this.transaction(() => {
      this.#sync();
      writers.checkpoint.write(this.#tail, this.#cache);
    });
  }

  getAccount(id: AccountId): StoredAccount | undefined {
    const r = this.#getAccount.get(id);
    if (r === undefined) return undefined;
    this.#sync();
    const t = this.#tail.account(r[7]);
    return toStoredAccount(r, t?.debitsFen ?? 0, t?.creditsFen ?? 0);
  }

  #state(r: AccountStateRow): AccountState {
    const t = this.#tail.account(r[0]);
    return {
      key: r[0],
      normal: r[1] as 'debit' | 'credit',
      mustNotGoNegative: r[2] === 1,
      debitsFen: r[3] + (t?.debitsFen ?? 0),
      creditsFen: r[4] + (t?.creditsFen ?? 0),
    };
  }

  getAccountStates(ids: readonly AccountId[]): Map<AccountId, AccountState> {
    const found = new Map<AccountId, AccountState>();
    if (ids.length === 0) return found;
    this.#sync();
    const cache = this.#cache;
    const missing: AccountId[] = [];
    for (const id of ids) {
      const cached = cache.get(id);
      if (cached === undefined) missing.push(id);
      else found.set(id, this.#state(cached));
    }
    if (missing.length === 0) return found;
    if (cache.enabled) cache.makeRoom(missing.length);
    // One indexed get per account: twice as fast as one statement over a JSON
    // array of them on a chart of millions (measured, 2.5M accounts: 2.0 vs 4.2-5.2 us).
    const get = this.#getAccountState;
    for (const id of missing) {
      const r = get.get(id);
      if (r === undefined) continue;
      // A fresh array per row (raw mode): the cache may keep it and move its totals in place.
      cache.add(id, r);
      found.set(id, this.#state(r));
    }
    return found;
  }

  insertAccount(spec: AccountSpec): void {
    this.#writable().insertAccount(spec.id, spec.kind, spec.normal, spec.mustNotGoNegative ? 1 : 0, spec.meta === undefined ? '' : JSON.stringify(spec.meta));
    this.#cache.accountInserted();
  }

  getTransfer(id: string): StoredTransfer | undefined {
    const r = this.#getTransfer.get(id);
    return r === undefined ? undefined : toStoredTransfer(r);
  }

  getTransfers(ids: readonly string[]): Map<string, StoredTransfer> {
    const found = new Map<string, StoredTransfer>();
    if (ids.length === 0) return found;
    for (const r of this.#getTransfers.all(JSON.stringify(ids))) found.set(r[1], toStoredTransfer(r));
    return found;
  }

  /** The head as stored (the tail's, once synced: the same row). A copy: the tail's own must not be changed by a caller. */
  head(): ChainHead {
    this.#sync();
    return { ...this.#tail.head };
  }

  /**
   * The block's rows, header and head. Its balances and postings go to the
   * in-memory tail, from the rows themselves (the log is the one source, so
   * the live path and a replay cannot differ; the deltas are not needed), and
   * are checkpointed when LEDGER_CHECKPOINT_TRANSFERS have gathered.
   */
  appendBlock(block: NewBlock): void {
    const writers = this.#writable();
    this.#sync();
    writers.appender.append(block);
    const h = block.header;
    // Memory follows when it was at the head the block continues; otherwise the next read replays.
    if (!this.#tail.appended(block.transfers, { seq: h.lastSeq, block: h.num, hash: h.hash })) this.#synced = false;
    if (this.#tail.size >= this.#checkpointTransfers) this.checkpoint();
  }

  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number } {
    const beforeMs = before === undefined ? undefined : atMs(before);
    const num = this.#getAccountState.get(accountId)?.[0];
    if (num === undefined) return { debitsFen: 0, creditsFen: 0 };
    this.#sync();
    return this.#index.sum(num, accountId, beforeMs, this.#tail);
  }

  queryTransfers(query: TransferQueryParams): StoredTransfer[] {
    if (query.accountId === undefined) return this.#queries.all(query);
    const num = this.#getAccountState.get(query.accountId)?.[0];
    if (num === undefined) return [];
    this.#sync();
    return this.#queries.ofAccount({ ...query, accountId: query.accountId }, num, this.#tail);
  }

  *scanTransfers(): Iterable<StoredTransfer> {
    const stmt = this.#db.prepare<[], TransferRow>(`SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers ORDER BY seq`).raw();
    for (const r of stmt.iterate()) yield toStoredTransfer(r);
  }

  *scanBlocks(): Iterable<StoredBlock> {
    const stmt = this.#db.prepare<[], BlockRow>(`SELECT ${BLOCK_COLUMNS} FROM ledger_blocks ORDER BY num`).raw();
    for (const r of stmt.iterate()) yield toStoredBlock(r);
  }

  /** Every account with its totals at the head: the checkpointed ones plus the tail. */
  *scanAccounts(): Iterable<StoredAccount> {
    this.#sync();
    const stmt = this.#db.prepare<[], AccountRow>(`${ACCOUNT_SELECT} ORDER BY a.id`).raw();
    for (const r of stmt.iterate()) {
      const t = this.#tail.account(r[7]);
      yield toStoredAccount(r, t?.debitsFen ?? 0, t?.creditsFen ?? 0);
    }
  }

  /** The index at the head: the checkpointed postings plus the tail's. */
  *scanIndexedTotals(): Iterable<IndexedTotals> {
    this.#sync();
    yield* this.#index.scanTotals(this.#tail);
  }

  /**
   * Checkpoints a read-write store (so the next open replays nothing), then
   * forgets the tail. A failed checkpoint loses nothing: the transfers are
   * committed and the next open replays them, so close does not throw for it.
   */
  close(): void {
    if (this.#writers !== undefined && this.#db.open && !this.#db.inTransaction) {
      try {
        this.checkpoint();
      } catch {
        // Recovery replays the tail on the next open (tail.ts).
      }
    }
    this.#tail.reset();
    this.#cache.clear();
    this.#queries.clear();
  }
}
