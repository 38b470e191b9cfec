// The rule functions one by one, each against numbers worked out by hand from
// POLICY.md.
import { describe, expect, it } from 'vitest';
import {
  CONTRIBUTION_REFUSAL_PRECEDENCE,
  PolicyErrorCode,
  accountPensionFen,
  basicPensionFen,
  certifiedThrough,
  contributionWindow,
  enrolmentRefusals,
  fixPension,
  isPolicyError,
  monthStatus,
  monthlyPension,
  pensionStart,
  projectEveryTier,
  projectPensionAtSixty,
  requiredYears,
  requirementMetOn,
  resolvePolicy,
  settingsOn,
  settleDeath,
  splitAccountDraw,
  subsidyFen,
  topUpFen,
  urbanPensionFinding,
  validateContribution,
  yearlyInterest,
  type Balances,
  type Contributor,
  type RecipientFacts,
} from './index.js';

const XNB = resolvePolicy('xinnongbao-2009');
const CX = resolvePolicy('chengxiang-2014');

function balances(partial: Partial<Balances>): Balances {
  return { individual: 0, collective: 0, aid: 0, legacy: 0, government: 0, ...partial };
}

describe('policy settings (POLICY "Presets")', () => {
  it('gives the 2009 subsidy table and never less than 30 yuan', () => {
    expect([100, 200, 300, 400, 500].map((t) => subsidyFen(XNB, t, '2012-01-01'))).toEqual([3000, 3500, 4000, 4500, 5000]);
    const county = resolvePolicy('xinnongbao-2009', { tiers: [100, 200, 300, 400, 500, 600], subsidyByTier: { '100': 20 } });
    expect(subsidyFen(county, 100, '2012-01-01')).toBe(3000); // 20 is below the floor of 30
    expect(subsidyFen(county, 600, '2012-01-01')).toBe(3000); // an added tier without an entry gets the floor
  });

  it('gives the 2014 preset its tiers, its 30/60 subsidy and the whole account inheritable', () => {
    const settings = settingsOn(CX, '2015-01-01');
    expect(settings.tiers).toEqual([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000]);
    expect(subsidyFen(CX, 400, '2015-01-01')).toBe(3000);
    expect(subsidyFen(CX, 500, '2015-01-01')).toBe(6000);
    expect(subsidyFen(CX, 2000, '2015-01-01')).toBe(6000);
    expect(settings.inheritGovernment).toBe(true);
  });

  it('follows the 2014 basic pension table month by month: 55, 70 from 2014-07, 88 from 2018-01', () => {
    expect(basicPensionFen(CX, '2014-06')).toBe(5500);
    expect(basicPensionFen(CX, '2014-07')).toBe(7000);
    expect(basicPensionFen(CX, '2017-12')).toBe(7000);
    expect(basicPensionFen(CX, '2018-01')).toBe(8800);
    expect(basicPensionFen(XNB, '2018-01')).toBe(5500);
  });

  it('applies a dated county change from its effective date on', () => {
    const county = resolvePolicy('xinnongbao-2009', { changes: [{ from: '2013-07-01', tiers: [100, 200, 300, 400, 500, 1000], subsidyByTier: { '1000': 80 } }] });
    expect(settingsOn(county, '2013-06-30').tiers).not.toContain(1000);
    expect(settingsOn(county, '2013-07-01').tiers).toContain(1000);
    expect(subsidyFen(county, 1000, '2013-07-01')).toBe(8000);
  });

  it('refuses an unknown preset and bad overrides, naming the field', () => {
    expect(() => resolvePolicy('xinnongbao-2010')).toThrowError(expect.objectContaining({ code: PolicyErrorCode.UnknownPreset }));
    try {
      resolvePolicy('xinnongbao-2009', { changes: [{ from: '2013-07-01', tiers: [100, -5] }] });
      expect.unreachable();
    } catch (error) {
      expect(isPolicyError(error) && error.code).toBe(PolicyErrorCode.InvalidSettings);
      expect(isPolicyError(error) && error.issues.map((i) => i.path)).toContain('changes[0].tiers[1]');
    }
  });
});

