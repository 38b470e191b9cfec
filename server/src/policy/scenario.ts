// The simulator's scenario (POLICY.md "The policy simulator (a public
// contract)"): parsed with zod; every problem names its field
// (`events[2].tier`). Fields beyond the contract, all optional so that every
// contract scenario means what it always meant:
// - `description` (top level): free text for the reader of an example file;
// - `policy.preset`: `xinnongbao-2009` (default) or `chengxiang-2014`;
// - `policy.changes`: dated setting changes ({ "from": "2014-07-01", ... });
// - further setting keys (`subsidyFloorYuan`, `bindingBackPay`, ... see
//   settings.ts), each replacing that setting whole like the contract's keys;
// - `person.citizenNumber`: checked (GB 11643) and must agree with `birthDate`;
// - `person.familyBinding` + `householdPaid` events: the household of someone
//   aged 60+ at the scheme's start (POLICY "When a pension is paid"). The
//   contract has no household; without `familyBinding: true` the binding is
//   taken as satisfied. With it, a `householdPaid` event for year Y says that
//   every household member who may enrol has paid for Y; months of a year
//   with no such event (yet) are `suspended-family-binding`.
// `subsidyByTier` values are yuan per year, like POLICY's "100→30".
import { z } from 'zod';
import { PolicyError, PolicyErrorCode, formatPath, type FieldIssue } from './errors.js';
import { MAX_FEN, parseRate } from './money.js';
import { MAX_YEAR, MIN_YEAR, isIsoDate, isMonth, monthIndex, monthOf, yearOf, type IsoDate, type Month } from './dates.js';
import { parseCitizenNumber } from './citizen.js';
import { MAX_TIER_YUAN, PRESET_NAMES, policyOverridesSchema, presetSettings, DEFAULT_PRESET, type PolicySettings, type PresetName } from './settings.js';

/** Limits (TIGER_STYLE: a limit on everything). */
export const MAX_SCENARIO_EVENTS = 10_000;
/** The simulation runs at most 200 years of months. */
export const MAX_SIMULATION_MONTHS = 200 * 12;
/** One event's amount: 10^10 fen (100 million yuan), far beyond any real credit. */
export const MAX_EVENT_AMOUNT_FEN = 10_000_000_000;
/** Largest scenario text accepted (characters of JSON). */
export const MAX_SCENARIO_CHARS = 4 * 1024 * 1024;
export const MAX_DESCRIPTION_CHARS = 4_000;

const isoDate = z.string({ message: 'a calendar date YYYY-MM-DD' }).refine(isIsoDate, { message: `a calendar date YYYY-MM-DD between ${MIN_YEAR} and ${MAX_YEAR}` });
const month = z.string({ message: 'a month YYYY-MM' }).refine(isMonth, { message: `a month YYYY-MM between ${MIN_YEAR} and ${MAX_YEAR}` });
const eventFen = z.int().min(0).max(MAX_EVENT_AMOUNT_FEN);
const calendarYear = z.int().min(MIN_YEAR).max(MAX_YEAR);

const contributeEvent = z.strictObject({
  date: isoDate,
  type: z.literal('contribute'),
  year: calendarYear,
  /** Yuan per year; a tier not in force is a refusal (`unknown-tier`), not a schema error. */
  tier: z.int().min(1).max(MAX_TIER_YUAN),
  collectiveFen: eventFen.default(0),
  aidFen: eventFen.default(0),
  payer: z.enum(['individual', 'government']).default('individual'),
});

const legacyEvent = z.strictObject({
  date: isoDate,
  type: z.literal('legacy'),
  amountFen: z.int().min(1).max(MAX_EVENT_AMOUNT_FEN),
});

const certifyEvent = z.strictObject({ date: isoDate, type: z.literal('certify') });

/** `date`: when the urban employees' pension began; `reportedDate`: when the office learnt of it (default: the same day). */
const urbanPensionEvent = z.strictObject({ date: isoDate, type: z.literal('urbanPension'), reportedDate: isoDate.optional() });

/** `date`: the death; `reportedDate`: when it was reported (default: the same day). */
const deathEvent = z.strictObject({ date: isoDate, type: z.literal('death'), reportedDate: isoDate.optional() });

const householdPaidEvent = z.strictObject({ date: isoDate, type: z.literal('householdPaid'), year: calendarYear });

export const scenarioEventSchema = z.discriminatedUnion('type', [
  contributeEvent,
  legacyEvent,
  certifyEvent,
  urbanPensionEvent,
  deathEvent,
  householdPaidEvent,
]);

const scenarioPolicySchema = policyOverridesSchema.extend({ preset: z.enum(PRESET_NAMES as [PresetName, ...PresetName[]]).optional() });

