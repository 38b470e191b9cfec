// The PostgreSQL store's reads beyond a batch's: sums before a date, paged
// transfer queries, and the streamed scans verify walks. Scans page by key
// (seq, block number, account number), so they hold one page in memory and
// leave no cursor on the connection: verify interleaves two of them.
import type { PgDatabase } from '../../sql/pg-database.js';
import type { IndexedTotals, StoredAccount, StoredBlock, StoredTransfer, TransferQueryParams } from '../store.js';
import { ACCOUNT_COLUMNS, BLOCK_COLUMNS, TRANSFER_COLUMNS, toStoredAccount, toStoredBlock, toStoredTransfer } from './rows.js';

/** Rows per page of a scan: bounds what a scan holds (a transfer row is about 300 bytes as an object). */
export const SCAN_PAGE_ROWS = 5_000;
/** Account numbers per page of scanIndexedTotals (one grouped query over both account indexes per page). */
export const INDEX_SCAN_PAGE_ACCOUNTS = 10_000;

export function sumTransfers(db: PgDatabase, accountId: string, before: string | undefined): { debitsFen: number; creditsFen: number } {
  const at = before === undefined ? '' : ' AND t.at < @before';
  const sql = `SELECT
    (SELECT COALESCE(SUM(t.amount_fen), 0) FROM ledger_transfers t WHERE t.debit_num = a.num${at}) AS debits,
    (SELECT COALESCE(SUM(t.amount_fen), 0) FROM ledger_transfers t WHERE t.credit_num = a.num${at}) AS credits
    FROM ledger_accounts a WHERE a.id = @id`;
  const row = db.query(sql, [before === undefined ? { id: accountId } : { id: accountId, before }]).rows[0];
  return { debitsFen: (row?.debits as number | undefined) ?? 0, creditsFen: (row?.credits as number | undefined) ?? 0 };
}

/**
 * Transfers after afterSeq matching the filters, in seq order. By account: the
 * first `limit` of each side from its own index, merged, so a page costs about
 * a page however long the account's history (an account is never on both
 * sides of one transfer: validate.ts).
 */
export function queryTransfers(db: PgDatabase, query: TransferQueryParams): StoredTransfer[] {
  const params: Record<string, unknown> = { after: query.afterSeq, limit: query.limit };
  let and = '';
  if (query.code !== undefined) {
    and += ' AND t.code = @code';
    params.code = query.code;
  }
  if (query.from !== undefined) {
    and += ' AND t.at >= @from';
    params.from = query.from;
  }
  if (query.to !== undefined) {
    and += ' AND t.at < @to';
    params.to = query.to;
  }
  const columns = TRANSFER_COLUMNS.split(', ').map((c) => `t.${c}`).join(', ');
  let sql: string;
  if (query.accountId === undefined) {
    sql = `SELECT ${columns} FROM ledger_transfers t WHERE t.seq > @after${and} ORDER BY t.seq LIMIT @limit`;
  } else {
    params.account = query.accountId;
    const side = (column: string): string =>
      `(SELECT ${columns} FROM ledger_transfers t WHERE t.${column} = (SELECT num FROM ledger_accounts WHERE id = @account) AND t.seq > @after${and} ORDER BY t.seq LIMIT @limit)`;
    sql = `SELECT * FROM (${side('debit_num')} UNION ALL ${side('credit_num')}) x ORDER BY x.seq LIMIT @limit`;
  }
  return db.query(sql, [params]).rows.map(toStoredTransfer);
}

export function* scanTransfers(db: PgDatabase): Iterable<StoredTransfer> {
  const sql = `SELECT ${TRANSFER_COLUMNS} FROM ledger_transfers WHERE seq > ? ORDER BY seq LIMIT ${SCAN_PAGE_ROWS}`;
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = db.query(sql, [after]).rows;
    for (const r of rows) yield toStoredTransfer(r);
    if (rows.length < SCAN_PAGE_ROWS) return;
    after = rows[rows.length - 1]!.seq as number;
  }
}

export function* scanBlocks(db: PgDatabase): Iterable<StoredBlock> {
  const sql = `SELECT ${BLOCK_COLUMNS} FROM ledger_blocks WHERE num > ? ORDER BY num LIMIT ${SCAN_PAGE_ROWS}`;
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = db.query(sql, [after]).rows;
    for (const r of rows) yield toStoredBlock(r);
    if (rows.length < SCAN_PAGE_ROWS) return;
    after = rows[rows.length - 1]!.num as number;
  }
}

export function* scanAccounts(db: PgDatabase): Iterable<StoredAccount> {
  const sql = `SELECT ${ACCOUNT_COLUMNS} FROM ledger_accounts WHERE num > ? ORDER BY num LIMIT ${SCAN_PAGE_ROWS}`;
  for (let after = Number.MIN_SAFE_INTEGER; ; ) {
    const rows = db.query(sql, [after]).rows;
    for (const r of rows) yield toStoredAccount(r);
    if (rows.length < SCAN_PAGE_ROWS) return;
    after = rows[rows.length - 1]!.num as number;
  }
}

/**
 * What the two account indexes (ddl.ts) hold, per account number: the sums
 * and counts of the transfers filed under it on each side, by account number
 * ranges. A transfer whose number was changed to another account's shows as a
 * mismatch of both; one filed under a number the chart does not hold, as an
 * unknown account.
 */
export function* scanIndexedTotals(db: PgDatabase): Iterable<IndexedTotals> {
  const range = db.query('SELECT LEAST((SELECT min(debit_num) FROM ledger_transfers), (SELECT min(credit_num) FROM ledger_transfers)) AS lo, GREATEST((SELECT max(debit_num) FROM ledger_transfers), (SELECT max(credit_num) FROM ledger_transfers)) AS hi', []).rows[0];
  if (range?.lo === null || range?.lo === undefined) return;
  const sql = `SELECT x.num, a.id, SUM(x.dr) AS dr, SUM(x.cr) AS cr, SUM(x.n) AS n FROM (
      SELECT debit_num AS num, SUM(amount_fen) AS dr, 0 AS cr, count(*) AS n FROM ledger_transfers WHERE debit_num >= @lo AND debit_num < @hi GROUP BY debit_num
      UNION ALL
      SELECT credit_num AS num, 0 AS dr, SUM(amount_fen) AS cr, count(*) AS n FROM ledger_transfers WHERE credit_num >= @lo AND credit_num < @hi GROUP BY credit_num
    ) x LEFT JOIN ledger_accounts a ON a.num = x.num GROUP BY x.num, a.id ORDER BY x.num`;
  for (let lo = range.lo as number; lo <= (range.hi as number); lo += INDEX_SCAN_PAGE_ACCOUNTS) {
    for (const r of db.query(sql, [{ lo, hi: lo + INDEX_SCAN_PAGE_ACCOUNTS }]).rows) {
      yield { accountId: (r.id as string | null) ?? undefined, key: r.num as number, debitsFen: r.dr as number, creditsFen: r.cr as number, entries: r.n as number };
    }
  }
}
