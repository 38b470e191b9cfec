// Cash at the kiosk (ARCHITECTURE.md journey 2). A payment opens in the
// journal with the id made here; each note in escrow is journaled *before*
// the stack command and confirmed when the acceptor reports the credit; when
// the stacked cash reaches what is due the journal closes the payment and
// queues it for the gateway in one transaction, then the receipt prints.
// Cancel, a pulled card or a device fault part-way: what was stacked is
// recorded as the person's credit and printed; it is never lost. While the
// gateway is unreachable the kiosk still takes cash, within the offline
// limits the county set (issue 11 section 5), and prints a signed
// provisional receipt. Finished money events go to the outbox through a
// MoneyEventSink.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { BillAcceptor, BillAcceptorEvent, EscrowOffer, ReceiptPrinter } from '@nongbao/drivers';
import { defaultGlyphSource } from '@nongbao/drivers/escpos';
import { DEFAULT_OFFLINE_LIMITS, type CreditCloseReason, type OfflineLimits, type PaymentOutcome, type PaymentProgress } from '@nongbao/protocol';
import type { Journal } from './journal/index.js';
import type { MoneyEventSink } from './outbox.js';
import { creditReceipt, paidReceipt, provisionalReceipt, renderForScreen, signProvisional, type ReceiptPayment, type ReceiptSigner } from './receipts.js';

export type { PaymentOutcome, PaymentProgress } from '@nongbao/protocol';

/** CNY notes the kiosk takes, fen (issue #4: 1, 5, 10, 20, 50, 100 yuan). */
export const NOTES_FEN = [100, 500, 1000, 2000, 5000, 10000] as const;
/** After a cancel, how long to wait for a note already being stacked to be reported. */
export const STACK_SETTLE_TIMEOUT_MS = 5_000;
const STACK_SETTLE_POLL_MS = 50;

export interface CashDevices {
  acceptor: BillAcceptor;
  printer: ReceiptPrinter;
}

export interface PaymentRequest {
  citizenNumber: string;
  holderName: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  creditedFen: number;
  /** The gateway is unreachable: within the offline limits, with a provisional receipt. */
  offline?: boolean;
}

export type CashRefusal = 'payment.busy' | 'payment.noPaper' | 'payment.printerUnavailable' | 'payment.cashUnavailable' | 'payment.offlineLimit';
export type CashAvailability = { ok: true } | { ok: false; reason: Exclude<CashRefusal, 'payment.busy' | 'payment.offlineLimit'> };

interface PaymentDeskEvents {
  progress: [PaymentProgress];
  finished: [PaymentOutcome];
}

interface OpenPayment extends PaymentProgress {
  request: PaymentRequest;
  /** Notes decided 'stack' and not yet reported credited. */
  stackingFen: number;
}

export interface PaymentDeskDeps {
  devices: CashDevices;
  journal: Journal;
  terminalId: string;
  logger: Logger;
  /** Where finished money events go (the outbox). */
  sink: MoneyEventSink;
  /** Signs provisional receipts with the kiosk's key; without it the kiosk takes no cash offline. */
  signer?: ReceiptSigner;
}

export class PaymentDesk extends EventEmitter<PaymentDeskEvents> {
  private current: OpenPayment | null = null;
  /** Set from the first line of begin() until the payment is open or refused: a double tap opens one payment. */
  private opening = false;
  private finishing = false;

  constructor(private readonly deps: PaymentDeskDeps) {
    super();
  }

