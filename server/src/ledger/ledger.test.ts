import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { openDatabase } from '../db.js';
import { Ledger, MAX_BATCH_TRANSFERS } from './ledger.js';
import { FUND, personAccountId, personAccountSpecs, SOURCES } from './chart.js';
import { LedgerErrorCode } from './errors.js';
import { GENESIS_HASH } from './hash.js';
import type { TransferInput } from './types.js';
import { A_GOV, A_IND, B_IND, CASH, CITIZEN_A, expectLedgerError, tempLedger, testId, transfer, type TempLedger } from './test-support.js';


let t: TempLedger;
beforeEach(() => {
  t = tempLedger();
});
afterEach(() => {
  t.cleanup();
});

describe('createTransfers results', () => {
  it('creates a transfer, moves both balances and chains it in the first block, linked to the genesis hash', () => {
    const results = t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000 })]);
    expect(results).toEqual([{ id: testId(1), result: 'created', seq: 1 }]);
    expect(t.ledger.balance(CASH)).toEqual({ accountId: CASH, debitsFen: 10_000, creditsFen: 0, balanceFen: 10_000 });
    expect(t.ledger.balance(A_IND)).toEqual({ accountId: A_IND, debitsFen: 0, creditsFen: 10_000, balanceFen: 10_000 });
    const stored = t.ledger.getTransfer(testId(1))!;
    expect(stored).toMatchObject({ block: 1, blockIndex: 0, at: '2024-03-01T08:00:00.000Z' });
    const [block] = [...t.ledger.store.scanBlocks()];
    expect(block).toMatchObject({ num: 1, firstSeq: 1, lastSeq: 1, prevHash: GENESIS_HASH });
    expect(block!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(t.ledger.store.head()).toEqual({ seq: 1, block: 1, hash: block!.hash });
  });

  it('commits each batch as one block holding its created transfers in order, each chained to the one before', () => {
    t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1 }),
      transfer(2, { debitAccountId: CASH, creditAccountId: 'person:nobody:individual', amountFen: 2 }),
      transfer(3, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 3 }),
    ]);
    // A batch that creates nothing adds no block.
    t.ledger.createTransfers([transfer(4, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 99, code: 'pension.account' })]);
    t.ledger.createTransfers([transfer(5, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 5 })]);
    const blocks = [...t.ledger.store.scanBlocks()];
    expect(blocks.map((b) => [b.num, b.firstSeq, b.lastSeq])).toEqual([
      [1, 1, 2],
      [2, 3, 3],
    ]);
    expect(blocks[1]!.prevHash).toBe(blocks[0]!.hash);
    expect([1, 3, 5].map((n) => t.ledger.getTransfer(testId(n))).map((x) => [x!.seq, x!.block, x!.blockIndex])).toEqual([
      [1, 1, 0],
      [2, 1, 1],
      [3, 2, 0],
    ]);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 3, blocks: 2, headBlock: 2, headHash: blocks[1]!.hash });
  });

  it('normalizes each transfer of a batch on its own even when they share a meta object or an at (the batch memo)', () => {
    const shared = { year: 2024, citizenNumber: CITIZEN_A };
    const bad = { 'not a key': 1 };
    const results = t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1, meta: shared, at: 'not a date' }),
      transfer(2, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 2, meta: shared, at: 'not a date' }),
      transfer(3, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 3, meta: shared, at: '2024-03-01T16:00:00+08:00' }),
      transfer(4, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 4, meta: bad, at: '2024-03-01T16:00:00+08:00' }),
      transfer(5, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 5, meta: bad }),
      transfer(6, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 6, meta: shared, at: '2024-03-02' }),
      transfer(7, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 7, meta: { year: 2025 }, at: '2024-03-02' }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['invalid_at', 'invalid_at', 'created', 'invalid_meta', 'invalid_meta', 'created', 'created']);
    expect(t.ledger.getTransfer(testId(3))).toMatchObject({ at: '2024-03-01T08:00:00.000Z', meta: { citizenNumber: CITIZEN_A, year: 2024 } });
    expect(t.ledger.getTransfer(testId(6))).toMatchObject({ at: '2024-03-02T00:00:00.000Z', meta: { citizenNumber: CITIZEN_A, year: 2024 } });
    expect(t.ledger.getTransfer(testId(7))).toMatchObject({ at: '2024-03-02T00:00:00.000Z', meta: { year: 2025 } });
    expect(t.ledger.verify().ok).toBe(true);
  });

  it('answers a retried transfer exists, or exists with other content, even where applying it again would be refused', () => {
    t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 })]);
    const payout = transfer(2, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 100, code: 'pension.account' });
    t.ledger.createTransfers([payout]);
    // A's account is empty now: the same transfer again would take it below zero.
    expect(t.ledger.createTransfers([payout])).toEqual([{ id: testId(2), result: 'exists', seq: 2 }]);
    expect(t.ledger.createTransfers([{ ...payout, amountFen: 99 }])).toEqual([{ id: testId(2), result: 'exists_with_different_amount' }]);
    // In a chain with a new transfer: the stored one exists, the new one is created.
    const results = t.ledger.createTransfers([{ ...payout, linked: true }, transfer(3, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 50 })]);
    expect(results.map((r) => r.result)).toEqual(['exists', 'created']);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(0);
    expect(t.ledger.verify().ok).toBe(true);
  });

  it('answers exists for the same id and content, with the first seq, and writes nothing', () => {
    const first = transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000, meta: { year: 2024, citizenNumber: CITIZEN_A } });
    t.ledger.createTransfers([first]);
    // Same content, meta keys in another order and `at` in another spelling of the same instant.
    const again = { ...first, at: '2024-03-01T16:00:00+08:00', meta: { citizenNumber: CITIZEN_A, year: 2024 } };
    expect(t.ledger.createTransfers([again])).toEqual([{ id: testId(1), result: 'exists', seq: 1 }]);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(10_000);
    expect(t.ledger.transfers({})).toHaveLength(1);
  });

  it('refuses a reused id with other content, naming the first difference in precedence order, and alerts', () => {
    const lines: string[] = [];
    const sink = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
    const ledger = Ledger.openSqlite(t.db, { logger: pino({ level: 'warn' }, sink) });
    const base = transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000, reference: 'pay-1', meta: { year: 2024 } });
    ledger.createTransfers([base]);
    const cases: [Partial<TransferInput>, string][] = [
      // debit differs and everything else too: debit wins.
      [{ debitAccountId: FUND.bank, creditAccountId: B_IND, amountFen: 1, code: 'other', meta: {} }, 'exists_with_different_debit_account_id'],
      [{ creditAccountId: B_IND, amountFen: 1, code: 'other' }, 'exists_with_different_credit_account_id'],
      [{ amountFen: 1, code: 'other', at: '2020-01-01' }, 'exists_with_different_amount'],
      [{ code: 'other', at: '2020-01-01' }, 'exists_with_different_code'],
      [{ at: '2020-01-01', reference: 'pay-2' }, 'exists_with_different_at'],
      [{ reference: 'pay-2', meta: { year: 2023 } }, 'exists_with_different_reference'],
      [{ meta: { year: 2023 } }, 'exists_with_different_meta'],
    ];
    for (const [change, expected] of cases) {
      expect(ledger.createTransfers([{ ...base, ...change }])[0]!.result, JSON.stringify(change)).toBe(expected);
    }
    expect(ledger.balance(A_IND).balanceFen).toBe(10_000);
    expect(ledger.balance(B_IND).balanceFen).toBe(0);
    expect(ledger.transfers({})).toHaveLength(1);
    const alerts = lines.map((l) => JSON.parse(l) as { event: string; transferId: string });
    expect(alerts).toHaveLength(cases.length);
    expect(alerts.every((a) => a.event === 'ledger.transfer_id_reused' && a.transferId === testId(1))).toBe(true);
  });

  it('applies a batch mixing stored and new ids (past the first pass that assumes new ids), in a caller transaction too', () => {
    const big = (n: number) => transfer(n, { debitAccountId: CASH, creditAccountId: n % 2 === 0 ? A_IND : B_IND, amountFen: 100 + n });
    // 60 transfers: the stored ids fall inside and after a whole 50-row insert statement.
    expect(t.ledger.createTransfers([big(10), big(55)]).map((r) => r.result)).toEqual(['created', 'created']);
    const batch = Array.from({ length: 60 }, (_, i) => big(i));
    const results = t.db.transaction(() => t.ledger.createTransfers(batch))();
    expect(results.filter((r) => r.result === 'exists').map((r) => [r.id, r.seq])).toEqual([
      [testId(10), 1],
      [testId(55), 2],
    ]);
    const created = results.filter((r) => r.result === 'created');
    expect(created).toHaveLength(58);
    expect(created.map((r) => r.seq)).toEqual(Array.from({ length: 58 }, (_, i) => 3 + i));
    const expectedA = batch.filter((x, i) => i % 2 === 0).reduce((sum, x) => sum + x.amountFen, 0);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(expectedA);
    expect(t.ledger.verify()).toMatchObject({ ok: true, transfers: 60, problems: [] });
    // A reused id with other content is still found and refused on the second pass.
    const clash = t.ledger.createTransfers([big(100), { ...big(20), amountFen: 1 }]);
    expect(clash.map((r) => r.result)).toEqual(['created', 'exists_with_different_amount']);
    expect(t.ledger.store.head().seq).toBe(61);
  });

  it('treats a second use of an id inside one batch like a retry of the first', () => {
    const a = transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 });
    const results = t.ledger.createTransfers([a, a, { ...a, amountFen: 200 }]);
    expect(results.map((r) => r.result)).toEqual(['created', 'exists', 'exists_with_different_amount']);
    expect(results[1]!.seq).toBe(1);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(100);
  });

  it('refuses transfers to or from an account the chart does not hold', () => {
    const results = t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: 'person:nobody:individual', amountFen: 100 }),
      transfer(2, { debitAccountId: 'cashbox:ghost', creditAccountId: A_IND, amountFen: 100 }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['account_not_found', 'account_not_found']);
    expect(t.ledger.transfers({})).toHaveLength(0);
  });

  it.each([
    ['zero', 0],
    ['negative', -5],
    ['fractional fen', 12.5],
    ['above MAX_SAFE_INTEGER', 2 ** 53],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['a numeric string', '100'],
  ])('refuses an amount that is %s', (_name, amount) => {
    const results = t.ledger.createTransfers([{ ...transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1 }), amountFen: amount as number }]);
    expect(results[0]!.result).toBe('amount_must_be_positive_integer');
    expect(t.ledger.getTransfer(testId(1))).toBeUndefined();
  });

  it('accepts the largest safe amount into a fresh account and refuses what would overflow it', () => {
    const results = t.ledger.createTransfers([
      transfer(1, { debitAccountId: FUND.subsidyCentral, creditAccountId: FUND.pooled, amountFen: Number.MAX_SAFE_INTEGER }),
      transfer(2, { debitAccountId: FUND.subsidyCentral, creditAccountId: FUND.pooled, amountFen: 1 }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['created', 'overflows_balance']);
  });

  it.each([
    ['invalid_id', { id: 'not-a-uuid' }],
    ['invalid_id', { id: '01900000-0000-4000-8000-000000000001' }], // v4, not v7
    ['invalid_id', { id: '01900000-0000-7000-8000-00000000000A' }], // capitals: a second spelling
    ['invalid_account_id', { debitAccountId: '' }],
    ['accounts_must_be_different', { debitAccountId: A_IND }],
    ['invalid_code', { code: '' }],
    ['invalid_code', { code: 'Has Spaces' }],
    ['invalid_at', { at: '2024-02-30' }],
    ['invalid_at', { at: '2024-03-01T08:00:00' }], // no zone
    ['invalid_at', { at: 'yesterday' }],
    ['invalid_reference', { reference: '' }],
    ['reference_required', { code: 'correction' }],
    ['invalid_meta', { meta: { nested: { a: 1 } } as never }],
    ['invalid_meta', { meta: { n: Number.NaN } }],
    ['invalid_meta', { meta: ['a'] as never }],
    ['invalid_transfer', { linked: 'yes' as never }],
  ])('answers %s for %j', (expected, change) => {
    const results = t.ledger.createTransfers([{ ...transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 }), ...change }]);
    expect(results[0]!.result).toBe(expected);
    expect(t.ledger.transfers({})).toHaveLength(0);
  });

  it('answers invalid_transfer for entries that are not objects, without throwing', () => {
    const results = t.ledger.createTransfers([null, 42, 'x'] as unknown as TransferInput[]);
    expect(results).toEqual([
      { id: '', result: 'invalid_transfer' },
      { id: '', result: 'invalid_transfer' },
      { id: '', result: 'invalid_transfer' },
    ]);
  });

  it('throws a typed error for a batch that is not an array or is too large', () => {
    expectLedgerError(() => t.ledger.createTransfers('x' as never), LedgerErrorCode.InvalidBatch);
    const big = Array.from({ length: MAX_BATCH_TRANSFERS + 1 }, (_, i) => transfer(i + 1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 1 }));
    expectLedgerError(() => t.ledger.createTransfers(big), LedgerErrorCode.InvalidBatch);
    expect(t.ledger.transfers({})).toHaveLength(0);
  });
});

