// Whether a month's pension is paid (POLICY.md "When a pension is paid",
// "Proof of life", "Death"): the payroll's decision for one recipient and
// month, from what is known. The same function labels months in hindsight in
// the simulator (a death not yet reported gives `paid-after-death`).
import { monthOf, yearOf, type IsoDate, type Month } from './dates.js';

/**
 * `suspended-family-binding` extends POLICY's list: it appears only for
 * people aged 60+ at the scheme's start whose family binding is modelled.
 */
export type MonthStatus =
  | 'paid'
  | 'suspended-certification'
  | 'suspended-family-binding'
  | 'paid-after-death'
  | 'paid-improperly'
  | 'stopped';

export interface RecipientFacts {
  /** The last month covered by the latest certification (or the pension's start). */
  certifiedThrough: Month;
  /** Month of death, or null. */
  deathMonth: Month | null;
  /** Month the death was reported (payment stops from it), or null. */
  deathReportedMonth: Month | null;
  /** Month the urban employees' pension began, or null. */
  urbanPensionSinceMonth: Month | null;
  /** Month it was reported (payment stops from it), or null. */
  urbanPensionReportedMonth: Month | null;
  /**
   * Family binding (POLICY "When a pension is paid"): for those aged 60+ at
   * the scheme's start, paid only when every household member who may enrol
   * has paid for the current year. `applies: false` for everyone else.
   */
  familyBinding: { applies: boolean; householdPaidYears: ReadonlySet<number> };
}

/** Whether family binding lets `month` be paid. */
export function familyBindingHolds(month: Month, binding: RecipientFacts['familyBinding']): boolean {
  return !binding.applies || binding.householdPaidYears.has(yearOf(month));
}

/**
 * The status of `month` for a recipient whose pension has started. Order:
 * stopped (urban pension reported, or the death reported) before the
 * suspensions (nothing is paid, so nothing to recover), then the hindsight
 * labels: paid after a death (from the pooled fund, recovered from the
 * inheritance), paid while an urban pension was being received (recovered).
 */
export function monthStatus(month: Month, facts: RecipientFacts): MonthStatus {
  if (facts.urbanPensionReportedMonth !== null && month >= facts.urbanPensionReportedMonth) return 'stopped';
  const afterDeath = facts.deathMonth !== null && month > facts.deathMonth;
  if (afterDeath && facts.deathReportedMonth !== null && month >= facts.deathReportedMonth) return 'stopped';
  if (month > facts.certifiedThrough) return 'suspended-certification';
  if (!familyBindingHolds(month, facts.familyBinding)) return 'suspended-family-binding';
  if (afterDeath) return 'paid-after-death';
  if (facts.urbanPensionSinceMonth !== null && month >= facts.urbanPensionSinceMonth) return 'paid-improperly';
  return 'paid';
}

export interface PaidMonth {
  month: Month;
  paidFen: number;
}

export interface UrbanPensionFinding {
  /** First month not paid: the month of the report. */
  stopFromMonth: Month;
  /** Months paid since the urban pension began, before the report. */
  improperMonths: Month[];
  /** Their whole amount (basic, top-up and account pension): to recover. */
  recoverFen: number;
}

/**
 * POLICY "When a pension is paid" / "Death": not paid to anyone receiving the
 * urban employees' pension; found later, payment stops and what was paid
 * since that pension began (from its month on) becomes an amount to recover.
 */
export function urbanPensionFinding(payments: readonly PaidMonth[], urbanPensionSince: IsoDate, reportedOn: IsoDate): UrbanPensionFinding {
  const sinceMonth = monthOf(urbanPensionSince);
  const stopFromMonth = monthOf(reportedOn);
  const improper = payments.filter((p) => p.month >= sinceMonth && p.month < stopFromMonth && p.paidFen > 0);
  return {
    stopFromMonth,
    improperMonths: improper.map((p) => p.month),
    recoverFen: improper.reduce((sum, p) => sum + p.paidFen, 0),
  };
}