  /** Opens both devices; the acceptor resumes from the journal's event counter. */
  async start(): Promise<void> {
    const { acceptor, printer } = this.deps.devices;
    const counter = this.deps.journal.deviceCounter();
    if (counter !== undefined) acceptor.setLastEventCounter(counter);
    // Subscribed before open(): the first poll may report events missed while we were down.
    acceptor.on('bill', (event) => {
      this.onBill(event).catch((error: unknown) => this.deps.logger.error({ event: 'payment.bill_event_failed', type: event.type, err: error }));
    });
    acceptor.setEscrowHandler((offer) => this.onEscrow(offer));
    await acceptor.open();
    await acceptor.disable();
    await printer.open();
    // Load the receipt glyphs now rather than in the middle of the first payment.
    defaultGlyphSource({ log: this.deps.logger });
    // Payments left open by a crash or power cut: what they stacked is the
    // person's credit, relayed like any other money event.
    for (const left of this.deps.journal.payments.openOnes()) {
      const closed = this.deps.journal.closePaymentShort(left.id, 'device-fault', new Date().toISOString());
      this.deps.logger.warn({ event: 'payment.recovered_open', paymentId: left.id, stackedFen: left.stackedFen, credit: (closed?.stackedFen ?? 0) > 0 });
    }
    this.deps.sink.queued();
  }

  async stop(): Promise<void> {
    if (this.current) await this.cancel('cancelled');
    await this.deps.devices.acceptor.close();
    await this.deps.devices.printer.close();
  }

  get progress(): PaymentProgress | null {
    return this.current ? this.snapshot(this.current) : null;
  }

  /** Can the kiosk take cash now? Never take money it cannot give a receipt for. */
  availability(): CashAvailability {
    // Staff are emptying the cash box (issue 13 section 2): no note goes in until it is back.
    if (this.deps.journal.collections.open()) return { ok: false, reason: 'payment.cashUnavailable' };
    const printer = this.deps.devices.printer.status();
    const acceptor = this.deps.devices.acceptor.status();
    // Paper out and cover open put the printer in userError: say what the person can understand.
    if (printer.paper === 'out' || printer.coverOpen) return { ok: false, reason: 'payment.noPaper' };
    if (printer.device !== 'online') return { ok: false, reason: 'payment.printerUnavailable' };
    // ccTalk reports the stacker only by events: 'unknown' until one comes is normal.
    const stackerBlocked = acceptor.stacker !== 'ok' && acceptor.stacker !== 'unknown';
    if (acceptor.device !== 'online' || acceptor.jammed || stackerBlocked) return { ok: false, reason: 'payment.cashUnavailable' };
    return { ok: true };
  }

  /** The limits this kiosk works under offline (pushed by the county, cached), and what is used of them. */
  offlineAllowance(): { limits: OfflineLimits; used: { payments: number; amountFen: number } } {
    return { limits: this.deps.journal.kioskConfig()?.offlineLimits ?? DEFAULT_OFFLINE_LIMITS, used: this.deps.journal.payments.offlineSinceSync() };
  }

  /** Whether one more offline payment of `dueFen` fits the limits (issue 11 section 5). */
  offlineFits(dueFen: number): boolean {
    if (!this.deps.signer) return false;
    const { limits, used } = this.offlineAllowance();
    return used.payments + 1 <= limits.payments && used.amountFen + dueFen <= limits.amountFen;
  }

  /** Opens a payment: journaled first, then the acceptor takes notes up to what is due. */
  async begin(request: PaymentRequest): Promise<{ ok: true; paymentId: string } | { ok: false; reason: CashRefusal }> {
    // Marked before the first await: a second tap while the printer answers is refused, not a second payment.
    if (this.current || this.opening) return { ok: false, reason: 'payment.busy' };
    this.opening = true;
    try {
      return await this.open(request);
    } finally {
      this.opening = false;
    }
  }