describe('who may enrol and how many years are required (POLICY "Who may enrol", "When a pension is paid")', () => {
  it('gives every refusal that applies', () => {
    const applicant = { birthDate: '1995-03-01', fullTimeStudent: true, urbanEmployeePension: false, hukouInCounty: false };
    expect(enrolmentRefusals(applicant, '2010-09-01', XNB)).toEqual(['under-16', 'full-time-student', 'hukou-outside-county']);
    expect(enrolmentRefusals({ ...applicant, fullTimeStudent: false, hukouInCounty: true }, '2011-03-01', XNB)).toEqual([]);
  });

  it('computes F, Y60 and R = min(15, Y60 - F)', () => {
    // Worked example: F = 2010, Y60 = 2020, R = 10.
    expect(contributionWindow('1960-05-20', '2010-07-01', XNB)).toEqual({ firstEligibleYear: 2010, sixtiethYear: 2020, requiredYears: 10, agedAtSchemeStart: false });
    // Turns 16 in 2011 after a 2010 start: F = 2011; Y60 = 2055; R capped at 15.
    expect(requiredYears('1995-03-01', '2010-07-01', XNB)).toBe(15);
    // Aged 65 at the start: R = 0, and 60+ at the scheme's start.
    expect(contributionWindow('1945-03-15', '2010-07-01', XNB)).toMatchObject({ requiredYears: 0, agedAtSchemeStart: true });
    // Turns 60 in the first year, after the start: R = 0 but not 60+ at the start.
    expect(contributionWindow('1950-12-10', '2010-07-01', XNB)).toMatchObject({ requiredYears: 0, agedAtSchemeStart: false });
  });
});

describe('contribution validation (POLICY "Contributions")', () => {
  const person: Contributor = { birthDate: '1960-05-20', severelyDisabled: false, deceased: false, schemeStart: '2010-07-01', paidYears: [2010] };

  it('credits tier and subsidy for the current year', () => {
    const decision = validateContribution({ date: '2011-09-01', year: 2011, tierYuan: 300, collectiveFen: 1500, aidFen: 700 }, person, XNB);
    expect(decision).toEqual({ ok: true, arrears: false, dueFromPayerFen: 30_000, credits: balances({ individual: 30_000, collective: 1500, aid: 700, government: 4000 }) });
  });

  it('gives arrears no subsidy (arrearsSubsidy false), and the subsidy when a county sets it true', () => {
    const decision = validateContribution({ date: '2012-03-01', year: 2011, tierYuan: 200 }, person, XNB);
    expect(decision).toMatchObject({ ok: true, arrears: true, credits: balances({ individual: 20_000 }) });
    const generous = resolvePolicy('xinnongbao-2009', { arrearsSubsidy: true });
    expect(validateContribution({ date: '2012-03-01', year: 2011, tierYuan: 200 }, person, generous)).toMatchObject({ credits: balances({ individual: 20_000, government: 3500 }) });
  });

  it('has the government pay the lowest tier plus its subsidy for a severely disabled member, whatever tier is named', () => {
    const disabled = { ...person, severelyDisabled: true };
    expect(validateContribution({ date: '2011-09-01', year: 2011, tierYuan: 500, payer: 'government' }, disabled, XNB)).toEqual({
      ok: true,
      arrears: false,
      dueFromPayerFen: 0,
      credits: balances({ government: 10_000 + 3000 }),
    });
  });

  it('refuses with the first reason in POLICY order and lists all that apply', () => {
    const cases: [Parameters<typeof validateContribution>[0], Partial<Contributor>, string[]][] = [
      [{ date: '2011-09-01', year: 2010, tierYuan: 150, payer: 'government' }, { deceased: true }, ['deceased', 'unknown-tier', 'already-paid', 'not-disabled']],
      [{ date: '2011-09-01', year: 2010, tierYuan: 150 }, {}, ['unknown-tier', 'already-paid']],
      [{ date: '2011-09-01', year: 2010, tierYuan: 100 }, {}, ['already-paid']],
      [{ date: '2011-09-01', year: 2020, tierYuan: 100 }, {}, ['future-year', 'year-not-eligible']],
      [{ date: '2011-09-01', year: 2009, tierYuan: 100, payer: 'government' }, {}, ['year-not-eligible', 'not-disabled']],
      [{ date: '2011-09-01', year: 2011, tierYuan: 100, payer: 'government' }, {}, ['not-disabled']],
      // Before the scheme opens no year is eligible.
      [{ date: '2010-03-01', year: 2010, tierYuan: 100 }, { paidYears: [] }, ['year-not-eligible']],
    ];
    for (const [request, change, reasons] of cases) {
      const decision = validateContribution(request, { ...person, ...change }, XNB);
      expect(decision).toEqual({ ok: false, reason: reasons[0], reasons });
      expect(CONTRIBUTION_REFUSAL_PRECEDENCE.indexOf(reasons[0] as never)).toBe(Math.min(...reasons.map((r) => CONTRIBUTION_REFUSAL_PRECEDENCE.indexOf(r as never))));
    }
  });

  it('throws a typed error for amounts not in fen rather than refusing', () => {
    expect(() => validateContribution({ date: '2011-09-01', year: 2011, tierYuan: 100, aidFen: 10.5 }, person, XNB)).toThrowError(expect.objectContaining({ code: PolicyErrorCode.InvalidAmount }));
  });
});

