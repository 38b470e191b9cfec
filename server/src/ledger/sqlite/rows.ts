// Rows in, rows out: the SQLite store's column lists and the conversions
// between its raw rows and the store interface's records (store.ts).
import type { AccountSpec } from '../types.js';
import type { StoredAccount, StoredBlock, StoredTransfer } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';

export const TRANSFER_COLUMNS =
  'seq, id, debit_account_id, credit_account_id, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index';
export const TRANSFER_COLUMN_COUNT = 13;
/** TRANSFER_COLUMNS of the table aliased `t`. */
export const T_TRANSFER_COLUMNS = TRANSFER_COLUMNS.split(', ')
  .map((c) => `t.${c}`)
  .join(', ');

export type TransferRow = [number, string, string, string, number, string, string, string | null, string, number, string, number, number];

export function toStoredTransfer(r: TransferRow): StoredTransfer {
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
    block: r[11],
    blockIndex: r[12],
  };
}

/** Writes a transfer's columns, in TRANSFER_COLUMNS order, into params from offset k; returns the next offset. */
export function putTransferParams(params: unknown[], k: number, t: StoredTransfer): number {
  params[k++] = t.seq;
  params[k++] = t.id;
  params[k++] = t.debitAccountId;
  params[k++] = t.creditAccountId;
  params[k++] = t.amountFen;
  params[k++] = t.code;
  params[k++] = t.at;
  params[k++] = t.reference;
  params[k++] = t.metaJson;
  params[k++] = t.linked ? 1 : 0;
  params[k++] = t.recordedAt;
  params[k++] = t.block;
  params[k++] = t.blockIndex;
  return k;
}

export const ACCOUNT_SELECT =
  'SELECT a.id, a.kind, a.normal, a.must_not_go_negative, a.meta, b.debits_fen, b.credits_fen, a.num FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num';

/** id, kind, normal, must not go negative, meta, checkpointed debits, credits, num. */
export type AccountRow = [string, string, string, number, string, number, number, number];

/** num, normal, must not go negative, checkpointed debits, credits. */
export type AccountStateRow = [number, string, number, number, number];

export const ACCOUNT_STATE_SELECT =
  'SELECT a.num, a.normal, a.must_not_go_negative, b.debits_fen, b.credits_fen FROM ledger_accounts a JOIN ledger_balances b ON b.num = a.num';

/** The account with its checkpointed totals plus the tail's (the transfers after the checkpoint). */
export function toStoredAccount(r: AccountRow, tailDebitsFen: number, tailCreditsFen: number): StoredAccount {
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
  return { spec, debitsFen: r[5] + tailDebitsFen, creditsFen: r[6] + tailCreditsFen };
}

/** ms since the epoch of a canonical ISO timestamp (validate.ts made it; Date.parse cannot fail on it). */
export function atMs(canonicalAt: string): number {
  const ms = Date.parse(canonicalAt);
  if (Number.isNaN(ms)) throw new LedgerError(LedgerErrorCode.CorruptStore, `transfer time ${JSON.stringify(canonicalAt)} is not a timestamp`);
  return ms;
}

export const BLOCK_COLUMNS = 'num, first_seq, last_seq, digest, prev_hash, hash';
export type BlockRow = [number, number, number, string, string, string];

export function toStoredBlock(r: BlockRow): StoredBlock {
  return { num: r[0], firstSeq: r[1], lastSeq: r[2], digest: r[3], prevHash: r[4], hash: r[5] };
}
