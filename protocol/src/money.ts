// Money from the kiosk (ARCHITECTURE.md journeys 2-3): every event carries
// the id the kiosk made when the transaction started (a UUIDv7, the
// idempotency key end to end), is journaled on the kiosk before anything
// leaves it, and travels in the outbox's batches until the gateway answers
// with a committed result.
import { z } from 'zod';
import { OUTBOX_BATCH_LIMIT } from './constants.js';
import { cardSessionTokenSchema } from './card.js';
import { collectionEventSchema } from './collection.js';
import { citizenNumberSchema, fenSchema, isoDateSchema, isoDateTimeSchema, monthSchema, terminalIdSchema, uuidV7Schema, versionSchema } from './fields.js';
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

/** Largest proof-of-life photo a kiosk sends (JPEG bytes): small enough that an event stays far below MAX_MESSAGE_BYTES. */
export const PHOTO_JPEG_BYTES_LIMIT = 24 * 1024;
/** The sealing scheme of a photo; HKDF's info string names it and its version. */
export const PHOTO_SEAL_SCHEME = 'x25519-hkdf-sha256-aes256gcm';
export const PHOTO_SEAL_INFO = 'nongbao-certification-photo-v1';
const base64url = (maxChars: number) => z.string().regex(/^[A-Za-z0-9_-]*$/, 'base64url').max(maxChars);

/**
 * A proof-of-life photo sealed for the server (issue 12 section 1: "readable
 * only by the server"): an ephemeral X25519 key agreed with the server's
 * photo key (kiosk.config `photoKey`), HKDF-SHA256 (salt: the ephemeral then
 * the server's public key; info PHOTO_SEAL_INFO) to an AES-256-GCM key; the
 * additional data is `<certification id>|<citizen number>`, so a sealed
 * photo cannot be moved to another certification.
 */
export const sealedPhotoSchema = z.object({
  scheme: z.literal(PHOTO_SEAL_SCHEME),
  /** The server key it was sealed for (base64url, raw 32 bytes). */
  recipient: base64url(43).length(43),
  ephemeralPublicKey: base64url(43).length(43),
  nonce: base64url(16).length(16),
  ciphertext: base64url(Math.ceil((PHOTO_JPEG_BYTES_LIMIT * 4) / 3) + 4).min(1),
  tag: base64url(22).length(22),
});
export type SealedPhoto = z.infer<typeof sealedPhotoSchema>;

/**
 * Proof of life at the kiosk (POLICY.md "Proof of life"; journey 3): the
 * resident confirms receiving the pension with card and PIN, on a card the
 * gateway verified in this card session (issue 10 section 4), with a photo
 * for review at the office where the kiosk has a camera.
 */
export const certificationEventSchema = z.object({
  kind: z.literal('certification'),
  id: uuidV7Schema,
  citizenNumber: citizenNumberSchema,
  certifiedOn: isoDateSchema,
  /** When the resident confirmed: inside the card session; its Asia/Shanghai date is `certifiedOn`. */
  certifiedAt: isoDateTimeSchema,
  cardSession: cardSessionTokenSchema,
  photo: sealedPhotoSchema.optional(),
});
export type CertificationEvent = z.infer<typeof certificationEventSchema>;

/**
 * "I did not receive it" (issue 12 section 1): a resident says a month's
 * pension did not arrive; the county office sees it with the month and the
 * amount the payroll paid. Moves no money.
 */
export const pensionComplaintEventSchema = z.object({
  kind: z.literal('pension-complaint'),
  id: uuidV7Schema,
  citizenNumber: citizenNumberSchema,
  month: monthSchema,
  amountFen: fenSchema.nonnegative(),
  at: isoDateTimeSchema,
});
export type PensionComplaintEvent = z.infer<typeof pensionComplaintEventSchema>;

/** A help request from the kiosk's help screen, with the card holder when a card is in. Moves no money. */
export const helpRequestEventSchema = z.object({
  kind: z.literal('help-request'),
  id: uuidV7Schema,
  citizenNumber: citizenNumberSchema.nullable(),
  at: isoDateTimeSchema,
});
export type HelpRequestEvent = z.infer<typeof helpRequestEventSchema>;

/**
 * Every event the kiosk's outbox relays, in journal order. Money events
 * (payment, cash credit, collection: collection.ts, issue 13 section 2)
 * stop the outbox when not booked; the others
 * (certification, complaint, help request) never do (`haltsOutbox`).
 */
export const moneyEventSchema = z.discriminatedUnion('kind', [
  paymentEventSchema,
  cashCreditEventSchema,
  certificationEventSchema,
  collectionEventSchema,
  pensionComplaintEventSchema,
  helpRequestEventSchema,
]);
export type MoneyEvent = z.infer<typeof moneyEventSchema>;
export type MoneyEventKind = MoneyEvent['kind'];
/** Kinds that move cash: only these stop the outbox when refused. */
export const CASH_EVENT_KINDS = ['payment', 'cash-credit', 'collection'] as const satisfies readonly MoneyEventKind[];
export function isCashEventKind(kind: MoneyEventKind): kind is (typeof CASH_EVENT_KINDS)[number] {
  return (CASH_EVENT_KINDS as readonly string[]).includes(kind);
}

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
  'pension-month-unknown',
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
  booking: z.enum(['contribution', 'credit', 'certification', 'collection', 'request']),
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
  // A certification, complaint or help request moves no money: refused, it raises an alarm and the outbox goes on.
  if (!isCashEventKind(kind)) return outcome.outcome === 'applied' && !isBooked(outcome.money.result);
  return outcome.outcome === 'refused' || !isBooked(outcome.money.result);
}
