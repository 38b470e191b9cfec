// `simulate` against POLICY's public worked example and cases worked out by
// hand from the rules. Expected numbers are computed here with plain integer
// arithmetic, never by calling the engine.
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate, type ScenarioEventInput, type ScenarioInput, type SimulationResult } from './index.js';

function run(scenario: ScenarioInput): SimulationResult {
  return simulate(parseScenario(JSON.parse(JSON.stringify(scenario))));
}

/** round_half_up(fen × bp / 10 000), written out independently of the engine. */
function interestByHand(fen: number, basisPoints: number): number {
  const product = fen * basisPoints; // exact: both small integers
  const whole = Math.floor(product / 10_000);
  return product % 10_000 >= 5000 ? whole + 1 : whole;
}

const zero = { individual: 0, collective: 0, aid: 0, legacy: 0, government: 0 };

function yearly(from: number, to: number, event: (year: number) => ScenarioEventInput): ScenarioEventInput[] {
  const events: ScenarioEventInput[] = [];
  for (let year = from; year <= to; year++) events.push(event(year));
  return events;
}

describe('the public worked example (POLICY "Worked example")', () => {
  const scenario: ScenarioInput = {
    policy: { basic: [{ from: '2009-10', fen: 5500 }] },
    schemeStart: '2010-07-01',
    person: { birthDate: '1960-05-20', severelyDisabled: false },
    events: yearly(2010, 2019, (year) => ({ date: `${year}-09-01`, type: 'contribute', year, tier: 100, collectiveFen: 0, aidFen: 0, payer: 'individual' })),
    until: '2020-12',
  };

  it('reaches the balance computed by hand from the rate table', () => {
    // Each year adds 10 000 fen individual and 3 000 government (tier 100 ->
    // subsidy 30 yuan). On 31 Dec of Y each source earns round_half_up(its
    // 1 January balance × rate(Y)); the year's own credit earns nothing yet.
    //            individual                         government
    // 2010 2.75%  0 -> 0            + 10000 = 10000      3000
    // 2011 3.50%  10000 -> 350      + 10000 = 20350      3000 -> 105    -> 6105
    // 2012 3.00%  20350 -> 610.5=611 + 10000 = 30961     6105 -> 183.15=183 -> 9288
    // 2013 3.00%  30961 -> 928.83=929 -> 41890           9288 -> 278.64=279 -> 12567
    // 2014 2.75%  41890 -> 1151.975=1152 -> 53042        12567 -> 345.59=346 -> 15913
    // 2015 1.50%  53042 -> 795.63=796 -> 63838           15913 -> 238.695=239 -> 19152
    // 2016 1.50%  63838 -> 957.57=958 -> 74796           19152 -> 287.28=287 -> 22439
    // 2017 1.50%  74796 -> 1121.94=1122 -> 85918         22439 -> 336.585=337 -> 25776
    // 2018 1.50%  85918 -> 1288.77=1289 -> 97207         25776 -> 386.64=387 -> 29163
    // 2019 1.50%  97207 -> 1458.105=1458 -> 108665       29163 -> 437.445=437 -> 32600
    const ratesBp: Record<number, number> = { 2010: 275, 2011: 350, 2012: 300, 2013: 300, 2014: 275 };
    let individual = 0;
    let government = 0;
    const expectedRows = [];
    for (let year = 2010; year <= 2019; year++) {
      const bp = ratesBp[year] ?? 150;
      const interestIndividual = interestByHand(individual, bp);
      const interestGovernment = interestByHand(government, bp);
      individual += interestIndividual + 10_000;
      government += interestGovernment + 3000;
      expectedRows.push({ year, interestFen: { ...zero, individual: interestIndividual, government: interestGovernment }, balanceFen: { ...zero, individual, government } });
    }
    expect([individual, government]).toEqual([108_665, 32_600]);
    // Account pension: round_half_up(141 265 / 139) = round_half_up(1016.29) = 1016.
    const accountFen = Math.floor((individual + government) / 139 + 0.5);
    expect(accountFen).toBe(1016);

    const result = run(scenario);
    expect(result.years.slice(0, 10)).toEqual(expectedRows);
    expect(result.requiredYears).toBe(10);
    expect(result.paidYears).toBe(10);
    expect(result.pension).toEqual({ startMonth: '2020-06', basicFen: 5500, topUpFen: 0, accountFen });
    expect(result.months[0]).toEqual({ month: '2020-06', status: 'paid', paidFen: 5500 + accountFen, fromAccountFen: accountFen });
    expect(result.months.map((m) => m.month)).toEqual(['2020-06', '2020-07', '2020-08', '2020-09', '2020-10', '2020-11', '2020-12']);
  });

  it('prints exactly the contract result shape', () => {
    const result = run(scenario);
    expect(Object.keys(result)).toEqual(['requiredYears', 'paidYears', 'years', 'pension', 'months', 'recoverFen', 'death', 'refused']);
    expect(Object.keys(result.years[0]!)).toEqual(['year', 'interestFen', 'balanceFen']);
    expect(Object.keys(result.years[0]!.interestFen)).toEqual(['individual', 'collective', 'aid', 'legacy', 'government']);
    expect(Object.keys(result.years[0]!.balanceFen)).toEqual(['individual', 'collective', 'aid', 'legacy', 'government']);
    expect(Object.keys(result.pension!)).toEqual(['startMonth', 'basicFen', 'topUpFen', 'accountFen']);
    expect(Object.keys(result.months[0]!)).toEqual(['month', 'status', 'paidFen', 'fromAccountFen']);
    expect(result.years[0]).toEqual({ year: 2010, interestFen: zero, balanceFen: { ...zero, individual: 10_000, government: 3000 } });
    expect(result.recoverFen).toBe(0);
    expect(result.death).toBeNull();
    expect(result.refused).toEqual([]);
  });

  it('closes a year only when passing 31 December; `until` December closes its year', () => {
    const november = run({ ...scenario, until: '2020-11' });
    expect(november.years.map((y) => y.year)).toEqual([2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]);
    const december = run(scenario);
    expect(december.years.at(-1)?.year).toBe(2020);
    // 2020: interest on the 1 January balance at 1.50 %: 108 665 -> 1629.975 -> 1630.
    expect(december.years.at(-1)?.interestFen.individual).toBe(1630);
  });
});

