// The seam between the card driver (drivers/card) and the session: turns the
// reader's card-inserted events into InsertedCard objects that read the
// holder, check the card (expiry, authenticity) and verify PINs.
import { registeredCode } from '@nongbao/protocol';
import type { Logger } from 'pino';
import {
  CardErrorCode,
  SocialSecurityCardApp,
  assertCardUsable,
  isCardError,
  residentMessage,
  type CardAuthenticationEvidence,
  type CardReaderDriver,
  type ApduTransport,
} from '@nongbao/drivers/card';
import { CardReadError, type CardHolder, type InsertedCard, type PinCheck } from './session.js';
import type { CardFeed } from './terminal.js';

/**
 * Asks the server to check a card's cryptogram. `unavailable` when the server
 * cannot be reached: the session then goes on read-only from the journal's
 * cache (an account view moves no money; see docs/card.md).
 */
export type CardAuthenticityCheck = (
  evidence: CardAuthenticationEvidence & { citizenNumber: string; cardNumber: string; kind: 'resident' | 'staff' },
) => Promise<{ verdict: 'authentic'; cardSession: string | null } | { verdict: 'not-authentic' | 'unavailable' }>;

export interface CardFeedOptions {
  reader: CardReaderDriver;
  checkAuthenticity: CardAuthenticityCheck;
  /** The kiosk's calendar date (YYYY-MM-DD, Asia/Shanghai) for the expiry check. */
  today: () => string;
  logger: Logger;
}

function toReadError(error: unknown): CardReadError {
  const message = residentMessage(error);
  const reason = isCardError(error) ? `${error.codeName}: ${error.message}` : String(error);
  return new CardReadError(message.key, reason, message.triesLeft !== undefined ? { tries: message.triesLeft } : {}, registeredCode(error) ?? null);
}

class ReaderCard implements InsertedCard {
  private readonly app: SocialSecurityCardApp;

  constructor(
    transport: ApduTransport,
    private readonly options: CardFeedOptions,
  ) {
    this.app = new SocialSecurityCardApp(transport, { logger: options.logger });
  }

  async readHolder(): Promise<CardHolder> {
    try {
      const identity = await this.app.readIdentity();
      assertCardUsable(identity, this.options.today());
      const evidence = await this.app.authenticate();
      const check = await this.options.checkAuthenticity({ ...evidence, citizenNumber: identity.citizenNumber, cardNumber: identity.cardNumber, kind: identity.kind });
      const verdict = check.verdict;
      if (verdict === 'not-authentic') {
        throw new CardReadError('card.notAuthentic', `cryptogram refused for card ${identity.cardNumber}`);
      }
      if (verdict === 'unavailable') {
        this.options.logger.warn({ event: 'card.authenticity_unchecked', cardNumber: identity.cardNumber, reason: 'server unreachable' });
      }
      return {
        kind: identity.kind,
        citizenNumber: identity.citizenNumber,
        name: identity.name,
        cardNumber: identity.cardNumber,
        verified: verdict === 'authentic',
        cardSession: check.verdict === 'authentic' ? check.cardSession : null,
      };
    } catch (error) {
      if (error instanceof CardReadError) throw error;
      throw toReadError(error);
    }
  }

  async verifyPin(pin: string): Promise<PinCheck> {
    try {
      await this.app.verifyPin(pin);
      return { ok: true };
    } catch (error) {
      if (isCardError(error) && error.code === CardErrorCode.pinWrong) {
        const triesLeft = error.triesLeft ?? 0;
        return triesLeft === 0 ? { ok: false, reason: 'blocked' } : { ok: false, reason: 'wrong', triesLeft };
      }
      if (isCardError(error) && (error.code === CardErrorCode.pinBlocked || error.code === CardErrorCode.authenticationMethodBlocked)) {
        return { ok: false, reason: 'blocked' };
      }
      throw toReadError(error);
    }
  }
}

/** A CardFeed over any reader driver: the PC/SC reader, or the in-process one. */
export function cardFeedFromReader(options: CardFeedOptions): CardFeed {
  const inserted: Array<(card: InsertedCard) => void> = [];
  const removed: Array<() => void> = [];
  options.reader.on('card-inserted', (event) => {
    options.logger.info({ event: 'card.inserted', readerName: event.readerName, atr: event.atr.toString('hex') });
    const card = new ReaderCard(event.transport, options);
    for (const listener of inserted) listener(card);
  });
  options.reader.on('card-removed', (event) => {
    options.logger.info({ event: 'card.removed', readerName: event.readerName });
    for (const listener of removed) listener();
  });
  options.reader.on('error', (error) => {
    options.logger.warn({ event: 'card.reader_error', code: error.codeName, reason: error.message });
  });
  return {
    onInserted: (listener) => inserted.push(listener),
    onRemoved: (listener) => removed.push(listener),
    start: () => options.reader.start(),
    stop: () => options.reader.stop(),
  };
}

/** The kiosk's calendar date in the county's time zone (POLICY.md "Money and dates"). */
export function shanghaiToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}
