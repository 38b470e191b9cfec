// Contributions at the office counter and at the kiosk (POLICY.md
// "Contributions"; ARCHITECTURE.md journey 2). Both channels go through
// `recordContribution`: the policy engine decides (refusing with its reason
// before anything is written), then the credits by source are booked as one
// linked chain of ledger transfers together with the registry row, in one
// SQLite transaction. The contribution's id (a UUIDv7 made by the kiosk or
// the counter) is the id of its first transfer, so a replay is answered by
// the ledger: `exists`, or `exists_with_different_*` for a reused id.
import {
  FUND,
  cashBoxAccountId,
  cashBoxAccountSpec,
  personAccountId,
  type Source,
  type TransferInput,
  type TransferResult,
  type TransferResultCode,
} from '../ledger/index.js';
import { validateContribution, type Balances, type ContributionDecision } from '../policy/index.js';
import { cachedStatement } from '../db.js';
import type { AuditLog } from './audit.js';
import type { RegistryContext } from './context.js';
import { RegistryError, type RegistryErrorCode } from './errors.js';
import { derivedUuidV7 } from './ids.js';
import { contributionInputSchema, type ContributionInput } from './inputs.js';
import { parseInput } from './parse.js';
import type { PersonService } from './persons.js';
import { shanghaiDate, shanghaiMidnightMs, toUtcIso } from './time.js';

export type ContributionChannel = 'counter' | 'kiosk';

/** How far ahead of the server's clock a kiosk's or counter's payment time may be (clock drift). */
export const PAID_AT_CLOCK_SKEW_MS = 10 * 60_000;

export interface ContributionResult {
  id: string;
  /** The ledger's answer for the contribution's id. */
  result: TransferResultCode;
  citizenNumber: string;
  year: number;
  tierYuan: number;
  arrears: boolean;
  /** What the payer handed over, fen. */
  dueFromPayerFen: number;
  /** Credits to the personal account by source, fen. */
  creditsFen: Balances;
  /** Every transfer of the chain with its result. */
  transfers: TransferResult[];
}

type ParsedContribution = ReturnType<typeof contributionInputSchema.parse>;

export interface RecordOptions {
  /**
   * A programmatic load of past records (the demo county's history, a move
   * from another system), not a payment taken at the counter now: the
   * counter's backdating rule does not apply. Never set from an HTTP body.
   */
  historical?: boolean;
  /** The office user recording it, for the audit log (the API sets it from the session). */
  actor?: string;
}

export interface ContributionEvaluation {
  input: ParsedContribution;
  /** The payment time as the ledger stores it (UTC ISO). */
  at: string;
  decision: ContributionDecision;
}

interface ContributionRow {
  id: string;
  citizen_number: string;
  year: number;
  tier_yuan: number;
  payer: 'individual' | 'government';
  channel: ContributionChannel;
  terminal_id: string | null;
  paid_at: string;
  individual_fen: number;
  collective_fen: number;
  aid_fen: number;
  government_fen: number;
}

// Where each source's credit comes from (ledger chart, FUND). The government
// contribution subsidy is paid by local finance (the 2009 opinion, article 2),
// hence the county subsidy source.
const CREDIT_CODES: Record<Source, string> = {
  individual: 'contribution.individual',
  collective: 'subsidy.collective',
  aid: 'contribution.aid',
  legacy: 'contribution.legacy',
  government: 'subsidy.government',
};

const CREDIT_ORDER: readonly Source[] = ['individual', 'government', 'collective', 'aid'];