describe('contributions: refusals in POLICY order, arrears, disability', () => {
  it('refuses arrears twice, future years, ineligible years, an undisabled government payer and unknown tiers first', () => {
    const result = run({
      schemeStart: '2010-07-01',
      person: { birthDate: '1960-05-20' },
      events: [
        { date: '2011-03-01', type: 'contribute', year: 2010, tier: 100 }, // 0: arrears, accepted, no subsidy
        { date: '2011-04-01', type: 'contribute', year: 2010, tier: 200 }, // 1: already-paid
        { date: '2011-04-01', type: 'contribute', year: 2012, tier: 100 }, // 2: future-year
        { date: '2011-04-01', type: 'contribute', year: 2009, tier: 100 }, // 3: year-not-eligible (before F)
        { date: '2011-04-01', type: 'contribute', year: 2011, tier: 100, payer: 'government' }, // 4: not-disabled
        { date: '2011-04-01', type: 'contribute', year: 2010, tier: 150 }, // 5: unknown-tier beats already-paid
        { date: '2011-04-02', type: 'contribute', year: 2012, tier: 150 }, // 6: unknown-tier beats future-year
        { date: '2011-05-01', type: 'contribute', year: 2020, tier: 100 }, // 7: future-year beats year-not-eligible
        { date: '2012-01-10', type: 'death', reportedDate: '2012-01-10' }, // 8
        { date: '2012-02-01', type: 'contribute', year: 2012, tier: 150, payer: 'government' }, // 9: deceased first
        { date: '2012-03-01', type: 'certify' }, // 10: deceased
        { date: '2012-03-01', type: 'legacy', amountFen: 5000 }, // 11: deceased
        { date: '2022-01-01', type: 'contribute', year: 2021, tier: 100 }, // 12: after until: outside
      ],
      until: '2012-12',
    });
    expect(result.refused).toEqual([
      { index: 1, reason: 'already-paid' },
      { index: 2, reason: 'future-year' },
      { index: 3, reason: 'year-not-eligible' },
      { index: 4, reason: 'not-disabled' },
      { index: 5, reason: 'unknown-tier' },
      { index: 6, reason: 'unknown-tier' },
      { index: 7, reason: 'future-year' },
      { index: 9, reason: 'deceased' },
      { index: 10, reason: 'deceased' },
      { index: 11, reason: 'deceased' },
    ]);
    expect(result.paidYears).toBe(1);
    // 2011: the arrears' 10 000 fen, no subsidy, no interest (1 Jan 2011 balance 0).
    // 2012: the year of death: no interest.
    expect(result.years).toEqual([
      { year: 2010, interestFen: zero, balanceFen: zero },
      { year: 2011, interestFen: zero, balanceFen: { ...zero, individual: 10_000 } },
      { year: 2012, interestFen: zero, balanceFen: { ...zero, individual: 10_000 } },
    ]);
    expect(result.death).toEqual({ inheritableFen: 10_000, toPoolFen: 0, recoveredFen: 0 });
    expect(result.pension).toBeNull();
    expect(result.months).toEqual([]);
  });

  it('has the government pay the lowest tier and its subsidy for a severely disabled member, arrears without subsidy', () => {
    const result = run({
      schemeStart: '2010-07-01',
      person: { birthDate: '1970-01-01', severelyDisabled: true },
      events: [
        { date: '2010-09-01', type: 'contribute', year: 2010, tier: 300, payer: 'government' },
        { date: '2012-03-01', type: 'contribute', year: 2011, tier: 100, payer: 'government' },
      ],
      until: '2012-12',
    });
    // 2010: 100 yuan on their behalf + 30 subsidy = 13 000 government, whatever the named tier.
    // 2011: 13 000 × 3.5 % = 455 -> 13 455.
    // 2012: 13 455 × 3 % = 403.65 -> 404; + 10 000 arrears (no subsidy) -> 23 859.
    expect(result.years.map((y) => y.balanceFen)).toEqual([
      { ...zero, government: 13_000 },
      { ...zero, government: 13_455 },
      { ...zero, government: 23_859 },
    ]);
    expect(result.refused).toEqual([]);
  });
});