describe('interest (POLICY "The personal account")', () => {
  it('rounds half-up per source, not on the total', () => {
    // 2015 rate 1.50 %: 100 -> 1.5 -> 2 in each of two sources = 4 fen;
    // on the total it would be 200 × 1.5 % = 3.
    expect(yearlyInterest(balances({ individual: 100, government: 100, aid: 33 }), 2015, XNB)).toEqual(balances({ individual: 2, government: 2, aid: 0 }));
  });

  it('uses the table rate of the year, and rateAfter for years not in it', () => {
    expect(yearlyInterest(balances({ individual: 10_000 }), 2011, XNB).individual).toBe(350);
    expect(yearlyInterest(balances({ individual: 10_000 }), 2040, XNB).individual).toBe(150);
    const own = resolvePolicy('xinnongbao-2009', { rates: { '2011': '0.04' }, rateAfter: 100 });
    expect(yearlyInterest(balances({ individual: 10_000 }), 2011, own).individual).toBe(400);
    expect(yearlyInterest(balances({ individual: 10_000 }), 2010, own).individual).toBe(100);
  });
});

describe('pension start and amount (POLICY "When a pension is paid", "How much")', () => {
  it('starts the month after the 60th birthday or after the requirement is met, whichever is later', () => {
    const paid = [2010, 2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019].map((year) => ({ year, paidOn: `${year}-09-01` }));
    const enrolledOn = '2010-07-01';
    expect(requirementMetOn(paid, 10, '2010-07-01')).toBe('2019-09-01');
    expect(pensionStart({ birthDate: '1960-05-20', enrolledOn, requirementMetOn: '2019-09-01' }, XNB)).toBe('2020-06');
    // Requirement met by arrears after the birthday: the month after the payment, never retroactively.
    expect(pensionStart({ birthDate: '1960-05-20', enrolledOn, requirementMetOn: '2021-03-05' }, XNB)).toBe('2021-04');
    expect(requirementMetOn(paid.slice(0, 9), 10, '2010-07-01')).toBeNull();
    expect(pensionStart({ birthDate: '1960-05-20', enrolledOn, requirementMetOn: null }, XNB)).toBeNull();
    // R = 0: met when the scheme starts.
    expect(requirementMetOn([], 0, '2010-07-01')).toBe('2010-07-01');
  });

  it('never starts before the month after the month of enrolment (POLICY: "a resident aged 75 who enrols today is paid from next month")', () => {
    // Aged 60+ at the scheme start (R = 0, met on 2010-07-01), enrolled on 2026-12-05: from 2027-01, not 2010-08.
    expect(pensionStart({ birthDate: '1940-03-03', enrolledOn: '2026-12-05', requirementMetOn: '2010-07-01' }, XNB)).toBe('2027-01');
    expect(pensionStart({ birthDate: '1940-03-03', enrolledOn: '2010-07-01', requirementMetOn: '2010-07-01' }, XNB)).toBe('2010-08');
    // Enrolled on the last day of a month: still the month after that month.
    expect(pensionStart({ birthDate: '1940-03-03', enrolledOn: '2015-03-31', requirementMetOn: '2010-07-01' }, XNB)).toBe('2015-04');
    // The latest of the three wins whichever it is.
    expect(pensionStart({ birthDate: '1960-05-20', enrolledOn: '2020-08-09', requirementMetOn: '2019-09-01' }, XNB)).toBe('2020-09');
    expect(pensionStart({ birthDate: '1960-05-20', enrolledOn: '2020-08-09', requirementMetOn: '2021-03-05' }, XNB)).toBe('2021-04');
    expect(pensionStart({ birthDate: '1960-05-20', enrolledOn: '2012-01-01', requirementMetOn: '2019-09-01' }, XNB)).toBe('2020-06');
  });

  it('pays 1 yuan a month for each paid year beyond 15', () => {
    expect(topUpFen(15, '2030-04', XNB)).toBe(0);
    expect(topUpFen(16, '2030-04', XNB)).toBe(100);
    expect(topUpFen(20, '2030-04', XNB)).toBe(500);
  });

  it('fixes top-up and account pension at the start; the basic pension follows its table', () => {
    const terms = fixPension('2014-03', 5, 68_955, CX);
    // 68 955 / 139 = 496.08 -> 496.
    expect(terms).toEqual({ startMonth: '2014-03', basicFen: 5500, topUpFen: 0, accountFen: 496 });
    expect(monthlyPension(terms, '2014-07', CX)).toEqual({ basicFen: 7000, topUpFen: 0, accountFen: 496, totalFen: 7496 });
    expect(accountPensionFen(139 * 100 + 69, '2014-03', XNB)).toBe(100); // 100.496 -> 100
    expect(accountPensionFen(139 * 100 + 70, '2014-03', XNB)).toBe(101); // 100.504 -> 101
  });
});

