// Proof of life (POLICY.md "Proof of life"): a certification on date D holds
// through the same month a year later (D = 2013-01-20 holds through 2014-01);
// from the month after, the pension is suspended. Starting the pension counts
// as certifying on the first day of the start month.
import { addMonths, monthOf, type IsoDate, type Month } from './dates.js';
import { DEFAULT_PRESET, resolvePolicy, settingsOn, type Policy } from './settings.js';

const DEFAULT_POLICY = resolvePolicy(DEFAULT_PRESET);

/** The last month a certification on `date` covers (`certValidityMonths` later, 12 by default). */
export function certifiedThrough(date: IsoDate, policy: Policy = DEFAULT_POLICY): Month {
  return addMonths(monthOf(date), settingsOn(policy, date).certValidityMonths);
}

/** Whether a pension for `month` may be paid given the latest `certifiedThroughMonth`. */
export function isCertifiedFor(month: Month, certifiedThroughMonth: Month): boolean {
  return month <= certifiedThroughMonth;
}
