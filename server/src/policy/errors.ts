// Errors of the policy engine: one class, numeric codes 5100-5199, predicates
// (CONVENTIONS.md "Logs, errors, limits"). A rule saying "no" (a refused
// contribution, an ineligible person) is not an error: it is a result value
// (`ContributionRefusal`, `EnrolmentRefusal`). These errors are for inputs the
// engine cannot work with at all; callers branch on `code`, never on `message`.

export const PolicyErrorCode = {
  /** An amount is not a non-negative safe integer number of fen (POLICY "Money and dates"). */
  InvalidAmount: 5101,
  /** A rate is neither a decimal string like "0.0225" nor integer basis points. */
  InvalidRate: 5102,
  /** A date is not a real YYYY-MM-DD calendar date, or a month not YYYY-MM. */
  InvalidDate: 5103,
  /** A citizen number fails GB 11643 (format, birth date or check digit). */
  InvalidCitizenNumber: 5104,
  /** The registry's birth date disagrees with the one in the citizen number. */
  BirthDateMismatch: 5105,
  /** No preset of that name. */
  UnknownPreset: 5106,
  /** Policy settings or overrides fail their schema. */
  InvalidSettings: 5107,
  /** A scenario fails its schema (bad JSON, wrong or missing field). */
  InvalidScenario: 5110,
  /** An argument breaks a function's documented precondition. */
  InvalidArgument: 5120,
} as const;

export type PolicyErrorCode = (typeof PolicyErrorCode)[keyof typeof PolicyErrorCode];

/** One problem found in structured input, with the field's path (`events[2].tier`). */
export interface FieldIssue {
  path: string;
  message: string;
}

export class PolicyError extends Error {
  override readonly name: string = 'PolicyError';
  constructor(
    readonly code: PolicyErrorCode,
    message: string,
    /** For schema errors: every problem found, each naming its field. */
    readonly issues: readonly FieldIssue[] = [],
  ) {
    super(message);
  }
}

export function isPolicyError(error: unknown): error is PolicyError {
  return error instanceof PolicyError;
}

/** A scenario file that cannot be simulated: `nongbao simulate` exits 2 on it. */
export function isScenarioError(error: unknown): error is PolicyError {
  return isPolicyError(error) && error.code === PolicyErrorCode.InvalidScenario;
}

/** Formats a zod-style path (`['events', 2, 'tier']`) as `events[2].tier`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out === '' ? '(root)' : out;
}
