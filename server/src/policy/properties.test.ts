// Property tests (fast-check, fixed seeds; fast-check prints the seed and the
// shrunk counterexample on failure).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PolicyErrorCode,
  SOURCES,
  applyRateHalfUp,
  isPolicyError,
  parseRate,
  parseScenario,
  simulate,
  splitAccountDraw,
  type Balances,
  type ScenarioEventInput,
  type ScenarioInput,
} from './index.js';

const SEED = 20_090_901;

const balancesArb: fc.Arbitrary<Balances> = fc.record({
  individual: fc.integer({ min: 0, max: 5_000_000 }),
  collective: fc.integer({ min: 0, max: 5_000_000 }),
  aid: fc.integer({ min: 0, max: 5_000_000 }),
  legacy: fc.integer({ min: 0, max: 5_000_000 }),
  government: fc.integer({ min: 0, max: 5_000_000 }),
});

const pad = (n: number) => String(n).padStart(2, '0');
const dateArb = (fromYear: number, toYear: number) =>
  fc.tuple(fc.integer({ min: fromYear, max: toYear }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => `${y}-${pad(m)}-${pad(d)}`);
const laterDate = (date: string, extraYears: number, month: number) => {
  const candidate = `${Number(date.slice(0, 4)) + extraYears}-${pad(month)}-${date.slice(8)}`;
  return candidate < date ? date : candidate;
};

const eventArb: fc.Arbitrary<ScenarioEventInput> = fc.oneof(
  fc.record({
    date: dateArb(2005, 2045),
    type: fc.constant('contribute' as const),
    year: fc.integer({ min: 2000, max: 2050 }),
    tier: fc.constantFrom(100, 150, 200, 300, 500, 1000, 2000),
    collectiveFen: fc.integer({ min: 0, max: 5000 }),
    aidFen: fc.integer({ min: 0, max: 5000 }),
    payer: fc.constantFrom('individual' as const, 'government' as const),
  }),
  fc.record({ date: dateArb(2005, 2045), type: fc.constant('legacy' as const), amountFen: fc.integer({ min: 1, max: 1_000_000 }) }),
  fc.record({ date: dateArb(2005, 2060), type: fc.constant('certify' as const) }),
  fc
    .tuple(dateArb(2005, 2060), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 1, max: 12 }), fc.constantFrom('urbanPension' as const, 'death' as const))
    .map(([date, years, month, type]) => ({ date, type, reportedDate: laterDate(date, years, month) })),
  fc.record({ date: dateArb(2005, 2060), type: fc.constant('householdPaid' as const), year: fc.integer({ min: 2005, max: 2060 }) }),
);

