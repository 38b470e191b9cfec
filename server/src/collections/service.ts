// Cash-box collections on the server (issue 13 section 2). The gateway hands
// it every payment and credit a kiosk relays (what became of each: the
// kiosk's journal as the server knows it) and every collection; the office
// records its count against a collection's id. Each collection is decided
// once by its id: a replay is answered from the record with `exists` (or
// `exists_with_different_*` and nothing booked), in the batch's transaction,
// so a crash anywhere books it once. Differences nothing explains raise an
// alarm on the fleet (reconcile.ts, types.ts).
import type { Logger } from 'pino';
import { isBooked, notesValueFen, type CollectionEvent, type EventOutcome, type MoneyEvent, type MoneyResult, type MoneyResultCode, type NoteCount, type Reply } from '@nongbao/protocol';
import { cashBoxAccountId, cashBoxAccountSpec, type Ledger } from '../ledger/index.js';
import type { ReconciliationAlarm } from '../gateway/fleet.js';
import type { KioskCaller } from '../kiosk/money.js';
import { paidAtVerdict } from '../kiosk/window.js';
import type { SqlDatabase, SqlStatement } from '../sql/types.js';
import { toUtcIso } from '../registry/time.js';
import { CollectionError } from './errors.js';
import { collectionTransfers, countTransfers } from './postings.js';
import { reconcileCollection, type CollectionReconciliation } from './reconcile.js';
import { migrateCollections } from './schema.js';
import type { CollectionRecord, CountRecord, JournalStatement, ReconciliationAlarmKind, RelayedCashEvent } from './types.js';

/** Relayed events read per collection at most: far more than a cash box holds notes. */
export const COLLECTION_EVENTS_LIMIT = 100_000;
/** Collections listed per page. */
export const COLLECTIONS_PAGE_LIMIT = 500;

/** Where unexplained differences go (the fleet: gateway/fleet.ts). */
export interface ReconciliationAlarms {
  raiseReconciliationAlarm(a: { terminalId: string; collectionId: string; kind: ReconciliationAlarmKind; denominationFen?: number; amountFen: number; detail: string }): void;
  collectionAlarms(collectionId: string): ReconciliationAlarm[];
}

export interface CashCollectionsDeps {
  db: SqlDatabase;
  ledger: Ledger;
  alarms: ReconciliationAlarms;
  logger: Logger;
  now: () => number;
}

export type CollectionReport = CollectionReconciliation & { alarms: ReconciliationAlarm[] };

interface CollectionDbRow {
  id: string;
  terminal_id: string;
  previous_id: string | null;
  expected_previous_id: string | null;
  staff_card_number: string;
  started_at: string;
  booked_at: string;
  received_at: string;
  request_json: string;
  journal_fen: number;
  ledger_fen: number;
  counted_json: string | null;
  counted_fen: number | null;
  counted_at: string | null;
  counted_by: string | null;
  count_note: string | null;
}

interface EventDbRow {
  id: string;
  kind: RelayedCashEvent['kind'];
  citizen_number: string;
  amount_fen: number;
  kiosk_at: string;
  outcome: RelayedCashEvent['outcome'];
  reason: string | null;
  received_at: string;
  ledger_at: string | null;
}

export function toRelayed(r: EventDbRow): RelayedCashEvent {
  return { id: r.id, kind: r.kind, citizenNumber: r.citizen_number, amountFen: r.amount_fen, kioskAt: r.kiosk_at, outcome: r.outcome, reason: r.reason, receivedAt: r.received_at, ledgerAt: r.ledger_at };
}

function toRecord(r: CollectionDbRow): CollectionRecord {
  const event = JSON.parse(r.request_json) as CollectionEvent;
  const journal: JournalStatement = { notes: event.notes, amountFen: event.amountFen, payments: event.payments, credits: event.credits, unattributed: event.unattributed };
  const counted: CountRecord | null =
    r.counted_at === null ? null : { notes: JSON.parse(r.counted_json!) as NoteCount[], amountFen: r.counted_fen!, at: r.counted_at, by: r.counted_by!, note: r.count_note };
  return {
    id: r.id,
    terminalId: r.terminal_id,
    previousId: r.previous_id,
    staffCardNumber: r.staff_card_number,
    startedAt: r.started_at,
    bookedAt: r.booked_at,
    receivedAt: r.received_at,
    journal,
    ledgerFen: r.ledger_fen,
    expectedPreviousId: r.expected_previous_id,
    counted,
  };
}

