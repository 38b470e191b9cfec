// The SQLite store's account index (schema 3: posting runs, checkpointed) and
// its migrations from schemas 1 and 2 (issue #5 section 7: the speed work must not change
// what balance-on-a-date, transfers({accountId}) and verify answer).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase } from '../db.js';
import { Ledger, MAX_BALANCES_ACCOUNTS } from './ledger.js';
import { FUND, SOURCES, personAccountId } from './chart.js';
import { LedgerErrorCode, isLedgerError } from './errors.js';
import { LEDGER_CACHE_KIB, LEDGER_SCHEMA_VERSION } from './sqlite/schema.js';
import { POSTING_RUN_ENTRIES } from './sqlite/posting-run.js';
import { rewriteAsV3 } from './sqlite/v3-fixture.js';
import { A_IND, B_IND, CASH, CITIZEN_A, expectLedgerError, storedPostings, tempLedger, testId, transfer, type TempLedger } from './test-support.js';
import type { Transfer, TransferInput } from './types.js';

const ACCOUNTS = [CASH, A_IND, B_IND, FUND.payout, FUND.inTransit];

/** 120 transfers over three years, deterministic: cash in to two people, some drawn out, some collected. */
function history(): TransferInput[] {
  const out: TransferInput[] = [];
  for (let n = 1; n <= 120; n++) {
    const day = new Date(Date.UTC(2019, 0, 1) + n * 9 * 86_400_000).toISOString();
    // Times out of seq order too: a late kiosk upload carries an earlier business time.
    const at = n % 7 === 0 ? new Date(Date.UTC(2019, 0, 1) + (n - 40) * 9 * 86_400_000).toISOString() : day;
    if (n % 5 === 0) out.push(transfer(n, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 30 + n, code: 'pension.account', at }));
    else if (n % 11 === 0) out.push(transfer(n, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 5_000, code: 'collection', at }));
    else out.push(transfer(n, { debitAccountId: CASH, creditAccountId: n % 2 === 0 ? A_IND : B_IND, amountFen: 1_000 + n, at }));
  }
  return out;
}

/** What the index must answer, computed from every transfer by brute force. */
function expectedBalanceBefore(all: Transfer[], accountId: string, before: string): { debitsFen: number; creditsFen: number } {
  let debitsFen = 0;
  let creditsFen = 0;
  for (const t of all) {
    if (t.at >= before) continue;
    if (t.debitAccountId === accountId) debitsFen += t.amountFen;
    if (t.creditAccountId === accountId) creditsFen += t.amountFen;
  }
  return { debitsFen, creditsFen };
}

function allTransfers(ledger: Ledger): Transfer[] {
  return ledger.transfers({ limit: 10_000 });
}

const DATES = ['2018-12-31', '2019-01-10', '2019-06-01T00:00:00Z', '2020-01-01', '2020-07-15T10:30:00+08:00', '2021-01-01', '2030-01-01'];

let t: TempLedger;
beforeEach(() => {
  t = tempLedger();
  const results = t.ledger.createTransfers(history());
  expect(results.every((r) => r.result === 'created')).toBe(true);
});
afterEach(() => {
  t.cleanup();
});

