// Writing the SQLite store's checkpoint (schema 3; issue #5 section 7): the
// tail's balances and postings, sorted by account number (one pass over the
// B-trees), and the new checkpoint seq, in the caller's transaction. A
// rollback of that transaction is seen by the tail's next sync, which replays.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { splitIntoRuns } from './posting-run.js';
import type { Tail } from './tail.js';
import type { AccountCache } from './account-cache.js';

export class CheckpointWriter {
  readonly #addBalance: Statement<[number, number, number]>;
  readonly #insertRun: Statement<[number, number, Buffer]>;
  readonly #setCheckpoint: Statement<[number]>;

  constructor(db: SqliteDatabase) {
    this.#addBalance = db.prepare('UPDATE ledger_balances SET debits_fen = debits_fen + ?, credits_fen = credits_fen + ? WHERE num = ?');
    this.#insertRun = db.prepare<[number, number, Buffer]>('INSERT INTO ledger_posting_runs (account_num, first_seq, data) VALUES (?, ?, ?)');
    this.#setCheckpoint = db.prepare('INSERT INTO ledger_checkpoint (one, seq) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET seq = excluded.seq');
  }

  /** Writes a synced tail up to its head; the tail then starts empty at the new checkpoint. Call inside a transaction. */
  write(tail: Tail, cache: AccountCache): void {
    const head = tail.head;
    if (head.seq === tail.from) return;
    const accounts = [...tail.accounts()].sort((a, b) => a[0] - b[0]);
    for (const [num, a] of accounts) {
      if (this.#addBalance.run(a.debitsFen, a.creditsFen, num).changes !== 1) {
        throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${a.id} has no balance row`);
      }
      // One B-tree entry per run of up to POSTING_RUN_ENTRIES postings, not per posting.
      for (const [firstSeq, data] of splitIntoRuns(a.postings)) this.#insertRun.run(num, firstSeq, data);
    }
    this.#setCheckpoint.run(head.seq);
    // The cached checkpointed totals move with the checkpoint rather than being
    // refetched (a refill was a tenth of a batch's time). Should this
    // transaction still roll back, the tail's sync sees the old checkpoint and
    // the store empties the cache.
    for (const [, a] of accounts) cache.addToTotals(a.id, a.debitsFen, a.creditsFen);
    tail.checkpointed();
  }
}
