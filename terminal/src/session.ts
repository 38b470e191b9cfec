// The kiosk session: one resident (or staff member) from card in to card out.
// A small state machine; every async step is tagged with the session number
// so a result that arrives after the card was pulled is dropped, never shown
// to the next person.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  maskName,
  type AccountSummary,
  type Diagnostics,
  type KioskScreen,
  type KioskState,
  type ProvisionalPayment,
  type PublicityList,
  type Reply,
  type SessionAction,
} from '@nongbao/protocol';
import type { PaymentDesk } from './payment.js';

export type { Diagnostics, KioskScreen, KioskState, SessionAction } from '@nongbao/protocol';

/** Identity as the session needs it; read from the card by the card driver. */
export interface CardHolder {
  kind: 'resident' | 'staff';
  citizenNumber: string;
  name: string;
  cardNumber: string;
  /** The server checked the card's cryptogram with the issuer key (false when it could not: offline). */
  verified: boolean;
  /** The card session the gateway issued when it verified the card: a proof of life carries it. */
  cardSession: string | null;
}

/** Records a proof-of-life certification (journal + outbox) in the holder's card session; returns the date certified. */
export type CertificationRecorder = (holder: { citizenNumber: string; cardSession: string }) => { certifiedOn: string };

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
  publicity(villageCode: string, year: number): Promise<Reply<PublicityList>>;
}

export interface SummaryCache {
  cacheSummary(summary: AccountSummary): void;
  cachedSummary(citizenNumber: string): AccountSummary | undefined;
}

const PIN_PATTERN = /^\d{6}$/;

export interface SessionEvents {
  state: [KioskState];
}


export class KioskSession extends EventEmitter<SessionEvents> {
  private current: KioskState = { screen: 'idle', session: 0 };
  /** Set when a hardware PIN pad takes the PIN instead of the screen's keypad. */
  usesPinPad = false;
  private card: InsertedCard | null = null;
  private holder: CardHolder | null = null;
  private summary: { data: AccountSummary; offline: boolean } | null = null;
  private sessionNumber = 0;
  /** The session whose resident opened the payment now open, if any. */
  private paymentSession: number | null = null;
  private pinBusy = false;

  constructor(
    private readonly deps: {
      accounts: AccountSource;
      cache: SummaryCache;
      logger: Logger;
      payments?: PaymentDesk;
      certify?: CertificationRecorder;
      diagnostics?: () => Diagnostics;
      /** Payments this kiosk took for the person that the gateway has not confirmed yet. */
      provisional?: (citizenNumber: string) => ProvisionalPayment[];
    },
  ) {
    super();
    const payments = deps.payments;
    if (payments) {
      // A payment's screens belong to the session that opened it: a card pulled mid-payment is
      // closed by the desk while the next resident's card may already be in (issue 11 section 7).
      payments.on('progress', (progress) => {
        if (this.current.screen === 'paying' && this.holder && this.paymentSession === this.sessionNumber) this.show({ screen: 'paying', holderName: maskName(this.holder.name), progress });
      });
      payments.on('finished', (outcome) => {
        const mine = this.paymentSession === this.sessionNumber;
        this.paymentSession = null;
        if (mine && this.holder && this.card) this.show({ screen: 'receipt', holderName: maskName(this.holder.name), outcome });
      });
    }
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
    this.show({ screen: 'pin', holderName: maskName(holder.name), triesLeft: null, wrongPin: false, pinPad: this.usesPinPad, enteredDigits: 0 });
  }

