// Money from the kiosk (ARCHITECTURE.md journeys 2-3): every event carries
// the id the kiosk made when the transaction started (a UUIDv7, the
// idempotency key end to end), is journaled on the kiosk before anything
// leaves it, and travels in the outbox's batches until the gateway answers
// with a committed result.
import { z } from 'zod';
import { OUTBOX_BATCH_LIMIT } from './constants.js';
import { cardSessionTokenSchema } from './card.js';
import { collectionEventSchema } from './collection.js';
import { citizenNumberSchema, fenSchema, isoDateSchema, isoDateTimeSchema, terminalIdSchema, uuidV7Schema, versionSchema } from './fields.js';
import { PROTOCOL_ERROR_CODES } from './replies.js';

/** Why stacked cash of an unfinished payment is the person's credit (the kiosk's close reason). */
export const CREDIT_CLOSE_REASONS = ['cancelled', 'card-removed', 'timeout', 'device-fault'] as const;
export type CreditCloseReason = (typeof CREDIT_CLOSE_REASONS)[number];

/**
 * A payment taken while the gateway was unreachable carries the signature of
 * its provisional receipt (receipt.ts): the terminal's ed25519 signature over
 * the receipt's fields, which `nongbao receipt verify` checks at the office.
 */
export const offlineRecordSchema = z.object({
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, 'an ed25519 signature, base64url'),
});

/** A cash contribution taken at the kiosk. */
export const paymentEventSchema = z.object({
  kind: z.literal('payment'),
  id: uuidV7Schema,
  citizenNumber: citizenNumberSchema,
  year: z.number().int().min(2000).max(2200),
  tierYuan: z.number().int().positive().max(1_000_000),
  /** Cash stacked for it, fen: booked as a contribution only if it is what the policy says is due. */
  cashFen: fenSchema.positive(),
  paidAt: isoDateTimeSchema,
  offline: offlineRecordSchema.optional(),
});
export type PaymentEvent = z.infer<typeof paymentEventSchema>;

/**
 * Cash stacked for a payment that did not complete (cancelled, card pulled,
 * jam, stacker removed): kept as the person's credit, never lost
 * (ARCHITECTURE.md journey 2). The receipt says so. Its id is the payment's.
 */
export const cashCreditEventSchema = z.object({
  kind: z.literal('cash-credit'),
  id: uuidV7Schema,
  citizenNumber: citizenNumberSchema,
  amountFen: fenSchema.positive(),
  at: isoDateTimeSchema,
  reason: z.enum(CREDIT_CLOSE_REASONS),
});
export type CashCreditEvent = z.infer<typeof cashCreditEventSchema>;

/**
 * Proof of life at the kiosk (POLICY.md "Proof of life"; journey 3): the
 * resident confirms receiving the pension with card and PIN, on a card the
 * gateway verified in this card session (issue 10 section 4).
 */
export const certificationEventSchema = z.object({
  kind: z.literal('certification'),
  id: uuidV7Schema,
  citizenNumber: citizenNumberSchema,
  certifiedOn: isoDateSchema,
  /** When the resident confirmed: inside the card session; its Asia/Shanghai date is `certifiedOn`. */
  certifiedAt: isoDateTimeSchema,
  cardSession: cardSessionTokenSchema,
});
export type CertificationEvent = z.infer<typeof certificationEventSchema>;

/** The kinds of money event; `collection` (collection.ts) empties the cash box (issue 13 section 2). */
export const moneyEventSchema = z.discriminatedUnion('kind', [paymentEventSchema, cashCreditEventSchema, certificationEventSchema, collectionEventSchema]);
export type MoneyEvent = z.infer<typeof moneyEventSchema>;
export type MoneyEventKind = MoneyEvent['kind'];

/** One outbox request: events of this kiosk's cash box, oldest first. */
export const outboxSubmitSchema = z.object({
  v: versionSchema,
  /** The kiosk whose cash box the events are for: it must be the authenticated terminal. */
  terminalId: terminalIdSchema,
  events: z.array(moneyEventSchema).min(1).max(OUTBOX_BATCH_LIMIT),
});
export type OutboxSubmit = z.infer<typeof outboxSubmitSchema>;

