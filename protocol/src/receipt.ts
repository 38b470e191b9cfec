// The provisional receipt of a payment taken offline (issue 11 section 5):
// its QR code holds the payment id, the amount, the contribution year, the
// masked citizen number, the time, the terminal id and the terminal's ed25519
// signature over all of them. `nongbao receipt verify "<QR text>"` at the
// county office checks it against the terminal's enrolled key.
//
// Text: NBR1|<paymentId>|<amountFen>|<year>|<maskedCitizenNumber>|<paidAt ISO>|<terminalId>|<signature base64url>
// The signature covers the UTF-8 bytes of everything before the last '|'.
import { z } from 'zod';
import { terminalIdSchema, uuidV7Schema } from './fields.js';

export const RECEIPT_QR_PREFIX = 'NBR1';
/** Longest QR text this format produces; anything longer is refused unread. */
export const RECEIPT_QR_MAX_CHARS = 400;

export const provisionalReceiptSchema = z.object({
  paymentId: uuidV7Schema,
  amountFen: z.number().int().positive().safe(),
  year: z.number().int().min(2000).max(2200),
  maskedCitizenNumber: z.string().regex(/^\d{6}\*{8}\d{3}[\dX]$/),
  paidAt: z.iso.datetime(),
  terminalId: terminalIdSchema,
});
export type ProvisionalReceipt = z.infer<typeof provisionalReceiptSchema>;

/** The bytes the terminal signs: the QR text without its signature. */
export function receiptSignedText(r: ProvisionalReceipt): string {
  return [RECEIPT_QR_PREFIX, r.paymentId, String(r.amountFen), String(r.year), r.maskedCitizenNumber, r.paidAt, r.terminalId].join('|');
}

export function receiptSigningBytes(r: ProvisionalReceipt): Uint8Array {
  return new TextEncoder().encode(receiptSignedText(r));
}

export function receiptQrText(r: ProvisionalReceipt, signatureBase64Url: string): string {
  return `${receiptSignedText(r)}|${signatureBase64Url}`;
}

export type ReceiptParseProblem = 'too-long' | 'not-a-receipt' | 'truncated' | 'malformed';

/** Reads a QR text; never throws. The signature is checked by the caller, against the terminal's key. */
export function parseReceiptQr(text: string): { ok: true; receipt: ProvisionalReceipt; signedBytes: Uint8Array; signature: string } | { ok: false; problem: ReceiptParseProblem; detail: string } {
  if (text.length > RECEIPT_QR_MAX_CHARS) return { ok: false, problem: 'too-long', detail: `more than ${RECEIPT_QR_MAX_CHARS} characters` };
  const parts = text.trim().split('|');
  if (parts[0] !== RECEIPT_QR_PREFIX) return { ok: false, problem: 'not-a-receipt', detail: `does not start with ${RECEIPT_QR_PREFIX}|` };
  if (parts.length < 8) return { ok: false, problem: 'truncated', detail: `${parts.length} of 8 fields` };
  if (parts.length > 8) return { ok: false, problem: 'malformed', detail: `${parts.length} fields, expected 8` };
  const [, paymentId, amount, year, masked, paidAt, terminalId, signature] = parts as [string, string, string, string, string, string, string, string];
  if (!/^\d{1,16}$/.test(amount) || !/^\d{4}$/.test(year)) return { ok: false, problem: 'malformed', detail: 'amount and year must be whole numbers' };
  const parsed = provisionalReceiptSchema.safeParse({ paymentId, amountFen: Number(amount), year: Number(year), maskedCitizenNumber: masked, paidAt, terminalId });
  if (!parsed.success) return { ok: false, problem: 'malformed', detail: parsed.error.issues[0]?.message ?? 'invalid field' };
  if (!/^[A-Za-z0-9_-]{86}$/.test(signature)) {
    return { ok: false, problem: signature.length < 86 ? 'truncated' : 'malformed', detail: 'the signature is not 64 bytes of base64url' };
  }
  return { ok: true, receipt: parsed.data, signedBytes: receiptSigningBytes(parsed.data), signature };
}
