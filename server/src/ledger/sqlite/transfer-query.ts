// The SQLite store's transfer queries (Ledger#transfers): filters by code and
// time in SQL, and by account through the account index, paged by seq.
import type { Statement } from 'better-sqlite3';
import type { SqliteDatabase } from '../../db.js';
import type { StoredTransfer, TransferQueryParams } from '../store.js';
import { QUAD } from './posting-run.js';
import { T_TRANSFER_COLUMNS, toStoredTransfer, type TransferRow } from './rows.js';
import { AccountIndex } from './account-index.js';
import type { Tail } from './tail.js';

interface Filters {
  /** ' AND ...' for each filter given. */
  and: string;
  params: unknown[];
}

function filtersOf(query: TransferQueryParams): Filters {
  const filters: string[] = [];
  const params: unknown[] = [];
  if (query.code !== undefined) {
    filters.push('t.code = ?');
    params.push(query.code);
  }
  if (query.from !== undefined) {
    filters.push('t.at >= ?');
    params.push(query.from);
  }
  if (query.to !== undefined) {
    filters.push('t.at < ?');
    params.push(query.to);
  }
  return { and: filters.map((f) => ` AND ${f}`).join(''), params };
}

export class TransferQueries {
  readonly #db: SqliteDatabase;
  readonly #index: AccountIndex;
  /** One prepared statement per combination of filters (at most 32). */
  readonly #statements = new Map<string, Statement<unknown[], TransferRow>>();

  constructor(db: SqliteDatabase, index: AccountIndex) {
    this.#db = db;
    this.#index = index;
  }

  #statement(sql: string): Statement<unknown[], TransferRow> {
    let stmt = this.#statements.get(sql);
    if (stmt === undefined) {
      stmt = this.#db.prepare<unknown[], TransferRow>(sql).raw();
      this.#statements.set(sql, stmt);
    }
    return stmt;
  }

  /** Transfers after query.afterSeq in seq order, filtered, at most query.limit. */
  all(query: TransferQueryParams): StoredTransfer[] {
    const f = filtersOf(query);
    const sql = `SELECT ${T_TRANSFER_COLUMNS} FROM ledger_transfers t WHERE t.seq > ?${f.and} ORDER BY t.seq LIMIT ?`;
    return this.#statement(sql).all(query.afterSeq, ...f.params, query.limit).map(toStoredTransfer);
  }

  /**
   * The same for one account (number `num`, synced tail): up to the checkpoint
   * its posting runs in seq order give the candidate seqs, read a page of runs
   * at a time, so a page of a busy fund account reads only about that page;
   * after it, the tail's own list of the account's seqs. The transfers are
   * fetched by seq with the filters applied.
   */
  ofAccount(query: TransferQueryParams & { accountId: string }, num: number, tail: Tail): StoredTransfer[] {
    const f = filtersOf(query);
    const checkpoint = tail.from;
    const out: StoredTransfer[] = [];
    const bySeqs = this.#statement(`SELECT ${T_TRANSFER_COLUMNS} FROM ledger_transfers t WHERE t.seq IN (SELECT value FROM json_each(?))${f.and} ORDER BY t.seq LIMIT ?`);
    const pending: number[] = [];
    const flush = (): void => {
      if (pending.length > 0 && out.length < query.limit) {
        for (const r of bySeqs.all(JSON.stringify(pending), ...f.params, query.limit - out.length)) out.push(toStoredTransfer(r));
      }
      pending.length = 0;
    };
    const take = (firstSeq: number, data: Buffer): void => {
      const q = AccountIndex.decode(query.accountId, firstSeq, data);
      for (let k = 0; k < q.length; k += QUAD) {
        const seq = q[k]!;
        if (seq > query.afterSeq && seq <= checkpoint) pending.push(seq);
      }
    };
    if (query.afterSeq < checkpoint) {
      // The run that may hold seqs on both sides of afterSeq, then the runs after it.
      const straddling = this.#index.runAt(num, query.afterSeq);
      if (straddling !== undefined) take(straddling[0], straddling[1]);
      this.#index.forEachRunPage(num, query.afterSeq + 1, (runs) => {
        for (const [firstSeq, data] of runs) take(firstSeq, data);
        flush();
        return out.length < query.limit;
      });
    }
    const t = tail.account(num);
    if (out.length < query.limit && t !== undefined) {
      for (let k = 0; k < t.postings.length; k += QUAD) {
        const seq = t.postings[k]!;
        if (seq > query.afterSeq) pending.push(seq);
      }
      flush();
    }
    return out;
  }

  clear(): void {
    this.#statements.clear();
  }
}
