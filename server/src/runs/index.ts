// The runs (issue 5 section 4): yearly interest, monthly payroll with its
// bank payment file, death settlement, urban-pension findings. Each is
// idempotent (run key + derived transfer ids) and has a dry run that writes
// nothing. Built on the registry's context, so the runs, the office API and
// the kiosk gateway share one database, ledger and policy.
import { tryDatabaseLock } from '../sql/locks.js';
import type { Registry } from '../registry/index.js';
import { RunError } from './errors.js';
import { listRuns, type RunRecord } from './run-log.js';
import { bankFileLines } from './bank-file.js';
import { InterestRun, interestRunKey, type InterestSummary } from './interest.js';
import { PayrollRun, payrollRunKey, type PayrollSummary } from './payroll.js';
import { SettlementRuns, type DeathSettlementSummary, type UrbanPensionSummary } from './settlements.js';
import { RunProgressBoard, type RunProgress } from './progress.js';
import type { RunProgressSink } from './run-log.js';

/** A run's options: a dry run (writes nothing), and who started a real one (the progress shows it). */
export interface RunOptions {
  dryRun?: boolean;
  startedBy?: string;
}

export interface Runs {
  interest(year: number, options?: { dryRun?: boolean }): InterestSummary;
  payroll(month: string, options?: { dryRun?: boolean }): PayrollSummary;
  /**
   * The same runs, giving the event loop a turn after each chunk: what a
   * server calls, so that kiosks and other requests are answered while a
   * payroll of a million runs. A dry run is one transaction and runs in one go.
   */
  interestInTurns(year: number, options?: RunOptions): Promise<InterestSummary>;
  payrollInTurns(month: string, options?: RunOptions): Promise<PayrollSummary>;
  /** The real run in progress and the last one to end (issue 14: a progress bar any browser can watch). */
  progress(): { running: RunProgress | null; last: RunProgress | null };
  deathSettlement(options?: { dryRun?: boolean }): DeathSettlementSummary;
  urbanPensionFindings(options?: { dryRun?: boolean }): UrbanPensionSummary;
  /** The bank payment file of a month's payroll, as CSV lines (CRLF), header first. */
  bankFile(month: string): Generator<string>;
  list(limit?: number): RunRecord[];
}

export interface RunsOptions {
  /** Persons per chunk (one transaction); RUN_CHUNK_PERSONS unless a test wants many chunks. */
  chunkPersons?: number;
}

/**
 * One run at a time: while a run started in turns is between two chunks, any
 * other run is refused with `run-in-progress` (HTTP 409) rather than
 * interleaved with it.
 */
/** The database lock one run holds among every server process (sql/locks.ts). */
const RUN_LOCK_NAME = 'nongbao-run';

export function createRuns(registry: Registry, options: RunsOptions = {}): Runs {
  const ctx = registry.context;
  const interest = new InterestRun(ctx, options.chunkPersons);
  const payroll = new PayrollRun(ctx, registry.recipients, options.chunkPersons);
  const settlements = new SettlementRuns(ctx);
  let running: string | undefined;
  let releaseLock: (() => void) | undefined;
  const claim = (name: string): void => {
    if (running !== undefined) throw new RunError('run-in-progress', `the ${running} run is in progress; start the ${name} run when it has ended`);
    // Several server processes on one PostgreSQL database (issue 15): one run among all of them.
    const release = tryDatabaseLock(ctx.db, RUN_LOCK_NAME);
    if (!release) throw new RunError('run-in-progress', `another server process is running a run; start the ${name} run when it has ended`);
    running = name;
    releaseLock = release;
  };
  const unclaim = (): void => {
    running = undefined;
    releaseLock?.();
    releaseLock = undefined;
  };
  const exclusive = <T>(name: string, work: () => T): T => {
    claim(name);
    try {
      return work();
    } finally {
      unclaim();
    }
  };
  const board = new RunProgressBoard(ctx.now);
  /** A run in turns; a real one is tracked on the board from its claim to its end. */
  const exclusiveInTurns = async <T>(name: string, runKey: string, options: RunOptions, work: (progress: RunProgressSink | undefined) => Promise<T>): Promise<T> => {
    claim(name);
    const progress = options.dryRun === true ? undefined : board.start(name, runKey, options.startedBy ?? null);
    try {
      const result = await work(progress);
      if (progress) board.end();
      return result;
    } catch (error) {
      if (progress) board.end(error);
      throw error;
    } finally {
      unclaim();
    }
  };
  return {
    interest: (year, o) => exclusive('interest', () => interest.run(year, o)),
    payroll: (month, o) => exclusive('payroll', () => payroll.run(month, o)),
    interestInTurns: (year, o = {}) => exclusiveInTurns('interest', interestRunKey(year), o, (progress) => interest.runInTurns(year, o, progress)),
    payrollInTurns: (month, o = {}) => exclusiveInTurns('payroll', payrollRunKey(month), o, (progress) => payroll.runInTurns(month, o, progress)),
    progress: () => board.snapshot(),
    deathSettlement: (o) => exclusive('death-settlement', () => settlements.deathSettlement(o)),
    urbanPensionFindings: (o) => exclusive('urban-pension', () => settlements.urbanPensionFindings(o)),
    bankFile: (month) => bankFileLines(ctx, month),
    list: (limit) => listRuns(ctx, limit),
  };
}

export { RunError, isRunError, RUN_ERROR_CODES, type RunErrorCode } from './errors.js';
export { BANK_FILE_HEADER, BANK_FILE_COLUMNS } from './bank-file.js';
export { payrollRunKey, payrollTransferId, legacyPayrollTransferId, type PayrollIdPart, type PayrollSummary, type PayrollLine } from './payroll.js';
export { interestRunKey, type InterestSummary } from './interest.js';
export type { DeathSettlementSummary, DeathSettlementLine, UrbanPensionSummary, UrbanPensionLine } from './settlements.js';
export type { RunProgress } from './progress.js';
export type { RunPhase } from './run-log.js';
export { RUN_CHUNK_PERSONS, type RunRecord, type TransferTally, type RunConflict } from './run-log.js';
