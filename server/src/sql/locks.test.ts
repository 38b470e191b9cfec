// Database-wide locks among server processes (sql/locks.ts): on PostgreSQL a
// second connection (another process) is refused a lock the first holds,
// until it is released; the runs take one so that two processes never run
// at once.
import { describe, expect, it } from 'vitest';
import { freshPgDatabase } from './test-pg.js';
import { PgDatabase } from './pg-database.js';
import { tryDatabaseLock, withDatabaseLock } from './locks.js';

describe('a database lock on PostgreSQL', () => {
  it('is held by one connection at a time, and free again once released', () => {
    const first = freshPgDatabase('locks');
    const second = new PgDatabase(first.url);
    const release = tryDatabaseLock(first, 'nongbao-run');
    expect(release).toBeDefined();
    expect(tryDatabaseLock(second, 'nongbao-run')).toBeUndefined();
    expect(tryDatabaseLock(second, 'another-lock')).toBeDefined();
    release!();
    const again = tryDatabaseLock(second, 'nongbao-run');
    expect(again).toBeDefined();
    expect(tryDatabaseLock(first, 'nongbao-run')).toBeUndefined();
    again!();
    first.close();
    second.close();
  });

  it('is released by withDatabaseLock when its work throws', () => {
    const first = freshPgDatabase('locks');
    const second = new PgDatabase(first.url);
    expect(() =>
      withDatabaseLock(first, 'nongbao-schema', () => {
        expect(tryDatabaseLock(second, 'nongbao-schema')).toBeUndefined();
        throw new Error('migration failed');
      }),
    ).toThrow('migration failed');
    expect(tryDatabaseLock(second, 'nongbao-schema')).toBeDefined();
    first.close();
    second.close();
  });
});

describe('the runs on PostgreSQL', () => {
  it('refuse to start while another server process runs one, and start once it has ended', async () => {
    const { createRegistry } = await import('../registry/index.js');
    const { createRuns } = await import('../runs/index.js');
    const { resolvePolicy } = await import('../policy/index.js');
    const { openServerLedger } = await import('./open.js');
    const db = freshPgDatabase('locks_runs');
    const registry = createRegistry({ db, ledger: openServerLedger(db), policy: resolvePolicy('xinnongbao-2009', {}), schemeStart: '2010-07-01' });
    const runs = createRuns(registry);
    const otherProcess = new PgDatabase(db.url);
    const release = tryDatabaseLock(otherProcess, 'nongbao-run')!;
    expect(() => runs.interest(2011, { dryRun: true })).toThrow(expect.objectContaining({ code: 'run-in-progress', message: expect.stringContaining('another server process') }));
    release();
    expect(() => runs.interest(2011, { dryRun: true })).not.toThrow();
    // The run released the lock when it ended.
    expect(tryDatabaseLock(otherProcess, 'nongbao-run')).toBeDefined();
    otherProcess.close();
    db.close();
  });
});
