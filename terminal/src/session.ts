// The kiosk session: one resident (or staff member) from card in to card out.
// A small state machine; every async step is tagged with the session number
// so a result that arrives after the card was pulled is dropped, never shown
// to the next person. Journeys (issue 12 section 1): PIN, the main menu, "My
// account", "Pay this year", "Confirm my pension", the village list, help,
// "take your card"; the idle countdown and the session's language live here
// too, so a UI that reloads (or a second screen) shows the same thing.
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import {
  DEFAULT_KIOSK_LANGUAGE,
  maskName,
  type AccountSummary,
  type Diagnostics,
  type HelpContact,
  type KioskLanguage,
  type KioskScreen,
  type KioskState,
  type NavigationKey,
  type ProvisionalPayment,
  type PublicityList,
  type Reply,
  type SessionAction,
  type StaffSection,
} from '@nongbao/protocol';
import type { PaymentDesk } from './payment.js';
import { IDLE_AFTER_MS, IDLE_COUNTDOWN_MS, IdleTimer, type IdleTimings } from './idle-timer.js';
import { confirmScreen, tiersScreen } from './screens.js';

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

/** Records a proof of life (journal + outbox) in the holder's card session, with the camera's photo when there is one. */
export type CertificationRecorder = (holder: { citizenNumber: string; cardSession: string }, photoJpeg: Buffer | null) => { certifiedOn: string; photo: boolean };

/** Records residents' requests for the county office (journal + outbox). */
export interface RequestRecorder {
  complaint(c: { citizenNumber: string; month: string; amountFen: number }): void;
  help(citizenNumber: string | null): void;
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
    /** The error register's code of the fault behind it (protocol errors.ts), when it had one: staff's self-test shows its words. */
    readonly code: number | null = null,
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
const STAFF_ACTIONS: Partial<Record<SessionAction, StaffSection>> = {
  'staff-devices': 'devices',
  'staff-cash': 'cash',
  'staff-updates': 'updates',
  'staff-alarms': 'alarms',
};
/** Screens where nobody is expected to touch anything: no idle countdown runs. */
const UNATTENDED: ReadonlySet<KioskScreen['screen']> = new Set(['idle', 'reading', 'take-card']);

export interface SessionEvents {
  state: [KioskState];
  /** A PIN pad key outside PIN entry, for the UI's navigation (never logged). */
  key: [NavigationKey];
}

export type Outcome = { accepted: boolean; reason?: string };
const ACCEPTED: Outcome = { accepted: true };
const NOT_NOW: Outcome = { accepted: false, reason: 'not-now' };

export interface SessionDeps {
  accounts: AccountSource;
  cache: SummaryCache;
  logger: Logger;
  payments?: PaymentDesk;
  certify?: CertificationRecorder;
  requests?: RequestRecorder;
  diagnostics?: () => Diagnostics;
  /** Payments this kiosk took for the person that the gateway has not confirmed yet. */
  provisional?: (citizenNumber: string) => ProvisionalPayment[];
  /** The village agent (kiosk.config) for the help screen. */
  contact?: () => HelpContact;
  idle?: Partial<IdleTimings>;
}

export class KioskSession extends EventEmitter<SessionEvents> {
  private current: KioskState = { screen: 'idle', session: 0, language: DEFAULT_KIOSK_LANGUAGE, countdown: null };
  /** Set when a hardware PIN pad takes the PIN instead of the screen's keypad. */
  usesPinPad = false;
  private card: InsertedCard | null = null;
  private holder: CardHolder | null = null;
  /** The PIN was verified: the holder may use the menu (or the staff shell). */
  private authenticated = false;
  private summary: { data: AccountSummary; offline: boolean } | null = null;
  private sessionNumber = 0;
  /** The session whose resident opened the payment now open, if any. */
  private paymentSession: number | null = null;
  private pinBusy = false;
  /** A staff card whose PIN the card accepted, until the card is removed (issue 13: staff routes). */
  private verifiedStaff: CardHolder | null = null;
  private language: KioskLanguage = DEFAULT_KIOSK_LANGUAGE;
  /** The screen help was opened from: "back" returns there. */
  private beforeHelp: KioskScreen | null = null;
  /** The payment is being cancelled because nobody answered the countdown: after its receipt, "take your card". */
  private timingOut = false;
  private readonly idle: IdleTimer;

