// The kiosk's journal (better-sqlite3, WAL, synchronous=FULL): the only place
// on the kiosk where money or account data lives. Rows in, rows out: the wire
// messages are built from these rows in one place (../wire.ts).
// - payment / payment_note (payments.ts): each cash payment, and each note
//   journaled *before* the stack command and confirmed when stacked;
// - certification: proofs of life made here;
// - outbox (outbox-rows.ts): which events wait for the gateway and what
//   happened to each;
// - account_cache and kiosk_state: the offline cache of account summaries and
//   the configuration the gateway pushed (village, offline limits, tiers);
// - alarm: what staff must look at; unattributed_cash: credits no payment
//   owns; device_state: the acceptor's event counter;
// - collection (collections.ts): each time staff emptied the cash box, and
//   which notes each took out.
import {
  accountSummarySchema,
  kioskConfigSchema,
  sealedPhotoSchema,
  type AccountSummary,
  type Alarm,
  type AlarmCode,
  type CreditCloseReason,
  type KioskConfig,
  type SealedPhoto,
} from '@nongbao/protocol';
import { openJournalDatabase, type JournalDatabase } from './db.js';
import { matchCreditedNote } from './note-matching.js';
import { CollectionRows, type CollectionRow } from './collections.js';
import { OutboxRows } from './outbox-rows.js';
import { PaymentRows, type PaymentRow } from './payments.js';
import { migrateJournal } from './schema.js';

export { JOURNAL_SCHEMA_VERSION } from './schema.js';
export type { PaymentRow, PaymentState } from './payments.js';
export type { OutboxRow, OutboxState } from './outbox-rows.js';
export { matchCreditedNote, type StackingNote } from './note-matching.js';
export type { BoxContents, CollectionRow } from './collections.js';

/** Cached summaries kept at most; the oldest are dropped first. */
export const ACCOUNT_CACHE_LIMIT = 5_000;
/** Open alarms kept; the oldest are cleared first. */
export const ALARMS_LIMIT = 200;

export interface CertificationRow {
  id: string;
  citizenNumber: string;
  certifiedOn: string;
  certifiedAt: string;
  cardSession: string;
  /** The camera's photo, sealed for the server (only the server can open it). */
  photo?: SealedPhoto | null;
}

/** A resident's complaint ("I did not receive it") or help request, for the county office. */
export type ResidentRequestRow =
  | { id: string; kind: 'pension-complaint'; citizenNumber: string; month: string; amountFen: number; madeAt: string }
  | { id: string; kind: 'help-request'; citizenNumber: string | null; madeAt: string };

export class Journal {
  readonly db: JournalDatabase;
  readonly payments: PaymentRows;
  readonly outbox: OutboxRows;
  readonly collections: CollectionRows;

  constructor(path: string) {
    this.db = openJournalDatabase(path);
    migrateJournal(this.db);
    this.payments = new PaymentRows(this.db);
    this.outbox = new OutboxRows(this.db);
    this.collections = new CollectionRows(this.db);
  }

  // ---------------------------------------------------------------- payments

  /**
   * The acceptor reported a credit: confirms the note it belongs to
   * (note-matching.ts) and stores the acceptor's event counter, in one
   * transaction; a credit no note owns is kept as unattributed cash.
   */
  noteCredited(amountFen: number, eventCounter: number, at: string): { payment: PaymentRow } | { unattributed: true } {
    return this.db.transaction(() => {
      this.setDeviceCounter(eventCounter);
      const note = matchCreditedNote(this.payments.stackingNotes(), amountFen);
      if (!note) {
        this.db.prepare('INSERT INTO unattributed_cash (event_counter, amount_fen, reported_at) VALUES (?, ?, ?)').run(eventCounter, amountFen, at);
        return { unattributed: true as const };
      }
      this.payments.confirmNote(note, at);
      return { payment: this.payments.get(note.paymentId)! };
    })();
  }

  /**
   * The payment is fully paid: closed and queued for the gateway in one
   * transaction. `offlineSignature`: taken offline, signed provisional receipt.
   */
  completePayment(id: string, at: string, offlineSignature: string | null = null): PaymentRow {
    return this.db.transaction(() => {
      const payment = this.payments.get(id);
      if (!payment || payment.state !== 'open') throw new Error(`payment ${id} is not open`);
      if (payment.stackedFen !== payment.dueFen) throw new Error(`payment ${id} is short: ${payment.stackedFen} of ${payment.dueFen} fen`);
      this.payments.close(id, 'complete', at, null, offlineSignature);
      this.outbox.enqueue(id, 'payment', at);
      return this.payments.get(id)!;
    })();
  }