describe('pensions of those 60+ at the start: legacy balance and family binding', () => {
  it('pays the basic pension and an account pension from a legacy balance, drawing the legacy source', () => {
    const result = run({
      schemeStart: '2010-07-01',
      person: { birthDate: '1945-03-15' },
      events: [
        { date: '2010-07-01', type: 'legacy', amountFen: 139_000 },
        { date: '2011-06-01', type: 'certify' },
      ],
      until: '2011-12',
    });
    // R = 0: met when the scheme starts (2010-07-01); start the month after: 2010-08.
    // Account pension 139 000 / 139 = 1000; monthly 5500 + 1000.
    expect(result.requiredYears).toBe(0);
    expect(result.pension).toEqual({ startMonth: '2010-08', basicFen: 5500, topUpFen: 0, accountFen: 1000 });
    expect(result.months).toHaveLength(17);
    expect(result.months.every((m) => m.status === 'paid' && m.paidFen === 6500 && m.fromAccountFen === 1000)).toBe(true);
    // 2010: 5 draws -> 134 000; 2011: 12 draws, interest 134 000 × 3.5 % = 4690 -> 126 690.
    expect(result.years.map((y) => y.balanceFen.legacy)).toEqual([134_000, 126_690]);
    expect(result.years[1]!.interestFen.legacy).toBe(4690);
  });

  it('suspends months until every household member has paid for the year, without back pay', () => {
    const scenario: ScenarioInput = {
      schemeStart: '2010-07-01',
      person: { birthDate: '1945-03-15', familyBinding: true },
      events: [
        { date: '2010-09-15', type: 'householdPaid', year: 2010 },
        { date: '2011-03-10', type: 'householdPaid', year: 2011 },
        { date: '2011-06-01', type: 'certify' },
      ],
      until: '2011-04',
    };
    const result = run(scenario);
    expect(result.months.map((m) => [m.month, m.status, m.paidFen])).toEqual([
      ['2010-08', 'suspended-family-binding', 0],
      ['2010-09', 'paid', 5500],
      ['2010-10', 'paid', 5500],
      ['2010-11', 'paid', 5500],
      ['2010-12', 'paid', 5500],
      ['2011-01', 'suspended-family-binding', 0],
      ['2011-02', 'suspended-family-binding', 0],
      ['2011-03', 'paid', 5500],
      ['2011-04', 'paid', 5500],
    ]);
    expect(result.months.some((m) => m.backPaidFen !== undefined)).toBe(false);
    // A county that pays suspended binding months later: March carries January and February.
    const generous = run({ ...scenario, policy: { bindingBackPay: true } });
    expect(generous.months.find((m) => m.month === '2011-03')).toEqual({ month: '2011-03', status: 'paid', paidFen: 5500, fromAccountFen: 0, backPaidFen: 11_000 });
  });

  it('ignores the household unless familyBinding is set (the contract has no household)', () => {
    const result = run({ schemeStart: '2010-07-01', person: { birthDate: '1945-03-15' }, events: [], until: '2010-09' });
    expect(result.months.map((m) => m.status)).toEqual(['paid', 'paid']);
  });
});

