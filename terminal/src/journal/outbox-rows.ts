// Outbox rows: which money events wait for the gateway, in journal order
// (rowid), and what happened to each (issue 11 section 3). An entry is
// `pending` until the gateway answers it with a committed result (`done`),
// or stops the outbox (`halted`) until an operator settles it (`settled`).
import type { EventOutcome, MoneyEventKind, MoneyResult } from '@nongbao/protocol';
import type { JournalDatabase } from './db.js';

export type OutboxState = 'pending' | 'done' | 'halted' | 'settled';

export interface OutboxRow {
  id: string;
  kind: MoneyEventKind;
  state: OutboxState;
  attempts: number;
  createdAt: string;
  /** The ledger's result once answered. */
  result: string | null;
  booking: MoneyResult['booking'] | null;
  reason: string | null;
  outcome: EventOutcome | null;
}

interface OutboxDbRow {
  id: string;
  kind: MoneyEventKind;
  state: OutboxState;
  attempts: number;
  created_at: string;
  result: string | null;
  booking: MoneyResult['booking'] | null;
  reason: string | null;
  outcome_json: string | null;
}

function toRow(r: OutboxDbRow): OutboxRow {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    attempts: r.attempts,
    createdAt: r.created_at,
    result: r.result,
    booking: r.booking,
    reason: r.reason,
    outcome: r.outcome_json ? (JSON.parse(r.outcome_json) as EventOutcome) : null,
  };
}

export class OutboxRows {
  constructor(private readonly db: JournalDatabase) {}

  /** Queues an event; call in the transaction that records it. */
  enqueue(id: string, kind: MoneyEventKind, at: string): void {
    this.db.prepare("INSERT INTO outbox (id, kind, payload_json, created_at, state) VALUES (?, ?, '{}', ?, 'pending')").run(id, kind, at);
  }

  /** The oldest pending entries, in journal order. */
  pending(limit: number): OutboxRow[] {
    return (this.db.prepare("SELECT * FROM outbox WHERE state = 'pending' ORDER BY rowid LIMIT ?").all(limit) as OutboxDbRow[]).map(toRow);
  }

  get(id: string): OutboxRow | undefined {
    const row = this.db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as OutboxDbRow | undefined;
    return row ? toRow(row) : undefined;
  }

  /** The entry the outbox stopped at, if any: nothing is sent past it until it is settled. */
  halted(): OutboxRow | undefined {
    const row = this.db.prepare("SELECT * FROM outbox WHERE state = 'halted' ORDER BY rowid LIMIT 1").get() as OutboxDbRow | undefined;
    return row ? toRow(row) : undefined;
  }

  /**
   * The gateway answered these entries with committed results: marked in one
   * transaction, one disk sync per batch rather than per entry (synchronous=FULL).
   */
  markDone(answers: readonly { id: string; outcome: EventOutcome }[], at: string): void {
    const update = this.db.prepare(
      "UPDATE outbox SET state = 'done', sent_at = ?, attempts = attempts + 1, result = ?, booking = ?, reason = ?, outcome_json = ? WHERE id = ?",
    );
    this.db.transaction(() => {
      for (const { id, outcome } of answers) {
        const money = outcome.outcome === 'applied' ? outcome.money : null;
        const reason = money?.reason ?? (outcome.outcome === 'refused' ? (outcome.error.reason ?? outcome.error.code) : null);
        update.run(at, money?.result ?? outcome.outcome, money?.booking ?? null, reason, JSON.stringify(outcome), id);
      }
    })();
  }

  /** The outbox stops here (a refusal, or the ledger's `exists_with_different_*`). */
  markHalted(id: string, outcome: EventOutcome | null, why: string, at: string): void {
    this.db
      .prepare("UPDATE outbox SET state = 'halted', sent_at = ?, attempts = attempts + 1, result = ?, reason = ?, outcome_json = ? WHERE id = ?")
      .run(at, outcome?.outcome === 'applied' ? outcome.money.result : (outcome?.outcome ?? 'unsendable'), why, outcome ? JSON.stringify(outcome) : null, id);
  }

  /** An operator settled the halted entry: the outbox goes on. false when it was not halted. */
  markSettled(id: string): boolean {
    return this.db.prepare("UPDATE outbox SET state = 'settled' WHERE id = ? AND state = 'halted'").run(id).changes === 1;
  }

  /** A request carrying these entries failed: counted in one transaction. */
  attemptFailed(ids: readonly string[]): void {
    const update = this.db.prepare('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
    this.db.transaction(() => {
      for (const id of ids) update.run(id);
    })();
  }

  /** Entries waiting (pending or halted). */
  depth(): number {
    return (this.db.prepare("SELECT COUNT(*) AS n FROM outbox WHERE state IN ('pending', 'halted')").get() as { n: number }).n;
  }
}
