// Errors of opening the server's database (issue 15 "Bad input": a `--db`
// value that is malformed or unreachable gets a one-line error naming it, at
// start). One class, numeric codes 5900-5999, a predicate. The message is one
// line and never holds a password (sql/pg-url.ts redacts it).
export const DatabaseOpenErrorCode = {
  /** The value has a scheme (`xyz://`) that is neither sqlite: nor postgres(ql)://. */
  UnknownScheme: 5901,
  /** A postgres:// URL libpq could not use (no host, a port that is not a number, ...). */
  MalformedUrl: 5902,
  /** The PostgreSQL server named cannot be reached or refused the connection. */
  Unreachable: 5903,
  /** `sqlite:` with no file after it. */
  EmptyPath: 5904,
} as const;

export type DatabaseOpenErrorCode = (typeof DatabaseOpenErrorCode)[keyof typeof DatabaseOpenErrorCode];

export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  constructor(
    readonly code: DatabaseOpenErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isDatabaseOpenError(error: unknown): error is DatabaseOpenError {
  return error instanceof DatabaseOpenError;
}