/**
 * Why the gateway did not book a kiosk payment as a contribution. The cash is
 * never lost: such a payment is booked as the person's credit
 * (`booking: 'credit'`), which the office settles with them:
 * - its date is not one the server can vouch for (issue 10 section 2);
 * - its cash is not what the policy says is due (section 3);
 * - the policy engine's own refusal (POLICY.md "Contributions").
 */
export const PAYMENT_CREDIT_REASONS = [
  'paid-at-before-window',
  'paid-at-in-future',
  'cash-mismatch',
  'deceased',
  'unknown-tier',
  'already-paid',
  'future-year',
  'year-not-eligible',
  'not-disabled',
  'not-enrolled',
] as const;
export type PaymentCreditReason = (typeof PAYMENT_CREDIT_REASONS)[number];

/** Why the gateway refused a money event outright: nothing is booked. */
export const MONEY_REFUSAL_REASONS = [
  'person-not-found',
  'amount-over-limit',
  'bad-offline-record',
  'card-session-invalid',
  'card-session-other-terminal',
  'card-session-other-person',
  'certified-outside-card-session',
  'certified-on-mismatch',
  'certification-in-future',
  'deceased',
  'invalid-date',
] as const;
export type MoneyRefusalReason = (typeof MONEY_REFUSAL_REASONS)[number];

/** The ledger's results a money event can get (TigerBeetle-style; server/src/ledger/types.ts). */
export const MONEY_RESULTS = [
  'created',
  'exists',
  'exists_with_different_debit_account_id',
  'exists_with_different_credit_account_id',
  'exists_with_different_amount',
  'exists_with_different_code',
  'exists_with_different_at',
  'exists_with_different_reference',
  'exists_with_different_meta',
] as const;
export type MoneyResultCode = (typeof MONEY_RESULTS)[number];

/** Only these two mean the event is booked as sent; every other result is a refusal the outbox stops at. */
export function isBooked(result: MoneyResultCode): result is 'created' | 'exists' {
  return result === 'created' || result === 'exists';
}

/**
 * What an event was booked as, with the ledger's result for its id. A replay
 * of the same event gets the first answer again with `exists`; the same id
 * with other content gets `exists_with_different_*` and books nothing.
 */
export const moneyResultSchema = z.object({
  result: z.enum(MONEY_RESULTS),
  booking: z.enum(['contribution', 'credit', 'certification', 'collection']),
  /** For `booking: 'credit'` of a payment: why it was not booked as a contribution. */
  reason: z.enum(PAYMENT_CREDIT_REASONS).optional(),
});
export type MoneyResult = z.infer<typeof moneyResultSchema>;

/** The gateway's answer for one event of a batch. */
export const eventOutcomeSchema = z.discriminatedUnion('outcome', [
  /** Committed before the answer was sent. */
  z.object({ id: uuidV7Schema, outcome: z.literal('applied'), money: moneyResultSchema }),
  /** Refused: nothing booked; `reason` is one of MONEY_REFUSAL_REASONS (or a schema problem). */
  z.object({
    id: uuidV7Schema,
    outcome: z.literal('refused'),
    error: z.object({ code: z.enum(PROTOCOL_ERROR_CODES), message: z.string().max(2000), reason: z.string().max(100).optional() }),
  }),
  /** After a money event was refused or not booked as sent, the rest of the batch is not applied: journal order holds. */
  z.object({ id: uuidV7Schema, outcome: z.literal('not-applied') }),
]);
export type EventOutcome = z.infer<typeof eventOutcomeSchema>;
export const outboxResultSchema = z.object({ results: z.array(eventOutcomeSchema).max(OUTBOX_BATCH_LIMIT) });
export type OutboxResult = z.infer<typeof outboxResultSchema>;

/**
 * Whether an outcome stops the outbox (issue 11 section 3): a money event
 * (payment, cash credit, collection) refused, or answered with anything but `created` /
 * `exists`, stops it at that entry until an operator settles it. A refused
 * certification moves no money: it raises an alarm and the outbox goes on.
 */
export function haltsOutbox(kind: MoneyEventKind, outcome: EventOutcome): boolean {
  if (outcome.outcome === 'not-applied') return false;
  if (kind === 'certification') return outcome.outcome === 'applied' && !isBooked(outcome.money.result);
  return outcome.outcome === 'refused' || !isBooked(outcome.money.result);
}
