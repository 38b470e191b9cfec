// Coverage and campaign progress (POLICY.md "Publicity and coverage") over a
// real SQLite registry. Every expected number is worked out by hand in the
// comments from the people set up below; see coverage.ts for the definitions.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isRegistryError, type RegistryError } from './errors.js';
import { ratio } from './coverage.js';
import { citizenNumberFor, openTestStack, personInput, statedEnrolment, TEST_OPERATOR, testUuid, type TestStack } from './test-support.js';

function catchError(fn: () => unknown): RegistryError {
  try {
    fn();
  } catch (error) {
    if (isRegistryError(error)) return error;
    throw error;
  }
  throw new Error('expected a RegistryError, nothing was thrown');
}

describe('ratio', () => {
  it('rounds basis points half-up, in integers', () => {
    expect(ratio(1, 3)).toEqual({ numerator: 1, denominator: 3, basisPoints: 3333 }); // 3333.33
    expect(ratio(2, 3).basisPoints).toBe(6667); // 6666.67
    expect(ratio(1, 20_000).basisPoints).toBe(1); // exactly 0.5 goes up
    expect(ratio(1, 20_001).basisPoints).toBe(0); // just under 0.5 goes down
    expect(ratio(3, 3).basisPoints).toBe(10_000);
    expect(ratio(7, 5).basisPoints).toBe(14_000); // not capped
  });

  it('has no basis points over a zero denominator, and refuses non-integers', () => {
    expect(ratio(0, 0)).toEqual({ numerator: 0, denominator: 0, basisPoints: null });
    expect(ratio(4, 0).basisPoints).toBeNull();
    expect(() => ratio(0.5, 2)).toThrow(RangeError);
    expect(() => ratio(-1, 2)).toThrow(RangeError);
  });
});

// Scheme start 2010-07-01; today 2012-03-10 (the clock of the stack).
// Village V001 上坝村:
//   A 1970-03-15  pays 2011 on 2011-08-01, 2012 on 2012-03-10
//   B 1951-06-01  turns 60 in 2011: 2011 is not a contribution year for B
//   C 1940-02-02  aged 60+ at the scheme start: enrolled, never under 60
//   D 1980-01-01  does not pay 2011; pays 2012 on 2012-02-01 (before the campaign)
//   E 1975-05-05  pays 2011 on 2011-08-01, dies 2011-10-01: gone by the end of 2011
//   F 1985-02-02  registered 2012-01-05: not enrolled in 2011
//   G 1990-06-06  urban employees' pension since 2011-06-01: left the scheme
//   H 1995-09-09  turns 16 in 2011, registered 2011-09-10; pays 2011 only on
//                 2012-01-15 (after 2011 closed), 2012 on 2012-03-03 00:10
// Village V002 下河村:
//   I 1960-01-01  pays 2011 on 2011-11-11, 2012 on 2012-03-02 23:30
// Village V003 山后村: nobody.
const A = citizenNumberFor('1970-03-15', 1);
const B = citizenNumberFor('1951-06-01', 2);
const C = citizenNumberFor('1940-02-02', 3);
const D = citizenNumberFor('1980-01-01', 4);
const E = citizenNumberFor('1975-05-05', 5);
const F = citizenNumberFor('1985-02-02', 6);
const G = citizenNumberFor('1990-06-06', 7);
const H = citizenNumberFor('1995-09-09', 8);
const I = citizenNumberFor('1960-01-01', 9);

let stack: TestStack;

function pay(citizenNumber: string, year: number, paidAt: string): void {
  const result = stack.registry.recordContribution({ id: testUuid(paidAt.slice(0, 10)), citizenNumber, year, tierYuan: 100, channel: 'counter', paidAt }, { historical: true });
  expect(result.result).toBe('created');
}

