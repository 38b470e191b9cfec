// Policy settings (POLICY.md, every section): "Every number here is a default,
// never a constant in code." A county picks a preset and overrides settings;
// a setting that can change does so from an effective date (`changes`). The
// basic pension and the interest rates are tables keyed by month / year in
// their own right (POLICY "How much", "The personal account").
import { z } from 'zod';
import { PolicyError, PolicyErrorCode, formatPath } from './errors.js';
import { FEN_PER_YUAN, MAX_FEN, isRateInput, parseRate, type Rate, type RateInput } from './money.js';
import { firstDayOf, isIsoDate, isMonth, lastDayOf, type IsoDate, type Month } from './dates.js';

/** Limits on settings tables, so a bad configuration cannot make the engine crawl. */
export const MAX_TIERS = 50;
export const MAX_TIER_YUAN = 1_000_000;
export const MAX_BASIC_ENTRIES = 500;
export const MAX_RATE_YEARS = 500;
export const MAX_POLICY_CHANGES = 200;

export interface BasicPensionEntry {
  /** First month this amount is in force. */
  from: Month;
  fen: number;
}

export interface PolicySettings {
  /** Contribution tiers, yuan per year (POLICY "Contributions"). */
  tiers: number[];
  /** Government contribution subsidy, yuan per year, keyed by tier in yuan. */
  subsidyByTier: Record<string, number>;
  /** "It is never below 30": the floor under every tier's subsidy, yuan per year. */
  subsidyFloorYuan: number;
  /** Whether arrears (a past year) earn the contribution subsidy. */
  arrearsSubsidy: boolean;
  /** One-year deposit rate by year ("2010": "0.0275"); POLICY "The personal account". */
  rates: Record<string, RateInput>;
  /** The rate of every year the `rates` table does not list. */
  rateAfter: RateInput;
  /** Basic pension by effective month, fen per month (POLICY "How much"). */
  basic: BasicPensionEntry[];
  /** Long-contribution top-up, fen per month for each paid year beyond `topUpAfterYears`. */
  topUpPerYearFen: number;
  topUpAfterYears: number;
  /** The cap in R = min(15, Y60 − F) (POLICY "When a pension is paid"). */
  maxRequiredYears: number;
  /** Account pension = round_half_up(balance / divisor). */
  divisor: number;
  /** Whether months suspended for a lapsed certification are paid once certified. */
  certBackPay: boolean;
  /** A certification holds through the same month this many months later. */
  certValidityMonths: number;
  /** Whether months suspended for family binding are paid later. */
  bindingBackPay: boolean;
  /** Whether the government source is inheritable too (the 2014 merged scheme). */
  inheritGovernment: boolean;
  /** Minimum age to enrol (POLICY "Who may enrol"). */
  enrolAge: number;
  /** Pension age (POLICY "When a pension is paid"). */
  pensionAge: number;
}

export type PresetName = 'xinnongbao-2009' | 'chengxiang-2014';
export const PRESET_NAMES: readonly PresetName[] = Object.freeze(['xinnongbao-2009', 'chengxiang-2014'] as const);
export const DEFAULT_PRESET: PresetName = 'xinnongbao-2009';

/** A dated change of settings: from `from` on, the given keys replace the earlier values. */
export interface PolicyChange {
  from: IsoDate;
  settings: Partial<PolicySettings>;
}

/** A county's policy: a preset, its overrides, and dated changes. Immutable. */
export interface Policy {
  readonly preset: PresetName;
  /** Settings in force from the beginning (preset + undated overrides). */
  readonly base: Readonly<PolicySettings>;
  /** Dated changes, sorted by `from`. */
  readonly changes: readonly PolicyChange[];
}

// ---------------------------------------------------------------------------
// Presets (POLICY "Presets" and the defaults of every section).

const XINNONGBAO_2009: PolicySettings = {
  tiers: [100, 200, 300, 400, 500],
  subsidyByTier: { '100': 30, '200': 35, '300': 40, '400': 45, '500': 50 },
  subsidyFloorYuan: 30,
  arrearsSubsidy: false,
  rates: { '2009': '0.0225', '2010': '0.0275', '2011': '0.035', '2012': '0.03', '2013': '0.03', '2014': '0.0275' },
  rateAfter: '0.015',
  basic: [{ from: '2009-01', fen: 5500 }],
  topUpPerYearFen: 100,
  topUpAfterYears: 15,
  maxRequiredYears: 15,
  divisor: 139,
  certBackPay: true,
  certValidityMonths: 12,
  bindingBackPay: false,
  inheritGovernment: false,
  enrolAge: 16,
  pensionAge: 60,
};

