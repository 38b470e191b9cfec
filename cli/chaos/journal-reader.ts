// A kiosk's journal (terminal/src/journal), read from outside: read-only, by
// SQL over its tables, so the chaos run's checks do not trust the code they
// check. SQLite's WAL lets this read while the terminal writes.
import Database from 'better-sqlite3';

export interface JournalPayment {
  id: string;
  citizenNumber: string;
  year: number;
  tierYuan: number;
  dueFen: number;
  stackedFen: number;
  state: 'open' | 'complete' | 'cancelled';
  closeReason: string | null;
  offline: boolean;
  receiptPrinted: boolean;
}

export interface JournalNote {
  paymentId: string;
  escrowCounter: number;
  amountFen: number;
  state: 'stacking' | 'stacked';
}

export interface JournalOutboxEntry {
  id: string;
  kind: string;
  state: 'pending' | 'done' | 'halted' | 'settled';
  result: string | null;
  booking: string | null;
  reason: string | null;
  attempts: number;
}

export interface JournalSnapshot {
  terminalId: string;
  payments: JournalPayment[];
  notes: JournalNote[];
  outbox: JournalOutboxEntry[];
  unattributedFen: { eventCounter: number; amountFen: number }[];
}

/** Waits on a journal briefly when the terminal holds a write lock. */
const JOURNAL_BUSY_TIMEOUT_MS = 5_000;

export function openJournalReadOnly(path: string): Database.Database {
  return new Database(path, { readonly: true, fileMustExist: true, timeout: JOURNAL_BUSY_TIMEOUT_MS });
}

export function readJournal(path: string, terminalId: string): JournalSnapshot {
  const db = openJournalReadOnly(path);
  try {
    const payments = (
      db
        .prepare(
          `SELECT id, citizen_number, contribution_year, tier_yuan, due_fen, stacked_fen, state, close_reason,
                  offline_signature IS NOT NULL AS offline, receipt_printed_at IS NOT NULL AS printed
           FROM payment ORDER BY opened_at`,
        )
        .all() as {
        id: string;
        citizen_number: string;
        contribution_year: number;
        tier_yuan: number;
        due_fen: number;
        stacked_fen: number;
        state: JournalPayment['state'];
        close_reason: string | null;
        offline: number;
        printed: number;
      }[]
    ).map((r) => ({
      id: r.id,
      citizenNumber: r.citizen_number,
      year: r.contribution_year,
      tierYuan: r.tier_yuan,
      dueFen: r.due_fen,
      stackedFen: r.stacked_fen,
      state: r.state,
      closeReason: r.close_reason,
      offline: r.offline === 1,
      receiptPrinted: r.printed === 1,
    }));
    const notes = (
      db.prepare('SELECT payment_id, escrow_counter, amount_fen, state FROM payment_note ORDER BY rowid').all() as {
        payment_id: string;
        escrow_counter: number;
        amount_fen: number;
        state: JournalNote['state'];
      }[]
    ).map((n) => ({ paymentId: n.payment_id, escrowCounter: n.escrow_counter, amountFen: n.amount_fen, state: n.state }));
    const outbox = db.prepare('SELECT id, kind, state, result, booking, reason, attempts FROM outbox ORDER BY rowid').all() as JournalOutboxEntry[];
    const unattributedFen = (db.prepare('SELECT event_counter, amount_fen FROM unattributed_cash ORDER BY rowid').all() as { event_counter: number; amount_fen: number }[]).map(
      (u) => ({ eventCounter: u.event_counter, amountFen: u.amount_fen }),
    );
    return { terminalId, payments, notes, outbox, unattributedFen };
  } finally {
    db.close();
  }
}

/** Payments of `ids` not settled yet: still open, or closed with an outbox entry still pending. Halted entries count as settled (the checks report them). */
export function unsettledPayments(path: string, ids: readonly string[]): string[] {
  if (ids.length === 0) return [];
  const db = openJournalReadOnly(path);
  try {
    const payment = db.prepare('SELECT state, stacked_fen FROM payment WHERE id = ?');
    const entry = db.prepare('SELECT state FROM outbox WHERE id = ?');
    return ids.filter((id) => {
      const p = payment.get(id) as { state: string; stacked_fen: number } | undefined;
      if (!p || p.state === 'open') return true;
      if (p.stacked_fen === 0) return false;
      const e = entry.get(id) as { state: string } | undefined;
      return !e || e.state === 'pending';
    });
  } finally {
    db.close();
  }
}

/** Outbox entries still pending (not halted: a halted entry waits for an operator, not for the network). */
export function pendingCount(path: string): number {
  const db = openJournalReadOnly(path);
  try {
    return (db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state = 'pending'").get() as { n: number }).n;
  } finally {
    db.close();
  }
}