beforeAll(() => {
  stack = openTestStack({ today: '2012-03-10' });
  const persons = stack.registry.persons;
  persons.createVillage({ code: 'V001', name: '上坝村' });
  persons.createVillage({ code: 'V002', name: '下河村' });
  persons.createVillage({ code: 'V003', name: '山后村' });
  for (const [cn, born, extra] of [
    [A, '1970-03-15', {}],
    [B, '1951-06-01', {}],
    [C, '1940-02-02', {}],
    [D, '1980-01-01', {}],
    [E, '1975-05-05', {}],
    [F, '1985-02-02', { enrolmentStatement: statedEnrolment('2012-01-05') }],
    [G, '1990-06-06', {}],
    [H, '1995-09-09', { enrolmentStatement: statedEnrolment('2011-09-10') }],
    [I, '1960-01-01', { villageCode: 'V002' }],
  ] as const) {
    persons.registerPerson(personInput(cn, born, extra), TEST_OPERATOR);
  }
  pay(A, 2011, '2011-08-01T10:00:00+08:00');
  pay(E, 2011, '2011-08-01T10:00:00+08:00');
  pay(I, 2011, '2011-11-11T10:00:00+08:00');
  pay(H, 2011, '2012-01-15T10:00:00+08:00');
  pay(D, 2012, '2012-02-01T10:00:00+08:00');
  pay(I, 2012, '2012-03-02T23:30:00+08:00');
  pay(H, 2012, '2012-03-03T00:10:00+08:00');
  pay(A, 2012, '2012-03-10T09:00:00+08:00');
  persons.reportDeath({ citizenNumber: E, deathDate: '2011-10-01', reportedOn: '2011-10-05' });
  persons.reportUrbanPension({ citizenNumber: G, since: '2011-06-01', reportedOn: '2011-07-01' });
  stack.registry.coverage.setEligiblePopulation('V001', { year: 2011, eligiblePersons: 7 }, 'op.wang');
  stack.registry.coverage.setEligiblePopulation('V002', { year: 2011, eligiblePersons: 2 });
});
afterAll(() => stack.close());

describe('coverage of a village', () => {
  it('counts a closed year as of 31 December: enrolled ÷ eligible, contributed ÷ enrolled under 60', () => {
    // Enrolled at 2011-12-31: A B C D H (E died, F registered later, G left) = 5; 5/7 = 7142.86 bp.
    // Under 60 for 2011: A D H (B turns 60 in 2011, C was 60+ at the start) = 3;
    // paid for 2011 by 2011-12-31: A only (H paid in 2012, E died) = 1; 1/3 = 3333.33 bp.
    expect(stack.registry.coverage.villageCoverage('V001', 2011)).toEqual({
      year: 2011,
      asOf: '2011-12-31',
      villageCode: 'V001',
      villageName: '上坝村',
      enrolled: 5,
      eligiblePopulation: { persons: 7, countedForYear: 2011 },
      enrolment: { numerator: 5, denominator: 7, basisPoints: 7143 },
      enrolledUnder60: 3,
      contributed: 1,
      contribution: { numerator: 1, denominator: 3, basisPoints: 3333 },
    });
  });

  it('counts the running year as of today, with the latest earlier eligible count', () => {
    // Enrolled at 2012-03-10: A B C D F H = 6; no 2012 count, the 2011 one (7) is used: 6/7 = 8571.43 bp.
    // Under 60 for 2012: A D F H = 4; paid for 2012 by today: A D H = 3; 3/4 = 7500 bp.
    const v = stack.registry.coverage.villageCoverage('V001', 2012);
    expect(v.asOf).toBe('2012-03-10');
    expect(v.enrolled).toBe(6);
    expect(v.eligiblePopulation).toEqual({ persons: 7, countedForYear: 2011 });
    expect(v.enrolment).toEqual({ numerator: 6, denominator: 7, basisPoints: 8571 });
    expect(v.contribution).toEqual({ numerator: 3, denominator: 4, basisPoints: 7500 });
  });

  it('uses the policy window: the year a person turns 16 counts, the year they turn 60 does not', () => {
    // 2010: A B D E G under 60 (H only turns 16 in 2011); none had paid for 2010.
    const v2010 = stack.registry.coverage.villageCoverage('V001', 2010);
    expect(v2010.enrolledUnder60).toBe(5);
    expect(v2010.contributed).toBe(0);
    expect(v2010.eligiblePopulation).toBeNull();
    expect(v2010.enrolment).toBeNull();
  });

  it('has no contribution years before the scheme started: the ratio has no basis points', () => {
    const v = stack.registry.coverage.villageCoverage('V001', 2009);
    expect(v.enrolled).toBe(0);
    expect(v.contribution).toEqual({ numerator: 0, denominator: 0, basisPoints: null });
  });

  it('refuses a year that has not begun and an unknown village', () => {
    expect(catchError(() => stack.registry.coverage.villageCoverage('V001', 2013))).toMatchObject({ code: 'future-year', field: 'year' });
    expect(catchError(() => stack.registry.coverage.villageCoverage('V404', 2011)).code).toBe('village-not-found');
  });
});

