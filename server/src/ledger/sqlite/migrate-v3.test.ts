// A ledger written by schema 3 (per-transfer hash chain) opens with this code.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type SqliteDatabase } from '../../db.js';
import { Ledger } from '../ledger.js';
import { FUND, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from '../chart.js';
import { A_IND, B_IND, CASH, CITIZEN_A, CITIZEN_B, TERMINAL, testId } from '../test-support.js';
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

describe('a schema 3 ledger file', () => {
  it('opens with its balances, history and chain intact', () => {
    const written = writeV3Ledger(path, { accounts: ACCOUNTS, batches: v3Batches(), checkpointSeq: 7 });
    db = openDatabase(path);
    const ledger = Ledger.openSqlite(db);
    expect(ledger.balance(A_IND).balanceFen).toBe(10_000 + 500 + 900 - 900 + 1_000 - 77 + 3);
    expect(ledger.balance(B_IND).balanceFen).toBe(20_000 + 700 + 1_100 + 4);
    expect(ledger.balance(A_IND, { before: '2025-01-01' }).balanceFen).toBe(10_000 + 500 + 900);
    expect(ledger.transfers({ accountId: B_IND }).map((t) => t.id)).toEqual([2, 6, 10, 13].map(testId));
    expect(ledger.verify()).toMatchObject({ ok: true, transfers: 13, problems: [] });
    expect(written.head.seq).toBe(13);
  });
});
