// The payroll bench's child process (payroll.bench.ts): one engine's history,
// or its three timed months, in a process of its own, so that the peak RSS
// the process reports at its end (process.resourceUsage().maxRSS) is that
// work's alone: not the other engine's, and for the months not the history
// written before them. Started with fork(); takes one JSON argument (a
// WorkerTask) and sends one WorkerResult back over the IPC channel.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { LEDGER_CHECKPOINT_TRANSFERS, Ledger } from '../src/ledger/index.js';
import type { SqliteDatabase } from '../src/db.js';
import { addMonths, monthlyPension, resolvePolicy, type Month, type Policy } from '../src/policy/index.js';
import { createRegistry } from '../src/registry/index.js';
import { shanghaiMidnightMs } from '../src/registry/time.js';
import { createRuns } from '../src/runs/index.js';
import { HISTORY_ACCOUNT_PENSION_FEN, writePayrollHistory } from '../src/runs/payroll-history.js';
import { openServerDatabase, openServerLedger } from '../src/sql/open.js';
import { sqlEngine, type SqlDatabase } from '../src/sql/types.js';

export const FULL_RECIPIENTS = 1_000_000;
export const HISTORY_MONTHS = 120;
export const HISTORY_THROUGH: Month = '2024-12';
export const TIMED_MONTHS = 3;
const PAGE_KIB = 1024;

export interface WorkerTask {
  job: 'history' | 'months';
  /** A `--db` value (sql/open.ts): a SQLite file or a postgres:// URL. */
  db: string;
  recipients: number;
}

export interface TimedMonth {
  month: Month;
  seconds: number;
  userSeconds: number;
  systemSeconds: number;
  transfers: number;
}

export interface HistoryResult {
  job: 'history';
  seconds: number;
  transfers: number;
  payments: number;
  maxRssMb: number;
}

export interface MonthsResult {
  job: 'months';
  drySeconds: number;
  timed: TimedMonth[];
  maxRssMb: number;
  /** PostgreSQL: the peak RSS (VmHWM) of the backend that served this process's connection; shared buffers it touched count. */
  backendPeakMb?: number;
}

export type WorkerResult = HistoryResult | MonthsResult;

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / PAGE_KIB;
}

/**
 * The ledger on the bench's database. On SQLite the account index is
 * checkpointed every LEDGER_CHECKPOINT_TRANSFERS transfers, five times in a
 * month of 1 000 000 recipients: scaled with the recipients so that a smaller
 * run has the same shape (without it, a month of 10 000 would checkpoint once
 * in twenty months, never while timed). PostgreSQL keeps no such index.
 */
function openLedger(db: SqlDatabase, recipients: number): Ledger {
  if (sqlEngine(db) === 'postgres') return openServerLedger(db);
  const checkpointTransfers = Math.max(1, Math.round((LEDGER_CHECKPOINT_TRANSFERS * recipients) / FULL_RECIPIENTS));
  return Ledger.openSqlite(db as SqliteDatabase, { checkpointTransfers });
}

/** What a month pays everyone: the basic pension each, and the account pension to the holders (odd recipients). */
function expectedFen(recipients: number, month: Month, policy: Policy, firstMonth: Month): number {
  const basicFen = monthlyPension({ startMonth: firstMonth, basicFen: 0, topUpFen: 0, accountFen: 0 }, month, policy).basicFen;
  return recipients * basicFen + Math.floor(recipients / 2) * HISTORY_ACCOUNT_PENSION_FEN;
}

/** The peak RSS of this connection's PostgreSQL backend, from /proc (the bench's cluster runs on this machine). */
function backendPeakMb(db: SqlDatabase): number | undefined {
  const pid = (db.prepare('SELECT pg_backend_pid() AS pid').get() as { pid: number }).pid;
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return hwm ? Number(hwm[1]) / PAGE_KIB : undefined;
  } catch {
    return undefined;
  }
}

async function run(task: WorkerTask): Promise<WorkerResult> {
  const db = await openServerDatabase(task.db);
  const ledger = openLedger(db, task.recipients);
  const policy = resolvePolicy('xinnongbao-2009');
  let clockMs = shanghaiMidnightMs(`${addMonths(HISTORY_THROUGH, 1)}-20`); // the registry's clock; moved to each month before its payroll
  const registry = createRegistry({ db, ledger, policy, schemeStart: '2009-07-01', now: () => clockMs });
  try {
    if (task.job === 'history') return writeHistory(db, ledger, policy, task.recipients);
    const runs = createRuns(registry);
    const firstMonth = addMonths(HISTORY_THROUGH, 1 - HISTORY_MONTHS);
    // First a dry run of the first month, as an office previews a payroll before
    // running it (issue 14 "Runs"): it writes nothing, and the months timed after
    // it do not differ by the process's warm-up (code compiled, statements
    // prepared), which at the --quick size was a quarter of the first month.
    const dryStart = performance.now();
    const dry = runs.payroll(addMonths(HISTORY_THROUGH, 1), { dryRun: true });
    const drySeconds = (performance.now() - dryStart) / 1000;
    if (dry.paidPersons !== task.recipients) throw new Error(`bench: the dry run would pay ${dry.paidPersons} of ${task.recipients}`);
    const timed: TimedMonth[] = [];
    for (let k = 1; k <= TIMED_MONTHS; k++) {
      const month = addMonths(HISTORY_THROUGH, k);
      clockMs = shanghaiMidnightMs(`${month}-20`);
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      const summary = runs.payroll(month);
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const expected = expectedFen(task.recipients, month, policy, firstMonth);
      if (summary.paidPersons !== task.recipients || summary.totalFen !== expected) {
        throw new Error(`bench: ${month} paid ${summary.paidPersons} of ${task.recipients} persons, ${summary.totalFen} fen (expected ${expected})`);
      }
      timed.push({ month, seconds, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6, transfers: summary.transfers.created });
    }
    const result: MonthsResult = { job: 'months', drySeconds, timed, maxRssMb: maxRssMb() };
    const backend = sqlEngine(db) === 'postgres' ? backendPeakMb(db) : undefined;
    if (backend !== undefined) result.backendPeakMb = backend;
    return result;
  } finally {
    db.close();
  }
}

/** Ten years of history for the recipients, then made the past: on disk and, on PostgreSQL, vacuumed and analysed. */
function writeHistory(db: SqlDatabase, ledger: Ledger, policy: Policy, recipients: number): HistoryResult {
  const start = performance.now();
  // A certification within its validity for the timed months (POLICY.md "Proof of life").
  const history = writePayrollHistory(db, ledger, { recipients, months: HISTORY_MONTHS, throughMonth: HISTORY_THROUGH, policy, certifiedOn: '2024-11-15' });
  if (sqlEngine(db) === 'sqlite') {
    // The WAL's pages moved into the file and synced now, so the first month does not pay for writing them back.
    (db as SqliteDatabase).pragma('wal_checkpoint(TRUNCATE)');
  } else {
    // As a database that has lived ten years: its visibility map set and its
    // statistics current (autovacuum would otherwise do both during the timed
    // months), and its dirty buffers written by a checkpoint now.
    db.exec('VACUUM ANALYZE');
    db.exec('CHECKPOINT');
  }
  return { job: 'history', seconds: (performance.now() - start) / 1000, transfers: history.transfers, payments: history.payments, maxRssMb: maxRssMb() };
}

// Started as the child (fork runs this file), not imported by the bench for its types and constants.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const result = await run(JSON.parse(process.argv[2]!) as WorkerTask);
    process.send!(result, () => process.exit(0));
  } catch (error) {
    console.error(error);
    process.exit(1);
  }
}
