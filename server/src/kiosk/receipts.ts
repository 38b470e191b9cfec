// Checking a provisional receipt at the county office (issue 11 section 5):
// the QR text of a payment taken offline, signed by the kiosk's enrolled key.
// The answer says whether the signature is the kiosk's and whether the
// payment has reached the ledger (and as what).
import { maskCitizenNumber, parseReceiptQr, type ProvisionalReceipt, type ReceiptParseProblem } from '@nongbao/protocol';
import type { SqlDatabase } from '../sql/types.js';
import { tableExists } from '../sql/schema.js';
import type { TerminalRegistry } from '../gateway/terminals.js';

export type ReceiptCheck =
  | { ok: false; problem: ReceiptParseProblem | 'unknown-terminal' | 'bad-signature'; detail: string; receipt?: ProvisionalReceipt }
  | {
      ok: true;
      receipt: ProvisionalReceipt;
      /** What the gateway booked for this payment id, or null while it has not arrived. */
      ledger: { booking: string; reason: string | null; receivedAt: string; matches: boolean } | null;
    };

export function checkProvisionalReceipt(db: SqlDatabase, terminals: TerminalRegistry, text: string): ReceiptCheck {
  const parsed = parseReceiptQr(text);
  if (!parsed.ok) return { ok: false, problem: parsed.problem, detail: parsed.detail };
  const { receipt } = parsed;
  if (!terminals.enrolledKey(receipt.terminalId)) {
    return { ok: false, problem: 'unknown-terminal', detail: `no terminal ${receipt.terminalId} was ever enrolled here`, receipt };
  }
  if (!terminals.verifyTerminalSignature(receipt.terminalId, parsed.signedBytes, parsed.signature)) {
    return { ok: false, problem: 'bad-signature', detail: `the signature is not ${receipt.terminalId}'s over these fields (altered, or signed by another key)`, receipt };
  }
  return { ok: true, receipt, ledger: bookedAs(db, receipt) };
}

function bookedAs(db: SqlDatabase, receipt: ProvisionalReceipt): NonNullable<Extract<ReceiptCheck, { ok: true }>['ledger']> | null {
  const exists = tableExists(db, 'kiosk_money_events');
  if (!exists) return null;
  const row = db.prepare("SELECT terminal_id, request_json, booking, reason, received_at FROM kiosk_money_events WHERE id = ? AND kind = 'payment'").get(receipt.paymentId) as
    | { terminal_id: string; request_json: string; booking: string; reason: string | null; received_at: string }
    | undefined;
  if (!row) return null;
  const request = JSON.parse(row.request_json) as { cashFen?: number; year?: number; citizenNumber?: string; paidAt?: string };
  const matches =
    row.terminal_id === receipt.terminalId &&
    request.cashFen === receipt.amountFen &&
    request.year === receipt.year &&
    typeof request.citizenNumber === 'string' &&
    maskCitizenNumber(request.citizenNumber) === receipt.maskedCitizenNumber &&
    typeof request.paidAt === 'string' &&
    Date.parse(request.paidAt) === Date.parse(receipt.paidAt);
  return { booking: row.booking, reason: row.reason, receivedAt: row.received_at, matches };
}
