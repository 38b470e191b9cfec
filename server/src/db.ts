// One SQLite database file per server: the ledger and the registry share it so
// that a registry change and its transfers commit in one transaction.
// WAL + synchronous=FULL: a commit is on disk before it is acknowledged
// (ARCHITECTURE.md, "Durability and security rules").
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type SqliteDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5_000;

export function openDatabase(path: string): SqliteDatabase {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
}