// Schema 3: the same answers with every transfer in the unflushed tail (the
// default for a ledger this small), and with the history split by a checkpoint
// (postings up to seq 57, the tail after it).
describe.each([['unflushed', false], ['split by a checkpoint', true]] as const)('the account index (postings), %s', (_mode, split) => {
  beforeEach(() => {
    if (!split) return;
    t.cleanup();
    t = tempLedger();
    const all = history();
    expect(t.ledger.createTransfers(all.slice(0, 57)).every((r) => r.result === 'created')).toBe(true);
    t.ledger.checkpoint();
    expect(t.ledger.createTransfers(all.slice(57)).every((r) => r.result === 'created')).toBe(true);
    expect(t.db.prepare('SELECT seq FROM ledger_checkpoint').pluck().get()).toBe(57);
    expect(storedPostings(t.db)).toHaveLength(114);
  });

  it('stores each transfer exactly as given, through the multi-row statements and the single-row rest', () => {
    // 120 transfers (57 + 63 when split): whole statements of 50 rows and a remainder one by one.
    const stored = allTransfers(t.ledger);
    expect(stored.map((x) => x.seq)).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    history().forEach((input, i) => {
      expect(stored[i]).toMatchObject({ id: input.id, debitAccountId: input.debitAccountId, creditAccountId: input.creditAccountId, amountFen: input.amountFen, code: input.code, at: new Date(input.at).toISOString() });
    });
    // The checkpointed postings (runs of up to POSTING_RUN_ENTRIES per account) agree with the transfers too.
    t.ledger.checkpoint();
    expect(storedPostings(t.db)).toHaveLength(240);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 120, problems: [] });
  });

  it('answers balance before a date like a sum over every transfer', () => {
    const all = allTransfers(t.ledger);
    expect(all).toHaveLength(120);
    for (const accountId of ACCOUNTS) {
      for (const date of DATES) {
        const before = new Date(date).toISOString();
        expect(t.ledger.balance(accountId, { before: date })).toMatchObject(expectedBalanceBefore(all, accountId, before));
      }
    }
  });

  it('pages an account in seq order with every filter combination, like a filter over every transfer', () => {
    const all = allTransfers(t.ledger);
    const filters: { code?: string; from?: string; to?: string }[] = [{}, { code: 'collection' }, { from: '2019-06-01' }, { to: '2020-03-01' }, { code: 'contribution.individual', from: '2019-03-01', to: '2020-01-01' }];
    for (const accountId of ACCOUNTS) {
      for (const f of filters) {
        const from = f.from !== undefined ? new Date(f.from).toISOString() : undefined;
        const to = f.to !== undefined ? new Date(f.to).toISOString() : undefined;
        const expected = all
          .filter((x) => x.debitAccountId === accountId || x.creditAccountId === accountId)
          .filter((x) => f.code === undefined || x.code === f.code)
          .filter((x) => (from === undefined || x.at >= from) && (to === undefined || x.at < to))
          .map((x) => x.seq);
        // Pages of 7, each after the last seq of the previous one.
        const paged: number[] = [];
        for (let afterSeq = 0; ; ) {
          const page = t.ledger.transfers({ accountId, ...f, limit: 7, afterSeq });
          expect(page.length).toBeLessThanOrEqual(7);
          if (page.length === 0) break;
          paged.push(...page.map((x) => x.seq));
          afterSeq = page[page.length - 1]!.seq;
        }
        expect(paged).toEqual(expected);
      }
    }
    // A transfer read through the index is the whole stored transfer.
    expect(t.ledger.transfers({ accountId: A_IND, limit: 1 })[0]).toEqual(t.ledger.getTransfer(testId(2)));
    expect(t.ledger.transfers({ accountId: 'person:nobody:individual' })).toEqual([]);
  });

  it('gives several balances at once, equal to balance() one by one', () => {
    const ids = [...SOURCES.map((s) => personAccountId(CITIZEN_A, s)), CASH, B_IND];
    expect(t.ledger.balances(ids)).toEqual(ids.map((id) => t.ledger.balance(id)));
    expect(t.ledger.balances([])).toEqual([]);
    expectLedgerError(() => t.ledger.balances([A_IND, 'person:nobody:individual']), LedgerErrorCode.AccountNotFound);
    expectLedgerError(() => t.ledger.balances(new Array<string>(MAX_BALANCES_ACCOUNTS + 1).fill(A_IND)), LedgerErrorCode.InvalidQuery);
    expectLedgerError(() => t.ledger.balances('nope' as unknown as string[]), LedgerErrorCode.InvalidQuery);
  });

  it('raises the connection page cache to LEDGER_CACHE_KIB, and never lowers a larger one', () => {
    expect(t.db.pragma('cache_size', { simple: true })).toBe(-LEDGER_CACHE_KIB);
    const db = openDatabase(':memory:');
    db.pragma(`cache_size = -${2 * LEDGER_CACHE_KIB}`);
    Ledger.openSqlite(db);
    expect(db.pragma('cache_size', { simple: true })).toBe(-2 * LEDGER_CACHE_KIB);
    db.close();
  });
});

