// A resident's kiosk money events as the gateway booked them (issue 14
// "Residents": "provisional kiosk payments"): each payment with the cash
// taken, whether it was taken offline (the kiosk printed a provisional
// receipt, signed with its key: issue 11 section 5) and how the server booked
// it when it arrived: a contribution, or the person's credit with the reason
// (a refusal the office settles with them). Read from kiosk_money_events
// (events.ts, which owns the table and its index by person).
import type { SqlDatabase } from '../sql/types.js';
import { tableExists } from '../sql/schema.js';

/** Kiosk events listed per resident (the newest). */
export const KIOSK_PAYMENTS_LIMIT = 200;

export interface KioskPayment {
  id: string;
  terminalId: string;
  kind: 'payment' | 'cash-credit';
  year: number | null;
  tierYuan: number | null;
  cashFen: number;
  at: string;
  /** Taken while the kiosk was offline: the resident holds a provisional receipt. */
  offline: boolean;
  booking: 'contribution' | 'credit';
  reason: string | null;
  receivedAt: string;
}

/** The expression index the reads below use; created with the table (events.ts). */
export const KIOSK_EVENTS_PERSON_INDEX = `CREATE INDEX IF NOT EXISTS kiosk_money_events_person ON kiosk_money_events (json_extract(request_json, '$.citizenNumber'), received_at)`;

export function kioskPaymentsOf(db: SqlDatabase, citizenNumber: string): KioskPayment[] {
  const table = tableExists(db, 'kiosk_money_events');
  if (!table) return [];
  const rows = db
    .prepare(
      `SELECT id, terminal_id, kind, request_json, booking, reason, received_at FROM kiosk_money_events
       WHERE json_extract(request_json, '$.citizenNumber') = ? AND kind IN ('payment', 'cash-credit')
       ORDER BY received_at DESC LIMIT ?`,
    )
    .all(citizenNumber, KIOSK_PAYMENTS_LIMIT) as { id: string; terminal_id: string; kind: 'payment' | 'cash-credit'; request_json: string; booking: 'contribution' | 'credit'; reason: string | null; received_at: string }[];
  return rows.map((r) => {
    const q = JSON.parse(r.request_json) as { year?: number; tierYuan?: number; cashFen?: number; amountFen?: number; paidAt?: string; at?: string; offline?: unknown };
    return {
      id: r.id,
      terminalId: r.terminal_id,
      kind: r.kind,
      year: q.year ?? null,
      tierYuan: q.tierYuan ?? null,
      cashFen: q.cashFen ?? q.amountFen ?? 0,
      at: q.paidAt ?? q.at ?? r.received_at,
      offline: q.offline !== undefined,
      booking: r.booking,
      reason: r.reason ?? (r.kind === 'cash-credit' ? ((q as { reason?: string }).reason ?? null) : null),
      receivedAt: r.received_at,
    };
  });
}