describe('accounts that must not go negative', () => {
  it('refuses drawing more from a personal account than it holds, and allows drawing it to zero', () => {
    t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 500 })]);
    const results = t.ledger.createTransfers([
      transfer(2, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 501, code: 'pension.account' }),
      transfer(3, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 500, code: 'pension.account' }),
      transfer(4, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 1, code: 'pension.account' }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['would_go_negative', 'created', 'would_go_negative']);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(0);
  });

  it('refuses taking cash out of a cash box that does not hold it (a debit-normal account)', () => {
    const results = t.ledger.createTransfers([transfer(1, { debitAccountId: FUND.inTransit, creditAccountId: CASH, amountFen: 1, code: 'collection' })]);
    expect(results[0]!.result).toBe('would_go_negative');
  });

  it('lets fund accounts that are not enforced go negative', () => {
    const results = t.ledger.createTransfers([transfer(1, { debitAccountId: FUND.payout, creditAccountId: FUND.pooled, amountFen: 1, code: 'pension.basic' })]);
    expect(results[0]!.result).toBe('created');
    expect(t.ledger.balance(FUND.pooled).balanceFen).toBe(1);
    const r2 = t.ledger.createTransfers([transfer(2, { debitAccountId: FUND.pooled, creditAccountId: FUND.bank, amountFen: 5, code: 'pension.basic' })]);
    expect(r2[0]!.result).toBe('created');
    expect(t.ledger.balance(FUND.pooled).balanceFen).toBe(-4);
  });

  it('counts earlier transfers of the same batch', () => {
    const results = t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 300 }),
      transfer(2, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 300, code: 'pension.account' }),
      transfer(3, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 1, code: 'pension.account' }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['created', 'created', 'would_go_negative']);
  });
});

