// When a pension starts and how much it is (POLICY.md "When a pension is
// paid", "How much"). Monthly pension = basic + long-contribution top-up +
// account pension; the basic follows its table month by month, the top-up
// and the account pension are fixed when the pension starts.
import { divideFenHalfUp, assertFen } from './money.js';
import { addMonths, birthdayMonth, firstDayOf, monthOf, type IsoDate, type Month } from './dates.js';
import { basicPensionFen, settingsOn, type Policy } from './settings.js';
import { PolicyError, PolicyErrorCode } from './errors.js';

/** A paid contribution year, as the pension rules need it. */
export interface PaidYear {
  year: number;
  /** The date the payment was made (arrears are paid late). */
  paidOn: IsoDate;
}

/**
 * The date the R-year requirement was met: the payment that made the count of
 * paid years reach R (arrears count on the day they are paid). With R = 0
 * (including everyone aged 60 or more when the scheme starts) there is
 * nothing to pay, and the requirement is met when the scheme starts.
 * null: not met yet.
 */
export function requirementMetOn(paidYears: readonly PaidYear[], required: number, schemeStart: IsoDate): IsoDate | null {
  if (required <= 0) return schemeStart;
  const dates = paidYears.map((p) => p.paidOn).sort();
  const met = dates[required - 1];
  if (met === undefined) return null;
  return met < schemeStart ? schemeStart : met;
}

/** What the start of a pension depends on (POLICY.md "When a pension is paid"). */
export interface PensionStartFacts {
  birthDate: IsoDate;
  /**
   * The day the person enrolled. Required, so that no caller can forget it:
   * a pension is never paid for months before the enrolment (issue 10
   * section 1; the simulator's default is the scheme's start).
   */
  enrolledOn: IsoDate;
  /** `requirementMetOn`'s answer; null: not met yet. */
  requirementMetOn: IsoDate | null;
}

/**
 * The first pension month: the month after the month of the 60th birthday,
 * the month after the requirement is met, or the month after the month the
 * person enrolled, whichever is latest; never retroactively (a resident aged
 * 75 who enrols today is paid from next month, not from the scheme's start).
 * null while the requirement is not met.
 */
export function pensionStart(facts: PensionStartFacts, policy: Policy): Month | null {
  const { birthDate, enrolledOn, requirementMetOn: metOn } = facts;
  if (metOn === null) return null;
  const afterBirthday = addMonths(birthdayMonth(birthDate, settingsOn(policy, metOn).pensionAge), 1);
  const afterMet = addMonths(monthOf(metOn), 1);
  const afterEnrolment = addMonths(monthOf(enrolledOn), 1);
  return [afterBirthday, afterMet, afterEnrolment].sort().at(-1)!;
}

/** Top-up: `topUpPerYearFen` (100) a month for each paid year beyond `topUpAfterYears` (15). */
export function topUpFen(paidYears: number, startMonth: Month, policy: Policy): number {
  const settings = settingsOn(policy, firstDayOf(startMonth));
  return Math.max(0, paidYears - settings.topUpAfterYears) * settings.topUpPerYearFen;
}

/** Account pension: round_half_up(account balance when the pension starts / divisor (139)). */
export function accountPensionFen(balanceFen: number, startMonth: Month, policy: Policy): number {
  return divideFenHalfUp(balanceFen, settingsOn(policy, firstDayOf(startMonth)).divisor);
}

/** What is fixed when the pension starts. */
export interface PensionTerms {
  startMonth: Month;
  /** The basic pension in force in the start month (it follows its table afterwards). */
  basicFen: number;
  topUpFen: number;
  accountFen: number;
}

export function fixPension(startMonth: Month, paidYearsAtStart: number, accountBalanceFen: number, policy: Policy): PensionTerms {
  if (!Number.isSafeInteger(paidYearsAtStart) || paidYearsAtStart < 0) {
    throw new PolicyError(PolicyErrorCode.InvalidArgument, `paidYearsAtStart must be a non-negative integer (got ${String(paidYearsAtStart)})`);
  }
  assertFen(accountBalanceFen, 'accountBalanceFen');
  return {
    startMonth,
    basicFen: basicPensionFen(policy, startMonth),
    topUpFen: topUpFen(paidYearsAtStart, startMonth, policy),
    accountFen: accountPensionFen(accountBalanceFen, startMonth, policy),
  };
}

export interface MonthlyPension {
  basicFen: number;
  topUpFen: number;
  accountFen: number;
  totalFen: number;
}

/** The pension owed for `month`: that month's basic pension plus the fixed parts. */
export function monthlyPension(terms: PensionTerms, month: Month, policy: Policy): MonthlyPension {
  const basicFen = basicPensionFen(policy, month);
  return { basicFen, topUpFen: terms.topUpFen, accountFen: terms.accountFen, totalFen: basicFen + terms.topUpFen + terms.accountFen };
}
