// The kiosk opens its own SQLite file (issue 11 section 1: the terminal does
// not depend on the server package). WAL + synchronous=FULL: a money event is
// on disk before the next physical step (ARCHITECTURE.md "Durability"). The
// journal and SQLite's -wal and -shm are owner-only (../private-files.ts).
import Database from 'better-sqlite3';
import { ensureOwnerOnlyFile, ownerOnlyIfPresent } from '../private-files.js';

export type JournalDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5_000;

export function openJournalDatabase(path: string): JournalDatabase {
  ensureOwnerOnlyFile(path);
  const sidecars = [`${path}-wal`, `${path}-shm`];
  sidecars.forEach(ownerOnlyIfPresent);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  sidecars.forEach(ownerOnlyIfPresent);
  return db;
}
