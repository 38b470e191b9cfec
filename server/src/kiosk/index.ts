// Kiosk business on the server, behind the terminal gateway: account
// summaries, publicity lists, card authenticity and every kiosk money event
// (issue 11 section 2: "on the server, kiosk money has one service").
import type { Logger } from 'pino';
import type { Policy } from '../policy/index.js';
import { isNotFound, type Registry } from '../registry/index.js';
import { shanghaiDate } from '../registry/time.js';
import type {
  AccountSummary,
  CardAuthenticateRequest,
  CardAuthenticateResult,
  CashCreditSubmit,
  CertificationSubmit,
  MoneyResult,
  PaymentSubmit,
  PublicityList,
  Reply,
} from '../protocol/index.js';
import { CardSessions } from './card-sessions.js';
import { authenticateCard, type CardAuthenticator } from './cards.js';
import { KioskMoney, type KioskCaller } from './money.js';
import { kioskPaymentOffer, kioskSummary } from './summary.js';

/** What the gateway needs to answer a kiosk. */
export interface KioskService {
  /** The account summary, or undefined when no insured person has that number. */
  summary(citizenNumber: string): AccountSummary | undefined;
  /** The village's publicity list for a year, or undefined for an unknown village. */
  publicity(villageCode: string, year: number): PublicityList | undefined;
  authenticateCard(caller: KioskCaller, request: CardAuthenticateRequest): Reply<CardAuthenticateResult>;
  submitPayment(caller: KioskCaller, payment: PaymentSubmit): Reply<MoneyResult>;
  submitCashCredit(caller: KioskCaller, credit: CashCreditSubmit): Reply<MoneyResult>;
  submitCertification(caller: KioskCaller, certification: CertificationSubmit): Reply<MoneyResult>;
}

export interface KioskServiceDeps {
  registry: Registry;
  policy: Policy;
  schemeStart: string;
  logger: Logger;
  /** Absent when no issuer key is configured: kiosks then get `unavailable` for card checks. */
  authenticator?: CardAuthenticator;
}

function undefinedWhenNotFound<T>(work: () => T): T | undefined {
  try {
    return work();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

export function createKioskService(deps: KioskServiceDeps): KioskService {
  const { registry, logger } = deps;
  const now = registry.context.now;
  const cardSessions = new CardSessions(registry.context.db, now);
  const money = new KioskMoney({ registry, cardSessions, logger: logger.child({ component: 'kiosk-money' }), now });
  return {
    summary: (citizenNumber) =>
      undefinedWhenNotFound(() => {
        const statement = registry.accountStatement(citizenNumber);
        return kioskSummary(statement, kioskPaymentOffer(registry, deps.policy, statement, deps.schemeStart, shanghaiDate(now())));
      }),
    publicity: (villageCode, year) => undefinedWhenNotFound(() => registry.publicityList(villageCode, year)),
    authenticateCard: (caller, request) => authenticateCard({ registry, cardSessions, authenticator: deps.authenticator, logger }, caller.terminalId, request),
    submitPayment: (caller, payment) => money.submitPayment(caller, payment),
    submitCashCredit: (caller, credit) => money.submitCashCredit(caller, credit),
    submitCertification: (caller, certification) => money.submitCertification(caller, certification),
  };
}

export { CardSessions, CARD_SESSION_TTL_MS } from './card-sessions.js';
export { KIOSK_CASH_BOX_CAPACITY_FEN, PAID_AT_WINDOW_ALLOWANCE_MS, KIOSK_CLOCK_SKEW_MS } from './limits.js';
export { paidAtVerdict, type PaidAtVerdict } from './window.js';
export { kioskPaymentOffer, kioskSummary, type PaymentOffer } from './summary.js';
export type { CardAuthenticator } from './cards.js';
export type { KioskCaller } from './money.js';
