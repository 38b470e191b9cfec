// Emptying the cash box at the kiosk (issue 13 section 2): the collection desk
// with the real ccTalk and ESC/POS drivers talking to their simulators over
// in-memory lines, a real journal file, and the staff routes over real HTTP.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createInProcessBillAcceptor } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { collectionEventSchema } from '@nongbao/protocol';
import { CollectionDesk } from './collection.js';
import { Journal } from './journal/index.js';
import { startLocalApi } from './local-api.js';
import { PaymentDesk, type PaymentOutcome, type PaymentProgress } from './payment.js';
import { KioskSession, type CardHolder, type InsertedCard } from './session.js';
import { staffRouter } from './staff-api.js';
import { SelfTests } from './diagnostics/self-tests.js';
import { RecentErrors } from './diagnostics/recent-errors.js';
import { buildMoneyEvent } from './wire.js';

const silent = pino({ level: 'silent' });
const request = { citizenNumber: '513227198302220050', holderName: '扎**吉', year: 2026, tierYuan: 200, dueFen: 20_000, creditedFen: 23_500 };
const staff = { cardNumber: 'S00000001' };

function until<T>(desk: PaymentDesk, event: 'finished' | 'progress', predicate: (value: T) => boolean = () => true): Promise<T> {
  return new Promise((resolve) => {
    const listener = (value: T) => {
      if (!predicate(value)) return;
      desk.off(event, listener as never);
      resolve(value);
    };
    desk.on(event, listener as never);
  });
}

