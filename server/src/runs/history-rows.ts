// Many rows into one table, at each engine's speed, for the generated payroll
// history (payroll-history.ts). On SQLite a prepared INSERT per row is the
// fast way (no round trip: the database is in the process). On PostgreSQL a
// statement per row is a round trip each (about 0.1 ms on loopback libpq: 20
// minutes for the 12 000 000 payment rows of ten years for 100 000
// recipients), so rows are gathered into one array per column and sent as one
// INSERT ... SELECT FROM unnest(...) per ROWS_PER_STATEMENT rows.
import { toIntArray } from '../ledger/pg/rows.js';
import { toTextArray } from '../ledger/pg/schema.js';
import { sqlEngine, type SqlDatabase, type SqlStatement } from '../sql/types.js';

/** Rows per PostgreSQL statement: a few MB of array text, well under what a statement may carry. */
export const ROWS_PER_STATEMENT = 20_000;

export type HistoryColumnType = 'text' | 'bigint';
export type HistoryValue = string | number | null;

export interface RowWriter {
  /** One row, its values in the order of the columns. */
  add(...values: HistoryValue[]): void;
  /** Writes what add() gathered (PostgreSQL); call before the transaction ends. */
  flush(): void;
}

/** A writer of rows into `table`'s `columns` (name and PostgreSQL type) on `db`'s engine. */
export function rowWriter(db: SqlDatabase, table: string, columns: readonly (readonly [string, HistoryColumnType])[]): RowWriter {
  const names = columns.map(([name]) => name).join(', ');
  if (sqlEngine(db) === 'sqlite') {
    const insert = db.prepare(`INSERT INTO ${table} (${names}) VALUES (${columns.map(() => '?').join(', ')})`);
    return { add: (...values) => void insert.run(...values), flush: () => undefined };
  }
  const insert = db.prepare(`INSERT INTO ${table} (${names}) SELECT * FROM unnest(${columns.map(([, type]) => `?::${type}[]`).join(', ')})`);
  return new ColumnBuffer(insert, columns.map(([, type]) => type));
}

class ColumnBuffer implements RowWriter {
  #values: HistoryValue[][];

  constructor(
    private readonly insert: SqlStatement,
    private readonly types: readonly HistoryColumnType[],
  ) {
    this.#values = types.map(() => []);
  }

  add(...values: HistoryValue[]): void {
    if (values.length !== this.types.length) throw new RangeError(`history row of ${values.length} values for ${this.types.length} columns`);
    for (let c = 0; c < values.length; c++) this.#values[c]!.push(values[c]!);
    if (this.#values[0]!.length >= ROWS_PER_STATEMENT) this.flush();
  }

  flush(): void {
    if (this.#values[0]!.length === 0) return;
    const arrays = this.types.map((type, c) => (type === 'text' ? toTextArray(this.#values[c] as (string | null)[]) : toIntArray(this.#values[c] as number[])));
    this.#values = this.types.map(() => []);
    this.insert.run(...arrays);
  }
}
