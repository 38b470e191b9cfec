// What the gateway decided for each kiosk money event, by the kiosk's id
// (ARCHITECTURE.md "Replays and duplicates are harmless"). A payment may be
// booked as a contribution or, when the server would not vouch for it, as the
// person's credit counted from when it arrived: the decision depends on the
// time of arrival, so it cannot be made again for a replay. It is written in
// the same transaction as the booking, and a replay is answered from it:
// the same content gets `exists` with the first booking; the same id with
// other content gets the ledger's `exists_with_different_*` for the first
// field that differs, in the ledger's order of precedence (debit account =
// the kiosk's cash box, credit account = the person, amount, code = the kind
// of event, at, meta), and books nothing.
import { cachedStatement } from '../db.js';
import type { SqlDatabase } from '../sql/types.js';
import type { MoneyResult, MoneyResultCode } from '@nongbao/protocol';
import { KIOSK_EVENTS_PERSON_INDEX } from './kiosk-payments.js';

export type KioskEventKind = 'payment' | 'cash-credit' | 'certification';

/** The fields of each kind of event, by the ledger field a difference in them is reported as. */
const FIELDS: Record<KioskEventKind, { person: string; amount?: string; at: string[]; meta: string[] }> = {
  payment: { person: 'citizenNumber', amount: 'cashFen', at: ['paidAt'], meta: ['year', 'tierYuan'] },
  'cash-credit': { person: 'citizenNumber', amount: 'amountFen', at: ['at'], meta: ['reason'] },
  certification: { person: 'citizenNumber', at: ['certifiedAt', 'certifiedOn'], meta: ['cardSession'] },
};

export interface StoredKioskEvent {
  id: string;
  terminalId: string;
  kind: KioskEventKind;
  request: Record<string, unknown>;
  booking: MoneyResult['booking'];
  reason: MoneyResult['reason'] | null;
}

export class KioskEvents {
  constructor(private readonly db: SqlDatabase) {
    db.prepare(
      `CREATE TABLE IF NOT EXISTS kiosk_money_events (
         id TEXT PRIMARY KEY,
         terminal_id TEXT NOT NULL,
         kind TEXT NOT NULL CHECK (kind IN ('payment', 'cash-credit', 'certification')),
         request_json TEXT NOT NULL,
         booking TEXT NOT NULL CHECK (booking IN ('contribution', 'credit', 'certification')),
         reason TEXT,
         received_at TEXT NOT NULL
       ) STRICT`,
    ).run();
    // The office reads a resident's kiosk payments by person (kiosk-payments.ts).
    db.prepare(KIOSK_EVENTS_PERSON_INDEX).run();
  }

  find(id: string): StoredKioskEvent | undefined {
    const row = cachedStatement(this.db, 'SELECT * FROM kiosk_money_events WHERE id = ?').get(id) as
      | { id: string; terminal_id: string; kind: KioskEventKind; request_json: string; booking: MoneyResult['booking']; reason: string | null }
      | undefined;
    if (!row) return undefined;
    return {
      id: row.id,
      terminalId: row.terminal_id,
      kind: row.kind,
      request: JSON.parse(row.request_json) as Record<string, unknown>,
      booking: row.booking,
      reason: row.reason as MoneyResult['reason'] | null,
    };
  }

  /** Records what an event was booked as; call inside the booking's transaction. */
  record(e: { id: string; terminalId: string; kind: KioskEventKind; request: object; booking: MoneyResult['booking']; reason?: MoneyResult['reason']; receivedAt: string }): void {
    const { v: _version, ...request } = e.request as Record<string, unknown>;
    cachedStatement(this.db, 'INSERT INTO kiosk_money_events (id, terminal_id, kind, request_json, booking, reason, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)').run(e.id, e.terminalId, e.kind, JSON.stringify(request), e.booking, e.reason ?? null, e.receivedAt);
  }
}

function sameValue(field: string, a: unknown, b: unknown): boolean {
  // Timestamps compare as instants: the same moment in another offset is the same event.
  if ((field.endsWith('At') || field === 'at') && typeof a === 'string' && typeof b === 'string') return Date.parse(a) === Date.parse(b);
  return a === b;
}

/** The answer to a replay of `stored` by `terminalId` with `request` (see the file comment). */
export function replayAnswer(stored: StoredKioskEvent, terminalId: string, kind: KioskEventKind, request: Record<string, unknown>): MoneyResult {
  const booking = { booking: stored.booking, ...(stored.reason ? { reason: stored.reason } : {}) };
  const differs = (result: MoneyResultCode): MoneyResult => ({ result, ...booking });
  if (stored.terminalId !== terminalId) return differs('exists_with_different_debit_account_id');
  const fields = FIELDS[kind];
  if (!sameValue(fields.person, stored.request[fields.person], request[fields.person])) return differs('exists_with_different_credit_account_id');
  if (stored.kind !== kind) return differs('exists_with_different_code');
  if (fields.amount && !sameValue(fields.amount, stored.request[fields.amount], request[fields.amount])) return differs('exists_with_different_amount');
  if (fields.at.some((f) => !sameValue(f, stored.request[f], request[f]))) return differs('exists_with_different_at');
  if (fields.meta.some((f) => !sameValue(f, stored.request[f], request[f]))) return differs('exists_with_different_meta');
  return { result: 'exists', ...booking };
}
