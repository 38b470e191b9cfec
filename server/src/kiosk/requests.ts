// Residents' requests from kiosks as the county office handles them (issue 12
// section 1): "I did not receive it" complaints (with the month and the
// amount the payroll paid) and help requests. Each arrives in the kiosk's
// outbox with the id the kiosk made; a replay gets `exists`, the same id with
// other content `exists_with_different_*` (like a money event, events.ts).
// The office moves each open -> in-hand -> settled, with a note.
import type { SqlDatabase } from '../sql/types.js';
import type { HelpRequestEvent, MoneyResultCode, PensionComplaintEvent } from '@nongbao/protocol';
import { migrateKiosk } from './schema.js';

export const REQUEST_STATES = ['open', 'in-hand', 'settled'] as const;
export type RequestState = (typeof REQUEST_STATES)[number];
export const REQUEST_KINDS = ['pension-complaint', 'help-request'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
/** Requests listed per page at the office. */
export const REQUESTS_PAGE_LIMIT = 500;

export interface KioskRequest {
  id: string;
  terminalId: string;
  kind: RequestKind;
  citizenNumber: string | null;
  villageCode: string | null;
  month: string | null;
  amountFen: number | null;
  madeAt: string;
  receivedAt: string;
  state: RequestState;
  stateBy: string | null;
  stateAt: string | null;
  note: string | null;
}

interface RequestRow {
  id: string;
  terminal_id: string;
  kind: RequestKind;
  citizen_number: string | null;
  village_code: string | null;
  month: string | null;
  amount_fen: number | null;
  made_at: string;
  received_at: string;
  state: RequestState;
  state_by: string | null;
  state_at: string | null;
  note: string | null;
}

const toRequest = (r: RequestRow): KioskRequest => ({
  id: r.id,
  terminalId: r.terminal_id,
  kind: r.kind,
  citizenNumber: r.citizen_number,
  villageCode: r.village_code,
  month: r.month,
  amountFen: r.amount_fen,
  madeAt: r.made_at,
  receivedAt: r.received_at,
  state: r.state,
  stateBy: r.state_by,
  stateAt: r.state_at,
  note: r.note,
});

/** Which moves the office may make: forward only, and a settled request stays settled. */
const NEXT_STATES: Record<RequestState, readonly RequestState[]> = { open: ['in-hand', 'settled'], 'in-hand': ['settled'], settled: [] };

export type StateChange = { ok: true; request: KioskRequest } | { ok: false; problem: 'not-found' | 'not-allowed'; state?: RequestState };

export class KioskRequests {
  constructor(private readonly db: SqlDatabase) {
    migrateKiosk(db);
  }

  get(id: string): KioskRequest | undefined {
    const row = this.db.prepare('SELECT * FROM kiosk_requests WHERE id = ?').get(id) as RequestRow | undefined;
    return row ? toRequest(row) : undefined;
  }

  /**
   * Records a request from `terminalId` (call inside the batch's transaction).
   * `amountFen` of a complaint is the payroll's, not the kiosk's word.
   */
  record(
    terminalId: string,
    event: PensionComplaintEvent | HelpRequestEvent,
    facts: { villageCode: string | null; amountFen: number | null; receivedAt: string },
  ): MoneyResultCode {
    const stored = this.get(event.id);
    const month = event.kind === 'pension-complaint' ? event.month : null;
    if (stored) {
      if (stored.terminalId !== terminalId) return 'exists_with_different_debit_account_id';
      if (stored.citizenNumber !== event.citizenNumber) return 'exists_with_different_credit_account_id';
      if (stored.kind !== event.kind) return 'exists_with_different_code';
      if (Date.parse(stored.madeAt) !== Date.parse(event.at)) return 'exists_with_different_at';
      if (stored.month !== month) return 'exists_with_different_meta';
      return 'exists';
    }
    this.db
      .prepare(
        `INSERT INTO kiosk_requests (id, terminal_id, kind, citizen_number, village_code, month, amount_fen, made_at, received_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(event.id, terminalId, event.kind, event.citizenNumber, facts.villageCode, month, facts.amountFen, event.at, facts.receivedAt);
    return 'created';
  }

  list(filter: { state?: RequestState; kind?: RequestKind; limit?: number } = {}): KioskRequest[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM kiosk_requests WHERE (? IS NULL OR state = ?) AND (? IS NULL OR kind = ?)
         ORDER BY received_at DESC, id DESC LIMIT ?`,
      )
      .all(filter.state ?? null, filter.state ?? null, filter.kind ?? null, filter.kind ?? null, filter.limit ?? REQUESTS_PAGE_LIMIT) as RequestRow[];
    return rows.map(toRequest);
  }

  /** How many requests wait in each state, by kind (the Today page's "complaints and help requests waiting"). */
  counts(): Record<RequestKind, Record<RequestState, number>> {
    const out = Object.fromEntries(REQUEST_KINDS.map((k) => [k, Object.fromEntries(REQUEST_STATES.map((s) => [s, 0]))])) as Record<RequestKind, Record<RequestState, number>>;
    const rows = this.db.prepare('SELECT kind, state, COUNT(*) AS n FROM kiosk_requests GROUP BY kind, state').all() as { kind: RequestKind; state: RequestState; n: number }[];
    for (const r of rows) out[r.kind][r.state] = r.n;
    return out;
  }

  /** The office takes a request in hand or settles it (forward only). */
  setState(id: string, state: Exclude<RequestState, 'open'>, by: string, note: string, atIso: string): StateChange {
    return this.db.transaction((): StateChange => {
      const request = this.get(id);
      if (!request) return { ok: false, problem: 'not-found' };
      if (!NEXT_STATES[request.state].includes(state)) return { ok: false, problem: 'not-allowed', state: request.state };
      this.db.prepare('UPDATE kiosk_requests SET state = ?, state_by = ?, state_at = ?, note = ? WHERE id = ?').run(state, by, atIso, note, id);
      return { ok: true, request: this.get(id)! };
    })();
  }
}
