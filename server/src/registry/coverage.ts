// Coverage per village and for the county, and collection campaigns
// (POLICY.md "Publicity and coverage"):
//   "Coverage per village: enrolled ÷ those who may enrol; contributions this
//    year ÷ enrolled under 60; progress per day during a collection campaign,
//    against the target the county sets."
// Pure reads over the registry's tables plus two small settings the office
// makes (eligible population, campaign). Every figure is an integer count; a
// ratio is { numerator, denominator, basisPoints } with basisPoints rounded
// half-up once (POLICY.md "Money and dates": no floating point stored,
// summed or compared).
//
// Definitions (each a decision; the reason is given):
// - As-of date of year Y: 31 December of Y, or today while Y is running.
//   Everything is "what the registry knows now about that date", so a death
//   reported late also corrects a past year's figure.
// - Enrolled: registered persons of the village (registering is enrolling:
//   PersonService.registerPerson refuses whoever may not enrol), enrolled on
//   or before the as-of date (the enrolment date: the registration's, or the
//   earlier one stated for the old scheme's register), not dead and not receiving the urban employees'
//   pension on it (both end membership: POLICY.md "Who may enrol", "Death").
// - Those who may enrol: the registry has no record of them. Refused
//   applicants are never stored, and residents who never came to the office
//   are unknown to it. So the office sets the village's eligible population
//   per year (the count it makes for target-setting), stored in
//   reg_village_eligible_populations. The most recent setting for a year on
//   or before Y is used and its year is reported; with none, the enrolment
//   ratio is null (an unknown denominator is never guessed). The ratio is not
//   capped at 100 %: above 100 % tells the office its count is stale.
// - Enrolled under 60 (for Y): enrolled persons for whom Y is a contribution
//   year, F <= Y < Y60 (POLICY.md "When a pension is paid"; the policy's
//   contributionWindow). "Under 60" is read as the policy reads it: someone
//   who turns 60 during Y may no longer pay for Y, so does not count.
// - Contributions this year: those of the enrolled-under-60 who have a
//   contribution for year Y (any payer, either channel) paid by the end of the
//   as-of date. So the numerator is a subset of the denominator (at most 100 %)
//   and a closed year's figure does not move when arrears for it are paid later.
// - Campaign (one per contribution year, set and revised by an operator):
//   { year, startDate, endDate, targetContributions, villageTargets? }. The
//   target counts contributions for `year` (persons who pay), county-wide;
//   optional per-village targets are the county's split. Progress per day
//   counts contributions for `year` by their payment date (Asia/Shanghai),
//   cumulative from the ones paid before the start (they count towards the
//   year's target), against the target and a linear plan (target × day ÷
//   days, half-up). Unlike coverage, a contribution counts here even if the
//   person died later: the campaign measures collection work done.
import { z } from 'zod';
import { contributionWindow, divideHalfUp, isEligibleYear } from '../policy/index.js';
import type { RegistryContext } from './context.js';
import { RegistryError } from './errors.js';
import { dateField, villageCodeField, yearField } from './inputs.js';
import { parseInput } from './parse.js';
import type { PersonService } from './persons.js';
import { shanghaiDate, shanghaiMidnightIso, shanghaiMidnightMs } from './time.js';

/** Villages listed in a county coverage answer; the county total always covers all of them. */
export const COVERAGE_VILLAGES_LIMIT = 5_000;
/** Village codes listed as lacking an eligible population (the count is always given). */
export const MISSING_ELIGIBLE_LIST_LIMIT = 100;
/** A campaign spans at most this many days (bounds the per-day series). */
export const CAMPAIGN_MAX_DAYS = 366;
/** Per-village targets in one campaign. */
export const CAMPAIGN_VILLAGE_TARGETS_LIMIT = 5_000;
/** Largest count the office may enter (a province is tens of millions). */
export const MAX_PERSONS_COUNT = 100_000_000;

const BASIS_POINTS = 10_000n;
const DAY_MS = 86_400_000;

const personsCountField = z.int('a whole number of persons').min(0).max(MAX_PERSONS_COUNT);

export const eligiblePopulationInputSchema = z.strictObject({
  year: yearField,
  /** Residents of the village who may enrol (POLICY.md "Who may enrol"), as counted by the office. */
  eligiblePersons: personsCountField,
});
export type EligiblePopulationInput = z.infer<typeof eligiblePopulationInputSchema>;

