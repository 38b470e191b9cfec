// Appending a block (the write path of a batch): its transfer rows, its header
// and the head, in the caller's transaction.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import type { AppendTransfer, NewBlock } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { BLOCK_COLUMNS, TRANSFER_COLUMNS, TRANSFER_COLUMN_COUNT, putTransferParams } from './rows.js';

/** Rows per multi-row INSERT of transfers: the statement's own cost is shared by its rows (issue #5 section 7). */
export const TRANSFERS_PER_INSERT = 50;

const ROW_PLACEHOLDERS = `(${Array.from({ length: TRANSFER_COLUMN_COUNT }, () => '?').join(', ')})`;

function isTransferIdConflict(error: unknown): boolean {
  return (error as { code?: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE' && /ledger_transfers\.id/.test((error as Error).message);
}

export class BlockAppender {
  readonly #insertOne: Statement<unknown[]>;
  readonly #insertMany: Statement<[unknown[]]>;
  readonly #insertBlock: Statement<[number, number, number, string, string, string]>;
  readonly #setHead: Statement<[number, number, string]>;
  /** Reused for every multi-row statement. */
  readonly #params = new Array<unknown>(TRANSFERS_PER_INSERT * TRANSFER_COLUMN_COUNT);

  constructor(db: SqliteDatabase) {
    this.#insertOne = db.prepare(`INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES ${ROW_PLACEHOLDERS}`);
    this.#insertMany = db.prepare<[unknown[]]>(
      `INSERT INTO ledger_transfers (${TRANSFER_COLUMNS}) VALUES ${Array.from({ length: TRANSFERS_PER_INSERT }, () => ROW_PLACEHOLDERS).join(', ')}`,
    );
    this.#insertBlock = db.prepare(`INSERT INTO ledger_blocks (${BLOCK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)`);
    this.#setHead = db.prepare('INSERT INTO ledger_head (one, seq, block, hash) VALUES (1, ?, ?, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq, block = excluded.block, hash = excluded.hash');
  }

  /**
   * Inserts the transfers (whole statements of TRANSFERS_PER_INSERT, then one
   * at a time), the block and the head. A stored id throws TransferIdStored;
   * the caller's transaction then undoes what was inserted.
   */
  append(block: NewBlock): void {
    try {
      this.#insertRows(block.transfers);
    } catch (error) {
      if (isTransferIdConflict(error)) throw new LedgerError(LedgerErrorCode.TransferIdStored, 'a transfer id of the batch is already stored');
      throw error;
    }
    const h = block.header;
    this.#insertBlock.run(h.num, h.firstSeq, h.lastSeq, h.digest, h.prevHash, h.hash);
    this.#setHead.run(h.lastSeq, h.num, h.hash);
  }

  #insertRows(rows: readonly AppendTransfer[]): void {
    const whole = rows.length - (rows.length % TRANSFERS_PER_INSERT);
    const params = this.#params;
    for (let from = 0; from < whole; from += TRANSFERS_PER_INSERT) {
      let k = 0;
      for (let i = from; i < from + TRANSFERS_PER_INSERT; i++) k = putTransferParams(params, k, rows[i]!);
      this.#insertMany.run(params);
    }
    const one = new Array<unknown>(TRANSFER_COLUMN_COUNT);
    for (let i = whole; i < rows.length; i++) {
      putTransferParams(one, 0, rows[i]!);
      this.#insertOne.run(...one);
    }
  }
}
