// Types of the central ledger (issue #5 section 1). This is the contract shared
// with the HTTP API and the runs: renames here break them, additions are fine.
import type { Source } from './chart.js';

export type AccountId = string;

/**
 * An account in the chart. `normal` is the side its balance is reported on:
 * a debit-normal account (cash box, bank, fund assets) grows with debits, a
 * credit-normal account (a person's account, payables) grows with credits.
 * `mustNotGoNegative`: a transfer that would take the balance on the normal
 * side below zero is refused with `would_go_negative` (issue #5 section 1).
 */
export interface AccountSpec {
  id: AccountId;
  kind: string;
  normal: 'debit' | 'credit';
  mustNotGoNegative: boolean;
  meta?: Record<string, string>;
}

export type TransferMetaValue = string | number | boolean | null;

export interface TransferInput {
  /** UUIDv7 made (and persisted) by the originator before it is sent. */
  id: string;
  debitAccountId: AccountId;
  creditAccountId: AccountId;
  /** Safe positive integer, fen. */
  amountFen: number;
  /** e.g. 'contribution.individual', 'subsidy.government', 'interest', 'pension.account', 'correction'. */
  code: string;
  /**
   * ISO 8601 timestamp of the business event. Stored in the canonical form of
   * `Date.prototype.toISOString()` (a date alone means midnight UTC), so that
   * `at` compares correctly as a string.
   */
  at: string;
  /** Id of the transfer this one corrects / relates to. Required for code 'correction'. */
  reference?: string;
  meta?: Record<string, TransferMetaValue>;
  /**
   * TigerBeetle semantics: this transfer is chained with the next one in the
   * batch; the chain's new transfers commit together or not at all.
   */
  linked?: boolean;
}

/**
 * Results, per transfer. The checks run in this order of precedence (the
 * first that applies is returned): shape (`invalid_*`,
 * `accounts_must_be_different`, `amount_must_be_positive_integer`), then
 * `exists*` (debit, credit, amount, code, at, reference, meta), then
 * `account_not_found`, `reference_not_found`, `would_go_negative`,
 * `overflows_balance`, and finally the chain (`linked_event_*`).
 */
export type TransferResultCode =
  | 'created'
  | 'exists'
  | 'exists_with_different_debit_account_id'
  | 'exists_with_different_credit_account_id'
  | 'exists_with_different_amount'
  | 'exists_with_different_code'
  | 'exists_with_different_at'
  | 'exists_with_different_reference'
  | 'exists_with_different_meta'
  | 'linked_event_failed'
  | 'linked_event_chain_open'
  | 'account_not_found'
  | 'accounts_must_be_different'
  | 'amount_must_be_positive_integer'
  | 'would_go_negative'
  | 'overflows_balance'
  | 'invalid_id'
  | 'invalid_transfer'
  | 'invalid_account_id'
  | 'invalid_code'
  | 'invalid_at'
  | 'invalid_reference'
  | 'invalid_meta'
  | 'reference_required'
  | 'reference_not_found';

export interface TransferResult {
  id: string;
  result: TransferResultCode;
  /** For `created` and `exists`: the sequence number of the stored transfer. */
  seq?: number;
}

export interface Transfer extends TransferInput {
  /** 1, 2, 3, ... in commit order, without gaps. */
  seq: number;
  /** The block (the committed batch) that chains it (issue #15 section 1). */
  block: number;
  /** Its place in that block, from 0. */
  blockIndex: number;
  /** When the ledger recorded it (ISO). */
  recordedAt: string;
}

export interface Balance {
  accountId: AccountId;
  debitsFen: number;
  creditsFen: number;
  /** On the account's normal side: debits - credits for debit-normal, credits - debits for credit-normal. */
  balanceFen: number;
}

export interface TransferQuery {
  /** Transfers that debit or credit this account. */
  accountId?: AccountId;
  code?: string;
  /** at >= from (ISO). */
  from?: string;
  /** at < to (ISO). */
  to?: string;
  /** Default TRANSFER_QUERY_DEFAULT_LIMIT, at most TRANSFER_QUERY_MAX_LIMIT. */
  limit?: number;
  /** Only seq > afterSeq: page with the last seq of the previous page. */
  afterSeq?: number;
}

/**
 * What verify can find. The chain is a chain of blocks (issue #15 section 1):
 * `chain_*` are about the blocks and the run of seqs, `block_digest_mismatch`
 * and `transfer_block_mismatch` about a transfer's place in its block.
 */
export type VerifyProblemKind =
  /** A seq missing from a block's range, a block starting anywhere but right after the previous one, or a block number skipped. */
  | 'chain_seq_gap'
  /** A block's prevHash is not the previous block's hash. */
  | 'chain_prev_hash_mismatch'
  /** A block's stored hash is not the hash of its header. */
  | 'chain_hash_mismatch'
  /** The head is not the last block. */
  | 'chain_head_mismatch'
  /** A block's transfers do not hash to its digest: one was edited, removed, reordered or inserted. */
  | 'block_digest_mismatch'
  /** A transfer names a block or index other than where it sits, or lies in no block at all. */
  | 'transfer_block_mismatch'
  | 'transfer_invalid'
  | 'transfer_account_missing'
  | 'balance_mismatch'
  | 'negative_balance'
  | 'books_unbalanced'
  /** The per-account index (postings) disagrees with the transfers: balance-on-a-date and statements would be wrong. */
  | 'index_mismatch';

export interface VerifyProblem {
  kind: VerifyProblemKind;
  block?: number;
  seq?: number;
  transferId?: string;
  accountId?: AccountId;
  detail: string;
}

export interface VerifyReport {
  ok: boolean;
  transfers: number;
  blocks: number;
  accounts: number;
  lastSeq: number;
  /** The head's block number and hash (what an auditor notes down to compare later). */
  headBlock: number;
  headHash: string;
  /** Decimal strings: the sums of all accounts may pass Number.MAX_SAFE_INTEGER. */
  totalDebitsFen: string;
  totalCreditsFen: string;
  /** At most VERIFY_MAX_PROBLEMS; `problemsTruncated` tells when more were found. */
  problems: VerifyProblem[];
  problemsTruncated: boolean;
  durationMs: number;
}

export type { Source };
