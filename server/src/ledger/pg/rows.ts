// Rows in, rows out: the PostgreSQL store's column lists and the conversions
// between PgDatabase's rows (objects keyed by column) and the store
// interface's records (store.ts).
import type { AccountSpec } from '../types.js';
import type { AccountState, StoredAccount, StoredBlock, StoredTransfer } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';

export const TRANSFER_COLUMNS = 'seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index';
export const BLOCK_COLUMNS = 'num, first_seq, last_seq, digest, prev_hash, hash';
export const ACCOUNT_COLUMNS = 'num, id, kind, normal, must_not_go_negative, meta, debits_fen, credits_fen';

type Row = Record<string, unknown>;

export function toStoredTransfer(r: Row): StoredTransfer {
  return {
    seq: r.seq as number,
    id: r.id as string,
    debitAccountId: r.debit_account_id as string,
    creditAccountId: r.credit_account_id as string,
    amountFen: r.amount_fen as number,
    code: r.code as string,
    at: r.at as string,
    reference: r.reference as string | null,
    metaJson: r.meta as string,
    linked: r.linked === 1,
    recordedAt: r.recorded_at as string,
    block: r.block as number,
    blockIndex: r.block_index as number,
  };
}

export function toStoredBlock(r: Row): StoredBlock {
  return { num: r.num as number, firstSeq: r.first_seq as number, lastSeq: r.last_seq as number, digest: r.digest as string, prevHash: r.prev_hash as string, hash: r.hash as string };
}

export function toStoredAccount(r: Row): StoredAccount {
  const spec: AccountSpec = { id: r.id as string, kind: r.kind as string, normal: r.normal as 'debit' | 'credit', mustNotGoNegative: r.must_not_go_negative === 1 };
  if (r.meta !== '') {
    try {
      spec.meta = JSON.parse(r.meta as string) as Record<string, string>;
    } catch {
      throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${spec.id} has unreadable meta`);
    }
  }
  return { spec, debitsFen: r.debits_fen as number, creditsFen: r.credits_fen as number };
}

export function toAccountState(r: Row): AccountState {
  return {
    key: r.num as number,
    normal: r.normal as 'debit' | 'credit',
    mustNotGoNegative: r.must_not_go_negative === 1,
    debitsFen: r.debits_fen as number,
    creditsFen: r.credits_fen as number,
  };
}

/** A PostgreSQL array literal of integers ('{1,2,3}'). */
export function toIntArray(values: readonly number[]): string {
  return `{${values.join(',')}}`;
}
