// Who may enrol and when the pension requirement is met (POLICY.md "Who may
// enrol", "When a pension is paid").
import { ageOn, yearOf, type IsoDate } from './dates.js';
import { settingsOn, type Policy } from './settings.js';

/**
 * Why someone may not enrol (POLICY "Who may enrol"). The names are those of
 * the registry's error codes, so a refusal passes through unchanged; the age
 * itself is the `enrolAge` setting.
 */
export type EnrolmentRefusalReason = 'under-16' | 'full-time-student' | 'urban-employee-pension' | 'hukou-outside-county';

export interface EnrolmentApplicant {
  birthDate: IsoDate;
  fullTimeStudent: boolean;
  /** Already insured in (or receiving) the urban employees' basic pension. */
  urbanEmployeePension: boolean;
  /** Household registration (hukou) in this county. */
  hukouInCounty: boolean;
}

/**
 * POLICY "Who may enrol": age `enrolAge` (16) or over on `date`, not a
 * full-time student, not in the urban employees' pension, hukou in the county.
 * Returns every reason that applies, in that order (empty: may enrol), so the
 * office can say all of them at once.
 */
export function enrolmentRefusals(applicant: EnrolmentApplicant, date: IsoDate, policy: Policy): EnrolmentRefusalReason[] {
  const reasons: EnrolmentRefusalReason[] = [];
  if (ageOn(applicant.birthDate, date) < settingsOn(policy, date).enrolAge) reasons.push('under-16');
  if (applicant.fullTimeStudent) reasons.push('full-time-student');
  if (applicant.urbanEmployeePension) reasons.push('urban-employee-pension');
  if (!applicant.hukouInCounty) reasons.push('hukou-outside-county');
  return reasons;
}

/**
 * The person's contribution window (POLICY "When a pension is paid"):
 * F = the later of the scheme's start year and the year they turn 16;
 * Y60 = the year they turn 60; R = min(15, Y60 − F), never below 0.
 * Settings are those in force when the scheme starts in the county: the
 * window is fixed for a person, not re-read every year.
 */
export interface ContributionWindow {
  /** F: first eligible year. */
  firstEligibleYear: number;
  /** Y60: the year of the 60th birthday; eligible years are F .. Y60 − 1. */
  sixtiethYear: number;
  /** R: contribution years required for a pension. */
  requiredYears: number;
  /** Aged 60 or more on the scheme's start date: pays nothing, family binding applies. */
  agedAtSchemeStart: boolean;
}

export function contributionWindow(birthDate: IsoDate, schemeStart: IsoDate, policy: Policy): ContributionWindow {
  const settings = settingsOn(policy, schemeStart);
  const firstEligibleYear = Math.max(yearOf(schemeStart), yearOf(birthDate) + settings.enrolAge);
  const sixtiethYear = yearOf(birthDate) + settings.pensionAge;
  const requiredYears = Math.max(0, Math.min(settings.maxRequiredYears, sixtiethYear - firstEligibleYear));
  const agedAtSchemeStart = ageOn(birthDate, schemeStart) >= settings.pensionAge;
  return { firstEligibleYear, sixtiethYear, requiredYears, agedAtSchemeStart };
}

/** R = min(15, Y60 − F), never below 0 (POLICY "When a pension is paid"). */
export function requiredYears(birthDate: IsoDate, schemeStart: IsoDate, policy: Policy): number {
  return contributionWindow(birthDate, schemeStart, policy).requiredYears;
}

/** Whether `year` is one the person may pay for at all: F <= year < Y60. */
export function isEligibleYear(window: ContributionWindow, year: number): boolean {
  return year >= window.firstEligibleYear && year < window.sixtiethYear;
}
