// Schemas of what the registry's services accept (ARCHITECTURE.md "Every input
// from outside ... is parsed by a schema"). The HTTP API uses the same schemas
// for its bodies and builds its OpenAPI document from them, so the service,
// the API and the document cannot disagree. Shape only: scheme rules (check
// digit, eligibility, tiers) are the policy engine's and checked by the services.
import { z } from 'zod';
import { isCalendarDate } from './time.js';

/** Longest text field a person record holds (in UTF-16 units, after NFC). */
export const NAME_MAX_LENGTH = 64;

/**
 * What a name may not hold (issue 10 section 5). Control characters break the
 * files and screens a name reaches (a NUL cuts it in C code, CR/LF split CSV
 * lines); bidirectional controls and marks make "张三" display as someone
 * else's name or reorder the cells after it; zero-width characters make two
 * names that look the same differ. Unpaired surrogates are not text (UTF-8
 * cannot hold them).
 */
const NAME_FORBIDDEN: readonly { pattern: RegExp; what: string }[] = [
  { pattern: /[\u0000-\u001F\u007F-\u009F]/u, what: 'a control character' },
  { pattern: /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/u, what: 'a bidirectional control' },
  { pattern: /[\u200B-\u200D\u2060\uFEFF]/u, what: 'a zero-width character' },
  { pattern: /[\u2028\u2029]/u, what: 'a line or paragraph separator' },
  { pattern: /\p{Cs}/u, what: 'an unpaired surrogate' },
];

