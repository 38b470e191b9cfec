// Cash-box collections (issue 13 section 2): what the journal says is in the
// box, and each time staff empty it. The box holds every stacked note and
// every unattributed credit not yet taken out by a collection; a collection
// marks them with its id in the transaction that records it, so a note is
// counted in exactly one collection, whatever crashes around it. At most one
// collection is open (started, box not yet back) at a time: the journal's
// unique index says so, not only the code. Rows in, rows out.
import type { CashTally, NoteCount } from '@nongbao/protocol';
import type { JournalDatabase } from './db.js';

/** What the journal says the cash box holds. */
export interface BoxContents {
  /** Notes by denomination, largest first; denominations with no note are left out. */
  notes: NoteCount[];
  amountFen: number;
  /** Completed payments whose notes are in the box. */
  payments: CashTally;
  /** Payments that ended short: their notes are the person's credit. */
  credits: CashTally;
  /** Notes the acceptor stacked that no payment was taking. */
  unattributed: CashTally;
}

export interface CollectionRow extends BoxContents {
  id: string;
  previousId: string | null;
  staffCardNumber: string;
  startedAt: string;
  slipPrintedAt: string | null;
  /** When staff put the box back and the kiosk took cash again; null while open. */
  finishedAt: string | null;
}

interface CollectionDbRow {
  id: string;
  previous_id: string | null;
  staff_card_number: string;
  started_at: string;
  notes_json: string;
  amount_fen: number;
  payment_count: number;
  payment_fen: number;
  credit_count: number;
  credit_fen: number;
  unattributed_count: number;
  unattributed_fen: number;
  slip_printed_at: string | null;
  finished_at: string | null;
}

function toRow(r: CollectionDbRow): CollectionRow {
  return {
    id: r.id,
    previousId: r.previous_id,
    staffCardNumber: r.staff_card_number,
    startedAt: r.started_at,
    notes: JSON.parse(r.notes_json) as NoteCount[],
    amountFen: r.amount_fen,
    payments: { count: r.payment_count, amountFen: r.payment_fen },
    credits: { count: r.credit_count, amountFen: r.credit_fen },
    unattributed: { count: r.unattributed_count, amountFen: r.unattributed_fen },
    slipPrintedAt: r.slip_printed_at,
    finishedAt: r.finished_at,
  };
}

/** Notes and unattributed credits not yet collected, with what they came from. */
const IN_BOX_NOTES = `
  SELECT n.amount_fen AS denomination_fen, n.payment_id, p.state AS payment_state
  FROM payment_note n JOIN payment p ON p.id = n.payment_id
  WHERE n.state = 'stacked' AND n.collection_id IS NULL`;

export class CollectionRows {
  constructor(private readonly db: JournalDatabase) {}

  /** What the box holds now, by the journal. */
  inBox(): BoxContents {
    const notes = this.db.prepare(IN_BOX_NOTES).all() as { denomination_fen: number; payment_id: string; payment_state: string }[];
    const unattributed = this.db.prepare('SELECT amount_fen FROM unattributed_cash WHERE collection_id IS NULL').all() as { amount_fen: number }[];
    const byDenomination = new Map<number, number>();
    const add = (fen: number) => byDenomination.set(fen, (byDenomination.get(fen) ?? 0) + 1);
    const payments = new Map<string, number>();
    const credits = new Map<string, number>();
    for (const n of notes) {
      add(n.denomination_fen);
      // An open payment cannot be in a collection (start refuses), so a note is a payment's or a credit's.
      const into = n.payment_state === 'complete' ? payments : credits;
      into.set(n.payment_id, (into.get(n.payment_id) ?? 0) + n.denomination_fen);
    }
    for (const u of unattributed) add(u.amount_fen);
    const tally = (m: Map<string, number>): CashTally => ({ count: m.size, amountFen: [...m.values()].reduce((a, b) => a + b, 0) });
    const unattributedTally: CashTally = { count: unattributed.length, amountFen: unattributed.reduce((a, u) => a + u.amount_fen, 0) };
    const noteCounts = [...byDenomination.entries()].sort((a, b) => b[0] - a[0]).map(([denominationFen, count]) => ({ denominationFen, count }) as NoteCount);
    const p = tally(payments);
    const c = tally(credits);
    return { notes: noteCounts, amountFen: p.amountFen + c.amountFen + unattributedTally.amountFen, payments: p, credits: c, unattributed: unattributedTally };
  }

  /**
   * Records a collection of what the box holds now and marks those notes as
   * taken; call in the transaction that also queues it. Throws when one is
   * open already (the unique index refuses a second).
   */
  insert(c: { id: string; staffCardNumber: string; startedAt: string }): CollectionRow {
    const box = this.inBox();
    const previous = this.last();
    this.db
      .prepare(
        `INSERT INTO collection (id, previous_id, staff_card_number, started_at, notes_json, amount_fen, payment_count, payment_fen,
           credit_count, credit_fen, unattributed_count, unattributed_fen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        c.id,
        previous?.id ?? null,
        c.staffCardNumber,
        c.startedAt,
        JSON.stringify(box.notes),
        box.amountFen,
        box.payments.count,
        box.payments.amountFen,
        box.credits.count,
        box.credits.amountFen,
        box.unattributed.count,
        box.unattributed.amountFen,
      );
    this.db.prepare("UPDATE payment_note SET collection_id = ? WHERE state = 'stacked' AND collection_id IS NULL").run(c.id);
    this.db.prepare('UPDATE unattributed_cash SET collection_id = ? WHERE collection_id IS NULL').run(c.id);
    return this.get(c.id)!;
  }

  get(id: string): CollectionRow | undefined {
    const row = this.db.prepare('SELECT * FROM collection WHERE id = ?').get(id) as CollectionDbRow | undefined;
    return row ? toRow(row) : undefined;
  }

  /** The collection in progress (box out, no cash taken), if any. */
  open(): CollectionRow | undefined {
    const row = this.db.prepare('SELECT * FROM collection WHERE finished_at IS NULL').get() as CollectionDbRow | undefined;
    return row ? toRow(row) : undefined;
  }

  /** The latest collection. */
  last(): CollectionRow | undefined {
    const row = this.db.prepare('SELECT * FROM collection ORDER BY rowid DESC LIMIT 1').get() as CollectionDbRow | undefined;
    return row ? toRow(row) : undefined;
  }

  markSlipPrinted(id: string, at: string): void {
    this.db.prepare('UPDATE collection SET slip_printed_at = COALESCE(slip_printed_at, ?) WHERE id = ?').run(at, id);
  }

  /** Staff put the box back: false when it was not open. */
  finish(id: string, at: string): boolean {
    return this.db.prepare('UPDATE collection SET finished_at = ? WHERE id = ? AND finished_at IS NULL').run(at, id).changes === 1;
  }
}
