// Monthly payroll for 1 000 000 recipients on both engines (issue 5 section
// 7; issue 15 section 5): at most 60 s on SQLite; on PostgreSQL the time is
// reported (no target), with the peak memory of the process running it.
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
// Each engine's history and its months run in child processes of their own
// (payroll-worker.ts), one after the other, so that each reports its own
// peak RSS: the months' process opens the database the history's process
// left, as a server started on a county's database would. PostgreSQL runs in
// a throwaway cluster this bench starts and stops (initdb + pg_ctl, fsync
// and synchronous_commit on, as SQLite's synchronous=FULL), over TCP on
// 127.0.0.1.
//
// Recipients: half get the basic pension only (their part is in each chunk's
// one pooled-fund transfer), half also an account pension drawn from two
// source accounts (two linked draws). Every recipient is certified and has no
// household binding to check.
//
// Baseline (same run, same database settings: WAL, synchronous=FULL): raw
// better-sqlite3 inserts of one row per recipient into a plain table, 1 000
// rows per transaction: what the cheapest possible "payroll" would cost.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchMeasurement, BenchResult, BenchTarget } from '../../cli/bench.js';
import { openDatabase } from '../src/db.js';
import { historyCitizenNumber } from '../src/runs/payroll-history.js';
import { startPgCluster } from '../src/sql/pg-cluster.js';
import { PgDatabase } from '../src/sql/pg-database.js';
import { FULL_RECIPIENTS, HISTORY_MONTHS, HISTORY_THROUGH, type HistoryResult, type MonthsResult, type WorkerResult, type WorkerTask } from './payroll-worker.js';

const QUICK_RECIPIENTS = 10_000;
const TARGET_SECONDS = 60;
/** Each later month within this fraction of the first (issue 15 section 5). */
const MONTH_SPREAD_LIMIT = 0.1;
const BASELINE_ROWS_PER_TRANSACTION = 1_000;
const WORKER = join(import.meta.dirname, 'payroll-worker.ts');
/** The child's V8 settings: the server's (bin/nongbao.mjs), and tsx's loader for the TypeScript sources. */
const WORKER_EXEC_ARGV = ['--max-semi-space-size=32', '--import', 'tsx'];

type Engine = 'SQLite' | 'PostgreSQL';

interface EngineRun {
  engine: Engine;
  recipients: number;
  history: HistoryResult;
  months: MonthsResult;
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

/** Runs one job in a child process (payroll-worker.ts) and returns what it sends back. */
function inChild<R extends WorkerResult>(task: WorkerTask): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [JSON.stringify(task)], { execArgv: WORKER_EXEC_ARGV, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let result: R | undefined;
    child.on('message', (message) => (result = message as R));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === 0 && result !== undefined) resolve(result);
      else reject(new Error(`bench: the ${task.job} child for ${task.db} ended with ${code ?? signal} and no result`));
    });
  });
}

async function runEngine(engine: Engine, db: string, recipients: number): Promise<EngineRun> {
  console.error(`payroll bench: ${engine}, ${recipients} recipients: writing ${HISTORY_MONTHS} months of history`);
  const history = await inChild<HistoryResult>({ job: 'history', db, recipients });
  console.error(`payroll bench: ${engine}: history written in ${history.seconds.toFixed(1)} s; the months`);
  const months = await inChild<MonthsResult>({ job: 'months', db, recipients });
  return { engine, recipients, history, months };
}

/** PostgreSQL's run in a throwaway cluster, stopped and removed whatever happens; its server version for the notes. */
async function runPostgres(recipients: number): Promise<{ run: EngineRun; version: string }> {
  // Directly under the temp folder: as root, the postgres user must be able to enter it.
  const cluster = await startPgCluster({ dataDir: mkdtempSync(join(tmpdir(), 'nongbao-payroll-pg-bench-')), removeOnStop: true });
  try {
    const admin = new PgDatabase(cluster.url());
    const version = String(admin.query('SHOW server_version', []).rows[0]?.server_version ?? '');
    admin.close();
    return { run: await runEngine('PostgreSQL', cluster.createDatabase('payroll'), recipients), version };
  } finally {
    cluster.stop();
  }
}

export default async function payrollBench(ctx: { quick: boolean }): Promise<BenchResult> {
  return payrollBenchOf(ctx.quick ? QUICK_RECIPIENTS : FULL_RECIPIENTS, ctx.quick);
}

/**
 * The bench for any number of recipients (the target scaled from 60 s per
 * million): for a size between --quick and the full one. `pgRecipients`
 * (default: the same) for a smaller PostgreSQL run where the same size would
 * take too long.
 */
