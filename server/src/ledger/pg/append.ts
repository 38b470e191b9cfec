// Appending a block on PostgreSQL (the write path of a batch): the transfer
// rows, the block row, the head and the balance deltas in one statement, one
// round trip whatever the batch's size (issue #15 section 5: a round trip on
// loopback costs about as much as writing a few rows). Data-modifying CTEs all
// run, in one snapshot, all or nothing.
import type { PgDatabase } from '../../sql/pg-database.js';
import type { NewBlock } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { toIntArray } from './rows.js';
import { toTextArray } from './schema.js';

/** The constraint PostgreSQL names for ledger_transfers.id's UNIQUE (ddl.ts). */
const TRANSFER_ID_CONSTRAINT = 'ledger_transfers_id_key';

export const APPEND_BLOCK_SQL = `WITH t AS (
  INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, debit_num, credit_num, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index)
  SELECT * FROM unnest(?::bigint[], ?::text[], ?::text[], ?::text[], ?::bigint[], ?::bigint[], ?::bigint[], ?::text[], ?::text[], ?::text[], ?::text[], ?::smallint[], ?::text[], ?::bigint[], ?::bigint[])
), b AS (
  INSERT INTO ledger_blocks (num, first_seq, last_seq, digest, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?)
), u AS (
  UPDATE ledger_accounts a SET debits_fen = a.debits_fen + d.dr, credits_fen = a.credits_fen + d.cr
  FROM unnest(?::bigint[], ?::bigint[], ?::bigint[]) AS d(num, dr, cr) WHERE a.num = d.num
), h AS (
  UPDATE ledger_head SET seq = ?, block = ?, hash = ? WHERE one = 1 AND block = ? AND hash = ? RETURNING 1
)
SELECT count(*) AS moved FROM h`;

/** The statement's parameters for `block`, in APPEND_BLOCK_SQL's order. */
export function appendParams(block: NewBlock): unknown[] {
  const ts = block.transfers;
  const column = <T>(f: (t: (typeof ts)[number]) => T): T[] => ts.map(f);
  const h = block.header;
  const d = block.deltas;
  return [
    toIntArray(column((t) => t.seq)),
    toTextArray(column((t) => t.id)),
    toTextArray(column((t) => t.debitAccountId)),
    toTextArray(column((t) => t.creditAccountId)),
    toIntArray(column((t) => t.debitKey)),
    toIntArray(column((t) => t.creditKey)),
    toIntArray(column((t) => t.amountFen)),
    toTextArray(column((t) => t.code)),
    toTextArray(column((t) => t.at)),
    toTextArray(column((t) => t.reference)),
    toTextArray(column((t) => t.metaJson)),
    toIntArray(column((t) => (t.linked ? 1 : 0))),
    toTextArray(column((t) => t.recordedAt)),
    toIntArray(column((t) => t.block)),
    toIntArray(column((t) => t.blockIndex)),
    h.num,
    h.firstSeq,
    h.lastSeq,
    h.digest,
    h.prevHash,
    h.hash,
    toIntArray(d.map((x) => x.key)),
    toIntArray(d.map((x) => x.debitsFen)),
    toIntArray(d.map((x) => x.creditsFen)),
    h.lastSeq,
    h.num,
    h.hash,
    h.num - 1,
    h.prevHash,
  ];
}

function isTransferIdConflict(error: unknown): boolean {
  const e = error as { code?: unknown; constraint?: unknown };
  return e.code === '23505' && e.constraint === TRANSFER_ID_CONSTRAINT;
}

/**
 * Appends the block. A stored id throws TransferIdStored; a head that is not
 * the block's predecessor (a writer that did not hold the head's lock) throws
 * CorruptStore; the caller's transaction then undoes the statement.
 */
export function appendBlock(db: PgDatabase, block: NewBlock): void {
  let moved: number;
  try {
    moved = Number(db.query(APPEND_BLOCK_SQL, appendParams(block)).rows[0]?.moved ?? 0);
  } catch (error) {
    if (isTransferIdConflict(error)) throw new LedgerError(LedgerErrorCode.TransferIdStored, 'a transfer id of the batch is already stored');
    throw error;
  }
  if (moved !== 1) throw new LedgerError(LedgerErrorCode.CorruptStore, `block ${block.header.num} does not follow the stored head`);
}