  /**
   * The payment ends short (cancelled, card pulled, fault): what was stacked
   * becomes the person's credit, queued for the gateway. Returns the closed
   * payment, or null when it was not open; nothing is queued when nothing was stacked.
   */
  closePaymentShort(id: string, reason: CreditCloseReason, at: string): PaymentRow | null {
    return this.db.transaction(() => {
      const payment = this.payments.get(id);
      if (!payment || payment.state !== 'open') return null;
      this.payments.close(id, 'cancelled', at, reason, null);
      if (payment.stackedFen > 0) this.outbox.enqueue(id, 'cash-credit', at);
      return this.payments.get(id)!;
    })();
  }

  // ---------------------------------------------------------------- collections

  /**
   * Staff start emptying the cash box (issue 13 section 2): the collection of
   * what the box holds and its outbox entry, in one transaction, before the
   * slip prints. Refused while a payment is open or a collection is.
   */
  startCollection(c: { id: string; staffCardNumber: string; startedAt: string }): { ok: true; collection: CollectionRow } | { ok: false; reason: 'collection-in-progress' | 'payment-in-progress' } {
    return this.db.transaction(() => {
      if (this.collections.open()) return { ok: false as const, reason: 'collection-in-progress' as const };
      if (this.payments.openCount() > 0) return { ok: false as const, reason: 'payment-in-progress' as const };
      const collection = this.collections.insert(c);
      this.outbox.enqueue(c.id, 'collection', c.startedAt);
      return { ok: true as const, collection };
    })();
  }

  // ---------------------------------------------------------------- certifications

