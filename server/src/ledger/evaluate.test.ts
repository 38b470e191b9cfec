// The pure evaluation of a batch (issue #15 section 2): results, seqs and
// deltas decided from the state a store reports, with no store at all.
import { describe, expect, it } from 'vitest';
import { evaluateBatch, normalizeBatch, type BatchEvaluation, type BatchState } from './evaluate.js';
import type { AccountState, StoredTransfer } from './store.js';
import type { TransferInput } from './types.js';
import { testId } from './test-support.js';

const CASH = 'cashbox:k1';
const A = 'person:110101199003077777:individual';
const B = 'person:110101195001011234:individual';
const PAYOUT = 'fund:payout';

/** Cash box (debit-normal) and two persons (credit-normal), all must-not-go-negative; the payout account may. */
function accounts(totals: Partial<Record<string, [number, number]>> = {}): Map<string, AccountState> {
  const spec: [string, 'debit' | 'credit', boolean][] = [
    [CASH, 'debit', true],
    [A, 'credit', true],
    [B, 'credit', true],
    [PAYOUT, 'debit', false],
  ];
  return new Map(
    spec.map(([id, normal, mustNotGoNegative], key) => {
      const [debitsFen, creditsFen] = totals[id] ?? [0, 0];
      return [id, { key: key + 1, normal, mustNotGoNegative, debitsFen, creditsFen }];
    }),
  );
}

function state(overrides: Partial<BatchState> = {}): BatchState {
  return { headSeq: 41, accounts: accounts(), stored: new Map(), storedReferences: new Set(), ...overrides };
}

function t(n: number, debitAccountId: string, creditAccountId: string, amountFen: number, more: Partial<TransferInput> = {}): TransferInput {
  return { id: testId(n), debitAccountId, creditAccountId, amountFen, code: 'contribution.individual', at: '2024-03-01T08:00:00.000Z', ...more };
}

function decided(e: BatchEvaluation): Extract<BatchEvaluation, { kind: 'decided' }> {
  if (e.kind !== 'decided') throw new Error(`expected a decided batch, got ${e.kind}`);
  return e;
}

function storedOf(input: TransferInput, seq: number): StoredTransfer {
  return {
    seq,
    id: input.id,
    debitAccountId: input.debitAccountId,
    creditAccountId: input.creditAccountId,
    amountFen: input.amountFen,
    code: input.code,
    at: input.at,
    reference: input.reference ?? null,
    metaJson: '',
    linked: false,
    recordedAt: '2024-03-01T08:00:01.000Z',
    block: 2,
    blockIndex: 0,
  };
}

