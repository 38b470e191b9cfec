// Monthly payroll for 1 000 000 recipients (issue 5 section 7; issue 15
// section 5): at most 60 s, with the peak memory of the process running it.
// `--quick`: 10 000 recipients, the same shape, the target scaled.
//
// The cost must not grow with the ledger's history (issue 15 section 5), so
// the months are timed on a database that already holds ten years of
// payroll history for every recipient: 120 months of registry rows and
// ledger transfers, written directly by runs/payroll-history.ts (through
// Ledger#createTransfers, so the ledger is its own; payroll-history.test.ts
// verifies such a ledger). Then three consecutive monthly payrolls are timed;
// each month must stay within 10 % of the first, and the 60 s target is
// judged on the slowest month.
//
// Recipients: half get the basic pension only (their part is in each chunk's
// one pooled-fund transfer), half also an account pension drawn from two
// source accounts (two linked draws). Every recipient is certified and has no
// household binding to check.
//
// Baseline (same run, same database settings: WAL, synchronous=FULL): raw
// better-sqlite3 inserts of one row per recipient into a plain table, 1 000
// rows per transaction: what the cheapest possible "payroll" would cost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchMeasurement, BenchResult } from '../../cli/bench.js';
import { openDatabase, type SqliteDatabase } from '../src/db.js';
import { LEDGER_CHECKPOINT_TRANSFERS, Ledger } from '../src/ledger/index.js';
import { addMonths, monthlyPension, resolvePolicy, type Month, type Policy } from '../src/policy/index.js';
import { createRegistry } from '../src/registry/index.js';
import { shanghaiMidnightMs } from '../src/registry/time.js';
import { createRuns } from '../src/runs/index.js';
import { HISTORY_ACCOUNT_PENSION_FEN, historyCitizenNumber, writePayrollHistory } from '../src/runs/payroll-history.js';

const FULL_RECIPIENTS = 1_000_000;
const QUICK_RECIPIENTS = 10_000;
const TARGET_SECONDS = 60;
/** Each later month within this fraction of the first (issue 15 section 5). */
const MONTH_SPREAD_LIMIT = 0.1;
const HISTORY_MONTHS = 120;
const HISTORY_THROUGH: Month = '2024-12';
const TIMED_MONTHS = 3;
const BASELINE_ROWS_PER_TRANSACTION = 1_000;

function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * The database the bench runs on: the one place that knows the engine, so a
 * PostgreSQL run can be added beside it once the registry and runs work on
 * one (issue 15 section 2).
 */
function openBenchDatabase(dir: string, recipients: number): { db: SqliteDatabase; ledger: Ledger; engine: string } {
  const db = openDatabase(join(dir, 'server.sqlite'));
  // The ledger checkpoints its account index every LEDGER_CHECKPOINT_TRANSFERS
  // transfers: five times in a month of 1 000 000 recipients. Scaled with the
  // recipients, so that a smaller run has the same shape (without it, a month
  // of 10 000 would checkpoint once in twenty months, never while timed).
  const checkpointTransfers = Math.max(1, Math.round((LEDGER_CHECKPOINT_TRANSFERS * recipients) / FULL_RECIPIENTS));
  return { db, ledger: Ledger.openSqlite(db, { checkpointTransfers }), engine: 'SQLite' };
}

function rawInsertSeconds(dir: string, recipients: number): number {
  const rawDb = openDatabase(join(dir, 'raw.sqlite'));
  rawDb.exec('CREATE TABLE raw_payments (citizen_number TEXT PRIMARY KEY, month TEXT NOT NULL, amount_fen INTEGER NOT NULL) STRICT, WITHOUT ROWID');
  const rawInsert = rawDb.prepare('INSERT INTO raw_payments VALUES (?, ?, ?)');
  const rawBatch = rawDb.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) rawInsert.run(historyCitizenNumber(i), HISTORY_THROUGH, 5_500);
  });
  const start = performance.now();
  for (let i = 0; i < recipients; i += BASELINE_ROWS_PER_TRANSACTION) rawBatch(i, Math.min(i + BASELINE_ROWS_PER_TRANSACTION, recipients));
  const seconds = (performance.now() - start) / 1000;
  rawDb.close();
  return seconds;
}

