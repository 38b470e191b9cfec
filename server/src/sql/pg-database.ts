// The server's SQL database on PostgreSQL (issue 15 section 2), synchronous
// like better-sqlite3, over libpq's synchronous calls (node-postgres' `libpq`,
// the binding pg-native is built on). Why synchronous: the registry, the runs
// and the ledger are written as plain function calls inside transactions on
// one thread (CONVENTIONS.md "Long work in the server"); a synchronous client
// lets the same code run on PostgreSQL without making every call path async.
// A round trip on loopback costs about 0.1 ms; statements are prepared once
// per connection. The contract is sql/types.ts; statements are translated
// from the shared SQLite-flavoured SQL by sql/translate.ts.
/// <reference path="./libpq.d.ts" />
import { createRequire } from 'node:module';
import type PQType from 'libpq';
import pgTypes from 'pg-types';
import type { SqlDatabase, SqlRunResult, SqlStatement, TransactionArgs } from './types.js';
import { translateSql, type TranslatedSql } from './translate.js';
import { redactPgUrl } from './pg-url.js';

// libpq's index.js prints its include folder to stdout when it has no parent
// module, which is how an ES import loads it: that line would corrupt the
// stdout of every command that speaks JSON there (`nongbao ledger verify`).
// Loaded through require, it has a parent and prints nothing.
const PQ = createRequire(import.meta.url)('libpq') as typeof PQType;
type PQ = PQType;

/** Prepared statements kept per connection (a server has a few hundred distinct statements). */
const PREPARED_LIMIT = 2_000;

/** libpq's PQTRANS_UNKNOWN: the connection is bad. */
const PQTRANS_UNKNOWN = 4;
/** SQLSTATE connection_failure, for a lost connection libpq reports without one. */
const CONNECTION_FAILURE = '08006';
/** Every session's settings (also a reconnected one's). */
const SESSION_SETUP = "SET client_min_messages = warning; SET TIME ZONE 'UTC'";

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BYTEA_OID = 17;

/**
 * How values come back: BIGINT and NUMERIC as numbers (the project's integers
 * are fen, counts and ids well below 2^53; sums that could pass it are the
 * ledger's, which reads them as text on purpose), BYTEA as Buffer.
 */
function parserFor(oid: number): (value: string) => unknown {
  if (oid === INT8_OID || oid === NUMERIC_OID) return Number;
  return pgTypes.getTypeParser(oid);
}

/** A PostgreSQL error with its SQLSTATE as `code` (23505: unique violation, 40001: serialization failure, ...). */
export class PgError extends Error {
  override readonly name = 'PgError';
  constructor(
    message: string,
    readonly code: string,
    readonly constraint: string | undefined,
    readonly sql: string,
  ) {
    super(message);
  }
}

function toParam(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value instanceof Uint8Array) return `\\x${Buffer.from(value).toString('hex')}`;
  return JSON.stringify(value);
}

/**
 * Finished connections kept alive for two turns of the event loop. libpq's
 * finish() starts closing its libuv poll handle, which lives inside the native
 * connection object, and libuv completes the close in a later phase of the
 * loop. Were the object collected before that (a test or a CLI that opens and
 * closes connections without yielding), libuv would finish closing freed
 * memory and abort the process (uv__finish_close assertion, seen in the
 * ledger's contract suite). The first setImmediate runs before that
 * iteration's close phase, the second after it.
 */
const finishing = new Set<PQ>();

function keepUntilClosed(pq: PQ): void {
  finishing.add(pq);
  setImmediate(() => setImmediate(() => finishing.delete(pq)));
}

export class PgDatabase implements SqlDatabase {
  readonly engine = 'postgres' as const;
  private pq: PQ;
  /** The connection was found broken (libpq's transaction status UNKNOWN after an error): replaced before the next outermost statement. */
  private lost = false;
  private readonly prepared = new Map<string, { name: string; translated: TranslatedSql }>();
  private depth = 0;
  private closed = false;

  /**
   * Connects (libpq's connectSync: throws when it cannot). A failure is a
   * PgError 08001 whose message is one line naming the URL (password
   * hidden): libpq's own message spans lines ("Is the server running ...").
   */
  constructor(readonly url: string) {
    this.pq = this.connect();
  }

