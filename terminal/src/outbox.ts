// Relays the journal's money events to the gateway, oldest first, until each
// is answered. Replays are harmless: the ledger answers `exists` with the
// first result. While the link is down the events wait in the journal, for
// days if need be (ARCHITECTURE.md: "nothing is lost when the village's
// network is down").
import type { Logger } from 'pino';
import type { Journal, OutboxEntry } from './journal.js';
import type { Uplink } from './uplink.js';

/** How often the outbox is retried while something is pending. */
export const OUTBOX_RETRY_INTERVAL_MS = 5_000;

export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly deps: { journal: Journal; uplink: Uplink; logger: Logger; retryIntervalMs?: number },
  ) {}

  start(): void {
    this.stopped = false;
    this.deps.uplink.onConnect(() => this.kick());
    this.timer = setInterval(() => this.kick(), this.deps.retryIntervalMs ?? OUTBOX_RETRY_INTERVAL_MS);
    this.timer.unref();
    this.kick();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** Sends what is pending now (no-op if a round is already running). */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = true;
    void this.round().finally(() => {
      this.running = false;
    });
  }

  /** One round: sends pending entries in order until one cannot be sent. Resolves when done. */
  async round(): Promise<number> {
    let sent = 0;
    while (!this.stopped && this.deps.uplink.connected) {
      const batch = this.deps.journal.pendingOutbox();
      if (batch.length === 0) break;
      for (const entry of batch) {
        const outcome = await this.send(entry);
        if (outcome === 'retry-later') return sent;
        sent++;
      }
    }
    return sent;
  }

  private async send(entry: OutboxEntry): Promise<'answered' | 'retry-later'> {
    const reply =
      entry.kind === 'payment'
        ? await this.deps.uplink.submitPayment(entry.payload)
        : entry.kind === 'cash-credit'
          ? await this.deps.uplink.submitCashCredit(entry.payload)
          : await this.deps.uplink.submitCertification(entry.payload);
    const now = new Date().toISOString();
    if (reply.ok) {
      const result = reply.data.result;
      this.deps.journal.outboxAnswered(entry.id, result, now);
      const level = result === 'created' || result === 'exists' ? 'info' : 'error';
      this.deps.logger[level]({ event: 'outbox.answered', id: entry.id, kind: entry.kind, result });
      return 'answered';
    }
    if (reply.error.code === 'unavailable' || reply.error.code === 'internal') {
      this.deps.journal.outboxAttemptFailed(entry.id);
      this.deps.logger.warn({ event: 'outbox.retry_later', id: entry.id, code: reply.error.code });
      return 'retry-later';
    }
    // Refused or malformed: retrying will not change the answer. Kept in the
    // journal with the reason for the office to settle with the person.
    this.deps.journal.outboxAnswered(entry.id, `${reply.error.code}:${reply.error.reason ?? ''}`, now);
    this.deps.logger.error({ event: 'outbox.refused', id: entry.id, kind: entry.kind, code: reply.error.code, reason: reply.error.reason });
    return 'answered';
  }
}