export const campaignInputSchema = z.strictObject({
  /** The contribution year collected. */
  year: yearField,
  startDate: dateField,
  endDate: dateField,
  /** Contributions for `year` the county aims at (persons who pay). */
  targetContributions: personsCountField.min(1),
  villageTargets: z
    .array(z.strictObject({ villageCode: villageCodeField, targetContributions: personsCountField }))
    .max(CAMPAIGN_VILLAGE_TARGETS_LIMIT)
    .default([]),
});
export type CampaignInput = z.input<typeof campaignInputSchema>;

/** A count over a count; basisPoints = round_half_up(numerator × 10 000 ÷ denominator), null when the denominator is 0. */
export interface Ratio {
  numerator: number;
  denominator: number;
  basisPoints: number | null;
}

export function ratio(numerator: number, denominator: number): Ratio {
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator) || numerator < 0 || denominator < 0) {
    throw new RangeError(`ratio of non-negative integers only (got ${numerator} / ${denominator})`);
  }
  const basisPoints = denominator === 0 ? null : Number(divideHalfUp(BigInt(numerator) * BASIS_POINTS, BigInt(denominator)));
  return { numerator, denominator, basisPoints };
}

export interface VillageCoverage {
  villageCode: string;
  villageName: string;
  enrolled: number;
  /** The office's count of those who may enrol, and the year it was made for; null: never set for this year or before. */
  eligiblePopulation: { persons: number; countedForYear: number } | null;
  /** enrolled ÷ eligible population; null while the eligible population is unknown. */
  enrolment: Ratio | null;
  enrolledUnder60: number;
  contributed: number;
  /** contributed ÷ enrolledUnder60. */
  contribution: Ratio;
}

export interface CountyCoverage {
  year: number;
  /** The date the figures are as of (YYYY-MM-DD, Asia/Shanghai). */
  asOf: string;
  villages: VillageCoverage[];
  /** More villages than COVERAGE_VILLAGES_LIMIT: the list is cut, the total is not. */
  truncated: boolean;
  total: {
    villages: number;
    enrolled: number;
    /** Sum of the villages' eligible populations; null unless every village has one. */
    eligiblePersons: number | null;
    enrolment: Ratio | null;
    villagesWithoutEligiblePopulation: { count: number; codes: string[] };
    enrolledUnder60: number;
    contributed: number;
    contribution: Ratio;
  };
}

export interface Campaign {
  year: number;
  startDate: string;
  endDate: string;
  targetContributions: number;
  villageTargets: { villageCode: string; targetContributions: number }[];
  setBy: string | null;
  setAt: string;
}

export interface CampaignDay {
  date: string;
  /** Contributions for the campaign's year paid that day. */
  contributions: number;
  /** Including those paid before the start. */
  cumulative: number;
  /** round_half_up(target × day number ÷ days in the campaign); null without a target. */
  plannedCumulative: number | null;
  /** cumulative ÷ target; null without a target. */
  ofTarget: Ratio | null;
}

export interface CampaignProgress {
  year: number;
  startDate: string;
  endDate: string;
  status: 'not-started' | 'running' | 'ended';
  /** The last day counted: today, or the end date once the campaign is over. */
  asOf: string;
  /** null: the whole county; else the village the figures are for. */
  village: { code: string; name: string } | null;
  /** The county's target, or the village's when a village is asked for; null if the county set none for it. */
  targetContributions: number | null;
  beforeStart: number;
  /** One row per day from the start through `asOf` (none before the start). */
  days: CampaignDay[];
  /** Contributions for the year paid after the end date (not part of the campaign). */
  afterEnd: number;
  total: { contributions: number; ofTarget: Ratio | null; daysElapsed: number; daysTotal: number };
}

interface CoverageRow {
  code: string;
  name: string;
  enrolled: number;
  enrolled_under_60: number;
  contributed: number;
  eligible_persons: number | null;
  eligible_year: number | null;
}

interface CampaignRow {
  year: number;
  start_date: string;
  end_date: string;
  target_contributions: number;
  set_by: string | null;
  set_at: string;
}

function addDays(date: string, days: number): string {
  return new Date(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) + days * DAY_MS)
    .toISOString()
    .slice(0, 10);
}

/** Days from `from` to `to`, both included (calendar dates). */
function daysInclusive(from: string, to: string): number {
  return Math.round((shanghaiMidnightMs(to) - shanghaiMidnightMs(from)) / DAY_MS) + 1;
}

