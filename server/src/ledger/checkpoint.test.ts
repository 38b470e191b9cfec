// Schema 3 checkpoints (issue #5 section 7; sqlite/store.ts header): a batch
// commits only its transfer rows; balances and postings of the tail are kept in
// memory and written at checkpoints. These tests hold the promises that make
// that safe: a crash between checkpoints loses nothing, a checkpoint is exact,
// a rolled-back enclosing transaction leaves no trace in memory, and a
// read-only verify accounts for the unflushed tail.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { openDatabase, type SqliteDatabase } from '../db.js';
import { Ledger } from './ledger.js';
import { FUND, personAccountId } from './chart.js';
import { SqliteLedgerStore } from './sqlite/store.js';
import { A_IND, B_IND, CASH, storedPostings, tempLedger, testId, transfer, type TempLedger } from './test-support.js';


let t: TempLedger;
beforeEach(() => {
  t = tempLedger();
});
afterEach(() => {
  t.cleanup();
});

function checkpointSeq(db: SqliteDatabase): number {
  return db.prepare('SELECT seq FROM ledger_checkpoint').pluck().get() as number;
}

/** The stored (checkpointed) debits/credits of an account, bypassing the ledger. */
function storedTotals(db: SqliteDatabase, id: string): [number, number] {
  return db
    .prepare('SELECT b.debits_fen, b.credits_fen FROM ledger_balances b JOIN ledger_accounts a ON a.num = b.num WHERE a.id = ?')
    .raw()
    .get(id) as [number, number];
}

/** Cash in to A and B, then A pays some out: 3 transfers per round. */
function round(n: number): ReturnType<typeof transfer>[] {
  return [
    transfer(3 * n, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1_000 }),
    transfer(3 * n + 1, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 2_000 }),
    transfer(3 * n + 2, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 300, code: 'pension.account' }),
  ];
}

describe('crash between checkpoints', () => {
  it('loses nothing: reopened without a checkpoint, balances, must-not-go-negative and verify are right', () => {
    for (let n = 1; n <= 4; n++) expect(t.ledger.createTransfers(round(n)).every((r) => r.result === 'created')).toBe(true);
    const before = t.ledger.balances([CASH, A_IND, B_IND, FUND.payout]);
    expect(before.map((b) => b.balanceFen)).toEqual([12_000, 2_800, 8_000, -1_200]);
    // The crash: the connection goes away without ledger.close(), so no checkpoint is written.
    t.db.close();
    const db = openDatabase(t.path);
    try {
      // The file holds the transfers but not their balances: only a replay can answer.
      expect(checkpointSeq(db)).toBe(0);
      expect(storedTotals(db, A_IND)).toEqual([0, 0]);
      const ledger = Ledger.openSqlite(db);
      expect(ledger.balances([CASH, A_IND, B_IND, FUND.payout])).toEqual(before);
      expect((ledger.store as SqliteLedgerStore).unflushedTransfers).toBe(12);
      // must-not-go-negative is checked against the replayed balance: 2 800 fen, not 0.
      const overdraw = ledger.createTransfers([transfer(100, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 2_801, code: 'pension.account' })]);
      expect(overdraw[0]!.result).toBe('would_go_negative');
      const spend = ledger.createTransfers([transfer(101, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 2_800, code: 'pension.account' })]);
      expect(spend[0]).toMatchObject({ result: 'created', seq: 13 });
      expect(ledger.balance(A_IND).balanceFen).toBe(0);
      expect(ledger.verify()).toMatchObject({ ok: true, transfers: 13, problems: [] });
      // An id seen before the crash is still `exists` (the transfer rows are the truth).
      expect(ledger.createTransfers(round(1))[0]).toMatchObject({ result: 'exists', seq: 1 });
      ledger.close();
      // close() checkpoints: the file now holds the balances itself.
      expect(checkpointSeq(db)).toBe(13);
      expect(storedTotals(db, A_IND)).toEqual([1_200 + 2_800, 4_000]);
    } finally {
      db.close();
    }
  });
});