describe('coverage of the county', () => {
  it('lists every village and totals them; no county enrolment ratio while a village has no eligible count', () => {
    const county = stack.registry.coverage.countyCoverage(2011);
    expect(county.villages.map((v) => [v.villageCode, v.enrolled, v.enrolledUnder60, v.contributed])).toEqual([
      ['V001', 5, 3, 1],
      ['V002', 1, 1, 1],
      ['V003', 0, 0, 0],
    ]);
    expect(county.villages[1]!.enrolment).toEqual({ numerator: 1, denominator: 2, basisPoints: 5000 });
    expect(county.truncated).toBe(false);
    // 2 of 4 under 60 paid: 5000 bp.
    expect(county.total).toEqual({
      villages: 3,
      enrolled: 6,
      eligiblePersons: null,
      enrolment: null,
      villagesWithoutEligiblePopulation: { count: 1, codes: ['V003'] },
      enrolledUnder60: 4,
      contributed: 2,
      contribution: { numerator: 2, denominator: 4, basisPoints: 5000 },
    });
  });

  it('gives the county enrolment ratio once every village is counted', () => {
    stack.registry.coverage.setEligiblePopulation('V003', { year: 2011, eligiblePersons: 0 });
    const county = stack.registry.coverage.countyCoverage(2011);
    expect(county.villages[2]!.enrolment).toEqual({ numerator: 0, denominator: 0, basisPoints: null });
    // 6 enrolled of 7 + 2 + 0 = 9: 6666.67 bp.
    expect(county.total.eligiblePersons).toBe(9);
    expect(county.total.enrolment).toEqual({ numerator: 6, denominator: 9, basisPoints: 6667 });
    expect(county.total.villagesWithoutEligiblePopulation).toEqual({ count: 0, codes: [] });
  });
});

describe('eligible population', () => {
  it('is revised by setting the same year again', () => {
    stack.registry.coverage.setEligiblePopulation('V002', { year: 2012, eligiblePersons: 3 });
    stack.registry.coverage.setEligiblePopulation('V002', { year: 2012, eligiblePersons: 4 });
    // I is the one enrolled: 1/4.
    expect(stack.registry.coverage.villageCoverage('V002', 2012).enrolment).toEqual({ numerator: 1, denominator: 4, basisPoints: 2500 });
  });

  it('refuses a count that is not a whole non-negative number, and an unknown village', () => {
    for (const eligiblePersons of [-1, 2.5, '7']) {
      expect(catchError(() => stack.registry.coverage.setEligiblePopulation('V001', { year: 2012, eligiblePersons }))).toMatchObject({
        code: 'invalid-input',
        field: 'eligiblePersons',
      });
    }
    expect(catchError(() => stack.registry.coverage.setEligiblePopulation('V404', { year: 2012, eligiblePersons: 1 })).code).toBe('village-not-found');
    expect(stack.registry.coverage.villageCoverage('V001', 2012).eligiblePopulation).toEqual({ persons: 7, countedForYear: 2011 });
  });
});