function codePointText(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The name of a person or a village, as typed at the office or in a register
 * (one rule for every name, issue 10 section 5): refused if it holds any of
 * NAME_FORBIDDEN or nothing but whitespace; stored trimmed and in Unicode NFC,
 * so that the same name typed on two keyboards is the same string.
 */
export const nameField = z
  .string()
  .superRefine((value, ctx) => {
    for (const { pattern, what } of NAME_FORBIDDEN) {
      const found = pattern.exec(value);
      if (found) {
        ctx.addIssue({ code: 'custom', message: `a name may not contain ${what} (${codePointText(found[0])} at ${found.index})` });
        return;
      }
    }
  })
  .trim()
  .normalize('NFC')
  .min(1, 'a name needs a visible character, not only whitespace')
  .max(NAME_MAX_LENGTH, `at most ${NAME_MAX_LENGTH} characters`)
  .describe('A name: no control, bidirectional or zero-width characters; stored trimmed and NFC-normalised');

export const citizenNumberField = z
  .string()
  .regex(/^\d{17}[\dX]$/, '18 characters: 17 digits then a digit or X (GB 11643)')
  .describe('Citizen number (GB 11643), the person key');
export const dateField = z.string().refine(isCalendarDate, 'a calendar date YYYY-MM-DD').describe('Calendar date, Asia/Shanghai');
/** A month, in a body, a query string or a path alike (text, so no coercion can loosen it). */
export const monthField = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month YYYY-MM');
export const yearField = z.int().min(2000).max(2200);
/**
 * A year as text in a query string or a path (`?year=2012`): four ASCII
 * digits and nothing else, then the year's range. Query and path parameters
 * are as strict as bodies (issue 10 section 5): no coercion, so `0x7E9`,
 * `2025.0`, ` 2025` and a repeated `?year=` (an array) are refused.
 */
export const yearTextField = z.string().regex(/^\d{4}$/, 'a year YYYY (four digits, nothing else)').transform(Number).pipe(yearField);
export const uuidV7Field = z
  .string()
  .regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a lowercase UUIDv7')
  .describe('UUIDv7 made by the originator: the idempotency key');
/** Integer fen (POLICY.md "Money and dates"): 100.5 is refused, not rounded. */
export const fenField = z.int('an integer number of fen (1 yuan = 100 fen)').min(0).max(100_000_000_000);
export const villageCodeField = z.string().regex(/^[0-9A-Za-z-]{1,32}$/, '1-32 letters, digits or dashes');
export const householdIdField = z.string().regex(/^[0-9A-Za-z-]{1,40}$/, '1-40 letters, digits or dashes');
/** The account the payroll pays a pension into (the bank file's `bankAccount`). */
export const bankAccountField = z.string().regex(/^[0-9]{8,32}$/, '8-32 digits');
export const terminalIdField = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and dashes, 3-64 long');
export const isoTimestampField = z.iso
  .datetime({ offset: true })
  .refine((v) => isCalendarDate(v.slice(0, 10)), 'not a calendar date')
  .describe('ISO 8601 timestamp with offset');

/**
 * Aid with one contribution (POLICY.md "Contributions": "other organisations
 * or persons may also aid a contributor"): at most ten times the highest
 * 2014 tier, a bound no real aid reaches (issue 10 section 3: every amount
 * has a cap that fits the business).
 */
export const MAX_AID_FEN = 2_000_000;

export const villageInputSchema = z.strictObject({
  code: villageCodeField,
  name: nameField,
  countyCode: z.string().max(32).optional(),
});
export type VillageInput = z.infer<typeof villageInputSchema>;

/** The village agent (协办员) residents can call for help, shown on the kiosk. */
export const villageAgentInputSchema = z.strictObject({
  agentName: z.string().trim().min(1).max(NAME_MAX_LENGTH),
  agentPhone: z.string().regex(/^\+?[0-9][0-9 -]{4,19}$/, 'a phone number: digits, spaces and dashes'),
});

export const collectiveSubsidyInputSchema = z.strictObject({
  year: yearField,
  collectiveFen: fenField,
});

/** Longest reason an operator may give for an enrolment statement. */
export const ENROLMENT_REASON_MAX_LENGTH = 500;

/** Where a stated enrolment date comes from: only the old scheme's register (issue 10 section 1). */
export const enrolmentSourceField = z
  .literal('old-scheme-register')
  .describe("The source of the stated date: 'old-scheme-register', the register of the old rural scheme");
const enrolmentReasonField = z
  .string()
  .trim()
  .min(1, 'say why the person enrolled on that date (e.g. the old register\'s entry)')
  .max(ENROLMENT_REASON_MAX_LENGTH)
  .describe('Why the person enrolled on that date, in the operator\'s words');

/**
 * An enrolment date earlier than today, as an operator states it for a person
 * coming from the old scheme's register (issue 10 section 1; POLICY.md "When a
 * pension is paid": the pension never starts before the month after the
 * enrolment). Who stated it is the session's user; when, the server's clock.
 */
export const enrolmentStatementSchema = z
  .strictObject({
    enrolledOn: dateField.describe('The day the person enrolled, not after today and not before the scheme started in the county'),
    source: enrolmentSourceField,
    reason: enrolmentReasonField,
  })
  .describe("An operator's statement of an earlier enrolment date (old scheme's register); without it the enrolment date is today");
export type EnrolmentStatementInput = z.infer<typeof enrolmentStatementSchema>;

/**
 * The same statement for a whole village register import, as query
 * parameters (`?enrolledOn=2012-03-01&source=old-scheme-register&reason=...`):
 * all three or none (`enrolmentStatementFromQuery`).
 */
export const enrolmentQuerySchema = z.strictObject({
  enrolledOn: dateField.optional().describe('With source and reason: the day every person in the file enrolled (old scheme\'s register)'),
  source: enrolmentSourceField.optional(),
  reason: enrolmentReasonField.optional(),
});
export type EnrolmentQuery = z.infer<typeof enrolmentQuerySchema>;

/** POLICY.md "Who may enrol": the facts the eligibility rule needs. */
export const personInputSchema = z.strictObject({
  citizenNumber: citizenNumberField,
  name: nameField,
  birthDate: dateField,
  villageCode: villageCodeField,
  householdId: householdIdField.optional(),
  hukouInCounty: z.boolean(),
  fullTimeStudent: z.boolean(),
  urbanEmployeePension: z.boolean(),
  severelyDisabled: z.boolean().default(false),
  bankAccount: bankAccountField.optional(),
  /** Without it the person enrols today; with it, on the stated (earlier) date. */
  enrolmentStatement: enrolmentStatementSchema.optional(),
});
export type PersonInput = z.input<typeof personInputSchema>;
/** A registration as the schema gives it back (defaults filled in). */
export type ParsedPersonInput = z.output<typeof personInputSchema>;

/** Records or replaces a person's bank account (the payroll pays nobody without one). */
export const bankAccountInputSchema = z.strictObject({ bankAccount: bankAccountField });

export const householdInputSchema = z.strictObject({
  id: householdIdField,
  villageCode: villageCodeField,
  members: z.array(citizenNumberField).min(1).max(30),
});
export type HouseholdInput = z.infer<typeof householdInputSchema>;

export const cardInputSchema = z.strictObject({
  cardNumber: z.string().regex(/^[0-9A-Z]{6,20}$/, '6-20 digits or capital letters'),
  citizenNumber: citizenNumberField,
  issuedOn: dateField,
  /** The chip's card identifier (32 hex digits), when the issuer reports it. */
  cardIdentifier: z.string().regex(/^[0-9A-Fa-f]{32}$/, '32 hex digits').optional(),
});
export type CardInput = z.infer<typeof cardInputSchema>;

export const contributionInputSchema = z.strictObject({
  id: uuidV7Field,
  citizenNumber: citizenNumberField,
  year: yearField,
  tierYuan: z.int('a whole number of yuan').min(1).max(1_000_000),
  channel: z.enum(['counter', 'kiosk']),
  terminalId: terminalIdField.optional(),
  paidAt: isoTimestampField,
  /** 'government': paid on behalf of a severely disabled member (POLICY.md "Contributions"). */
  payer: z.enum(['individual', 'government']).default('individual'),
  /** Aid from other organisations or persons, credited with the payment. */
  aidFen: fenField.max(MAX_AID_FEN, `at most ${MAX_AID_FEN} fen of aid with one contribution`).default(0),
  /**
   * Why a counter payment is dated before today (issue 10 section 2): required
   * then, written to the audit log with the payment.
   */
  backdateReason: z.string().trim().min(4).max(500).optional(),
});
export type ContributionInput = z.input<typeof contributionInputSchema>;

export const certificationInputSchema = z.strictObject({
  id: uuidV7Field,
  citizenNumber: citizenNumberField,
  certifiedOn: dateField,
  channel: z.enum(['counter', 'kiosk']),
  terminalId: terminalIdField.optional(),
  /** Reference of the photo taken at the kiosk, for review. */
  photoRef: z.string().max(200).optional(),
});
export type CertificationInput = z.infer<typeof certificationInputSchema>;

export const deathReportInputSchema = z.strictObject({
  citizenNumber: citizenNumberField,
  deathDate: dateField,
  reportedOn: dateField,
});
export type DeathReportInput = z.infer<typeof deathReportInputSchema>;

export const urbanPensionReportInputSchema = z.strictObject({
  citizenNumber: citizenNumberField,
  /** The date the urban employees' pension began. */
  since: dateField,
  reportedOn: dateField,
});
export type UrbanPensionReportInput = z.infer<typeof urbanPensionReportInputSchema>;
