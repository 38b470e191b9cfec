// The terminal <-> gateway wire protocol: one module imported by both ends
// (STYLE.md point 6). Every message is versioned and schema-checked at the
// edge; every request carries a deadline on the sending side and gets exactly
// one reply, `{ ok: true, data }` or `{ ok: false, error: { code, message } }`.
// The human-readable description is docs/protocol.md.
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** socket.io namespace the terminals connect to. */
export const TERMINAL_NAMESPACE = '/terminal';
/** How far a terminal's clock may be from the server's when it authenticates. */
export const AUTH_CLOCK_SKEW_LIMIT_MS = 5 * 60_000;
/** Default deadline for a request from the terminal. */
export const REQUEST_TIMEOUT_MS = 10_000;
/** socket.io's per-message size limit on the gateway. */
export const MAX_MESSAGE_BYTES = 64 * 1024;

const terminalIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{2,63}$/, 'lowercase letters, digits and dashes, 3-64 long');
export const citizenNumberSchema = z.string().regex(/^\d{17}[\dX]$/, '18 characters: 17 digits then a digit or X');

// ---------------------------------------------------------------- handshake
/**
 * The socket.io handshake `auth` payload. The terminal signs
 * `authMessage(...)` with its ed25519 key, enrolled once with a one-time code.
 */
export const terminalAuthSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  terminalId: terminalIdSchema,
  timestampMs: z.number().int().nonnegative(),
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200),
});
export type TerminalAuth = z.infer<typeof terminalAuthSchema>;

/** The exact bytes a terminal signs to authenticate. */
export function authMessage(auth: Pick<TerminalAuth, 'terminalId' | 'timestampMs' | 'nonce'>): Buffer {
  return Buffer.from(`nongbao-terminal-auth|v${PROTOCOL_VERSION}|${auth.terminalId}|${auth.timestampMs}|${auth.nonce}`, 'utf8');
}

/** Enrolment: POST /api/v1/terminals/enrol with a one-time code from the county office. */
export const enrolRequestSchema = z.object({
  terminalId: terminalIdSchema,
  code: z.string().regex(/^[0-9A-Z]{8}$/, '8 characters, digits and capital letters'),
  /** ed25519 public key, SPKI DER, base64. */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

// ---------------------------------------------------------------- replies
export const PROTOCOL_ERROR_CODES = [
  'bad-request', // the message failed its schema
  'unsupported-version',
  'not-found', // e.g. no such insured person
  'refused', // a rule refused it (reason in message / details)
  'unavailable', // the server cannot answer now; the terminal retries later
  'internal',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
  /** Machine-readable reason for `refused`, e.g. POLICY's `already-paid`. */
  reason?: string;
}

export type Reply<T> = { ok: true; data: T } | { ok: false; error: ProtocolError };

export const replyErrorSchema = z.object({
  ok: z.literal(false),
  error: z.object({ code: z.enum(PROTOCOL_ERROR_CODES), message: z.string().max(2000), reason: z.string().max(100).optional() }),
});

export function replySchema<T extends z.ZodType>(data: T) {
  return z.union([z.object({ ok: z.literal(true), data }), replyErrorSchema]);
}

// ---------------------------------------------------------------- account summary
const fen = z.number().int().safe();
export const SOURCES = ['individual', 'collective', 'aid', 'legacy', 'government'] as const;
export const balancesBySourceSchema = z.object({
  individual: fen,
  collective: fen,
  aid: fen,
  legacy: fen,
  government: fen,
});

export const accountSummaryRequestSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  citizenNumber: citizenNumberSchema,
});
export type AccountSummaryRequest = z.infer<typeof accountSummaryRequestSchema>;