describe('the collection desk', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function setup(journalPath = join(mkdtempSync(join(tmpdir(), 'nb-collect-')), 'journal.sqlite')) {
    const journal = new Journal(journalPath);
    const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const devices = { acceptor: acceptor.driver, printer: printer.printer };
    const queued: string[] = [];
    const sink = { queued: () => void queued.push('kick') };
    const payments = new PaymentDesk({ devices, journal, terminalId: 'kiosk-test', logger: silent, sink });
    await payments.start();
    const collections = new CollectionDesk({ devices, journal, payments, terminalId: 'kiosk-test', logger: silent, sink });
    cleanups.push(async () => {
      await payments.stop();
      journal.close();
    });
    return { journal, payments, collections, acceptor: acceptor.simulator, printer: printer.simulator, queued, journalPath };
  }

  /** A paid 200-yuan payment in a 100 and two 50s, and a cancelled one that stacked a 20. */
  async function takeCash(s: Awaited<ReturnType<typeof setup>>): Promise<void> {
    await s.payments.begin(request);
    const paid = until<PaymentOutcome>(s.payments, 'finished');
    let stackedFen = 0;
    for (const yuan of [100, 50]) {
      await s.acceptor.insertNote(yuan);
      stackedFen += yuan * 100;
      await until<PaymentProgress>(s.payments, 'progress', (p) => p.stackedFen === stackedFen);
    }
    await s.acceptor.insertNote(50);
    expect(await paid).toMatchObject({ outcome: 'paid', stackedFen: 20_000 });
    await s.payments.begin(request);
    await s.acceptor.insertNote(20);
    await until<PaymentProgress>(s.payments, 'progress', (p) => p.stackedFen === 2_000);
    const short = until<PaymentOutcome>(s.payments, 'finished');
    await s.payments.cancel('cancelled');
    expect(await short).toMatchObject({ outcome: 'short', stackedFen: 2_000 });
  }

  it('takes what the journal says is in the box, journals and queues it, prints the slip, and the next one starts from an empty box', async () => {
    const s = await setup();
    await takeCash(s);
    // A note the acceptor stacked while no payment was taking one.
    s.journal.noteCredited(500, 99, '2026-11-22T10:00:00Z');
    expect(s.collections.state().box).toMatchObject({ amountFen: 22_500, payments: { count: 1, amountFen: 20_000 }, credits: { count: 1, amountFen: 2_000 } });

    const started = await s.collections.start(staff);
    expect(started.ok).toBe(true);
    const { collection, slip, printed } = (started as Extract<typeof started, { ok: true }>).answer;
    expect(collection).toMatchObject({
      previousId: null,
      staffCardNumber: 'S00000001',
      notes: [
        { denominationFen: 10_000, count: 1 },
        { denominationFen: 5_000, count: 2 },
        { denominationFen: 2_000, count: 1 },
        { denominationFen: 500, count: 1 },
      ],
      amountFen: 22_500,
      payments: { count: 1, amountFen: 20_000 },
      credits: { count: 1, amountFen: 2_000 },
      unattributed: { count: 1, amountFen: 500 },
      finishedAt: null,
      relay: 'pending',
    });
    expect(printed).toBe(true);
    expect(slip.text).toContain('钱箱现金归集单');
    expect(s.printer.receipts.at(-1)!.render().text).toContain(`[QR: nongbao:collection:${collection.id}]`);
    expect(s.journal.collections.get(collection.id)!.slipPrintedAt).not.toBeNull();

    // Queued in the outbox as a money event the protocol accepts.
    const entry = s.journal.outbox.get(collection.id)!;
    expect(entry).toMatchObject({ kind: 'collection', state: 'pending' });
    const built = buildMoneyEvent(s.journal, entry);
    expect(built.ok && collectionEventSchema.safeParse(built.event).success).toBe(true);
    expect(s.queued.length).toBeGreaterThan(0);

    expect(s.collections.state().box.amountFen).toBe(0);
    expect(s.collections.finish().ok).toBe(true);
    const next = await s.collections.start(staff);
    expect(next.ok && next.answer.collection).toMatchObject({ previousId: collection.id, amountFen: 0, notes: [] });
  });

  it('takes no cash while a collection is in progress, and takes it again once staff finish it', async () => {
    const s = await setup();
    expect(s.payments.availability()).toEqual({ ok: true });
    expect((await s.collections.start(staff)).ok).toBe(true);
    expect(s.payments.availability()).toEqual({ ok: false, reason: 'payment.cashUnavailable' });
    expect(await s.payments.begin(request)).toEqual({ ok: false, reason: 'payment.cashUnavailable' });
    expect(s.journal.payments.openCount()).toBe(0);
    expect(s.collections.finish().ok).toBe(true);
    expect(s.payments.availability()).toEqual({ ok: true });
    expect(s.collections.finish()).toEqual({ ok: false, reason: 'no-collection' });
  });

  it('refuses a collection started twice, also as a double tap, and changes nothing', async () => {
    const s = await setup();
    await takeCash(s);
    const [first, second] = await Promise.all([s.collections.start(staff), s.collections.start(staff)]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    const again = await s.collections.start(staff);
    expect(again).toEqual({ ok: false, reason: 'collection-in-progress' });
    expect(s.journal.db.prepare('SELECT COUNT(*) AS n FROM collection').get()).toEqual({ n: 1 });
    expect(s.journal.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'collection'").get()).toEqual({ n: 1 });
    // The journal itself holds one open collection at most, whoever writes it.
    expect(s.journal.startCollection({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ed', staffCardNumber: 'S00000001', startedAt: '2026-11-22T10:00:00Z' })).toEqual({
      ok: false,
      reason: 'collection-in-progress',
    });
    expect(() =>
      s.journal.collections.insert({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ee', staffCardNumber: 'S00000001', startedAt: '2026-11-22T10:00:00Z' }),
    ).toThrow(/UNIQUE/);
  });

  it('refuses to start while a payment is open or when the slip cannot be printed, journaling nothing', async () => {
    const s = await setup();
    await s.payments.begin(request);
    expect(await s.collections.start(staff)).toEqual({ ok: false, reason: 'payment-in-progress' });
    await s.payments.cancel('cancelled');
    await s.printer.setPaper('out');
    expect(await s.collections.start(staff)).toEqual({ ok: false, reason: 'printer-unavailable' });
    expect(s.journal.collections.last()).toBeUndefined();
    expect(s.payments.availability()).toEqual({ ok: false, reason: 'payment.noPaper' });
  });

  it('after a crash between the journal and the slip, the next start prints the slip, marked as printed again, and queues it', async () => {
    const first = await setup();
    await takeCash(first);
    // What a process killed right after the journal's commit leaves behind.
    expect(first.journal.startCollection({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ec', staffCardNumber: 'S00000001', startedAt: '2026-11-22T10:00:00Z' }).ok).toBe(true);
    await cleanups.pop()!();

    const restarted = await setup(first.journalPath);
    await restarted.collections.resume();
    const text = restarted.printer.receipts.at(-1)!.render().text;
    expect(text).toContain('（补打）');
    expect(text).toContain('01a20562-9ad7-7028-b880-1783f7c2e6ec');
    expect(restarted.journal.collections.open()).toMatchObject({ amountFen: 22_000 });
    expect(restarted.journal.collections.open()!.slipPrintedAt).not.toBeNull();
    expect(restarted.queued.length).toBeGreaterThan(0);
    expect(restarted.payments.availability().ok).toBe(false);
  });
});

class StaffCard implements InsertedCard {
  constructor(private readonly who: CardHolder) {}
  async readHolder(): Promise<CardHolder> {
    return this.who;
  }
  async verifyPin(pin: string) {
    return pin === '123456' ? ({ ok: true } as const) : ({ ok: false, reason: 'wrong', triesLeft: 2 } as const);
  }
}

describe('the staff collection routes of the local API', () => {
  it('answer a staff card signed in with its PIN only, start one collection, refuse a second, finish it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-staff-api-'));
    const journal = new Journal(join(dir, 'journal.sqlite'));
    const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const devices = { acceptor: acceptor.driver, printer: printer.printer };
    const sink = { queued: () => undefined };
    const payments = new PaymentDesk({ devices, journal, terminalId: 'kiosk-test', logger: silent, sink });
    await payments.start();
    const collections = new CollectionDesk({ devices, journal, payments, terminalId: 'kiosk-test', logger: silent, sink });
    const offline = async () => ({ ok: false as const, error: { code: 'unavailable' as const, message: 'offline' } });
    const session = new KioskSession({ accounts: { accountSummary: offline, publicity: offline }, cache: journal, logger: silent, payments });
    const api = await startLocalApi({
      session,
      host: '127.0.0.1',
      port: 0,
      uiDir: join(dir, 'no-ui'),
      logger: silent,
      status: () => ({ serverConnected: false, terminalId: 'kiosk-test' }),
      mounts: [{ path: '/', router: staffRouter({ staffMember: () => session.staffMember, collections, diagnostics: () => { throw new Error('not asked here'); }, selfTests: new SelfTests({ cash: devices, card: () => null, gateway: async () => ({ ok: false, code: 'not-connected' }), errors: new RecentErrors(), terminalId: 'kiosk-test', softwareVersion: '0', logger: silent, onResult: () => undefined }), logger: silent }) }],
    });
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${api.url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, json: (await res.json()) as { error?: { code: string }; collection?: { id: string; finishedAt: string | null } } };
    };
    try {
      expect(await call('POST', '/api/staff/collection/start', {})).toMatchObject({ status: 409, json: { error: { code: 'not-staff' } } });
      // A resident's card signed in is not staff.
      await session.cardInserted(new StaffCard({ kind: 'resident', citizenNumber: '513227198302220050', name: '扎西卓玛', cardNumber: 'A00000001', verified: true, cardSession: null }));
      await session.enterPin('123456');
      expect((await call('GET', '/api/staff/collection')).json).toMatchObject({ error: { code: 'not-staff' } });
      session.cardRemoved();
      // A staff card before its PIN is not signed in.
      await session.cardInserted(new StaffCard({ kind: 'staff', citizenNumber: '513227198003120235', name: '周建平', cardNumber: 'S00000001', verified: false, cardSession: null }));
      expect((await call('GET', '/api/staff/collection')).json).toMatchObject({ error: { code: 'not-staff' } });
      await session.enterPin('123456');
      expect(await call('GET', '/api/staff/collection')).toMatchObject({ status: 200, json: { open: null, last: null, box: { amountFen: 0 } } });

      expect(await call('POST', '/api/staff/collection/start', { force: true })).toMatchObject({ status: 400, json: { error: { code: 'bad-request' } } });
      const started = await call('POST', '/api/staff/collection/start', {});
      expect(started.status).toBe(200);
      expect(await call('POST', '/api/staff/collection/start')).toMatchObject({ status: 409, json: { error: { code: 'collection-in-progress' } } });
      expect(journal.db.prepare('SELECT COUNT(*) AS n FROM collection').get()).toEqual({ n: 1 });
      expect((await call('POST', '/api/staff/collection/reprint', {})).status).toBe(200);
      const finished = await call('POST', '/api/staff/collection/finish', {});
      expect(finished).toMatchObject({ status: 200, json: { collection: { id: started.json.collection!.id } } });
      expect(finished.json.collection!.finishedAt).not.toBeNull();
      expect(await call('POST', '/api/staff/collection/finish', {})).toMatchObject({ status: 409, json: { error: { code: 'no-collection' } } });
      session.cardRemoved();
      expect((await call('POST', '/api/staff/collection/start', {})).json).toMatchObject({ error: { code: 'not-staff' } });
    } finally {
      await api.close();
      await payments.stop();
      journal.close();
    }
  });
});
