// Bad input never crashes a service and never half-writes (issue 5 "Bad
// input"): random contributions, certifications and CSV files give either a
// result or a RegistryError, and a refused one changes nothing.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountSummarySchema } from '@nongbao/protocol';
import { kioskSummary } from '../kiosk/summary.js';
import { isRegistryError } from './errors.js';
import { VILLAGE_REGISTER_COLUMNS } from './register-import.js';
import { citizenNumberFor, openTestStack, personInput, TEST_OPERATOR, type TestStack } from './test-support.js';

const SEED = 20_261_122;
let stack: TestStack;
const CN = citizenNumberFor('1970-03-15', 1);

function state(s: TestStack): string {
  const persons = (s.db.prepare('SELECT COUNT(*) AS n FROM reg_persons').get() as { n: number }).n;
  const contributions = (s.db.prepare('SELECT COUNT(*) AS n FROM reg_contributions').get() as { n: number }).n;
  const certifications = (s.db.prepare('SELECT COUNT(*) AS n FROM reg_certifications').get() as { n: number }).n;
  return `${persons}/${contributions}/${certifications}/${s.ledger.verify().transfers}`;
}

beforeAll(() => {
  stack = openTestStack({ today: '2011-09-01' });
  stack.registry.persons.createVillage({ code: 'V001', name: '上坝村' });
  stack.registry.persons.registerPerson(personInput(CN, '1970-03-15'), TEST_OPERATOR);
});
afterAll(() => stack.close());

const uuid = fc.constantFrom('0190a0b0-0000-7000-8000-000000000001', 'not-a-uuid', '0190A0B0-0000-7000-8000-000000000001', '');
const contribution = fc.record(
  {
    id: uuid,
    citizenNumber: fc.constantFrom(CN, `${CN.slice(0, 17)}0`, '123', citizenNumberFor('1971-01-01', 2)),
    year: fc.oneof(fc.integer({ min: 1990, max: 2030 }), fc.double(), fc.string()),
    tierYuan: fc.oneof(fc.constantFrom(100, 150, 500, 0, -100), fc.double({ noNaN: false })),
    channel: fc.constantFrom('counter', 'kiosk', 'atm'),
    terminalId: fc.option(fc.constantFrom('kiosk-001', 'BAD ID'), { nil: undefined }),
    paidAt: fc.constantFrom('2011-08-01T10:00:00+08:00', '2012-01-01T10:00:00Z', 'yesterday', '2011-02-30T10:00:00Z'),
    payer: fc.constantFrom('individual', 'government', 'bank'),
    aidFen: fc.oneof(fc.integer({ min: -5, max: 5_000 }), fc.constant(100.5)),
    extra: fc.anything(),
  },
  { requiredKeys: [] },
);

describe('random input to the services', () => {
  it('a contribution is recorded or refused with a RegistryError; a refusal writes nothing', () => {
    fc.assert(
      fc.property(contribution, (input) => {
        const before = state(stack);
        try {
          const result = stack.registry.recordContribution(input);
          expect(['created', 'exists']).toContain(result.result.startsWith('exists_with') ? 'exists' : result.result);
          if (result.result !== 'created') expect(state(stack)).toBe(before);
        } catch (error) {
          expect(isRegistryError(error), String(error)).toBe(true);
          expect(state(stack)).toBe(before);
        }
      }),
      { seed: SEED, numRuns: 1_500 },
    );
  });

  it('a CSV file of random lines is imported whole or refused whole', async () => {
    const header = VILLAGE_REGISTER_COLUMNS.join(',');
    const cell = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('1', '0', 'V001', '1950-01-01', CN, '"', '""'));
    const line = fc.array(cell, { minLength: 0, maxLength: 12 }).map((cells) => cells.join(','));
    await fc.assert(
      fc.asyncProperty(fc.boolean(), fc.array(line, { maxLength: 8 }), async (withHeader, lines) => {
        const before = state(stack);
        try {
          await stack.registry.persons.importVillageRegister([...(withHeader ? [header] : []), ...lines].join('\n'));
        } catch (error) {
          expect(isRegistryError(error), String(error)).toBe(true);
          expect(state(stack)).toBe(before);
        }
      }),
      { seed: SEED, numRuns: 1_500 },
    );
  });

  it('the account statement carries every field the kiosk protocol summary is made of (the kiosk service adds the offer)', () => {
    const statement = stack.registry.accountStatement(CN);
    expect(() => accountSummarySchema.parse(kioskSummary(statement))).not.toThrow();
  });
});
