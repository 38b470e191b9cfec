// Errors of the ledger layer: one class, numeric codes 5000-5099, predicates.
// A refused transfer is not an error: it is a result (types.ts). These are for
// calls the ledger cannot answer at all.
export const LedgerErrorCode = {
  /** An account id or account spec is malformed. */
  InvalidAccountId: 5001,
  InvalidAccountSpec: 5002,
  /** ensureAccounts was given a spec that differs from the stored one. */
  AccountSpecConflict: 5003,
  /** createTransfers was given more than MAX_BATCH_TRANSFERS, or not an array. */
  InvalidBatch: 5004,
  /** A query (transfers, balance) has a malformed parameter. */
  InvalidQuery: 5005,
  /** The database holds a ledger schema of another version. */
  SchemaVersionMismatch: 5006,
  /** The database holds no ledger (opened read-only, tables missing). */
  SchemaMissing: 5007,
  /** The ledger was closed. */
  Closed: 5008,
  /** A stored value fails its own invariant (e.g. a corrupted row read back). */
  CorruptStore: 5009,
  /** balance() of an account the chart does not hold. */
  AccountNotFound: 5010,
  /**
   * A store was asked to append a transfer whose id it already holds. Internal:
   * createTransfers first assumes a batch's ids are new (they almost always
   * are) and, on this, evaluates the batch again against the stored ones.
   */
  TransferIdStored: 5011,
  /**
   * An older ledger cannot be migrated as it stands (schema 3's per-transfer
   * chain is broken, issue #15 section 1): nothing was changed; the file needs
   * an investigation, not a new chain over what may have been tampered with.
   */
  MigrationRefused: 5012,
} as const;

export type LedgerErrorCode = (typeof LedgerErrorCode)[keyof typeof LedgerErrorCode];

export class LedgerError extends Error {
  override readonly name = 'LedgerError';
  constructor(
    readonly code: LedgerErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

export function isLedgerError(error: unknown): error is LedgerError {
  return error instanceof LedgerError;
}

/** The caller sent something malformed: fix the call, do not retry it. */
export function isLedgerInputError(error: unknown): error is LedgerError {
  return (
    isLedgerError(error) &&
    (error.code === LedgerErrorCode.InvalidAccountId ||
      error.code === LedgerErrorCode.InvalidAccountSpec ||
      error.code === LedgerErrorCode.AccountSpecConflict ||
      error.code === LedgerErrorCode.InvalidBatch ||
      error.code === LedgerErrorCode.InvalidQuery ||
      error.code === LedgerErrorCode.AccountNotFound)
  );
}
