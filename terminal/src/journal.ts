// The kiosk's journal (better-sqlite3, WAL, synchronous=FULL): the only place
// on the kiosk where money or account data lives.
// - account_cache: the offline cache of account summaries, so a resident still
//   sees their account while the village's network is down (journey 1);
// - payment / payment_note: each cash payment, and each note *before* the
//   stack command and again once the acceptor reports it stacked (journey 2);
// - outbox: money events to relay to the gateway until acknowledged;
// - unattributed_cash: credits the acceptor reported with no payment to own
//   them (e.g. after a power cut mid-escrow), for the cash-box reconciliation;
// - device_state: the bill acceptor's last event counter, so a credit is
//   counted once across restarts.
import { openDatabase, type SqliteDatabase } from '@nongbao/server/db';
import {
  PROTOCOL_VERSION,
  accountSummarySchema,
  type AccountSummary,
  type CashCreditSubmit,
  type CertificationSubmit,
  type PaymentSubmit,
} from '@nongbao/server/protocol';

/** Outbox rows sent per round. */
export const OUTBOX_BATCH_LIMIT = 50;

export type PaymentState = 'open' | 'complete' | 'cancelled';
export type CreditReason = CashCreditSubmit['reason'];

export interface PaymentRow {
  id: string;
  citizenNumber: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
  state: PaymentState;
  openedAt: string;
  closedAt: string | null;
}

export type OutboxEntry =
  | { id: string; kind: 'payment'; payload: PaymentSubmit; attempts: number }
  | { id: string; kind: 'cash-credit'; payload: CashCreditSubmit; attempts: number }
  | { id: string; kind: 'certification'; payload: CertificationSubmit; attempts: number };

/** The journal's schema version (PRAGMA user_version); see `migrate`. */
export const JOURNAL_SCHEMA_VERSION = 2;

interface PaymentDbRow {
  id: string;
  citizen_number: string;
  contribution_year: number;
  tier_yuan: number;
  due_fen: number;
  stacked_fen: number;
  state: PaymentState;
  opened_at: string;
  closed_at: string | null;
}

function toPayment(row: PaymentDbRow): PaymentRow {
  return {
    id: row.id,
    citizenNumber: row.citizen_number,
    year: row.contribution_year,
    tierYuan: row.tier_yuan,
    dueFen: row.due_fen,
    stackedFen: row.stacked_fen,
    state: row.state,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
  };
}

/** Cached summaries kept at most; the oldest are dropped first. */
export const ACCOUNT_CACHE_LIMIT = 5_000;

export class Journal {
  readonly db: SqliteDatabase;

  constructor(path: string) {
    this.db = openDatabase(path);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS account_cache (
        citizen_number TEXT PRIMARY KEY,
        summary_json TEXT NOT NULL,
        cached_at TEXT NOT NULL
      );
      CREATE TABLE IF NOT EXISTS payment (
        id TEXT PRIMARY KEY,
        citizen_number TEXT NOT NULL,
        contribution_year INTEGER NOT NULL,
        tier_yuan INTEGER NOT NULL,
        due_fen INTEGER NOT NULL CHECK (due_fen > 0),
        stacked_fen INTEGER NOT NULL DEFAULT 0 CHECK (stacked_fen >= 0 AND stacked_fen <= due_fen),
        state TEXT NOT NULL CHECK (state IN ('open', 'complete', 'cancelled')),
        close_reason TEXT,
        opened_at TEXT NOT NULL,
        closed_at TEXT,
        receipt_printed_at TEXT
      ) STRICT;
      CREATE TABLE IF NOT EXISTS payment_note (
        payment_id TEXT NOT NULL REFERENCES payment(id),
        escrow_counter INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
        state TEXT NOT NULL CHECK (state IN ('stacking', 'stacked')),
        decided_at TEXT NOT NULL,
        stacked_at TEXT,
        PRIMARY KEY (payment_id, escrow_counter)
      ) STRICT;
      CREATE TABLE IF NOT EXISTS outbox (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
        payload_json TEXT NOT NULL,
        created_at TEXT NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        sent_at TEXT,
        result TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);
      CREATE TABLE IF NOT EXISTS unattributed_cash (
        event_counter INTEGER NOT NULL,
        amount_fen INTEGER NOT NULL,
        reported_at TEXT NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS device_state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
    `);
    this.migrate();
  }

  /**
   * Brings a journal written by an earlier version up to date, in one
   * transaction; nothing in it is lost. Version 1 -> 2: the outbox takes
   * proof-of-life certifications (SQLite cannot alter a CHECK, so the table
   * is copied).
   */
  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version >= JOURNAL_SCHEMA_VERSION) return;
    this.db.transaction(() => {
      const outboxSql = (this.db.prepare("SELECT sql FROM sqlite_master WHERE name = 'outbox'").get() as { sql: string }).sql;
      if (!outboxSql.includes("'certification'")) {
        this.db.exec(`
          ALTER TABLE outbox RENAME TO outbox_v1;
          CREATE TABLE outbox (
            id TEXT PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
            payload_json TEXT NOT NULL,
            created_at TEXT NOT NULL,
            attempts INTEGER NOT NULL DEFAULT 0,
            sent_at TEXT,
            result TEXT
          ) STRICT;
          INSERT INTO outbox SELECT * FROM outbox_v1;
          DROP TABLE outbox_v1;
          CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (sent_at, created_at);
        `);
      }
      this.db.pragma(`user_version = ${JOURNAL_SCHEMA_VERSION}`);
    })();
  }

  // ---------------------------------------------------------------- payments

  openPayment(p: { id: string; citizenNumber: string; year: number; tierYuan: number; dueFen: number; openedAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO payment (id, citizen_number, contribution_year, tier_yuan, due_fen, state, opened_at)
         VALUES (?, ?, ?, ?, ?, 'open', ?)`,
      )
      .run(p.id, p.citizenNumber, p.year, p.tierYuan, p.dueFen, p.openedAt);
  }

