// Test support: the server's database for a test, on the engine the run asks
// for (issue 15 section 2: "the whole server test suite runs against both
// engines in `npm test`"). NONGBAO_TEST_DB=postgres gives a fresh database in
// the run's throwaway cluster (test-pg.ts); anything else, or unset, a fresh
// SQLite file, as production's default.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../db.js';
import { freshPgDatabase } from './test-pg.js';
import { PgDatabase } from './pg-database.js';
import { parseDatabaseSpec } from './open.js';
import type { SqlDatabase, SqlEngine } from './types.js';

/** The engine this test run uses for the server's database. */
export const TEST_DB_ENGINE: SqlEngine = process.env.NONGBAO_TEST_DB === 'postgres' ? 'postgres' : 'sqlite';

/** A fresh, empty server database on the run's engine (SQLite: `server.sqlite` in `dir`, or in a new temp folder). */
export function openTestServerDatabase(dir?: string): SqlDatabase {
  if (TEST_DB_ENGINE === 'postgres') return freshPgDatabase('server');
  return openDatabase(join(dir ?? mkdtempSync(join(tmpdir(), 'nongbao-test-db-')), 'server.sqlite'));
}

/** A `--db` value (sql/open.ts) naming a fresh, empty server database on the run's engine: for startServer. */
export function testServerDbSpec(dir?: string): string {
  if (TEST_DB_ENGINE === 'sqlite') return join(dir ?? mkdtempSync(join(tmpdir(), 'nongbao-test-db-')), 'server.sqlite');
  const db = freshPgDatabase('server');
  db.close();
  return db.url;
}

/** Another connection to the database `spec` (from testServerDbSpec) names: a restart, or a second reader. */
export function openTestDatabaseAt(spec: string): SqlDatabase {
  const parsed = parseDatabaseSpec(spec);
  return parsed.engine === 'postgres' ? new PgDatabase(parsed.url) : openDatabase(parsed.path);
}
