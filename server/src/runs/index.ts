// The runs (issue 5 section 4): yearly interest, monthly payroll with its
// bank payment file, death settlement, urban-pension findings. Each is
// idempotent (run key + derived transfer ids) and has a dry run that writes
// nothing. Built on the registry's context, so the runs, the office API and
// the kiosk gateway share one database, ledger and policy.
import type { Registry } from '../registry/index.js';
import { listRuns, type RunRecord } from './run-log.js';
import { bankFileLines } from './bank-file.js';
import { InterestRun, type InterestSummary } from './interest.js';
import { PayrollRun, type PayrollSummary } from './payroll.js';
import { SettlementRuns, type DeathSettlementSummary, type UrbanPensionSummary } from './settlements.js';

export interface Runs {
  interest(year: number, options?: { dryRun?: boolean }): InterestSummary;
  payroll(month: string, options?: { dryRun?: boolean }): PayrollSummary;
  deathSettlement(options?: { dryRun?: boolean }): DeathSettlementSummary;
  urbanPensionFindings(options?: { dryRun?: boolean }): UrbanPensionSummary;
  /** The bank payment file of a month's payroll, as CSV lines (CRLF), header first. */
  bankFile(month: string): Generator<string>;
  list(limit?: number): RunRecord[];
}

export function createRuns(registry: Registry): Runs {
  const ctx = registry.context;
  const interest = new InterestRun(ctx);
  const payroll = new PayrollRun(ctx, registry.recipients);
  const settlements = new SettlementRuns(ctx);
  return {
    interest: (year, options) => interest.run(year, options),
    payroll: (month, options) => payroll.run(month, options),
    deathSettlement: (options) => settlements.deathSettlement(options),
    urbanPensionFindings: (options) => settlements.urbanPensionFindings(options),
    bankFile: (month) => bankFileLines(ctx, month),
    list: (limit) => listRuns(ctx, limit),
  };
}

export { RunError, isRunError, RUN_ERROR_CODES, type RunErrorCode } from './errors.js';
export { BANK_FILE_HEADER, fenToYuanText } from './bank-file.js';
export { payrollRunKey, payrollTransferId, legacyPayrollTransferId, type PayrollIdPart, type PayrollSummary, type PayrollLine } from './payroll.js';
export { interestRunKey, type InterestSummary } from './interest.js';
export type { DeathSettlementSummary, DeathSettlementLine, UrbanPensionSummary, UrbanPensionLine } from './settlements.js';
export { RUN_CHUNK_PERSONS, type RunRecord, type TransferTally, type RunConflict } from './run-log.js';
