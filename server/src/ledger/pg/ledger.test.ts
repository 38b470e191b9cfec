// The Ledger on the PostgreSQL store: the same results as on SQLite
// (created, exists, exists_with_different_*, must-not-go-negative), and verify
// finding every tampering with a transfer (issue #15 section 1) in rows
// PostgreSQL keeps, as someone holding the database would make it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PgDatabase } from '../../sql/pg-database.js';
import { freshPgDatabase } from '../../sql/test-pg.js';
import { FUND, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from '../chart.js';
import { A_IND, B_IND, CASH, CITIZEN_A, CITIZEN_B, TERMINAL, testId, transfer } from '../test-support.js';
import type { Ledger } from '../ledger.js';
import type { VerifyProblemKind } from '../types.js';
import { openPgLedger } from './store.js';

let db: PgDatabase;
let ledger: Ledger;

beforeEach(() => {
  db = freshPgDatabase('ledger_pg');
  ledger = openPgLedger(db);
  ledger.ensureAccounts([...FUND_ACCOUNT_SPECS, ...personAccountSpecs(CITIZEN_A), ...personAccountSpecs(CITIZEN_B), cashBoxAccountSpec(TERMINAL)]);
  // Five transfers in two batches: block 1 holds seq 1-3, block 2 seq 4-5.
  ledger.createTransfers([
    transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000 }),
    transfer(2, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 20_000 }),
    transfer(3, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 30_000, code: 'collection' }),
  ]);
  ledger.createTransfers([
    transfer(4, { debitAccountId: FUND.collection, creditAccountId: FUND.inTransit, amountFen: 30_000, code: 'collection' }),
    transfer(5, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 72, code: 'pension.account' }),
  ]);
});

afterEach(() => {
  ledger.close();
  db.close();
});

/** Tampering goes around the ledger: drop the append-only triggers first. */
function tamper(sql: string): void {
  for (const table of ['ledger_transfers', 'ledger_blocks']) db.exec(`DROP TRIGGER IF EXISTS ${table}_append_only ON ${table}`);
  db.exec(sql);
}

function kinds(): VerifyProblemKind[] {
  return [...new Set(ledger.verify().problems.map((p) => p.kind))].sort();
}

describe('the Ledger on PostgreSQL', () => {
  it('answers created, exists and exists_with_different_amount, and refuses to overdraw a cash box', () => {
    expect(ledger.createTransfers([transfer(6, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 5 })])).toEqual([{ id: testId(6), result: 'created', seq: 6 }]);
    expect(ledger.createTransfers([transfer(6, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 5 })])[0]!.result).toBe('exists');
    expect(ledger.createTransfers([transfer(6, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 6 })])[0]!.result).toBe('exists_with_different_amount');
    // The cash box holds 5 fen now (30 005 in, 30 000 out): 6 fen out would overdraw it.
    expect(ledger.balance(CASH).balanceFen).toBe(5);
    expect(ledger.createTransfers([transfer(7, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 6, code: 'collection' })])[0]!.result).toBe('would_go_negative');
    expect(ledger.balance(A_IND, { before: '2024-03-01T08:00:00.000Z' }).balanceFen).toBe(0);
    expect(ledger.transfers({ accountId: A_IND }).map((t) => t.seq)).toEqual([1, 5, 6]);
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: 6, blocks: 3 });
  });

  it('refuses at the database level to edit, delete or truncate a transfer or a block', () => {
    expect(() => db.exec('UPDATE ledger_transfers SET amount_fen = 1')).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM ledger_transfers')).toThrow(/append-only/);
    expect(() => db.exec('TRUNCATE ledger_transfers')).toThrow(/append-only/);
    expect(() => db.exec("UPDATE ledger_blocks SET digest = ''")).toThrow(/append-only/);
    expect(() => db.exec('DELETE FROM ledger_blocks')).toThrow(/append-only/);
    expect(ledger.verify().ok).toBe(true);
  });
});