  /** Records a proof of life made here and queues it, in one transaction. */
  queueCertification(c: CertificationRow): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO certification (id, citizen_number, certified_on, certified_at, card_session, photo_json) VALUES (?, ?, ?, ?, ?, ?)')
        .run(c.id, c.citizenNumber, c.certifiedOn, c.certifiedAt, c.cardSession, c.photo ? JSON.stringify(c.photo) : null);
      this.outbox.enqueue(c.id, 'certification', c.certifiedAt);
    })();
  }

  certification(id: string): CertificationRow | undefined {
    const row = this.db.prepare('SELECT * FROM certification WHERE id = ?').get(id) as
      | { id: string; citizen_number: string; certified_on: string; certified_at: string; card_session: string; photo_json: string | null }
      | undefined;
    if (!row) return undefined;
    const photo = row.photo_json === null ? null : sealedPhotoSchema.safeParse(JSON.parse(row.photo_json));
    return {
      id: row.id,
      citizenNumber: row.citizen_number,
      certifiedOn: row.certified_on,
      certifiedAt: row.certified_at,
      cardSession: row.card_session,
      photo: photo?.success ? photo.data : null,
    };
  }

  // ---------------------------------------------------------------- residents' requests

  /** Records a complaint or help request and queues it for the county office, in one transaction. */
  queueRequest(r: ResidentRequestRow): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT INTO resident_request (id, kind, citizen_number, month, amount_fen, made_at) VALUES (?, ?, ?, ?, ?, ?)')
        .run(r.id, r.kind, r.citizenNumber, r.kind === 'pension-complaint' ? r.month : null, r.kind === 'pension-complaint' ? r.amountFen : null, r.madeAt);
      this.outbox.enqueue(r.id, r.kind, r.madeAt);
    })();
  }

  request(id: string): ResidentRequestRow | undefined {
    const row = this.db.prepare('SELECT * FROM resident_request WHERE id = ?').get(id) as
      | { id: string; kind: ResidentRequestRow['kind']; citizen_number: string | null; month: string | null; amount_fen: number | null; made_at: string }
      | undefined;
    if (!row) return undefined;
    if (row.kind === 'help-request') return { id: row.id, kind: 'help-request', citizenNumber: row.citizen_number, madeAt: row.made_at };
    return { id: row.id, kind: 'pension-complaint', citizenNumber: row.citizen_number ?? '', month: row.month ?? '', amountFen: row.amount_fen ?? 0, madeAt: row.made_at };
  }

  // ---------------------------------------------------------------- devices

  deviceCounter(): number | undefined {
    const row = this.db.prepare("SELECT value FROM device_state WHERE key = 'billAcceptor.lastEventCounter'").get() as { value: string } | undefined;
    return row ? Number(row.value) : undefined;
  }

  setDeviceCounter(counter: number): void {
    this.db.prepare("INSERT OR REPLACE INTO device_state (key, value) VALUES ('billAcceptor.lastEventCounter', ?)").run(String(counter));
  }

  unattributedCashFen(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(amount_fen), 0) AS s FROM unattributed_cash').get() as { s: number }).s;
  }

  // ---------------------------------------------------------------- alarms

  /** Raises an alarm (one open alarm per code and event). */
  raiseAlarm(code: AlarmCode, message: string, eventId: string | null = null, at = new Date().toISOString()): void {
    this.db.transaction(() => {
      const open = this.db.prepare('SELECT id FROM alarm WHERE code = ? AND event_id IS ? AND cleared_at IS NULL').get(code, eventId);
      if (open) return;
      this.db.prepare('INSERT INTO alarm (code, message, since, event_id) VALUES (?, ?, ?, ?)').run(code, message.slice(0, 300), at, eventId);
      this.db
        .prepare('UPDATE alarm SET cleared_at = ? WHERE cleared_at IS NULL AND id NOT IN (SELECT id FROM alarm WHERE cleared_at IS NULL ORDER BY id DESC LIMIT ?)')
        .run(at, ALARMS_LIMIT);
    })();
  }

  clearAlarm(code: AlarmCode, eventId: string | null = null, at = new Date().toISOString()): void {
    this.db.prepare('UPDATE alarm SET cleared_at = ? WHERE code = ? AND event_id IS ? AND cleared_at IS NULL').run(at, code, eventId);
  }

  openAlarms(): Alarm[] {
    const rows = this.db.prepare('SELECT code, message, since, event_id FROM alarm WHERE cleared_at IS NULL ORDER BY id').all() as {
      code: AlarmCode;
      message: string;
      since: string;
      event_id: string | null;
    }[];
    return rows.map((r) => ({ code: r.code, message: r.message, since: r.since, ...(r.event_id ? { eventId: r.event_id } : {}) }));
  }

  // ---------------------------------------------------------------- caches

  cacheSummary(summary: AccountSummary, nowIso = new Date().toISOString()): void {
    this.db.transaction(() => {
      this.db
        .prepare('INSERT OR REPLACE INTO account_cache (citizen_number, summary_json, cached_at) VALUES (?, ?, ?)')
        .run(summary.citizenNumber, JSON.stringify(summary), nowIso);
      this.db
        .prepare(
          `DELETE FROM account_cache WHERE citizen_number IN (
             SELECT citizen_number FROM account_cache ORDER BY cached_at DESC LIMIT -1 OFFSET ?)`,
        )
        .run(ACCOUNT_CACHE_LIMIT);
    })();
  }

  cachedSummary(citizenNumber: string): AccountSummary | undefined {
    const row = this.db.prepare('SELECT summary_json FROM account_cache WHERE citizen_number = ?').get(citizenNumber) as
      | { summary_json: string }
      | undefined;
    if (!row) return undefined;
    // The cache is ours, but a summary from an older software version may no
    // longer fit the schema: treat it as absent rather than show wrong data.
    const parsed = accountSummarySchema.safeParse(JSON.parse(row.summary_json));
    return parsed.success ? parsed.data : undefined;
  }

  saveKioskConfig(config: KioskConfig, nowIso = new Date().toISOString()): void {
    this.setState('kiosk.config', config, nowIso);
  }

  kioskConfig(): KioskConfig | undefined {
    const parsed = kioskConfigSchema.safeParse(this.state('kiosk.config'));
    return parsed.success ? parsed.data : undefined;
  }

  private setState(key: string, value: unknown, nowIso: string): void {
    this.db.prepare('INSERT OR REPLACE INTO kiosk_state (key, value_json, updated_at) VALUES (?, ?, ?)').run(key, JSON.stringify(value), nowIso);
  }

  private state(key: string): unknown {
    const row = this.db.prepare('SELECT value_json FROM kiosk_state WHERE key = ?').get(key) as { value_json: string } | undefined;
    return row ? JSON.parse(row.value_json) : undefined;
  }

  /** When the kiosk configuration was last pushed (its age says how current the village agent and limits are). */
  kioskConfigUpdatedAt(): string | undefined {
    const row = this.db.prepare("SELECT updated_at FROM kiosk_state WHERE key = 'kiosk.config'").get() as { updated_at: string } | undefined;
    return row?.updated_at;
  }

  /** Counts for the staff diagnostics screen. */
  stats(): { outboxPending: number; outboxHalted: boolean; openPayments: number; unattributedCashFen: number } {
    return {
      outboxPending: this.outbox.depth(),
      outboxHalted: this.outbox.halted() !== undefined,
      openPayments: this.payments.openCount(),
      unattributedCashFen: this.unattributedCashFen(),
    };
  }

  close(): void {
    this.db.close();
  }
}
