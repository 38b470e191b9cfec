// Errors of releases and rollouts (issue 13 section 3): one class, numeric
// codes 6300-6399, a stable string code and the HTTP status the API answers.
import { StatusError } from '../shared/status-error.js';

export const ROLLOUT_ERROR_CODES = {
  'release-unknown': 6300,
  'release-exists': 6301,
  'release-refused': 6302,
  'terminal-unknown': 6303,
  'terminal-in-rollout': 6304,
  'rollout-unknown': 6305,
  'rollout-halted': 6306,
  'canary-not-healthy': 6307,
  'rollout-not-canary': 6308,
  'no-terminals': 6309,
} as const;
export type RolloutErrorCode = keyof typeof ROLLOUT_ERROR_CODES;

const STATUS: Record<RolloutErrorCode, number> = {
  'release-unknown': 404,
  'release-exists': 409,
  'release-refused': 422,
  'terminal-unknown': 404,
  'terminal-in-rollout': 409,
  'rollout-unknown': 404,
  'rollout-halted': 409,
  'canary-not-healthy': 409,
  'rollout-not-canary': 409,
  'no-terminals': 422,
};

export class RolloutError extends StatusError<RolloutErrorCode> {
  override readonly name = 'RolloutError';
  constructor(code: RolloutErrorCode, message: string, field?: string, details?: unknown) {
    super(code, message, { numeric: ROLLOUT_ERROR_CODES, status: STATUS }, field, details);
  }
}

export function isRolloutError(error: unknown): error is RolloutError {
  return error instanceof RolloutError;
}