  private async open(request: PaymentRequest): Promise<{ ok: true; paymentId: string } | { ok: false; reason: CashRefusal }> {
    if (request.offline && !this.offlineFits(request.dueFen)) return { ok: false, reason: 'payment.offlineLimit' };
    // Paper can run out between payments: ask the printer itself now.
    try {
      await this.deps.devices.printer.queryStatus();
    } catch (error) {
      this.deps.logger.warn({ event: 'payment.printer_query_failed', err: error });
    }
    const available = this.availability();
    if (!available.ok) return { ok: false, reason: available.reason };
    const paymentId = uuidv7();
    this.deps.journal.payments.open({ id: paymentId, citizenNumber: request.citizenNumber, year: request.year, tierYuan: request.tierYuan, dueFen: request.dueFen, openedAt: new Date().toISOString() });
    const offline = request.offline === true;
    this.current = { paymentId, year: request.year, tierYuan: request.tierYuan, dueFen: request.dueFen, stackedFen: 0, offline, stackingFen: 0, request };
    this.finishing = false;
    this.deps.logger.info({ event: 'payment.opened', paymentId, year: request.year, tierYuan: request.tierYuan, dueFen: request.dueFen, offline });
    try {
      await this.deps.devices.acceptor.enable(NOTES_FEN.filter((fen) => fen <= request.dueFen));
    } catch (error) {
      this.deps.logger.error({ event: 'payment.enable_failed', paymentId, err: error });
      await this.finishShort('device-fault', 'enableFailed');
      return { ok: false, reason: 'payment.cashUnavailable' };
    }
    this.emitProgress();
    return { ok: true, paymentId };
  }

  /** The person cancelled, pulled the card or walked away. */
  async cancel(reason: CreditCloseReason): Promise<void> {
    if (!this.current) return;
    await this.finishShort(reason, null);
  }

  private emitProgress(): void {
    const progress = this.progress;
    if (progress) this.emit('progress', progress);
  }

  /** A note in escrow: stack it only if it fits what is still due, journaled first. */
  private async onEscrow(offer: EscrowOffer): Promise<'stack' | 'return'> {
    const p = this.current;
    if (!p || this.finishing) return 'return';
    // Step events (debug): the chaos run (cli/chaos) kills the process at each step of a note.
    this.deps.logger.debug({ event: 'payment.note_escrowed', paymentId: p.paymentId, amountFen: offer.amountFen, eventCounter: offer.eventCounter });
    if (p.stackedFen + p.stackingFen + offer.amountFen > p.dueFen) {
      this.deps.logger.info({ event: 'payment.note_returned', paymentId: p.paymentId, amountFen: offer.amountFen, reason: 'more than due' });
      return 'return';
    }
    this.deps.journal.payments.noteStacking(p.paymentId, offer.eventCounter, offer.amountFen, new Date().toISOString());
    this.deps.logger.debug({ event: 'payment.note_journaled', paymentId: p.paymentId, amountFen: offer.amountFen, eventCounter: offer.eventCounter });
    p.stackingFen += offer.amountFen;
    return 'stack';
  }

  private async onBill(event: BillAcceptorEvent): Promise<void> {
    if (event.type === 'credit') {
      const booked = this.deps.journal.noteCredited(event.amountFen, event.eventCounter, new Date().toISOString());
      if ('unattributed' in booked) {
        this.deps.journal.raiseAlarm('unattributed-cash', `the acceptor stacked ${event.amountFen} fen no payment was taking (event ${event.eventCounter})`);
        this.deps.logger.error({ event: 'payment.unattributed_cash', amountFen: event.amountFen, eventCounter: event.eventCounter });
        return;
      }
      const p = this.current;
      if (!p || booked.payment.id !== p.paymentId) return;
      p.stackingFen = Math.max(0, p.stackingFen - event.amountFen);
      p.stackedFen = booked.payment.stackedFen;
      this.deps.logger.info({ event: 'payment.note_stacked', paymentId: p.paymentId, amountFen: event.amountFen, stackedFen: p.stackedFen });
      this.emitProgress();
      if (p.stackedFen === p.dueFen) await this.finishPaid();
      return;
    }
    if (event.type === 'fault') {
      this.deps.journal.raiseAlarm('device-fault', `bill acceptor: ${event.fault}`);
      this.deps.logger.error({ event: 'payment.device_fault', fault: event.fault, stackedSinceEnableFen: event.stackedSinceEnableFen });
      if (this.current) {
        // A jam may hold a note we were stacking; it is not counted until credited.
        this.current.stackingFen = 0;
        await this.finishShort('device-fault', event.fault);
      }
    }
  }

