// Villages, persons, households (family binding), cards, and the reports of a
// death or of an urban employees' pension (issue 5 section 5; POLICY.md "Who
// may enrol", "When a pension is paid", "Death").
import { parse as parseCsv } from 'csv-parse/sync';
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
  collectiveSubsidyInputSchema,
  type PersonInput,
} from './inputs.js';
import { parseInput } from './parse.js';
import { shanghaiDate } from './time.js';

/** A village register CSV holds at most this many rows (one village is a few thousand people). */
export const CSV_MAX_ROWS = 20_000;
/** Row errors reported for one CSV; the rest are counted, not listed. */
export const CSV_MAX_REPORTED_ERRORS = 200;

/** Header of a village register CSV (UTF-8, comma-separated, one person a row). */
export const VILLAGE_REGISTER_COLUMNS = [
  'citizenNumber',
  'name',
  'birthDate',
  'villageCode',
  'householdId',
  'hukouInCounty',
  'fullTimeStudent',
  'urbanEmployeePension',
  'severelyDisabled',
  'bankAccount',
] as const;

export interface Person {
  citizenNumber: string;
  name: string;
  birthDate: string;
  villageCode: string;
  householdId: string | null;
  severelyDisabled: boolean;
  bankAccount: string | null;
  registeredAt: string;
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
  death_date: string | null;
  death_reported_on: string | null;
  urban_pension_since: string | null;
  urban_pension_reported_on: string | null;
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
    deathDate: row.death_date,
    deathReportedOn: row.death_reported_on,
    urbanPensionSince: row.urban_pension_since,
    urbanPensionReportedOn: row.urban_pension_reported_on,
  };
}