  constructor(private readonly deps: SessionDeps) {
    super();
    this.idle = new IdleTimer(
      { idleAfterMs: deps.idle?.idleAfterMs ?? IDLE_AFTER_MS, countdownMs: deps.idle?.countdownMs ?? IDLE_COUNTDOWN_MS },
      { countdown: () => this.republish(), timeout: () => void this.timeout() },
    );
    const payments = deps.payments;
    if (payments) {
      // A payment's screens belong to the session that opened it: a card pulled mid-payment is
      // closed by the desk while the next resident's card may already be in (issue 11 section 7).
      payments.on('progress', (progress) => {
        if (this.current.screen !== 'paying' || !this.holder || this.paymentSession !== this.sessionNumber) return;
        this.idle.activity(); // a note counts as the person being there
        this.show({ screen: 'paying', holderName: maskName(this.holder.name), progress });
      });
      payments.on('finished', (outcome) => {
        const mine = this.paymentSession === this.sessionNumber;
        this.paymentSession = null;
        if (!mine || !this.holder || !this.card) return;
        if (this.timingOut) {
          this.timingOut = false;
          this.show({ screen: 'take-card', reason: 'timeout' });
          return;
        }
        this.show({ screen: 'receipt', holderName: maskName(this.holder.name), outcome });
      });
    }
  }

  get state(): KioskState {
    return this.current;
  }

  /** The card in the reader now (staff's card self-test reads it again), or null. */
  get insertedCard(): InsertedCard | null {
    return this.card;
  }

  /**
   * Pushes the staff screen again with fresh diagnostics (live while open,
   * issue 13 section 1); nothing on any other screen. Not a touch: the idle
   * timer runs on, so an unattended staff screen still times out.
   */
  refreshStaff(): void {
    const screen = this.current;
    if (screen.screen !== 'staff') return;
    this.current = { ...screen, diagnostics: this.deps.diagnostics?.() ?? null };
    this.emit('state', this.current);
  }

  /** The staff member signed in with a staff card and its PIN, or null. */
  get staffMember(): { cardNumber: string; name: string } | null {
    return this.verifiedStaff && this.card ? { cardNumber: this.verifiedStaff.cardNumber, name: this.verifiedStaff.name } : null;
  }

  private show(screen: KioskScreen): void {
    this.current = { ...screen, session: this.sessionNumber, language: this.language, countdown: this.idle.secondsLeft };
    if (UNATTENDED.has(screen.screen)) this.idle.stop();
    else if (this.idle.secondsLeft === null) this.idle.activity();
    this.emit('state', this.current);
  }

