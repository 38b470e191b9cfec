// The chart of accounts (issue #5 section 1, POLICY.md "The personal account").
// Each person's account is split by source; the fund side holds the county's
// collection, fiscal and payout accounts, the subsidy sources, each kiosk's
// cash box and the clearing accounts of the runs.
import type { AccountId, AccountSpec } from './types.js';
import { LedgerError, LedgerErrorCode } from './errors.js';

export type Source = 'individual' | 'collective' | 'aid' | 'legacy' | 'government';

/** POLICY.md "The personal account" order; also the order leftover fen are handed out in. */
export const SOURCES: readonly Source[] = Object.freeze(['individual', 'collective', 'aid', 'legacy', 'government']);

/** Longest account id the ledger stores; ids are keys, not documents. */
export const ACCOUNT_ID_MAX_LENGTH = 128;

// A part of an account id: printable ASCII without ':' (the separator) or spaces.
const ID_PART = /^[!-9;-~]{1,64}$/;

function checkPart(what: string, value: string): void {
  if (typeof value !== 'string' || !ID_PART.test(value)) {
    throw new LedgerError(LedgerErrorCode.InvalidAccountId, `${what} must be 1-64 printable characters without ':' (got ${JSON.stringify(value)})`);
  }
}

export function isSource(value: unknown): value is Source {
  return typeof value === 'string' && (SOURCES as readonly string[]).includes(value);
}

/** 'person:<citizen>:<source>': the part of a person's account credited from one source. */
export function personAccountId(citizenNumber: string, source: Source): AccountId {
  checkPart('citizen number', citizenNumber);
  if (!isSource(source)) {
    throw new LedgerError(LedgerErrorCode.InvalidAccountId, `unknown source ${JSON.stringify(source)}; one of ${SOURCES.join(', ')}`);
  }
  return `person:${citizenNumber}:${source}`;
}

/** 'cashbox:<terminalId>': the cash a kiosk holds until it is collected. */
export function cashBoxAccountId(terminalId: string): AccountId {
  checkPart('terminal id', terminalId);
  return `cashbox:${terminalId}`;
}

export const FUND = Object.freeze({
  /** Collection (income) account: contributions collected from cash boxes and counters. */
  collection: 'fund:collection',
  /** The fiscal special account (财政专户) the collection is swept into. */
  fiscalSpecial: 'fund:fiscal-special',
  /** Payout (expenditure) account pensions are paid from. */
  payout: 'fund:payout',
  /** The pooled fund: basic pensions, accounts paid after they are empty, returned government balances. */
  pooled: 'fund:pooled',
  /** Sources of the government contribution subsidy, by level. */
  subsidyCentral: 'fund:subsidy-central',
  subsidyProvincial: 'fund:subsidy-provincial',
  subsidyCounty: 'fund:subsidy-county',
  /** Source of village collective subsidies. */
  collectiveSubsidy: 'fund:collective-subsidy',
  /** Source of aid from other organisations or persons. */
  aidIncoming: 'fund:aid-incoming',
  /** Source of balances merged from the old rural scheme. */
  legacyMerged: 'fund:legacy-merged',
  /** Cash collected from a kiosk and not yet in the collection account. */
  inTransit: 'fund:in-transit',
  /**
   * Cash-box differences (issue 13 section 2): what the office counted short
   * (debit) or over (credit) against a kiosk's journal, and what the journal
   * and the ledger's cash box disagreed on when the box was collected.
   */
  collectionDifference: 'fund:collection-difference',
  /** Amounts to recover (pension paid after death or alongside an urban pension). */
  toRecover: 'fund:to-recover',
  /** Inheritances decided and not yet paid out. */
  inheritancesPayable: 'fund:inheritances-payable',
  /** Interest credited to personal accounts (POLICY.md "Interest"). */
  interestExpense: 'fund:interest-expense',
  /** The outside world: the bank the payment file goes to, the office counter's deposits. */
  bank: 'fund:bank',
} as const);

export type FundKey = keyof typeof FUND;

// Sides: assets, receivables and sources are debit-normal; what the scheme owes
// (personal accounts, the pooled fund, inheritances payable) is credit-normal.
// Only accounts whose negative balance is physically or legally impossible are
// enforced; the fund's clearing accounts may be overdrawn while a run is
// half-way through its own linked chain, so they are not.
const FUND_SIDES: Record<FundKey, { normal: 'debit' | 'credit'; mustNotGoNegative: boolean }> = {
  collection: { normal: 'debit', mustNotGoNegative: false },
  fiscalSpecial: { normal: 'debit', mustNotGoNegative: false },
  payout: { normal: 'debit', mustNotGoNegative: false },
  pooled: { normal: 'credit', mustNotGoNegative: false },
  subsidyCentral: { normal: 'debit', mustNotGoNegative: false },
  subsidyProvincial: { normal: 'debit', mustNotGoNegative: false },
  subsidyCounty: { normal: 'debit', mustNotGoNegative: false },
  collectiveSubsidy: { normal: 'debit', mustNotGoNegative: false },
  aidIncoming: { normal: 'debit', mustNotGoNegative: false },
  legacyMerged: { normal: 'debit', mustNotGoNegative: false },
  inTransit: { normal: 'debit', mustNotGoNegative: false },
  collectionDifference: { normal: 'debit', mustNotGoNegative: false },
  toRecover: { normal: 'debit', mustNotGoNegative: false },
  inheritancesPayable: { normal: 'credit', mustNotGoNegative: false },
  interestExpense: { normal: 'debit', mustNotGoNegative: false },
  bank: { normal: 'debit', mustNotGoNegative: false },
};

/** Every fund account; `ensureAccounts(FUND_ACCOUNT_SPECS)` once at start. */
export const FUND_ACCOUNT_SPECS: readonly AccountSpec[] = Object.freeze(
  (Object.keys(FUND) as FundKey[]).map((key) => Object.freeze({ id: FUND[key], kind: `fund.${key}`, ...FUND_SIDES[key] })),
);

/**
 * The five source accounts of one person. A personal account is what the
 * scheme owes the person, so it is credit-normal, and it must not go negative:
 * nobody draws more than they have (POLICY.md "How much", account pension).
 */
export function personAccountSpecs(citizenNumber: string): AccountSpec[] {
  return SOURCES.map((source) => ({
    id: personAccountId(citizenNumber, source),
    kind: `person.${source}`,
    normal: 'credit' as const,
    mustNotGoNegative: true,
    meta: { citizenNumber, source },
  }));
}

/**
 * 'credit:<citizen>': cash a person handed over for a payment that did not
 * complete at a kiosk (ARCHITECTURE.md journey 2: "the stacked amount is
 * never lost"); the scheme owes it to them until it is used or refunded.
 */
export function personCreditAccountId(citizenNumber: string): AccountId {
  checkPart('citizen number', citizenNumber);
  return `credit:${citizenNumber}`;
}

export function personCreditAccountSpec(citizenNumber: string): AccountSpec {
  return { id: personCreditAccountId(citizenNumber), kind: 'person.credit', normal: 'credit', mustNotGoNegative: true, meta: { citizenNumber } };
}

/** A kiosk's cash box: an asset that cannot hold less than no cash. */
export function cashBoxAccountSpec(terminalId: string): AccountSpec {
  return { id: cashBoxAccountId(terminalId), kind: 'cashbox', normal: 'debit', mustNotGoNegative: true, meta: { terminalId } };
}
