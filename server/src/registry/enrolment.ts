// The enrolment date of a person (issue 10 section 1; POLICY.md "When a
// pension is paid": the pension starts no earlier than the month after the
// month the person enrolled, never retroactively). A registration made today
// enrols the person today. An earlier date is allowed only as an operator
// states it for a person coming from the old scheme's register, and is kept
// with the person: the date, the source, the reason, who stated it and when.
// The bounds, all checked here and nowhere else:
// - not after today (`enrolment-in-future`);
// - not before the scheme started in the county (`enrolled-before-scheme-start`);
// - not before the person may enrol: "Who may enrol" is judged on the
//   enrolment date, so a date before the 16th birthday is `under-16`
//   (PersonService.checkRegistration).
import type { SqlDatabase } from '../sql/types.js';
import type { RegistryContext } from './context.js';
import { RegistryError } from './errors.js';
import type { EnrolmentQuery, EnrolmentStatementInput } from './inputs.js';
import { shanghaiDate } from './time.js';

/** An operator's statement of an enrolment date, as recorded. */
export interface EnrolmentStatement extends EnrolmentStatementInput {
  /** The office user who stated it. */
  statedBy: string;
  /** When it was stated (ISO 8601, UTC). */
  statedAt: string;
}

/** The enrolment of one registration: its date, and the statement behind it when it is not today. */
export interface Enrolment {
  enrolledOn: string;
  statement: EnrolmentStatement | null;
}

/**
 * The statement of a village register import from its query parameters:
 * none of them (the file's persons enrol today) or all three.
 */
export function enrolmentStatementFromQuery(query: EnrolmentQuery): EnrolmentStatementInput | undefined {
  const { enrolledOn, source, reason } = query;
  if (enrolledOn === undefined && source === undefined && reason === undefined) return undefined;
  if (enrolledOn !== undefined && source !== undefined && reason !== undefined) return { enrolledOn, source, reason };
  const missing = (['enrolledOn', 'source', 'reason'] as const).filter((k) => query[k] === undefined);
  throw new RegistryError(
    'incomplete-enrolment-statement',
    `an enrolment date is stated with enrolledOn, source=old-scheme-register and reason together; missing: ${missing.join(', ')}`,
    missing[0],
  );
}

/**
 * The enrolment of a registration made now: today, or the stated date within
 * its bounds. Throws a RegistryError naming the field otherwise.
 */
export function resolveEnrolment(
  ctx: RegistryContext,
  statement: EnrolmentStatementInput | undefined,
  statedBy: string | undefined,
  /** The request field that carries the date, for the error. */
  dateField: string,
): Enrolment {
  const today = shanghaiDate(ctx.now());
  if (statement === undefined) return { enrolledOn: today, statement: null };
  if (statedBy === undefined || statedBy === '') {
    // The API always passes the session's user; only a direct call can lack one.
    throw new RegistryError('incomplete-enrolment-statement', 'an enrolment statement needs the office user who states it', 'statedBy');
  }
  const { enrolledOn } = statement;
  if (enrolledOn > today) {
    throw new RegistryError('enrolment-in-future', `enrolment date ${enrolledOn} is after today (${today})`, dateField);
  }
  if (enrolledOn < ctx.schemeStart) {
    throw new RegistryError(
      'enrolled-before-scheme-start',
      `enrolment date ${enrolledOn} is before the scheme started in the county (${ctx.schemeStart}); nobody enrols before that`,
      dateField,
    );
  }
  return { enrolledOn, statement: { ...statement, statedBy, statedAt: new Date(ctx.now()).toISOString() } };
}

/** Writes the statement of a person's enrolment (in the transaction that writes the person). */
export function recordEnrolmentStatement(db: SqlDatabase, citizenNumber: string, statement: EnrolmentStatement): void {
  db.prepare(
    `INSERT INTO reg_enrolment_statements (citizen_number, enrolled_on, source, reason, stated_by, stated_at)
     VALUES (?, ?, ?, ?, ?, ?)`,
  ).run(citizenNumber, statement.enrolledOn, statement.source, statement.reason, statement.statedBy, statement.statedAt);
}