export const accountSummarySchema = z.object({
  citizenNumber: citizenNumberSchema,
  villageCode: z.string().max(32),
  villageName: z.string().max(64),
  balanceFen: fen,
  balancesFen: balancesBySourceSchema,
  contributions: z
    .array(z.object({ year: z.number().int(), tierYuan: z.number().int(), paidOn: z.string(), totalFen: fen }))
    .max(200),
  contributionYears: z.number().int().nonnegative(),
  requiredYears: z.number().int().nonnegative(),
  pension: z.object({
    status: z.enum(['not-started', 'paid', 'suspended-certification', 'suspended-family-binding', 'stopped']),
    startMonth: z.string().nullable(),
    monthlyFen: fen.nullable(),
  }),
  certifiedThrough: z.string().nullable(),
  /**
   * This year's contribution as the kiosk may take it in cash, decided by the
   * policy engine before any cash is taken (POLICY.md "Contributions"); null
   * when nothing can be paid here (already paid, not eligible, paid by the
   * government on the person's behalf, ...), with the reason.
   */
  payment: z
    .object({
      year: z.number().int(),
      tiers: z
        .array(z.object({ tierYuan: z.number().int().positive(), dueFen: fen, creditedFen: fen }))
        .min(1)
        .max(50),
    })
    .nullable(),
  paymentRefusal: z.string().max(64).nullable(),
  /** When the server produced it; the terminal shows it when answering from its offline cache. */
  asOf: z.string(),
});
export type AccountSummary = z.infer<typeof accountSummarySchema>;
export const accountSummaryReplySchema = replySchema(accountSummarySchema);

// ---------------------------------------------------------------- card authenticity
/**
 * The kiosk forwards what the card answered to INTERNAL AUTHENTICATE; the
 * server checks it with the issuer key, which never reaches a kiosk
 * (drivers/card/auth.ts describes the exchange).
 */
export const cardAuthenticateRequestSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  cardIdentifier: z.string().regex(/^[0-9A-Fa-f]{32}$/),
  challenge: z.string().regex(/^[0-9A-Fa-f]{32}$/),
  cryptogram: z.string().regex(/^[0-9A-Fa-f]{32}$/),
  /** Who the card says it belongs to: the server checks a resident's card is that person's active card. */
  citizenNumber: citizenNumberSchema,
  cardNumber: z.string().regex(/^[0-9A-Z]{6,20}$/),
  /** A staff card opens maintenance only: its cryptogram is checked, no card session is issued. */
  kind: z.enum(['resident', 'staff']),
});
export type CardAuthenticateRequest = z.infer<typeof cardAuthenticateRequestSchema>;
/** Longest card-session token the gateway issues (see `cardSession` below). */
export const CARD_SESSION_TOKEN_MAX_CHARS = 512;
export const cardSessionTokenSchema = z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/).max(CARD_SESSION_TOKEN_MAX_CHARS);
export const cardAuthenticateResultSchema = z.object({
  authentic: z.boolean(),
  /**
   * When authentic and the card is the person's: a short-lived token the
   * gateway signed, bound to this terminal, the citizen and the card. A proof
   * of life made in this card session carries it (issue 10 section 4).
   */
  cardSession: cardSessionTokenSchema.optional(),
});
export type CardAuthenticateResult = z.infer<typeof cardAuthenticateResultSchema>;
export const cardAuthenticateReplySchema = replySchema(cardAuthenticateResultSchema);

// ---------------------------------------------------------------- publicity
/** The village's yearly publicity list (POLICY.md "Publicity and coverage"). */
export const publicityRequestSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  villageCode: z.string().min(1).max(32),
  year: z.number().int().min(2000).max(2200),
});
export type PublicityRequest = z.infer<typeof publicityRequestSchema>;
/** Longest list a reply carries; the office prints the whole list. */
export const PUBLICITY_ROWS_LIMIT = 5_000;
export const publicityListSchema = z.object({
  villageCode: z.string(),
  villageName: z.string(),
  year: z.number().int(),
  contributors: z.array(z.object({ name: z.string(), tierYuan: z.number().int(), paidOn: z.string() })).max(PUBLICITY_ROWS_LIMIT),
  recipients: z
    .array(z.object({ name: z.string(), monthlyFen: fen, certification: z.enum(['certified', 'lapsed']) }))
    .max(PUBLICITY_ROWS_LIMIT),
});
export type PublicityList = z.infer<typeof publicityListSchema>;
export const publicityReplySchema = replySchema(publicityListSchema);

// ---------------------------------------------------------------- money from the kiosk
/**
 * A cash contribution taken at the kiosk, sent from the kiosk's outbox until
 * acknowledged. `id` is the UUIDv7 the kiosk made when the payment opened: the
 * idempotency key end to end; a replay gets the ledger's first answer.
 */
export const paymentSubmitSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'a lowercase UUIDv7'),
  citizenNumber: citizenNumberSchema,
  year: z.number().int().min(2000).max(2200),
  tierYuan: z.number().int().positive().max(1_000_000),
  /** Cash stacked for it, fen: must equal what the policy says is due. */
  cashFen: fen.positive(),
  paidAt: z.iso.datetime({ offset: true }),
});
export type PaymentSubmit = z.infer<typeof paymentSubmitSchema>;