  /** Pushes the current screen again (the countdown or the language changed). */
  private republish(): void {
    this.current = { ...this.current, language: this.language, countdown: this.idle.secondsLeft };
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
    this.verifiedStaff = null;
    this.authenticated = false;
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

  /** The card was removed: the session ends, whatever it was doing, and the kiosk speaks its default language again. */
  cardRemoved(): void {
    if (this.card === null && this.current.screen === 'idle' && this.language === DEFAULT_KIOSK_LANGUAGE) return;
    this.deps.logger.info({ event: 'session.ended', session: this.sessionNumber });
    // Cash already stacked stays the person's credit, with a receipt.
    if (this.deps.payments?.progress) void this.deps.payments.cancel('card-removed');
    this.endSession();
  }

  private endSession(): void {
    this.card = null;
    this.holder = null;
    this.verifiedStaff = null;
    this.authenticated = false;
    this.summary = null;
    this.beforeHelp = null;
    this.timingOut = false;
    this.sessionNumber++;
    this.language = DEFAULT_KIOSK_LANGUAGE;
    this.show({ screen: 'idle' });
  }

  /** The person chose a language (any screen); it holds until the session ends. */
  setLanguage(language: KioskLanguage): Outcome {
    this.language = language;
    if (!UNATTENDED.has(this.current.screen)) this.idle.activity();
    this.republish();
    return ACCEPTED;
  }

  /** The demo's "walk away": the countdown starts now. */
  walkAway(): Outcome {
    if (UNATTENDED.has(this.current.screen)) return NOT_NOW;
    this.idle.startCountdown();
    return ACCEPTED;
  }

  /** Nobody answered the countdown: a payment is cancelled (its cash kept as credit), then "take your card". */
  private async timeout(): Promise<void> {
    this.deps.logger.info({ event: 'session.timeout', session: this.sessionNumber, screen: this.current.screen });
    if (this.card === null) {
      this.endSession();
      return;
    }
    if (this.current.screen === 'paying' && this.deps.payments?.progress) {
      this.timingOut = true;
      await this.deps.payments.cancel('timeout');
      return;
    }
    this.show({ screen: 'take-card', reason: 'timeout' });
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
      if (check.reason === 'blocked') this.show({ screen: 'message', messageKey: 'card.pinBlocked', params: {} });
      else this.show({ screen: 'pin', holderName: maskName(holder.name), triesLeft: check.triesLeft, wrongPin: true, pinPad: this.usesPinPad, enteredDigits: 0 });
      return { accepted: true };
    }
    this.deps.logger.info({ event: 'session.pin_verified', session });
    this.authenticated = true;
    if (holder.kind === 'staff') {
      this.verifiedStaff = holder;
      this.showStaff('devices');
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
      this.showMenu(holderName, reply.data, false);
      return;
    }
    if (reply.error.code === 'unavailable') {
      const cached = this.deps.cache.cachedSummary(holder.citizenNumber);
      this.deps.logger.warn({ event: 'session.offline', session, cached: cached !== undefined });
      if (cached) this.showMenu(holderName, cached, true);
      else this.show({ screen: 'message', messageKey: 'server.unavailable', params: {} });
      return;
    }
    this.deps.logger.warn({ event: 'session.account_refused', session, code: reply.error.code });
    this.show({ screen: 'message', messageKey: reply.error.code === 'not-found' ? 'account.notFound' : 'server.error', params: {} });
  }

  private showMenu(holderName: string, summary: AccountSummary, offline: boolean): void {
    this.summary = { data: summary, offline };
    this.show({ screen: 'menu', holderName, offline, asOf: summary.asOf });
  }

  private showStaff(section: StaffSection): void {
    this.show({ screen: 'staff', holderName: maskName(this.holder!.name), section, diagnostics: this.deps.diagnostics?.() ?? null });
  }

  /** The PIN pad reports how many digits are typed so far (never which). */
  pinPadDigits(enteredDigits: number): void {
    if (this.current.screen !== 'pin' || !this.current.pinPad) return;
    this.idle.activity();
    if (this.current.enteredDigits === enteredDigits) return;
    const { session: _session, language: _language, countdown: _countdown, ...screen } = this.current;
    this.show({ ...screen, enteredDigits });
  }

  /** A PIN pad key while no PIN is asked: the UI navigates with it (PIN-pad-only use). */
  navigationKey(key: NavigationKey): void {
    if (this.current.screen === 'pin') return;
    if (!UNATTENDED.has(this.current.screen)) this.idle.activity();
    this.emit('key', key);
  }

  /** A touch on the screen (or a key): see SESSION_ACTIONS. */
  async act(action: SessionAction): Promise<Outcome> {
    if (action === 'still-here') {
      if (UNATTENDED.has(this.current.screen)) return NOT_NOW;
      this.idle.activity();
      this.republish();
      return ACCEPTED;
    }
    if (action === 'help') return this.openHelp();
    if (this.current.screen === 'help') return this.actOnHelp(action);
    if (!this.holder || !this.card) return { accepted: false, reason: 'no-card' };
    if (!this.authenticated) return NOT_NOW;
    const section = STAFF_ACTIONS[action];
    if (section) {
      if (this.holder.kind !== 'staff') return NOT_NOW;
      this.showStaff(section);
      return ACCEPTED;
    }
    if (action === 'finish') return this.finish();
    if (this.holder.kind !== 'resident' || !this.summary) return NOT_NOW;
    return this.actAsResident(action, this.summary);
  }