/** The answer to a collection sent again with the same id (protocol: `exists`, or `exists_with_different_*`). */
export function collectionReplay(stored: { terminalId: string; event: CollectionEvent }, terminalId: string, event: CollectionEvent): MoneyResultCode {
  if (stored.terminalId !== terminalId) return 'exists_with_different_debit_account_id';
  if (stored.event.amountFen !== event.amountFen) return 'exists_with_different_amount';
  if (Date.parse(stored.event.startedAt) !== Date.parse(event.startedAt)) return 'exists_with_different_at';
  const rest = (e: CollectionEvent) => JSON.stringify([e.previousId, e.staffCardNumber, e.notes, e.payments, e.credits, e.unattributed]);
  return rest(stored.event) === rest(event) ? 'exists' : 'exists_with_different_meta';
}

/** The first booking stands; an event refused before may be decided again when it is sent again. */
const UPSERT_RELAYED = `
  INSERT INTO kiosk_cash_event (id, terminal_id, kind, citizen_number, amount_fen, kiosk_at, outcome, reason, received_at, ledger_at)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
  ON CONFLICT (id) DO UPDATE SET outcome = excluded.outcome, reason = excluded.reason, received_at = excluded.received_at, ledger_at = excluded.ledger_at
  WHERE kiosk_cash_event.outcome <> 'booked' AND kiosk_cash_event.collection_id IS NULL`;

export class CashCollections {
  /** Prepared once: every payment and credit of every kiosk passes here. */
  private readonly upsertRelayed: SqlStatement;

  constructor(private readonly deps: CashCollectionsDeps) {
    migrateCollections(deps.db, (id) => deps.ledger.getTransfer(id)?.at ?? null);
    this.upsertRelayed = deps.db.prepare(UPSERT_RELAYED);
  }

  /** Records what became of a payment or cash credit a kiosk relayed; call in the batch's transaction. */
  recordRelayed(terminalId: string, event: MoneyEvent, outcome: EventOutcome): void {
    if ((event.kind !== 'payment' && event.kind !== 'cash-credit') || outcome.outcome === 'not-applied') return;
    const amountFen = event.kind === 'payment' ? event.cashFen : event.amountFen;
    const kioskAt = toUtcIso(event.kind === 'payment' ? event.paidAt : event.at);
    let state: RelayedCashEvent['outcome'];
    let reason: string;
    if (outcome.outcome === 'refused') {
      state = 'refused';
      reason = outcome.error.reason ?? outcome.error.code;
    } else {
      state = isBooked(outcome.money.result) ? 'booked' : 'not-booked';
      reason = state === 'booked' ? [outcome.money.booking, outcome.money.reason].filter(Boolean).join(': ') : outcome.money.result;
    }
    const ledgerAt = state === 'booked' ? (this.deps.ledger.getTransfer(event.id)?.at ?? null) : null;
    this.upsertRelayed.run(event.id, terminalId, event.kind, event.citizenNumber, amountFen, kioskAt, state, reason, new Date(this.deps.now()).toISOString(), ledgerAt);
  }

