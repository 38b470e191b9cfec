// Card authenticity (drivers/card/auth.ts; issue 10 section 4). The kiosk
// forwards what the card answered to INTERNAL AUTHENTICATE; the server checks
// it with the issuer key, which never reaches a kiosk, and that the card is
// the person's active card.
import { z } from 'zod';
import { cardNumberSchema, citizenNumberSchema, versionSchema } from './fields.js';

export const cardAuthenticateRequestSchema = z.object({
  v: versionSchema,
  cardIdentifier: z.string().regex(/^[0-9A-Fa-f]{32}$/),
  challenge: z.string().regex(/^[0-9A-Fa-f]{32}$/),
  cryptogram: z.string().regex(/^[0-9A-Fa-f]{32}$/),
  /** Who the card says it belongs to: the server checks a resident's card is that person's active card. */
  citizenNumber: citizenNumberSchema,
  cardNumber: cardNumberSchema,
  /** A staff card opens maintenance only: its cryptogram is checked, no card session is issued. */
  kind: z.enum(['resident', 'staff']),
});
export type CardAuthenticateRequest = z.infer<typeof cardAuthenticateRequestSchema>;

/** Longest card-session token the gateway issues. */
export const CARD_SESSION_TOKEN_MAX_CHARS = 512;
export const cardSessionTokenSchema = z
  .string()
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/)
  .max(CARD_SESSION_TOKEN_MAX_CHARS);

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
