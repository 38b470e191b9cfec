// Payment and note rows (ARCHITECTURE.md journey 2): each cash payment, and
// each note *before* the stack command and again once the acceptor reports
// it stacked. Rows in, rows out: no wire messages here.
import type { CreditCloseReason } from '@nongbao/protocol';
import type { JournalDatabase } from './db.js';
import type { StackingNote } from './note-matching.js';

export type PaymentState = 'open' | 'complete' | 'cancelled';

export interface PaymentRow {
  id: string;
  citizenNumber: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
  state: PaymentState;
  closeReason: CreditCloseReason | null;
  openedAt: string;
  closedAt: string | null;
  /** Taken while the gateway was unreachable: the signature of its provisional receipt. */
  offlineSignature: string | null;
}

interface PaymentDbRow {
  id: string;
  citizen_number: string;
  contribution_year: number;
  tier_yuan: number;
  due_fen: number;
  stacked_fen: number;
  state: PaymentState;
  close_reason: CreditCloseReason | null;
  opened_at: string;
  closed_at: string | null;
  offline_signature: string | null;
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
    closeReason: row.close_reason,
    openedAt: row.opened_at,
    closedAt: row.closed_at,
    offlineSignature: row.offline_signature,
  };
}

export class PaymentRows {
  constructor(private readonly db: JournalDatabase) {}

  open(p: { id: string; citizenNumber: string; year: number; tierYuan: number; dueFen: number; openedAt: string }): void {
    this.db
      .prepare(
        `INSERT INTO payment (id, citizen_number, contribution_year, tier_yuan, due_fen, state, opened_at)
         VALUES (?, ?, ?, ?, ?, 'open', ?)`,
      )
      .run(p.id, p.citizenNumber, p.year, p.tierYuan, p.dueFen, p.openedAt);
  }

  get(id: string): PaymentRow | undefined {
    const row = this.db.prepare('SELECT * FROM payment WHERE id = ?').get(id) as PaymentDbRow | undefined;
    return row ? toPayment(row) : undefined;
  }

  openOnes(): PaymentRow[] {
    return (this.db.prepare("SELECT * FROM payment WHERE state = 'open' ORDER BY opened_at").all() as PaymentDbRow[]).map(toPayment);
  }

  /** Journals a note about to be stacked: durable before the stack command goes out. */
  noteStacking(paymentId: string, escrowCounter: number, amountFen: number, at: string): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO payment_note (payment_id, escrow_counter, amount_fen, state, decided_at)
         VALUES (?, ?, ?, 'stacking', ?)`,
      )
      .run(paymentId, escrowCounter, amountFen, at);
  }

  /** Notes journaled 'stacking' with their payment's state, for note-matching.ts. */
  stackingNotes(): StackingNote[] {
    const rows = this.db
      .prepare(
        `SELECT n.payment_id, n.escrow_counter, n.amount_fen, n.decided_at, p.state, p.due_fen, p.stacked_fen
         FROM payment_note n JOIN payment p ON p.id = n.payment_id WHERE n.state = 'stacking'`,
      )
      .all() as { payment_id: string; escrow_counter: number; amount_fen: number; decided_at: string; state: PaymentState; due_fen: number; stacked_fen: number }[];
    return rows.map((r) => ({
      paymentId: r.payment_id,
      escrowCounter: r.escrow_counter,
      amountFen: r.amount_fen,
      decidedAt: r.decided_at,
      paymentOpen: r.state === 'open',
      paymentDueFen: r.due_fen,
      paymentStackedFen: r.stacked_fen,
    }));
  }

  /** The note is stacked: it counts towards its payment. */
  confirmNote(note: Pick<StackingNote, 'paymentId' | 'escrowCounter' | 'amountFen'>, at: string): void {
    this.db
      .prepare("UPDATE payment_note SET state = 'stacked', stacked_at = ? WHERE payment_id = ? AND escrow_counter = ?")
      .run(at, note.paymentId, note.escrowCounter);
    this.db.prepare('UPDATE payment SET stacked_fen = stacked_fen + ? WHERE id = ?').run(note.amountFen, note.paymentId);
  }

  close(id: string, state: 'complete' | 'cancelled', at: string, reason: CreditCloseReason | null, offlineSignature: string | null): void {
    this.db
      .prepare('UPDATE payment SET state = ?, close_reason = ?, closed_at = ?, offline_signature = ? WHERE id = ?')
      .run(state, reason, at, offlineSignature, id);
  }

  markReceiptPrinted(id: string, at: string): void {
    this.db.prepare('UPDATE payment SET receipt_printed_at = ? WHERE id = ?').run(at, id);
  }

  /** Completed payments of this person whose outbox entry the gateway has not answered yet. */
  unconfirmedFor(citizenNumber: string): PaymentRow[] {
    return (
      this.db
        .prepare(
          `SELECT p.* FROM payment p JOIN outbox o ON o.id = p.id
           WHERE p.citizen_number = ? AND p.state = 'complete' AND o.state IN ('pending', 'halted') ORDER BY p.closed_at`,
        )
        .all(citizenNumber) as PaymentDbRow[]
    ).map(toPayment);
  }

  /** Cash taken offline since the last sync: completed offline payments not yet answered by the gateway. */
  offlineSinceSync(): { payments: number; amountFen: number } {
    const row = this.db
      .prepare(
        `SELECT COUNT(*) AS n, COALESCE(SUM(p.stacked_fen), 0) AS fen FROM payment p JOIN outbox o ON o.id = p.id
         WHERE p.offline_signature IS NOT NULL AND o.state IN ('pending', 'halted')`,
      )
      .get() as { n: number; fen: number };
    return { payments: row.n, amountFen: row.fen };
  }

  /** Counts for the staff screen. */
  openCount(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM payment WHERE state = 'open'").get() as { n: number }).n;
  }
}
