// One SQLite database file per server: the ledger and the registry share it so
// that a registry change and its transfers commit in one transaction.
// WAL + synchronous=FULL: a commit is on disk before it is acknowledged
// (ARCHITECTURE.md, "Durability and security rules"). The kiosk's journal
// opens its file here too.
//
// The files hold citizen and card numbers: the folder is made 0700 and the
// database 0600 before SQLite opens it (private-files.ts). SQLite gives the
// -wal and -shm files it creates the database file's mode; ones left by an
// older version are tightened here as well.
import Database from 'better-sqlite3';
import { makePrivateFile, tightenIfPresent } from './shared/private-files.js';

export type SqliteDatabase = Database.Database;

const BUSY_TIMEOUT_MS = 5_000;
/** The files SQLite keeps beside a database in WAL mode. */
const WAL_SUFFIXES = ['-wal', '-shm'] as const;

export function openDatabase(path: string): SqliteDatabase {
  const onDisk = path !== ':memory:';
  if (onDisk) {
    makePrivateFile(path);
    for (const suffix of WAL_SUFFIXES) tightenIfPresent(`${path}${suffix}`);
  }
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  if (onDisk) for (const suffix of WAL_SUFFIXES) tightenIfPresent(`${path}${suffix}`);
  return db;
}
