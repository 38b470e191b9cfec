// The payment desk with the real ccTalk and ESC/POS drivers talking to their
// simulators over in-memory lines, and a real journal file.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { BillValidatorSimulator, CctalkBillAcceptor, Header, RouteCode, createInProcessBillAcceptor, createMemoryLinkPair, decodeFrame, type ByteLink } from '@nongbao/drivers/cctalk';
import { createInProcessPrinter } from '@nongbao/drivers/escpos';
import { Journal } from './journal/index.js';
import { PaymentDesk, type PaymentOutcome, type PaymentProgress } from './payment.js';
import { buildMoneyEvent } from './wire.js';
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import { DEFAULT_OFFLINE_LIMITS, PROTOCOL_VERSION, parseReceiptQr } from '@nongbao/protocol';

/** The events the outbox would send now, as the wire module builds them. */
function pendingEvents(journal: Journal) {
  return journal.outbox.pending(100).map((row) => {
    const built = buildMoneyEvent(journal, row);
    if (!built.ok) throw new Error(built.why);
    return built.event;
  });
}

const sink = { queued: () => undefined };

const silent = pino({ level: 'silent' });
const request = { citizenNumber: '513227198302220050', holderName: '扎**吉', year: 2026, tierYuan: 200, dueFen: 20_000, creditedFen: 23_500 };

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

