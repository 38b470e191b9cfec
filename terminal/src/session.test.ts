import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, beforeEach } from 'vitest';
import { pino } from 'pino';
import type { AccountSummary, PublicityList, Reply } from '@nongbao/protocol';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { Journal } from './journal/index.js';
import { PaymentDesk, type PaymentOutcome, type PaymentProgress } from './payment.js';
import { CardReadError, KioskSession, type CardHolder, type InsertedCard, type KioskState, type PinCheck, type SessionDeps } from './session.js';

const holder: CardHolder = { kind: 'resident', citizenNumber: '11010519491231002X', name: '王秀英', cardNumber: 'A00000001', verified: true, cardSession: 'e30.c2ln' };

const summary: AccountSummary = {
  citizenNumber: holder.citizenNumber,
  villageCode: 'v1',
  villageName: '红岩村',
  balanceFen: 130_000,
  balancesFen: { individual: 100_000, collective: 0, aid: 0, legacy: 0, government: 30_000 },
  contributions: [{ year: 2024, tierYuan: 100, paidOn: '2024-05-01', totalFen: 13_000 }],
  contributionYears: 1,
  requiredYears: 15,
  pension: { status: 'not-started', startMonth: null, monthlyFen: null },
  certifiedThrough: null,
  payment: null,
  paymentRefusal: 'already-paid',
  creditFen: 0,
  interestFen: null,
  pensionMonths: [],
  certification: null,
  familyBinding: null,
  projections: [],
  asOf: '2026-11-22T00:00:00.000Z',
};

class FakeCard implements InsertedCard {
  pinAttempts: string[] = [];
  triesLeft = 3;
  readDelay: Promise<void> = Promise.resolve();
  constructor(
    private readonly who: CardHolder | Error = holder,
    private readonly pin = '123456',
  ) {}
  async readHolder(): Promise<CardHolder> {
    await this.readDelay;
    if (this.who instanceof Error) throw this.who;
    return this.who;
  }
  async verifyPin(pin: string): Promise<PinCheck> {
    this.pinAttempts.push(pin);
    if (this.triesLeft === 0) return { ok: false, reason: 'blocked' };
    if (pin === this.pin) {
      this.triesLeft = 3;
      return { ok: true };
    }
    this.triesLeft--;
    return this.triesLeft === 0 ? { ok: false, reason: 'blocked' } : { ok: false, reason: 'wrong', triesLeft: this.triesLeft };
  }
}

const publicityList: PublicityList = {
  villageCode: 'v1',
  villageName: '红岩村',
  year: 2026,
  contributors: [{ name: '王*英', tierYuan: 100, paidOn: '2026-05-01' }],
  recipients: [{ name: '李*兰', monthlyFen: 6_625, certification: 'certified' }],
};

function setup(
  reply: () => Promise<Reply<AccountSummary>>,
  publicity: () => Promise<Reply<PublicityList>> = async () => ({ ok: true, data: publicityList }),
  extra: Partial<SessionDeps> = {},
) {
  const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-session-')), 'journal.sqlite'));
  const states: KioskState[] = [];
  const session = new KioskSession({ accounts: { accountSummary: reply, publicity }, cache: journal, logger: pino({ level: 'silent' }), ...extra });
  session.on('state', (s) => states.push(s));
  return { session, journal, states };
}

