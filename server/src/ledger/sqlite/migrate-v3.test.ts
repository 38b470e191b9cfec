// A ledger written by schema 3 (per-transfer hash chain) opens with this code:
// a read-write open re-chains it into blocks (issue #15 section 1;
// migrations.ts says why that way), a broken chain is refused.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openDatabase, type SqliteDatabase } from '../../db.js';
import { Ledger } from '../ledger.js';
import { FUND, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from '../chart.js';
import { A_IND, B_IND, CASH, CITIZEN_A, CITIZEN_B, TERMINAL, testId } from '../test-support.js';
import { GENESIS_HASH } from '../hash.js';
import { MAX_BLOCK_TRANSFERS } from '../block.js';
import { LedgerErrorCode, isLedgerError } from '../errors.js';
import { LEDGER_SCHEMA_VERSION } from './schema.js';
import { writeV3Ledger, type V3Transfer } from './v3-fixture.js';

const ACCOUNTS = [...FUND_ACCOUNT_SPECS, ...personAccountSpecs(CITIZEN_A), ...personAccountSpecs(CITIZEN_B), cashBoxAccountSpec(TERMINAL)];

function cashIn(n: number, to: string, amountFen: number, at: string): V3Transfer {
  return { id: testId(n), debitAccountId: CASH, creditAccountId: to, amountFen, code: 'contribution.individual', at, metaJson: `{"terminalId":"${TERMINAL}","year":2024}` };
}

/** Five batches, 13 transfers: meta, a linked pair, a correction with its reference; checkpointed after seq 7. */
function v3Batches(): V3Transfer[][] {
  return [
    [cashIn(1, A_IND, 10_000, '2024-01-05T02:00:00.000Z'), cashIn(2, B_IND, 20_000, '2024-01-05T03:00:00.000Z'), cashIn(3, A_IND, 500, '2024-02-01T00:00:00.000Z')],
    [
      { id: testId(4), debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 30_500, code: 'collection', at: '2024-02-02T00:00:00.000Z', linked: true },
      { id: testId(5), debitAccountId: FUND.collection, creditAccountId: FUND.inTransit, amountFen: 30_500, code: 'collection', at: '2024-02-02T00:00:00.000Z' },
    ],
    [cashIn(6, B_IND, 700, '2024-03-01T00:00:00.000Z'), cashIn(7, A_IND, 900, '2024-12-31T15:59:59.000Z')],
    [
      { id: testId(8), debitAccountId: A_IND, creditAccountId: CASH, amountFen: 900, code: 'correction', at: '2025-01-02T00:00:00.000Z', reference: testId(7) },
      cashIn(9, A_IND, 1_000, '2025-01-03T00:00:00.000Z'),
      cashIn(10, B_IND, 1_100, '2025-01-03T00:00:00.000Z'),
    ],
    [
      { id: testId(11), debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 77, code: 'pension.account', at: '2025-02-01T00:00:00.000Z' },
      cashIn(12, A_IND, 3, '2025-02-01T00:00:00.000Z'),
      cashIn(13, B_IND, 4, '2025-02-01T00:00:00.000Z'),
    ],
  ];
}

let dir: string;
let path: string;
let db: SqliteDatabase | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nongbao-ledger-v3-'));
  path = join(dir, 'v3.sqlite');
});
afterEach(() => {
  if (db?.open) db.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Balances, dated balances and an account's history: what a migration must not change. */
function answers(ledger: Ledger): unknown {
  return {
    balances: ledger.balances([A_IND, B_IND, CASH, FUND.payout, FUND.collection]),
    before2025: ledger.balance(A_IND, { before: '2025-01-01' }),
    historyB: ledger.transfers({ accountId: B_IND }).map((t) => [t.seq, t.id, t.amountFen, t.at, t.recordedAt]),
    all: ledger.transfers({}).map((t) => [t.seq, t.id, t.debitAccountId, t.creditAccountId, t.amountFen, t.code, t.at, t.reference, t.meta, t.linked]),
  };
}

function schemaVersion(d: SqliteDatabase): string {
  return d.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get() as string;
}

describe('a schema 3 ledger file (per-transfer chain) opened read-write', () => {
  it('is re-chained into one block per original batch, and answers as before', () => {
    const written = writeV3Ledger(path, { accounts: ACCOUNTS, batches: v3Batches(), checkpointSeq: 7 });
    db = openDatabase(path);
    const ledger = Ledger.openSqlite(db);
    expect(schemaVersion(db)).toBe(String(LEDGER_SCHEMA_VERSION));
    expect(ledger.balance(A_IND).balanceFen).toBe(10_000 + 500 + 900 - 900 + 1_000 - 77 + 3);
    expect(ledger.balance(B_IND).balanceFen).toBe(20_000 + 700 + 1_100 + 4);
    expect(ledger.balance(A_IND, { before: '2025-01-01' }).balanceFen).toBe(10_000 + 500 + 900);
    expect(ledger.transfers({ accountId: B_IND }).map((t) => t.id)).toEqual([2, 6, 10, 13].map(testId));
    const blocks = [...ledger.store.scanBlocks()];
    expect(blocks.map((b) => [b.num, b.firstSeq, b.lastSeq])).toEqual([
      [1, 1, 3],
      [2, 4, 5],
      [3, 6, 7],
      [4, 8, 10],
      [5, 11, 13],
    ]);
    expect(blocks[0]!.prevHash).toBe(GENESIS_HASH);
    expect(ledger.getTransfer(testId(9))).toMatchObject({ seq: 9, block: 4, blockIndex: 1, recordedAt: written.recordedAts[3] });
    expect(ledger.store.head()).toEqual({ seq: 13, block: 5, hash: blocks[4]!.hash });
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: 13, blocks: 5, problems: [] });
    // The old head stays on record for an auditor who noted it down.
    expect(db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema3_head'").pluck().get()).toBe(`seq 13 hash ${written.head.hash}`);
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('ledger_transfers') WHERE name IN ('prev_hash', 'hash')").pluck().get()).toBe(0);
  });

  it('answers the same once reopened (nothing migrates twice), and the chain goes on from the migrated blocks', () => {
    writeV3Ledger(path, { accounts: ACCOUNTS, batches: v3Batches(), checkpointSeq: 7 });
    db = openDatabase(path);
    const ledger = Ledger.openSqlite(db);
    const before = answers(ledger);
    ledger.close();
    db.close();
    // Reopened: nothing migrates twice, the same answers.
    db = openDatabase(path);
    const again = Ledger.openSqlite(db);
    expect(answers(again)).toEqual(before);
    const results = again.createTransfers([
      { id: testId(14), debitAccountId: CASH, creditAccountId: A_IND, amountFen: 6, code: 'contribution.individual', at: '2025-03-01' },
      // A retry of a migrated transfer is still `exists`.
      { id: testId(2), debitAccountId: CASH, creditAccountId: B_IND, amountFen: 20_000, code: 'contribution.individual', at: '2024-01-05T03:00:00.000Z', meta: { terminalId: TERMINAL, year: 2024 } },
    ]);
    expect(results.map((r) => [r.result, r.seq])).toEqual([
      ['created', 14],
      ['exists', 2],
    ]);
    const blocks = [...again.store.scanBlocks()];
    expect(blocks[5]).toMatchObject({ num: 6, firstSeq: 14, lastSeq: 14, prevHash: blocks[4]!.hash });
    expect(again.verify()).toMatchObject({ ok: true, transfers: 14, blocks: 6 });
  });

  it('splits an original batch longer than a block holds', () => {
    const big = Array.from({ length: MAX_BLOCK_TRANSFERS + 1 }, (_, i) => cashIn(100 + i, A_IND, 1, '2024-05-01T00:00:00.000Z'));
    writeV3Ledger(path, { accounts: ACCOUNTS, batches: [big], checkpointSeq: 0 });
    db = openDatabase(path);
    const ledger = Ledger.openSqlite(db);
    expect([...ledger.store.scanBlocks()].map((b) => [b.num, b.firstSeq, b.lastSeq])).toEqual([
      [1, 1, MAX_BLOCK_TRANSFERS],
      [2, MAX_BLOCK_TRANSFERS + 1, MAX_BLOCK_TRANSFERS + 1],
    ]);
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: MAX_BLOCK_TRANSFERS + 1, blocks: 2 });
  });

  it('migrates an empty ledger to an empty chain', () => {
    writeV3Ledger(path, { accounts: ACCOUNTS, batches: [], checkpointSeq: 0 });
    db = openDatabase(path);
    const ledger = Ledger.openSqlite(db);
    expect(ledger.store.head()).toEqual({ seq: 0, block: 0, hash: GENESIS_HASH });
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: 0, blocks: 0 });
  });
});

