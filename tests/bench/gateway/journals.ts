// Money events for the benchmarks, written into real kiosk journals the way
// the payment desk writes them (terminal/src/payment.ts): a payment opened,
// its note journaled before the stack, credited, then the payment completed
// (queued for the gateway) or closed short (its cash a credit, queued).
// Three payments for every cash credit, over all the demo county's residents:
// the server books each payment as a contribution, or as the person's credit
// when the policy refuses it (already paid this year, not of age, ...):
// every one a committed money event, none a refusal that stops the outbox.
import { sign, type KeyObject } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { maskCitizenNumber, receiptSigningBytes } from '@nongbao/protocol';
import type { Journal } from '@nongbao/terminal';

/** A payment at the lowest tier (POLICY.md presets: 100 yuan), in one 100-yuan note. */
const PAYMENT_TIER_YUAN = 100;
const PAYMENT_FEN = 10_000;
/** A cancelled payment leaves one 50-yuan note as the person's credit. */
const CREDIT_NOTE_FEN = 5_000;
/** One cash credit for every CREDIT_EVERY events. */
const CREDIT_EVERY = 4;

export interface FillOptions {
  terminalId: string;
  events: number;
  citizenNumbers: readonly string[];
  year: number;
  /** Taken while the gateway was unreachable: payments carry the provisional receipt's signature (terminal/src/receipts.ts). */
  offlineKey?: KeyObject;
  /** Spreads terminals over the residents. */
  offset: number;
}

/** Signs a payment's provisional receipt as the kiosk does (receipts.ts `provisionalFields`). */
function offlineSignature(key: KeyObject, o: { paymentId: string; amountFen: number; year: number; citizenNumber: string; paidAt: string; terminalId: string }): string {
  const fields = { paymentId: o.paymentId, amountFen: o.amountFen, year: o.year, maskedCitizenNumber: maskCitizenNumber(o.citizenNumber), paidAt: o.paidAt, terminalId: o.terminalId };
  return sign(null, receiptSigningBytes(fields), key).toString('base64url');
}

/** Writes `events` money events into the journal (one enclosing transaction: the setup is not what is measured). */
export function fillJournal(journal: Journal, o: FillOptions): void {
  const counterStart = journal.deviceCounter() ?? 0;
  journal.db.transaction(() => {
    for (let i = 0; i < o.events; i++) {
      const id = uuidv7();
      const at = new Date().toISOString();
      const citizenNumber = o.citizenNumbers[(o.offset + i) % o.citizenNumbers.length]!;
      const counter = counterStart + i + 1;
      const credit = i % CREDIT_EVERY === CREDIT_EVERY - 1;
      const noteFen = credit ? CREDIT_NOTE_FEN : PAYMENT_FEN;
      journal.payments.open({ id, citizenNumber, year: o.year, tierYuan: PAYMENT_TIER_YUAN, dueFen: PAYMENT_FEN, openedAt: at });
      journal.payments.noteStacking(id, counter, noteFen, at);
      const credited = journal.noteCredited(noteFen, counter, at);
      if (!('payment' in credited)) throw new Error('the bench note was not matched to its payment');
      if (credit) {
        journal.closePaymentShort(id, 'cancelled', at);
        continue;
      }
      const signature = o.offlineKey ? offlineSignature(o.offlineKey, { paymentId: id, amountFen: PAYMENT_FEN, year: o.year, citizenNumber, paidAt: at, terminalId: o.terminalId }) : null;
      journal.completePayment(id, at, signature);
    }
  })();
}
