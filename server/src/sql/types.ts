// The SQL database the server's services are written against (issue 15
// section 2): the synchronous subset of better-sqlite3 they use, so the same
// registry, runs and terminal registry run on SQLite (a county, zero set-up)
// and on PostgreSQL (a province). better-sqlite3's Database is one
// implementation as it is; pg-database.ts is the other.
//
// What every implementation must do (the contract, tested by
// sql-contract.test.ts against both):
// - `prepare(sql)` takes SQLite-flavoured SQL with `?` or `@name`
//   placeholders; the statement can be run many times. Positional arguments
//   bind `?` in order; one plain object binds `@name` by name.
// - `run` returns how many rows the statement changed; `get` the first row
//   or undefined; `all` every row; `iterate` rows one at a time. Rows are
//   objects keyed by column name (as written in the SQL, case kept); integers
//   come back as numbers, BLOB/BYTEA as Buffer, NULL as null.
// - `transaction(fn)` returns a function that runs `fn` in a transaction:
//   committed when it returns, rolled back when it throws (the error goes on).
//   Called inside another transaction it is a savepoint: its rollback undoes
//   only its own work.
// - `exec(sql)` runs statements without results (DDL), several separated by ';'.
// - A constraint violation throws an Error whose `code` names it
//   (SQLITE_CONSTRAINT_* on SQLite, the SQLSTATE 23xxx on PostgreSQL); see
//   `isUniqueViolation`.
export interface SqlRunResult {
  changes: number;
}

export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
  iterate(...params: unknown[]): IterableIterator<unknown>;
}

/** The arguments of a transaction's function (spelled as better-sqlite3 spells it, so its Database fits). */
export type TransactionArgs<F> = F extends (...args: infer A) => unknown ? A : never;

export interface SqlDatabase {
  prepare(sql: string): SqlStatement;
  exec(sql: string): unknown;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transaction<F extends (...params: any[]) => unknown>(fn: F): (...params: TransactionArgs<F>) => ReturnType<F>;
  close(): unknown;
  /** Whether a transaction is open (better-sqlite3's property; PgDatabase's getter). */
  readonly inTransaction: boolean;
}

export type SqlEngine = 'sqlite' | 'postgres';

/** Which engine `db` is: PgDatabase says so; anything else is better-sqlite3. */
export function sqlEngine(db: SqlDatabase): SqlEngine {
  return (db as { engine?: unknown }).engine === 'postgres' ? 'postgres' : 'sqlite';
}

/** A unique or primary-key constraint refused the write. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