describe('checkpoint ordering', () => {
  it('checkpoints every N transfers, and the stored balances and postings are exactly the transfers up to the checkpoint', () => {
    t.cleanup();
    t = tempLedger();
    const ledger = Ledger.openSqlite(t.db, { checkpointTransfers: 10 });
    const seen: number[] = [];
    for (let n = 1; n <= 9; n++) {
      ledger.createTransfers(round(n));
      const cp = checkpointSeq(t.db);
      if (seen[seen.length - 1] !== cp) seen.push(cp);
      // Balances and postings in the file are the sums of the transfers with seq <= checkpoint, never more or less.
      const [d, c] = t.db
        .prepare(
          `SELECT COALESCE(SUM(CASE WHEN debit_account_id = ? THEN amount_fen END), 0), COALESCE(SUM(CASE WHEN credit_account_id = ? THEN amount_fen END), 0)
           FROM ledger_transfers WHERE seq <= ?`,
        )
        .raw()
        .get(A_IND, A_IND, cp) as [number, number];
      expect(storedTotals(t.db, A_IND)).toEqual([d, c]);
      const postings = storedPostings(t.db);
      expect(postings).toHaveLength(2 * cp);
      expect(Math.max(0, ...postings.map((p) => p.entry[0]))).toBe(cp);
      // And the ledger's answers include the tail.
      expect(ledger.balance(A_IND).balanceFen).toBe(n * 700);
    }
    // Batches of 3: the checkpoint falls at the first batch end at or past 10 unflushed transfers.
    expect(seen).toEqual([0, 12, 24]);
    expect(ledger.verify().ok).toBe(true);
  });

  it('a checkpoint rolled back with its enclosing transaction is redone, and memory follows the rollback', () => {
    for (let n = 1; n <= 2; n++) t.ledger.createTransfers(round(n));
    const txn = t.db.transaction(() => {
      t.ledger.createTransfers(round(3));
      t.ledger.checkpoint();
      expect(checkpointSeq(t.db)).toBe(9);
      expect(t.ledger.balance(A_IND).balanceFen).toBe(2_100);
      throw new Error('registry step failed');
    });
    expect(() => txn()).toThrow(/registry step failed/);
    // The file is back at seq 6 with no checkpoint; memory must not keep the rolled-back batch or checkpoint.
    expect(checkpointSeq(t.db)).toBe(0);
    expect(t.ledger.store.head().seq).toBe(6);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(1_400);
    expect(t.ledger.getTransfer(testId(9))).toBeUndefined();
    // The same without a checkpoint in the rolled-back transaction: the batch was only in memory's tail.
    const txn2 = t.db.transaction(() => {
      t.ledger.createTransfers(round(3));
      expect(t.ledger.balance(A_IND).balanceFen).toBe(2_100);
      throw new Error('registry step failed again');
    });
    expect(() => txn2()).toThrow(/again/);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(1_400);
    // A rolled-back credit cannot be spent.
    const r = t.ledger.createTransfers([transfer(200, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 1_401, code: 'pension.account' })]);
    expect(r[0]!.result).toBe('would_go_negative');
    t.ledger.checkpoint();
    expect(checkpointSeq(t.db)).toBe(6);
    expect(storedTotals(t.db, A_IND)).toEqual([600, 2_000]);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 6 });
  });
});

describe('the account cache', () => {
  it('forgets nothing it should not keep: an account created in a rolled-back enclosing transaction is not found afterwards', () => {
    const NEW = personAccountId('110101200001011111', 'individual');
    const txn = t.db.transaction(() => {
      t.ledger.ensureAccounts([{ id: NEW, kind: 'person.individual', normal: 'credit', mustNotGoNegative: true }]);
      expect(t.ledger.createTransfers([transfer(300, { debitAccountId: CASH, creditAccountId: NEW, amountFen: 500 })])[0]!.result).toBe('created');
      throw new Error('registry step failed');
    });
    expect(() => txn()).toThrow(/registry step failed/);
    expect(t.ledger.createTransfers([transfer(301, { debitAccountId: CASH, creditAccountId: NEW, amountFen: 500 })])[0]!.result).toBe('account_not_found');
    // Cached accounts keep answering right across checkpoints.
    t.ledger.createTransfers(round(1));
    t.ledger.checkpoint();
    t.ledger.createTransfers(round(2));
    expect(t.ledger.balance(A_IND).balanceFen).toBe(1_400);
    const overdraw = t.ledger.createTransfers([transfer(302, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 1_401, code: 'pension.account' })]);
    expect(overdraw[0]!.result).toBe('would_go_negative');
    expect(t.ledger.verify().ok).toBe(true);
  });
});

