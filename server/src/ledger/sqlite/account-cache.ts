// The SQLite store's account cache (issue #5 section 7): account id -> (num,
// normal, must not go negative, checkpointed totals), kept between batches so
// that a batch does not look its accounts up by text id, the largest cost left
// once the balances moved out of the commit.
//
// A committed account never changes its number or rules, and its totals only
// move with the checkpoint (moved in place here, or the cache is emptied when
// the tail sees a checkpoint it did not make). The one hazard is an account
// created in a transaction that is later rolled back: its number can be given
// to another account. So every account insert writes a new generation to a
// TEMP table (which rolls back with the transaction), and the cache is emptied
// whenever the stored generation is not the last one written. That lets a
// caller's long transactions (the payroll's chunks) use the cache too. (One
// store per connection: the TEMP table is the connection's.)
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import type { AccountId } from '../types.js';
import type { AccountStateRow } from './rows.js';

/**
 * Most accounts whose rules and checkpointed totals a store keeps between
 * batches (the oldest entries go first when it is full).
 */
export const LEDGER_ACCOUNT_CACHE_LIMIT = 100_000;

export class AccountCache {
  /**
   * A dictionary object, not a Map: a batch looks up ids it has just been
   * handed (often strings built by concatenation), and an object key lookup
   * internalizes them, which measured 2-3x cheaper than a Map's first lookup
   * of a fresh string (0.25-0.34 against 0.65-0.78 us on this machine), and
   * makes every later use of that string in the batch cheaper too. String keys
   * keep their insertion order, which the FIFO eviction relies on.
   */
  #rows: Record<AccountId, AccountStateRow> = Object.create(null) as Record<AccountId, AccountStateRow>;
  #size = 0;
  /** Generations written to temp.ledger_account_mark: strictly increasing, never reused. */
  #markCounter = 0;
  /** The generation the cache is valid for (0: no account inserted through this store yet). */
  #markSeen = 0;
  readonly #readMark: Statement<[], number> | undefined;
  readonly #writeMark: Statement<[number]> | undefined;

  /** A read-only store keeps no cache (it cannot write the generation, and verify reads each account once). */
  constructor(db: SqliteDatabase, readonly: boolean) {
    if (readonly) return;
    db.exec('CREATE TEMP TABLE IF NOT EXISTS ledger_account_mark (one INTEGER PRIMARY KEY CHECK (one = 1), gen INTEGER NOT NULL)');
    this.#readMark = db.prepare<[], number>('SELECT gen FROM temp.ledger_account_mark WHERE one = 1').pluck();
    this.#writeMark = db.prepare<[number]>('INSERT INTO temp.ledger_account_mark (one, gen) VALUES (1, ?) ON CONFLICT (one) DO UPDATE SET gen = excluded.gen');
  }

  get enabled(): boolean {
    return this.#readMark !== undefined;
  }

  /** Empties the cache when an account insert was rolled back since it was last looked at: a cached number may now be another account's. */
  revalidate(): void {
    if (this.#readMark === undefined) return;
    const mark = this.#readMark.get() ?? 0;
    if (mark !== this.#markSeen) {
      this.clear();
      this.#markSeen = mark;
    }
  }

  /** Call after every account insert, in the inserting transaction. */
  accountInserted(): void {
    if (this.#writeMark === undefined) return;
    // Catch up first: after a rollback the cache must not outlive it under a new generation.
    this.revalidate();
    this.#writeMark.run(++this.#markCounter);
    this.#markSeen = this.#markCounter;
  }

  get(id: AccountId): AccountStateRow | undefined {
    return this.#rows[id];
  }

  /**
   * Makes room for `count` new entries: first in, first out (insertion
   * order), so what was read just before (the payroll's balances of a chunk,
   * then its transfers) stays.
   */
  makeRoom(count: number): void {
    let drop = this.#size + count - LEDGER_ACCOUNT_CACHE_LIMIT;
    if (drop <= 0) return;
    for (const id in this.#rows) {
      if (drop-- <= 0) break;
      delete this.#rows[id];
      this.#size--;
    }
  }

  /** Keeps a row that get() did not find (a fresh array: the cache moves its totals in place). */
  add(id: AccountId, row: AccountStateRow): void {
    if (!this.enabled) return;
    if (this.#rows[id] === undefined) this.#size++;
    this.#rows[id] = row;
  }

  /** A checkpoint moved an account's stored totals: a cached entry follows rather than being refetched. */
  addToTotals(id: AccountId, debitsFen: number, creditsFen: number): void {
    const cached = this.#rows[id];
    if (cached !== undefined) {
      cached[3] += debitsFen;
      cached[4] += creditsFen;
    }
  }

  clear(): void {
    this.#rows = Object.create(null) as Record<AccountId, AccountStateRow>;
    this.#size = 0;
  }
}