const personSchema = z.strictObject({
  birthDate: isoDate,
  /** The day the person enrolled (POLICY contract); default: the scheme's start (`enrolledDateOf`). */
  enrolledDate: isoDate.optional(),
  severelyDisabled: z.boolean().default(false),
  familyBinding: z.boolean().default(false),
  citizenNumber: z.string().max(64).optional(),
});

const baseScenarioSchema = z.strictObject({
  description: z.string().max(MAX_DESCRIPTION_CHARS).optional(),
  policy: scenarioPolicySchema.default({}),
  schemeStart: isoDate,
  person: personSchema,
  events: z.array(scenarioEventSchema).max(MAX_SCENARIO_EVENTS),
  until: month,
});

export type ScenarioEvent = z.output<typeof scenarioEventSchema>;
export type ScenarioEventInput = z.input<typeof scenarioEventSchema>;
export type ScenarioPolicy = z.output<typeof scenarioPolicySchema>;
export type Scenario = z.output<typeof baseScenarioSchema>;
export type ScenarioInput = z.input<typeof baseScenarioSchema>;

/**
 * The day the person enrolled: `person.enrolledDate`, by default the scheme's
 * start (POLICY.md "The policy simulator": "`person.enrolledDate` (optional,
 * default: the scheme's start)"). The pension never starts before the month
 * after it (POLICY "When a pension is paid").
 */
export function enrolledDateOf(scenario: Pick<Scenario, 'schemeStart' | 'person'>): IsoDate {
  return scenario.person.enrolledDate ?? scenario.schemeStart;
}

/** The month the simulation starts: the earlier of the scheme's start and the first event. */
export function simulationStartMonth(scenario: Pick<Scenario, 'schemeStart' | 'events'>): Month {
  let first: IsoDate = scenario.schemeStart;
  for (const event of scenario.events) if (event.date < first) first = event.date;
  return monthOf(first);
}

// Every setting value a scenario can put in force: the preset's, the undated
// overrides', and every dated change's.
function settingsVariants(policy: ScenarioPolicy): Partial<PolicySettings>[] {
  const { preset, changes = [], ...undated } = policy;
  return [presetSettings(preset ?? DEFAULT_PRESET), undated as Partial<PolicySettings>, ...changes.map(({ from: _from, ...s }) => s as Partial<PolicySettings>)];
}

/**
 * An upper bound on every amount the simulation can reach, so that a
 * schema-valid scenario can always be simulated with exact integers: money
 * credited, compounded at the highest rate the policy can put in force over
 * every simulated year, must stay within MAX_FEN, and so must a pension at
 * most that large paid every month. Returns a message when it cannot.
 */
function amountsOutOfRange(scenario: Scenario): string | null {
  const variants = settingsVariants(scenario.policy);
  let maxRateNum = 0n;
  let maxRateDen = 1n;
  let maxSubsidyYuan = 0;
  let maxTierYuan = 0;
  let maxBasicFen = 0;
  let maxTopUpFen = 0;
  let minDivisor = Number.MAX_SAFE_INTEGER;
  for (const v of variants) {
    for (const input of [...Object.values(v.rates ?? {}), ...(v.rateAfter === undefined ? [] : [v.rateAfter])]) {
      const rate = parseRate(input);
      if (rate.numerator * maxRateDen > maxRateNum * rate.denominator) {
        maxRateNum = rate.numerator;
        maxRateDen = rate.denominator;
      }
    }
    for (const yuan of [...Object.values(v.subsidyByTier ?? {}), v.subsidyFloorYuan ?? 0]) maxSubsidyYuan = Math.max(maxSubsidyYuan, yuan);
    for (const tier of v.tiers ?? []) maxTierYuan = Math.max(maxTierYuan, tier);
    for (const entry of v.basic ?? []) maxBasicFen = Math.max(maxBasicFen, entry.fen);
    if (v.topUpPerYearFen !== undefined) maxTopUpFen = Math.max(maxTopUpFen, v.topUpPerYearFen);
    if (v.divisor !== undefined) minDivisor = Math.min(minDivisor, v.divisor);
  }
  let credited = 0n;
  let paidYears = 0;
  for (const event of scenario.events) {
    if (event.type === 'contribute') {
      credited += BigInt((Math.max(event.tier, maxTierYuan) + maxSubsidyYuan) * 100 + event.collectiveFen + event.aidFen);
      paidYears += 1;
    } else if (event.type === 'legacy') {
      credited += BigInt(event.amountFen);
    }
  }
  const limit = BigInt(MAX_FEN);
  const months = monthIndex(scenario.until) - monthIndex(simulationStartMonth(scenario)) + 1;
  const years = Math.ceil(months / 12) + 1;
  let bound = credited;
  for (let y = 0; y < years && bound <= limit; y++) bound += (bound * maxRateNum + maxRateDen - 1n) / maxRateDen;
  if (bound > limit) return `the account could grow beyond ${MAX_FEN} fen before until; lower the amounts or rates, or end earlier`;
  const monthlyBound = BigInt(maxBasicFen) + BigInt(maxTopUpFen) * BigInt(Math.min(paidYears, 1000)) + bound / BigInt(minDivisor) + 1n;
  if (monthlyBound * BigInt(Math.max(months, 0)) > limit) return `the pensions paid could sum beyond ${MAX_FEN} fen before until; lower the amounts or end earlier`;
  return null;
}