function parseBooleanCell(value: string | undefined): boolean | string {
  const v = (value ?? '').trim().toLowerCase();
  if (['1', 'true', 'yes', 'y', '是'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否', ''].includes(v)) return false;
  return value ?? '';
}

export class PersonService {
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
    const row = this.ctx.db
      .prepare('SELECT collective_fen FROM reg_village_subsidies WHERE village_code = ? AND year = ?')
      .get(villageCode, year) as { collective_fen: number } | undefined;
    return row?.collective_fen ?? 0;
  }

  village(code: string): { code: string; name: string } {
    const row = this.ctx.db.prepare('SELECT code, name FROM reg_villages WHERE code = ?').get(code) as
      | { code: string; name: string }
      | undefined;
    if (!row) throw new RegistryError('village-not-found', `no village ${code}`, 'villageCode');
    return row;
  }

  private requireVillage(code: string): void {
    this.village(code);
  }

  /**
   * Checks one registration against the rules without writing: the check
   * digit and the birth date (POLICY.md "Money and dates"), then eligibility
   * (POLICY.md "Who may enrol"). Throws the first problem as a RegistryError.
   */
  private checkRegistration(p: ReturnType<typeof personInputSchema.parse>): void {
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
    const on = p.registeredOn ?? this.today();
    const refusals = enrolmentRefusals(p, on, this.ctx.policy);
    const first = refusals[0];
    if (first !== undefined) {
      throw new RegistryError(first as RegistryErrorCode, `may not enrol: ${refusals.join(', ')} (POLICY "Who may enrol")`, undefined, {
        reasons: refusals,
      });
    }
  }

  private insertPerson(p: ReturnType<typeof personInputSchema.parse>): void {
    const { db, ledger } = this.ctx;
    if (p.householdId) {
      db.prepare('INSERT OR IGNORE INTO reg_households (id, village_code, created_at) VALUES (?, ?, ?)').run(
        p.householdId,
        p.villageCode,
        new Date(this.ctx.now()).toISOString(),
      );
    }
    db.prepare(
      `INSERT INTO reg_persons (citizen_number, name, birth_date, village_code, household_id, severely_disabled, bank_account, registered_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    ).run(
      p.citizenNumber,
      p.name,
      p.birthDate,
      p.villageCode,
      p.householdId ?? null,
      p.severelyDisabled ? 1 : 0,
      p.bankAccount ?? null,
      p.registeredOn ?? this.today(),
    );
    ledger.ensureAccounts(personAccountSpecs(p.citizenNumber));
  }

  /** Registers (enrols) a person: checked whole first, then the row and the five source accounts in one transaction. */
  registerPerson(input: PersonInput | unknown): Person {
    const p = parseInput(personInputSchema, input);
    this.checkRegistration(p);
    this.requireVillage(p.villageCode);
    if (this.find(p.citizenNumber)) throw new RegistryError('person-exists', `${p.citizenNumber} is registered already`, 'citizenNumber');
    this.ctx.db.transaction(() => this.insertPerson(p))();
    this.ctx.logger.info({ citizenNumber: p.citizenNumber, villageCode: p.villageCode }, 'person registered');
    return this.get(p.citizenNumber);
  }

  /**
   * Imports a village register (CSV with the VILLAGE_REGISTER_COLUMNS header).
   * Every row is checked first; if any row is wrong, nothing is imported and
   * every row error is reported (issue 5 section 5: "per-row errors and
   * nothing half-imported"). Otherwise all rows commit in one transaction.
   */
  importVillageRegister(csvText: string): { imported: number } {
    let records: string[][];
    try {
      records = parseCsv(csvText, { bom: true, skip_empty_lines: true, relax_column_count: true, trim: true }) as string[][];
    } catch (error) {
      const e = error as { lines?: number; message?: string };
      throw new RegistryError('invalid-csv', `the CSV cannot be read: ${e.message ?? 'parse error'}`, 'csv', {
        rows: [{ line: e.lines ?? 0, code: 'invalid-csv', message: e.message ?? 'parse error' }],
      });
    }
    const header = records[0];
    if (!header || header.join(',') !== VILLAGE_REGISTER_COLUMNS.join(',')) {
      throw new RegistryError('invalid-csv', `the first line must be the header ${VILLAGE_REGISTER_COLUMNS.join(',')}`, 'csv', {
        rows: [{ line: 1, code: 'invalid-csv', message: 'wrong header' }],
      });
    }
    const rows = records.slice(1);
    if (rows.length === 0) throw new RegistryError('invalid-csv', 'the CSV has no rows', 'csv', { rows: [] });
    if (rows.length > CSV_MAX_ROWS) {
      throw new RegistryError('invalid-csv', `at most ${CSV_MAX_ROWS} rows per import (got ${rows.length})`, 'csv', { rows: [] });
    }
    const errors: CsvRowError[] = [];
    let errorCount = 0;
    const parsed: ReturnType<typeof personInputSchema.parse>[] = [];
    const seen = new Map<string, number>();
    const villages = new Set<string>();
    rows.forEach((cells, index) => {
      const line = index + 2;
      try {
        if (cells.length !== VILLAGE_REGISTER_COLUMNS.length) {
          throw new RegistryError('invalid-csv', `expected ${VILLAGE_REGISTER_COLUMNS.length} columns, got ${cells.length}`);
        }
        const cell = (i: number): string => cells[i] ?? '';
        const input = {
          citizenNumber: cell(0),
          name: cell(1),
          birthDate: cell(2),
          villageCode: cell(3),
          ...(cell(4) ? { householdId: cell(4) } : {}),
          hukouInCounty: parseBooleanCell(cell(5)),
          fullTimeStudent: parseBooleanCell(cell(6)),
          urbanEmployeePension: parseBooleanCell(cell(7)),
          severelyDisabled: parseBooleanCell(cell(8)),
          ...(cell(9) ? { bankAccount: cell(9) } : {}),
        };
        const p = parseInput(personInputSchema, input);
        this.checkRegistration(p);
        const earlier = seen.get(p.citizenNumber);
        if (earlier !== undefined) {
          throw new RegistryError('person-exists', `${p.citizenNumber} is also on line ${earlier}`, 'citizenNumber');
        }
        seen.set(p.citizenNumber, line);
        if (this.find(p.citizenNumber)) throw new RegistryError('person-exists', `${p.citizenNumber} is registered already`, 'citizenNumber');
        if (!villages.has(p.villageCode)) {
          this.requireVillage(p.villageCode);
          villages.add(p.villageCode);
        }
        parsed.push(p);
      } catch (error) {
        if (!(error instanceof RegistryError)) throw error;
        errorCount += 1;
        if (errors.length < CSV_MAX_REPORTED_ERRORS) {
          errors.push({ line, ...(error.field ? { field: error.field } : {}), code: error.code, message: error.message });
        }
      }
    });
    if (errorCount > 0) {
      throw new RegistryError('invalid-csv', `${errorCount} of ${rows.length} rows are wrong; nothing was imported`, 'csv', {
        rows: errors,
        errorCount,
      });
    }
    this.ctx.db.transaction(() => {
      for (const p of parsed) this.insertPerson(p);
    })();
    this.ctx.logger.info({ imported: parsed.length }, 'village register imported');
    return { imported: parsed.length };
  }

  find(citizenNumber: string): Person | undefined {
    const row = this.ctx.db.prepare('SELECT * FROM reg_persons WHERE citizen_number = ?').get(citizenNumber) as PersonRow | undefined;
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
        .prepare("INSERT INTO reg_cards (card_number, citizen_number, issued_on, status) VALUES (?, ?, ?, 'active')")
        .run(c.cardNumber, c.citizenNumber, c.issuedOn);
    })();
    return c;
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
