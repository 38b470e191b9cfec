// Terminal identity (ARCHITECTURE.md "Contracts"): each kiosk has its own
// ed25519 key, enrolled once with a one-time code from the county office, and
// signs a fresh handshake on every (re)connection.
import { z } from 'zod';
import { PROTOCOL_VERSION } from './constants.js';
import { terminalIdSchema, versionSchema } from './fields.js';

/** The socket.io handshake `auth` payload; `signature` is ed25519 over `authMessage(...)`. */
export const terminalAuthSchema = z.object({
  v: versionSchema,
  terminalId: terminalIdSchema,
  timestampMs: z.number().int().nonnegative(),
  nonce: z.string().regex(/^[0-9a-f]{32}$/),
  signature: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200),
  /** The terminal's software version, for the fleet view (issue 11 section 6). */
  softwareVersion: z.string().max(40).optional(),
});
export type TerminalAuth = z.infer<typeof terminalAuthSchema>;

/** The exact bytes a terminal signs to authenticate (UTF-8). */
export function authMessage(auth: Pick<TerminalAuth, 'terminalId' | 'timestampMs' | 'nonce'>): Uint8Array {
  return new TextEncoder().encode(`nongbao-terminal-auth|v${PROTOCOL_VERSION}|${auth.terminalId}|${auth.timestampMs}|${auth.nonce}`);
}

/** Why the gateway refused a connection; sent as the connect error's message, and the socket closed. */
export const HANDSHAKE_REFUSALS = [
  'bad-handshake',
  'unsupported-version',
  'unknown-terminal',
  'revoked-terminal',
  'clock-skew',
  'bad-signature',
  'replayed-nonce',
  'too-many-connections',
] as const;
export type HandshakeRefusal = (typeof HANDSHAKE_REFUSALS)[number];

/** Enrolment: POST /api/v1/terminals/enrol with a one-time code from the county office. */
export const enrolRequestSchema = z.object({
  terminalId: terminalIdSchema,
  code: z.string().regex(/^[0-9A-Z]{8}$/, '8 characters, digits and capital letters'),
  /** ed25519 public key, SPKI DER, base64. */
  publicKey: z.string().regex(/^[A-Za-z0-9+/]+={0,2}$/).max(200),
});
export type EnrolRequest = z.infer<typeof enrolRequestSchema>;

/** Why an enrolment was refused (HTTP 403, or 400 for a bad key, 429 when limited). */
export const ENROL_REFUSALS = [
  'code-unknown',
  'code-used',
  'code-expired',
  'code-for-other-terminal',
  'bad-public-key',
  'already-enrolled',
  'too-many-attempts',
] as const;
export type EnrolRefusal = (typeof ENROL_REFUSALS)[number];