  private async actAsResident(action: SessionAction, summary: { data: AccountSummary; offline: boolean }): Promise<Outcome> {
    const holder = this.holder!;
    const holderName = maskName(holder.name);
    const screen = this.current.screen;
    const onMenu = screen === 'menu';
    if (action === 'account' && onMenu) {
      const provisional = this.deps.provisional?.(summary.data.citizenNumber) ?? [];
      this.show({ screen: 'account', holderName, summary: summary.data, offline: summary.offline, provisional });
      return ACCEPTED;
    }
    if (action === 'pay' && onMenu) {
      this.show(this.tiers(holderName, summary));
      return ACCEPTED;
    }
    if (action === 'confirm' && onMenu) {
      const certify = holder.verified && holder.cardSession !== null && this.deps.certify !== undefined;
      this.show(confirmScreen(holderName, summary.data, { certify, offline: summary.offline }));
      return ACCEPTED;
    }
    if (action === 'publicity' && onMenu) return this.showPublicity(holderName, summary.data);
    if (action === 'back' && (screen === 'account' || screen === 'tiers' || screen === 'confirm' || screen === 'publicity')) {
      this.showMenu(holderName, summary.data, summary.offline);
      return ACCEPTED;
    }
    if (action === 'cancel-payment' && screen === 'paying' && this.deps.payments) {
      await this.deps.payments.cancel('cancelled');
      return ACCEPTED;
    }
    if (action === 'done' && (screen === 'receipt' || screen === 'certified' || screen === 'complaint-filed')) {
      await this.loadAccount(this.sessionNumber, holder);
      return ACCEPTED;
    }
    return NOT_NOW;
  }

  private tiers(holderName: string, summary: { data: AccountSummary; offline: boolean }): KioskScreen {
    const payments = this.deps.payments;
    const availability = payments?.availability() ?? { ok: false as const, reason: 'payment.cashUnavailable' as const };
    const provisional = this.deps.provisional?.(summary.data.citizenNumber) ?? [];
    return tiersScreen(holderName, summary.data, summary.offline, provisional, {
      unavailable: availability.ok ? null : availability.reason,
      offlineFits: (dueFen) => payments?.offlineFits(dueFen) ?? false,
    });
  }

  private async showPublicity(holderName: string, summary: AccountSummary): Promise<Outcome> {
    const session = this.sessionNumber;
    const reply = await this.deps.accounts.publicity(summary.villageCode, Number(summary.asOf.slice(0, 4)));
    if (this.stale(session) || this.current.screen !== 'menu') return ACCEPTED;
    if (!reply.ok) {
      this.show({ screen: 'message', messageKey: reply.error.code === 'unavailable' ? 'server.unavailable' : 'server.error', params: {} });
      return ACCEPTED;
    }
    this.show({ screen: 'publicity', holderName, list: reply.data });
    return ACCEPTED;
  }

  /** "Take your card": the person is done (the UI plays its sound). */
  private finish(): Outcome {
    if (this.current.screen === 'paying' || this.current.screen === 'loading') return NOT_NOW;
    this.show({ screen: 'take-card', reason: 'finished' });
    return ACCEPTED;
  }

  /** Help from any screen but a payment in progress (the cash must be settled first). */
  private openHelp(): Outcome {
    const screen = this.current.screen;
    if (screen === 'paying' || screen === 'reading' || screen === 'loading') return NOT_NOW;
    if (screen !== 'help') this.beforeHelp = this.screenOnly();
    const holderName = this.holder && this.authenticated ? maskName(this.holder.name) : null;
    const contact = this.deps.contact?.() ?? { villageName: null, agentName: null, agentPhone: null };
    this.show({ screen: 'help', holderName, contact, requested: false });
    return ACCEPTED;
  }