export class CoverageService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly persons: PersonService,
  ) {}

  private today(): string {
    return shanghaiDate(this.ctx.now());
  }

  /** 31 December of `year`, or today while `year` runs; a year not yet begun is refused. */
  private asOfDate(year: number): string {
    const today = this.today();
    const december31 = `${year}-12-31`;
    if (year > Number(today.slice(0, 4))) {
      throw new RegistryError('future-year', `coverage of ${year}: that year has not begun (today is ${today})`, 'year');
    }
    return december31 < today ? december31 : today;
  }

  /**
   * The birth dates of those for whom `year` is a contribution year (F <= Y < Y60).
   * The window depends on the birth year only, so the policy's own
   * contributionWindow is asked once per possible birth year and the answer
   * becomes a birth-date range the query can use. Null: nobody.
   */
  private under60BirthDates(year: number): { from: string; to: string } | null {
    let first: number | null = null;
    let last: number | null = null;
    // pensionAge is at most 120 (policy settings schema), so older birth years never qualify.
    for (let birthYear = year - 121; birthYear <= year; birthYear++) {
      if (!isEligibleYear(contributionWindow(`${birthYear}-07-01`, this.ctx.schemeStart, this.ctx.policy), year)) continue;
      if (last !== null && last !== birthYear - 1) throw new Error(`contribution years of ${year} are not one birth-year range`);
      first ??= birthYear;
      last = birthYear;
    }
    return first === null || last === null ? null : { from: `${first}-01-01`, to: `${last}-12-31` };
  }

  /** POLICY.md "Publicity and coverage": the office's count of those who may enrol in a village for a year. */
  setEligiblePopulation(villageCode: string, input: unknown, setBy?: string): { villageCode: string; year: number; eligiblePersons: number } {
    const e = parseInput(eligiblePopulationInputSchema, input);
    this.persons.village(villageCode);
    this.ctx.db
      .prepare(
        `INSERT INTO reg_village_eligible_populations (village_code, year, eligible_persons, set_by, set_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (village_code, year) DO UPDATE SET eligible_persons = excluded.eligible_persons, set_by = excluded.set_by, set_at = excluded.set_at`,
      )
      .run(villageCode, e.year, e.eligiblePersons, setBy ?? null, new Date(this.ctx.now()).toISOString());
    this.ctx.logger.info({ villageCode, year: e.year, eligiblePersons: e.eligiblePersons, setBy }, 'eligible population set');
    return { villageCode, year: e.year, eligiblePersons: e.eligiblePersons };
  }

  private coverageRows(year: number, asOf: string, villageCode: string | null): Iterable<CoverageRow> {
    const under60 = this.under60BirthDates(year);
    return this.ctx.db
      .prepare(
        `SELECT v.code, v.name,
           COUNT(p.citizen_number) AS enrolled,
           COALESCE(SUM(CASE WHEN p.birth_date BETWEEN @under60From AND @under60To THEN 1 ELSE 0 END), 0) AS enrolled_under_60,
           COALESCE(SUM(CASE WHEN p.birth_date BETWEEN @under60From AND @under60To AND EXISTS (
             SELECT 1 FROM reg_contributions c WHERE c.citizen_number = p.citizen_number AND c.year = @year AND c.paid_at < @paidBefore
           ) THEN 1 ELSE 0 END), 0) AS contributed,
           (SELECT e.eligible_persons FROM reg_village_eligible_populations e
              WHERE e.village_code = v.code AND e.year <= @year ORDER BY e.year DESC LIMIT 1) AS eligible_persons,
           (SELECT e.year FROM reg_village_eligible_populations e
              WHERE e.village_code = v.code AND e.year <= @year ORDER BY e.year DESC LIMIT 1) AS eligible_year
         FROM reg_villages v
         LEFT JOIN reg_persons p ON p.village_code = v.code
           AND p.enrolled_on <= @asOf
           AND (p.death_date IS NULL OR p.death_date > @asOf)
           AND (p.urban_pension_since IS NULL OR p.urban_pension_since > @asOf)
         WHERE @villageCode IS NULL OR v.code = @villageCode
         GROUP BY v.code
         ORDER BY v.code`,
      )
      .iterate({
        year,
        asOf,
        paidBefore: shanghaiMidnightIso(addDays(asOf, 1)),
        // An impossible range when nobody may pay for the year.
        under60From: under60?.from ?? '9999-12-31',
        under60To: under60?.to ?? '0000-01-01',
        villageCode,
      }) as Iterable<CoverageRow>;
  }

  private toVillageCoverage(r: CoverageRow): VillageCoverage {
    const eligible = r.eligible_persons !== null && r.eligible_year !== null ? { persons: r.eligible_persons, countedForYear: r.eligible_year } : null;
    return {
      villageCode: r.code,
      villageName: r.name,
      enrolled: r.enrolled,
      eligiblePopulation: eligible,
      enrolment: eligible ? ratio(r.enrolled, eligible.persons) : null,
      enrolledUnder60: r.enrolled_under_60,
      contributed: r.contributed,
      contribution: ratio(r.contributed, r.enrolled_under_60),
    };
  }

  /** Coverage of one village for `year` (see the file comment for every definition). */
  villageCoverage(villageCode: string, year: number): VillageCoverage & { year: number; asOf: string } {
    this.persons.village(villageCode);
    const asOf = this.asOfDate(year);
    const [row] = [...this.coverageRows(year, asOf, villageCode)];
    if (!row) throw new RegistryError('village-not-found', `no village ${villageCode}`, 'villageCode');
    return { year, asOf, ...this.toVillageCoverage(row) };
  }

  /** Coverage of every village for `year`, and the county total. */
  countyCoverage(year: number): CountyCoverage {
    const asOf = this.asOfDate(year);
    const villages: VillageCoverage[] = [];
    const missing: string[] = [];
    let count = 0;
    let missingCount = 0;
    let enrolled = 0;
    let eligiblePersons = 0;
    let enrolledUnder60 = 0;
    let contributed = 0;
    for (const row of this.coverageRows(year, asOf, null)) {
      const v = this.toVillageCoverage(row);
      count += 1;
      if (villages.length < COVERAGE_VILLAGES_LIMIT) villages.push(v);
      enrolled += v.enrolled;
      enrolledUnder60 += v.enrolledUnder60;
      contributed += v.contributed;
      if (v.eligiblePopulation) eligiblePersons += v.eligiblePopulation.persons;
      else {
        missingCount += 1;
        if (missing.length < MISSING_ELIGIBLE_LIST_LIMIT) missing.push(v.villageCode);
      }
    }
    const complete = missingCount === 0;
    return {
      year,
      asOf,
      villages,
      truncated: count > villages.length,
      total: {
        villages: count,
        enrolled,
        eligiblePersons: complete ? eligiblePersons : null,
        // A county ratio over only some villages would read as the county's; so none until every village is counted.
        enrolment: complete ? ratio(enrolled, eligiblePersons) : null,
        villagesWithoutEligiblePopulation: { count: missingCount, codes: missing },
        enrolledUnder60,
        contributed,
        contribution: ratio(contributed, enrolledUnder60),
      },
    };
  }

  /**
   * Sets (or revises) the collection campaign of a contribution year: the
   * county's target and, optionally, its split by village. The whole campaign
   * is replaced in one transaction.
   */
  setCampaign(input: unknown, setBy?: string): Campaign {
    const c = parseInput(campaignInputSchema, input);
    if (Number(c.startDate.slice(0, 4)) !== c.year) {
      // Contributions for a year cannot be paid before it begins (POLICY.md
      // "Contributions": future-year refusal), so a campaign starts within its year.
      throw new RegistryError('invalid-date', `startDate ${c.startDate} is not in the campaign's year ${c.year}`, 'startDate');
    }
    if (c.endDate < c.startDate) throw new RegistryError('invalid-date', `endDate ${c.endDate} is before startDate ${c.startDate}`, 'endDate');
    const days = daysInclusive(c.startDate, c.endDate);
    if (days > CAMPAIGN_MAX_DAYS) {
      throw new RegistryError('invalid-date', `a campaign lasts at most ${CAMPAIGN_MAX_DAYS} days (this one ${days})`, 'endDate');
    }
    const seen = new Set<string>();
    c.villageTargets.forEach((t, i) => {
      if (seen.has(t.villageCode)) {
        throw new RegistryError('invalid-input', `villageTargets[${i}]: village ${t.villageCode} is listed twice`, `villageTargets[${i}].villageCode`);
      }
      seen.add(t.villageCode);
      const exists = this.ctx.db.prepare('SELECT 1 FROM reg_villages WHERE code = ?').get(t.villageCode);
      if (!exists) throw new RegistryError('village-not-found', `no village ${t.villageCode}`, `villageTargets[${i}].villageCode`);
    });
    const setAt = new Date(this.ctx.now()).toISOString();
    const { db } = this.ctx;
    db.transaction(() => {
      db.prepare(
        `INSERT INTO reg_campaigns (year, start_date, end_date, target_contributions, set_by, set_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (year) DO UPDATE SET start_date = excluded.start_date, end_date = excluded.end_date,
           target_contributions = excluded.target_contributions, set_by = excluded.set_by, set_at = excluded.set_at`,
      ).run(c.year, c.startDate, c.endDate, c.targetContributions, setBy ?? null, setAt);
      db.prepare('DELETE FROM reg_campaign_village_targets WHERE year = ?').run(c.year);
      const insert = db.prepare('INSERT INTO reg_campaign_village_targets (year, village_code, target_contributions) VALUES (?, ?, ?)');
      for (const t of c.villageTargets) insert.run(c.year, t.villageCode, t.targetContributions);
    })();
    this.ctx.logger.info({ year: c.year, startDate: c.startDate, endDate: c.endDate, target: c.targetContributions, setBy }, 'campaign set');
    return this.campaign(c.year)!;
  }

  /** The campaign of a contribution year, or undefined if none was set. */
  campaign(year: number): Campaign | undefined {
    const row = this.ctx.db.prepare('SELECT * FROM reg_campaigns WHERE year = ?').get(year) as CampaignRow | undefined;
    if (!row) return undefined;
    const villageTargets = (
      this.ctx.db
        .prepare('SELECT village_code, target_contributions FROM reg_campaign_village_targets WHERE year = ? ORDER BY village_code')
        .all(year) as { village_code: string; target_contributions: number }[]
    ).map((t) => ({ villageCode: t.village_code, targetContributions: t.target_contributions }));
    return {
      year: row.year,
      startDate: row.start_date,
      endDate: row.end_date,
      targetContributions: row.target_contributions,
      villageTargets,
      setBy: row.set_by,
      setAt: row.set_at,
    };
  }

  /**
   * Progress per day of the campaign of `year`, for the county or one
   * village, against the target (see the file comment). Undefined when no
   * campaign was set for the year.
   */
  campaignProgress(year: number, villageCode?: string): CampaignProgress | undefined {
    const village = villageCode === undefined ? null : this.persons.village(villageCode);
    const campaign = this.campaign(year);
    if (!campaign) return undefined;
    const today = this.today();
    const status = today < campaign.startDate ? 'not-started' : today > campaign.endDate ? 'ended' : 'running';
    const asOf = status === 'ended' ? campaign.endDate : today;
    const target = village
      ? (campaign.villageTargets.find((t) => t.villageCode === village.code)?.targetContributions ?? null)
      : campaign.targetContributions;
    const daysTotal = daysInclusive(campaign.startDate, campaign.endDate);
    const startIso = shanghaiMidnightIso(campaign.startDate);
    const afterEndIso = shanghaiMidnightIso(addDays(campaign.endDate, 1));
    const scope = village ? 'JOIN reg_persons p ON p.citizen_number = c.citizen_number AND p.village_code = @villageCode' : '';
    const params = { year, villageCode: village?.code ?? null, startIso, afterEndIso };
    const counts = this.ctx.db
      .prepare(
        `SELECT COALESCE(SUM(CASE WHEN c.paid_at < @startIso THEN 1 ELSE 0 END), 0) AS before_start, COALESCE(SUM(CASE WHEN c.paid_at >= @afterEndIso THEN 1 ELSE 0 END), 0) AS after_end
         FROM reg_contributions c ${scope} WHERE c.year = @year`,
      )
      .get(params) as { before_start: number; after_end: number };
    const perDay = new Map<string, number>();
    if (status !== 'not-started') {
      const rows = this.ctx.db
        .prepare(
          `SELECT date(c.paid_at, '+8 hours') AS day, COUNT(*) AS n FROM reg_contributions c ${scope}
           WHERE c.year = @year AND c.paid_at >= @startIso AND c.paid_at < @untilIso GROUP BY day`,
        )
        .all({ ...params, untilIso: shanghaiMidnightIso(addDays(asOf, 1)) }) as { day: string; n: number }[];
      for (const r of rows) perDay.set(r.day, r.n);
    }
    const days: CampaignDay[] = [];
    let cumulative = counts.before_start;
    const daysElapsed = status === 'not-started' ? 0 : daysInclusive(campaign.startDate, asOf);
    for (let i = 0; i < daysElapsed; i++) {
      const date = addDays(campaign.startDate, i);
      const n = perDay.get(date) ?? 0;
      cumulative += n;
      days.push({
        date,
        contributions: n,
        cumulative,
        plannedCumulative: target === null ? null : Number(divideHalfUp(BigInt(target) * BigInt(i + 1), BigInt(daysTotal))),
        ofTarget: target === null ? null : ratio(cumulative, target),
      });
    }
    return {
      year,
      startDate: campaign.startDate,
      endDate: campaign.endDate,
      status,
      asOf,
      village,
      targetContributions: target,
      beforeStart: counts.before_start,
      days,
      afterEnd: counts.after_end,
      total: { contributions: cumulative, ofTarget: target === null ? null : ratio(cumulative, target), daysElapsed, daysTotal },
    };
  }
}