/**
 * Cash stacked for a payment that did not complete (cancelled, card pulled,
 * jam, stacker removed): kept as the person's credit, never lost
 * (ARCHITECTURE.md journey 2). The receipt says so.
 */
export const cashCreditSubmitSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: paymentSubmitSchema.shape.id,
  citizenNumber: citizenNumberSchema,
  amountFen: fen.positive(),
  at: z.iso.datetime({ offset: true }),
  reason: z.enum(['cancelled', 'card-removed', 'timeout', 'device-fault']),
});
export type CashCreditSubmit = z.infer<typeof cashCreditSubmitSchema>;

/**
 * Proof of life at the kiosk (POLICY.md "Proof of life"; ARCHITECTURE.md
 * journey 3): the resident confirms receiving the pension with card and PIN,
 * on a card whose cryptogram the server verified. Relayed from the outbox
 * like a payment; the id is the kiosk's.
 */
export const certificationSubmitSchema = z.object({
  v: z.literal(PROTOCOL_VERSION),
  id: paymentSubmitSchema.shape.id,
  citizenNumber: citizenNumberSchema,
  certifiedOn: z.iso.date(),
  /** When the resident confirmed: must lie inside the card session (its Asia/Shanghai date is `certifiedOn`). */
  certifiedAt: z.iso.datetime({ offset: true }),
  /** The token `card.authenticate` gave for this card session: proof the server verified the card. */
  cardSession: cardSessionTokenSchema,
});
export type CertificationSubmit = z.infer<typeof certificationSubmitSchema>;

/**
 * Why the gateway did not book a kiosk payment as a contribution. The cash is
 * never lost: a payment refused for any of these is booked as the person's
 * credit (`booking: 'credit'`), which the office settles with them.
 * - the payment's date is not one the server can vouch for (issue 10 section 2);
 * - the cash is not what the policy says is due (section 3);
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

/** Why the gateway refused a money event outright (nothing booked; the outbox stops at it). */
export const MONEY_REFUSAL_REASONS = [
  'person-not-found',
  'amount-over-limit',
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

/** The ledger's results as a money event can get them (TigerBeetle-style; server/src/ledger/types.ts). */
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

/**
 * The gateway's answer for a money event: the ledger's result for the event's
 * id, and what it was booked as. A replay of the same event gets the first
 * answer again with `exists`; the same id with other content gets
 * `exists_with_different_*` and books nothing.
 */
export const moneyResultSchema = z.object({
  result: z.enum(MONEY_RESULTS),
  booking: z.enum(['contribution', 'credit', 'certification']),
  /** For `booking: 'credit'` of a payment: why it was not booked as a contribution. */
  reason: z.enum(PAYMENT_CREDIT_REASONS).optional(),
});
export type MoneyResult = z.infer<typeof moneyResultSchema>;
export const moneyReplySchema = replySchema(moneyResultSchema);

// ---------------------------------------------------------------- event maps
export interface ClientToServerEvents {
  'account.summary': (request: AccountSummaryRequest, ack: (reply: Reply<AccountSummary>) => void) => void;
  'card.authenticate': (request: CardAuthenticateRequest, ack: (reply: Reply<CardAuthenticateResult>) => void) => void;
  'publicity.list': (request: PublicityRequest, ack: (reply: Reply<PublicityList>) => void) => void;
  'payment.submit': (request: PaymentSubmit, ack: (reply: Reply<MoneyResult>) => void) => void;
  'cash-credit.submit': (request: CashCreditSubmit, ack: (reply: Reply<MoneyResult>) => void) => void;
  'certification.submit': (request: CertificationSubmit, ack: (reply: Reply<MoneyResult>) => void) => void;
}

// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface ServerToClientEvents {}

/** Formats a zod error as `field.path: message` for replies and logs. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}

/**
 * A name with its middle masked, as the kiosk screen and the publicity lists
 * show it (POLICY.md "Publicity"): 王秀英 -> 王*英, 卓玛 -> 卓*, 扎西多吉 -> 扎**吉.
 */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  if (chars.length <= 1) return chars.join('');
  if (chars.length === 2) return `${chars[0]}*`;
  return chars[0] + '*'.repeat(chars.length - 2) + chars[chars.length - 1];
}