describe('the payment desk', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function setup(journalPath = join(mkdtempSync(join(tmpdir(), 'nb-pay-')), 'journal.sqlite')) {
    const journal = new Journal(journalPath);
    const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const desk = new PaymentDesk({ devices: { acceptor: acceptor.driver, printer: printer.printer }, journal, terminalId: 'kiosk-test', logger: silent, sink });
    await desk.start();
    cleanups.push(async () => {
      await desk.stop();
      journal.close();
    });
    return { journal, desk, acceptor: acceptor.simulator, printer: printer.simulator, journalPath };
  }

  it('stacks notes up to what is due, returns one that would overpay, completes, queues it and prints the receipt', async () => {
    const { journal, desk, acceptor, printer } = await setup();
    const begun = await desk.begin(request);
    expect(begun.ok).toBe(true);
    const paymentId = (begun as { paymentId: string }).paymentId;
    expect(journal.payments.get(paymentId)).toMatchObject({ state: 'open', dueFen: 20_000, stackedFen: 0 });

    await acceptor.insertNote(100);
    await until<PaymentProgress>(desk, 'progress', (p) => p.stackedFen === 10_000);
    await acceptor.insertNote(50);
    await until<PaymentProgress>(desk, 'progress', (p) => p.stackedFen === 15_000);
    await acceptor.insertNote(100); // 250 > 200: returned
    await new Promise((r) => setTimeout(r, 300));
    expect(journal.payments.get(paymentId)!.stackedFen).toBe(15_000);
    expect(await acceptor.stackedYuan()).toEqual([100, 50]);

    const finished = until<PaymentOutcome>(desk, 'finished');
    await acceptor.insertNote(50);
    const outcome = await finished;
    expect(outcome).toMatchObject({ outcome: 'paid', stackedFen: 20_000, printed: true });
    expect(journal.payments.get(paymentId)).toMatchObject({ state: 'complete', stackedFen: 20_000 });
    expect(pendingEvents(journal)).toEqual([expect.objectContaining({ id: paymentId, kind: 'payment', cashFen: 20_000, tierYuan: 200, year: 2026 })]);
    expect(printer.receipts).toHaveLength(1);
    expect(printer.receipts[0]!.render().text).toContain('实收现金');
  });

  it('refuses to open a payment when the printer is out of paper, before any cash is taken', async () => {
    const { desk, printer, journal } = await setup();
    await printer.setPaper('out');
    expect(await desk.begin(request)).toEqual({ ok: false, reason: 'payment.noPaper' });
    expect(journal.payments.openOnes()).toEqual([]);
  });

  it('on a stacker removal mid-payment stops intake, keeps what was stacked as credit and prints it', async () => {
    const { desk, acceptor, journal, printer } = await setup();
    const begun = (await desk.begin(request)) as { paymentId: string };
    await acceptor.insertNote(100);
    await until<PaymentProgress>(desk, 'progress', (p) => p.stackedFen === 10_000);
    const finished = until<PaymentOutcome>(desk, 'finished');
    await acceptor.removeStacker();
    const outcome = await finished;
    expect(outcome).toMatchObject({ outcome: 'short', reason: 'device-fault', fault: 'stackerRemoved', stackedFen: 10_000, printed: true });
    expect(journal.payments.get(begun.paymentId)).toMatchObject({ state: 'cancelled', stackedFen: 10_000 });
    expect(pendingEvents(journal)).toEqual([expect.objectContaining({ kind: 'cash-credit', amountFen: 10_000, reason: 'device-fault' })]);
    expect(printer.receipts.at(-1)!.render().text).toContain('现金暂存凭条');
    // Intake is off: a note now is not taken.
    expect(await desk.begin(request)).toEqual({ ok: false, reason: 'payment.cashUnavailable' });
  });

  it('a cancel with nothing stacked queues nothing and prints nothing', async () => {
    const { desk, journal, printer } = await setup();
    await desk.begin(request);
    const finished = until<PaymentOutcome>(desk, 'finished');
    await desk.cancel('cancelled');
    expect(await finished).toMatchObject({ outcome: 'short', stackedFen: 0, receipt: null });
    expect(pendingEvents(journal)).toEqual([]);
    expect(printer.receipts).toHaveLength(0);
  });

  it('after a power cut mid-payment, the next start turns what was stacked into the credit of the person', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'nb-pay-crash-'));
    const journalPath = join(dir, 'journal.sqlite');
    const crashed = new Journal(journalPath);
    crashed.payments.open({ id: '01a20562-9ad7-7028-b880-1783f7c2e6ec', citizenNumber: request.citizenNumber, year: 2026, tierYuan: 200, dueFen: 20_000, openedAt: '2026-11-22T10:00:00Z' });
    crashed.payments.noteStacking('01a20562-9ad7-7028-b880-1783f7c2e6ec', 1, 5_000, '2026-11-22T10:00:01Z');
    crashed.noteCredited(5_000, 2, '2026-11-22T10:00:02Z');
    crashed.close();

    const { journal } = await setup(journalPath);
    expect(journal.payments.get('01a20562-9ad7-7028-b880-1783f7c2e6ec')).toMatchObject({ state: 'cancelled', stackedFen: 5_000 });
    expect(pendingEvents(journal)).toEqual([expect.objectContaining({ kind: 'cash-credit', amountFen: 5_000 })]);
    expect(journal.deviceCounter()).toBe(2);
  });

  it('opens one payment when a tier is tapped twice while the printer answers', async () => {
    const { desk, journal } = await setup();
    const [first, second] = await Promise.all([desk.begin(request), desk.begin(request)]);
    expect([first.ok, second.ok].sort()).toEqual([false, true]);
    expect([first, second].find((b) => !b.ok)).toEqual({ ok: false, reason: 'payment.busy' });
    expect(journal.payments.openOnes()).toHaveLength(1);
  });

  it('has the note journaled at the moment the stack command goes out on the line', async () => {
    const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-pay-line-')), 'journal.sqlite'));
    const { host, device } = createMemoryLinkPair({ echoHost: false });
    const seenAtStack: Array<{ paymentId: string; state: string }[]> = [];
    // The host side of the line, recording: when a "route bill: stack" frame is written, look at the journal first.
    const recording: ByteLink = {
      get isOpen() {
        return host.isOpen;
      },
      write: async (bytes) => {
        const frame = decodeFrame(bytes, 'simple8');
        if (frame.ok && frame.frame.header === Header.routeBill && frame.frame.data[0] === RouteCode.stack) {
          seenAtStack.push(journal.db.prepare("SELECT payment_id AS paymentId, state FROM payment_note WHERE state = 'stacking'").all() as { paymentId: string; state: string }[]);
        }
        await host.write(bytes);
      },
      onData: (listener) => host.onData(listener),
      onClose: (listener) => host.onClose(listener),
      close: () => host.close(),
    };
    const simulator = new BillValidatorSimulator({ link: device, mode: 'simple8' });
    const acceptor = new CctalkBillAcceptor({ link: recording, mode: 'simple8', echo: false, pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const desk = new PaymentDesk({ devices: { acceptor, printer: printer.printer }, journal, terminalId: 'kiosk-test', logger: silent, sink });
    await desk.start();
    cleanups.push(async () => {
      await desk.stop();
      journal.close();
    });
    const begun = (await desk.begin(request)) as { paymentId: string };
    await simulator.insertNote(100);
    await until<PaymentProgress>(desk, 'progress', (p) => p.stackedFen === 10_000);
    expect(seenAtStack).toEqual([[{ paymentId: begun.paymentId, state: 'stacking' }]]);
  });

  it('takes cash offline within the limits, with a provisional receipt whose QR the kiosk signed', async () => {
    const journal = new Journal(join(mkdtempSync(join(tmpdir(), 'nb-pay-offline-')), 'journal.sqlite'));
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const acceptor = createInProcessBillAcceptor({ pollIntervalMs: 20 });
    const printer = createInProcessPrinter();
    const desk = new PaymentDesk({
      devices: { acceptor: acceptor.driver, printer: printer.printer },
      journal,
      terminalId: 'kiosk-test',
      logger: silent,
      sink,
      signer: (bytes) => sign(null, bytes, privateKey).toString('base64url'),
    });
    await desk.start();
    cleanups.push(async () => {
      await desk.stop();
      journal.close();
    });
    journal.saveKioskConfig({ v: PROTOCOL_VERSION, revision: 1, village: null, location: null, offlineLimits: { amountFen: 30_000, payments: 2 }, tiers: [], photoKey: null });
    const offline = { ...request, tierYuan: 100, dueFen: 10_000, creditedFen: 13_000, offline: true };
    for (let i = 0; i < 2; i++) {
      const begun = (await desk.begin(offline)) as { ok: true; paymentId: string };
      expect(begun.ok).toBe(true);
      const finished = until<PaymentOutcome>(desk, 'finished');
      await acceptor.simulator.insertNote(100);
      const outcome = await finished;
      expect(outcome).toMatchObject({ outcome: 'paid', offline: true, printed: true });
      expect(outcome.receipt!.text).toContain('临时缴费凭条');
      const row = journal.payments.get(begun.paymentId)!;
      // What the paper carries: the QR's payload, as the printer simulator rendered it.
      const printed = printer.simulator.receipts.at(-1)!.render().text;
      const parsed = parseReceiptQr(/\[QR: (NBR1\|[^\]]+)\]/.exec(printed)![1]!);
      expect(parsed.ok).toBe(true);
      if (!parsed.ok) return;
      expect(parsed.receipt).toMatchObject({ paymentId: begun.paymentId, amountFen: 10_000, terminalId: 'kiosk-test' });
      expect(verify(null, parsed.signedBytes, publicKey, Buffer.from(parsed.signature, 'base64url'))).toBe(true);
      expect(row.offlineSignature).toBe(parsed.signature);
      const event = pendingEvents(journal).find((e) => e.id === begun.paymentId);
      expect(event).toMatchObject({ kind: 'payment', offline: { signature: parsed.signature } });
    }
    // The third payment would pass the county's limit of two since the last sync.
    expect(await desk.begin(offline)).toEqual({ ok: false, reason: 'payment.offlineLimit' });
    expect(desk.offlineAllowance()).toEqual({ limits: { amountFen: 30_000, payments: 2 }, used: { payments: 2, amountFen: 20_000 } });
    expect(DEFAULT_OFFLINE_LIMITS.payments).toBeGreaterThan(2);
  });
});
