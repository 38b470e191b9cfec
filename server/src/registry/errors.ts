// One error class for the registry and its services (CONVENTIONS.md "Logs,
// errors, limits"): a stable string code the API sends as `error.code`, a
// numeric code in the 6000-6099 range, the request field it concerns, and
// predicates. Callers branch on `code`, never on the message.

export const REGISTRY_ERROR_CODES = {
  // bad input (400)
  'invalid-citizen-number': 6000,
  'birth-date-mismatch': 6001,
  'invalid-date': 6002,
  'amount-not-in-fen': 6003,
  'invalid-id': 6004,
  'invalid-csv': 6005,
  'invalid-input': 6006,
  // an enrolment date (issue 10 section 1): after today, or a statement of it
  // that is incomplete (the import's query gives some of its parts only)
  'enrolment-in-future': 6007,
  'incomplete-enrolment-statement': 6008,
  // a counter payment dated before today without the operator's reason (issue 10 section 2)
  'backdate-reason-required': 6009,
  // names that hide characters (issue 10 section 5) and a register over its row limit
  'invalid-name': 6071,
  'csv-too-many-rows': 6072,
  // a password below the minimum strength (issue 10 section 6)
  'weak-password': 6073,
  // POLICY.md "Who may enrol" refusals (422)
  'under-16': 6010,
  'full-time-student': 6011,
  'urban-employee-pension': 6012,
  'hukou-outside-county': 6013,
  // nobody enrols before the scheme starts in the county (issue 10 section 1)
  'enrolled-before-scheme-start': 6014,
  // POLICY.md "Contributions" refusals (422), the policy engine's reasons
  'deceased': 6020,
  'unknown-tier': 6021,
  'already-paid': 6022,
  'future-year': 6023,
  'year-not-eligible': 6024,
  'not-disabled': 6025,
  'not-enrolled': 6026,
  // state conflicts (409)
  'person-exists': 6030,
  'id-reused-with-other-content': 6031,
  'already-reported': 6032,
  'card-exists': 6033,
  'user-exists': 6034,
  'import-in-progress': 6035,
  // missing things (404)
  'person-not-found': 6040,
  'village-not-found': 6041,
  'household-not-found': 6042,
  // authentication (401)
  'bad-credentials': 6050,
  // too many attempts (429; details.retryAfterSeconds)
  'too-many-logins': 6060,
  // more bad input (400, 6070-6089): the first block (6000-6009) is full
  // a counter payment dated too far before today (issue 10 section 2)
  'backdate-too-far': 6070,
  // the ledger refused a transfer the service built (500: a programming or data error)
  'ledger-refused': 6090,
} as const;

export type RegistryErrorCode = keyof typeof REGISTRY_ERROR_CODES;

export type RegistryErrorKind = 'bad-input' | 'refused' | 'conflict' | 'not-found' | 'unauthenticated' | 'throttled' | 'internal';

export function registryErrorKind(code: RegistryErrorCode): RegistryErrorKind {
  const n = REGISTRY_ERROR_CODES[code];
  if (n < 6010) return 'bad-input';
  if (n < 6030) return 'refused';
  if (n < 6040) return 'conflict';
  if (n < 6050) return 'not-found';
  if (n < 6060) return 'unauthenticated';
  if (n < 6070) return 'throttled';
  if (n < 6090) return 'bad-input';
  return 'internal';
}

export class RegistryError extends Error {
  override readonly name = 'RegistryError';
  readonly numericCode: number;
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly field?: string,
    /** Structured detail, e.g. the per-row errors of a CSV import. */
    readonly details?: unknown,
  ) {
    super(message);
    this.numericCode = REGISTRY_ERROR_CODES[code];
  }

  get kind(): RegistryErrorKind {
    return registryErrorKind(this.code);
  }
}

export function isRegistryError(error: unknown): error is RegistryError {
  return error instanceof RegistryError;
}

/** A scheme rule (POLICY.md) refused the request; nothing was written. */
export function isPolicyRefusal(error: unknown): error is RegistryError {
  return isRegistryError(error) && error.kind === 'refused';
}

export function isNotFound(error: unknown): error is RegistryError {
  return isRegistryError(error) && error.kind === 'not-found';
}