describe('enrolment (POLICY "When a pension is paid": never retroactively)', () => {
  // Born 1945-03-15: 65 when the scheme starts on 2010-07-01, so R = 0 and the
  // requirement is met on that day; a legacy balance of 139 000 fen gives an
  // account pension of 139 000 / 139 = 1000 fen.
  const elder = (enrolledDate?: string): ScenarioInput => ({
    schemeStart: '2010-07-01',
    person: enrolledDate === undefined ? { birthDate: '1945-03-15' } : { birthDate: '1945-03-15', enrolledDate },
    events: [
      { date: '2020-03-10', type: 'legacy', amountFen: 139_000 },
      { date: '2020-03-10', type: 'certify' },
    ],
    until: '2020-06',
  });

  it('pays a resident aged 75 who enrols today from next month, not from the scheme start', () => {
    const result = run(elder('2020-03-10'));
    expect(result.pension).toEqual({ startMonth: '2020-04', basicFen: 5500, topUpFen: 0, accountFen: 1000 });
    expect(result.months).toEqual(['2020-04', '2020-05', '2020-06'].map((month) => ({ month, status: 'paid', paidFen: 6500, fromAccountFen: 1000 })));
  });

  it("defaults the enrolment to the scheme's start", () => {
    const byDefault = run(elder());
    expect(byDefault).toEqual(run(elder('2010-07-01')));
    // From 2010-08 with nothing in the account until 2020-03: 5500 a month, then the account pension.
    expect(byDefault.pension).toEqual({ startMonth: '2010-08', basicFen: 5500, topUpFen: 0, accountFen: 0 });
    expect(byDefault.months).toHaveLength(119);
  });

  it('changes nothing when the enrolment is before the requirement is met and the 60th birthday', () => {
    const worked: ScenarioInput = {
      schemeStart: '2010-07-01',
      person: { birthDate: '1960-05-20', enrolledDate: '2010-08-20' },
      events: yearly(2010, 2019, (year) => ({ date: `${year}-09-01`, type: 'contribute', year, tier: 100 })),
      until: '2020-12',
    };
    expect(run(worked).pension?.startMonth).toBe('2020-06');
  });
});

describe('proof of life', () => {
  // Born 1950-12-10: R = 0 (turns 60 in the scheme's first year), start 2011-01;
  // starting counts as certifying on 2011-01-01 -> holds through 2012-01.
  const base: ScenarioInput = {
    schemeStart: '2010-07-01',
    person: { birthDate: '1950-12-10' },
    events: [
      { date: '2012-01-05', type: 'certify' }, // through 2013-01
      { date: '2013-01-20', type: 'certify' }, // through 2014-01
      { date: '2014-05-10', type: 'certify' }, // after three suspended months
    ],
    until: '2014-06',
  };

  it('holds 2013-01-20 through 2014-01, suspends from 2014-02 and back-pays on the next certification', () => {
    const result = run(base);
    expect(result.pension?.startMonth).toBe('2011-01');
    const byMonth = new Map(result.months.map((m) => [m.month, m]));
    expect(byMonth.get('2014-01')).toEqual({ month: '2014-01', status: 'paid', paidFen: 5500, fromAccountFen: 0 });
    for (const month of ['2014-02', '2014-03', '2014-04']) expect(byMonth.get(month)).toEqual({ month, status: 'suspended-certification', paidFen: 0, fromAccountFen: 0 });
    expect(byMonth.get('2014-05')).toEqual({ month: '2014-05', status: 'paid', paidFen: 5500, fromAccountFen: 0, backPaidFen: 3 * 5500 });
    expect(byMonth.get('2014-06')?.status).toBe('paid');
  });

  it('suspends from the 13th month without any certification, and pays nothing back when certBackPay is false', () => {
    const lapsed = run({ ...base, events: [] });
    expect(lapsed.months.find((m) => m.month === '2012-01')?.status).toBe('paid');
    expect(lapsed.months.find((m) => m.month === '2012-02')?.status).toBe('suspended-certification');
    const strict = run({ ...base, policy: { certBackPay: false } });
    expect(strict.months.find((m) => m.month === '2014-05')).toEqual({ month: '2014-05', status: 'paid', paidFen: 5500, fromAccountFen: 0 });
  });
});

