// Group commit: units of work that arrive in the same turn of the event loop
// run in one SQLite transaction, each in a savepoint of its own, and each is
// answered only after that transaction has committed.
//
// Why: with WAL and synchronous=FULL (ARCHITECTURE.md "Durability") every
// commit waits for the disk (about 5 ms here). The gateway answers an outbox
// request only after its money events are committed (issue 11 section 3);
// with one commit per request, 50 kiosks relaying at once queued behind one
// disk sync each (tests/bench/gateway.bench.ts, issue 11 section 8). Their
// requests, read from the sockets in one turn, now share one sync.
//
// A unit that throws rolls back its own savepoint and is rejected; the others
// commit. When the commit itself fails, every unit of the group is rejected:
// nothing of it was written, and the kiosks send it again.
import { runTransaction } from '../db.js';
import type { SqlDatabase } from '../sql/types.js';

/**
 * Weight (money events) one group may carry before it is committed without
 * waiting for the turn to end: a group runs on the event loop in one go, and
 * at about 100 us per event 500 keep any other request waiting under ~50 ms.
 */
export const GROUP_COMMIT_WEIGHT_LIMIT = 500;

interface Unit {
  work: () => unknown;
  weight: number;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private queue: Unit[] = [];
  private queuedWeight = 0;
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly db: SqlDatabase,
    private readonly weightLimit = GROUP_COMMIT_WEIGHT_LIMIT,
  ) {}

  /**
   * Runs `work` inside the next group's transaction; resolves with its result
   * once that transaction has committed. `weight` is what the work costs
   * (events in it): a group reaching the limit is committed at once.
   */
  submit<T>(work: () => T, weight = 1): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ work, weight, resolve: resolve as (value: unknown) => void, reject });
      this.queuedWeight += weight;
      if (this.queuedWeight >= this.weightLimit) this.flush();
      else this.scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Commits what is queued now (also on close: nothing submitted is left unanswered). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    // Inside someone's transaction the group would only be a savepoint of it, answered before it commits.
    if (this.db.inTransaction) {
      this.scheduled = setImmediate(() => this.flush());
      return;
    }
    const group = this.queue;
    this.queue = [];
    this.queuedWeight = 0;
    if (group.length === 0) return;
    const outcomes: ({ ok: true; value: unknown } | { ok: false; error: unknown })[] = [];
    try {
      runTransaction(this.db, () => {
        for (const unit of group) {
          try {
            outcomes.push({ ok: true, value: runTransaction(this.db, unit.work) });
          } catch (error) {
            outcomes.push({ ok: false, error });
          }
        }
      });
    } catch (error) {
      for (const unit of group) unit.reject(error);
      return;
    }
    group.forEach((unit, i) => {
      const outcome = outcomes[i]!;
      if (outcome.ok) unit.resolve(outcome.value);
      else unit.reject(outcome.error);
    });
  }
}
