// Errors of the cash-box collections (issue 13 section 2): one class, numeric
// codes 6300-6399, a stable string code and the HTTP status the office API
// answers with. Callers branch on `code`, never on the message.
import { StatusError } from '../shared/status-error.js';

export const COLLECTION_ERROR_CODES = {
  'collection-not-found': 6300,
  'already-counted': 6301,
  'alarm-not-found': 6302,
  'invalid-reconciliation-query': 6303,
  'ledger-refused': 6390,
} as const;
export type CollectionErrorCode = keyof typeof COLLECTION_ERROR_CODES;

const STATUS: Record<CollectionErrorCode, number> = {
  'collection-not-found': 404,
  'already-counted': 409,
  'alarm-not-found': 404,
  'invalid-reconciliation-query': 400,
  'ledger-refused': 500,
};

export class CollectionError extends StatusError<CollectionErrorCode> {
  override readonly name = 'CollectionError';
  constructor(code: CollectionErrorCode, message: string, field?: string, details?: unknown) {
    super(code, message, { numeric: COLLECTION_ERROR_CODES, status: STATUS }, field, details);
  }
}

export function isCollectionError(error: unknown): error is CollectionError {
  return error instanceof CollectionError;
}