export async function payrollBenchOf(recipients: number, quick = recipients !== FULL_RECIPIENTS, pgRecipients = recipients): Promise<BenchResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nongbao-payroll-bench-'));
  try {
    const rawSeconds = rawInsertSeconds(dir, recipients);
    const sqlite = await runEngine('SQLite', join(dir, 'server.sqlite'), recipients);
    const pg = await runPostgres(pgRecipients);
    return report(sqlite, pg.run, rawSeconds, quick, pg.version);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function slowestOf(run: EngineRun): MonthsResult['timed'][number] {
  return run.months.timed.reduce((a, b) => (b.seconds > a.seconds ? b : a));
}

/** Within 10 % either way: a month faster than the first counts as much as a slower one. */
function worstSpread(run: EngineRun): number {
  const first = run.months.timed[0]!;
  return Math.max(...run.months.timed.map((t) => Math.abs(t.seconds / first.seconds - 1)));
}

function engineMeasurements(run: EngineRun): BenchMeasurement[] {
  const { engine, recipients, months, history } = run;
  const first = months.timed[0]!;
  const slowest = slowestOf(run);
  const perMonth: BenchMeasurement[] = months.timed.flatMap((t, i) => [
    { name: `${engine}: payroll ${t.month} (month ${i + 1} after ${HISTORY_MONTHS} months of history), ${recipients} recipients`, value: t.seconds, unit: 's' },
    { name: `${engine}: payroll ${t.month} / first month`, value: t.seconds / first.seconds, unit: 'x' },
    // Wall time minus these is time waiting (fsync, the disk, the database server, a busy machine).
    { name: `${engine}: payroll ${t.month} CPU time of the payroll process, user`, value: t.userSeconds, unit: 's' },
    { name: `${engine}: payroll ${t.month} CPU time of the payroll process, system`, value: t.systemSeconds, unit: 's' },
  ]);
  const out: BenchMeasurement[] = [
    ...perMonth,
    { name: `${engine}: slowest month (${slowest.month})`, value: slowest.seconds, unit: 's' },
    { name: `${engine}: worst month against the first (either way)`, value: 100 * worstSpread(run), unit: '%' },
    { name: `${engine}: recipients per second (slowest month)`, value: recipients / slowest.seconds, unit: 'recipients/s' },
    { name: `${engine}: ledger transfers created per month`, value: first.transfers, unit: 'transfers' },
    { name: `${engine}: dry run of ${first.month} before the months (not judged)`, value: months.drySeconds, unit: 's' },
    { name: `${engine}: peak RSS of the payroll process (dry run + three months, a child of its own)`, value: months.maxRssMb, unit: 'MB' },
  ];
  if (months.backendPeakMb !== undefined) out.push({ name: `${engine}: peak RSS of the PostgreSQL backend serving the payroll (VmHWM, shared buffers touched included)`, value: months.backendPeakMb, unit: 'MB' });
  out.push(
    { name: `${engine}: peak RSS of the history process (not judged)`, value: history.maxRssMb, unit: 'MB' },
    { name: `${engine}: history written: ${HISTORY_MONTHS} months, ${history.transfers} transfers, ${history.payments} payments (not part of the target)`, value: history.seconds, unit: 's' },
  );
  return out;
}

function report(sqlite: EngineRun, pg: EngineRun, rawSeconds: number, quick: boolean, pgVersion: string): BenchResult {
  const recipients = sqlite.recipients;
  const scaledTarget = (TARGET_SECONDS * recipients) / FULL_RECIPIENTS;
  const sqliteSlowest = slowestOf(sqlite);
  const comparison: BenchMeasurement[] =
    pg.recipients === recipients
      ? [
          { name: `PostgreSQL / SQLite, slowest month, ${recipients} recipients`, value: slowestOf(pg).seconds / sqliteSlowest.seconds, unit: 'x' },
          ...pg.months.timed.map((t, i) => ({ name: `PostgreSQL / SQLite, ${t.month}`, value: t.seconds / sqlite.months.timed[i]!.seconds, unit: 'x' })),
        ]
      : [];
  const targets: BenchTarget[] = [
    {
      description: quick
        ? `SQLite: slowest of three months, ${recipients} recipients <= ${scaledTarget.toFixed(2)} s (60 s per million, scaled)`
        : `SQLite: slowest of three months, 1 000 000 recipients <= ${TARGET_SECONDS} s`,
      met: sqliteSlowest.seconds <= scaledTarget,
    },
    {
      description: `SQLite: each month within ${MONTH_SPREAD_LIMIT * 100} % of the first (worst ${(worstSpread(sqlite) * 100).toFixed(1)} %)`,
      met: worstSpread(sqlite) <= MONTH_SPREAD_LIMIT,
    },
  ];
  return {
    name: 'payroll',
    measurements: [
      ...engineMeasurements(sqlite),
      { name: 'SQLite: slowest month / raw inserts', value: sqliteSlowest.seconds / rawSeconds, unit: 'x' },
      ...engineMeasurements(pg),
      ...comparison,
    ],
    baselines: [{ name: `raw better-sqlite3 inserts, ${recipients} rows, ${BASELINE_ROWS_PER_TRANSACTION} per transaction`, value: rawSeconds, unit: 's' }],
    targets,
    notes: [
      `ten years of history (${HISTORY_THROUGH} back ${HISTORY_MONTHS} months) written directly by runs/payroll-history.ts, through the ledger's createTransfers`,
      'half of the recipients draw an account pension from two sources (2 linked transfers), half get the basic pension only (in the chunk transfer)',
      'peak memory: process.resourceUsage().maxRSS at the end of the child process (payroll-worker.ts) that ran the dry run and the three months, which runs the server code; the history is written by another child before it',
      `PostgreSQL ${pgVersion}: a throwaway cluster on 127.0.0.1 (TCP), fsync=on, synchronous_commit=on, default settings otherwise; VACUUM ANALYZE and CHECKPOINT after the history; ${pg.recipients} recipients${pg.recipients === recipients ? ', as on SQLite' : `, fewer than SQLite's ${recipients}: no same-size ratio`}; no target (issue 15 section 5 asks for a report)`,
      "the payroll process's CPU times do not include PostgreSQL's: its backend is another process",
    ],
  };
}
