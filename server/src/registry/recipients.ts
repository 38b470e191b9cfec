// The facts the policy engine needs to decide a pensioner's month
// (`RecipientFacts`, policy/recipient.ts): certification, death, urban
// pension and family binding, read from the registry. Shared by the monthly
// payroll and the account statement, so the kiosk shows what the payroll does.
import { contributionWindow, isEligibleYear, monthOf, type Month, type RecipientFacts } from '../policy/index.js';
import type { CertificationService } from './certifications.js';
import type { RegistryContext } from './context.js';
import type { Person } from './persons.js';

export interface PensionRow {
  citizen_number: string;
  start_month: string;
  paid_years: number;
  top_up_fen: number;
  account_fen: number;
  family_binding: number;
  run_key: string;
  decided_through: string;
  suspended_months: number;
  stopped_month: string | null;
  stop_reason: string | null;
}

export interface FamilyBindingStatus {
  /** POLICY.md "When a pension is paid": binding applies to those aged 60+ when the scheme started. */
  applies: boolean;
  householdId: string | null;
  year: number;
  /** Every household member who may enrol has paid for `year`. */
  holds: boolean;
  /** Members who should have paid for `year` and have not. */
  unpaidMembers: string[];
}

export class RecipientFactsReader {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly certifications: CertificationService,
  ) {}

  pension(citizenNumber: string): PensionRow | undefined {
    return this.ctx.db.prepare('SELECT * FROM reg_pensions WHERE citizen_number = ?').get(citizenNumber) as PensionRow | undefined;
  }

  bindingApplies(person: Person): boolean {
    return contributionWindow(person.birthDate, this.ctx.schemeStart, this.ctx.policy).agedAtSchemeStart;
  }

  /**
   * Household members who must have paid for `year`: registered members other
   * than the person, alive and not in the urban pension in that year, for
   * whom `year` is an eligible contribution year (the policy's window). The
   * registry knows only registered members; someone who may enrol but never
   * registered cannot be counted.
   */
  unpaidMembers(person: Person, year: number): string[] {
    if (!person.householdId) return [];
    const members = this.ctx.db
      .prepare(
        `SELECT p.citizen_number, p.birth_date, p.death_date, p.urban_pension_since,
                EXISTS (SELECT 1 FROM reg_contributions c WHERE c.citizen_number = p.citizen_number AND c.year = ?) AS paid
         FROM reg_persons p WHERE p.household_id = ? AND p.citizen_number <> ?`,
      )
      .all(year, person.householdId, person.citizenNumber) as {
      citizen_number: string;
      birth_date: string;
      death_date: string | null;
      urban_pension_since: string | null;
      paid: number;
    }[];
    const unpaid: string[] = [];
    for (const m of members) {
      if (m.paid) continue;
      if (m.death_date !== null && Number(m.death_date.slice(0, 4)) <= year) continue;
      if (m.urban_pension_since !== null && Number(m.urban_pension_since.slice(0, 4)) <= year) continue;
      const window = contributionWindow(m.birth_date, this.ctx.schemeStart, this.ctx.policy);
      if (isEligibleYear(window, year)) unpaid.push(m.citizen_number);
    }
    return unpaid;
  }

  familyBinding(person: Person, year: number): FamilyBindingStatus {
    const applies = this.bindingApplies(person);
    const unpaid = applies ? this.unpaidMembers(person, year) : [];
    return { applies, householdId: person.householdId, year, holds: unpaid.length === 0, unpaidMembers: unpaid };
  }

  /** The family-binding part of RecipientFacts: the years among `months` in which the binding holds. */
  bindingFacts(person: Person, months: readonly Month[]): RecipientFacts['familyBinding'] {
    const householdPaidYears = new Set<number>();
    for (const year of new Set(months.map((m) => Number(m.slice(0, 4))))) {
      if (this.unpaidMembers(person, year).length === 0) householdPaidYears.add(year);
    }
    return { applies: true, householdPaidYears };
  }

  /** RecipientFacts for deciding `months` (their years' family binding is looked up). */
  facts(person: Person, pension: PensionRow, months: readonly Month[]): RecipientFacts {
    return {
      certifiedThrough: this.certifications.certifiedThroughOf(person.citizenNumber, pension.start_month) ?? pension.start_month,
      deathMonth: person.deathDate ? monthOf(person.deathDate) : null,
      deathReportedMonth: person.deathReportedOn ? monthOf(person.deathReportedOn) : null,
      urbanPensionSinceMonth: person.urbanPensionSince ? monthOf(person.urbanPensionSince) : null,
      urbanPensionReportedMonth: person.urbanPensionReportedOn ? monthOf(person.urbanPensionReportedOn) : null,
      familyBinding: pension.family_binding === 1 ? this.bindingFacts(person, months) : { applies: false, householdPaidYears: new Set() },
    };
  }
}
