// The generated payroll history (payroll-history.ts) is a ledger that
// verifies and a registry the payroll continues from; and a month's payroll
// writes no more pages with ten years of history than with one (issue 15
// section 5: "its cost must not grow with the ledger's history"), counted as
// pages SQLite writes to the WAL, per table, not timed; the ledger's account
// index is the exception still open, held to its bound. The first test runs
// on the run's engine (NONGBAO_TEST_DB), the page count on SQLite, whose
// pages it reads.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, type SqliteDatabase } from '../db.js';
import { openServerLedger } from '../sql/open.js';
import { openTestServerDatabase } from '../sql/test-db.js';
import { sqlEngine, type SqlDatabase } from '../sql/types.js';
import { LEDGER_CHECKPOINT_TRANSFERS, Ledger, SOURCES, personAccountId } from '../ledger/index.js';
import { addMonths, resolvePolicy } from '../policy/index.js';
import { createRegistry } from '../registry/index.js';
import { shanghaiMidnightMs } from '../registry/time.js';
import { createRuns } from './index.js';
import { HISTORY_ACCOUNT_PENSION_FEN, historyCitizenNumber, writePayrollHistory } from './payroll-history.js';

const THROUGH = '2024-12';
const NEXT = addMonths(THROUGH, 1);
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;
/** Pages a table may differ by between two histories: where its last page ends (1000s of pages would be one per recipient). */
const PAGES_SLACK = 3;
/** The ledger's per-account index (ledger/sqlite/ddl.ts). */
const ACCOUNT_INDEX = 'ledger_posting_runs';
/** An account's page in that index, and a quarter more for the pages B-tree splits add. */
const ACCOUNT_INDEX_PAGES_PER_ACCOUNT = 1.25;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** The registry, ledger and runs on `db`, holding the generated history. */
function stackOn<D extends SqlDatabase>(db: D, ledger: Ledger, options: { recipients: number; months: number }) {
  const policy = resolvePolicy('xinnongbao-2009');
  const clockMs = shanghaiMidnightMs(`${NEXT}-20`);
  const registry = createRegistry({ db, ledger, policy, schemeStart: '2009-07-01', now: () => clockMs });
  const history = writePayrollHistory(db, ledger, { recipients: options.recipients, months: options.months, throughMonth: THROUGH, policy, certifiedOn: '2024-11-15' });
  return { db, ledger, runs: createRuns(registry), history };
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-payroll-history-'));
  dirs.push(dir);
  return dir;
}

/** On SQLite, with the ledger's account-index checkpoint every `checkpointTransfers` transfers. */
function openSqliteStack(options: { recipients: number; months: number; checkpointTransfers: number }) {
  const path = join(tempDir(), 'server.sqlite');
  const db = openDatabase(path);
  return { path, ...stackOn(db, Ledger.openSqlite(db, { checkpointTransfers: options.checkpointTransfers }), options) };
}

/** Pages written to the WAL by `work`, by table or index (dbstat), with checkpoints held off so every write stays in the WAL. */
function pagesWrittenBy(db: SqliteDatabase, path: string, work: () => void): Map<string, number> {
  db.pragma('wal_checkpoint(TRUNCATE)');
  const autoCheckpoint = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  db.pragma('wal_autocheckpoint = 0');
  try {
    work();
  } finally {
    db.pragma(`wal_autocheckpoint = ${autoCheckpoint}`);
  }
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const owner = new Map((db.prepare('SELECT pageno, name FROM dbstat').all() as { pageno: number; name: string }[]).map((r) => [r.pageno, r.name]));
  const wal = readFileSync(`${path}-wal`);
  const pages = new Map<string, Set<number>>();
  for (let at = WAL_HEADER_BYTES; at + WAL_FRAME_HEADER_BYTES + pageSize <= wal.length; at += WAL_FRAME_HEADER_BYTES + pageSize) {
    const page = wal.readUInt32BE(at);
    const name = owner.get(page) ?? '(free)';
    if (!pages.has(name)) pages.set(name, new Set());
    pages.get(name)!.add(page);
  }
  return new Map([...pages].map(([name, set]) => [name, set.size]));
}