describe('the monthly account draw (POLICY "How much")', () => {
  it('splits in proportion, rounding each share down, leftover fen in source order', () => {
    // 496 over 53 042 / 15 913 (total 68 955): 381.53 -> 381, 114.46 -> 114;
    // the leftover fen goes to individual.
    expect(splitAccountDraw(balances({ individual: 53_042, government: 15_913 }), 496).bySource).toEqual(balances({ individual: 382, government: 114 }));
  });

  it('skips sources with nothing above their share', () => {
    // 8 over 3/0/0/3/3: shares 2, 0, 0, 2, 2; leftover 2 -> individual, then
    // collective and aid are skipped (empty), then legacy.
    expect(splitAccountDraw(balances({ individual: 3, legacy: 3, government: 3 }), 8).bySource).toEqual(balances({ individual: 3, legacy: 3, government: 2 }));
    // 3 over 1/1/1/1/1: every share is 0; the three fen go to individual, collective, aid.
    expect(splitAccountDraw(balances({ individual: 1, collective: 1, aid: 1, legacy: 1, government: 1 }), 3).bySource).toEqual(
      balances({ individual: 1, collective: 1, aid: 1 }),
    );
  });

  it('pays what the account lacks from the pooled fund', () => {
    expect(splitAccountDraw(balances({ individual: 150 }), 100)).toEqual({ bySource: balances({ individual: 100 }), fromAccountFen: 100, fromPoolFen: 0 });
    expect(splitAccountDraw(balances({ individual: 50 }), 100)).toEqual({ bySource: balances({ individual: 50 }), fromAccountFen: 50, fromPoolFen: 50 });
    expect(splitAccountDraw(balances({}), 100)).toEqual({ bySource: balances({}), fromAccountFen: 0, fromPoolFen: 100 });
  });
});