describe('a collection campaign', () => {
  const campaign = {
    year: 2012,
    startDate: '2012-03-01',
    endDate: '2012-03-31',
    targetContributions: 10,
    villageTargets: [
      { villageCode: 'V001', targetContributions: 6 },
      { villageCode: 'V002', targetContributions: 4 },
    ],
  };

  it('has none until an operator sets it', () => {
    expect(stack.registry.coverage.campaign(2012)).toBeUndefined();
    expect(stack.registry.coverage.campaignProgress(2012)).toBeUndefined();
  });

  it('counts contributions per day by their Shanghai date, cumulative from those paid before the start', () => {
    expect(stack.registry.coverage.setCampaign(campaign, 'op.wang')).toMatchObject({ ...campaign, setBy: 'op.wang' });
    const p = stack.registry.coverage.campaignProgress(2012)!;
    expect(p).toMatchObject({ status: 'running', asOf: '2012-03-10', village: null, targetContributions: 10, beforeStart: 1, afterEnd: 0 });
    // D paid before the start; I on 03-02 at 23:30 (still 03-02 in Shanghai), H on 03-03 at 00:10, A on 03-10.
    expect(p.days.map((d) => [d.date, d.contributions, d.cumulative])).toEqual([
      ['2012-03-01', 0, 1],
      ['2012-03-02', 1, 2],
      ['2012-03-03', 1, 3],
      ['2012-03-04', 0, 3],
      ['2012-03-05', 0, 3],
      ['2012-03-06', 0, 3],
      ['2012-03-07', 0, 3],
      ['2012-03-08', 0, 3],
      ['2012-03-09', 0, 3],
      ['2012-03-10', 1, 4],
    ]);
    // Plan: 10 × day ÷ 31 half-up: day 1 0.32 -> 0, day 2 0.65 -> 1, day 10 3.23 -> 3.
    expect(p.days.map((d) => d.plannedCumulative)).toEqual([0, 1, 1, 1, 2, 2, 2, 3, 3, 3]);
    expect(p.days[9]!.ofTarget).toEqual({ numerator: 4, denominator: 10, basisPoints: 4000 });
    expect(p.total).toEqual({ contributions: 4, ofTarget: { numerator: 4, denominator: 10, basisPoints: 4000 }, daysElapsed: 10, daysTotal: 31 });
  });

  it('shows a village against its own share of the target', () => {
    const v1 = stack.registry.coverage.campaignProgress(2012, 'V001')!;
    // V001: D before the start, H on 03-03, A on 03-10: 3 of 6; plan on day 10: 6 × 10 ÷ 31 = 1.94 -> 2.
    expect(v1.village).toEqual({ code: 'V001', name: '上坝村' });
    expect(v1.beforeStart).toBe(1);
    expect(v1.days.filter((d) => d.contributions > 0).map((d) => d.date)).toEqual(['2012-03-03', '2012-03-10']);
    expect(v1.days[9]).toEqual({ date: '2012-03-10', contributions: 1, cumulative: 3, plannedCumulative: 2, ofTarget: { numerator: 3, denominator: 6, basisPoints: 5000 } });
    const v2 = stack.registry.coverage.campaignProgress(2012, 'V002')!;
    expect(v2.total.ofTarget).toEqual({ numerator: 1, denominator: 4, basisPoints: 2500 });
    const v3 = stack.registry.coverage.campaignProgress(2012, 'V003')!;
    expect(v3.targetContributions).toBeNull();
    expect(v3.total).toEqual({ contributions: 0, ofTarget: null, daysElapsed: 10, daysTotal: 31 });
    expect(catchError(() => stack.registry.coverage.campaignProgress(2012, 'V404')).code).toBe('village-not-found');
  });

  it('has no days before it starts and stops counting at its end', () => {
    stack.setToday('2012-02-20');
    const early = stack.registry.coverage.campaignProgress(2012)!;
    expect(early.status).toBe('not-started');
    expect(early.days).toEqual([]);
    expect(early.total.daysElapsed).toBe(0);
    stack.setToday('2012-04-15');
    pay(F, 2012, '2012-04-02T10:00:00+08:00');
    const late = stack.registry.coverage.campaignProgress(2012)!;
    expect(late).toMatchObject({ status: 'ended', asOf: '2012-03-31', afterEnd: 1 });
    expect(late.days).toHaveLength(31);
    expect(late.total.contributions).toBe(4);
    stack.setToday('2012-03-10');
  });

  it('is replaced whole when revised', () => {
    const revised = stack.registry.coverage.setCampaign({ year: 2012, startDate: '2012-03-01', endDate: '2012-04-30', targetContributions: 12 });
    expect(revised.villageTargets).toEqual([]);
    expect(stack.registry.coverage.campaignProgress(2012, 'V001')!.targetContributions).toBeNull();
    expect(stack.registry.coverage.campaignProgress(2012)!.total.daysTotal).toBe(61);
  });

  it('refuses bad dates, targets and villages, and keeps the campaign it had', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ startDate: '2011-12-01' }, 'invalid-date', 'startDate'],
      [{ endDate: '2012-02-28' }, 'invalid-date', 'endDate'],
      [{ startDate: '2012-01-01', endDate: '2013-01-01' }, 'invalid-date', 'endDate'], // 367 days
      [{ endDate: '2012-02-30' }, 'invalid-date', 'endDate'],
      [{ targetContributions: 0 }, 'invalid-input', 'targetContributions'],
      [{ targetContributions: 1.5 }, 'invalid-input', 'targetContributions'],
      [{ villageTargets: [{ villageCode: 'V001', targetContributions: 1 }, { villageCode: 'V001', targetContributions: 2 }] }, 'invalid-input', 'villageTargets[1].villageCode'],
      [{ villageTargets: [{ villageCode: 'V404', targetContributions: 1 }] }, 'village-not-found', 'villageTargets[0].villageCode'],
      [{ surprise: true }, 'invalid-input', ''],
    ];
    for (const [change, code, field] of cases) {
      const e = catchError(() => stack.registry.coverage.setCampaign({ ...campaign, ...change }));
      expect(e.code, JSON.stringify(change)).toBe(code);
      if (field) expect(e.field, JSON.stringify(change)).toBe(field);
    }
    expect(stack.registry.coverage.campaign(2012)).toMatchObject({ endDate: '2012-04-30', targetContributions: 12, villageTargets: [] });
  });
});