// zod runs refinements even when a field failed a non-fatal check (a divisor
// of 0 is "too small" but still a number), so the cross-field checks must not
// trust single fields: a throw here is recorded as an issue that is dropped
// when a field's own issue explains it.
const UNCHECKABLE = 'uncheckable';

export const scenarioSchema = baseScenarioSchema.superRefine((scenario, ctx) => {
  try {
    crossFieldChecks(scenario, ctx);
  } catch (error) {
    ctx.addIssue({ code: 'custom', path: [], params: { [UNCHECKABLE]: true }, message: `cannot be checked: ${error instanceof Error ? error.message : String(error)}` });
  }
});

function crossFieldChecks(scenario: Scenario, ctx: z.RefinementCtx): void {
  const { person, events, until, schemeStart } = scenario;
  if (person.citizenNumber !== undefined) {
    const parsed = parseCitizenNumber(person.citizenNumber);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', path: ['person', 'citizenNumber'], message: parsed.message });
    else if (parsed.birthDate !== person.birthDate) {
      ctx.addIssue({ code: 'custom', path: ['person', 'birthDate'], message: `the citizen number gives ${parsed.birthDate}` });
    }
  }
  // Nobody enrols before the scheme exists (the registry refuses it the same way).
  if (person.enrolledDate !== undefined && person.enrolledDate < schemeStart) {
    ctx.addIssue({ code: 'custom', path: ['person', 'enrolledDate'], message: `before the scheme's start (schemeStart ${schemeStart}): nobody enrols before the scheme starts` });
  }
  events.forEach((event, index) => {
    if ((event.type === 'death' || event.type === 'urbanPension') && event.reportedDate !== undefined && event.reportedDate < event.date) {
      ctx.addIssue({ code: 'custom', path: ['events', index, 'reportedDate'], message: `reported before it happened (${event.date})` });
    }
  });
  const start = simulationStartMonth(scenario);
  const months = monthIndex(until) - monthIndex(start) + 1;
  if (months < 1) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: `must not be before the simulation's first month ${start} (schemeStart ${schemeStart} or the first event)` });
    return;
  }
  if (months > MAX_SIMULATION_MONTHS) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: `the simulation may run at most ${MAX_SIMULATION_MONTHS} months from ${start}` });
    return;
  }
  const range = amountsOutOfRange(scenario);
  if (range !== null) ctx.addIssue({ code: 'custom', path: ['until'], message: range });
  if (yearOf(person.birthDate) > yearOf(until)) {
    ctx.addIssue({ code: 'custom', path: ['person', 'birthDate'], message: 'born after the simulation ends' });
  }
}

function issuesOf(error: z.ZodError): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const explained = error.issues.length > 1;
  for (const issue of error.issues) {
    if (explained && issue.code === 'custom' && issue.params?.[UNCHECKABLE] === true) continue;
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) issues.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else {
      issues.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return issues;
}

function scenarioError(issues: FieldIssue[]): PolicyError {
  return new PolicyError(PolicyErrorCode.InvalidScenario, `invalid scenario: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, issues);
}

/**
 * Parses a scenario: JSON text, or a value already parsed from JSON. Throws
 * only `PolicyError` with code `InvalidScenario`, whose `issues` name each
 * bad field (`events[2].tier`), `(root)` for text that is not JSON.
 */
export function parseScenario(json: unknown): Scenario {
  let value: unknown = json;
  if (typeof json === 'string') {
    if (json.length > MAX_SCENARIO_CHARS) throw scenarioError([{ path: '(root)', message: `longer than ${MAX_SCENARIO_CHARS} characters` }]);
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw scenarioError([{ path: '(root)', message: `not JSON: ${error instanceof Error ? error.message : String(error)}` }]);
    }
  }
  let result: ReturnType<typeof scenarioSchema.safeParse>;
  try {
    result = scenarioSchema.safeParse(value);
  } catch (error) {
    // A refinement met a value the schema should have stopped (e.g. a
    // getter that throws on a hand-made object): still a scenario error.
    throw scenarioError([{ path: '(root)', message: `cannot be read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  if (!result.success) throw scenarioError(issuesOf(result.error));
  return result.data;
}