describe('proof of life, month status, death and urban pension', () => {
  it('holds a certification through the same month a year later', () => {
    expect(certifiedThrough('2013-01-20')).toBe('2014-01');
    expect(certifiedThrough('2013-12-31', XNB)).toBe('2014-12');
    const strict = resolvePolicy('xinnongbao-2009', { certValidityMonths: 6 });
    expect(certifiedThrough('2013-01-20', strict)).toBe('2013-07');
  });

  it('decides a month: stopped before suspended before the hindsight labels', () => {
    const facts: RecipientFacts = {
      certifiedThrough: '2014-01',
      deathMonth: null,
      deathReportedMonth: null,
      urbanPensionSinceMonth: null,
      urbanPensionReportedMonth: null,
      familyBinding: { applies: false, householdPaidYears: new Set() },
    };
    expect(monthStatus('2014-01', facts)).toBe('paid');
    expect(monthStatus('2014-02', facts)).toBe('suspended-certification');
    const dead = { ...facts, deathMonth: '2013-05', deathReportedMonth: '2013-09' };
    expect(monthStatus('2013-05', dead)).toBe('paid');
    expect(monthStatus('2013-06', dead)).toBe('paid-after-death');
    expect(monthStatus('2013-09', dead)).toBe('stopped');
    const urban = { ...facts, urbanPensionSinceMonth: '2013-04', urbanPensionReportedMonth: '2013-08' };
    expect(monthStatus('2013-03', urban)).toBe('paid');
    expect(monthStatus('2013-04', urban)).toBe('paid-improperly');
    expect(monthStatus('2013-08', urban)).toBe('stopped');
    const bound = { ...facts, familyBinding: { applies: true, householdPaidYears: new Set([2013]) } };
    expect(monthStatus('2013-12', bound)).toBe('paid');
    expect(monthStatus('2014-01', bound)).toBe('suspended-family-binding');
  });

  it('settles a death: government to the pool, paid-after-death recovered from the inheritable amount first', () => {
    const account = balances({ individual: 10_000, collective: 2000, legacy: 500, government: 4000 });
    expect(settleDeath(account, 6000, '2015-05-20', XNB)).toEqual({ inheritableFen: 12_500, toPoolFen: 4000, recoveredFen: 6000, unrecoveredFen: 0 });
    expect(settleDeath(account, 20_000, '2015-05-20', XNB)).toEqual({ inheritableFen: 12_500, toPoolFen: 4000, recoveredFen: 12_500, unrecoveredFen: 7500 });
    expect(settleDeath(account, 0, '2015-05-20', CX)).toEqual({ inheritableFen: 16_500, toPoolFen: 0, recoveredFen: 0, unrecoveredFen: 0 });
  });

  it('finds what was paid since an urban pension began, up to its report', () => {
    const payments = ['2013-02', '2013-03', '2013-04', '2013-05'].map((month) => ({ month, paidFen: 5500 }));
    expect(urbanPensionFinding(payments, '2013-03-15', '2013-05-02')).toEqual({ stopFromMonth: '2013-05', improperMonths: ['2013-03', '2013-04'], recoverFen: 11_000 });
  });
});

describe('projection at 60 (the kiosk, "what each tier would pay at 60")', () => {
  it('pays the chosen tier for every remaining eligible year and simulates to the start', () => {
    // Born 1960-05-20, scheme 2010-07-01, paid 2010 (tier 100) so far; on
    // 2011-03-01 choose tier 100 for 2011..2019: the worked example again.
    const history = { schemeStart: '2010-07-01', asOf: '2011-03-01', events: [{ date: '2010-09-01', type: 'contribute' as const, year: 2010, tier: 100 }] };
    const projection = projectPensionAtSixty({ birthDate: '1960-05-20', enrolledOn: '2010-07-01' }, history, 100, XNB);
    expect(projection.projectedYears).toEqual([2011, 2012, 2013, 2014, 2015, 2016, 2017, 2018, 2019]);
    expect(projection).toMatchObject({ requiredYears: 10, paidYears: 10, startMonth: '2020-06', basicFen: 5500, topUpFen: 0 });
    // Payments on 1 March rather than 1 September change nothing in the
    // interest (credited during the year either way): 1016 fen as worked out.
    expect(projection.accountFen).toBe(1016);
    const all = projectEveryTier({ birthDate: '1960-05-20', enrolledOn: '2010-07-01' }, history, XNB);
    expect(all.map((p) => p.tierYuan)).toEqual([100, 200, 300, 400, 500]);
    // Pay more, get more.
    for (let i = 1; i < all.length; i++) expect(all[i]!.monthlyFen).toBeGreaterThan(all[i - 1]!.monthlyFen);
  });

  it('starts the projected pension no earlier than the month after the enrolment', () => {
    // Aged 60+ at the scheme start, nothing to pay: enrolled at the start it
    // runs from 2010-08; enrolled on 2011-03-01 (today), from 2011-04.
    const history = { schemeStart: '2010-07-01', asOf: '2011-03-01', events: [] };
    expect(projectPensionAtSixty({ birthDate: '1945-02-02', enrolledOn: '2010-07-01' }, history, 100, XNB).startMonth).toBe('2010-08');
    expect(projectPensionAtSixty({ birthDate: '1945-02-02', enrolledOn: '2011-03-01' }, history, 100, XNB)).toMatchObject({ startMonth: '2011-04', monthlyFen: 5500 });
  });
});