describe('the generated payroll history', () => {
  it('is a ledger that verifies and a registry the next payroll continues from', () => {
    const recipients = 40;
    const months = 24;
    const db = openTestServerDatabase(tempDir());
    // On SQLite, a small checkpoint interval so that the history's postings
    // reach the account index, which verify checks too (PostgreSQL keeps none).
    const ledger = sqlEngine(db) === 'sqlite' ? Ledger.openSqlite(db as SqliteDatabase, { checkpointTransfers: 100 }) : openServerLedger(db);
    const s = stackOn(db, ledger, { recipients, months });
    const holders = recipients / 2;
    // Per month: two draws per holder (individual and government, in proportion) and one pooled-fund transfer; and the funding.
    expect(s.history.transfers).toBe(holders * 2 + months * (holders * 2 + 1));
    const report = s.ledger.verify();
    expect(report.problems).toEqual([]);
    expect(report).toMatchObject({ ok: true, transfers: s.history.transfers });
    expect((s.db.prepare('SELECT COUNT(*) AS n FROM reg_payments').get() as { n: number }).n).toBe(recipients * months);
    const holder = historyCitizenNumber(1);
    const balances = s.ledger.balances(SOURCES.map((source) => personAccountId(holder, source)));
    expect(balances.reduce((sum, b) => sum + b.balanceFen, 0)).toBe(139_600 - months * HISTORY_ACCOUNT_PENSION_FEN);

    const summary = s.runs.payroll(NEXT);
    expect(summary).toMatchObject({ paidPersons: recipients, paidMonths: recipients, alreadyDecidedPersons: 0, conflicts: [] });
    expect(summary.fromAccountFen).toBe(holders * HISTORY_ACCOUNT_PENSION_FEN);
    expect(s.ledger.verify()).toMatchObject({ ok: true, transfers: s.history.transfers + summary.transfers.created });
    s.db.close();
  });

  it('costs a month of payroll the same pages with ten years of history as with one, but for the ledger account index', () => {
    const recipients = 500;
    // Checkpoints as often, for the recipients, as in a month of 1 000 000 (five a month; the payroll bench does the same).
    const checkpointTransfers = Math.round((LEDGER_CHECKPOINT_TRANSFERS * recipients) / 1_000_000);
    const written = [12, 120].map((months) => {
      const s = openSqliteStack({ recipients, months, checkpointTransfers });
      const pages = pagesWrittenBy(s.db, s.path, () => {
        expect(s.runs.payroll(NEXT).paidPersons).toBe(recipients);
      });
      s.db.close();
      return pages;
    });
    const [oneYear, tenYears] = written as [Map<string, number>, Map<string, number>];
    expect(oneYear.get('reg_payments')).toBeGreaterThan(0);
    expect(oneYear.get(ACCOUNT_INDEX)).toBeGreaterThan(0);
    // Every table and index the month writes: ten years may cost what one
    // year does, give or take the pages a B-tree's right edge happens to end on.
    const grown = [...tenYears].filter(([name, pages]) => name !== ACCOUNT_INDEX && pages > (oneYear.get(name) ?? 0) + PAGES_SLACK);
    expect(Object.fromEntries(grown.map(([name, pages]) => [name, `${oneYear.get(name) ?? 0} pages with one year, ${pages} with ten`]))).toEqual({});
    // Not yet the ledger's account index (posting runs keyed by account, then
    // seq): each month's checkpoint adds a run to every account the payroll
    // moved, in that account's page, so the pages written grow with the history
    // until each account fills a page of its own (76 pages with one year, 530
    // with ten, for 500 accounts). What holds is that bound: a page per account
    // moved (two sources per account holder) and the pages its splits add.
    const accountsMoved = (recipients / 2) * 2;
    expect(tenYears.get(ACCOUNT_INDEX)).toBeLessThanOrEqual(accountsMoved * ACCOUNT_INDEX_PAGES_PER_ACCOUNT);
  });
});
