// The storage seam of the ledger (issue #15 section 2; ARCHITECTURE.md
// "Contracts": one interface, two engines). The Ledger keeps every rule:
// validation, results and their precedence, linked chains, must-not-go-
// negative, the block chain's hashes (block.ts) and verify. A store keeps rows
// and answers questions about them. The SQLite store (sqlite/store.ts) is the
// default; a PostgreSQL store implements the same interface, and both must
// pass the one contract suite (store-contract.ts), as node-serialport's
// bindings pass theirs against its BindingInterface.
//
// What every store must honour:
// - Synchronous. Every method returns its answer; nothing is a promise. The
//   server's registry and runs call the ledger inside their own synchronous
//   transactions, so an engine whose driver is asynchronous must be made
//   synchronous behind this interface (a worker and Atomics.wait, say).
// - Free of engine types. Records in and out are the plain objects below;
//   numbers are safe integers, times canonical ISO strings (validate.ts).
// - Append-only. No method updates or deletes a transfer or a block. Account
//   totals only ever grow by the deltas of appended blocks.
// - One writer. Two stores appending to the same ledger at once would fork the
//   chain; `transaction` takes the engine's write lock so they take turns.
// - Errors. A refused transfer is never an error (the Ledger answers it as a
//   result). A store throws LedgerError (errors.ts) where this file says so,
//   and lets an engine's own error (disk full, I/O, lost connection) propagate
//   unchanged; the enclosing `transaction` then leaves nothing behind.
import type { AccountId, AccountSpec, TransferQuery } from './types.js';

/**
 * A transfer as stored: canonical `at`, meta as canonical JSON ('' when
 * absent), and its place in the block chain: block `block`, position
 * `blockIndex` (0-based) among the block's transfers (issue #15 section 1).
 */
export interface StoredTransfer {
  seq: number;
  id: string;
  debitAccountId: AccountId;
  creditAccountId: AccountId;
  amountFen: number;
  code: string;
  at: string;
  reference: string | null;
  metaJson: string;
  linked: boolean;
  recordedAt: string;
  block: number;
  blockIndex: number;
}

/**
 * One committed batch (issue #15 section 1): the transfers with seq
 * firstSeq..lastSeq, `digest` over their canonical encodings in order,
 * chained to the previous block by `prevHash`; `hash` covers the whole header
 * (block.ts says how each is computed; a store never computes them).
 */
export interface StoredBlock {
  num: number;
  firstSeq: number;
  lastSeq: number;
  digest: string;
  prevHash: string;
  hash: string;
}

export interface StoredAccount {
  spec: AccountSpec;
  debitsFen: number;
  creditsFen: number;
}

/** The last block: its number, hash and last seq. seq 0, block 0 and GENESIS_HASH for an empty ledger. */
export interface ChainHead {
  seq: number;
  block: number;
  hash: string;
}

/**
 * What a batch needs of an account (issue #5 section 7: a batch reads this for
 * every account it touches, so it leaves out the spec's meta): the rules, the
 * totals, and the store's own key for the account, handed back on writes.
 */
export interface AccountState {
  /** The store's key for the account: any safe integer, stable while the account exists. */
  key: number;
  normal: 'debit' | 'credit';
  mustNotGoNegative: boolean;
  debitsFen: number;
  creditsFen: number;
}

/** What a block adds to one account's totals. */
export interface BalanceDelta {
  accountId: AccountId;
  /** AccountState.key of the account. */
  key: number;
  debitsFen: number;
  creditsFen: number;
}

/** A transfer to append, with the store keys (AccountState.key) of its two accounts. */
export interface AppendTransfer extends StoredTransfer {
  debitKey: number;
  creditKey: number;
}

/** A sealed batch for appendBlock: the header, its transfers in seq order, and their sums per account. */
export interface NewBlock {
  header: StoredBlock;
  transfers: readonly AppendTransfer[];
  deltas: readonly BalanceDelta[];
}

/** Per-account totals of the store's account index (postings), for verify. */
export interface IndexedTotals {
  /** undefined when the index names an account the chart does not hold. */
  accountId: AccountId | undefined;
  key: number;
  debitsFen: number;
  creditsFen: number;
  entries: number;
  /** What is wrong with the index's own records for this account (unreadable, out of order, past the checkpoint). */
  problems?: string[];
}

/** A transfer query with its limit and afterSeq settled by the Ledger (limit 1..TRANSFER_QUERY_MAX_LIMIT, afterSeq >= 0, times canonical). */
export type TransferQueryParams = Required<Pick<TransferQuery, 'limit' | 'afterSeq'>> & Omit<TransferQuery, 'limit' | 'afterSeq'>;

