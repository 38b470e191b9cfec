// Emptying the cash box at the kiosk (issue 13 section 2). Staff signed in
// with a staff card and PIN start a collection: the kiosk stops taking cash,
// journals the collection of what its journal says the box holds (with its
// outbox entry, in one transaction), prints the slip, and relays the
// collection like any money event. Until staff finish it (the box is back)
// the payment desk takes no cash. A crash anywhere loses and duplicates
// nothing: before the journal commit there is no collection and staff start
// again; after it the collection is there on restart, its slip is printed
// again if it was not marked printed, and the outbox sends it until the
// gateway answers (a replay is answered `exists`). A second start while one
// is open is refused, by the journal's unique index as well as here.
import type { Logger } from 'pino';
import { v7 as uuidv7 } from 'uuid';
import type { CollectionSlipAnswer, CollectionView, StaffCollectionState, StaffRefusal } from '@nongbao/protocol/maintenance';
import type { CollectionRow, Journal } from './journal/index.js';
import type { MoneyEventSink } from './outbox.js';
import type { CashDevices, PaymentDesk } from './payment.js';
import { collectionSlip } from './collection-slip.js';
import { renderForScreen } from './receipts.js';

export interface CollectionDeskDeps {
  devices: CashDevices;
  journal: Journal;
  payments: PaymentDesk;
  terminalId: string;
  logger: Logger;
  /** Where the journaled collection goes (the outbox). */
  sink: MoneyEventSink;
}

export type CollectionAnswer = { ok: true; answer: CollectionSlipAnswer } | { ok: false; reason: StaffRefusal };

export class CollectionDesk {
  /** Set from the first line of start() until it ends: a double tap starts one collection. */
  private starting = false;

  constructor(private readonly deps: CollectionDeskDeps) {}

  /** What the staff screen shows: the box by the journal, the open and the last collection. */
  state(): StaffCollectionState {
    const { collections } = this.deps.journal;
    const open = collections.open();
    const last = collections.last();
    return { box: collections.inBox(), open: open ? this.view(open) : null, last: last ? this.view(last) : null };
  }

  /** Whether a collection is in progress: the payment desk takes no cash then. */
  inProgress(): boolean {
    return this.deps.journal.collections.open() !== undefined;
  }

  /** After a restart: an open collection whose slip was not marked printed gets it printed (marked as a reprint). */
  async resume(): Promise<void> {
    const open = this.deps.journal.collections.open();
    if (!open) return;
    this.deps.logger.warn({ event: 'collection.resumed', collectionId: open.id, slipPrinted: open.slipPrintedAt !== null });
    if (open.slipPrintedAt === null) await this.print(open, true);
    this.deps.sink.queued();
  }

  async start(staff: { cardNumber: string }): Promise<CollectionAnswer> {
    if (this.starting) return { ok: false, reason: 'collection-in-progress' };
    this.starting = true;
    try {
      const refused = await this.refusal();
      if (refused) return { ok: false, reason: refused };
      const id = uuidv7();
      this.deps.logger.info({ event: 'collection.starting', collectionId: id });
      // The acceptor takes notes only while a payment is open; disabled again in case, before the box comes out.
      await this.deps.devices.acceptor.disable().catch((error: unknown) => this.deps.logger.error({ event: 'collection.disable_failed', err: error }));
      const started = this.deps.journal.startCollection({ id, staffCardNumber: staff.cardNumber, startedAt: new Date().toISOString() });
      if (!started.ok) return started;
      const c = started.collection;
      this.deps.logger.info({ event: 'collection.journaled', collectionId: id, amountFen: c.amountFen, payments: c.payments.count, credits: c.credits.count });
      const { slip, printed } = await this.print(c, false);
      this.deps.sink.queued();
      return { ok: true, answer: { collection: this.view(this.deps.journal.collections.get(id)!), slip, printed } };
    } finally {
      this.starting = false;
    }
  }

  /** Staff put the box back: the kiosk takes cash again. */
  finish(): { ok: true; collection: CollectionView } | { ok: false; reason: StaffRefusal } {
    const open = this.deps.journal.collections.open();
    if (!open || !this.deps.journal.collections.finish(open.id, new Date().toISOString())) return { ok: false, reason: 'no-collection' };
    this.deps.logger.info({ event: 'collection.finished', collectionId: open.id });
    return { ok: true, collection: this.view(this.deps.journal.collections.get(open.id)!) };
  }

  /** Prints the slip of the open (or else the last) collection again, marked as a reprint. */
  async reprint(): Promise<CollectionAnswer> {
    const c = this.deps.journal.collections.open() ?? this.deps.journal.collections.last();
    if (!c) return { ok: false, reason: 'no-collection' };
    if (!(await this.printerReady())) return { ok: false, reason: 'printer-unavailable' };
    const { slip, printed } = await this.print(c, true);
    return { ok: true, answer: { collection: this.view(this.deps.journal.collections.get(c.id)!), slip, printed } };
  }

  private async refusal(): Promise<StaffRefusal | null> {
    if (this.deps.payments.progress !== null) return 'payment-in-progress';
    if (this.inProgress()) return 'collection-in-progress';
    // The slip goes with the cash to the office: no slip, no collection.
    if (!(await this.printerReady())) return 'printer-unavailable';
    return null;
  }

  private async printerReady(): Promise<boolean> {
    const { printer } = this.deps.devices;
    try {
      await printer.queryStatus();
    } catch (error) {
      this.deps.logger.warn({ event: 'collection.printer_query_failed', err: error });
    }
    const status = printer.status();
    return status.device === 'online' && status.paper !== 'out' && !status.coverOpen;
  }

  private async print(c: CollectionRow, reprint: boolean): Promise<{ slip: CollectionSlipAnswer['slip']; printed: boolean }> {
    const bytes = collectionSlip(c, this.deps.terminalId, { reprint });
    const slip = renderForScreen(bytes);
    try {
      await this.deps.devices.printer.print(bytes);
      this.deps.journal.collections.markSlipPrinted(c.id, new Date().toISOString());
      this.deps.logger.info({ event: 'collection.slip_printed', collectionId: c.id, reprint });
      return { slip, printed: true };
    } catch (error) {
      // The collection is journaled and queued; staff reprint the slip once the printer is back.
      this.deps.logger.error({ event: 'collection.slip_failed', collectionId: c.id, err: error });
      return { slip, printed: false };
    }
  }

  private view(c: CollectionRow): CollectionView {
    const relay = this.deps.journal.outbox.get(c.id)?.state ?? 'pending';
    return {
      id: c.id,
      previousId: c.previousId,
      startedAt: c.startedAt,
      staffCardNumber: c.staffCardNumber,
      notes: c.notes,
      amountFen: c.amountFen,
      payments: c.payments,
      credits: c.credits,
      unattributed: c.unattributed,
      slipPrintedAt: c.slipPrintedAt,
      finishedAt: c.finishedAt,
      relay,
    };
  }
}
