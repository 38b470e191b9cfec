// The database helpers the hot paths use instead of preparing statements and
// building transaction wrappers at every call (issue 11 section 8).
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CACHED_STATEMENTS_LIMIT, cachedStatement, openDatabase, runTransaction } from './db.js';

function tempPath(): string {
  return join(mkdtempSync(join(tmpdir(), 'nb-db-')), 'db.sqlite');
}

function withTable() {
  const db = openDatabase(tempPath());
  db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
  return db;
}

const count = (db: Database.Database) => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n;

describe('cachedStatement', () => {
  it('compiles a statement once per database and SQL text', () => {
    const db = withTable();
    const other = withTable();
    const sql = 'INSERT INTO t (x) VALUES (?)';
    expect(cachedStatement(db, sql)).toBe(cachedStatement(db, sql));
    expect(cachedStatement(other, sql)).not.toBe(cachedStatement(db, sql));
    cachedStatement(db, sql).run(1);
    cachedStatement(db, sql).run(2);
    expect(cachedStatement(db, 'SELECT SUM(x) AS s FROM t').get()).toEqual({ s: 3 });
  });

  it('keeps at most CACHED_STATEMENTS_LIMIT statements, dropping the oldest', () => {
    const db = withTable();
    const first = cachedStatement(db, 'SELECT 0 AS n');
    for (let i = 1; i <= CACHED_STATEMENTS_LIMIT; i++) cachedStatement(db, `SELECT ${i} AS n`);
    const again = cachedStatement(db, 'SELECT 0 AS n');
    expect(again).not.toBe(first);
    expect(again.get()).toEqual({ n: 0 });
  });
});

describe('runTransaction', () => {
  it('commits what the work wrote and returns its result', () => {
    const db = withTable();
    expect(runTransaction(db, () => db.prepare('INSERT INTO t (x) VALUES (1)').run().changes)).toBe(1);
    expect(count(db)).toBe(1);
    expect(db.inTransaction).toBe(false);
  });

  it('rolls back everything the work wrote when it throws', () => {
    const db = withTable();
    expect(() =>
      runTransaction(db, () => {
        db.prepare('INSERT INTO t (x) VALUES (1)').run();
        throw new Error('refused');
      }),
    ).toThrow('refused');
    expect(count(db)).toBe(0);
  });

  it('nests as a savepoint: an inner failure undoes only the inner work', () => {
    const db = withTable();
    runTransaction(db, () => {
      db.prepare('INSERT INTO t (x) VALUES (1)').run();
      expect(() =>
        runTransaction(db, () => {
          db.prepare('INSERT INTO t (x) VALUES (2)').run();
          throw new Error('inner');
        }),
      ).toThrow('inner');
      db.prepare('INSERT INTO t (x) VALUES (3)').run();
    });
    expect(db.prepare('SELECT x FROM t ORDER BY x').all()).toEqual([{ x: 1 }, { x: 3 }]);
  });

  it('takes the write lock at BEGIN in immediate mode', () => {
    const path = tempPath();
    const db = openDatabase(path);
    db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
    const other = new Database(path);
    other.pragma('busy_timeout = 0');
    // Deferred: no lock until the first write, so another connection may write meanwhile.
    runTransaction(db, () => other.prepare('INSERT INTO t (x) VALUES (1)').run(), 'deferred');
    // Immediate: the lock is held from BEGIN.
    runTransaction(db, () => expect(() => other.prepare('INSERT INTO t (x) VALUES (2)').run()).toThrow(/locked|busy/i), 'immediate');
    expect(count(db)).toBe(1);
    other.close();
  });
});
