// What a resident and a village are shown (ARCHITECTURE.md "What it is for";
// POLICY.md "Publicity and coverage"). The kiosk's account summary and the
// office's statement are the same call, so they cannot disagree.
import { sqlEngine } from '../sql/types.js';
import { maskName } from '@nongbao/protocol';
import { SOURCES, personAccountId } from '../ledger/index.js';
import {
  contributionWindow,
  monthOf,
  monthStatus,
  monthlyPension,
  basicPensionFen,
  totalFen,
  zeroBalances,
  type Balances,
  type Month,
  type PensionTerms,
} from '../policy/index.js';
import type { CertificationService } from './certifications.js';
import type { ContributionService } from './contributions.js';
import type { CreditEntry, CreditService } from './credits.js';
import type { RegistryContext } from './context.js';
import type { PersonService } from './persons.js';
import type { FamilyBindingStatus, PensionRow, RecipientFactsReader } from './recipients.js';
import { personPaymentsSql } from './schema.js';
import { shanghaiDate } from './time.js';

/** At most this many rows of payments in a statement (the latest). */
export const STATEMENT_PAYMENTS_LIMIT = 240;
/** At most this many people per publicity list section. */
export const PUBLICITY_LIST_LIMIT = 10_000;

export type PensionStatus = 'not-started' | 'paid' | 'suspended-certification' | 'suspended-family-binding' | 'stopped';

export interface AccountStatement {
  citizenNumber: string;
  name: string;
  birthDate: string;
  villageCode: string;
  villageName: string;
  /** The whole personal account, fen. */
  balanceFen: number;
  /** By source (POLICY.md "The personal account"), fen. */
  balancesFen: Balances;
  contributions: { year: number; tierYuan: number; paidOn: string; totalFen: number; channel: string; arrears: boolean }[];
  contributionYears: number;
  requiredYears: number;
  payments: {
    month: Month;
    status: 'paid' | 'suspended-certification' | 'suspended-family-binding';
    totalFen: number;
    basicFen: number;
    topUpFen: number;
    fromAccountFen: number;
    fromPoolFen: number;
  }[];
  pension: { status: PensionStatus; startMonth: Month | null; monthlyFen: number | null; topUpFen: number | null; accountFen: number | null };
  certification: { lastCertifiedOn: string | null; certifiedThrough: Month | null; current: boolean };
  certifiedThrough: Month | null;
  familyBinding: FamilyBindingStatus;
  death: { deathDate: string; reportedOn: string | null } | null;
  urbanPension: { since: string; reportedOn: string | null } | null;
  /** Cash the person handed over that is not a contribution: the office settles it with them. */
  credits: { balanceFen: number; entries: CreditEntry[] };
  asOf: string;
}

export interface PublicityList {
  villageCode: string;
  villageName: string;
  year: number;
  contributors: { name: string; tierYuan: number; paidOn: string }[];
  recipients: { name: string; monthlyFen: number; certification: 'certified' | 'lapsed' }[];
}

// POLICY.md "Publicity and coverage": "name with the middle masked". One
// implementation, shared with the kiosk screen (protocol module).
export { maskName };

function terms(p: PensionRow, basicFen: number): PensionTerms {
  return { startMonth: p.start_month, basicFen, topUpFen: p.top_up_fen, accountFen: p.account_fen };
}