  /** The card was removed: the session ends, whatever it was doing. */
  cardRemoved(): void {
    if (this.card === null && this.current.screen === 'idle') return;
    this.deps.logger.info({ event: 'session.ended', session: this.sessionNumber });
    // Cash already stacked stays the person's credit, with a receipt.
    if (this.deps.payments?.progress) void this.deps.payments.cancel('card-removed');
    this.card = null;
    this.holder = null;
    this.summary = null;
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
        this.show({ screen: 'pin', holderName: maskName(holder.name), triesLeft: check.triesLeft, wrongPin: true, pinPad: this.usesPinPad, enteredDigits: 0 });
      }
      return { accepted: true };
    }
    this.deps.logger.info({ event: 'session.pin_verified', session });
    if (holder.kind === 'staff') {
      this.show({ screen: 'staff', holderName: maskName(holder.name), diagnostics: this.deps.diagnostics?.() ?? null });
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
      this.showAccount(holderName, reply.data, false);
      return;
    }
    if (reply.error.code === 'unavailable') {
      const cached = this.deps.cache.cachedSummary(holder.citizenNumber);
      this.deps.logger.warn({ event: 'session.offline', session, cached: cached !== undefined });
      if (cached) {
        this.showAccount(holderName, cached, true);
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

  private showAccount(holderName: string, summary: AccountSummary, offline: boolean): void {
    this.summary = { data: summary, offline };
    const provisional = this.deps.provisional?.(summary.citizenNumber) ?? [];
    const payments = this.deps.payments;
    const availability = payments?.availability() ?? { ok: false as const, reason: 'payment.cashUnavailable' as const };
    // A year this kiosk took cash for is not offered again before the gateway confirms it.
    const offer = summary.payment && !provisional.some((p) => p.year === summary.payment!.year) ? summary.payment : null;
    // Offline the kiosk takes cash within the county's offline limits (issue 11 section 5).
    const lowestDueFen = offer ? Math.min(...offer.tiers.map((t) => t.dueFen)) : 0;
    const withinLimits = !offline || (payments?.offlineFits(lowestDueFen) ?? false);
    const cashUnavailable = !availability.ok ? availability.reason : !withinLimits ? 'payment.offlineLimit' : null;
    // Proof of life moves the pension: only on a card the server verified
    // (a clone must not keep a dead person's pension going), and online.
    const pensioner = summary.pension.status === 'paid' || summary.pension.status === 'suspended-certification';
    this.show({
      screen: 'account',
      holderName,
      summary,
      offline,
      provisional,
      canPay: offer !== null && cashUnavailable === null,
      cashUnavailable: offer !== null ? cashUnavailable : null,
      canCertify: pensioner && !offline && this.holder?.verified === true && this.holder.cardSession !== null && this.deps.certify !== undefined,
    });
  }

  /** The PIN pad reports how many digits are typed so far (never which). */
  pinPadDigits(enteredDigits: number): void {
    if (this.current.screen !== 'pin' || !this.current.pinPad) return;
    if (this.current.enteredDigits === enteredDigits) return;
    const { session: _session, ...screen } = this.current;
    this.show({ ...screen, enteredDigits });
  }

  /** A touch on the screen: pay, go back, cancel the payment, done with the receipt. */
  async act(action: SessionAction): Promise<{ accepted: boolean; reason?: string }> {
    const holder = this.holder;
    if (!holder || !this.card) return { accepted: false, reason: 'no-card' };
    const holderName = maskName(holder.name);
    const screen = this.current.screen;
    if (action === 'pay' && this.current.screen === 'account' && this.current.canPay && this.current.summary.payment) {
      const { year, tiers } = this.current.summary.payment;
      this.show({ screen: 'tiers', holderName, year, tiers, offline: this.current.offline });
      return { accepted: true };
    }
    if (action === 'certify' && this.current.screen === 'account' && this.current.canCertify && this.deps.certify && holder.cardSession) {
      const { certifiedOn } = this.deps.certify({ citizenNumber: holder.citizenNumber, cardSession: holder.cardSession });
      this.deps.logger.info({ event: 'session.certified', session: this.sessionNumber, certifiedOn });
      this.show({ screen: 'certified', holderName, certifiedOn });
      return { accepted: true };
    }
    if (action === 'publicity' && screen === 'account' && this.summary) {
      const session = this.sessionNumber;
      const { villageCode, asOf } = this.summary.data;
      const reply = await this.deps.accounts.publicity(villageCode, Number(asOf.slice(0, 4)));
      if (this.stale(session)) return { accepted: true };
      if (!reply.ok) {
        this.show({ screen: 'message', messageKey: reply.error.code === 'unavailable' ? 'server.unavailable' : 'server.error', params: {} });
        return { accepted: true };
      }
      this.show({ screen: 'publicity', holderName, list: reply.data });
      return { accepted: true };
    }
    if (action === 'back' && (screen === 'tiers' || screen === 'publicity') && this.summary) {
      this.showAccount(holderName, this.summary.data, this.summary.offline);
      return { accepted: true };
    }
    if (action === 'cancel-payment' && screen === 'paying' && this.deps.payments) {
      await this.deps.payments.cancel('cancelled');
      return { accepted: true };
    }
    if (action === 'done' && (screen === 'receipt' || screen === 'certified')) {
      await this.loadAccount(this.sessionNumber, holder);
      return { accepted: true };
    }
    return { accepted: false, reason: 'not-now' };
  }

  /** The person chose a tier: the payment opens and the acceptor takes notes. */
  async payTier(tierYuan: number): Promise<{ accepted: boolean; reason?: string }> {
    const holder = this.holder;
    const payments = this.deps.payments;
    if (!holder || !this.card) return { accepted: false, reason: 'no-card' };
    if (!payments) return { accepted: false, reason: 'no-cash-devices' };
    if (this.current.screen !== 'tiers') return { accepted: false, reason: 'not-now' };
    const { year, tiers, offline } = this.current;
    const tier = tiers.find((t) => t.tierYuan === tierYuan);
    if (!tier) return { accepted: false, reason: 'unknown-tier' };
    const holderName = maskName(holder.name);
    const session = this.sessionNumber;
    const begun = await payments.begin({
      citizenNumber: holder.citizenNumber,
      holderName,
      year,
      tierYuan,
      dueFen: tier.dueFen,
      creditedFen: tier.creditedFen,
      offline,
    });
    if (!begun.ok) {
      this.show({ screen: 'message', messageKey: begun.reason, params: {} });
      return { accepted: true };
    }
    this.paymentSession = session;
    const progress = payments.progress;
    if (progress && this.current.screen === 'tiers') this.show({ screen: 'paying', holderName, progress });
    return { accepted: true };
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
