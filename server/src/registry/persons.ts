// Villages, persons, households (family binding), cards, and the reports of a
// death or of an urban employees' pension (issue 5 section 5; POLICY.md "Who
// may enrol", "When a pension is paid", "Death").
import { cachedStatement } from '../db.js';
import { personAccountSpecs } from '../ledger/index.js';
import { birthDateFromCitizenNumber, enrolmentRefusals, isValidCitizenNumber } from '../policy/index.js';
import type { RegistryContext } from './context.js';
import { RegistryError, type RegistryErrorCode } from './errors.js';
import {
  bankAccountInputSchema,
  cardInputSchema,
  deathReportInputSchema,
  householdInputSchema,
  personInputSchema,
  urbanPensionReportInputSchema,
  villageInputSchema,
  villageAgentInputSchema,
  collectiveSubsidyInputSchema,
  type EnrolmentStatementInput,
  type ParsedPersonInput,
  type PersonInput,
} from './inputs.js';
import { recordEnrolmentStatement, resolveEnrolment, type Enrolment, type EnrolmentStatement } from './enrolment.js';
import { parseInput } from './parse.js';
import { VillageRegisterImport, type RegisterSource } from './register-import.js';
import { shanghaiDate } from './time.js';

export interface Person {
  citizenNumber: string;
  name: string;
  birthDate: string;
  villageCode: string;
  householdId: string | null;
  severelyDisabled: boolean;
  bankAccount: string | null;
  /** The day the registration was made. */
  registeredAt: string;
  /** The day the person enrolled: the registration's, or earlier as stated (`enrolmentStatement`). */
  enrolledOn: string;
  enrolmentStatement: EnrolmentStatement | null;
  deathDate: string | null;
  deathReportedOn: string | null;
  urbanPensionSince: string | null;
  urbanPensionReportedOn: string | null;
}

export interface CsvRowError {
  /** 1-based line number in the file (the header is line 1). */
  line: number;
  field?: string;
  code: string;
  message: string;
}

interface PersonRow {
  citizen_number: string;
  name: string;
  birth_date: string;
  village_code: string;
  household_id: string | null;
  severely_disabled: number;
  bank_account: string | null;
  registered_at: string;
  enrolled_on: string;
  death_date: string | null;
  death_reported_on: string | null;
  urban_pension_since: string | null;
  urban_pension_reported_on: string | null;
  /** From reg_enrolment_statements (LEFT JOIN): null without a statement. */
  statement_source: 'old-scheme-register' | null;
  statement_enrolled_on: string | null;
  statement_reason: string | null;
  statement_by: string | null;
  statement_at: string | null;
}

/** A person with the statement of an earlier enrolment, if any. */
const PERSON_SELECT = `SELECT p.*, s.source AS statement_source, s.enrolled_on AS statement_enrolled_on, s.reason AS statement_reason,
    s.stated_by AS statement_by, s.stated_at AS statement_at
  FROM reg_persons p LEFT JOIN reg_enrolment_statements s ON s.citizen_number = p.citizen_number`;

function statementOf(row: PersonRow): EnrolmentStatement | null {
  if (row.statement_source === null) return null;
  return {
    enrolledOn: row.statement_enrolled_on ?? '',
    source: row.statement_source,
    reason: row.statement_reason ?? '',
    statedBy: row.statement_by ?? '',
    statedAt: row.statement_at ?? '',
  };
}

function toPerson(row: PersonRow): Person {
  return {
    citizenNumber: row.citizen_number,
    name: row.name,
    birthDate: row.birth_date,
    villageCode: row.village_code,
    householdId: row.household_id,
    severelyDisabled: row.severely_disabled === 1,
    bankAccount: row.bank_account,
    registeredAt: row.registered_at,
    enrolledOn: row.enrolled_on,
    enrolmentStatement: statementOf(row),
    deathDate: row.death_date,
    deathReportedOn: row.death_reported_on,
    urbanPensionSince: row.urban_pension_since,
    urbanPensionReportedOn: row.urban_pension_reported_on,
  };
}

