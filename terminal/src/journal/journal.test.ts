import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { JOURNAL_SCHEMA_VERSION, Journal } from './index.js';

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
    journal.queueCertification({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ec', citizenNumber: '11010519491231002X', certifiedOn: '2026-11-22', certifiedAt: '2026-11-22T02:00:00Z', cardSession: 'e30.c2ln' });
    expect(journal.outbox.pending(100).map((e) => [e.id, e.kind])).toEqual([
      ['p1', 'payment'],
      ['01a20562-9ad7-7028-b880-1783f7c2e6ec', 'certification'],
    ]);
    expect(journal.db.pragma('user_version', { simple: true })).toBe(JOURNAL_SCHEMA_VERSION);
    journal.close();
    // Opening again is a no-op.
    const again = new Journal(path);
    expect(again.outbox.pending(100)).toHaveLength(2);
    again.close();
  });

  it('never takes more cash into a payment than is due', () => {
    const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-journal-')), 'journal.sqlite'));
    journal.payments.open({ id: 'p', citizenNumber: '11010519491231002X', year: 2026, tierYuan: 100, dueFen: 10_000, openedAt: '2026-11-22T10:00:00Z' });
    journal.payments.noteStacking('p', 1, 10_000, '2026-11-22T10:00:01Z');
    journal.payments.noteStacking('p', 2, 10_000, '2026-11-22T10:00:02Z');
    journal.noteCredited(10_000, 3, '2026-11-22T10:00:03Z');
    // A second credit would overfill the payment: it is kept as unattributed cash instead.
    expect(journal.noteCredited(10_000, 4, '2026-11-22T10:00:04Z')).toEqual({ unattributed: true });
    expect(journal.payments.get('p')!.stackedFen).toBe(10_000);
    expect(journal.deviceCounter()).toBe(4);
    expect(journal.db.prepare('SELECT amount_fen FROM unattributed_cash').all()).toEqual([{ amount_fen: 10_000 }]);
    journal.close();
  });

  it('upgrades a version-2 journal: certifications get their rows, answered entries are done, pending ones stay pending', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nb-journal-')), 'journal.sqlite');
    const v2 = new Database(path);
    v2.exec(`
      CREATE TABLE outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
        payload_json TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, sent_at TEXT, result TEXT
      ) STRICT;
      INSERT INTO outbox (id, kind, payload_json, created_at, sent_at, result) VALUES ('c1', 'certification',
        '{"v":1,"id":"c1","citizenNumber":"11010519491231002X","certifiedOn":"2026-11-20"}', '2026-11-20T10:00:00Z', '2026-11-20T10:00:05Z', 'created');
      INSERT INTO outbox (id, kind, payload_json, created_at) VALUES ('c2', 'certification',
        '{"v":1,"id":"c2","citizenNumber":"11010519491231002X","certifiedOn":"2026-11-21"}', '2026-11-21T10:00:00Z');
      PRAGMA user_version = 2;
    `);
    v2.close();
    const journal = new Journal(path);
    expect(journal.outbox.get('c1')).toMatchObject({ state: 'done', result: 'created' });
    expect(journal.outbox.pending(100).map((e) => e.id)).toEqual(['c2']);
    expect(journal.certification('c2')).toMatchObject({ citizenNumber: '11010519491231002X', certifiedOn: '2026-11-21', cardSession: '' });
    journal.close();
  });

  it('upgrades a version-3 journal to take collections, keeping its rows where version 3 reads them', () => {
    const path = join(mkdtempSync(join(tmpdir(), 'nb-journal-')), 'journal.sqlite');
    const v3 = new Journal(path);
    v3.payments.open({ id: 'p', citizenNumber: '11010519491231002X', year: 2026, tierYuan: 100, dueFen: 10_000, openedAt: '2026-11-22T10:00:00Z' });
    v3.payments.noteStacking('p', 1, 10_000, '2026-11-22T10:00:01Z');
    v3.noteCredited(10_000, 1, '2026-11-22T10:00:02Z');
    v3.completePayment('p', '2026-11-22T10:00:03Z');
    v3.close();
    // Put the file back to what version 3 wrote: its outbox CHECK, no collection columns or table.
    const raw = new Database(path);
    raw.exec(`
      DROP TABLE collection;
      ALTER TABLE payment_note DROP COLUMN collection_id;
      ALTER TABLE unattributed_cash DROP COLUMN collection_id;
      ALTER TABLE outbox RENAME TO outbox_new;
      CREATE TABLE outbox (id TEXT PRIMARY KEY, kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
        payload_json TEXT NOT NULL, created_at TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, sent_at TEXT, result TEXT,
        state TEXT NOT NULL DEFAULT 'pending', booking TEXT, reason TEXT, outcome_json TEXT) STRICT;
      INSERT INTO outbox SELECT * FROM outbox_new;
      DROP TABLE outbox_new;
      PRAGMA user_version = 3;
    `);
    expect(() => raw.prepare("INSERT INTO outbox (id, kind, payload_json, created_at) VALUES ('x', 'collection', '{}', 'now')").run()).toThrow(/CHECK/);
    raw.close();

    const v4 = new Journal(path);
    expect(v4.db.pragma('user_version', { simple: true })).toBe(JOURNAL_SCHEMA_VERSION);
    expect(v4.outbox.pending(10).map((e) => [e.id, e.kind])).toEqual([['p', 'payment']]);
    expect(v4.collections.inBox()).toMatchObject({ amountFen: 10_000, payments: { count: 1, amountFen: 10_000 } });
    const started = v4.startCollection({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ec', staffCardNumber: 'S00000001', startedAt: '2026-11-22T11:00:00Z' });
    expect(started.ok).toBe(true);
    expect(v4.outbox.pending(10).map((e) => e.kind)).toEqual(['payment', 'collection']);
    v4.close();
    // What version 3 reads, by the columns it knows, is still there.
    const old = new Database(path, { readonly: true });
    expect(old.prepare("SELECT id, kind, payload_json, created_at, attempts, sent_at, result, state FROM outbox WHERE state = 'pending' ORDER BY rowid").all()).toHaveLength(2);
    expect(old.prepare('SELECT payment_id, escrow_counter, amount_fen, state, decided_at, stacked_at FROM payment_note').all()).toHaveLength(1);
    old.close();
  });
});