  payment(id: string): PaymentRow | undefined {
    const row = this.db.prepare('SELECT * FROM payment WHERE id = ?').get(id) as PaymentDbRow | undefined;
    return row ? toPayment(row) : undefined;
  }

  openPayments(): PaymentRow[] {
    return (this.db.prepare("SELECT * FROM payment WHERE state = 'open' ORDER BY opened_at").all() as PaymentDbRow[]).map(toPayment);
  }

  /** Journals a note we are about to stack: durable before the stack command goes out. */
  noteStacking(paymentId: string, escrowCounter: number, amountFen: number, at: string): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO payment_note (payment_id, escrow_counter, amount_fen, state, decided_at)
         VALUES (?, ?, ?, 'stacking', ?)`,
      )
      .run(paymentId, escrowCounter, amountFen, at);
  }

  /**
   * The acceptor reported a credit: confirms the oldest note of that amount
   * being stacked for an open payment, adds it to the payment, and stores the
   * acceptor's event counter, all in one transaction. A credit nobody was
   * stacking for, or one that would take a payment past what is due (an
   * acceptor that stacked a note it was told to return), is kept as
   * unattributed cash for the cash-box reconciliation.
   */
  noteCredited(amountFen: number, eventCounter: number, at: string): { payment: PaymentRow } | { unattributed: true } {
    return this.db.transaction(() => {
      this.setDeviceCounter(eventCounter);
      const note = this.db
        .prepare(
          `SELECT n.payment_id, n.escrow_counter FROM payment_note n JOIN payment p ON p.id = n.payment_id
           WHERE n.state = 'stacking' AND n.amount_fen = ? AND p.state = 'open' AND p.stacked_fen + n.amount_fen <= p.due_fen
           ORDER BY n.decided_at LIMIT 1`,
        )
        .get(amountFen) as { payment_id: string; escrow_counter: number } | undefined;
      if (!note) {
        this.db.prepare('INSERT INTO unattributed_cash (event_counter, amount_fen, reported_at) VALUES (?, ?, ?)').run(eventCounter, amountFen, at);
        return { unattributed: true as const };
      }
      this.db
        .prepare("UPDATE payment_note SET state = 'stacked', stacked_at = ? WHERE payment_id = ? AND escrow_counter = ?")
        .run(at, note.payment_id, note.escrow_counter);
      this.db.prepare('UPDATE payment SET stacked_fen = stacked_fen + ? WHERE id = ?').run(amountFen, note.payment_id);
      return { payment: this.payment(note.payment_id)! };
    })();
  }

  /** The payment is fully paid: closed and queued for the gateway in one transaction. */
  completePayment(id: string, at: string): PaymentSubmit {
    return this.db.transaction(() => {
      const payment = this.payment(id);
      if (!payment || payment.state !== 'open') throw new Error(`payment ${id} is not open`);
      if (payment.stackedFen !== payment.dueFen) throw new Error(`payment ${id} is short: ${payment.stackedFen} of ${payment.dueFen} fen`);
      this.db.prepare("UPDATE payment SET state = 'complete', closed_at = ? WHERE id = ?").run(at, id);
      const submit: PaymentSubmit = {
        v: PROTOCOL_VERSION,
        id,
        citizenNumber: payment.citizenNumber,
        year: payment.year,
        tierYuan: payment.tierYuan,
        cashFen: payment.stackedFen,
        paidAt: at,
      };
      this.enqueue(id, 'payment', submit, at);
      return submit;
    })();
  }

  /**
   * The payment ends short (cancelled, card pulled, fault): what was stacked
   * becomes the person's credit, queued for the gateway. Returns the credit,
   * or null when nothing was stacked.
   */
  closePaymentShort(id: string, reason: CreditReason, at: string): CashCreditSubmit | null {
    return this.db.transaction(() => {
      const payment = this.payment(id);
      if (!payment || payment.state !== 'open') return null;
      this.db.prepare("UPDATE payment SET state = 'cancelled', close_reason = ?, closed_at = ? WHERE id = ?").run(reason, at, id);
      if (payment.stackedFen === 0) return null;
      const credit: CashCreditSubmit = {
        v: PROTOCOL_VERSION,
        id,
        citizenNumber: payment.citizenNumber,
        amountFen: payment.stackedFen,
        at,
        reason,
      };
      this.enqueue(id, 'cash-credit', credit, at);
      return credit;
    })();
  }

  /** Queues a proof-of-life certification made at this kiosk. */
  queueCertification(certification: CertificationSubmit, at: string): void {
    this.enqueue(certification.id, 'certification', certification, at);
  }

  markReceiptPrinted(id: string, at: string): void {
    this.db.prepare('UPDATE payment SET receipt_printed_at = ? WHERE id = ?').run(at, id);
  }

  // ---------------------------------------------------------------- outbox

  private enqueue(id: string, kind: OutboxEntry['kind'], payload: unknown, at: string): void {
    this.db.prepare('INSERT INTO outbox (id, kind, payload_json, created_at) VALUES (?, ?, ?, ?)').run(id, kind, JSON.stringify(payload), at);
  }

  pendingOutbox(limit = OUTBOX_BATCH_LIMIT): OutboxEntry[] {
    const rows = this.db
      .prepare('SELECT id, kind, payload_json, attempts FROM outbox WHERE sent_at IS NULL ORDER BY created_at LIMIT ?')
      .all(limit) as Array<{ id: string; kind: OutboxEntry['kind']; payload_json: string; attempts: number }>;
    return rows.map((r) => ({ id: r.id, kind: r.kind, payload: JSON.parse(r.payload_json), attempts: r.attempts }) as OutboxEntry);
  }

  /** The gateway answered (created, exists, or a refusal to look into): the entry is done. */
  outboxAnswered(id: string, result: string, at: string): void {
    this.db.prepare('UPDATE outbox SET sent_at = ?, result = ?, attempts = attempts + 1 WHERE id = ?').run(at, result, id);
  }

  outboxAttemptFailed(id: string): void {
    this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?').run(id);
  }

  outboxResult(id: string): { sentAt: string | null; result: string | null } | undefined {
    const row = this.db.prepare('SELECT sent_at, result FROM outbox WHERE id = ?').get(id) as { sent_at: string | null; result: string | null } | undefined;
    return row ? { sentAt: row.sent_at, result: row.result } : undefined;
  }

  /** Counts for the staff diagnostics screen. */
  stats(): { outboxPending: number; openPayments: number; unattributedCashFen: number } {
    const outboxPending = (this.db.prepare('SELECT COUNT(*) AS n FROM outbox WHERE sent_at IS NULL').get() as { n: number }).n;
    const openPayments = (this.db.prepare("SELECT COUNT(*) AS n FROM payment WHERE state = 'open'").get() as { n: number }).n;
    const unattributedCashFen = (this.db.prepare('SELECT COALESCE(SUM(amount_fen), 0) AS s FROM unattributed_cash').get() as { s: number }).s;
    return { outboxPending, openPayments, unattributedCashFen };
  }

  // ---------------------------------------------------------------- devices

  deviceCounter(): number | undefined {
    const row = this.db.prepare("SELECT value FROM device_state WHERE key = 'billAcceptor.lastEventCounter'").get() as { value: string } | undefined;
    return row ? Number(row.value) : undefined;
  }

  setDeviceCounter(counter: number): void {
    this.db.prepare("INSERT OR REPLACE INTO device_state (key, value) VALUES ('billAcceptor.lastEventCounter', ?)").run(String(counter));
  }

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

  close(): void {
    this.db.close();
  }
}