export class PersonService {
  #importing = false;

  constructor(private readonly ctx: RegistryContext) {}

  private today(): string {
    return shanghaiDate(this.ctx.now());
  }

  createVillage(input: unknown): { code: string; name: string } {
    const v = parseInput(villageInputSchema, input);
    const exists = this.ctx.db.prepare('SELECT name FROM reg_villages WHERE code = ?').get(v.code) as { name: string } | undefined;
    if (exists) {
      if (exists.name !== v.name) throw new RegistryError('id-reused-with-other-content', `village ${v.code} exists as ${exists.name}`, 'code');
      return { code: v.code, name: exists.name };
    }
    this.ctx.db.prepare('INSERT INTO reg_villages (code, name, county_code) VALUES (?, ?, ?)').run(v.code, v.name, v.countyCode ?? '');
    return { code: v.code, name: v.name };
  }

  /** POLICY.md "Contributions": a village's collective subsidy for a year, credited with each payment. */
  setCollectiveSubsidy(villageCode: string, input: unknown): void {
    const s = parseInput(collectiveSubsidyInputSchema, input);
    this.requireVillage(villageCode);
    this.ctx.db
      .prepare(
        `INSERT INTO reg_village_subsidies (village_code, year, collective_fen) VALUES (?, ?, ?)
         ON CONFLICT (village_code, year) DO UPDATE SET collective_fen = excluded.collective_fen`,
      )
      .run(villageCode, s.year, s.collectiveFen);
  }

  collectiveSubsidyFen(villageCode: string, year: number): number {
    const row = cachedStatement(this.ctx.db, 'SELECT collective_fen FROM reg_village_subsidies WHERE village_code = ? AND year = ?').get(villageCode, year) as
      | { collective_fen: number }
      | undefined;
    return row?.collective_fen ?? 0;
  }

  village(code: string): { code: string; name: string } {
    const row = this.ctx.db.prepare('SELECT code, name FROM reg_villages WHERE code = ?').get(code) as
      | { code: string; name: string }
      | undefined;
    if (!row) throw new RegistryError('village-not-found', `no village ${code}`, 'villageCode');
    return row;
  }

  /** The village agent residents can call for help (null until the office sets one). */
  villageAgent(code: string): { agentName: string | null; agentPhone: string | null } {
    this.village(code);
    const row = this.ctx.db.prepare('SELECT agent_name, agent_phone FROM reg_villages WHERE code = ?').get(code) as { agent_name: string | null; agent_phone: string | null };
    return { agentName: row.agent_name, agentPhone: row.agent_phone };
  }

  setVillageAgent(code: string, input: unknown): { code: string; agentName: string; agentPhone: string } {
    const a = parseInput(villageAgentInputSchema, input);
    this.village(code);
    this.ctx.db.prepare('UPDATE reg_villages SET agent_name = ?, agent_phone = ? WHERE code = ?').run(a.agentName, a.agentPhone, code);
    return { code, agentName: a.agentName, agentPhone: a.agentPhone };
  }

  private requireVillage(code: string): void {
    this.village(code);
  }

  /**
   * Checks one registration against the rules without writing: the check
   * digit and the birth date (POLICY.md "Money and dates"), then eligibility
   * (POLICY.md "Who may enrol") on the enrolment date. Throws the first
   * problem as a RegistryError.
   */
  checkRegistration(p: ParsedPersonInput, enrolledOn: string): void {
    if (!isValidCitizenNumber(p.citizenNumber)) {
      throw new RegistryError('invalid-citizen-number', `citizen number ${p.citizenNumber} fails the GB 11643 check`, 'citizenNumber');
    }
    const fromNumber = birthDateFromCitizenNumber(p.citizenNumber);
    if (fromNumber !== p.birthDate) {
      throw new RegistryError(
        'birth-date-mismatch',
        `birth date ${p.birthDate} disagrees with the citizen number, which says ${fromNumber}`,
        'birthDate',
      );
    }
    const refusals = enrolmentRefusals(p, enrolledOn, this.ctx.policy);
    const first = refusals[0];
    if (first !== undefined) {
      throw new RegistryError(first as RegistryErrorCode, `may not enrol: ${refusals.join(', ')} (POLICY "Who may enrol")`, undefined, {
        reasons: refusals,
      });
    }
  }