describe('linked chains', () => {
  // A kiosk contribution: the individual payment and its subsidy belong together.
  const contribution = (first: number, subsidyFen: number): TransferInput[] => [
    transfer(first, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000, linked: true }),
    transfer(first + 1, { debitAccountId: FUND.subsidyCounty, creditAccountId: A_GOV, amountFen: subsidyFen, code: 'subsidy.government' }),
  ];

  it('commits a whole chain', () => {
    const results = t.ledger.createTransfers(contribution(1, 3_000));
    expect(results.map((r) => r.result)).toEqual(['created', 'created']);
    expect(t.ledger.balance(A_GOV).balanceFen).toBe(3_000);
  });

  it('writes nothing of a chain when its last member fails, and still applies the transfers around it', () => {
    const results = t.ledger.createTransfers([
      transfer(10, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 1_000 }),
      ...contribution(1, 0), // subsidy of 0 fen is refused
      transfer(11, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 2_000 }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['created', 'linked_event_failed', 'amount_must_be_positive_integer', 'created']);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(0);
    expect(t.ledger.balance(CASH).balanceFen).toBe(3_000);
    expect(t.ledger.getTransfer(testId(1))).toBeUndefined();
    // seqs stay gapless: the failed chain took none.
    expect(t.ledger.transfers({}).map((x) => x.seq)).toEqual([1, 2]);
    expect(t.ledger.verify().ok).toBe(true);
  });

  it('undoes the balance effect of earlier chain members, so later transfers see the old balance', () => {
    const results = t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 700, linked: true }),
      transfer(2, { debitAccountId: CASH, creditAccountId: 'person:nobody:individual', amountFen: 1 }),
      // Would succeed had transfer 1 stayed applied.
      transfer(3, { debitAccountId: A_IND, creditAccountId: FUND.payout, amountFen: 700, code: 'pension.account' }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['linked_event_failed', 'account_not_found', 'would_go_negative']);
  });

  it('refuses a chain left open at the end of the batch', () => {
    const results = t.ledger.createTransfers([
      transfer(5, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 100 }),
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100, linked: true }),
      transfer(2, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100, linked: true }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['created', 'linked_event_failed', 'linked_event_chain_open']);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(0);
  });

  it('answers exists for every member when a committed chain is retried', () => {
    t.ledger.createTransfers(contribution(1, 3_000));
    const results = t.ledger.createTransfers(contribution(1, 3_000));
    expect(results).toEqual([
      { id: testId(1), result: 'exists', seq: 1 },
      { id: testId(2), result: 'exists', seq: 2 },
    ]);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(10_000);
  });

  it('fails a chain whose member reuses an id with other content', () => {
    t.ledger.createTransfers(contribution(1, 3_000));
    const results = t.ledger.createTransfers([
      transfer(7, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 100, linked: true }),
      transfer(2, { debitAccountId: FUND.subsidyCounty, creditAccountId: A_GOV, amountFen: 3_500, code: 'subsidy.government' }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['linked_event_failed', 'exists_with_different_amount']);
    expect(t.ledger.getTransfer(testId(7))).toBeUndefined();
  });
});