export interface LedgerStore {
  /** The engine's name ('sqlite', 'postgres'): logs and the contract suite's titles. */
  readonly kind: string;

  /**
   * Runs fn atomically and returns what it returns. Everything written through
   * the store inside fn commits together when the outermost transaction ends,
   * durable on return (SQLite synchronous=FULL; PostgreSQL
   * synchronous_commit=on). When fn throws, none of it is kept, the store's
   * memory (caches) forgets it too, and the error propagates unchanged.
   * Reads inside fn see its earlier writes. Outside any transaction it takes
   * the write lock at the start (no batch fails half-way for a lock).
   * Nests: inside an enclosing transaction of the same connection (the
   * store's own, or its caller's: the registry and the runs wrap ledger calls
   * in theirs) it is a savepoint: a throw undoes only fn's writes, and the rest
   * commits or rolls back with the enclosing one; the store must then follow
   * that outcome too (an enclosing rollback leaves no trace in its memory).
   */
  transaction<T>(fn: () => T): T;

  /**
   * Runs fn over one consistent snapshot of the ledger: every read inside sees
   * the same committed state, whatever a writer commits meanwhile (verify runs
   * for minutes while the server appends). fn does not write. Inside a
   * transaction it is that transaction's view.
   */
  snapshot<T>(fn: () => T): T;

  /** The account with its totals up to the head, or undefined. */
  getAccount(id: AccountId): StoredAccount | undefined;

  /**
   * Adds an account with zero totals. The Ledger has checked the spec and that
   * the id is not stored. An id that is stored all the same must throw (any
   * error) and add nothing.
   */
  insertAccount(spec: AccountSpec): void;

  /**
   * The states of the accounts among `ids` that exist, with their totals up to
   * the head; absent ids are left out of the map. Duplicates are fine. One
   * round trip for a whole batch, not one per id (issue #5 section 7).
   */
  getAccountStates(ids: readonly AccountId[]): Map<AccountId, AccountState>;

  /** The stored transfer with this id, or undefined. */
  getTransfer(id: string): StoredTransfer | undefined;

  /** The stored transfers among `ids`, by id; absent ids are left out. One round trip for a whole batch. */
  getTransfers(ids: readonly string[]): Map<string, StoredTransfer>;

  /** The last appended block (ChainHead), as stored: verify compares it with the blocks. */
  head(): ChainHead;

  /**
   * Appends one block: its transfer rows, its header, the new head, and the
   * deltas added to the accounts' totals, all or nothing. Called inside
   * `transaction`, at most once per transaction.
   * May assume, since the Ledger guarantees it: header.num = head().block + 1
   * and header.prevHash = head().hash; the transfers are header.firstSeq..
   * header.lastSeq in order (at least one), each with this block's number and
   * its index; both accounts of every transfer exist, under the keys given;
   * the deltas are the transfers' sums per account, each account once.
   * Must throw LedgerError TransferIdStored when a transfer's id is already
   * stored (the enclosing transaction then keeps nothing of the block; the
   * Ledger evaluates the batch again with its ids looked up).
   * Never checks or computes hashes: verify does.
   */
  appendBlock(block: NewBlock): void;

  /**
   * An account's sums over the transfers with at < before (all of them when
   * before is undefined), up to the head; zeros for an unknown account.
   */
  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number };

  /**
   * Transfers with seq > afterSeq that match every filter given (accountId:
   * either side; code; from <= at < to), in seq order, at most limit. Paging
   * with afterSeq = the last seq of the previous page must cost about a page.
   */
  queryTransfers(query: TransferQueryParams): StoredTransfer[];

  /** Every transfer row in seq order, streamed (memory bounded), including rows no block covers: verify reports those. */
  scanTransfers(): Iterable<StoredTransfer>;

  /** Every block in number order, streamed. */
  scanBlocks(): Iterable<StoredBlock>;

  /** Every account with its totals up to the head, streamed. */
  scanAccounts(): Iterable<StoredAccount>;

  /**
   * The totals of the store's per-account index (what answers sumTransfers
   * with `before` and queryTransfers by account), per account, streamed:
   * verify compares them with the transfers. A store without a separate index
   * sums its postings however it keeps them; `entries` counts one per side of
   * a transfer.
   */
  scanIndexedTotals(): Iterable<IndexedTotals>;

  /**
   * Writes derived state the store keeps in memory (balances, the account
   * index) up to the head, for stores that defer it (the SQLite store's
   * checkpoints); absent when a store writes it with every block. Nothing may
   * depend on calling it. A read-only store throws LedgerError Closed.
   */
  checkpoint?(): void;

  /** Releases what the store holds; the database connection belongs to its opener. */
  close(): void;
}