describe('the account cache inside enclosing transactions', () => {
  const NEW = personAccountId('110101200001011111', 'individual');
  const OTHER = personAccountId('110101200001022222', 'individual');
  const spec = (id: string) => ({ id, kind: 'person.individual', normal: 'credit' as const, mustNotGoNegative: true });
  const num = (id: string) => t.db.prepare('SELECT num FROM ledger_accounts WHERE id = ?').pluck().get(id) as number | undefined;

  it('a number freed by a rollback and given to another account is never read through the cache as the old one', () => {
    let freed = 0;
    expect(() =>
      t.db.transaction(() => {
        t.ledger.ensureAccounts([spec(NEW)]);
        freed = num(NEW)!;
        // Cached here, inside the caller's transaction.
        expect(t.ledger.balances([NEW])[0]!.balanceFen).toBe(0);
        expect(t.ledger.createTransfers([transfer(400, { debitAccountId: CASH, creditAccountId: NEW, amountFen: 500 })])[0]!.result).toBe('created');
        throw new Error('registry step failed');
      })(),
    ).toThrow(/registry step failed/);
    // Another enclosing transaction creates another account, which gets the freed number, and commits.
    t.db.transaction(() => {
      t.ledger.ensureAccounts([spec(OTHER)]);
      expect(t.ledger.createTransfers([transfer(401, { debitAccountId: CASH, creditAccountId: OTHER, amountFen: 700 })])[0]!.result).toBe('created');
    })();
    expect(num(OTHER)).toBe(freed);
    // The rolled-back account is gone, whatever the cache once held, and the other account's money is its own.
    expect(t.ledger.createTransfers([transfer(402, { debitAccountId: CASH, creditAccountId: NEW, amountFen: 1 })])[0]!.result).toBe('account_not_found');
    expect(() => t.ledger.balances([NEW])).toThrow(/no account/);
    expect(t.ledger.balances([OTHER])[0]!.balanceFen).toBe(700);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 1 });
  });

  it('accounts read in a committed enclosing transaction are served from the cache afterwards, with the right totals', () => {
    t.db.transaction(() => {
      t.ledger.ensureAccounts([spec(NEW)]);
      t.ledger.createTransfers([transfer(410, { debitAccountId: CASH, creditAccountId: NEW, amountFen: 900 })]);
    })();
    t.ledger.checkpoint();
    t.db.transaction(() => {
      expect(t.ledger.createTransfers([transfer(411, { debitAccountId: NEW, creditAccountId: FUND.payout, amountFen: 901, code: 'pension.account' })])[0]!.result).toBe(
        'would_go_negative',
      );
      expect(t.ledger.createTransfers([transfer(412, { debitAccountId: NEW, creditAccountId: FUND.payout, amountFen: 400, code: 'pension.account' })])[0]!.result).toBe('created');
    })();
    t.ledger.checkpoint();
    expect(t.ledger.balances([NEW])[0]!.balanceFen).toBe(500);
    expect(storedTotals(t.db, NEW)).toEqual([400, 900]);
    expect(t.ledger.verify().ok).toBe(true);
  });
});

describe('verify with unflushed transfers', () => {
  it('a read-only verify replays the tail while the writer appends, instead of reporting a mismatch', () => {
    t.ledger.createTransfers(round(1));
    t.ledger.checkpoint();
    t.ledger.createTransfers(round(2));
    const reader = new Database(t.path, { readonly: true, fileMustExist: true });
    try {
      const ro = Ledger.openSqlite(reader, { readonly: true });
      expect(checkpointSeq(reader)).toBe(3);
      expect(ro.verify()).toMatchObject({ ok: true, transfers: 6, problems: [] });
      expect(ro.balance(A_IND).balanceFen).toBe(1_400);
      // The writer goes on (no checkpoint); the same reader catches up.
      t.ledger.createTransfers(round(3));
      expect(ro.verify()).toMatchObject({ ok: true, transfers: 9 });
      expect(ro.balance(A_IND).balanceFen).toBe(2_100);
      expect(ro.transfers({ accountId: A_IND }).map((x) => x.seq)).toEqual([1, 3, 4, 6, 7, 9]);
      // A read-only ledger cannot checkpoint.
      expect(() => ro.checkpoint()).toThrow(/read-only/);
      // A tampered checkpointed balance is still caught with a tail on top of it.
      t.db.exec(`UPDATE ledger_balances SET credits_fen = credits_fen + 5 WHERE num = (SELECT num FROM ledger_accounts WHERE id = '${B_IND}')`);
      expect(ro.verify().problems).toContainEqual(expect.objectContaining({ kind: 'balance_mismatch', accountId: B_IND }));
      // So is a moved checkpoint (the tail would count seq 3 twice).
      t.db.exec(`UPDATE ledger_balances SET credits_fen = credits_fen - 5 WHERE num = (SELECT num FROM ledger_accounts WHERE id = '${B_IND}')`);
      t.db.exec('UPDATE ledger_checkpoint SET seq = 2');
      expect(ro.verify().ok).toBe(false);
      ro.close();
    } finally {
      reader.close();
    }
  });
});
