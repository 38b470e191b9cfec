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

export interface BalanceDelta {
  accountId: AccountId;
  debitsFen: number;
  creditsFen: number;
}

export interface LedgerStore {
  readonly kind: string;
  transaction<T>(fn: () => T): T;
  /** Runs fn over one consistent snapshot (a read transaction). */
  snapshot<T>(fn: () => T): T;
  getAccount(id: AccountId): StoredAccount | undefined;
  insertAccount(spec: AccountSpec): void;
  getTransfer(id: string): StoredTransfer | undefined;
  /** The last transfer's seq and hash; seq 0 and GENESIS_HASH when empty. */
  head(): ChainHead;
  /** Appends rows whose seq follows head() without gaps, then moves the head. */
  appendTransfers(rows: readonly StoredTransfer[]): void;
  /** Adds to the derived debit/credit totals of accounts (never sets them). */
  applyBalanceDeltas(deltas: Iterable<BalanceDelta>): void;
  /** Sums of the transfers with at < before (all transfers when before is undefined). */
  sumTransfers(accountId: AccountId, before: string | undefined): { debitsFen: number; creditsFen: number };
  queryTransfers(query: Required<Pick<TransferQuery, 'limit' | 'afterSeq'>> & Omit<TransferQuery, 'limit' | 'afterSeq'>): StoredTransfer[];
  /** Every transfer in seq order, streamed. */
  scanTransfers(): Iterable<StoredTransfer>;
  /** Every account, streamed. */
  scanAccounts(): Iterable<StoredAccount>;
  /** Releases what the store holds; the database connection belongs to its opener. */
  close(): void;
}