export class StatementService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly persons: PersonService,
    private readonly contributions: ContributionService,
    private readonly certifications: CertificationService,
    private readonly recipients: RecipientFactsReader,
    private readonly credits: CreditService,
  ) {}

  balances(citizenNumber: string): Balances {
    const out = zeroBalances();
    for (const source of SOURCES) out[source] = this.ctx.ledger.balance(personAccountId(citizenNumber, source)).balanceFen;
    return out;
  }

  accountStatement(citizenNumber: string): AccountStatement {
    const person = this.persons.get(citizenNumber);
    const village = this.persons.village(person.villageCode);
    const today = shanghaiDate(this.ctx.now());
    const month = monthOf(today);
    const balancesFen = this.balances(citizenNumber);
    const contributions = this.contributions.contributionsOf(citizenNumber).map((c) => ({
      year: c.year,
      tierYuan: c.tierYuan,
      paidOn: shanghaiDate(c.paidAt),
      totalFen: c.totalFen,
      channel: c.channel,
      arrears: c.arrears,
    }));
    const payments = (
      this.ctx.db
        .prepare(
          personPaymentsSql(
            sqlEngine(this.ctx.db),
            'y.month, y.status, y.total_fen, y.basic_fen, y.top_up_fen, y.from_account_fen, y.from_pool_fen',
            'TRUE',
            'ORDER BY y.month DESC LIMIT ?',
          ),
        )
        .all(citizenNumber, STATEMENT_PAYMENTS_LIMIT) as {
        month: string;
        status: AccountStatement['payments'][number]['status'];
        total_fen: number;
        basic_fen: number;
        top_up_fen: number;
        from_account_fen: number;
        from_pool_fen: number;
      }[]
    )
      .reverse()
      .map((r) => ({
        month: r.month,
        status: r.status,
        totalFen: r.total_fen,
        basicFen: r.basic_fen,
        topUpFen: r.top_up_fen,
        fromAccountFen: r.from_account_fen,
        fromPoolFen: r.from_pool_fen,
      }));
    const pensionRow = this.recipients.pension(citizenNumber);
    const certifiedThroughMonth = this.certifications.certifiedThroughOf(citizenNumber, pensionRow?.start_month ?? null);
    let pension: AccountStatement['pension'] = { status: 'not-started', startMonth: null, monthlyFen: null, topUpFen: null, accountFen: null };
    if (pensionRow) {
      // The month shown is this month, or the start month when the pension starts later.
      const shown = pensionRow.start_month > month ? pensionRow.start_month : month;
      const status =
        pensionRow.stopped_month !== null && shown >= pensionRow.stopped_month
          ? 'stopped'
          : monthStatus(shown, this.recipients.facts(person, pensionRow, [shown]));
      const amount = monthlyPension(terms(pensionRow, basicPensionFen(this.ctx.policy, pensionRow.start_month)), shown, this.ctx.policy);
      pension = {
        status: status === 'paid-after-death' || status === 'paid-improperly' ? 'stopped' : status,
        startMonth: pensionRow.start_month,
        monthlyFen: amount.totalFen,
        topUpFen: pensionRow.top_up_fen,
        accountFen: pensionRow.account_fen,
      };
    }
    return {
      citizenNumber,
      name: person.name,
      birthDate: person.birthDate,
      villageCode: village.code,
      villageName: village.name,
      balanceFen: totalFen(balancesFen),
      balancesFen,
      contributions,
      contributionYears: contributions.length,
      requiredYears: contributionWindow(person.birthDate, this.ctx.schemeStart, this.ctx.policy).requiredYears,
      payments,
      pension,
      certification: {
        lastCertifiedOn: this.certifications.lastCertifiedOn(citizenNumber),
        certifiedThrough: certifiedThroughMonth,
        current: certifiedThroughMonth !== null && certifiedThroughMonth >= month,
      },
      certifiedThrough: certifiedThroughMonth,
      familyBinding: this.recipients.familyBinding(person, Number(today.slice(0, 4))),
      death: person.deathDate ? { deathDate: person.deathDate, reportedOn: person.deathReportedOn } : null,
      urbanPension: person.urbanPensionSince ? { since: person.urbanPensionSince, reportedOn: person.urbanPensionReportedOn } : null,
      credits: this.credits.creditsOf(citizenNumber),
      asOf: new Date(this.ctx.now()).toISOString(),
    };
  }

  /**
   * POLICY.md "Publicity and coverage": who contributed for `year` (masked
   * name, tier, date) and who receives a pension (masked name, monthly
   * amount, certification status), as of December of `year` or this month.
   */
  publicityList(villageCode: string, year: number): PublicityList {
    const village = this.persons.village(villageCode);
    const contributors = (
      this.ctx.db
        .prepare(
          `SELECT p.name, c.tier_yuan, c.paid_at FROM reg_contributions c JOIN reg_persons p ON p.citizen_number = c.citizen_number
           WHERE p.village_code = ? AND c.year = ? ORDER BY c.paid_at, p.citizen_number LIMIT ?`,
        )
        .all(villageCode, year, PUBLICITY_LIST_LIMIT) as { name: string; tier_yuan: number; paid_at: string }[]
    ).map((r) => ({ name: maskName(r.name), tierYuan: r.tier_yuan, paidOn: shanghaiDate(r.paid_at) }));
    const thisMonth = monthOf(shanghaiDate(this.ctx.now()));
    const december = `${year}-12`;
    const asOfMonth = december < thisMonth ? december : thisMonth;
    const rows = this.ctx.db
      .prepare(
        `SELECT s.*, p.name FROM reg_pensions s JOIN reg_persons p ON p.citizen_number = s.citizen_number
         WHERE p.village_code = ? AND s.start_month <= ? AND (s.stopped_month IS NULL OR s.stopped_month > ?)
           AND (p.death_date IS NULL OR substr(p.death_date, 1, 7) >= ?)
         ORDER BY p.citizen_number LIMIT ?`,
      )
      .all(villageCode, december, `${year}-01`, `${year}-01`, PUBLICITY_LIST_LIMIT) as (PensionRow & { name: string })[];
    const recipients = rows.map((r) => {
      const through = this.certifications.certifiedThroughOf(r.citizen_number, r.start_month);
      const shown = r.start_month > asOfMonth ? r.start_month : asOfMonth;
      const amount = monthlyPension(terms(r, basicPensionFen(this.ctx.policy, r.start_month)), shown, this.ctx.policy);
      return {
        name: maskName(r.name),
        monthlyFen: amount.totalFen,
        certification: (through !== null && through >= shown ? 'certified' : 'lapsed') as 'certified' | 'lapsed',
      };
    });
    return { villageCode, villageName: village.name, year, contributors, recipients };
  }
}