describe('kiosk session', () => {
  let online: ReturnType<typeof setup>;
  beforeEach(() => {
    online = setup(async () => ({ ok: true, data: summary }));
  });

  it('reads the card, asks for the PIN, shows the main menu, then the account with the masked name', async () => {
    const card = new FakeCard();
    await online.session.cardInserted(card);
    expect(online.session.state).toMatchObject({ screen: 'pin', holderName: '王*英', triesLeft: null });
    expect(await online.session.enterPin('123456')).toEqual({ accepted: true });
    expect(online.session.state).toMatchObject({ screen: 'menu', holderName: '王*英', offline: false, asOf: summary.asOf });
    expect(await online.session.act('account')).toEqual({ accepted: true });
    expect(online.session.state).toMatchObject({ screen: 'account', holderName: '王*英', offline: false, summary: { balanceFen: 130_000 } });
    expect(online.states.map((s) => s.screen)).toEqual(['reading', 'pin', 'loading', 'menu', 'account']);
  });

  it('shows the tries left after a wrong PIN, and the blocked message when none are left', async () => {
    const card = new FakeCard();
    await online.session.cardInserted(card);
    await online.session.enterPin('000000');
    expect(online.session.state).toMatchObject({ screen: 'pin', wrongPin: true, triesLeft: 2 });
    await online.session.enterPin('000000');
    await online.session.enterPin('000000');
    expect(online.session.state).toMatchObject({ screen: 'message', messageKey: 'card.pinBlocked' });
  });

  it('refuses a malformed PIN without sending it to the card', async () => {
    const card = new FakeCard();
    await online.session.cardInserted(card);
    expect(await online.session.enterPin('12345')).toEqual({ accepted: false, reason: 'format' });
    expect(await online.session.enterPin('12345a')).toEqual({ accepted: false, reason: 'format' });
    expect(card.pinAttempts).toEqual([]);
  });

  it('refuses a PIN when no card is in, or when the screen does not ask for one', async () => {
    expect(await online.session.enterPin('123456')).toEqual({ accepted: false, reason: 'no-card' });
    await online.session.cardInserted(new FakeCard());
    await online.session.enterPin('123456');
    expect(await online.session.enterPin('123456')).toEqual({ accepted: false, reason: 'not-asked' });
  });

  it('returns to idle when the card is removed, and drops a late card read', async () => {
    const card = new FakeCard();
    let release!: () => void;
    card.readDelay = new Promise((r) => (release = r));
    const pending = online.session.cardInserted(card);
    online.session.cardRemoved();
    release();
    await pending;
    expect(online.session.state.screen).toBe('idle');
  });

  it('shows the card error the driver reports, by message key', async () => {
    await online.session.cardInserted(new FakeCard(new CardReadError('card.expired', 'expired 2025-06-30')));
    expect(online.session.state).toMatchObject({ screen: 'message', messageKey: 'card.expired' });
  });

  it('treats an unexpected failure as an unreadable card, never a crash', async () => {
    await online.session.cardInserted(new FakeCard(new TypeError('boom')));
    expect(online.session.state).toMatchObject({ screen: 'message', messageKey: 'card.unreadable' });
  });

  it('answers from the journal cache while the server is unreachable, and says so', async () => {
    await online.session.cardInserted(new FakeCard());
    await online.session.enterPin('123456');
    const offline = setup(async () => ({ ok: false, error: { code: 'unavailable', message: 'down' } }));
    offline.journal.cacheSummary(summary);
    await offline.session.cardInserted(new FakeCard());
    await offline.session.enterPin('123456');
    expect(offline.session.state).toMatchObject({ screen: 'menu', offline: true, asOf: summary.asOf });
    await offline.session.act('account');
    expect(offline.session.state).toMatchObject({ screen: 'account', offline: true, summary: { balanceFen: 130_000 } });
  });

  it('says the server is unreachable when nothing is cached', async () => {
    const offline = setup(async () => ({ ok: false, error: { code: 'unavailable', message: 'down' } }));
    await offline.session.cardInserted(new FakeCard());
    await offline.session.enterPin('123456');
    expect(offline.session.state).toMatchObject({ screen: 'message', messageKey: 'server.unavailable' });
  });

  it('says no account was found when the server knows no such person', async () => {
    const unknown = setup(async () => ({ ok: false, error: { code: 'not-found', message: 'no' } }));
    await unknown.session.cardInserted(new FakeCard());
    await unknown.session.enterPin('123456');
    expect(unknown.session.state).toMatchObject({ screen: 'message', messageKey: 'account.notFound' });
  });

  it('opens the staff screen for a staff card, without asking the server for an account', async () => {
    let asked = false;
    const staff = setup(async () => {
      asked = true;
      return { ok: true, data: summary };
    });
    await staff.session.cardInserted(new FakeCard({ ...holder, kind: 'staff', name: '周建平' }));
    await staff.session.enterPin('123456');
    expect(staff.session.state).toMatchObject({ screen: 'staff', holderName: '周*平', section: 'devices', diagnostics: null });
    expect(asked).toBe(false);
    expect(await staff.session.act('staff-alarms')).toEqual({ accepted: true });
    expect(staff.session.state).toMatchObject({ screen: 'staff', section: 'alarms' });
    // A resident's menu is not a staff member's.
    expect(await staff.session.act('account')).toEqual({ accepted: false, reason: 'not-now' });
  });

  it('keeps the staff shell closed to a resident card', async () => {
    await online.session.cardInserted(new FakeCard());
    await online.session.enterPin('123456');
    expect(await online.session.act('staff-devices')).toEqual({ accepted: false, reason: 'not-now' });
    expect(online.session.state.screen).toBe('menu');
  });

  it('shows the village publicity list from the menu, and goes back', async () => {
    await online.session.cardInserted(new FakeCard());
    await online.session.enterPin('123456');
    expect(await online.session.act('publicity')).toEqual({ accepted: true });
    expect(online.session.state).toMatchObject({ screen: 'publicity', list: { villageName: '红岩村', contributors: [{ name: '王*英' }] } });
    await online.session.act('back');
    expect(online.session.state.screen).toBe('menu');
  });

  it('says why nothing can be paid, and refuses actions that do not fit the screen', async () => {
    await online.session.cardInserted(new FakeCard());
    expect(await online.session.act('pay')).toEqual({ accepted: false, reason: 'not-now' });
    await online.session.enterPin('123456');
    expect(await online.session.act('pay')).toEqual({ accepted: true });
    expect(online.session.state).toMatchObject({ screen: 'tiers', year: null, tiers: [], refusal: 'payment.refused.already-paid' });
    expect(await online.session.act('pay')).toEqual({ accepted: false, reason: 'not-now' });
    expect(await online.session.payTier(100)).toEqual({ accepted: false, reason: 'no-cash-devices' });
  });

  it('offers the tiers with their projections, but says the cash machine is missing where there is none', async () => {
    const owes: AccountSummary = {
      ...summary,
      payment: { year: 2026, tiers: [{ tierYuan: 100, dueFen: 10_000, creditedFen: 13_000 }] },
      paymentRefusal: null,
      projections: [{ tierYuan: 100, startMonth: '2041-06', monthlyFen: 7_300 }],
    };
    const s = setup(async () => ({ ok: true, data: owes }));
    await s.session.cardInserted(new FakeCard());
    await s.session.enterPin('123456');
    await s.session.act('pay');
    expect(s.session.state).toMatchObject({ screen: 'tiers', year: 2026, tiers: [], refusal: 'payment.cashUnavailable' });
  });

  it('ends with "take your card", and returns to the default language when the card comes out', async () => {
    await online.session.cardInserted(new FakeCard());
    await online.session.enterPin('123456');
    online.session.setLanguage('bo');
    expect(online.session.state).toMatchObject({ screen: 'menu', language: 'bo' });
    expect(await online.session.act('finish')).toEqual({ accepted: true });
    expect(online.session.state).toMatchObject({ screen: 'take-card', reason: 'finished', language: 'bo' });
    online.session.cardRemoved();
    expect(online.session.state).toMatchObject({ screen: 'idle', language: 'zh-Hans' });
  });

  it('opens help from any screen, sends one help request, and goes back where it was', async () => {
    const helps: (string | null)[] = [];
    const s = setup(async () => ({ ok: true, data: summary }), undefined, {
      requests: { complaint: () => undefined, help: (citizenNumber) => helps.push(citizenNumber) },
      contact: () => ({ villageName: '红岩村', agentName: '李书记', agentPhone: '13800000000' }),
    });
    expect(await s.session.act('help')).toEqual({ accepted: true });
    expect(s.session.state).toMatchObject({ screen: 'help', holderName: null, contact: { agentName: '李书记', agentPhone: '13800000000' }, requested: false });
    expect(await s.session.act('help-request')).toEqual({ accepted: true });
    expect(s.session.state).toMatchObject({ screen: 'help', requested: true });
    // A double tap sends one request.
    expect(await s.session.act('help-request')).toEqual({ accepted: false, reason: 'not-now' });
    await s.session.act('back');
    expect(s.session.state.screen).toBe('idle');
    await s.session.cardInserted(new FakeCard());
    await s.session.enterPin('123456');
    await s.session.act('account');
    await s.session.act('help');
    await s.session.act('help-request');
    await s.session.act('back');
    expect(s.session.state.screen).toBe('account');
    expect(helps).toEqual([null, holder.citizenNumber]);
  });

  it('counts down when nobody touches anything, stops at a touch, and times out to "take your card"', async () => {
    const s = setup(async () => ({ ok: true, data: summary }), undefined, { idle: { idleAfterMs: 50, countdownMs: 1_000 } });
    await s.session.cardInserted(new FakeCard());
    await s.session.enterPin('123456');
    await new Promise((r) => setTimeout(r, 200));
    expect(s.session.state).toMatchObject({ screen: 'menu', countdown: 1 });
    expect(await s.session.act('still-here')).toEqual({ accepted: true });
    expect(s.session.state.countdown).toBeNull();
    await new Promise((r) => setTimeout(r, 1_500));
    expect(s.session.state).toMatchObject({ screen: 'take-card', reason: 'timeout', countdown: null });
  });

  it('lets a pensioner on a verified card confirm receipt (proof of life), and not on an unverified one', async () => {
    const pensioner: AccountSummary = {
      ...summary,
      pension: { status: 'suspended-certification', startMonth: '2015-03', monthlyFen: 6_625 },
      pensionMonths: [{ month: '2026-10', status: 'paid', totalFen: 6_625 }],
    };
    const recorded: string[] = [];
    const complaints: string[] = [];
    const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-session-')), 'journal.sqlite'));
    const session = new KioskSession({
      accounts: { accountSummary: async () => ({ ok: true, data: pensioner }), publicity: async () => ({ ok: true, data: publicityList }) },
      cache: journal,
      logger: pino({ level: 'silent' }),
      certify: ({ citizenNumber, cardSession }, photo) => {
        recorded.push(`${citizenNumber} ${cardSession} ${photo?.length ?? 'no photo'}`);
        return { certifiedOn: '2026-11-22', photo: photo !== null };
      },
      requests: { complaint: (c) => complaints.push(`${c.month} ${c.amountFen}`), help: () => undefined },
    });
    await session.cardInserted(new FakeCard());
    await session.enterPin('123456');
    await session.act('confirm');
    expect(session.state).toMatchObject({ screen: 'confirm', canConfirm: true, canComplain: true, months: [{ month: '2026-10' }] });
    expect(session.certify('2025-01', null)).toEqual({ accepted: false, reason: 'unknown-month' });
    expect(session.certify('2026-10', Buffer.from([0xff, 0xd8, 0xff, 0xe0]))).toEqual({ accepted: true });
    expect(session.state).toMatchObject({ screen: 'certified', certifiedOn: '2026-11-22', photo: true });
    expect(recorded).toEqual([`${holder.citizenNumber} ${holder.cardSession} 4`]);
    await session.act('done');
    await session.act('confirm');
    expect(session.complain('2026-10')).toEqual({ accepted: true });
    expect(session.state).toMatchObject({ screen: 'complaint-filed', month: '2026-10', amountFen: 6_625 });
    expect(complaints).toEqual(['2026-10 6625']);

    session.cardRemoved();
    await session.cardInserted(new FakeCard({ ...holder, verified: false, cardSession: null }));
    await session.enterPin('123456');
    await session.act('confirm');
    expect(session.state).toMatchObject({ screen: 'confirm', canConfirm: false, refusal: 'confirm.cardNotVerified' });
    expect(session.certify(null, null)).toEqual({ accepted: false, reason: 'not-now' });
    // Verified, but the gateway gave no card session (the card is not the person's active one): no proof of life.
    session.cardRemoved();
    await session.cardInserted(new FakeCard({ ...holder, cardSession: null }));
    await session.enterPin('123456');
    await session.act('confirm');
    expect(session.state).toMatchObject({ screen: 'confirm', canConfirm: false });
    expect(recorded).toHaveLength(1);
  });

  it("never shows a card pulled mid-payment its receipt to the next card's holder", async () => {
    // Found by the chaos run (issue 11 section 7, seed 90001): the desk closed the first
    // payment after the next resident's card was read, and its receipt replaced their PIN screen.
    const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-session-')), 'journal.sqlite'));
    const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const logger = pino({ level: 'silent' });
    const desk = new PaymentDesk({ devices: { acceptor: acceptor.driver, printer: printer.printer }, journal, terminalId: 'kiosk-test', logger, sink: { queued: () => undefined } });
    await desk.start();
    try {
      const payable: AccountSummary = { ...summary, payment: { year: 2026, tiers: [{ tierYuan: 200, dueFen: 20_000, creditedFen: 23_500 }] }, paymentRefusal: null };
      const accounts = { accountSummary: async () => ({ ok: true as const, data: payable }), publicity: async () => ({ ok: true as const, data: publicityList }) };
      const session = new KioskSession({ accounts, cache: journal, logger, payments: desk });
      await session.cardInserted(new FakeCard());
      await session.enterPin('123456');
      await session.act('pay');
      await session.payTier(200);
      const stacked = new Promise<void>((resolve) => desk.on('progress', (p: PaymentProgress) => p.stackedFen === 10_000 && resolve()));
      await acceptor.simulator.insertNote(100);
      await stacked;

      let closed: PaymentOutcome | undefined;
      const finished = new Promise<PaymentOutcome>((resolve) => desk.once('finished', (o) => resolve((closed = o))));
      session.cardRemoved();
      const next: CardHolder = { ...holder, citizenNumber: '513227198302220050', name: '扎西卓玛', cardNumber: 'A00000002' };
      await session.cardInserted(new FakeCard(next));
      // The next card is read while the desk is still closing the first payment.
      expect(closed).toBeUndefined();
      expect(await finished).toMatchObject({ outcome: 'short', reason: 'card-removed', stackedFen: 10_000 });
      expect(session.state).toMatchObject({ screen: 'pin', holderName: '扎**玛' });
    } finally {
      await desk.stop();
      journal.close();
    }
  });
});