describe('death', () => {
  // Born 1955-02-10; F = 2010, Y60 = 2015, R = 5; pays tier 100 2010-2014.
  // 1 Jan 2015: individual 53 042, government 15 913 (the worked example's
  // first five years), total 68 955 -> account pension 68 955 / 139 = 496.08 -> 496.
  // Start: requirement met 2014-09 -> 2014-10; birthday 2015-02 -> 2015-03; later wins.
  const scenario = (preset: 'xinnongbao-2009' | 'chengxiang-2014'): ScenarioInput => ({
    policy: { preset },
    schemeStart: '2010-07-01',
    person: { birthDate: '1955-02-10' },
    events: [
      ...yearly(2010, 2014, (year) => ({ date: `${year}-09-01`, type: 'contribute', year, tier: 100 })),
      { date: '2015-05-20', type: 'death', reportedDate: '2015-09-10' },
    ],
    until: '2015-12',
  });

  it('pays through the death month, labels later months paid-after-death until reported, and recovers them from the inheritance', () => {
    const result = run(scenario('xinnongbao-2009'));
    expect(result.pension).toEqual({ startMonth: '2015-03', basicFen: 5500, topUpFen: 0, accountFen: 496 });
    expect(result.months.map((m) => [m.month, m.status, m.paidFen, m.fromAccountFen])).toEqual([
      ['2015-03', 'paid', 5996, 496],
      ['2015-04', 'paid', 5996, 496],
      ['2015-05', 'paid', 5996, 496],
      ['2015-06', 'paid-after-death', 5996, 0],
      ['2015-07', 'paid-after-death', 5996, 0],
      ['2015-08', 'paid-after-death', 5996, 0],
      ['2015-09', 'stopped', 0, 0],
      ['2015-10', 'stopped', 0, 0],
      ['2015-11', 'stopped', 0, 0],
      ['2015-12', 'stopped', 0, 0],
    ]);
    // Draws, by hand: 496 over individual/government in proportion, rounded down, leftover to individual.
    let individual = 53_042;
    let government = 15_913;
    for (let month = 0; month < 3; month++) {
      const total = individual + government;
      let shareIndividual = Math.floor((496 * individual) / total);
      const shareGovernment = Math.floor((496 * government) / total);
      shareIndividual += 496 - shareIndividual - shareGovernment; // leftover: individual first
      individual -= shareIndividual;
      government -= shareGovernment;
    }
    // No interest for 2015, the year of death; the row keeps the balance at the death.
    expect(result.years.at(-1)).toEqual({ year: 2015, interestFen: zero, balanceFen: { ...zero, individual, government } });
    // Inheritable: individual only; the government share goes to the pool;
    // the three after-death months (3 × 5996) are recovered from it.
    expect(result.death).toEqual({ inheritableFen: individual, toPoolFen: government, recoveredFen: 3 * 5996 });
    expect(result.recoverFen).toBe(0);
  });

  it('makes the whole balance inheritable under chengxiang-2014 (and pays its 70-yuan basic pension)', () => {
    const result = run(scenario('chengxiang-2014'));
    expect(result.pension).toEqual({ startMonth: '2015-03', basicFen: 7000, topUpFen: 0, accountFen: 496 });
    const last = result.years.at(-1)!.balanceFen;
    expect(result.death).toEqual({ inheritableFen: last.individual + last.government, toPoolFen: 0, recoveredFen: 3 * 7496 });
  });

  it('leaves to recover what the inheritance cannot cover', () => {
    // R = 0, legacy 13 900 -> account pension 100; monthly 5600, start 2011-01.
    // Death 2011-03-15: Jan-Mar drawn (13 600 left); reported 2014-03-01.
    // The start certified through 2012-01, so 2011-04 .. 2012-01 = 10 months
    // × 5600 = 56 000 were paid from the pool; 13 600 is recovered, 42 400 stays.
    const result = run({
      schemeStart: '2010-07-01',
      person: { birthDate: '1950-12-10' },
      events: [
        { date: '2010-08-01', type: 'legacy', amountFen: 13_900 },
        { date: '2011-03-15', type: 'death', reportedDate: '2014-03-01' },
      ],
      until: '2014-03',
    });
    // Certification lapses after 2012-01 (the dead do not certify): those months are suspended, not paid.
    const afterDeath = result.months.filter((m) => m.status === 'paid-after-death');
    expect(afterDeath.map((m) => m.month)).toEqual(['2011-04', '2011-05', '2011-06', '2011-07', '2011-08', '2011-09', '2011-10', '2011-11', '2011-12', '2012-01']);
    const paidAfterDeath = 10 * 5600;
    expect(result.death).toEqual({ inheritableFen: 13_600, toPoolFen: 0, recoveredFen: 13_600 });
    expect(result.recoverFen).toBe(paidAfterDeath - 13_600);
    expect(result.months.find((m) => m.month === '2014-03')?.status).toBe('stopped');
  });
});