  private connect(): PQ {
    const pq = new PQ();
    let error: string;
    try {
      pq.connectSync(this.url);
      error = pq.errorMessage();
    } catch (thrown) {
      error = thrown instanceof Error ? thrown.message : String(thrown);
    }
    if (error) {
      keepUntilClosed(pq);
      throw new PgError(`cannot connect to ${redactPgUrl(this.url)}: ${error.replace(/\s+/g, ' ').trim()}`, '08001', undefined, '');
    }
    pq.exec(SESSION_SETUP);
    return pq;
  }

  /**
   * Before a statement outside any transaction: a connection found lost (the
   * server restarted, issue 15 "Bad input") is replaced by a new one. Its
   * session went with it: its prepared statements, and its transaction,
   * which the server rolled back, so nothing of it is half-written. Inside a
   * transaction nothing reconnects: its statements fail until it ends, and
   * its caller (the gateway's group commit, a kiosk's outbox) retries.
   */
  private ensureConnected(): void {
    if (!this.lost || this.depth > 0 || this.closed) return;
    const next = this.connect();
    this.pq.finish();
    keepUntilClosed(this.pq);
    this.pq = next;
    this.prepared.clear();
    this.lost = false;
  }

  /** Opens an outermost transaction; a connection found lost at BEGIN is replaced and BEGIN sent again (nothing of the caller's ran yet). */
  private begin(sql: string): void {
    try {
      this.exec(sql);
    } catch (error) {
      if (!this.lost) throw error;
      this.exec(sql);
    }
  }

  prepare(sql: string): SqlStatement {
    return new PgStatement(this, sql);
  }

  /** Runs `sql` with `args` (as a statement's run/get/all would); the rows. */
  query(sql: string, args: unknown[]): { rows: Record<string, unknown>[]; changes: number } {
    this.ensureConnected();
    const statement = this.preparedFor(sql);
    const values = bind(statement.translated, args);
    this.pq.execPrepared(statement.name, values);
    this.check(sql);
    return { rows: this.rows(), changes: Number(this.pq.cmdTuples() || '0') };
  }

  exec(sql: string): void {
    this.ensureConnected();
    this.send(sql);
  }