  /**
   * A kiosk's collection (journal order: every payment and credit it took
   * before is in already); call in the batch's transaction. The ledger's
   * cash box empties into collections in transit (postings.ts), the relayed
   * events since the last collection become this one's, and what nothing
   * explains raises an alarm.
   */
  applyCollection(caller: KioskCaller, event: CollectionEvent): Reply<MoneyResult> {
    const stored = this.row(event.id);
    if (stored) {
      const result = collectionReplay({ terminalId: stored.terminal_id, event: JSON.parse(stored.request_json) as CollectionEvent }, caller.terminalId, event);
      if (result !== 'exists') this.deps.logger.error({ event: 'collection.id_reused', terminalId: caller.terminalId, collectionId: event.id, result });
      return { ok: true, data: { result, booking: 'collection' } };
    }
    const { db, ledger } = this.deps;
    const nowMs = this.deps.now();
    const receivedAt = new Date(nowMs).toISOString();
    // Dated by the kiosk when the server can vouch for its clock (kiosk/window.ts), else when it arrived.
    const bookedAt = paidAtVerdict(Date.parse(event.startedAt), caller.contactFloorMs, nowMs) === 'inside' ? toUtcIso(event.startedAt) : receivedAt;
    ledger.ensureAccounts([cashBoxAccountSpec(caller.terminalId)]);
    const ledgerFen = ledger.balance(cashBoxAccountId(caller.terminalId)).balanceFen;
    this.book(collectionTransfers({ collectionId: event.id, terminalId: caller.terminalId, journalFen: event.amountFen, ledgerFen, at: bookedAt }));
    const expected = db.prepare('SELECT id FROM cash_collection WHERE terminal_id = ? ORDER BY seq DESC LIMIT 1').get(caller.terminalId) as { id: string } | undefined;
    const { v: _version, ...request } = event as CollectionEvent & { v?: unknown };
    db.prepare(
      `INSERT INTO cash_collection (id, terminal_id, previous_id, expected_previous_id, staff_card_number, started_at, booked_at, received_at, request_json, journal_fen, ledger_fen, seq)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(seq), 0) + 1 FROM cash_collection WHERE terminal_id = ?))`,
    ).run(event.id, caller.terminalId, event.previousId, expected?.id ?? null, event.staffCardNumber, toUtcIso(event.startedAt), bookedAt, receivedAt, JSON.stringify(request), event.amountFen, ledgerFen, caller.terminalId);
    db.prepare('UPDATE kiosk_cash_event SET collection_id = ? WHERE terminal_id = ? AND collection_id IS NULL').run(event.id, caller.terminalId);
    const report = this.reconcile(this.row(event.id)!);
    this.raiseAlarms(report);
    this.deps.logger.info({ event: 'collection.booked', terminalId: caller.terminalId, collectionId: event.id, journalFen: event.amountFen, ledgerFen, explained: report.explained });
    return { ok: true, data: { result: 'created', booking: 'collection' } };
  }

  /**
   * The office counted the collection's cash: in transit settles into the
   * collection account, a shortage or surplus into the difference account,
   * once. Throws `collection-not-found` or `already-counted` (nothing changed).
   */
  recordCount(collectionId: string, count: { notes: readonly NoteCount[]; by: string; note: string | null }): CollectionReport {
    const notes = count.notes.filter((n) => n.count > 0).sort((a, b) => b.denominationFen - a.denominationFen);
    const countedFen = notesValueFen(notes);
    this.deps.db.transaction(() => {
      const row = this.row(collectionId);
      if (!row) throw new CollectionError('collection-not-found', `no collection ${collectionId}`, 'collectionId');
      if (row.counted_at !== null) {
        throw new CollectionError('already-counted', `collection ${collectionId} was counted at ${row.counted_at} by ${row.counted_by}`, 'collectionId', { countedFen: row.counted_fen, countedAt: row.counted_at, countedBy: row.counted_by });
      }
      const at = new Date(this.deps.now()).toISOString();
      this.book(countTransfers({ collectionId, terminalId: row.terminal_id, journalFen: row.journal_fen, countedFen, at }));
      this.deps.db
        .prepare('UPDATE cash_collection SET counted_json = ?, counted_fen = ?, counted_at = ?, counted_by = ?, count_note = ? WHERE id = ? AND counted_at IS NULL')
        .run(JSON.stringify(notes), countedFen, at, count.by, count.note, collectionId);
      this.raiseAlarms(this.reconcile(this.row(collectionId)!));
      this.deps.logger.info({ event: 'collection.counted', collectionId, terminalId: row.terminal_id, journalFen: row.journal_fen, countedFen, by: count.by });
    })();
    return this.report(collectionId);
  }

