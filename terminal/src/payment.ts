// Cash at the kiosk (ARCHITECTURE.md journey 2). A payment opens in the
// journal with the id made here; each note in escrow is journaled *before* the
// stack command and confirmed when the acceptor reports the credit; when the
// stacked cash reaches what is due the journal closes the payment and queues
// it for the gateway in one transaction, then the receipt prints. Cancel, a
// pulled card or a device fault part-way: what was stacked is recorded as the
// person's credit and printed; it is never lost.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { BillAcceptor, BillAcceptorEvent, EscrowOffer, ReceiptPrinter } from '@nongbao/drivers';
import { ReceiptBuilder, defaultGlyphSource, renderReceipt } from '@nongbao/drivers/escpos';
import type { CreditReason, Journal } from './journal.js';

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
}

export interface PaymentProgress {
  paymentId: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
}

export interface PaymentOutcome extends PaymentProgress {
  outcome: 'paid' | 'short';
  /** Why a short payment ended; null when paid. */
  reason: CreditReason | null;
  /** The fault that stopped intake, when one did. */
  fault: string | null;
  receipt: { text: string; pngBase64: string } | null;
  printed: boolean;
}

export type CashAvailability = { ok: true } | { ok: false; reason: 'payment.noPaper' | 'payment.printerUnavailable' | 'payment.cashUnavailable' };

interface PaymentDeskEvents {
  progress: [PaymentProgress];
  finished: [PaymentOutcome];
  /** Money events were queued for the gateway. */
  queued: [];
}

interface OpenPayment extends PaymentProgress {
  request: PaymentRequest;
  /** Notes decided 'stack' and not yet reported credited. */
  stackingFen: number;
}

function maskCitizenNumber(n: string): string {
  return `${n.slice(0, 6)}********${n.slice(14)}`;
}

function yuan(fen: number): string {
  return `${Math.floor(fen / 100)}.${String(fen % 100).padStart(2, '0')}元`;
}