  private receiptPayment(p: OpenPayment): ReceiptPayment {
    return { ...this.snapshot(p), citizenNumber: p.request.citizenNumber, holderName: p.request.holderName, creditedFen: p.request.creditedFen };
  }

  private async finishPaid(): Promise<void> {
    const p = this.current;
    if (!p || this.finishing) return;
    this.finishing = true;
    await this.deps.devices.acceptor.disable().catch((error: unknown) => this.deps.logger.error({ event: 'payment.disable_failed', err: error }));
    const at = new Date().toISOString();
    const rp = this.receiptPayment(p);
    const signature = p.offline && this.deps.signer ? signProvisional(rp, at, this.deps.terminalId, this.deps.signer) : null;
    this.deps.journal.completePayment(p.paymentId, at, signature);
    // Logged between the commit and the outbox's kick: "committed locally, not yet sent" is a step of its own.
    this.deps.logger.info({ event: 'payment.completed', paymentId: p.paymentId, cashFen: p.stackedFen, offline: signature !== null });
    this.deps.sink.queued();
    const bytes = signature ? provisionalReceipt(rp, at, this.deps.terminalId, signature) : paidReceipt(rp, at, this.deps.terminalId);
    const printed = await this.print(p.paymentId, bytes);
    this.current = null;
    this.emit('finished', { ...this.snapshot(p), outcome: 'paid', reason: null, fault: null, receipt: renderForScreen(bytes), printed });
  }

  private async finishShort(reason: CreditCloseReason, fault: string | null): Promise<void> {
    const p = this.current;
    if (!p || this.finishing) return;
    this.finishing = true;
    await this.deps.devices.acceptor.disable().catch((error: unknown) => this.deps.logger.error({ event: 'payment.disable_failed', err: error }));
    // A note already on its way to the stacker is reported by the next polls.
    const deadline = Date.now() + STACK_SETTLE_TIMEOUT_MS;
    while (p.stackingFen > 0 && Date.now() < deadline && fault === null) await sleep(STACK_SETTLE_POLL_MS);
    const at = new Date().toISOString();
    const closed = this.deps.journal.closePaymentShort(p.paymentId, reason, at);
    let receipt: PaymentOutcome['receipt'] = null;
    let printed = false;
    if (closed && closed.stackedFen > 0) {
      this.deps.sink.queued();
      const bytes = creditReceipt(this.receiptPayment(p), at, this.deps.terminalId, reason);
      printed = await this.print(p.paymentId, bytes);
      receipt = renderForScreen(bytes);
    }
    this.deps.logger.info({ event: 'payment.closed_short', paymentId: p.paymentId, reason, fault, stackedFen: p.stackedFen });
    this.current = null;
    this.emit('finished', { ...this.snapshot(p), outcome: 'short', reason, fault, receipt, printed });
  }

  private snapshot(p: OpenPayment): PaymentProgress {
    return { paymentId: p.paymentId, year: p.year, tierYuan: p.tierYuan, dueFen: p.dueFen, stackedFen: p.stackedFen, offline: p.offline };
  }

  private async print(paymentId: string, bytes: Buffer): Promise<boolean> {
    try {
      await this.deps.devices.printer.print(bytes);
      this.deps.journal.payments.markReceiptPrinted(paymentId, new Date().toISOString());
      this.deps.logger.debug({ event: 'payment.receipt_printed', paymentId });
      return true;
    } catch (error) {
      // The money is journaled and queued already; the screen shows the receipt.
      this.deps.logger.error({ event: 'payment.receipt_failed', paymentId, err: error });
      return false;
    }
  }
}