  /** One collection reconciled, with its alarms. */
  report(collectionId: string): CollectionReport {
    const row = this.row(collectionId);
    if (!row) throw new CollectionError('collection-not-found', `no collection ${collectionId}`, 'collectionId');
    return { ...this.reconcile(row), alarms: this.deps.alarms.collectionAlarms(collectionId) };
  }

  /** Collections, newest first: of one kiosk or all, started (kiosk's time) in [fromIso, toIso) or at any time. */
  records(terminalId: string | null, range: { fromIso: string; toIso: string } | null = null): CollectionRecord[] {
    const rows = this.deps.db
      .prepare(
        `SELECT * FROM cash_collection WHERE (@terminal IS NULL OR terminal_id = @terminal)
           AND (@from IS NULL OR (started_at >= @from AND started_at < @to)) ORDER BY started_at DESC, seq DESC LIMIT @limit`,
      )
      .all({ terminal: terminalId, from: range?.fromIso ?? null, to: range?.toIso ?? null, limit: COLLECTIONS_PAGE_LIMIT }) as CollectionDbRow[];
    return rows.map(toRecord);
  }

  /** The relayed payments and credits of a kiosk taken or booked in [fromIso, toIso). */
  eventsBetween(terminalId: string, fromIso: string, toIso: string): RelayedCashEvent[] {
    const rows = this.deps.db
      .prepare(
        `SELECT * FROM kiosk_cash_event WHERE terminal_id = @terminal
           AND ((kiosk_at >= @from AND kiosk_at < @to) OR (ledger_at >= @from AND ledger_at < @to)) ORDER BY kiosk_at, id LIMIT @limit`,
      )
      .all({ terminal: terminalId, from: fromIso, to: toIso, limit: COLLECTION_EVENTS_LIMIT }) as EventDbRow[];
    return rows.map(toRelayed);
  }

  reconcileRecord(record: CollectionRecord): CollectionReport {
    return { ...reconcileCollection(record, this.eventsOf(record.id)), alarms: this.deps.alarms.collectionAlarms(record.id) };
  }

  private reconcile(row: CollectionDbRow): CollectionReconciliation {
    return reconcileCollection(toRecord(row), this.eventsOf(row.id));
  }

  private eventsOf(collectionId: string): RelayedCashEvent[] {
    const rows = this.deps.db.prepare('SELECT * FROM kiosk_cash_event WHERE collection_id = ? ORDER BY kiosk_at, id LIMIT ?').all(collectionId, COLLECTION_EVENTS_LIMIT) as EventDbRow[];
    return rows.map(toRelayed);
  }

  private row(id: string): CollectionDbRow | undefined {
    return this.deps.db.prepare('SELECT * FROM cash_collection WHERE id = ?').get(id) as CollectionDbRow | undefined;
  }

  /** Books a chain; anything but created/exists is a bug or a broken ledger: throwing rolls the whole transaction back. */
  private book(transfers: Parameters<Ledger['createTransfers']>[0]): void {
    if (transfers.length === 0) return;
    const results = this.deps.ledger.createTransfers(transfers);
    const refused = results.find((r) => r.result !== 'created' && r.result !== 'exists');
    if (refused) throw new CollectionError('ledger-refused', `the ledger refused transfer ${refused.id}: ${refused.result}`, undefined, { results });
  }

  private raiseAlarms(report: CollectionReconciliation): void {
    for (const d of report.differences) {
      if (d.explained) continue;
      this.deps.alarms.raiseReconciliationAlarm({
        terminalId: report.terminalId,
        collectionId: report.collectionId,
        kind: d.kind as ReconciliationAlarmKind,
        ...(d.denominationFen !== undefined ? { denominationFen: d.denominationFen } : {}),
        amountFen: d.amountFen,
        detail: d.detail,
      });
      this.deps.logger.warn({ event: 'collection.unexplained_difference', terminalId: report.terminalId, collectionId: report.collectionId, kind: d.kind, amountFen: d.amountFen });
    }
  }
}