describe('urban employees\' pension found later', () => {
  it('draws as usual while unreported, recovers every such month, and stops from the report', () => {
    const result = run({
      schemeStart: '2010-07-01',
      person: { birthDate: '1950-12-10' },
      events: [{ date: '2011-04-15', type: 'urbanPension', reportedDate: '2011-08-10' }],
      until: '2011-09',
    });
    expect(result.months.map((m) => [m.month, m.status, m.paidFen])).toEqual([
      ['2011-01', 'paid', 5500],
      ['2011-02', 'paid', 5500],
      ['2011-03', 'paid', 5500],
      ['2011-04', 'paid-improperly', 5500],
      ['2011-05', 'paid-improperly', 5500],
      ['2011-06', 'paid-improperly', 5500],
      ['2011-07', 'paid-improperly', 5500],
      ['2011-08', 'stopped', 0],
      ['2011-09', 'stopped', 0],
    ]);
    expect(result.recoverFen).toBe(4 * 5500);
  });
});

describe('amounts', () => {
  it('adds 1 yuan a month for each paid year beyond 15', () => {
    // Born 1970-03-10: F = 2010, Y60 = 2030, R = 15; pays 2010..2029 = 20 years -> top-up 5 × 100.
    const result = run({
      schemeStart: '2010-07-01',
      person: { birthDate: '1970-03-10' },
      events: yearly(2010, 2029, (year) => ({ date: `${year}-09-01`, type: 'contribute', year, tier: 100 })),
      until: '2030-04',
    });
    expect(result).toMatchObject({ requiredYears: 15, paidYears: 20 });
    expect(result.pension).toMatchObject({ startMonth: '2030-04', topUpFen: 500 });
    expect(result.months[0]!.paidFen).toBe(5500 + 500 + result.pension!.accountFen);
  });

  it('follows the basic pension table month by month under chengxiang-2014', () => {
    const result = run({
      policy: { preset: 'chengxiang-2014' },
      schemeStart: '2010-07-01',
      person: { birthDate: '1940-01-01' },
      events: yearly(2011, 2017, (year) => ({ date: `${year}-06-01`, type: 'certify' })),
      until: '2018-02',
    });
    const paid = new Map(result.months.map((m) => [m.month, m.paidFen]));
    expect(result.pension).toEqual({ startMonth: '2010-08', basicFen: 5500, topUpFen: 0, accountFen: 0 });
    expect([paid.get('2014-06'), paid.get('2014-07'), paid.get('2017-12'), paid.get('2018-01'), paid.get('2018-02')]).toEqual([5500, 7000, 7000, 8800, 8800]);
  });

  it('pays the account pension from the pooled fund once the account is empty', () => {
    // Legacy 10 fen, divisor 2 -> account pension 5: August and September
    // empty the account; from October the same 5 fen come from the pool.
    const result = run({
      policy: { divisor: 2 },
      schemeStart: '2010-07-01',
      person: { birthDate: '1945-03-15' },
      events: [{ date: '2010-07-01', type: 'legacy', amountFen: 10 }],
      until: '2010-11',
    });
    expect(result.months.map((m) => [m.paidFen, m.fromAccountFen])).toEqual([
      [5505, 5],
      [5505, 5],
      [5505, 0],
      [5505, 0],
    ]);
  });
});
