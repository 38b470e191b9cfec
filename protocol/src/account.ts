// What a kiosk asks of an account, and the village's publicity list
// (ARCHITECTURE.md journey 1; POLICY.md "Publicity and coverage").
import { z } from 'zod';
import { citizenNumberSchema, fenSchema, monthSchema, versionSchema } from './fields.js';

export const SOURCES = ['individual', 'collective', 'aid', 'legacy', 'government'] as const;
export const balancesBySourceSchema = z.object({
  individual: fenSchema,
  collective: fenSchema,
  aid: fenSchema,
  legacy: fenSchema,
  government: fenSchema,
});

export const accountSummaryRequestSchema = z.object({
  v: versionSchema,
  citizenNumber: citizenNumberSchema,
});
export type AccountSummaryRequest = z.infer<typeof accountSummaryRequestSchema>;

export const PENSION_STATUSES = ['not-started', 'paid', 'suspended-certification', 'suspended-family-binding', 'stopped'] as const;
/** How a month of pension was decided by the payroll (POLICY.md "When a pension is paid"). */
export const PENSION_MONTH_STATUSES = ['paid', 'suspended-certification', 'suspended-family-binding'] as const;
/** Months of pension a summary carries (the latest): two years is what a resident asks about at a kiosk. */
export const SUMMARY_PENSION_MONTHS_LIMIT = 24;
/** Household members a summary names (masked) as still to pay. */
export const SUMMARY_UNPAID_MEMBERS_LIMIT = 20;

/** One month of pension as the kiosk shows it ("My account", "Confirm my pension"). */
export const pensionMonthSchema = z.object({
  month: monthSchema,
  status: z.enum(PENSION_MONTH_STATUSES),
  totalFen: fenSchema,
});
export type PensionMonth = z.infer<typeof pensionMonthSchema>;

/** Proof of life (POLICY.md "Proof of life"): a certification holds through `certifiedThrough`; the next is due then. */
export const certificationStatusSchema = z.object({
  lastCertifiedOn: z.string().nullable(),
  certifiedThrough: monthSchema.nullable(),
  /** Holds this month. */
  current: z.boolean(),
  /** The last month the current certification covers: certify by its end (null when none was ever made). */
  nextDueMonth: monthSchema.nullable(),
});

/**
 * Family binding for residents aged 60+ when the scheme started (POLICY.md
 * "When a pension is paid"): who in the household still has to pay this
 * year, names masked as on the publicity list.
 */
export const familyBindingSummarySchema = z.object({
  applies: z.boolean(),
  year: z.number().int(),
  holds: z.boolean(),
  unpaidMembers: z.array(z.string().max(64)).max(SUMMARY_UNPAID_MEMBERS_LIMIT),
});

/** "Pay more, get more": the monthly pension at its start if the person paid this tier every remaining year (the policy engine's projection). */
export const tierProjectionSchema = z.object({
  tierYuan: z.number().int().positive(),
  startMonth: monthSchema.nullable(),
  monthlyFen: fenSchema,
});
export type TierProjection = z.infer<typeof tierProjectionSchema>;

export const accountSummarySchema = z.object({
  citizenNumber: citizenNumberSchema,
  villageCode: z.string().max(32),
  villageName: z.string().max(64),
  balanceFen: fenSchema,
  balancesFen: balancesBySourceSchema,
  contributions: z
    .array(z.object({ year: z.number().int(), tierYuan: z.number().int(), paidOn: z.string(), totalFen: fenSchema }))
    .max(200),
  contributionYears: z.number().int().nonnegative(),
  requiredYears: z.number().int().nonnegative(),
  pension: z.object({
    status: z.enum(PENSION_STATUSES),
    startMonth: z.string().nullable(),
    monthlyFen: fenSchema.nullable(),
  }),
  certifiedThrough: z.string().nullable(),
  /**
   * This year's contribution as the kiosk may take it in cash, decided by the
   * policy engine before any cash is taken (POLICY.md "Contributions"); null
   * when nothing can be paid here (already paid, not eligible, paid by the
   * government on the person's behalf, ...), with the reason.
   */
  payment: z
    .object({
      year: z.number().int(),
      tiers: z
        .array(z.object({ tierYuan: z.number().int().positive(), dueFen: fenSchema, creditedFen: fenSchema }))
        .min(1)
        .max(50),
    })
    .nullable(),
  paymentRefusal: z.string().max(64).nullable(),
  /** The person's credit: cash handed over that is not a contribution (the office settles it). */
  creditFen: fenSchema.default(0),
  /**
   * Interest the account earned (POLICY.md "The personal account"), while
   * nothing was drawn from it: the balance less what was credited (the
   * contributions and the old scheme's balance). Null once the pension
   * draws on the account, when it can no longer be told apart.
   */
  interestFen: fenSchema.nullable().default(null),
  /** Latest months of pension, oldest first (empty before the pension starts). */
  pensionMonths: z.array(pensionMonthSchema).max(SUMMARY_PENSION_MONTHS_LIMIT).default([]),
  certification: certificationStatusSchema.nullable().default(null),
  familyBinding: familyBindingSummarySchema.nullable().default(null),
  /** One per tier in force, when this year can be paid (empty otherwise). */
  projections: z.array(tierProjectionSchema).max(50).default([]),
  /** When the server produced it; the terminal shows it when answering from its offline cache. */
  asOf: z.string(),
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;

/** The village's yearly publicity list (POLICY.md "Publicity and coverage"). */
export const publicityRequestSchema = z.object({
  v: versionSchema,
  villageCode: z.string().min(1).max(32),
  year: z.number().int().min(2000).max(2200),
});
export type PublicityRequest = z.infer<typeof publicityRequestSchema>;
/** Longest list a reply carries; the office prints the whole list. */
export const PUBLICITY_ROWS_LIMIT = 5_000;
export const publicityListSchema = z.object({
  villageCode: z.string(),
  villageName: z.string(),
  year: z.number().int(),
  contributors: z.array(z.object({ name: z.string(), tierYuan: z.number().int(), paidOn: z.string() })).max(PUBLICITY_ROWS_LIMIT),
  recipients: z
    .array(z.object({ name: z.string(), monthlyFen: fenSchema, certification: z.enum(['certified', 'lapsed']) }))
    .max(PUBLICITY_ROWS_LIMIT),
});
export type PublicityList = z.infer<typeof publicityListSchema>;
