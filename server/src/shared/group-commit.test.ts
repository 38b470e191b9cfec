// Group commit (group-commit.ts), on a real SQLite file or PostgreSQL database
// (NONGBAO_TEST_DB): a second connection to the same database sees only what
// has committed, which is how these tests tell one transaction from several.
import { describe, expect, it } from 'vitest';
import { openTestDatabaseAt, testServerDbSpec } from '../sql/test-db.js';
import { GroupCommit } from './group-commit.js';

function open() {
  const spec = testServerDbSpec();
  const db = openTestDatabaseAt(spec);
  db.exec('CREATE TABLE t (x INTEGER NOT NULL)');
  const reader = openTestDatabaseAt(spec);
  const committed = () => (reader.prepare('SELECT x FROM t ORDER BY x').all() as { x: number }[]).map((r) => r.x);
  return { db, committed };
}

describe('GroupCommit', () => {
  it('runs work submitted in one turn in one transaction, answered after it commits', async () => {
    const { db, committed } = open();
    const group = new GroupCommit(db);
    const seenBySecond: number[][] = [];
    const first = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (1)').run().changes);
    const second = group.submit(() => {
      // The first unit's row is not committed yet: both are in one transaction.
      seenBySecond.push(committed());
      return db.prepare('INSERT INTO t (x) VALUES (2)').run().changes;
    });
    expect(committed()).toEqual([]);
    const answeredWith = await first.then((value) => ({ value, committed: committed() }));
    expect(answeredWith).toEqual({ value: 1, committed: [1, 2] });
    expect(await second).toBe(1);
    expect(seenBySecond).toEqual([[]]);
  });

  it('rolls back only the unit that throws, rejects it, and commits the others', async () => {
    const { db, committed } = open();
    const group = new GroupCommit(db);
    const good = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    const bad = group.submit(() => {
      db.prepare('INSERT INTO t (x) VALUES (2)').run();
      throw new Error('broken unit');
    });
    const after = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (3)').run());
    await expect(bad).rejects.toThrow('broken unit');
    await good;
    await after;
    expect(committed()).toEqual([1, 3]);
  });

  it('commits a group at once when it reaches its weight limit', async () => {
    const { db, committed } = open();
    const group = new GroupCommit(db, 10);
    const heavy = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (1)').run(), 6);
    const full = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (2)').run(), 4);
    // Committed before the turn ended; the next unit starts a new group.
    expect(committed()).toEqual([1, 2]);
    const next = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (3)').run(), 1);
    expect(committed()).toEqual([1, 2]);
    await Promise.all([heavy, full, next]);
    expect(committed()).toEqual([1, 2, 3]);
  });

  it('rejects every unit of a group whose commit fails, and writes none of it', async () => {
    const { db, committed } = open();
    // A deferred foreign key fails at COMMIT, after each unit ran.
    db.exec('CREATE TABLE parent (id INTEGER PRIMARY KEY); CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)');
    const group = new GroupCommit(db);
    const a = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (1)').run());
    const b = group.submit(() => db.prepare('INSERT INTO child (p) VALUES (42)').run());
    // SQLite: "FOREIGN KEY constraint failed"; PostgreSQL: "violates foreign key constraint".
    await expect(a).rejects.toThrow(/foreign key/i);
    await expect(b).rejects.toThrow(/foreign key/i);
    expect(committed()).toEqual([]);
    expect(db.inTransaction).toBe(false);
  });

  it('waits for an enclosing transaction to end: its rollback does not take the group with it', async () => {
    const { db, committed } = open();
    const group = new GroupCommit(db, 1);
    let answered: Promise<unknown> | undefined;
    expect(() =>
      db.transaction(() => {
        answered = group.submit(() => db.prepare('INSERT INTO t (x) VALUES (1)').run().changes, 1);
        db.prepare('INSERT INTO t (x) VALUES (2)').run();
        throw new Error('the enclosing work failed');
      })(),
    ).toThrow('the enclosing work failed');
    expect(await answered).toBe(1);
    expect(committed()).toEqual([1]);
  });
});