describe('corrections', () => {
  it('records a correction as a new transfer that references the original; balances follow, nothing is edited', () => {
    // A contribution credited to the wrong person, then moved to the right one.
    t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 10_000 })]);
    const original = t.ledger.getTransfer(testId(1))!;
    const results = t.ledger.createTransfers([
      transfer(2, { debitAccountId: B_IND, creditAccountId: A_IND, amountFen: 10_000, code: 'correction', reference: testId(1), meta: { reason: 'wrong person' } }),
    ]);
    expect(results[0]!.result).toBe('created');
    expect(t.ledger.getTransfer(testId(1))).toEqual(original);
    expect(t.ledger.getTransfer(testId(2))!.reference).toBe(testId(1));
    expect(t.ledger.balance(B_IND).balanceFen).toBe(0);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(10_000);
  });

  it('refuses a correction that references no transfer, and accepts one referencing a transfer earlier in the batch', () => {
    const results = t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 100 }),
      transfer(2, { debitAccountId: B_IND, creditAccountId: CASH, amountFen: 100, code: 'correction', reference: testId(99) }),
      transfer(3, { debitAccountId: B_IND, creditAccountId: CASH, amountFen: 100, code: 'correction', reference: testId(1) }),
    ]);
    expect(results.map((r) => r.result)).toEqual(['created', 'reference_not_found', 'created']);
  });

  it('refuses at the database level to edit or delete a transfer', () => {
    t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 })]);
    expect(() => t.db.prepare('UPDATE ledger_transfers SET amount_fen = 1').run()).toThrow(/append-only/);
    expect(() => t.db.prepare('DELETE FROM ledger_transfers').run()).toThrow(/append-only/);
  });
});

