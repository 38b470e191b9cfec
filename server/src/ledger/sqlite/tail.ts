// The SQLite store's tail (schema 3; issue #5 section 7): the balances and
// postings of the transfers after the checkpoint, kept in memory and written
// by the next checkpoint (checkpoint.ts). The transfer rows are the truth:
// memory is trusted only while the stored head and checkpoint are the ones it
// last saw; any other value means a rollback, a crash, or another connection,
// and the tail is replayed from the transfers (only the new ones when the
// chain merely grew past the head memory knows).
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import type { AccountId } from '../types.js';
import type { AppendTransfer, ChainHead } from '../store.js';
import { GENESIS_HASH } from '../hash.js';
import { QUAD } from './posting-run.js';
import { atMs } from './rows.js';

/** One account's share of the tail. */
export interface TailAccount {
  id: AccountId;
  debitsFen: number;
  creditsFen: number;
  /** Postings in seq order, flattened: seq, debit fen, credit fen, at in ms. */
  postings: number[];
}

/** A transfer of the tail as replayed: seq, amount, at, debit id, credit id, debit num, credit num. */
type ReplayRow = [number, number, string, string, string, number | null, number | null];

/** What the database holds now: head seq, head block, head hash, checkpoint seq. */
type Position = [number | null, number | null, string | null, number | null];

const NOT_SYNCED: ChainHead = { seq: -1, block: -1, hash: '' };

export class Tail {
  /** The tail per account number: the transfers with seq in (from, head.seq]. */
  readonly #accounts = new Map<number, TailAccount>();
  /** The checkpoint seq the tail starts after; -1: never synced. */
  #from = -1;
  /** The head the tail ends at, as the head table held it. */
  #head: ChainHead = NOT_SYNCED;
  readonly #position: Statement<[], Position>;
  readonly #replay: Statement<[number], ReplayRow>;
  readonly #blockHash: Statement<[number], string>;

  constructor(db: SqliteDatabase) {
    this.#position = db
      .prepare<[], Position>(
        `SELECT (SELECT seq FROM ledger_head WHERE one = 1), (SELECT block FROM ledger_head WHERE one = 1), (SELECT hash FROM ledger_head WHERE one = 1),
         (SELECT seq FROM ledger_checkpoint WHERE one = 1)`,
      )
      .raw();
    this.#replay = db
      .prepare<[number], ReplayRow>(
        `SELECT t.seq, t.amount_fen, t.at, t.debit_account_id, t.credit_account_id, d.num, c.num FROM ledger_transfers t
         LEFT JOIN ledger_accounts d ON d.id = t.debit_account_id LEFT JOIN ledger_accounts c ON c.id = t.credit_account_id
         WHERE t.seq > ? ORDER BY t.seq`,
      )
      .raw();
    this.#blockHash = db.prepare<[number], string>('SELECT hash FROM ledger_blocks WHERE num = ?').pluck();
  }

  /** The checkpoint seq (valid after sync). */
  get from(): number {
    return this.#from;
  }

  /** The head the tail ends at (valid after sync). */
  get head(): ChainHead {
    return this.#head;
  }

  account(num: number): TailAccount | undefined {
    return this.#accounts.get(num);
  }

  accounts(): IterableIterator<[number, TailAccount]> {
    return this.#accounts.entries();
  }

  /**
   * Brings memory to what the database (as this connection sees it now)
   * holds. Returns true when the checkpoint moved behind memory's back (the
   * account cache's checkpointed totals are then stale).
   */
  sync(): boolean {
    const [seqOrNull, blockOrNull, hashOrNull, checkpointOrNull] = this.#position.get()!;
    const stored: ChainHead = { seq: seqOrNull ?? 0, block: blockOrNull ?? 0, hash: hashOrNull ?? GENESIS_HASH };
    const checkpoint = checkpointOrNull ?? 0;
    const known = this.#head;
    if (stored.seq === known.seq && stored.block === known.block && stored.hash === known.hash && checkpoint === this.#from) return false;
    // The chain merely grew past what memory knows when the block memory ended at is still there, unchanged.
    const grewFromKnown =
      checkpoint === this.#from &&
      known.seq >= checkpoint &&
      stored.seq > known.seq &&
      (known.block === 0 ? known.hash === GENESIS_HASH : this.#blockHash.get(known.block) === known.hash);
    if (!grewFromKnown) this.#accounts.clear();
    const checkpointMoved = checkpoint !== this.#from;
    this.#from = checkpoint;
    // Until the replay is done memory matches nothing (an exception half-way leaves it so).
    this.#head = NOT_SYNCED;
    this.#replayFrom(grewFromKnown ? known.seq : checkpoint);
    this.#head = stored;
    return checkpointMoved;
  }

  #replayFrom(afterSeq: number): void {
    let lastAt = '';
    let lastMs = 0;
    for (const [tSeq, amount, at, debitId, creditId, debitNum, creditNum] of this.#replay.iterate(afterSeq)) {
      if (at !== lastAt) {
        const ms = Date.parse(at);
        // A tampered time is verify's to report (block_digest_mismatch); replay keeps going.
        lastMs = Number.isNaN(ms) ? 0 : ms;
        lastAt = at;
      }
      // A transfer naming an account the chart lacks moves no balance; verify reports it.
      if (debitNum !== null) this.#add(debitNum, debitId, tSeq, amount, 0, lastMs);
      if (creditNum !== null) this.#add(creditNum, creditId, tSeq, 0, amount, lastMs);
    }
  }

  #add(num: number, id: AccountId, seq: number, debitFen: number, creditFen: number, ms: number): void {
    let a = this.#accounts.get(num);
    if (a === undefined) {
      a = { id, debitsFen: 0, creditsFen: 0, postings: [] };
      this.#accounts.set(num, a);
    }
    a.debitsFen += debitFen;
    a.creditsFen += creditFen;
    a.postings.push(seq, debitFen, creditFen, ms);
  }

  /**
   * A block's rows were just written and the head moved to `head`: memory
   * follows only if it was at the head they continue (otherwise the next sync
   * replays). Returns whether it followed.
   */
  appended(rows: readonly AppendTransfer[], head: ChainHead): boolean {
    const continuesTail = rows[0]!.seq === this.#head.seq + 1;
    this.#head = NOT_SYNCED;
    if (!continuesTail) return false;
    let lastAt = '';
    let lastMs = 0;
    for (const t of rows) {
      // A batch's transfers mostly share one time (a run's, a kiosk's morning): parse it once.
      if (t.at !== lastAt) {
        lastMs = atMs(t.at);
        lastAt = t.at;
      }
      this.#add(t.debitKey, t.debitAccountId, t.seq, t.amountFen, 0, lastMs);
      this.#add(t.creditKey, t.creditAccountId, t.seq, 0, t.amountFen, lastMs);
    }
    this.#head = head;
    return true;
  }

  /** Transfers after the checkpoint (valid after sync). */
  get size(): number {
    return this.#head.seq - this.#from;
  }

  /** Postings of the tail (quads) per account, for the index scan. */
  entries(num: number): number {
    const a = this.#accounts.get(num);
    return a === undefined ? 0 : a.postings.length / QUAD;
  }

  /** A checkpoint wrote everything up to the head: the tail starts empty after it. */
  checkpointed(): void {
    this.#accounts.clear();
    this.#from = this.#head.seq;
  }

  /** Forgets everything; the next sync replays. */
  reset(): void {
    this.#accounts.clear();
    this.#from = -1;
    this.#head = NOT_SYNCED;
  }
}