  /**
   * The registry rows of checked registrations (households, persons), in the
   * caller's transaction; the caller opens their ledger accounts.
   */
  insertPersonRows(persons: readonly ParsedPersonInput[], enrolment: Enrolment): void {
    const { db } = this.ctx;
    const createdAt = new Date(this.ctx.now()).toISOString();
    const today = this.today();
    const household = db.prepare('INSERT OR IGNORE INTO reg_households (id, village_code, created_at) VALUES (?, ?, ?)');
    const person = db.prepare(
      `INSERT INTO reg_persons (citizen_number, name, birth_date, village_code, household_id, severely_disabled, bank_account, registered_at, enrolled_on)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const p of persons) {
      if (p.householdId) household.run(p.householdId, p.villageCode, createdAt);
      person.run(p.citizenNumber, p.name, p.birthDate, p.villageCode, p.householdId ?? null, p.severelyDisabled ? 1 : 0, p.bankAccount ?? null, today, enrolment.enrolledOn);
      if (enrolment.statement !== null) recordEnrolmentStatement(db, p.citizenNumber, enrolment.statement);
    }
  }

  /** Which of these citizen numbers are registered (one query, for an import's last check). */
  registeredAmong(citizenNumbers: readonly string[]): string[] {
    const rows = this.ctx.db
      .prepare('SELECT citizen_number FROM reg_persons WHERE citizen_number IN (SELECT value FROM json_each(?))')
      .all(JSON.stringify(citizenNumbers)) as { citizen_number: string }[];
    return rows.map((r) => r.citizen_number);
  }

  /**
   * Registers (enrols) a person: checked whole first, then the row and the
   * five source accounts in one transaction. The person enrols today, or on
   * the date of `enrolmentStatement`, which `statedBy` (the office user) states.
   */
  registerPerson(input: PersonInput | unknown, statedBy?: string): Person {
    const p = parseInput(personInputSchema, input);
    const enrolment = resolveEnrolment(this.ctx, p.enrolmentStatement, statedBy, 'enrolmentStatement.enrolledOn');
    this.checkRegistration(p, enrolment.enrolledOn);
    this.requireVillage(p.villageCode);
    if (this.find(p.citizenNumber)) throw new RegistryError('person-exists', `${p.citizenNumber} is registered already`, 'citizenNumber');
    this.ctx.db.transaction(() => {
      this.insertPersonRows([p], enrolment);
      this.ctx.ledger.ensureAccounts(personAccountSpecs(p.citizenNumber));
    })();
    this.ctx.logger.info({ citizenNumber: p.citizenNumber, villageCode: p.villageCode }, 'person registered');
    return this.get(p.citizenNumber);
  }

  /**
   * Imports a village register (CSV with the VILLAGE_REGISTER_COLUMNS header),
   * read as a stream: every row is checked first; if any row is wrong,
   * nothing is imported and every row error is reported with the file's line
   * (issue 5 section 5: "per-row errors and nothing half-imported"; how it
   * stays responsive and bounded: register-import.ts). One import at a time:
   * another is refused with import-in-progress (each holds up to CSV_MAX_ROWS
   * checked rows in memory). Everyone in the file enrols today, or on the
   * date of `statement`, which `statedBy` states for the whole file (the old
   * scheme's register; issue 10 section 1).
   */
  importVillageRegister(source: RegisterSource, statement?: EnrolmentStatementInput, statedBy?: string): Promise<{ imported: number }> {
    return this.#oneImport(statement, statedBy, (work) => work.run(source));
  }

  /**
   * Checks a village register as importVillageRegister would, row by row,
   * and writes nothing (issue 14 "Register import"): the same per-row errors,
   * or how many persons the import would register.
   */
  checkVillageRegister(source: RegisterSource, statement?: EnrolmentStatementInput, statedBy?: string): Promise<{ wouldImport: number }> {
    return this.#oneImport(statement, statedBy, (work) => work.check(source));
  }

  #oneImport<T>(statement: EnrolmentStatementInput | undefined, statedBy: string | undefined, run: (work: VillageRegisterImport) => Promise<T>): Promise<T> {
    // Refused at once (not as a rejected promise) for a bad statement or a second import.
    const enrolment = resolveEnrolment(this.ctx, statement, statedBy, 'enrolledOn');
    if (this.#importing) throw new RegistryError('import-in-progress', 'another village register is being imported; send this one when it has ended', 'csv');
    this.#importing = true;
    return run(new VillageRegisterImport(this.ctx, this, enrolment)).finally(() => {
      this.#importing = false;
    });
  }

  find(citizenNumber: string): Person | undefined {
    const row = cachedStatement(this.ctx.db, `${PERSON_SELECT} WHERE p.citizen_number = ?`).get(citizenNumber) as PersonRow | undefined;
    return row ? toPerson(row) : undefined;
  }

  get(citizenNumber: string): Person {
    const person = this.find(citizenNumber);
    if (!person) throw new RegistryError('person-not-found', `no person ${citizenNumber} in the registry`, 'citizenNumber');
    return person;
  }

  /**
   * Records or replaces the account a person's pension is paid into: a
   * payroll that would pay someone without one is refused with their citizen
   * numbers (issue 10 section 5), and this is how the office fixes them.
   */
  setBankAccount(citizenNumber: string, input: unknown): Person {
    const b = parseInput(bankAccountInputSchema, input);
    this.get(citizenNumber);
    this.ctx.db.prepare('UPDATE reg_persons SET bank_account = ? WHERE citizen_number = ?').run(b.bankAccount, citizenNumber);
    this.ctx.logger.info({ citizenNumber }, 'bank account recorded');
    return this.get(citizenNumber);
  }

  /**
   * Family binding (POLICY.md "When a pension is paid"): puts the members in
   * one household. Members must be registered and live in the household's village.
   */
  bindHousehold(input: unknown): { id: string; villageCode: string; members: string[] } {
    const h = parseInput(householdInputSchema, input);
    this.requireVillage(h.villageCode);
    for (const cn of h.members) {
      const person = this.get(cn);
      if (person.villageCode !== h.villageCode) {
        throw new RegistryError('invalid-input', `${cn} lives in village ${person.villageCode}, not ${h.villageCode}`, 'members');
      }
    }
    const { db } = this.ctx;
    db.transaction(() => {
      const existing = db.prepare('SELECT village_code FROM reg_households WHERE id = ?').get(h.id) as { village_code: string } | undefined;
      if (existing && existing.village_code !== h.villageCode) {
        throw new RegistryError('id-reused-with-other-content', `household ${h.id} is in village ${existing.village_code}`, 'villageCode');
      }
      if (!existing) db.prepare('INSERT INTO reg_households (id, village_code, created_at) VALUES (?, ?, ?)').run(h.id, h.villageCode, new Date(this.ctx.now()).toISOString());
      const set = db.prepare('UPDATE reg_persons SET household_id = ? WHERE citizen_number = ?');
      for (const cn of h.members) set.run(h.id, cn);
    })();
    return this.household(h.id);
  }

  household(id: string): { id: string; villageCode: string; members: string[] } {
    const row = this.ctx.db.prepare('SELECT id, village_code FROM reg_households WHERE id = ?').get(id) as
      | { id: string; village_code: string }
      | undefined;
    if (!row) throw new RegistryError('household-not-found', `no household ${id}`, 'householdId');
    const members = (
      this.ctx.db.prepare('SELECT citizen_number FROM reg_persons WHERE household_id = ? ORDER BY citizen_number').all(id) as {
        citizen_number: string;
      }[]
    ).map((m) => m.citizen_number);
    return { id: row.id, villageCode: row.village_code, members };
  }

  issueCard(input: unknown): { cardNumber: string; citizenNumber: string; issuedOn: string } {
    const c = parseInput(cardInputSchema, input);
    this.get(c.citizenNumber);
    const existing = this.ctx.db.prepare('SELECT citizen_number FROM reg_cards WHERE card_number = ?').get(c.cardNumber) as
      | { citizen_number: string }
      | undefined;
    if (existing) throw new RegistryError('card-exists', `card ${c.cardNumber} was issued already`, 'cardNumber');
    this.ctx.db.transaction(() => {
      // One active card per person: a new card revokes the old one.
      this.ctx.db.prepare("UPDATE reg_cards SET status = 'revoked' WHERE citizen_number = ?").run(c.citizenNumber);
      this.ctx.db
        .prepare("INSERT INTO reg_cards (card_number, citizen_number, issued_on, status, card_identifier) VALUES (?, ?, ?, 'active', ?)")
        .run(c.cardNumber, c.citizenNumber, c.issuedOn, c.cardIdentifier?.toUpperCase() ?? null);
    })();
    return c;
  }

  /** A person's active card, with the chip identifier when the issuer reported it. */
  activeCard(citizenNumber: string): { cardNumber: string; cardIdentifier: string | null } | undefined {
    const row = this.ctx.db
      .prepare("SELECT card_number, card_identifier FROM reg_cards WHERE citizen_number = ? AND status = 'active'")
      .get(citizenNumber) as { card_number: string; card_identifier: string | null } | undefined;
    return row ? { cardNumber: row.card_number, cardIdentifier: row.card_identifier } : undefined;
  }

  /** The person an active card belongs to (the kiosk reads the card number). */
  personByCard(cardNumber: string): Person | undefined {
    const row = this.ctx.db.prepare("SELECT citizen_number FROM reg_cards WHERE card_number = ? AND status = 'active'").get(cardNumber) as
      | { citizen_number: string }
      | undefined;
    return row ? this.find(row.citizen_number) : undefined;
  }

  /**
   * Records a death (POLICY.md "Death"). Payment stops from the month of the
   * report; the settlement is the death-settlement run's work. Repeating the
   * same report is harmless; a different one for the same person is refused.
   */
  reportDeath(input: unknown): Person {
    const r = parseInput(deathReportInputSchema, input);
    const person = this.get(r.citizenNumber);
    if (r.deathDate < person.birthDate) throw new RegistryError('invalid-date', 'death date before birth date', 'deathDate');
    if (r.reportedOn < r.deathDate) throw new RegistryError('invalid-date', 'reported before the death date', 'reportedOn');
    if (person.deathDate !== null) {
      if (person.deathDate === r.deathDate && person.deathReportedOn === r.reportedOn) return person;
      throw new RegistryError('already-reported', `a death on ${person.deathDate} is already recorded`, 'deathDate');
    }
    this.ctx.db
      .prepare('UPDATE reg_persons SET death_date = ?, death_reported_on = ? WHERE citizen_number = ?')
      .run(r.deathDate, r.reportedOn, r.citizenNumber);
    return this.get(r.citizenNumber);
  }

  /** Records that the person receives the urban employees' pension (POLICY.md "When a pension is paid"). */
  reportUrbanPension(input: unknown): Person {
    const r = parseInput(urbanPensionReportInputSchema, input);
    const person = this.get(r.citizenNumber);
    if (r.reportedOn < r.since) throw new RegistryError('invalid-date', 'reported before the pension began', 'reportedOn');
    if (person.urbanPensionSince !== null) {
      if (person.urbanPensionSince === r.since && person.urbanPensionReportedOn === r.reportedOn) return person;
      throw new RegistryError('already-reported', `an urban pension since ${person.urbanPensionSince} is already recorded`, 'since');
    }
    this.ctx.db
      .prepare('UPDATE reg_persons SET urban_pension_since = ?, urban_pension_reported_on = ? WHERE citizen_number = ?')
      .run(r.since, r.reportedOn, r.citizenNumber);
    return this.get(r.citizenNumber);
  }
}
