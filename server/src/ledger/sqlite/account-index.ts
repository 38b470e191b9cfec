// Reads of the SQLite store's account index (schema 3): the checkpointed
// posting runs of an account plus the tail's postings. They answer
// balance-on-a-date (interest on 1 January, POLICY.md "The personal account"),
// an account's transfers (statements) and verify's index check.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import type { AccountId } from '../types.js';
import type { IndexedTotals } from '../store.js';
import { LedgerError, LedgerErrorCode } from '../errors.js';
import { QUAD, decodeRun } from './posting-run.js';
import type { Tail } from './tail.js';

/** Posting runs read per statement by the per-account queries (bounds what one read holds). */
export const RUNS_PER_READ = 256;

export class AccountIndex {
  readonly #db: SqliteDatabase;
  /** An account's runs in seq order, from a first seq on. */
  readonly #runsFrom: Statement<[number, number, number], [number, Buffer]>;
  /** The run that holds a seq, if any: the last one starting at or before it. */
  readonly #runAt: Statement<[number, number], [number, Buffer]>;

  constructor(db: SqliteDatabase) {
    this.#db = db;
    this.#runsFrom = db
      .prepare<[number, number, number], [number, Buffer]>(
        'SELECT first_seq, data FROM ledger_posting_runs WHERE account_num = ? AND first_seq >= ? ORDER BY first_seq LIMIT ?',
      )
      .raw();
    this.#runAt = db
      .prepare<[number, number], [number, Buffer]>(
        'SELECT first_seq, data FROM ledger_posting_runs WHERE account_num = ? AND first_seq <= ? ORDER BY first_seq DESC LIMIT 1',
      )
      .raw();
  }

  /** A run's postings as quads; an unreadable run throws CorruptStore (the answer would be wrong). */
  static decode(accountId: AccountId, firstSeq: number, data: Buffer): number[] {
    const q = decodeRun(firstSeq, data);
    if (typeof q === 'string') throw new LedgerError(LedgerErrorCode.CorruptStore, `account ${accountId}: ${q}`);
    return q;
  }

  /**
   * Reads an account's checkpointed runs from first seq `from` on, in seq
   * order, a page of RUNS_PER_READ at a time, until onPage returns false or
   * the runs end.
   */
  forEachRunPage(num: number, from: number, onPage: (runs: readonly [number, Buffer][]) => boolean): void {
    for (let next = from; ; ) {
      const runs = this.#runsFrom.all(num, next, RUNS_PER_READ);
      if (!onPage(runs) || runs.length < RUNS_PER_READ) return;
      next = runs[runs.length - 1]![0] + 1;
    }
  }

  /** The checkpointed run that may hold `seq` (the last one starting at or before it). */
  runAt(num: number, seq: number): [number, Buffer] | undefined {
    return this.#runAt.get(num, seq);
  }

  /** Sums of an account's postings dated before `beforeMs` (all of them when undefined), checkpointed and in the tail. */
  sum(num: number, accountId: AccountId, beforeMs: number | undefined, tail: Tail): { debitsFen: number; creditsFen: number } {
    let debitsFen = 0;
    let creditsFen = 0;
    const add = (q: readonly number[]): void => {
      for (let k = 0; k < q.length; k += QUAD) {
        if (beforeMs === undefined || q[k + 3]! < beforeMs) {
          debitsFen += q[k + 1]!;
          creditsFen += q[k + 2]!;
        }
      }
    };
    this.forEachRunPage(num, 0, (runs) => {
      for (const [firstSeq, data] of runs) add(AccountIndex.decode(accountId, firstSeq, data));
      return true;
    });
    const t = tail.account(num);
    if (t !== undefined && beforeMs === undefined) {
      // The tail's running totals: no need to walk its postings.
      debitsFen += t.debitsFen;
      creditsFen += t.creditsFen;
    } else if (t !== undefined) {
      add(t.postings);
    }
    return { debitsFen, creditsFen };
  }

  /** The index at the head, per account: the checkpointed runs (checked as they are read) plus the tail's postings. */
  *scanTotals(tail: Tail): Iterable<IndexedTotals> {
    const checkpoint = tail.from;
    const stmt = this.#db
      .prepare<[], [number, string | null, number, Buffer]>(
        `SELECT r.account_num, a.id, r.first_seq, r.data FROM ledger_posting_runs r LEFT JOIN ledger_accounts a ON a.num = r.account_num
         ORDER BY r.account_num, r.first_seq`,
      )
      .raw();
    const seen = new Set<number>();
    let current: RunningTotals | undefined;
    for (const [num, id, firstSeq, data] of stmt.iterate()) {
      if (current !== undefined && current.key !== num) {
        yield withTail(current, tail, seen);
        current = undefined;
      }
      current ??= { key: num, accountId: id ?? undefined, debitsFen: 0, creditsFen: 0, entries: 0, lastSeq: 0 };
      addRun(current, firstSeq, data, checkpoint);
    }
    if (current !== undefined) yield withTail(current, tail, seen);
    for (const [num, t] of tail.accounts()) {
      if (!seen.has(num)) yield { key: num, accountId: t.id, debitsFen: t.debitsFen, creditsFen: t.creditsFen, entries: t.postings.length / QUAD };
    }
  }
}

type RunningTotals = IndexedTotals & { lastSeq: number };

/** Adds one stored run to an account's running totals, noting what is wrong with it. */
function addRun(current: RunningTotals, firstSeq: number, data: Buffer, checkpoint: number): void {
  const problem = (why: string): void => {
    (current.problems ??= []).push(why);
  };
  const q = decodeRun(firstSeq, data);
  if (typeof q === 'string') {
    problem(q);
    return;
  }
  if (firstSeq <= current.lastSeq) problem(`posting runs overlap at seq ${firstSeq}`);
  for (let k = 0; k < q.length; k += QUAD) {
    current.debitsFen += q[k + 1]!;
    current.creditsFen += q[k + 2]!;
    current.entries++;
  }
  current.lastSeq = q[q.length - QUAD]!;
  if (current.lastSeq > checkpoint) problem(`a posting run holds seq ${current.lastSeq}, after the checkpoint at ${checkpoint}`);
}

function withTail(x: RunningTotals, tail: Tail, seen: Set<number>): IndexedTotals {
  const t = tail.account(x.key);
  if (t !== undefined) seen.add(x.key);
  const out: IndexedTotals = {
    key: x.key,
    accountId: x.accountId,
    debitsFen: x.debitsFen + (t?.debitsFen ?? 0),
    creditsFen: x.creditsFen + (t?.creditsFen ?? 0),
    entries: x.entries + (t === undefined ? 0 : t.postings.length / QUAD),
  };
  if (x.problems !== undefined) out.problems = x.problems;
  return out;
}
