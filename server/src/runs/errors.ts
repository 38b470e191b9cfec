// Errors of the runs (issue 5 section 4): one class, numeric codes 6100-6199,
// a stable string code and the HTTP status the API answers with.
import { StatusError } from '../shared/status-error.js';

export const RUN_ERROR_CODES = {
  'invalid-run-parameter': 6100,
  'run-in-future': 6101,
  'previous-run-missing': 6102,
  'run-in-progress': 6103,
  // Issue 10 section 5: a payment would go to a person without a bank account.
  'bank-account-missing': 6104,
  'run-failed': 6190,
} as const;
export type RunErrorCode = keyof typeof RUN_ERROR_CODES;

const STATUS: Record<RunErrorCode, number> = {
  'invalid-run-parameter': 400,
  'run-in-future': 422,
  'previous-run-missing': 422,
  'run-in-progress': 409,
  'bank-account-missing': 422,
  'run-failed': 500,
};

export class RunError extends StatusError<RunErrorCode> {
  override readonly name = 'RunError';
  /** `details`: structured detail, e.g. the persons a refused payroll needs fixed. */
  constructor(code: RunErrorCode, message: string, field?: string, details?: unknown) {
    super(code, message, { numeric: RUN_ERROR_CODES, status: STATUS }, field, details);
  }
}

export function isRunError(error: unknown): error is RunError {
  return error instanceof RunError;
}