// The 2014 merged urban-rural residents' scheme: tiers 100-1000 by 100, then
// 1500 and 2000; subsidy at least 30, at least 60 from the 500 tier up; basic
// 55, 70 from 2014-07, 88 from 2018-01; the whole account inheritable.
const CHENGXIANG_TIERS = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1500, 2000];
const CHENGXIANG_2014: PolicySettings = {
  ...XINNONGBAO_2009,
  tiers: CHENGXIANG_TIERS,
  subsidyByTier: Object.fromEntries(CHENGXIANG_TIERS.map((tier) => [String(tier), tier >= 500 ? 60 : 30])),
  basic: [
    { from: '2009-01', fen: 5500 },
    { from: '2014-07', fen: 7000 },
    { from: '2018-01', fen: 8800 },
  ],
  inheritGovernment: true,
};

const PRESETS: Record<PresetName, PolicySettings> = {
  'xinnongbao-2009': XINNONGBAO_2009,
  'chengxiang-2014': CHENGXIANG_2014,
};

/** A copy of a preset's settings. */
export function presetSettings(name: PresetName): PolicySettings {
  const preset = PRESETS[name];
  if (!preset) throw new PolicyError(PolicyErrorCode.UnknownPreset, `unknown policy preset ${JSON.stringify(name)}; one of ${PRESET_NAMES.join(', ')}`);
  return structuredClone(preset);
}

// ---------------------------------------------------------------------------
// Schemas. Overrides come from county configuration files and from scenario
// files, so they are checked field by field and the error names the field.

const yuanSchema = z.int().min(0).max(MAX_TIER_YUAN);
const fenSchema = z.int().min(0).max(MAX_FEN);
const rateSchema = z.union([z.string(), z.int()]).refine(isRateInput, {
  message: 'a rate is a decimal string like "0.0225" (at most 1) or integer basis points (at most 10000)',
});

export const settingsSchema = z.strictObject({
  tiers: z
    .array(z.int().min(1).max(MAX_TIER_YUAN))
    .min(1)
    .max(MAX_TIERS)
    .refine((tiers) => new Set(tiers).size === tiers.length, { message: 'tiers must not repeat' }),
  subsidyByTier: z
    .record(z.string().regex(/^[1-9][0-9]*$/, { message: 'a tier key is a whole number of yuan' }), yuanSchema)
    .refine((r) => Object.keys(r).length <= MAX_TIERS, { message: `at most ${MAX_TIERS} tiers` }),
  subsidyFloorYuan: yuanSchema,
  arrearsSubsidy: z.boolean(),
  rates: z
    .record(z.string().regex(/^[0-9]{4}$/, { message: 'a rates key is a year YYYY' }), rateSchema)
    .refine((r) => Object.keys(r).length <= MAX_RATE_YEARS, { message: `at most ${MAX_RATE_YEARS} years` }),
  rateAfter: rateSchema,
  basic: z
    .array(z.strictObject({ from: z.string().refine(isMonth, { message: 'a month YYYY-MM' }), fen: fenSchema }))
    .min(1)
    .max(MAX_BASIC_ENTRIES)
    .refine((t) => new Set(t.map((e) => e.from)).size === t.length, { message: 'two basic pension entries have the same month' }),
  topUpPerYearFen: fenSchema,
  topUpAfterYears: z.int().min(0).max(100),
  maxRequiredYears: z.int().min(0).max(100),
  divisor: z.int().min(1).max(10_000),
  certBackPay: z.boolean(),
  certValidityMonths: z.int().min(1).max(120),
  bindingBackPay: z.boolean(),
  inheritGovernment: z.boolean(),
  enrolAge: z.int().min(0).max(100),
  pensionAge: z.int().min(1).max(120),
});

const partialSettingsSchema = settingsSchema.partial();

const changeSchema = partialSettingsSchema.extend({
  from: z.string().refine(isIsoDate, { message: 'a calendar date YYYY-MM-DD' }),
});

/**
 * A county's overrides: any settings (each key replaces that setting whole),
 * plus dated `changes` ({ from: "2014-07-01", tiers: [...] }).
 */
export const policyOverridesSchema = partialSettingsSchema.extend({
  changes: z.array(changeSchema).max(MAX_POLICY_CHANGES).optional(),
});