function shanghaiTime(iso: string): string {
  return new Intl.DateTimeFormat('zh-CN', {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}

export class PaymentDesk extends EventEmitter<PaymentDeskEvents> {
  private current: OpenPayment | null = null;
  private finishing = false;

  constructor(
    private readonly deps: { devices: CashDevices; journal: Journal; terminalId: string; logger: Logger },
  ) {
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
    for (const left of this.deps.journal.openPayments()) {
      const credit = this.deps.journal.closePaymentShort(left.id, 'device-fault', new Date().toISOString());
      this.deps.logger.warn({ event: 'payment.recovered_open', paymentId: left.id, stackedFen: left.stackedFen, credit: credit !== null });
    }
    this.emit('queued');
  }

  async stop(): Promise<void> {
    if (this.current) await this.cancel('cancelled');
    await this.deps.devices.acceptor.close();
    await this.deps.devices.printer.close();
  }

  get progress(): PaymentProgress | null {
    if (!this.current) return null;
    const { paymentId, year, tierYuan, dueFen, stackedFen } = this.current;
    return { paymentId, year, tierYuan, dueFen, stackedFen };
  }

  /** Can the kiosk take cash now? Never take money it cannot give a receipt for. */
  availability(): CashAvailability {
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

  /** Opens a payment: journaled first, then the acceptor takes notes up to what is due. */
  async begin(request: PaymentRequest): Promise<{ ok: true; paymentId: string } | { ok: false; reason: string }> {
    if (this.current) return { ok: false, reason: 'payment.busy' };
    // Paper can run out between payments: ask the printer itself now.
    try {
      await this.deps.devices.printer.queryStatus();
    } catch (error) {
      this.deps.logger.warn({ event: 'payment.printer_query_failed', err: error });
    }
    const available = this.availability();
    if (!available.ok) return { ok: false, reason: available.reason };
    const paymentId = uuidv7();
    this.deps.journal.openPayment({
      id: paymentId,
      citizenNumber: request.citizenNumber,
      year: request.year,
      tierYuan: request.tierYuan,
      dueFen: request.dueFen,
      openedAt: new Date().toISOString(),
    });
    this.current = { paymentId, year: request.year, tierYuan: request.tierYuan, dueFen: request.dueFen, stackedFen: 0, stackingFen: 0, request };
    this.finishing = false;
    this.deps.logger.info({ event: 'payment.opened', paymentId, year: request.year, tierYuan: request.tierYuan, dueFen: request.dueFen });
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
  async cancel(reason: CreditReason): Promise<void> {
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
    if (p.stackedFen + p.stackingFen + offer.amountFen > p.dueFen) {
      this.deps.logger.info({ event: 'payment.note_returned', paymentId: p.paymentId, amountFen: offer.amountFen, reason: 'more than due' });
      return 'return';
    }
    this.deps.journal.noteStacking(p.paymentId, offer.eventCounter, offer.amountFen, new Date().toISOString());
    p.stackingFen += offer.amountFen;
    return 'stack';
  }

  private async onBill(event: BillAcceptorEvent): Promise<void> {
    if (event.type === 'credit') {
      const at = new Date().toISOString();
      const booked = this.deps.journal.noteCredited(event.amountFen, event.eventCounter, at);
      if ('unattributed' in booked) {
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
      this.deps.logger.error({ event: 'payment.device_fault', fault: event.fault, stackedSinceEnableFen: event.stackedSinceEnableFen });
      if (this.current) {
        // A jam may hold a note we were stacking; it is not counted until credited.
        this.current.stackingFen = 0;
        await this.finishShort('device-fault', event.fault);
      }
    }
  }

  private async finishPaid(): Promise<void> {
    const p = this.current;
    if (!p || this.finishing) return;
    this.finishing = true;
    await this.deps.devices.acceptor.disable().catch((error: unknown) => this.deps.logger.error({ event: 'payment.disable_failed', err: error }));
    const submit = this.deps.journal.completePayment(p.paymentId, new Date().toISOString());
    this.emit('queued');
    this.deps.logger.info({ event: 'payment.completed', paymentId: p.paymentId, cashFen: submit.cashFen });
    const bytes = this.paidReceipt(p, submit.paidAt);
    const printed = await this.print(p.paymentId, bytes);
    this.current = null;
    this.emit('finished', { ...this.snapshot(p), outcome: 'paid', reason: null, fault: null, receipt: this.render(bytes), printed });
  }

  private async finishShort(reason: CreditReason, fault: string | null): Promise<void> {
    const p = this.current;
    if (!p || this.finishing) return;
    this.finishing = true;
    await this.deps.devices.acceptor.disable().catch((error: unknown) => this.deps.logger.error({ event: 'payment.disable_failed', err: error }));
    // A note already on its way to the stacker is reported by the next polls.
    const deadline = Date.now() + STACK_SETTLE_TIMEOUT_MS;
    while (p.stackingFen > 0 && Date.now() < deadline && fault === null) await sleep(STACK_SETTLE_POLL_MS);
    const credit = this.deps.journal.closePaymentShort(p.paymentId, reason, new Date().toISOString());
    let receipt: PaymentOutcome['receipt'] = null;
    let printed = false;
    if (credit) {
      this.emit('queued');
      const bytes = this.creditReceipt(p, credit.at, reason);
      printed = await this.print(p.paymentId, bytes);
      receipt = this.render(bytes);
    }
    this.deps.logger.info({ event: 'payment.closed_short', paymentId: p.paymentId, reason, fault, stackedFen: p.stackedFen });
    this.current = null;
    this.emit('finished', { ...this.snapshot(p), outcome: 'short', reason, fault, receipt, printed });
  }

  private snapshot(p: OpenPayment): PaymentProgress {
    return { paymentId: p.paymentId, year: p.year, tierYuan: p.tierYuan, dueFen: p.dueFen, stackedFen: p.stackedFen };
  }

  private async print(paymentId: string, bytes: Buffer): Promise<boolean> {
    try {
      await this.deps.devices.printer.print(bytes);
      this.deps.journal.markReceiptPrinted(paymentId, new Date().toISOString());
      return true;
    } catch (error) {
      // The money is journaled and queued already; the screen shows the receipt.
      this.deps.logger.error({ event: 'payment.receipt_failed', paymentId, err: error });
      return false;
    }
  }

  private render(bytes: Buffer): { text: string; pngBase64: string } {
    const rendered = renderReceipt(bytes);
    return { text: rendered.text, pngBase64: rendered.png.toString('base64') };
  }

  private header(builder: ReceiptBuilder, p: OpenPayment, at: string): ReceiptBuilder {
    return builder
      .row('姓名', p.request.holderName)
      .row('身份证号', maskCitizenNumber(p.request.citizenNumber))
      .row('缴费年度', String(p.year))
      .row('缴费档次', `${p.tierYuan}元`)
      .row('时间', shanghaiTime(at))
      .row('终端', this.deps.terminalId);
  }

  private paidReceipt(p: OpenPayment, at: string): Buffer {
    const builder = new ReceiptBuilder().title('农村社会养老保险').text('缴费凭条', { align: 'center', bold: true }).separator();
    return this.header(builder, p, at)
      .row('实收现金', yuan(p.stackedFen), { bold: true })
      .row('记入个人账户', yuan(p.request.creditedFen))
      .separator()
      .text(`交易号 ${p.paymentId}`)
      .qr(`nongbao:payment:${p.paymentId}`)
      .text('请妥善保管本凭条', { align: 'center' })
      .feed(2)
      .build();
  }

  private creditReceipt(p: OpenPayment, at: string, reason: CreditReason): Buffer {
    const why: Record<CreditReason, string> = {
      cancelled: '您取消了缴费',
      'card-removed': '社保卡已取出',
      timeout: '等待超时',
      'device-fault': '收款设备故障',
    };
    const builder = new ReceiptBuilder().title('农村社会养老保险').text('现金暂存凭条', { align: 'center', bold: true }).separator();
    return this.header(builder, p, at)
      .row('应缴金额', yuan(p.dueFen))
      .row('已收现金', yuan(p.stackedFen), { bold: true })
      .row('原因', why[reason])
      .separator()
      .text('缴费没有完成。已收的现金记在您的名下，不会丢失。请带本凭条到乡镇社保所补缴或退款。')
      .text(`凭条号 ${p.paymentId}`)
      .qr(`nongbao:credit:${p.paymentId}`)
      .feed(2)
      .build();
  }
}