  /**
   * Sends statements on the connection as it is, never a new one: what ends
   * or nests a transaction (COMMIT, SAVEPOINT, ROLLBACK) must fail when the
   * connection that holds the transaction is gone, not succeed on a new one
   * that holds nothing.
   */
  private send(sql: string): void {
    // Several statements may be sent at once only without parameters: translate each.
    const text = sql
      .split(/;\s*(?:\n|$)/)
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map((s) => translateSql(s).text)
      .join(';\n');
    this.pq.exec(text);
    this.check(sql);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  transaction<F extends (...params: any[]) => unknown>(fn: F): (...params: TransactionArgs<F>) => ReturnType<F> {
    return (...args: TransactionArgs<F>): ReturnType<F> => {
      const nested = this.depth > 0;
      const savepoint = `sp${this.depth}`;
      if (nested) this.send(`SAVEPOINT ${savepoint}`);
      else this.begin('BEGIN');
      this.depth += 1;
      let result: ReturnType<F>;
      try {
        result = fn(...args) as ReturnType<F>;
      } catch (error) {
        this.depth -= 1;
        this.undo(nested ? `ROLLBACK TO SAVEPOINT ${savepoint}; RELEASE SAVEPOINT ${savepoint}` : 'ROLLBACK');
        throw error;
      }
      this.depth -= 1;
      try {
        this.send(nested ? `RELEASE SAVEPOINT ${savepoint}` : 'COMMIT');
      } catch (error) {
        // A COMMIT that fails (a deferred constraint, a lost connection) has
        // ended the transaction without writing it; the caller gets its error.
        if (!nested) this.undo('ROLLBACK');
        throw error;
      }
      return result;
    };
  }

  /**
   * Rolls back after a failure, keeping the failure as the error the caller
   * sees: a ROLLBACK that fails too (the connection is gone) is not news.
   */
  private undo(sql: string): void {
    try {
      this.send(sql);
    } catch {
      // The transaction is over either way: the server ends it with the session.
    }
  }

  /**
   * Runs fn in one consistent read-only snapshot (REPEATABLE READ): every
   * statement inside sees the same committed state, whatever other
   * connections commit meanwhile. Inside a transaction it is that
   * transaction's view, and fn just runs.
   */
  snapshot<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.begin('BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    this.depth += 1;
    let result: T;
    try {
      result = fn();
    } catch (error) {
      this.depth -= 1;
      this.undo('ROLLBACK');
      throw error;
    }
    this.depth -= 1;
    this.send('COMMIT');
    return result;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pq.finish();
    keepUntilClosed(this.pq);
  }

  private preparedFor(sql: string): { name: string; translated: TranslatedSql } {
    let statement = this.prepared.get(sql);
    if (statement) return statement;
    const translated = translateSql(sql);
    if (this.prepared.size >= PREPARED_LIMIT) {
      const [oldSql, old] = this.prepared.entries().next().value!;
      this.pq.exec(`DEALLOCATE ${old.name}`);
      this.prepared.delete(oldSql);
    }
    const name = `s${this.prepared.size}_${Math.random().toString(36).slice(2, 8)}`;
    this.pq.prepare(name, translated.text, translated.params.length);
    this.check(sql);
    statement = { name, translated };
    this.prepared.set(sql, statement);
    return statement;
  }

  private check(sql: string): void {
    const status = this.pq.resultStatus();
    if (status === 'PGRES_COMMAND_OK' || status === 'PGRES_TUPLES_OK' || status === 'PGRES_EMPTY_QUERY') return;
    const fields = this.pq.resultErrorFields() ?? {};
    const message = (this.pq.resultErrorMessage() || this.pq.errorMessage() || status).trim();
    if (this.pq.transactionStatus() === PQTRANS_UNKNOWN) this.lost = true;
    throw new PgError(message, fields.sqlState ?? (this.lost ? CONNECTION_FAILURE : 'XX000'), fields.constraintName, sql);
  }

  private rows(): Record<string, unknown>[] {
    const fields = this.pq.nfields();
    const names: string[] = [];
    const parsers: ((value: string) => unknown)[] = [];
    for (let f = 0; f < fields; f++) {
      names.push(this.pq.fname(f));
      const oid = this.pq.ftype(f);
      parsers.push(oid === BYTEA_OID ? (v) => Buffer.from(v.slice(2), 'hex') : parserFor(oid));
    }
    const out: Record<string, unknown>[] = [];
    const count = this.pq.ntuples();
    for (let r = 0; r < count; r++) {
      const row: Record<string, unknown> = {};
      for (let f = 0; f < fields; f++) row[names[f]!] = this.pq.getisnull(r, f) ? null : parsers[f]!(this.pq.getvalue(r, f));
      out.push(row);
    }
    return out;
  }
}

/** The values for $1..$n from a statement's arguments: positional, or one object of named values. */
function bind(translated: TranslatedSql, args: unknown[]): (string | null)[] {
  const named = args.length === 1 && args[0] !== null && typeof args[0] === 'object' && !(args[0] instanceof Uint8Array) && !Array.isArray(args[0]) ? (args[0] as Record<string, unknown>) : undefined;
  return translated.params.map((p) => {
    if (typeof p === 'string') {
      if (!named || !(p in named)) throw new RangeError(`missing named parameter @${p}`);
      return toParam(named[p]);
    }
    if (p >= args.length) throw new RangeError(`missing parameter ${p + 1} of ${translated.params.length}`);
    return toParam(args[p]);
  });
}


class PgStatement implements SqlStatement {
  constructor(
    private readonly db: PgDatabase,
    private readonly sql: string,
  ) {}

  run(...params: unknown[]): SqlRunResult {
    return { changes: this.db.query(this.sql, params).changes };
  }

  get(...params: unknown[]): unknown {
    return this.db.query(this.sql, params).rows[0];
  }

  all(...params: unknown[]): unknown[] {
    return this.db.query(this.sql, params).rows;
  }

  iterate(...params: unknown[]): IterableIterator<unknown> {
    return this.db.query(this.sql, params).rows[Symbol.iterator]();
  }
}