describe('a schema 3 ledger file that cannot be migrated as it stands', () => {
  /** Writes the fixture, then tampers with it as someone holding the file would. */
  function tamperedV3(sql: string): void {
    writeV3Ledger(path, { accounts: ACCOUNTS, batches: v3Batches(), checkpointSeq: 7 });
    const d = new Database(path);
    d.exec('DROP TRIGGER ledger_transfers_no_update; DROP TRIGGER ledger_transfers_no_delete;');
    d.exec(sql);
    d.close();
  }

  it.each([
    ['an edited amount', 'UPDATE ledger_transfers SET amount_fen = 1 WHERE seq = 4', /hash of seq 4 does not match its content/],
    ['a broken link', `UPDATE ledger_transfers SET prev_hash = '${'f'.repeat(64)}' WHERE seq = 9`, /link of seq 9/],
    ['a removed transfer', 'DELETE FROM ledger_transfers WHERE seq = 6', /seq 7 follows 5/],
    ['a removed last transfer', 'DELETE FROM ledger_transfers WHERE seq = 13', /head \(seq 13\) is not the end of its chain \(seq 12\)/],
  ])('is refused, unchanged, when its chain is broken: %s', (_name, sql, why) => {
    tamperedV3(sql);
    db = openDatabase(path);
    let error: unknown;
    try {
      Ledger.openSqlite(db);
    } catch (e) {
      error = e;
    }
    expect(isLedgerError(error) && error.code).toBe(LedgerErrorCode.MigrationRefused);
    expect((error as Error).message).toMatch(why);
    // Nothing of the migration was kept: still schema 3, with its chain columns.
    expect(schemaVersion(db)).toBe('3');
    expect(db.prepare("SELECT count(*) FROM pragma_table_info('ledger_transfers') WHERE name IN ('prev_hash', 'hash')").pluck().get()).toBe(2);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ledger_blocks'").pluck().get()).toBe(0);
  });

  it('is refused read-only (verify), with how to migrate it', () => {
    writeV3Ledger(path, { accounts: ACCOUNTS, batches: v3Batches(), checkpointSeq: 7 });
    db = new Database(path, { readonly: true });
    let error: unknown;
    try {
      Ledger.openSqlite(db, { readonly: true });
    } catch (e) {
      error = e;
    }
    expect(isLedgerError(error) && error.code).toBe(LedgerErrorCode.SchemaVersionMismatch);
    expect((error as Error).message).toMatch(/schema version 3.*read-write once/);
  });
});