describe('evaluateBatch', () => {
  it('creates new transfers with the seqs after the head, and sums the balance deltas per account', () => {
    const e = decided(evaluateBatch(normalizeBatch([t(1, CASH, A, 100), t(2, CASH, B, 250), t(3, CASH, A, 5)]), state()));
    expect(e.results).toEqual([
      { id: testId(1), result: 'created', seq: 42 },
      { id: testId(2), result: 'created', seq: 43 },
      { id: testId(3), result: 'created', seq: 44 },
    ]);
    expect(e.created.map((c) => [c.row.id, c.seq, c.debitKey, c.creditKey])).toEqual([
      [testId(1), 42, 1, 2],
      [testId(2), 43, 1, 3],
      [testId(3), 44, 1, 2],
    ]);
    expect(e.deltas).toEqual(
      expect.arrayContaining([
        { accountId: CASH, key: 1, debitsFen: 355, creditsFen: 0 },
        { accountId: A, key: 2, debitsFen: 0, creditsFen: 105 },
        { accountId: B, key: 3, debitsFen: 0, creditsFen: 250 },
      ]),
    );
    expect(e.deltas).toHaveLength(3);
  });

  it('leaves the reported state untouched', () => {
    const s = state({ accounts: accounts({ [A]: [0, 500] }) });
    const before = structuredClone([...s.accounts]);
    decided(evaluateBatch(normalizeBatch([t(1, A, PAYOUT, 200, { code: 'pension.account' })]), s));
    expect([...s.accounts]).toEqual(before);
  });

  it('answers exists with the stored seq, and exists_with_different_* naming the first difference, listed for the alert', () => {
    const first = t(1, CASH, A, 100);
    const s = state({ stored: new Map([[first.id, storedOf(first, 7)]]) });
    const e = decided(evaluateBatch(normalizeBatch([first, { ...first, amountFen: 99, code: 'other' }, t(2, CASH, A, 1)]), s));
    expect(e.results).toEqual([
      { id: testId(1), result: 'exists', seq: 7 },
      { id: testId(1), result: 'exists_with_different_amount' },
      { id: testId(2), result: 'created', seq: 42 },
    ]);
    expect(e.reused).toEqual([{ transferId: testId(1), result: 'exists_with_different_amount' }]);
    expect(e.deltas).toEqual(expect.arrayContaining([{ accountId: A, key: 2, debitsFen: 0, creditsFen: 1 }]));
  });

  it('treats an id used twice in the batch as a retry of the first', () => {
    const a = t(1, CASH, A, 100);
    const e = decided(evaluateBatch(normalizeBatch([a, a, { ...a, creditAccountId: B }]), state()));
    expect(e.results.map((r) => [r.result, r.seq])).toEqual([
      ['created', 42],
      ['exists', 42],
      ['exists_with_different_credit_account_id', undefined],
    ]);
    expect(e.created).toHaveLength(1);
  });

  it('on the first pass (ids not looked up) asks for the lookups at the first refusal, and decides a clean batch', () => {
    const first = { ...state(), stored: undefined };
    expect(evaluateBatch(normalizeBatch([t(1, CASH, A, 100), t(2, A, PAYOUT, 101, { code: 'pension.account' })]), first)).toEqual({ kind: 'look-up-ids' });
    expect(evaluateBatch(normalizeBatch([t(1, CASH, 'person:ghost:individual', 1)]), first)).toEqual({ kind: 'look-up-ids' });
    // A correction of a transfer made earlier in the batch: only the second pass knows the batch's ids.
    expect(evaluateBatch(normalizeBatch([t(3, CASH, A, 100), t(4, A, CASH, 100, { code: 'correction', reference: testId(3) })]), first)).toEqual({ kind: 'look-up-ids' });
    // Shape refusals need no store.
    const e = decided(evaluateBatch(normalizeBatch([t(3, CASH, A, 100), { ...t(4, CASH, A, 1), at: 'soon' }]), first));
    expect(e.results.map((r) => r.result)).toEqual(['created', 'invalid_at']);
  });

  it('on the first pass creates an id used twice both times: the store\'s unique id refuses it and sends the batch to the second pass', () => {
    const a = t(3, CASH, A, 100);
    const e = decided(evaluateBatch(normalizeBatch([a, { ...a }]), { ...state(), stored: undefined }));
    expect(e.created.map((c) => [c.row.id, c.seq])).toEqual([
      [testId(3), 42],
      [testId(3), 43],
    ]);
    // The second pass (ids looked up, none stored) answers the retry.
    const second = decided(evaluateBatch(normalizeBatch([a, { ...a }, { ...a, amountFen: 1 }]), state()));
    expect(second.results.map((r) => r.result)).toEqual(['created', 'exists', 'exists_with_different_amount']);
  });

  it('refuses unknown accounts, and corrections whose reference is neither stored nor created earlier in the batch', () => {
    const correction = (n: number, reference: string) => t(n, A, CASH, 1, { code: 'correction', reference });
    const s = state({ accounts: accounts({ [CASH]: [1_000, 0], [A]: [0, 1_000] }), storedReferences: new Set([testId(90)]) });
    const e = decided(
      evaluateBatch(normalizeBatch([t(1, CASH, 'person:ghost:individual', 1), correction(2, testId(90)), correction(3, testId(91)), t(4, CASH, B, 1), correction(5, testId(4))]), s),
    );
    expect(e.results.map((r) => r.result)).toEqual(['account_not_found', 'created', 'reference_not_found', 'created', 'created']);
  });

  it('refuses what would take a must-not-go-negative account below zero, counting the batch so far, and what overflows', () => {
    const s = state({ accounts: accounts({ [A]: [0, 300] }) });
    const pay = (n: number, fen: number) => t(n, A, PAYOUT, fen, { code: 'pension.account' });
    const e = decided(evaluateBatch(normalizeBatch([pay(1, 200), pay(2, 101), pay(3, 100), t(4, PAYOUT, A, Number.MAX_SAFE_INTEGER)]), s));
    expect(e.results.map((r) => r.result)).toEqual(['created', 'would_go_negative', 'created', 'overflows_balance']);
    expect(e.deltas).toEqual(expect.arrayContaining([{ accountId: A, key: 2, debitsFen: 300, creditsFen: 0 }]));
  });

  it('applies a linked chain all or none: a failure undoes the chain, and its seqs go to the next created transfer', () => {
    const s = state({ accounts: accounts({ [A]: [0, 100] }) });
    const e = decided(
      evaluateBatch(
        normalizeBatch([
          t(1, CASH, A, 50, { linked: true }),
          t(2, A, PAYOUT, 500, { code: 'pension.account', linked: true }),
          t(3, CASH, B, 1),
          t(4, CASH, B, 2),
          t(5, CASH, B, 3, { linked: true }),
        ]),
        s,
      ),
    );
    expect(e.results).toEqual([
      { id: testId(1), result: 'linked_event_failed' },
      { id: testId(2), result: 'would_go_negative' },
      { id: testId(3), result: 'linked_event_failed' },
      { id: testId(4), result: 'created', seq: 42 },
      { id: testId(5), result: 'linked_event_chain_open' },
    ]);
    expect(e.created.map((c) => c.row.id)).toEqual([testId(4)]);
    // Only transfer 4 moved money: the failed chain left nothing behind, on either side.
    expect(e.deltas).toHaveLength(2);
    expect(e.deltas).toEqual(
      expect.arrayContaining([
        { accountId: CASH, key: 1, debitsFen: 2, creditsFen: 0 },
        { accountId: B, key: 3, debitsFen: 0, creditsFen: 2 },
      ]),
    );
  });

  it('counts exists as success inside a chain', () => {
    const stored = t(1, CASH, A, 100);
    const s = state({ stored: new Map([[stored.id, storedOf(stored, 3)]]) });
    const e = decided(evaluateBatch(normalizeBatch([{ ...stored, linked: true }, t(2, CASH, B, 1)]), s));
    expect(e.results).toEqual([
      { id: testId(1), result: 'exists', seq: 3 },
      { id: testId(2), result: 'created', seq: 42 },
    ]);
  });

  it('passes shape results through with the id given, or an empty id when there is none', () => {
    const e = decided(evaluateBatch(normalizeBatch([null, { ...t(1, CASH, A, 1), amountFen: 0 }, t(2, CASH, CASH, 1)]), state()));
    expect(e.results).toEqual([
      { id: '', result: 'invalid_transfer' },
      { id: testId(1), result: 'amount_must_be_positive_integer' },
      { id: testId(2), result: 'accounts_must_be_different' },
    ]);
  });
});