describe('accounts', () => {
  it('ensureAccounts is idempotent and refuses a conflicting respec without creating anything', () => {
    const specs = personAccountSpecs('220101199001011111');
    t.ledger.ensureAccounts(specs);
    t.ledger.ensureAccounts(specs);
    expect(t.ledger.getAccount(specs[0]!.id)).toEqual(specs[0]);
    const fresh = personAccountSpecs('330101199001011111');
    expectLedgerError(() => t.ledger.ensureAccounts([...fresh, { ...specs[1]!, mustNotGoNegative: false }]), LedgerErrorCode.AccountSpecConflict);
    expect(t.ledger.getAccount(fresh[0]!.id)).toBeUndefined();
  });

  it('refuses malformed specs and account ids with typed errors', () => {
    expectLedgerError(() => t.ledger.ensureAccounts([{ id: 'x', kind: 'k', normal: 'sideways' as never, mustNotGoNegative: true }]), LedgerErrorCode.InvalidAccountSpec);
    expectLedgerError(() => personAccountId('a:b', 'individual'), LedgerErrorCode.InvalidAccountId);
    expectLedgerError(() => personAccountId(CITIZEN_A, 'lottery' as never), LedgerErrorCode.InvalidAccountId);
    expectLedgerError(() => t.ledger.balance('nope'), LedgerErrorCode.AccountNotFound);
  });

  it('splits a person into the five POLICY sources, in POLICY order', () => {
    expect(SOURCES).toEqual(['individual', 'collective', 'aid', 'legacy', 'government']);
    expect(personAccountSpecs(CITIZEN_A).map((s) => s.id)).toEqual(SOURCES.map((s) => `person:${CITIZEN_A}:${s}`));
  });
});

