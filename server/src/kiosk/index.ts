// Kiosk business on the server, behind the terminal gateway: account
// summaries, publicity lists, card authenticity and every kiosk money event
// (issue 11 section 2: "on the server, kiosk money has one service").
import type { Logger } from 'pino';
import type { Policy } from '../policy/index.js';
import { isNotFound, type Registry } from '../registry/index.js';
import { shanghaiDate } from '../registry/time.js';
import type { AccountSummary, CardAuthenticateRequest, CardAuthenticateResult, EventOutcome, KioskConfig, MoneyEvent, PublicityList, Reply } from '@nongbao/protocol';
import { CardSessions } from './card-sessions.js';
import { authenticateCard, type CardAuthenticator } from './cards.js';
import { KioskMoney, type KioskCaller } from './money.js';
import { buildKioskSummary } from './summary.js';
import { PhotoKey } from './photo-key.js';
import { CertificationPhotos } from './photos.js';
import { KioskRequests } from './requests.js';
import { kioskConfig, type TerminalSite } from './config.js';
import { CashCollections, type ReconciliationAlarms } from '../collections/service.js';

/** What the gateway needs to answer a kiosk. */
export interface KioskService {
  /** The account summary, or undefined when no insured person has that number. */
  summary(citizenNumber: string): AccountSummary | undefined;
  /** The village's publicity list for a year, or undefined for an unknown village. */
  publicity(villageCode: string, year: number): PublicityList | undefined;
  authenticateCard(caller: KioskCaller, request: CardAuthenticateRequest): Reply<CardAuthenticateResult>;
  /** Applies one outbox batch in journal order; every outcome is committed when this returns. */
  applyBatch(caller: KioskCaller, events: readonly MoneyEvent[]): EventOutcome[];
  /** What the kiosk at this site keeps for offline use. */
  config(site: TerminalSite): KioskConfig;
}

export interface KioskServiceDeps {
  registry: Registry;
  policy: Policy;
  schemeStart: string;
  logger: Logger;
  /** Absent when no issuer key is configured: kiosks then get `unavailable` for card checks. */
  authenticator?: CardAuthenticator;
  /** Checks an ed25519 signature by a terminal's enrolled key (offline receipts). */
  verifyTerminalSignature: (terminalId: string, bytes: Uint8Array, signatureBase64Url: string) => boolean;
  /** Where cash-box differences nothing explains are raised (the fleet). */
  alarms: ReconciliationAlarms;
  /** The village a terminal stands in, for help requests made without a card (the gateway's fleet knows it). */
  terminalVillage?: (terminalId: string) => string | null;
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
  const collections = new CashCollections({ db: registry.context.db, ledger: registry.context.ledger, alarms: deps.alarms, logger: logger.child({ component: 'collections' }), now });
  const photoKey = new PhotoKey(registry.context.db);
  const money = new KioskMoney({
    registry,
    cardSessions,
    logger: logger.child({ component: 'kiosk-money' }),
    now,
    verifyTerminalSignature: deps.verifyTerminalSignature,
    collections,
    requests: new KioskRequests(registry.context.db),
    photos: new CertificationPhotos(registry.context.db, photoKey),
    terminalVillage: deps.terminalVillage ?? (() => null),
  });
  return {
    summary: (citizenNumber) =>
      undefinedWhenNotFound(() => {
        return buildKioskSummary(registry, deps.policy, citizenNumber, deps.schemeStart, shanghaiDate(now()));
      }),
    publicity: (villageCode, year) => undefinedWhenNotFound(() => registry.publicityList(villageCode, year)),
    authenticateCard: (caller, request) => authenticateCard({ registry, cardSessions, authenticator: deps.authenticator, logger }, caller.terminalId, request),
    applyBatch: (caller, events) => money.applyBatch(caller, events),
    config: (site) => ({ ...kioskConfig(registry, deps.policy, site, now()), photoKey: photoKey.publicKey }),
  };
}

export { CardSessions, CARD_SESSION_TTL_MS } from './card-sessions.js';
export { KIOSK_CASH_BOX_CAPACITY_FEN, PAID_AT_WINDOW_ALLOWANCE_MS, KIOSK_CLOCK_SKEW_MS } from './limits.js';
export { paidAtVerdict, type PaidAtVerdict } from './window.js';
export { kioskPaymentOffer, kioskSummary, kioskProjections, buildKioskSummary, type PaymentOffer } from './summary.js';
export { KioskRequests, REQUEST_STATES, REQUEST_KINDS, type KioskRequest, type RequestState, type RequestKind } from './requests.js';
export { CertificationPhotos, type CertificationPhotoInfo } from './photos.js';
export { PhotoKey } from './photo-key.js';
export type { CardAuthenticator } from './cards.js';
export type { KioskCaller } from './money.js';
export { kioskConfig, type TerminalSite } from './config.js';
