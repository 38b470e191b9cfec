// The SQL contract (sql/types.ts), run against both engines: better-sqlite3
// on a real file and PostgreSQL in the run's throwaway cluster. The same
// statements, written once, give the same rows.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../db.js';
import { freshPgDatabase } from './test-pg.js';
import { isUniqueViolation, type SqlDatabase } from './types.js';
import { translateSql } from './translate.js';

const engines: [string, () => SqlDatabase][] = [
  ['sqlite', () => openDatabase(join(mkdtempSync(join(tmpdir(), 'nb-sql-')), 'db.sqlite'))],
  ['postgres', () => freshPgDatabase('sql_contract')],
];

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS account (
    id TEXT PRIMARY KEY,
    owner TEXT,
    balance_fen INTEGER NOT NULL DEFAULT 0,
    photo BLOB
  ) STRICT;
  CREATE TABLE IF NOT EXISTS entry (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id TEXT NOT NULL REFERENCES account(id),
    amount_fen INTEGER NOT NULL
  ) STRICT
`;

describe.each(engines)('the SQL contract on %s', (_engine, open) => {
  const opened: SqlDatabase[] = [];
  const db = (): SqlDatabase => {
    const d = open();
    d.exec(SCHEMA);
    opened.push(d);
    return d;
  };
  afterEach(() => {
    for (const d of opened.splice(0)) d.close();
  });

  it('binds positional and named parameters and returns rows keyed as the SQL names them', () => {
    const d = db();
    d.prepare('INSERT INTO account (id, owner, balance_fen) VALUES (?, ?, ?)').run('a1', '王秀英', 12_345_678_901);
    d.prepare('INSERT INTO account (id, owner, balance_fen) VALUES (@id, @owner, @fen)').run({ id: 'a2', owner: null, fen: 0 });
    expect(d.prepare('SELECT id, owner, balance_fen AS balanceFen FROM account ORDER BY id').all()).toEqual([
      { id: 'a1', owner: '王秀英', balanceFen: 12_345_678_901 },
      { id: 'a2', owner: null, balanceFen: 0 },
    ]);
    expect(d.prepare('SELECT COUNT(*) AS n, SUM(balance_fen) AS s FROM account').get()).toEqual({ n: 2, s: 12_345_678_901 });
    expect(d.prepare('SELECT id FROM account WHERE owner IS ?').get(null)).toEqual({ id: 'a2' });
    expect(d.prepare('SELECT id FROM account WHERE id = ?').get('none')).toBeUndefined();
  });

  it('stores bytes as bytes', () => {
    const d = db();
    const photo = Buffer.from([0, 1, 2, 254, 255]);
    d.prepare('INSERT INTO account (id, photo) VALUES (?, ?)').run('p', photo);
    expect((d.prepare('SELECT photo FROM account WHERE id = ?').get('p') as { photo: Buffer }).photo.equals(photo)).toBe(true);
  });

  it('reports the rows a statement changed, and ignores a duplicate with INSERT OR IGNORE', () => {
    const d = db();
    const insert = d.prepare('INSERT OR IGNORE INTO account (id) VALUES (?)');
    expect(insert.run('x').changes).toBe(1);
    expect(insert.run('x').changes).toBe(0);
    expect(d.prepare('UPDATE account SET balance_fen = balance_fen + ? WHERE id IN (SELECT value FROM json_each(?))').run(5, JSON.stringify(['x', 'y'])).changes).toBe(1);
    expect(d.prepare('SELECT MAX(balance_fen, 3) AS m, MIN(balance_fen, 3) AS n FROM account').get()).toEqual({ m: 5, n: 3 });
  });

  it('throws a unique violation the caller can recognise', () => {
    const d = db();
    d.prepare('INSERT INTO account (id) VALUES (?)').run('dup');
    let caught: unknown;
    try {
      d.prepare('INSERT INTO account (id) VALUES (?)').run('dup');
    } catch (error) {
      caught = error;
    }
    expect(isUniqueViolation(caught)).toBe(true);
  });

  it('commits a transaction that returns and rolls back one that throws; a nested one is a savepoint', () => {
    const d = db();
    const add = d.prepare('INSERT INTO account (id) VALUES (?)');
    d.transaction(() => add.run('t1'))();
    expect(() =>
      d.transaction(() => {
        add.run('t2');
        throw new Error('no');
      })(),
    ).toThrow('no');
    d.transaction(() => {
      add.run('t3');
      try {
        d.transaction(() => {
          add.run('t4');
          throw new Error('inner');
        })();
      } catch {
        // the inner savepoint alone is undone
      }
    })();
    expect((d.prepare('SELECT id FROM account ORDER BY id').all() as { id: string }[]).map((r) => r.id)).toEqual(['t1', 't3']);
  });

  it('numbers identity keys in insertion order and iterates rows', () => {
    const d = db();
    d.prepare('INSERT INTO account (id) VALUES (?)').run('acc');
    for (let i = 1; i <= 3; i++) d.prepare('INSERT INTO entry (account_id, amount_fen) VALUES (?, ?)').run('acc', i * 100);
    expect([...d.prepare('SELECT seq, amount_fen FROM entry ORDER BY seq').iterate()]).toEqual([
      { seq: 1, amount_fen: 100 },
      { seq: 2, amount_fen: 200 },
      { seq: 3, amount_fen: 300 },
    ]);
    expect(d.prepare("SELECT GROUP_CONCAT(amount_fen, ' ') AS list FROM entry").get()).toEqual({ list: '100 200 300' });
  });
});

describe('translating SQLite-flavoured SQL', () => {
  it('numbers placeholders, reusing a named one, and leaves quoted text alone', () => {
    expect(translateSql("SELECT * FROM t WHERE a = ? AND b = @x AND c = @x AND d = '?@y' AND e = ?")).toEqual({
      text: "SELECT * FROM t WHERE a = $1 AND b = $2 AND c = $2 AND d = '?@y' AND e = $3",
      params: [0, 'x', 1],
    });
  });

  it('refuses what it cannot carry over, naming it', () => {
    expect(() => translateSql('INSERT OR REPLACE INTO t (a) VALUES (?)')).toThrow(/INSERT OR REPLACE/);
    expect(() => translateSql("SELECT name FROM pragma_table_info('t')")).toThrow(/PRAGMA/);
    expect(() => translateSql('SELECT rowid FROM t')).toThrow(/rowid/);
  });

  it('quotes mixed-case aliases and rewrites DDL types', () => {
    expect(translateSql('SELECT payment_id AS paymentId FROM t').text).toBe('SELECT payment_id AS "paymentId" FROM t');
    expect(translateSql('CREATE TABLE t (a INTEGER PRIMARY KEY AUTOINCREMENT, b BLOB) STRICT').text).toBe('CREATE TABLE t (a BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, b BYTEA)');
  });
});