describe('verify on PostgreSQL finds every tampering with a transfer (issue #15 section 1)', () => {
  it('passes the untouched ledger', () => {
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: 5, blocks: 2, headBlock: 2, totalDebitsFen: '90072' });
  });

  it('an edited amount: its block no longer hashes to its digest, and the balances no longer sum', () => {
    tamper('UPDATE ledger_transfers SET amount_fen = 1000 WHERE seq = 1');
    const problems = ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'balance_mismatch', accountId: A_IND }));
  });

  it('a removed transfer: its block lacks its seq and no longer hashes to its digest', () => {
    tamper('DELETE FROM ledger_transfers WHERE seq = 2');
    const problems = ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'chain_seq_gap', block: 1, seq: 2 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 }));
  });

  it('two transfers reordered, their indexes fixed to match: the digest finds it', () => {
    tamper('UPDATE ledger_transfers SET seq = -1 WHERE seq = 1; UPDATE ledger_transfers SET seq = 1 WHERE seq = 2; UPDATE ledger_transfers SET seq = 2 WHERE seq = -1; UPDATE ledger_transfers SET block_index = seq - 1 WHERE block = 1');
    expect(ledger.verify().problems).toEqual([expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 })]);
  });

  it('a forged transfer inserted after the last block lies in no block; one squeezed into a block breaks its digest and hash', () => {
    const forged = (seq: number, block: number, index: number): string =>
      `INSERT INTO ledger_transfers (seq, id, debit_account_id, credit_account_id, debit_num, credit_num, amount_fen, code, at, reference, meta, linked, recorded_at, block, block_index)
       SELECT ${seq}, '${testId(60 + seq)}', '${A_IND}', '${FUND.payout}', a.num, p.num, 9000, 'pension.account', t.at, NULL, '', 0, t.recorded_at, ${block}, ${index}
       FROM ledger_transfers t, ledger_accounts a, ledger_accounts p WHERE t.seq = 2 AND a.id = '${A_IND}' AND p.id = '${FUND.payout}'`;
    tamper(forged(6, 2, 2));
    expect(ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'transfer_block_mismatch', seq: 6, transferId: testId(66) }));
    tamper(`DELETE FROM ledger_transfers WHERE seq = 6;
      UPDATE ledger_transfers SET seq = -(seq + 1) WHERE seq >= 3;
      UPDATE ledger_transfers SET seq = -seq, block_index = block_index + (block = 1)::int WHERE seq < 0;
      ${forged(3, 1, 2)};
      UPDATE ledger_blocks SET last_seq = last_seq + 1, first_seq = first_seq + (num = 2)::int`);
    const problems = ledger.verify().problems;
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 1 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'chain_hash_mismatch', block: 1 }));
    expect(problems).toContainEqual(expect.objectContaining({ kind: 'block_digest_mismatch', block: 2 }));
  });

  it('a transfer filed under another account in the account index: the index no longer sums', () => {
    tamper(`UPDATE ledger_transfers SET credit_num = (SELECT num FROM ledger_accounts WHERE id = '${B_IND}') WHERE seq = 1`);
    expect(kinds()).toEqual(['index_mismatch']);
    expect(ledger.balance(A_IND, { before: '2030-01-01T00:00:00.000Z' }).creditsFen).toBe(0);
  });

  it('an edited balance, and a deleted last block through the head', () => {
    db.exec(`UPDATE ledger_accounts SET credits_fen = credits_fen + 500 WHERE id = '${B_IND}'`);
    expect(kinds()).toEqual(['balance_mismatch', 'books_unbalanced']);
    tamper('DELETE FROM ledger_transfers WHERE seq >= 4; DELETE FROM ledger_blocks WHERE num = 2');
    expect(ledger.verify().problems).toContainEqual(expect.objectContaining({ kind: 'chain_head_mismatch', block: 2 }));
  });
});
