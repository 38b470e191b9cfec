// The kiosk opens its own SQLite file (issue 11 section 1: the terminal does
// not depend on the server package). WAL + synchronous=FULL: a money event is
// on disk before the next physical step (ARCHITECTURE.md "Durability"). The
// journal holds citizen numbers and money: its folder is created 0700 and its
// files (with SQLite's -wal and -shm) are 0600, as the server's are
// (issue 10 section 6).
import Database from 'better-sqlite3';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';

export type JournalDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5_000;

function ownerOnly(path: string): void {
  if (existsSync(path)) chmodSync(path, 0o600);
}

export function openJournalDatabase(path: string): JournalDatabase {
  if (!existsSync(dirname(path))) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    chmodSync(dirname(path), 0o700);
  }
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) ownerOnly(file);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  for (const file of [`${path}-wal`, `${path}-shm`]) ownerOnly(file);
  return db;
}