/** What a month pays everyone: the basic pension each, and the account pension to the holders (odd recipients). */
function expectedFen(recipients: number, month: Month, policy: Policy, firstMonth: Month): number {
  const basicFen = monthlyPension({ startMonth: firstMonth, basicFen: 0, topUpFen: 0, accountFen: 0 }, month, policy).basicFen;
  return recipients * basicFen + Math.floor(recipients / 2) * HISTORY_ACCOUNT_PENSION_FEN;
}

interface TimedMonth {
  month: Month;
  seconds: number;
  userSeconds: number;
  systemSeconds: number;
  transfers: number;
}

export default async function payrollBench(ctx: { quick: boolean }): Promise<BenchResult> {
  return payrollBenchOf(ctx.quick ? QUICK_RECIPIENTS : FULL_RECIPIENTS, ctx.quick);
}

/** The bench for any number of recipients (the target scaled from 60 s per million): for a size between --quick and the full one. */
export async function payrollBenchOf(recipients: number, quick = recipients !== FULL_RECIPIENTS): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-payroll-bench-'));
  try {
    const rawSeconds = rawInsertSeconds(dir, recipients);

    // ---------------------------------------------------------------- ten years of history
    const { db, ledger, engine } = openBenchDatabase(dir, recipients);
    const policy = resolvePolicy('xinnongbao-2009');
    let clockMs = shanghaiMidnightMs(`${addMonths(HISTORY_THROUGH, 1)}-20`); // the registry's clock; moved to each month before its payroll
    const registry = createRegistry({ db, ledger, policy, schemeStart: '2009-07-01', now: () => clockMs });
    const runs = createRuns(registry);
    const setupStart = performance.now();
    // A certification within its validity for the timed months (POLICY.md "Proof of life").
    const history = writePayrollHistory(db, ledger, { recipients, months: HISTORY_MONTHS, throughMonth: HISTORY_THROUGH, policy, certifiedOn: '2024-11-15' });
    // The history is the past: its pages are moved from the WAL into the file and
    // synced now, so the first month does not pay for writing them back.
    db.pragma('wal_checkpoint(TRUNCATE)');
    const setupSeconds = (performance.now() - setupStart) / 1000;
    const maxRssSetupMb = maxRssMb();

    // ---------------------------------------------------------------- three months
    // First a dry run of the first month, as an office previews a payroll before
    // running it (issue 14 "Runs"): it writes nothing, and the months timed after
    // it do not differ by the process's warm-up (code compiled, statements
    // prepared), which at the --quick size was a quarter of the first month.
    clockMs = shanghaiMidnightMs(`${addMonths(HISTORY_THROUGH, 1)}-20`);
    const dryStart = performance.now();
    const dry = runs.payroll(addMonths(HISTORY_THROUGH, 1), { dryRun: true });
    const drySeconds = (performance.now() - dryStart) / 1000;
    if (dry.paidPersons !== recipients) throw new Error(`bench: the dry run would pay ${dry.paidPersons} of ${recipients}`);
    const timed: TimedMonth[] = [];
    for (let k = 1; k <= TIMED_MONTHS; k++) {
      const month = addMonths(HISTORY_THROUGH, k);
      clockMs = shanghaiMidnightMs(`${month}-20`);
      const cpuBefore = process.cpuUsage();
      const start = performance.now();
      const summary = runs.payroll(month);
      const seconds = (performance.now() - start) / 1000;
      const cpu = process.cpuUsage(cpuBefore);
      const expected = expectedFen(recipients, month, policy, history.firstMonth);
      if (summary.paidPersons !== recipients || summary.totalFen !== expected) {
        throw new Error(`bench: ${month} paid ${summary.paidPersons} of ${recipients} persons, ${summary.totalFen} fen (expected ${expected})`);
      }
      timed.push({ month, seconds, userSeconds: cpu.user / 1e6, systemSeconds: cpu.system / 1e6, transfers: summary.transfers.created });
    }
    const maxRssRunsMb = maxRssMb();
    db.close();

    const first = timed[0]!;
    const slowest = timed.reduce((a, b) => (b.seconds > a.seconds ? b : a));
    // Within 10 % either way: a month faster than the first counts as much as a slower one.
    const worstSpread = Math.max(...timed.map((t) => Math.abs(t.seconds / first.seconds - 1)));
    const scaledTarget = (TARGET_SECONDS * recipients) / FULL_RECIPIENTS;
    const perMonth: BenchMeasurement[] = timed.flatMap((t, i) => [
      { name: `${engine}: payroll ${t.month} (month ${i + 1} after ${HISTORY_MONTHS} months of history), ${recipients} recipients`, value: t.seconds, unit: 's' },
      { name: `${engine}: payroll ${t.month} / first month`, value: t.seconds / first.seconds, unit: 'x' },
      // Wall time minus these is time waiting (fsync, the disk, a busy machine).
      { name: `${engine}: payroll ${t.month} CPU time, user`, value: t.userSeconds, unit: 's' },
      { name: `${engine}: payroll ${t.month} CPU time, system`, value: t.systemSeconds, unit: 's' },
    ]);
    return {
      name: 'payroll',
      measurements: [
        ...perMonth,
        { name: `${engine}: slowest month (${slowest.month})`, value: slowest.seconds, unit: 's' },
        { name: `${engine}: recipients per second (slowest month)`, value: recipients / slowest.seconds, unit: 'recipients/s' },
        { name: `${engine}: ledger transfers created per month`, value: first.transfers, unit: 'transfers' },
        { name: `${engine}: slowest month / raw inserts`, value: slowest.seconds / rawSeconds, unit: 'x' },
        { name: `${engine}: dry run of ${first.month} before the months (not judged)`, value: drySeconds, unit: 's' },
        { name: 'peak RSS of the process after the history (setup)', value: maxRssSetupMb, unit: 'MB' },
        { name: 'peak RSS of the process after the three months', value: maxRssRunsMb, unit: 'MB' },
        { name: `history written: ${HISTORY_MONTHS} months, ${history.transfers} transfers, ${history.payments} payments (not part of the target)`, value: setupSeconds, unit: 's' },
      ],
      baselines: [{ name: `raw better-sqlite3 inserts, ${recipients} rows, ${BASELINE_ROWS_PER_TRANSACTION} per transaction`, value: rawSeconds, unit: 's' }],
      targets: [
        {
          description: quick
            ? `${engine}: slowest of three months, ${recipients} recipients <= ${scaledTarget.toFixed(2)} s (60 s per million, scaled)`
            : `${engine}: slowest of three months, 1 000 000 recipients <= ${TARGET_SECONDS} s`,
          met: slowest.seconds <= scaledTarget,
        },
        {
          description: `${engine}: each month within ${MONTH_SPREAD_LIMIT * 100} % of the first (worst ${(worstSpread * 100).toFixed(1)} %)`,
          met: worstSpread <= MONTH_SPREAD_LIMIT,
        },
      ],
      notes: [
        `ten years of history (${HISTORY_THROUGH} back ${HISTORY_MONTHS} months) written directly by runs/payroll-history.ts, through the ledger's createTransfers`,
        'half of the recipients draw an account pension from two sources (2 linked transfers), half get the basic pension only (in the chunk transfer)',
        'peak memory is process.resourceUsage().maxRSS of the bench process, which runs the server code; the history setup may set the peak',
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
