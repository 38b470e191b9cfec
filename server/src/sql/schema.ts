// What a migration asks of the database's catalogue, on either engine (issue 15
// section 2): SQLite answers from sqlite_master and pragma_table_info,
// PostgreSQL from information_schema (the connection's current schema). The
// services' migrations use these instead of the SQLite-only spellings, which
// sql/translate.ts refuses.
import { sqlEngine, type SqlDatabase } from './types.js';

/** Whether the table exists. */
export function tableExists(db: SqlDatabase, table: string): boolean {
  const sql =
    sqlEngine(db) === 'postgres'
      ? 'SELECT 1 FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ?'
      : "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?";
  return db.prepare(sql).get(table) !== undefined;
}

/** The table's column names, in order (none when it does not exist). */
export function columnNames(db: SqlDatabase, table: string): string[] {
  const sql =
    sqlEngine(db) === 'postgres'
      ? 'SELECT column_name AS name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position'
      : 'SELECT name FROM pragma_table_info(?)';
  return (db.prepare(sql).all(table) as { name: string }[]).map((c) => c.name);
}

/** Every table of the database (the application's: not SQLite's own), by name. */
export function tableNames(db: SqlDatabase): string[] {
  const sql =
    sqlEngine(db) === 'postgres'
      ? "SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name"
      : "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name";
  return (db.prepare(sql).all() as { name: string }[]).map((t) => t.name);
}
