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
});
export type CardAuthenticateRequest = z.infer<typeof cardAuthenticateRequestSchema>;
export const cardAuthenticateResultSchema = z.object({ authentic: z.boolean() });
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
});
export type CertificationSubmit = z.infer<typeof certificationSubmitSchema>;

/** The ledger's answer for a money event (TigerBeetle-style result codes). */
export const moneyResultSchema = z.object({ result: z.string().max(64) });
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
