// A person's credit: cash handed over that is not (yet) a contribution
// (ARCHITECTURE.md journey 2: "the stacked amount is never lost; it is
// recorded and printed as a credit"). Kiosk cash reaches it from the kiosk's
// cash box: a payment cancelled part-way, or a payment the server would not
// book as a contribution (issue 10 sections 2-3: a date it cannot vouch for,
// cash that is not what is due, a policy refusal). One service books it, as
// the contribution service books a payment, and the office statement lists it.
import { cashBoxAccountSpec, personCreditAccountId, personCreditAccountSpec, type TransferResultCode } from '../ledger/index.js';
import type { RegistryContext } from './context.js';
import type { PersonService } from './persons.js';

/** Credit entries listed per statement (the newest). */
export const CREDIT_ENTRIES_LIMIT = 200;

export interface CashCreditInput {
  /** The kiosk's id for the event (its payment id): the ledger transfer's id. */
  id: string;
  citizenNumber: string;
  amountFen: number;
  terminalId: string;
  /** When the credit counts from (UTC ISO). */
  at: string;
  /** Why the cash is a credit (the kiosk's close reason or the server's refusal reason). */
  reason: string;
  /** The kiosk payment it came from, for a payment the server turned into a credit. */
  year?: number;
  tierYuan?: number;
}

export interface CreditEntry {
  id: string;
  at: string;
  amountFen: number;
  reason: string;
  terminalId: string | null;
  /** Positive: credited to the person; negative: paid back or used (office corrections). */
  direction: 'in' | 'out';
}

export class CreditService {
  constructor(
    private readonly ctx: RegistryContext,
    private readonly persons: PersonService,
  ) {}

  /**
   * Books kiosk cash as the person's credit, cash box -> credit account, as
   * one ledger transfer whose id is the kiosk's. Returns the ledger's result
   * (`created`, `exists`, `exists_with_different_*`); the person must exist.
   */
  recordKioskCredit(c: CashCreditInput): TransferResultCode {
    this.persons.get(c.citizenNumber);
    const { ledger } = this.ctx;
    ledger.ensureAccounts([cashBoxAccountSpec(c.terminalId), personCreditAccountSpec(c.citizenNumber)]);
    const [result] = ledger.createTransfers([
      {
        id: c.id,
        debitAccountId: cashBoxAccountSpec(c.terminalId).id,
        creditAccountId: personCreditAccountId(c.citizenNumber),
        amountFen: c.amountFen,
        code: 'kiosk.cash-credit',
        at: c.at,
        meta: {
          citizenNumber: c.citizenNumber,
          terminalId: c.terminalId,
          reason: c.reason,
          ...(c.year !== undefined ? { year: c.year } : {}),
          ...(c.tierYuan !== undefined ? { tierYuan: c.tierYuan } : {}),
        },
      },
    ]);
    if (!result) throw new Error('the ledger returned no result for a credit');
    if (result.result === 'created') this.ctx.logger.info({ id: c.id, citizenNumber: c.citizenNumber, amountFen: c.amountFen, reason: c.reason }, 'credit recorded');
    return result.result;
  }

  /** The person's credit balance and its latest entries, newest first. */
  creditsOf(citizenNumber: string): { balanceFen: number; entries: CreditEntry[] } {
    const accountId = personCreditAccountId(citizenNumber);
    if (!this.ctx.ledger.getAccount(accountId)) return { balanceFen: 0, entries: [] };
    const balanceFen = this.ctx.ledger.balance(accountId).balanceFen;
    const transfers = this.ctx.ledger.transfers({ accountId, limit: CREDIT_ENTRIES_LIMIT });
    const entries = transfers
      .map((t) => ({
        id: t.id,
        at: t.at,
        amountFen: t.amountFen,
        reason: typeof t.meta?.['reason'] === 'string' ? t.meta['reason'] : t.code,
        terminalId: typeof t.meta?.['terminalId'] === 'string' ? t.meta['terminalId'] : null,
        direction: t.creditAccountId === accountId ? ('in' as const) : ('out' as const),
      }))
      .reverse();
    return { balanceFen, entries };
  }
}