export class ContributionService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly persons: PersonService,
    private readonly audit: AuditLog,
  ) {}

  private debitAccountFor(source: Source, channel: ContributionChannel, terminalId: string | undefined, payer: string): string {
    if (source === 'individual') return channel === 'kiosk' ? cashBoxAccountId(terminalId!) : FUND.collection;
    if (source === 'government') return FUND.subsidyCounty;
    if (source === 'collective') return FUND.collectiveSubsidy;
    if (source === 'aid') return FUND.aidIncoming;
    void payer;
    return FUND.legacyMerged;
  }

  /** The chain of transfers for a contribution; the first carries the contribution's id. */
  private buildTransfers(c: {
    id: string;
    citizenNumber: string;
    year: number;
    tierYuan: number;
    payer: 'individual' | 'government';
    channel: ContributionChannel;
    terminalId: string | undefined;
    at: string;
    credits: Balances;
  }): TransferInput[] {
    const meta = {
      citizenNumber: c.citizenNumber,
      year: c.year,
      tierYuan: c.tierYuan,
      payer: c.payer,
      channel: c.channel,
      terminalId: c.terminalId ?? null,
      contributionId: c.id,
    };
    const transfers: TransferInput[] = [];
    for (const source of CREDIT_ORDER) {
      const amountFen = c.credits[source];
      if (amountFen <= 0) continue;
      const first = transfers.length === 0;
      transfers.push({
        id: first ? c.id : derivedUuidV7(Date.parse(c.at), `contribution:${c.id}|${source}`),
        debitAccountId: this.debitAccountFor(source, c.channel, c.terminalId, c.payer),
        creditAccountId: personAccountId(c.citizenNumber, source),
        amountFen,
        code: source === 'government' && c.payer === 'government' ? 'contribution.government' : CREDIT_CODES[source],
        at: c.at,
        meta: { ...meta, creditsFen: JSON.stringify(c.credits) },
        ...(first ? {} : { reference: c.id }),
        linked: true,
      });
    }
    const last = transfers[transfers.length - 1];
    if (last) delete last.linked;
    return transfers;
  }

  /** Whether a contribution with this id is recorded. */
  has(id: string): boolean {
    return this.findById(id) !== undefined;
  }

  private findById(id: string): ContributionRow | undefined {
    return cachedStatement(this.ctx.db, 'SELECT * FROM reg_contributions WHERE id = ?').get(id) as ContributionRow | undefined;
  }

  /**
   * What the policy says of a contribution, written nowhere: the parsed
   * input, the person, the payment time (UTC ISO) and the policy's decision.
   * Throws RegistryError for bad input and an unknown person. The kiosk's
   * money service asks this before booking, so that cash that cannot be a
   * contribution becomes the person's credit instead (issue 10 sections 2-3).
   */
  evaluate(input: ContributionInput | unknown): ContributionEvaluation {
    const c = parseInput(contributionInputSchema, input);
    if (c.channel === 'kiosk' && !c.terminalId) {
      throw new RegistryError('invalid-input', 'terminalId: required for a kiosk contribution', 'terminalId');
    }
    const at = toUtcIso(c.paidAt);
    const person = this.persons.get(c.citizenNumber);
    const paidYears = (
      cachedStatement(this.ctx.db, 'SELECT year FROM reg_contributions WHERE citizen_number = ?').all(c.citizenNumber) as { year: number }[]
    ).map((r) => r.year);
    const date = shanghaiDate(at);
    const decision = validateContribution(
      {
        date,
        year: c.year,
        tierYuan: c.tierYuan,
        collectiveFen: this.persons.collectiveSubsidyFen(person.villageCode, c.year),
        aidFen: c.aidFen,
        payer: c.payer,
      },
      {
        birthDate: person.birthDate,
        severelyDisabled: person.severelyDisabled,
        deceased: person.deathDate !== null && person.deathDate <= date,
        schemeStart: this.ctx.schemeStart,
        paidYears,
      },
      this.ctx.policy,
    );
    return { input: c, at, decision };
  }

  /**
   * Issue 10 section 2: the date of a payment decides its subsidy, so it is
   * money. Never in the future (beyond clock drift); at the counter, a date
   * before today needs the operator's reason and lies at most
   * `counterBackdateDaysLimit` days back (the API writes both to the audit log).
   */
  private checkPaidAt(c: ParsedContribution, at: string, options: RecordOptions): { daysBack: number } | null {
    if (Date.parse(at) > this.ctx.now() + PAID_AT_CLOCK_SKEW_MS) {
      throw new RegistryError('invalid-date', `paidAt ${c.paidAt} is in the future`, 'paidAt');
    }
    if (c.channel !== 'counter' || options.historical === true) return null;
    const today = shanghaiDate(this.ctx.now());
    const day = shanghaiDate(at);
    if (day >= today) return null;
    const limitDays = this.ctx.counterBackdateDaysLimit;
    const daysBack = Math.round((shanghaiMidnightMs(today) - shanghaiMidnightMs(day)) / 86_400_000);
    if (daysBack > limitDays) {
      throw new RegistryError('backdate-too-far', `paidAt ${day} is ${daysBack} days before today; the counter may date a payment at most ${limitDays} days back`, 'paidAt', {
        daysBack,
        limitDays,
      });
    }
    if (!c.backdateReason) {
      throw new RegistryError('backdate-reason-required', `paidAt ${day} is before today (${today}): say why in backdateReason`, 'backdateReason');
    }
    return { daysBack };
  }

  /**
   * Records a contribution; see the file comment. Throws RegistryError:
   * bad input (400), the policy's refusal reason (`already-paid`,
   * `unknown-tier`, ...: 422, nothing written), `person-not-found`.
   * A replay of the same id with the same content returns `result: 'exists'`;
   * with other content `result: 'exists_with_different_*'` (nothing written).
   */
  recordContribution(input: ContributionInput | unknown, options: RecordOptions = {}): ContributionResult {
    const { input: c, at, decision } = this.evaluate(input);
    const backdated = this.checkPaidAt(c, at, options);
    const previous = this.findById(c.id);
    if (previous) return this.replay(previous, c, at);
    if (!decision.ok) {
      throw new RegistryError(decision.reason as RegistryErrorCode, `contribution refused: ${decision.reasons.join(', ')}`, fieldFor(decision.reason), {
        reasons: decision.reasons,
      });
    }
    const transfers = this.buildTransfers({ ...c, terminalId: c.terminalId, at, credits: decision.credits });
    const { db, ledger } = this.ctx;
    const results = db.transaction(() => {
      if (c.channel === 'kiosk') ledger.ensureAccounts([cashBoxAccountSpec(c.terminalId!)]);
      const res = ledger.createTransfers(transfers);
      const refused = res.find((r) => r.result !== 'created');
      if (refused) {
        // Throwing rolls back the whole chain and the registry row.
        throw new RegistryError('ledger-refused', `the ledger refused transfer ${refused.id}: ${refused.result}`, undefined, { results: res });
      }
      db.prepare(
        `INSERT INTO reg_contributions (id, citizen_number, year, tier_yuan, payer, channel, terminal_id, paid_at,
           individual_fen, collective_fen, aid_fen, government_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        c.id,
        c.citizenNumber,
        c.year,
        c.tierYuan,
        c.payer,
        c.channel,
        c.terminalId ?? null,
        at,
        decision.credits.individual,
        decision.credits.collective,
        decision.credits.aid,
        decision.credits.government,
      );
      if (backdated) {
        this.audit.record({
          actor: options.actor ?? 'system',
          action: 'contribution.backdated',
          subject: c.citizenNumber,
          details: { id: c.id, paidAt: at, daysBack: backdated.daysBack, reason: c.backdateReason, year: c.year, tierYuan: c.tierYuan },
        });
      }
      return res;
    })();
    this.ctx.logger.info({ id: c.id, citizenNumber: c.citizenNumber, year: c.year, channel: c.channel }, 'contribution recorded');
    return {
      id: c.id,
      result: 'created',
      citizenNumber: c.citizenNumber,
      year: c.year,
      tierYuan: c.tierYuan,
      arrears: decision.arrears,
      dueFromPayerFen: decision.dueFromPayerFen,
      creditsFen: decision.credits,
      transfers: results,
    };
  }

  /**
   * The id was seen before. The ledger judges the replay: the chain is
   * rebuilt from the new request, with the credits of the stored one (the
   * policy would now say `already-paid`), and submitted inside a transaction
   * that is rolled back unless every answer is `exists`. So a replay writes
   * nothing either way, and its result is the ledger's own.
   */
  private replay(previous: ContributionRow, c: ParsedContribution, at: string): ContributionResult {
    const credits: Balances = {
      individual: previous.individual_fen,
      collective: previous.collective_fen,
      aid: c.aidFen,
      legacy: 0,
      government: previous.government_fen,
    };
    if (c.payer === 'individual') credits.individual = c.tierYuan * 100;
    const transfers = this.buildTransfers({ ...c, terminalId: c.terminalId, at, credits });
    let results: TransferResult[] = [];
    const rollback = new Error('rollback');
    try {
      this.ctx.db.transaction(() => {
        results = this.ctx.ledger.createTransfers(transfers);
        if (results.some((r) => r.result !== 'exists')) throw rollback;
      })();
    } catch (error) {
      if (error !== rollback) throw error;
    }
    const first = results[0]?.result ?? 'exists_with_different_meta';
    // The same id with a chain of another length (other sources credited) is other content too.
    const sameShape = results.every((r) => r.result === 'exists') && results.length === this.storedChainLength(previous);
    const result: TransferResultCode = first !== 'exists' ? first : sameShape ? 'exists' : 'exists_with_different_meta';
    if (result !== 'exists') {
      this.ctx.logger.warn({ id: c.id, result }, 'contribution id reused with other content');
    }
    return {
      id: c.id,
      result,
      citizenNumber: previous.citizen_number,
      year: previous.year,
      tierYuan: previous.tier_yuan,
      arrears: false,
      dueFromPayerFen: previous.payer === 'individual' ? previous.individual_fen : 0,
      creditsFen: {
        individual: previous.individual_fen,
        collective: previous.collective_fen,
        aid: previous.aid_fen,
        legacy: 0,
        government: previous.government_fen,
      },
      transfers: results,
    };
  }

  private storedChainLength(row: ContributionRow): number {
    return [row.individual_fen, row.collective_fen, row.aid_fen, row.government_fen].filter((f) => f > 0).length;
  }

  /** Years the person has paid for, with tier and date (for statements and the publicity list). */
  /** The person's contributions as policy scenario events, for the kiosk's projections (policy/projection.ts). */
  scenarioEventsOf(citizenNumber: string): { date: string; type: 'contribute'; year: number; tier: number; collectiveFen: number; aidFen: number; payer: 'individual' | 'government' }[] {
    const rows = this.ctx.db.prepare('SELECT * FROM reg_contributions WHERE citizen_number = ? ORDER BY paid_at, year').all(citizenNumber) as ContributionRow[];
    return rows.map((r) => ({
      date: shanghaiDate(r.paid_at),
      type: 'contribute' as const,
      year: r.year,
      tier: r.tier_yuan,
      collectiveFen: r.collective_fen,
      aidFen: r.aid_fen,
      payer: r.payer as 'individual' | 'government',
    }));
  }

  contributionsOf(citizenNumber: string): { year: number; tierYuan: number; paidAt: string; channel: string; totalFen: number; arrears: boolean }[] {
    const rows = this.ctx.db
      .prepare('SELECT * FROM reg_contributions WHERE citizen_number = ? ORDER BY year')
      .all(citizenNumber) as ContributionRow[];
    return rows.map((r) => ({
      year: r.year,
      tierYuan: r.tier_yuan,
      paidAt: r.paid_at,
      channel: r.channel,
      totalFen: r.individual_fen + r.collective_fen + r.aid_fen + r.government_fen,
      arrears: r.year < Number(shanghaiDate(r.paid_at).slice(0, 4)),
    }));
  }
}

function fieldFor(reason: string): string | undefined {
  switch (reason) {
    case 'unknown-tier':
      return 'tierYuan';
    case 'already-paid':
    case 'future-year':
    case 'year-not-eligible':
      return 'year';
    case 'not-disabled':
      return 'payer';
    default:
      return 'citizenNumber';
  }
}