describe('queries', () => {
  beforeEach(() => {
    t.ledger.createTransfers([
      transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 10_000, at: '2019-06-01' }),
      transfer(2, { debitAccountId: FUND.interestExpense, creditAccountId: A_IND, amountFen: 150, code: 'interest', at: '2019-12-31T12:00:00Z' }),
      transfer(3, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 20_000, at: '2020-01-01' }),
      transfer(4, { debitAccountId: CASH, creditAccountId: B_IND, amountFen: 5, at: '2020-02-01' }),
    ]);
  });

  it('gives the balance before a date from the transfers (the 1 January balance interest is computed on)', () => {
    expect(t.ledger.balance(A_IND, { before: '2020-01-01' }).balanceFen).toBe(10_150);
    expect(t.ledger.balance(A_IND, { before: '2019-12-31' }).balanceFen).toBe(10_000);
    expect(t.ledger.balance(A_IND).balanceFen).toBe(30_150);
    expectLedgerError(() => t.ledger.balance(A_IND, { before: 'soon' }), LedgerErrorCode.InvalidQuery);
  });

  it('filters by account, code and time, and pages by seq', () => {
    expect(t.ledger.transfers({ accountId: A_IND }).map((x) => x.seq)).toEqual([1, 2, 3]);
    expect(t.ledger.transfers({ code: 'interest' }).map((x) => x.seq)).toEqual([2]);
    expect(t.ledger.transfers({ from: '2019-12-31', to: '2020-01-02' }).map((x) => x.seq)).toEqual([2, 3]);
    expect(t.ledger.transfers({ accountId: CASH, limit: 2 }).map((x) => x.seq)).toEqual([1, 3]);
    expect(t.ledger.transfers({ accountId: CASH, afterSeq: 3 }).map((x) => x.seq)).toEqual([4]);
    expectLedgerError(() => t.ledger.transfers({ limit: 0 }), LedgerErrorCode.InvalidQuery);
    expectLedgerError(() => t.ledger.transfers({ from: '2020-13-01' }), LedgerErrorCode.InvalidQuery);
  });
});

describe('transactions', () => {
  it('commits with an enclosing transaction and rolls back with it', () => {
    const outer = t.db.transaction(() => {
      expect(t.ledger.createTransfers([transfer(1, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 })])[0]!.result).toBe('created');
      throw new Error('registry write failed');
    });
    expect(() => outer()).toThrow('registry write failed');
    expect(t.ledger.getTransfer(testId(1))).toBeUndefined();
    expect(t.ledger.balance(A_IND).balanceFen).toBe(0);
    // The next batch starts from the committed head, not from the rolled-back one.
    t.db.transaction(() => t.ledger.createTransfers([transfer(2, { debitAccountId: CASH, creditAccountId: A_IND, amountFen: 100 })]))();
    expect(t.ledger.getTransfer(testId(2))!.seq).toBe(1);
    expect(t.ledger.verify().ok).toBe(true);
  });

  it('refuses calls after close', () => {
    const db = openDatabase(':memory:');
    const ledger = Ledger.openSqlite(db);
    ledger.close();
    expectLedgerError(() => ledger.verify(), LedgerErrorCode.Closed);
    db.close();
  });
});
