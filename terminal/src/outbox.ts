// Relays the journal's money events to the gateway (issue 11 section 3):
// oldest first, in batches of up to OUTBOX_BATCH_LIMIT, until each is
// answered with a committed result. Replays are harmless: the gateway answers
// `exists` with the first result. While the link is down, or a request times
// out or is dropped, the events wait in the journal, for days if need be, and
// are sent again. A refusal, or any ledger result but `created` / `exists`,
// stops the outbox at that entry (the protocol's `haltsOutbox`): an alarm is
// raised, and nothing after it is sent until an operator settles it at the
// county office (the gateway then pushes `outbox.settled`).
import type { Logger } from 'pino';
import { OUTBOX_BATCH_LIMIT, PROTOCOL_VERSION, haltsOutbox, type EventOutcome, type MoneyEvent, type OutboxSettled } from '@nongbao/protocol';
import type { Journal, OutboxRow } from './journal/index.js';
import type { GatewayLink } from './uplink.js';
import { buildMoneyEvent } from './wire.js';

/** How often the outbox is retried while something is pending. */
export const OUTBOX_RETRY_INTERVAL_MS = 5_000;

/** What the payment desk and the session hand finished money events to. */
export interface MoneyEventSink {
  /** Events were queued in the journal: send them when possible. */
  queued(): void;
}

export type RoundEnd = 'empty' | 'offline' | 'halted' | 'retry-later' | 'stopped';

export class OutboxRelay implements MoneyEventSink {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<RoundEnd> | null = null;
  private stopped = false;
  /** Kicked while a round ran: run another when it ends. */
  private again = false;

  constructor(
    private readonly deps: { journal: Journal; link: GatewayLink; terminalId: string; logger: Logger; retryIntervalMs?: number; batchLimit?: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.deps.retryIntervalMs ?? OUTBOX_RETRY_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  queued(): void {
    this.kick();
  }

  /** Sends what is pending now; a kick during a round runs one more round after it. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round().finally(() => {
      this.running = null;
      if (this.again) {
        this.again = false;
        this.kick();
      }
    });
  }

  /** Resolves when the current round (if any) has ended. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** An operator settled the entry the outbox stopped at: it goes on. */
  settled(push: OutboxSettled): void {
    if (this.deps.journal.outbox.markSettled(push.eventId)) {
      this.deps.journal.clearAlarm('outbox-halted', push.eventId);
      this.deps.logger.warn({ event: 'outbox.settled', id: push.eventId, settledBy: push.settledBy, note: push.note });
      this.kick();
    }
  }

  /** One round: batches in journal order until nothing is pending, the link fails, or an entry halts the outbox. */
  async round(): Promise<RoundEnd> {
    const { journal, link } = this.deps;
    for (;;) {
      if (this.stopped) return 'stopped';
      if (journal.outbox.halted()) return 'halted';
      if (!link.connected) return 'offline';
      const rows = journal.outbox.pending(this.deps.batchLimit ?? OUTBOX_BATCH_LIMIT);
      if (rows.length === 0) return 'empty';
      const batch = this.build(rows);
      if (batch.length === 0) continue;
      const end = await this.send(batch);
      if (end !== 'sent') return end;
    }
  }

  /** The events of `rows` up to the first that cannot be built, which halts the outbox. */
  private build(rows: readonly OutboxRow[]): { row: OutboxRow; event: MoneyEvent }[] {
    const batch: { row: OutboxRow; event: MoneyEvent }[] = [];
    for (const row of rows) {
      const built = buildMoneyEvent(this.deps.journal, row);
      if (!built.ok) {
        this.halt(row, null, built.why);
        break;
      }
      batch.push({ row, event: built.event });
    }
    return batch;
  }

  private async send(batch: { row: OutboxRow; event: MoneyEvent }[]): Promise<'sent' | 'halted' | 'retry-later'> {
    const { journal, link, logger, terminalId } = this.deps;
    logger.debug({ event: 'outbox.sending', ids: batch.map((b) => b.row.id) });
    const reply = await link.request('outbox.submit', { v: PROTOCOL_VERSION, terminalId, events: batch.map((b) => b.event) });
    if (!reply.ok) {
      journal.outbox.attemptFailed(batch.map((b) => b.row.id));
      if (reply.error.code === 'unavailable' || reply.error.code === 'internal' || reply.error.code === 'rate-limited') {
        logger.warn({ event: 'outbox.retry_later', first: batch[0]!.row.id, size: batch.length, code: reply.error.code });
        return 'retry-later';
      }
      // The whole request was refused (a malformed batch, a version the gateway does not speak): it will not change by itself.
      this.halt(batch[0]!.row, null, `${reply.error.code}: ${reply.error.message}`);
      return 'halted';
    }
    // Answered, not yet journaled: a step the chaos run kills at (the gateway must then answer the resend `exists`).
    logger.debug({ event: 'outbox.reply_received', ids: batch.map((b) => b.row.id) });
    const byId = new Map(reply.data.results.map((r) => [r.id, r]));
    for (const { row, event } of batch) {
      const outcome = byId.get(row.id);
      if (!outcome || outcome.outcome === 'not-applied') return 'retry-later';
      if (haltsOutbox(event.kind, outcome)) {
        this.halt(row, outcome, describe(outcome));
        return 'halted';
      }
      journal.outbox.markDone(row.id, outcome, new Date().toISOString());
      this.logAnswered(row, outcome);
    }
    return 'sent';
  }

  private halt(row: OutboxRow, outcome: EventOutcome | null, why: string): void {
    this.deps.journal.outbox.markHalted(row.id, outcome, why, new Date().toISOString());
    this.deps.journal.raiseAlarm('outbox-halted', `the outbox stopped at ${row.kind} ${row.id}: ${why}`, row.id);
    this.deps.logger.error({ event: 'outbox.halted', id: row.id, kind: row.kind, why });
  }

  private logAnswered(row: OutboxRow, outcome: EventOutcome): void {
    if (outcome.outcome === 'refused') {
      // A refused certification moves no money: the outbox goes on, staff are told.
      this.deps.journal.raiseAlarm('certification-refused', `${row.kind} ${row.id} refused: ${describe(outcome)}`, row.id);
      this.deps.logger.error({ event: 'outbox.refused', id: row.id, kind: row.kind, reason: outcome.error.reason ?? outcome.error.code });
      return;
    }
    if (outcome.outcome === 'applied' && outcome.money.booking === 'credit' && outcome.money.reason) {
      this.deps.logger.warn({ event: 'outbox.booked_as_credit', id: row.id, reason: outcome.money.reason });
      return;
    }
    this.deps.logger.info({ event: 'outbox.answered', id: row.id, kind: row.kind, result: outcome.outcome === 'applied' ? outcome.money.result : outcome.outcome });
  }
}

function describe(outcome: EventOutcome): string {
  if (outcome.outcome === 'refused') return `${outcome.error.code}${outcome.error.reason ? ` (${outcome.error.reason})` : ''}: ${outcome.error.message}`;
  if (outcome.outcome === 'applied') return `the ledger answered ${outcome.money.result}`;
  return 'not applied';
}
