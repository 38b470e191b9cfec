// The run log and the machinery every run shares (issue 5 section 4):
// - a run key (`payroll:2024-05`, `interest:2023`, ...) recorded in reg_runs;
// - work done in chunks, each chunk one SQLite transaction (ledger transfers
//   and registry rows commit together), so a crash leaves whole chunks and a
//   re-run continues where it stopped;
// - a dry run does the same work inside one transaction that is always rolled
//   back: it reports exactly what a real run would do and writes nothing.
import type { TransferInput, TransferResult } from '../ledger/index.js';
import { MAX_BATCH_TRANSFERS } from '../ledger/index.js';
import type { RegistryContext } from '../registry/context.js';
import { RunError } from './errors.js';

/**
 * Persons per chunk (one transaction). Larger chunks cost fewer commits (fsync,
 * WAL checkpoints) and fewer per-chunk statements (issue 5 section 7: the
 * payroll of 1 000 000 took 59.1 s at 5 000 and 49.8 / 51.7 s at 15 000; the
 * 50 000 one 3.06 s at 1 500, 2.77 s at 5 000, 2.74 s at 15 000). The price: a
 * chunk holds the database's write lock while it runs (about 0.75 s at 15 000,
 * well under db.ts's 5 s busy timeout), a crash redoes at most one chunk, and
 * the payroll's peak RSS is about 50 MB higher. submitTransfers splits a
 * chunk's transfers into batches under the ledger's limit (MAX_BATCH_TRANSFERS).
 */
export const RUN_CHUNK_PERSONS = 15_000;
/** Lines of detail a run's summary lists; the rest are counted (the bank file has every line). */
export const RUN_SUMMARY_LINES_LIMIT = 1_000;
/** Conflicting transfers a summary lists. */
export const RUN_CONFLICTS_LIMIT = 100;
/** Citizen numbers a payroll refused for missing bank accounts lists (the count says how many in all). */
export const RUN_MISSING_BANK_ACCOUNTS_LISTED = 100;

/**
 * Where a real run stands, for the console's progress bar (issue 14 "Runs": a
 * real run "shows a progress bar and can be watched from another browser").
 * A run reports each phase with the persons it will look at (null when not
 * counted beforehand) and advances as each chunk commits.
 */
export interface RunProgressSink {
  phase(name: RunPhase, totalPersons: number | null): void;
  advance(persons: number): void;
}
export type RunPhase = 'starting-pensions' | 'checking-bank-accounts' | 'paying' | 'crediting-interest' | 'settling';

export const NO_PROGRESS: RunProgressSink = { phase: () => undefined, advance: () => undefined };

export interface TransferTally {
  created: number;
  exists: number;
}

export interface RunConflict {
  citizenNumber: string;
  transferId: string;
  result: string;
}

/**
 * A run as steps: the generator does one chunk (one transaction) per step and
 * yields between chunks, never inside a transaction. drain() runs every step at
 * once (the CLI, the demo's seed, the benches); drainInTurns() gives the event
 * loop a turn between steps, so a server running a payroll over HTTP still
 * answers the kiosks and other requests while it runs.
 */
export type RunSteps<T> = Generator<void, T, void>;

export function drain<T>(steps: RunSteps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

export async function drainInTurns<T>(steps: RunSteps<T>): Promise<T> {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    // setImmediate runs after the poll phase: pending I/O (requests, sockets) is served first.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

const DRY_RUN_ROLLBACK = Symbol('dry-run rollback');

/** Runs `work` for real, or inside a transaction rolled back at the end (dry run). */
export function withDryRun<T>(ctx: RegistryContext, dryRun: boolean, work: () => T): T {
  if (!dryRun) return work();
  let result: T | undefined;
  try {
    ctx.db.transaction(() => {
      result = work();
      throw DRY_RUN_ROLLBACK;
    })();
  } catch (error) {
    if (error !== DRY_RUN_ROLLBACK) throw error;
  }
  return result as T;
}

/**
 * A run's steps for real, or (dry run) all of them at once inside withDryRun's
 * rolled-back transaction: a dry run never yields, since it must not give the
 * event loop a turn inside its transaction.
 */
export function* stepsWithDryRun<T>(ctx: RegistryContext, dryRun: boolean, steps: () => RunSteps<T>): RunSteps<T> {
  if (dryRun) return withDryRun(ctx, true, () => drain(steps()));
  return yield* steps();
}

/** Submits transfers in batches within the current transaction; counts created/exists. */
export function submitTransfers(ctx: RegistryContext, transfers: TransferInput[], tally: TransferTally): TransferResult[] {
  const all: TransferResult[] = [];
  let i = 0;
  while (i < transfers.length) {
    // A batch must not split a linked chain: end it after a chain's last transfer.
    let end = Math.min(i + MAX_BATCH_TRANSFERS, transfers.length);
    while (end < transfers.length && end > i && transfers[end - 1]!.linked) end -= 1;
    if (end === i) throw new RunError('run-failed', 'a linked chain longer than the ledger batch limit');
    const results = ctx.ledger.createTransfers(transfers.slice(i, end));
    for (const r of results) {
      if (r.result === 'created') tally.created += 1;
      else if (r.result === 'exists') tally.exists += 1;
    }
    all.push(...results);
    i = end;
  }
  return all;
}

export function recordRunStart(ctx: RegistryContext, runKey: string, kind: string): void {
  ctx.db
    .prepare('INSERT OR IGNORE INTO reg_runs (run_key, kind, started_at) VALUES (?, ?, ?)')
    .run(runKey, kind, new Date(ctx.now()).toISOString());
}

export function recordRunEnd(ctx: RegistryContext, runKey: string, summary: unknown): void {
  ctx.db
    .prepare('UPDATE reg_runs SET finished_at = ?, summary_json = ? WHERE run_key = ?')
    .run(new Date(ctx.now()).toISOString(), JSON.stringify(summary), runKey);
}

export interface RunRecord {
  runKey: string;
  kind: string;
  startedAt: string;
  finishedAt: string | null;
  summary: unknown;
}

export function listRuns(ctx: RegistryContext, limit = 100): RunRecord[] {
  const rows = ctx.db.prepare('SELECT * FROM reg_runs ORDER BY started_at DESC LIMIT ?').all(Math.min(limit, 1000)) as {
    run_key: string;
    kind: string;
    started_at: string;
    finished_at: string | null;
    summary_json: string | null;
  }[];
  return rows.map((r) => ({
    runKey: r.run_key,
    kind: r.kind,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    summary: r.summary_json ? JSON.parse(r.summary_json) : null,
  }));
}
