import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JOURNAL_SCHEMA_VERSION, Journal } from './journal.js';

describe('the kiosk journal', () => {
  it('upgrades a version-1 journal in place, keeping the queued money events', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nb-journal-')), 'journal.sqlite');
    // What version 1 wrote: an outbox that took payments and cash credits only.
    const v1 = new Database(path);
    v1.exec(`
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit')),
        payload_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        result TEXT
      ) STRICT;
      INSERT INTO outbox (id, kind, payload_json, created_at) VALUES ('p1', 'payment', '{"v":1}', '2026-11-20T10:00:00Z');
    `);
    v1.close();

    const journal = new Journal(path);
    journal.queueCertification({ v: 1, id: '01a20562-9ad7-7028-b880-1783f7c2e6ec', citizenNumber: '11010519491231002X', certifiedOn: '2026-11-22', certifiedAt: '2026-11-22T02:00:00Z', cardSession: 'e30.c2ln' }, '2026-11-22T10:00:00Z');
    expect(journal.pendingOutbox().map((e) => [e.id, e.kind])).toEqual([
      ['p1', 'payment'],
      ['01a20562-9ad7-7028-b880-1783f7c2e6ec', 'certification'],
    ]);
    expect(journal.db.pragma('user_version', { simple: true })).toBe(JOURNAL_SCHEMA_VERSION);
    journal.close();
    // Opening again is a no-op.
    const again = new Journal(path);
    expect(again.pendingOutbox()).toHaveLength(2);
    again.close();
  });

  it('never takes more cash into a payment than is due', () => {
    const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-journal-')), 'journal.sqlite'));
    journal.openPayment({ id: 'p', citizenNumber: '11010519491231002X', year: 2026, tierYuan: 100, dueFen: 10_000, openedAt: '2026-11-22T10:00:00Z' });
    journal.noteStacking('p', 1, 10_000, '2026-11-22T10:00:01Z');
    journal.noteStacking('p', 2, 10_000, '2026-11-22T10:00:02Z');
    journal.noteCredited(10_000, 3, '2026-11-22T10:00:03Z');
    // A second credit would overfill the payment: it is kept as unattributed cash instead.
    expect(journal.noteCredited(10_000, 4, '2026-11-22T10:00:04Z')).toEqual({ unattributed: true });
    expect(journal.payment('p')!.stackedFen).toBe(10_000);
    expect(journal.deviceCounter()).toBe(4);
    expect(journal.db.prepare('SELECT amount_fen FROM unattributed_cash').all()).toEqual([{ amount_fen: 10_000 }]);
    journal.close();
  });
});
