// Journal schema changes are expand-then-contract (issue 13 section 3), so
// the version before can still read the journal after a rollback: this
// version opens a journal a later one expanded (a column and a table it does
// not know, user_version above its own), reads and writes it as usual, and
// leaves the later version's marks in place for when it comes back.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JOURNAL_SCHEMA_VERSION, Journal } from './index.js';

const PAYMENT = '01936d3c-1b2a-7cde-8f00-0123456789ab';
const CERTIFICATION = '01936d3c-1b2a-7cde-8f00-0123456789ac';

describe('a journal a newer version expanded', () => {
  it('is read and written by this version after a rollback, keeping what the newer one added', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nb-journal-expand-')), 'journal.sqlite');
    const before = new Journal(path);
    before.payments.open({ id: PAYMENT, citizenNumber: '11010519491231002X', year: 2026, tierYuan: 100, dueFen: 10_000, openedAt: '2026-12-01T02:00:00Z' });
    before.close();

    // The newer version's migration: expand only (a column, a table, its version).
    const newer = new Database(path);
    newer.exec(`
      ALTER TABLE payment ADD COLUMN collection_id TEXT;
      CREATE TABLE cash_collection (id TEXT PRIMARY KEY, started_at TEXT NOT NULL) STRICT;
      INSERT INTO cash_collection (id, started_at) VALUES ('c1', '2026-12-02T02:00:00Z');
      UPDATE payment SET collection_id = 'c1';
    `);
    newer.pragma(`user_version = ${JOURNAL_SCHEMA_VERSION + 1}`);
    newer.close();

    const rolledBack = new Journal(path);
    expect(rolledBack.payments.get(PAYMENT)).toMatchObject({ id: PAYMENT, state: 'open', dueFen: 10_000 });
    rolledBack.queueCertification({ id: CERTIFICATION, citizenNumber: '11010519491231002X', certifiedOn: '2026-12-03', certifiedAt: '2026-12-03T02:00:00Z', cardSession: 'e30.c2ln' });
    rolledBack.raiseAlarm('clock-drift', 'test');
    expect(rolledBack.stats()).toMatchObject({ outboxPending: 1, openPayments: 1 });
    expect(rolledBack.db.pragma('quick_check', { simple: true })).toBe('ok');
    expect(rolledBack.db.pragma('user_version', { simple: true })).toBe(JOURNAL_SCHEMA_VERSION + 1);
    rolledBack.close();

    const back = new Database(path, { readonly: true });
    expect(back.prepare('SELECT collection_id FROM payment WHERE id = ?').get(PAYMENT)).toEqual({ collection_id: 'c1' });
    expect(back.prepare('SELECT COUNT(*) AS n FROM cash_collection').get()).toEqual({ n: 1 });
    back.close();
  });
});
