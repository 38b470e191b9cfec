// Random batches never break the ledger's invariants (issue #5 section 1):
// the books balance, no enforced account goes negative, a refused or unchained
// transfer writes nothing, a chain is all or none, and verify passes.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { openDatabase } from '../db.js';
import { Ledger } from './ledger.js';
import { FUND, FUND_ACCOUNT_SPECS, cashBoxAccountSpec, personAccountSpecs } from './chart.js';
import { testId } from './test-support.js';
import type { TransferInput } from './types.js';

const SEED = 20_240_501;
const RUNS = 150;

const SPECS = [...FUND_ACCOUNT_SPECS, ...personAccountSpecs('110101199003077777'), ...personAccountSpecs('110101195001011234'), cashBoxAccountSpec('k1')];
const ACCOUNT_IDS = [...SPECS.map((s) => s.id), 'person:ghost:individual'];
// Few accounts, few ids: collisions (exists*, would_go_negative) happen often.
const accountArb = fc.constantFrom(...ACCOUNT_IDS.filter((id) => !id.startsWith('fund:') || id === FUND.bank || id === FUND.payout || id === FUND.pooled));
const amountArb = fc.oneof(
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 50_000 }) },
  { weight: 1, arbitrary: fc.constantFrom(0, -1, 1.5, Number.NaN, Number.MAX_SAFE_INTEGER, 2 ** 53) },
);
const transferArb: fc.Arbitrary<TransferInput> = fc
  .record({
    n: fc.integer({ min: 1, max: 40 }),
    debitAccountId: accountArb,
    creditAccountId: accountArb,
    amountFen: amountArb,
    code: fc.constantFrom('contribution.individual', 'pension.account', 'interest', 'correction'),
    at: fc.constantFrom('2019-01-01', '2019-12-31T23:59:59Z', '2020-06-01T08:00:00.000Z', 'not a date'),
    ref: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }),
    linked: fc.boolean(),
    year: fc.option(fc.integer({ min: 2009, max: 2030 }), { nil: undefined }),
  })
  .map(({ n, ref, year, ...rest }) => {
    const t: TransferInput = { id: testId(n), ...rest };
    if (ref !== undefined) t.reference = testId(ref);
    if (year !== undefined) t.meta = { year };
    return t;
  });
// Some batches are sent twice, as a kiosk retries after a lost acknowledgement.
const batchesArb = fc
  .array(fc.record({ batch: fc.array(transferArb, { minLength: 1, maxLength: 12 }), retried: fc.boolean() }), { minLength: 1, maxLength: 6 })
  .map((items) => items.flatMap(({ batch, retried }) => (retried ? [batch, batch.map((t) => ({ ...t }))] : [batch])));

describe('createTransfers under random batches', () => {
  it('keeps every invariant', () => {
    const seen = new Map<string, number>();
    fc.assert(
      // Checkpoints every 1-20 transfers (schema 3): they fall between and inside batches of every kind.
      fc.property(batchesArb, fc.integer({ min: 1, max: 20 }), (batches, checkpointTransfers) => {
        const db = openDatabase(':memory:');
        const ledger = Ledger.openSqlite(db, { checkpointTransfers });
        try {
          ledger.ensureAccounts(SPECS);
          for (const batch of batches) {
            const before = new Set(batch.filter((t) => ledger.getTransfer(t.id) !== undefined).map((t) => t.id));
            const headBefore = ledger.store.head().seq;
            const results = ledger.createTransfers(batch);
            for (const r of results) seen.set(r.result, (seen.get(r.result) ?? 0) + 1);
            expect(results.map((r) => r.id)).toEqual(batch.map((t) => t.id));

            let createdFen = 0;
            let created = 0;
            for (let i = 0; i < batch.length; i++) {
              const { result } = results[i]!;
              const stored = ledger.getTransfer(batch[i]!.id);
              if (result === 'created') {
                created++;
                createdFen += batch[i]!.amountFen;
                expect(stored).toMatchObject({ debitAccountId: batch[i]!.debitAccountId, creditAccountId: batch[i]!.creditAccountId, amountFen: batch[i]!.amountFen });
              } else if (result === 'exists') {
                expect(stored).toBeDefined();
              } else if (!before.has(batch[i]!.id) && !results.some((r, j) => j !== i && r.id === batch[i]!.id && r.result === 'created')) {
                // A refused transfer writes nothing.
                expect(stored).toBeUndefined();
              }
            }
            // Seqs are gapless: exactly the created transfers were appended.
            expect(ledger.store.head().seq).toBe(headBefore + created);
            expect(ledger.transfers({ afterSeq: headBefore, limit: 10_000 }).reduce((s, t) => s + t.amountFen, 0)).toBe(createdFen);

            // Chains: all members succeed or none is created.
            let start = 0;
            for (let i = 0; i < batch.length; i++) {
              if (batch[i]!.linked === true && i < batch.length - 1) continue;
              const members = results.slice(start, i + 1).map((r) => r.result);
              const allOk = members.every((r) => r === 'created' || r === 'exists');
              if (!allOk) expect(members).not.toContain('created');
              start = i + 1;
            }

            for (const spec of SPECS) {
              const b = ledger.balance(spec.id);
              if (spec.mustNotGoNegative) expect(b.balanceFen).toBeGreaterThanOrEqual(0);
            }
            const report = ledger.verify();
            expect(report.problems).toEqual([]);
            expect(report.totalDebitsFen).toBe(report.totalCreditsFen);
          }
        } finally {
          ledger.close();
          db.close();
        }
      }),
      { seed: SEED, numRuns: RUNS, verbose: true },
    );
    // The generator must reach the interesting paths, or the invariants above prove little.
    for (const result of ['created', 'exists', 'would_go_negative', 'linked_event_failed', 'linked_event_chain_open', 'account_not_found', 'reference_not_found', 'amount_must_be_positive_integer', 'invalid_at', 'overflows_balance']) {
      expect(seen.get(result) ?? 0, result).toBeGreaterThan(0);
    }
    expect([...seen.keys()].filter((r) => r.startsWith('exists_with_different_')).length).toBeGreaterThan(1);
  });
});
