// The kiosk's projection "what each tier would pay at 60" (ARCHITECTURE.md
// "What it is for"; POLICY "The policy simulator": the kiosk uses the same
// engine). A projection is a simulation: the person's history as it stands,
// plus a payment at the chosen tier for every eligible year from this year
// on, through the month the pension would start. No arrears are assumed (the
// resident chooses those separately), and future years earn the rates the
// policy gives them (`rateAfter` for years its table does not list).
import { isIsoDate, yearOf, type IsoDate, type Month } from './dates.js';
import { pensionStart } from './pension.js';
import { contributionWindow } from './eligibility.js';
import { settingsOn, type Policy } from './settings.js';
import { parseScenario, type ScenarioEventInput } from './scenario.js';
import { runSimulation } from './simulate.js';
import { PolicyError, PolicyErrorCode } from './errors.js';

export interface ProjectionPerson {
  birthDate: IsoDate;
  /** The day the person enrolled: the pension never starts before the month after it (POLICY "When a pension is paid"). */
  enrolledOn: IsoDate;
  severelyDisabled?: boolean;
}

export interface ProjectionHistory {
  /** The scheme's start date in the person's county. */
  schemeStart: IsoDate;
  /** Today (Asia/Shanghai): the projected payments start with this year. */
  asOf: IsoDate;
  /** The person's history as scenario events (contributions, legacy, certifications), none after `asOf`. */
  events: ScenarioEventInput[];
}

export interface PensionProjection {
  tierYuan: number;
  requiredYears: number;
  /** Paid years when the pension would start (history plus projected). */
  paidYears: number;
  /** The years the projection pays at `tierYuan`. */
  projectedYears: number[];
  /** null: the requirement cannot be met without arrears (or no pension at all). */
  startMonth: Month | null;
  basicFen: number;
  topUpFen: number;
  accountFen: number;
  /** basic + top-up + account pension in the start month. */
  monthlyFen: number;
}

function sameDayIn(year: number, asOf: IsoDate): IsoDate {
  const candidate = `${String(year).padStart(4, '0')}${asOf.slice(4)}`;
  return isIsoDate(candidate) ? candidate : `${String(year).padStart(4, '0')}-02-28`;
}

/**
 * What the pension would be at its start if the person paid `tierYuan` every
 * remaining eligible year (POLICY "When a pension is paid", "How much").
 * Throws `InvalidScenario` when the history is malformed and
 * `InvalidArgument` when `tierYuan` is not a tier in force on `asOf`.
 */
export function projectPensionAtSixty(person: ProjectionPerson, history: ProjectionHistory, tierYuan: number, policy: Policy): PensionProjection {
  if (!isIsoDate(history.asOf)) throw new PolicyError(PolicyErrorCode.InvalidDate, `asOf must be YYYY-MM-DD (got ${JSON.stringify(history.asOf)})`);
  if (!settingsOn(policy, history.asOf).tiers.includes(tierYuan)) {
    throw new PolicyError(PolicyErrorCode.InvalidArgument, `${String(tierYuan)} is not a tier in force on ${history.asOf}`);
  }
  const window = contributionWindow(person.birthDate, history.schemeStart, policy);
  const past = history.events.filter((e) => typeof e.date === 'string' && e.date <= history.asOf);
  const paidBefore = new Set(past.flatMap((e) => (e.type === 'contribute' ? [e.year] : [])));
  const projectedYears: number[] = [];
  const projected: ScenarioEventInput[] = [];
  for (let year = Math.max(yearOf(history.asOf), window.firstEligibleYear); year < window.sixtiethYear; year++) {
    if (paidBefore.has(year)) continue;
    projectedYears.push(year);
    projected.push({
      date: year === yearOf(history.asOf) ? history.asOf : sameDayIn(year, history.asOf),
      type: 'contribute',
      year,
      tier: tierYuan,
      payer: person.severelyDisabled ? 'government' : 'individual',
    });
  }
  // The simulation runs through the earliest month the pension could start
  // were the requirement met today: the projected payments all fall before
  // the pension age, so the real start is never later than that.
  const until = pensionStart({ birthDate: person.birthDate, enrolledOn: person.enrolledOn, requirementMetOn: history.asOf }, policy)!;
  const scenario = parseScenario({
    schemeStart: history.schemeStart,
    person: { birthDate: person.birthDate, enrolledDate: person.enrolledOn, severelyDisabled: person.severelyDisabled ?? false },
    events: [...past, ...projected],
    until,
  });
  const result = runSimulation(scenario, policy);
  const accepted = projectedYears.filter((_, i) => !result.refused.some((r) => r.index === past.length + i));
  const pension = result.pension;
  return {
    tierYuan,
    requiredYears: result.requiredYears,
    paidYears: result.paidYears,
    projectedYears: accepted,
    startMonth: pension?.startMonth ?? null,
    basicFen: pension?.basicFen ?? 0,
    topUpFen: pension?.topUpFen ?? 0,
    accountFen: pension?.accountFen ?? 0,
    monthlyFen: pension === null ? 0 : pension.basicFen + pension.topUpFen + pension.accountFen,
  };
}

/** One projection per tier in force on `history.asOf`, lowest tier first. */
export function projectEveryTier(person: ProjectionPerson, history: ProjectionHistory, policy: Policy): PensionProjection[] {
  if (!isIsoDate(history.asOf)) throw new PolicyError(PolicyErrorCode.InvalidDate, `asOf must be YYYY-MM-DD (got ${JSON.stringify(history.asOf)})`);
  return settingsOn(policy, history.asOf).tiers.map((tier) => projectPensionAtSixty(person, history, tier, policy));
}
