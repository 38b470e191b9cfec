// The storage seam (issue #5 section 1): the Ledger keeps the rules (validation,
// precedence, linked chains, the hash chain); a store keeps rows. The SQLite
// store is the default; a PostgreSQL store implements the same interface.
//
// Contract for every store:
// - `transaction(fn)` runs fn atomically: everything fn wrote commits together
//   or, when fn throws, nothing does. Called inside an enclosing transaction of
//   the same connection it nests (a savepoint) and commits with the outer one.
// - Reads inside `transaction` see the writes made earlier in it.
// - Rows are append-only: no method updates or deletes a transfer.
import type { AccountId, AccountSpec, TransferQuery } from './types.js';

/** A transfer as stored: canonical `at`, meta as canonical JSON ('' when absent). */
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
  prevHash: string;
  hash: string;
}

export interface StoredAccount {
  spec: AccountSpec;
  debitsFen: number;
  creditsFen: number;
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/**
 * What a batch needs of an account (issue #5 section 7: a batch reads this for
 * every account it touches, so it leaves out the spec's meta): the rules, the
 * totals, and the store's own key for the account, handed back on writes.
 */
export interface AccountState {
  key: number;
  normal: 'debit' | 'credit';
  mustNotGoNegative: boolean;
  debitsFen: number;
  creditsFen: number;
}

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

/** A transfer query with its limit and afterSeq settled by the Ledger. */
export type TransferQueryParams = Required<Pick<TransferQuery, 'limit' | 'afterSeq'>> & Omit<TransferQuery, 'limit' | 'afterSeq'>;

export interface LedgerStore {
  readonly kind: string;
  transaction<T>(fn: () => T): T;
  /** Runs fn over one consistent snapshot (a read transaction). */
  snapshot<T>(fn: () => T): T;
  getAccount(id: AccountId): StoredAccount | undefined;
  insertAccount(spec: AccountSpec): void;
  getAccountState(id: AccountId): AccountState | undefined;
  /** The states of the accounts among `ids` that exist (one round trip for a batch); duplicates are fine. */
  getAccountStates(ids: readonly AccountId[]): Map<AccountId, AccountState>;
  getTransfer(id: string): StoredTransfer | undefined;
  /** The stored transfers among `ids` (one round trip for a whole batch); absent ids are not in the map. */
  getTransfers(ids: readonly string[]): Map<string, StoredTransfer>;
  /** The last transfer's seq and hash; seq 0 and GENESIS_HASH when empty. */
  head(): ChainHead;
  /**
   * Appends rows whose seq follows head() without gaps, then moves the head.
   * Throws LedgerError TransferIdStored, having written nothing that the
   * enclosing transaction will keep, when a row's id is already stored.
   */
  appendTransfers(rows: readonly AppendTransfer[]): void;
  /** Adds to the derived debit/credit totals of accounts (never sets them). */
  applyBalanceDeltas(deltas: Iterable<BalanceDelta>): void;
  /** Sums of the transfers with at < before (all transfers when before is undefined). */
  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number };
  queryTransfers(query: TransferQueryParams): StoredTransfer[];
  /** Every transfer in seq order, streamed. */
  scanTransfers(): Iterable<StoredTransfer>;
  /** Every account, streamed. */
  scanAccounts(): Iterable<StoredAccount>;
  /** The account index's totals per account, streamed (verify compares them with the transfers). */
  scanIndexedTotals(): Iterable<IndexedTotals>;
  /**
   * Writes derived state kept in memory (balances, the account index) up to the
   * head, for stores that defer it (SqliteLedgerStore, schema 3); absent when a
   * store writes it with every batch.
   */
  checkpoint?(): void;
  /** Releases what the store holds; the database connection belongs to its opener. */
  close(): void;
}