  private actOnHelp(action: SessionAction): Outcome {
    if (this.current.screen !== 'help') return NOT_NOW;
    if (action === 'help-request') {
      if (this.current.requested || !this.deps.requests) return NOT_NOW;
      // Only a card holder who typed the PIN is named: anyone may ask for help.
      this.deps.requests.help(this.holder && this.authenticated ? this.holder.citizenNumber : null);
      this.deps.logger.info({ event: 'session.help_requested', session: this.sessionNumber });
      this.show({ ...this.current, requested: true });
      return ACCEPTED;
    }
    if (action === 'back') {
      const back = this.beforeHelp ?? { screen: 'idle' as const };
      this.beforeHelp = null;
      if (back.screen === 'pin') this.show({ ...back, enteredDigits: 0 });
      else this.show(back);
      return ACCEPTED;
    }
    return NOT_NOW;
  }

  private screenOnly(): KioskScreen {
    const { session: _session, language: _language, countdown: _countdown, ...screen } = this.current;
    return screen as KioskScreen;
  }

  /** "I received it": proof of life, with the camera's photo where there is one (POLICY.md "Proof of life"). */
  certify(month: string | null, photoJpeg: Buffer | null): Outcome {
    const holder = this.holder;
    if (!holder || !this.card) return { accepted: false, reason: 'no-card' };
    if (this.current.screen !== 'confirm' || !this.current.canConfirm || !this.deps.certify || !holder.cardSession) return NOT_NOW;
    if (month !== null && !this.current.months.some((m) => m.month === month)) return { accepted: false, reason: 'unknown-month' };
    this.idle.activity();
    const { certifiedOn, photo } = this.deps.certify({ citizenNumber: holder.citizenNumber, cardSession: holder.cardSession }, photoJpeg);
    this.deps.logger.info({ event: 'session.certified', session: this.sessionNumber, certifiedOn, month, photo });
    this.show({ screen: 'certified', holderName: maskName(holder.name), certifiedOn, photo });
    return ACCEPTED;
  }

  /** "I did not receive it": a complaint the county office sees, with the month and the amount paid. */
  complain(month: string): Outcome {
    const holder = this.holder;
    if (!holder || !this.card) return { accepted: false, reason: 'no-card' };
    if (this.current.screen !== 'confirm' || !this.current.canComplain || !this.deps.requests) return NOT_NOW;
    const paid = this.current.months.find((m) => m.month === month && m.status === 'paid');
    if (!paid) return { accepted: false, reason: 'unknown-month' };
    this.idle.activity();
    this.deps.requests.complaint({ citizenNumber: holder.citizenNumber, month, amountFen: paid.totalFen });
    this.deps.logger.info({ event: 'session.complaint_filed', session: this.sessionNumber, month });
    this.show({ screen: 'complaint-filed', holderName: maskName(holder.name), month, amountFen: paid.totalFen });
    return ACCEPTED;
  }

  /** The person chose a tier: the payment opens and the acceptor takes notes. */
  async payTier(tierYuan: number): Promise<Outcome> {
    const holder = this.holder;
    const payments = this.deps.payments;
    if (!holder || !this.card) return { accepted: false, reason: 'no-card' };
    if (!payments) return { accepted: false, reason: 'no-cash-devices' };
    if (this.current.screen !== 'tiers' || this.current.year === null) return NOT_NOW;
    const { year, tiers, offline } = this.current;
    const tier = tiers.find((t) => t.tierYuan === tierYuan);
    if (!tier) return { accepted: false, reason: 'unknown-tier' };
    this.idle.activity();
    const holderName = maskName(holder.name);
    const session = this.sessionNumber;
    const begun = await payments.begin({ citizenNumber: holder.citizenNumber, holderName, year, tierYuan, dueFen: tier.dueFen, creditedFen: tier.creditedFen, offline });
    if (!begun.ok) {
      this.show({ screen: 'message', messageKey: begun.reason, params: {} });
      return ACCEPTED;
    }
    this.paymentSession = session;
    const progress = payments.progress;
    if (progress && this.current.screen === 'tiers') this.show({ screen: 'paying', holderName, progress });
    return ACCEPTED;
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
