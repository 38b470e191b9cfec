// Every request gets exactly one reply: `{ ok: true, data }` or
// `{ ok: false, error: { code, message, reason? } }`.
import { z } from 'zod';

export const PROTOCOL_ERROR_CODES = [
  'bad-request', // the message failed its schema
  'unsupported-version', // the message's `v` is not one the gateway speaks
  'unknown-event', // no such event
  'not-found', // e.g. no such insured person
  'refused', // a rule refused it: `reason` says which
  'rate-limited', // the terminal sent too many requests; try again later
  'unavailable', // the server cannot answer now; the terminal retries later
  'internal',
] as const;
export type ProtocolErrorCode = (typeof PROTOCOL_ERROR_CODES)[number];

export interface ProtocolError {
  code: ProtocolErrorCode;
  message: string;
  /** Machine-readable reason for `refused` (a closed union per event; see each event's refusals). */
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

/** Formats a zod error as `field.path: message` for replies and logs. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('; ');
}