describe('migrations from schemas 1 and 2', () => {
  /** Turns the file back into schema 1: no postings, the two (account id, at) indexes. */
  function downgradeToV1(): void {
    // Schema 1 wrote balances with every batch: checkpoint so that they are complete, as a real one's are.
    t.ledger.checkpoint();
    rewriteAsV3(t.db);
    t.db.exec(`
      DROP TABLE ledger_posting_runs;
      DROP TABLE ledger_checkpoint;
      CREATE INDEX ledger_transfers_debit_at ON ledger_transfers (debit_account_id, at);
      CREATE INDEX ledger_transfers_credit_at ON ledger_transfers (credit_account_id, at);
      UPDATE ledger_meta SET value = '1' WHERE key = 'schema_version';
    `);
  }

  /** Turns the file back into schema 2: one ledger_postings row per posting, no runs, no checkpoint. */
  function downgradeToV2(): void {
    t.ledger.checkpoint();
    const postings = storedPostings(t.db);
    rewriteAsV3(t.db);
    t.db.exec(`
      DROP TABLE ledger_posting_runs;
      DROP TABLE ledger_checkpoint;
      CREATE TABLE ledger_postings (account_num INTEGER NOT NULL, seq INTEGER NOT NULL, debit_fen INTEGER NOT NULL, credit_fen INTEGER NOT NULL,
        at_ms INTEGER NOT NULL, PRIMARY KEY (account_num, seq)) STRICT, WITHOUT ROWID;
      CREATE TRIGGER ledger_postings_no_update BEFORE UPDATE ON ledger_postings BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
      CREATE TRIGGER ledger_postings_no_delete BEFORE DELETE ON ledger_postings BEGIN SELECT RAISE(ABORT, 'ledger postings are append-only'); END;
      UPDATE ledger_meta SET value = '2' WHERE key = 'schema_version';
    `);
    const insert = t.db.prepare('INSERT INTO ledger_postings VALUES (?, ?, ?, ?, ?)');
    for (const { accountNum, entry } of postings) insert.run(accountNum, entry[0], Math.max(entry[1], 0), Math.max(-entry[1], 0), entry[2]);
  }

  it('migrates a schema 2 ledger on a read-write open: its postings become runs, same answers, verify passes', () => {
    // A fund account with more postings than one run holds, so the migration splits runs.
    const many = Array.from({ length: 2 * POSTING_RUN_ENTRIES + 3 }, (_, i) => transfer(1_000 + i, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 7 + i, code: 'collection' }));
    expect(t.ledger.createTransfers(many).every((r) => r.result === 'created')).toBe(true);
    const accounts = [...ACCOUNTS];
    const balancesBefore = accounts.map((id) => DATES.map((d) => t.ledger.balance(id, { before: d })));
    const pagesBefore = accounts.map((id) => t.ledger.transfers({ accountId: id, limit: 10_000 }));
    t.ledger.checkpoint();
    const postingsBefore = storedPostings(t.db);
    downgradeToV2();
    t = t.reopen();
    expect(t.db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get()).toBe(String(LEDGER_SCHEMA_VERSION));
    expect(t.db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'ledger_postings'").pluck().get()).toBe(0);
    expect(postingsBefore.length).toBeGreaterThan(240);
    expect(storedPostings(t.db).map((p) => [p.accountNum, ...p.entry])).toEqual(postingsBefore.map((p) => [p.accountNum, ...p.entry]));
    const cashNum = t.db.prepare('SELECT num FROM ledger_accounts WHERE id = ?').pluck().get(FUND.inTransit) as number;
    expect(t.db.prepare('SELECT count(*) FROM ledger_posting_runs WHERE account_num = ?').pluck().get(cashNum)).toBeGreaterThanOrEqual(3);
    expect(accounts.map((id) => DATES.map((d) => t.ledger.balance(id, { before: d })))).toEqual(balancesBefore);
    expect(accounts.map((id) => t.ledger.transfers({ accountId: id, limit: 10_000 }))).toEqual(pagesBefore);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 120 + many.length, problems: [] });
  });

  it('migrates a schema 1 ledger on a read-write open: same answers, verify passes, old indexes gone', () => {
    const balancesBefore = ACCOUNTS.map((id) => DATES.map((d) => t.ledger.balance(id, { before: d })));
    const pagesBefore = ACCOUNTS.map((id) => t.ledger.transfers({ accountId: id }));
    const head = t.ledger.store.head();
    downgradeToV1();
    t = t.reopen();
    expect(t.db.prepare("SELECT value FROM ledger_meta WHERE key = 'schema_version'").pluck().get()).toBe(String(LEDGER_SCHEMA_VERSION));
    expect(t.db.prepare("SELECT count(*) FROM sqlite_master WHERE name LIKE 'ledger_transfers_%_at'").pluck().get()).toBe(0);
    expect(storedPostings(t.db)).toHaveLength(240);
    expect(ACCOUNTS.map((id) => DATES.map((d) => t.ledger.balance(id, { before: d })))).toEqual(balancesBefore);
    expect(ACCOUNTS.map((id) => t.ledger.transfers({ accountId: id }))).toEqual(pagesBefore);
    expect(t.ledger.store.head()).toEqual(head);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 120 });
    // The chain goes on after the migration.
    expect(t.ledger.createTransfers([transfer(500, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1 })])[0]).toMatchObject({ result: 'created', seq: 121 });
    expect(t.ledger.verify().ok).toBe(true);
  });

  it('refuses a schema 1 ledger opened read-only (verify), saying how to migrate it', () => {
    downgradeToV1();
    const db = new Database(t.path, { readonly: true });
    try {
      Ledger.openSqlite(db, { readonly: true });
      throw new Error('expected a LedgerError');
    } catch (error) {
      expect(isLedgerError(error) && error.code).toBe(LedgerErrorCode.SchemaVersionMismatch);
      expect((error as Error).message).toMatch(/read-write once/);
    } finally {
      db.close();
    }
  });
});
