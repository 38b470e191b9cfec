// The kiosk session: one resident (or staff member) from card in to card out.
// A small state machine; every async step is tagged with the session number
// so a result that arrives after the card was pulled is dropped, never shown
// to the next person.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import { maskName, type AccountSummary, type Reply } from '@nongbao/server/protocol';

/** Identity as the session needs it; read from the card by the card driver. */
export interface CardHolder {
  kind: 'resident' | 'staff';
  citizenNumber: string;
  name: string;
  cardNumber: string;
}

export type PinCheck = { ok: true } | { ok: false; reason: 'wrong'; triesLeft: number } | { ok: false; reason: 'blocked' };

/** An inserted card, as the session sees it (the seam to drivers/card). */
export interface InsertedCard {
  /** Reads and checks the holder's identity; throws CardReadError. */
  readHolder(): Promise<CardHolder>;
  /** The card checks the PIN (VERIFY); the PIN is not kept anywhere. */
  verifyPin(pin: string): Promise<PinCheck>;
}

/** A failure the resident is told about by a message key (translated by the UI). */
export class CardReadError extends Error {
  override readonly name = 'CardReadError';
  constructor(
    readonly messageKey: string,
    readonly reason: string,
    readonly params: Record<string, string | number> = {},
  ) {
    super(`${messageKey}: ${reason}`);
  }
}

export interface AccountSource {
  accountSummary(citizenNumber: string): Promise<Reply<AccountSummary>>;
}

export interface SummaryCache {
  cacheSummary(summary: AccountSummary): void;
  cachedSummary(citizenNumber: string): AccountSummary | undefined;
}

export type KioskScreen =
  | { screen: 'idle' }
  | { screen: 'reading' }
  | { screen: 'pin'; holderName: string; triesLeft: number | null; wrongPin: boolean }
  | { screen: 'loading'; holderName: string }
  | { screen: 'account'; holderName: string; summary: AccountSummary; offline: boolean }
  | { screen: 'staff'; holderName: string }
  | { screen: 'message'; messageKey: string; params: Record<string, string | number> };

export type KioskState = KioskScreen & { session: number };

const PIN_PATTERN = /^\d{6}$/;

export interface SessionEvents {
  state: [KioskState];
}

export class KioskSession extends EventEmitter<SessionEvents> {
  private current: KioskState = { screen: 'idle', session: 0 };
  private card: InsertedCard | null = null;
  private holder: CardHolder | null = null;
  private sessionNumber = 0;
  private pinBusy = false;

  constructor(
    private readonly deps: { accounts: AccountSource; cache: SummaryCache; logger: Logger },
  ) {
    super();
  }

  get state(): KioskState {
    return this.current;
  }

  private show(screen: KioskScreen): void {
    this.current = { ...screen, session: this.sessionNumber };
    this.emit('state', this.current);
  }

  private stale(session: number): boolean {
    return session !== this.sessionNumber || this.card === null;
  }

  /** A card was inserted: read who holds it, then ask for the PIN. */
  async cardInserted(card: InsertedCard): Promise<void> {
    this.sessionNumber++;
    const session = this.sessionNumber;
    this.card = card;
    this.holder = null;
    this.show({ screen: 'reading' });
    let holder: CardHolder;
    try {
      holder = await card.readHolder();
    } catch (error) {
      if (this.stale(session)) return;
      this.fail(error, 'card.read');
      return;
    }
    if (this.stale(session)) return;
    this.holder = holder;
    this.deps.logger.info({ event: 'session.card_read', session, kind: holder.kind, cardNumber: holder.cardNumber });
    this.show({ screen: 'pin', holderName: maskName(holder.name), triesLeft: null, wrongPin: false });
  }

  /** The card was removed: the session ends, whatever it was doing. */
  cardRemoved(): void {
    if (this.card === null && this.current.screen === 'idle') return;
    this.deps.logger.info({ event: 'session.ended', session: this.sessionNumber });
    this.card = null;
    this.holder = null;
    this.sessionNumber++;
    this.show({ screen: 'idle' });
  }

  /**
   * The resident entered a PIN on the screen's keypad (or the PIN pad).
   * Returns a refusal reason for malformed input; the PIN itself goes only
   * to the card.
   */
  async enterPin(pin: string): Promise<{ accepted: boolean; reason?: 'no-card' | 'not-asked' | 'format' | 'busy' }> {
    const card = this.card;
    const holder = this.holder;
    if (!card || !holder) return { accepted: false, reason: 'no-card' };
    if (this.current.screen !== 'pin') return { accepted: false, reason: 'not-asked' };
    if (!PIN_PATTERN.test(pin)) return { accepted: false, reason: 'format' };
    if (this.pinBusy) return { accepted: false, reason: 'busy' };
    const session = this.sessionNumber;
    this.pinBusy = true;
    let check: PinCheck;
    try {
      check = await card.verifyPin(pin);
    } catch (error) {
      if (!this.stale(session)) this.fail(error, 'card.pin');
      return { accepted: true };
    } finally {
      this.pinBusy = false;
    }
    if (this.stale(session)) return { accepted: true };
    if (!check.ok) {
      this.deps.logger.info({ event: 'session.pin_refused', session, reason: check.reason });
      if (check.reason === 'blocked') {
        this.show({ screen: 'message', messageKey: 'card.pinBlocked', params: {} });
      } else {
        this.show({ screen: 'pin', holderName: maskName(holder.name), triesLeft: check.triesLeft, wrongPin: true });
      }
      return { accepted: true };
    }
    this.deps.logger.info({ event: 'session.pin_verified', session });
    if (holder.kind === 'staff') {
      this.show({ screen: 'staff', holderName: maskName(holder.name) });
      return { accepted: true };
    }
    await this.loadAccount(session, holder);
    return { accepted: true };
  }

  private async loadAccount(session: number, holder: CardHolder): Promise<void> {
    const holderName = maskName(holder.name);
    this.show({ screen: 'loading', holderName });
    const reply = await this.deps.accounts.accountSummary(holder.citizenNumber);
    if (this.stale(session)) return;
    if (reply.ok) {
      this.deps.cache.cacheSummary(reply.data);
      this.show({ screen: 'account', holderName, summary: reply.data, offline: false });
      return;
    }
    if (reply.error.code === 'unavailable') {
      const cached = this.deps.cache.cachedSummary(holder.citizenNumber);
      this.deps.logger.warn({ event: 'session.offline', session, cached: cached !== undefined });
      if (cached) {
        this.show({ screen: 'account', holderName, summary: cached, offline: true });
      } else {
        this.show({ screen: 'message', messageKey: 'server.unavailable', params: {} });
      }
      return;
    }
    this.deps.logger.warn({ event: 'session.account_refused', session, code: reply.error.code });
    this.show({
      screen: 'message',
      messageKey: reply.error.code === 'not-found' ? 'account.notFound' : 'server.error',
      params: {},
    });
  }

  private fail(error: unknown, step: string): void {
    if (error instanceof CardReadError) {
      this.deps.logger.warn({ event: 'session.card_refused', step, messageKey: error.messageKey, reason: error.reason });
      this.show({ screen: 'message', messageKey: error.messageKey, params: error.params });
      return;
    }
    this.deps.logger.error({ event: 'session.card_failed', step, err: error });
    this.show({ screen: 'message', messageKey: 'card.unreadable', params: {} });
  }
}
