import { describe, expect, it } from 'vitest';
import { PolicyErrorCode, isPolicyError, parseScenario, simulate, type FieldIssue } from './index.js';

const valid = {
  policy: { basic: [{ from: '2009-10', fen: 5500 }] },
  schemeStart: '2010-07-01',
  person: { birthDate: '1960-05-20', severelyDisabled: false },
  events: [
    { date: '2010-09-01', type: 'contribute', year: 2010, tier: 100, collectiveFen: 0, aidFen: 0, payer: 'individual' },
    { date: '2010-09-01', type: 'legacy', amountFen: 150000 },
    { date: '2021-05-15', type: 'certify' },
    { date: '2023-02-01', type: 'urbanPension', reportedDate: '2023-08-10' },
    { date: '2030-05-10', type: 'death', reportedDate: '2030-09-01' },
  ],
  until: '2031-12',
};

function issuesOf(input: unknown): FieldIssue[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (isPolicyError(error) && error.code === PolicyErrorCode.InvalidScenario) return [...error.issues];
    throw error;
  }
  throw new Error('expected the scenario to be refused');
}

function withEvent(index: number, change: Record<string, unknown>) {
  const events = valid.events.map((e, i) => (i === index ? { ...e, ...change } : e));
  return { ...valid, events };
}

describe('parseScenario', () => {
  it("accepts POLICY's contract example (text or value) and simulates it", () => {
    const fromText = parseScenario(JSON.stringify(valid));
    expect(parseScenario(valid)).toEqual(fromText);
    const result = simulate(fromText);
    // Born 1960-05-20, R = 10, but only one year is paid: no pension.
    expect(result).toMatchObject({ requiredYears: 10, paidYears: 1, pension: null, months: [] });
    expect(result.death).not.toBeNull();
  });

  it('names the field of a wrong value, e.g. events[2].tier', () => {
    const scenario = { ...valid, events: [valid.events[0], valid.events[1], { ...valid.events[0], tier: 'one hundred' }] };
    expect(issuesOf(scenario).map((i) => i.path)).toEqual(['events[2].tier']);
  });

  it('names missing fields, unknown fields and unknown event types', () => {
    const { until: _until, ...noUntil } = valid;
    expect(issuesOf(noUntil).map((i) => i.path)).toEqual(['until']);
    expect(issuesOf(withEvent(0, { tierr: 100 })).map((i) => i.path)).toEqual(['events[0].tierr']);
    expect(issuesOf(withEvent(1, { type: 'gift' })).map((i) => i.path)).toEqual(['events[1].type']);
    expect(issuesOf({ ...valid, person: { birthDate: '1960-02-30' } }).map((i) => i.path)).toEqual(['person.birthDate']);
    expect(issuesOf({ ...valid, policy: { divisor: 0 } }).map((i) => i.path)).toEqual(['policy.divisor']);
    expect(issuesOf({ ...valid, policy: { rates: { '2011': '3.5%' } } }).map((i) => i.path)).toEqual(['policy.rates.2011']);
    expect(issuesOf({ ...valid, policy: { preset: 'xinnongbao-1992' } }).map((i) => i.path)).toEqual(['policy.preset']);
  });

  it('refuses amounts not in fen, a report before the event, an until before the start', () => {
    expect(issuesOf(withEvent(1, { amountFen: 1500.5 })).map((i) => i.path)).toEqual(['events[1].amountFen']);
    expect(issuesOf(withEvent(0, { collectiveFen: -1 })).map((i) => i.path)).toEqual(['events[0].collectiveFen']);
    expect(issuesOf(withEvent(4, { reportedDate: '2030-05-01' })).map((i) => i.path)).toEqual(['events[4].reportedDate']);
    expect(issuesOf({ ...valid, until: '2009-12' }).map((i) => i.path)).toEqual(['until']);
    expect(issuesOf({ ...valid, until: '2031-13' }).map((i) => i.path)).toEqual(['until']);
  });

  it('checks an optional citizen number and its birth date', () => {
    expect(() => parseScenario({ ...valid, person: { birthDate: '1960-05-20', citizenNumber: '440783196005201230' } })).not.toThrow();
    expect(issuesOf({ ...valid, person: { birthDate: '1960-05-20', citizenNumber: '440783196005201231' } }).map((i) => i.path)).toEqual(['person.citizenNumber']);
    expect(issuesOf({ ...valid, person: { birthDate: '1960-05-21', citizenNumber: '440783196005201230' } }).map((i) => i.path)).toEqual(['person.birthDate']);
  });

  it('takes an optional person.enrolledDate: a calendar date, not before the scheme starts', () => {
    expect(parseScenario({ ...valid, person: { birthDate: '1960-05-20', enrolledDate: '2015-03-10' } }).person.enrolledDate).toBe('2015-03-10');
    expect(parseScenario(valid).person.enrolledDate).toBeUndefined();
    for (const bad of ['2015-02-30', '2015-3-10', 20150310, null]) {
      expect(issuesOf({ ...valid, person: { birthDate: '1960-05-20', enrolledDate: bad } }).map((i) => i.path)).toEqual(['person.enrolledDate']);
    }
    const early = issuesOf({ ...valid, person: { birthDate: '1960-05-20', enrolledDate: '2010-06-30' } });
    expect(early).toEqual([{ path: 'person.enrolledDate', message: expect.stringContaining("before the scheme's start") }]);
  });

  it('refuses text that is not JSON at the root', () => {
    expect(issuesOf('{"schemeStart": ')).toEqual([expect.objectContaining({ path: '(root)' })]);
    expect(issuesOf('null').map((i) => i.path)).toEqual(['(root)']);
  });

  it('refuses a scenario whose amounts could outgrow exact integers, naming until', () => {
    const huge = { ...valid, policy: { rateAfter: '1' }, events: [{ date: '2010-09-01', type: 'legacy', amountFen: 10_000_000_000 }], until: '2200-12' };
    expect(issuesOf(huge).map((i) => i.path)).toEqual(['until']);
  });
});