const scenarioArb: fc.Arbitrary<ScenarioInput> = fc.record({
  policy: fc.record(
    {
      preset: fc.constantFrom('xinnongbao-2009' as const, 'chengxiang-2014' as const),
      divisor: fc.integer({ min: 1, max: 300 }),
      certBackPay: fc.boolean(),
      bindingBackPay: fc.boolean(),
      inheritGovernment: fc.boolean(),
      arrearsSubsidy: fc.boolean(),
    },
    { requiredKeys: [] },
  ),
  schemeStart: dateArb(2008, 2015),
  // enrolledDate: absent (the scheme's start) or a day after any generated scheme start.
  person: fc.record(
    { birthDate: dateArb(1930, 2000), enrolledDate: dateArb(2016, 2045), severelyDisabled: fc.boolean(), familyBinding: fc.boolean() },
    { requiredKeys: ['birthDate', 'severelyDisabled', 'familyBinding'] },
  ),
  events: fc.array(eventArb, { maxLength: 25 }),
  until: fc.tuple(fc.integer({ min: 2016, max: 2070 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}-${pad(m)}`),
});

const REASONS = new Set(['deceased', 'unknown-tier', 'already-paid', 'future-year', 'year-not-eligible', 'not-disabled', 'already-reported']);

describe('properties', () => {
  it('splits every draw into shares that sum to the amount the account can cover, none above its source', () => {
    fc.assert(
      fc.property(balancesArb, fc.integer({ min: 0, max: 6_000_000 }), (balances, amountFen) => {
        const total = SOURCES.reduce((sum, s) => sum + balances[s], 0);
        const draw = splitAccountDraw(balances, amountFen);
        const sum = SOURCES.reduce((acc, s) => acc + draw.bySource[s], 0);
        expect(sum).toBe(Math.min(amountFen, total));
        expect(draw.fromAccountFen + draw.fromPoolFen).toBe(amountFen);
        for (const s of SOURCES) {
          expect(draw.bySource[s]).toBeGreaterThanOrEqual(0);
          expect(draw.bySource[s]).toBeLessThanOrEqual(balances[s]);
          // Never less than its rounded-down proportional share.
          if (amountFen < total) expect(draw.bySource[s]).toBeGreaterThanOrEqual(Math.floor((amountFen * balances[s]) / total));
        }
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('rounds every rate product to the nearest fen, halves up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1e12 }), fc.integer({ min: 0, max: 10_000 }), (fen, bp) => {
        const r = BigInt(applyRateHalfUp(fen, parseRate(bp)));
        const exactTimes2 = BigInt(fen) * BigInt(bp) * 2n; // 2 × fen × bp / 10 000, scaled
        // (r - 1/2) <= fen × bp / 10 000 < (r + 1/2)
        expect((2n * r - 1n) * 10_000n <= exactTimes2).toBe(true);
        expect(exactTimes2 < (2n * r + 1n) * 10_000n).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('simulates every schema-valid scenario without throwing, money never negative', () => {
    fc.assert(
      fc.property(scenarioArb, (input) => {
        const result = simulate(parseScenario(input));
        for (const row of result.years) for (const s of SOURCES) {
          expect(row.balanceFen[s]).toBeGreaterThanOrEqual(0);
          expect(row.interestFen[s]).toBeGreaterThanOrEqual(0);
        }
        expect(result.recoverFen).toBeGreaterThanOrEqual(0);
        for (const reason of result.refused.map((r) => r.reason)) expect(REASONS.has(reason)).toBe(true);
        if (result.death) for (const v of Object.values(result.death)) expect(v).toBeGreaterThanOrEqual(0);
        if (result.pension) {
          expect(result.months[0]?.month).toBe(result.pension.startMonth);
          // Never retroactively: not before the month after the month of enrolment.
          expect(result.pension.startMonth > (input.person.enrolledDate ?? input.schemeStart).slice(0, 7)).toBe(true);
          expect(result.months.at(-1)?.month).toBe(input.until);
          for (const m of result.months) {
            expect(m.paidFen).toBeGreaterThanOrEqual(0);
            expect(m.fromAccountFen).toBeGreaterThanOrEqual(0);
            expect(m.fromAccountFen).toBeLessThanOrEqual(result.pension.accountFen);
            if (m.status.startsWith('paid')) expect(m.paidFen).toBeGreaterThanOrEqual(result.pension.topUpFen + result.pension.accountFen);
            else expect(m.paidFen).toBe(0);
          }
        } else {
          expect(result.months).toEqual([]);
        }
        expect(result.paidYears).toBeLessThanOrEqual(input.events.filter((e) => e.type === 'contribute').length);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  function onlyScenarioErrors(value: unknown): void {
    try {
      parseScenario(value);
    } catch (error) {
      expect(isPolicyError(error) && error.code === PolicyErrorCode.InvalidScenario).toBe(true);
      if (isPolicyError(error)) {
        expect(error.issues.length).toBeGreaterThan(0);
        for (const issue of error.issues) expect(typeof issue.path).toBe('string');
      }
    }
  }

  it('parseScenario throws nothing but its typed error on random JSON values and text', () => {
    fc.assert(fc.property(fc.jsonValue(), onlyScenarioErrors), { seed: SEED, numRuns: 4000 });
    fc.assert(fc.property(fc.string(), onlyScenarioErrors), { seed: SEED, numRuns: 2000 });
  });

  it('parseScenario throws nothing but its typed error when one field of a valid scenario is replaced by random JSON', () => {
    const paths: string[][] = [
      ['schemeStart'], ['until'], ['person'], ['person', 'birthDate'], ['person', 'enrolledDate'], ['events'], ['events', '0'], ['events', '0', 'tier'], ['events', '0', 'type'],
      ['events', '1', 'reportedDate'], ['policy'], ['policy', 'rates'], ['policy', 'basic'], ['policy', 'divisor'], ['policy', 'changes'], ['policy', 'subsidyByTier'],
    ];
    const base = {
      schemeStart: '2010-07-01',
      person: { birthDate: '1960-05-20' },
      events: [{ date: '2010-09-01', type: 'contribute', year: 2010, tier: 100 }, { date: '2012-01-01', type: 'death', reportedDate: '2012-02-01' }],
      policy: { divisor: 139 },
      until: '2020-12',
    };
    fc.assert(
      fc.property(fc.constantFrom(...paths), fc.jsonValue(), (path, value) => {
        const copy = structuredClone(base) as Record<string, unknown>;
        let target = copy as Record<string, unknown>;
        for (const key of path.slice(0, -1)) target = target[key] as Record<string, unknown>;
        target[path.at(-1)!] = value;
        onlyScenarioErrors(copy);
      }),
      { seed: SEED, numRuns: 4000 },
    );
  });
});