export type PolicyOverrides = z.input<typeof policyOverridesSchema>;

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function normalise(settings: Partial<PolicySettings>): Partial<PolicySettings> {
  const out = { ...settings };
  if (out.tiers) out.tiers = [...out.tiers].sort((a, b) => a - b);
  if (out.basic) out.basic = [...out.basic].sort((a, b) => (a.from < b.from ? -1 : 1));
  return out;
}

/**
 * The policy of a county: `presetName` (default `xinnongbao-2009`) with its
 * overrides. Throws `UnknownPreset` or `InvalidSettings` (each issue naming
 * its field, e.g. `changes[0].tiers`).
 */
export function resolvePolicy(presetName: string = DEFAULT_PRESET, overrides: unknown = {}): Policy {
  if (!(PRESET_NAMES as readonly string[]).includes(presetName)) {
    throw new PolicyError(PolicyErrorCode.UnknownPreset, `unknown policy preset ${JSON.stringify(presetName)}; one of ${PRESET_NAMES.join(', ')}`);
  }
  const parsed = policyOverridesSchema.safeParse(overrides);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
    throw new PolicyError(
      PolicyErrorCode.InvalidSettings,
      `invalid policy settings: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
      issues,
    );
  }
  const { changes = [], ...undated } = parsed.data;
  const base = { ...presetSettings(presetName as PresetName), ...normalise(stripUndefined(undated) as Partial<PolicySettings>) };
  const dated = changes
    .map(({ from, ...settings }) => ({ from, settings: normalise(stripUndefined(settings) as Partial<PolicySettings>) }))
    .sort((a, b) => (a.from < b.from ? -1 : a.from > b.from ? 1 : 0));
  return Object.freeze({ preset: presetName as PresetName, base: Object.freeze(base), changes: Object.freeze(dated) });
}

// A payroll asks for the settings of the same few dates millions of times;
// merging is cheap but not free. Bounded per policy.
const SETTINGS_CACHE_LIMIT = 4096;
const settingsCache = new WeakMap<Policy, Map<IsoDate, PolicySettings>>();

/** The settings in force on `date`: the base, then every change with `from <= date`, in order. */
export function settingsOn(policy: Policy, date: IsoDate): PolicySettings {
  if (policy.changes.length === 0) return policy.base;
  let cache = settingsCache.get(policy);
  if (!cache) {
    cache = new Map();
    settingsCache.set(policy, cache);
  }
  const hit = cache.get(date);
  if (hit) return hit;
  let settings: PolicySettings = policy.base;
  for (const change of policy.changes) {
    if (change.from > date) break;
    settings = { ...settings, ...change.settings };
  }
  if (cache.size >= SETTINGS_CACHE_LIMIT) cache.clear();
  cache.set(date, settings);
  return settings;
}

/**
 * The basic pension in force in `month`, fen (POLICY "How much": a table by
 * effective date, followed month by month). Before the table's first entry no
 * basic pension was in force: 0.
 */
export function basicPensionFen(policy: Policy, month: Month): number {
  const table = settingsOn(policy, firstDayOf(month)).basic;
  let fen = 0;
  for (const entry of table) {
    if (entry.from > month) break;
    fen = entry.fen;
  }
  return fen;
}

/** rate(Y): the rate in force at the end of Y (POLICY "The personal account"). */
export function interestRate(policy: Policy, year: number): Rate {
  const settings = settingsOn(policy, lastDayOf(`${String(year).padStart(4, '0')}-12`));
  return parseRate(settings.rates[String(year)] ?? settings.rateAfter);
}

/** Whether `tierYuan` is a tier in force on `date`. */
export function isKnownTier(policy: Policy, tierYuan: number, date: IsoDate): boolean {
  return settingsOn(policy, date).tiers.includes(tierYuan);
}

/** The lowest tier in force on `date`, yuan (what the government pays for a severely disabled member). */
export function lowestTierYuan(policy: Policy, date: IsoDate): number {
  const tiers = settingsOn(policy, date).tiers;
  return tiers[0] ?? 0;
}

/**
 * The government contribution subsidy for a tier, fen (POLICY "Contributions"):
 * the table's amount, never below the floor (a tier a county added without a
 * subsidy entry gets the floor).
 */
export function subsidyFen(policy: Policy, tierYuan: number, date: IsoDate): number {
  const settings = settingsOn(policy, date);
  const yuan = Math.max(settings.subsidyFloorYuan, settings.subsidyByTier[String(tierYuan)] ?? 0);
  return yuan * FEN_PER_YUAN;
}
