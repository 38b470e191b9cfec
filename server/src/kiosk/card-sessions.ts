// Card sessions (issue 10 section 4): when the gateway has verified a card's
// cryptogram with the issuer key and the card is the person's, it hands the
// kiosk a short-lived token bound to the terminal, the citizen and the card.
// A proof of life from the kiosk must carry the token of the session it was
// made in, and its time must lie inside that session. A stolen kiosk key alone
// therefore cannot certify anyone: a token needs the person's card at a kiosk.
//
// Token: base64url(JSON payload) "." base64url(HMAC-SHA256(key, payload)).
// The key is made once per server database and kept in it, so tokens survive
// a restart (a kiosk's outbox may deliver a certification after one).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import type { SqlDatabase } from '../sql/types.js';
import { KIOSK_CLOCK_SKEW_MS } from './limits.js';

/** How long a card session lasts: longer than any resident's visit to the kiosk. */
export const CARD_SESSION_TTL_MS = 30 * 60_000;
const KEY_NAME = 'card-session-hmac';
const KEY_BYTES = 32;

const payloadSchema = z.strictObject({
  t: z.string().max(64),
  c: z.string().max(18),
  k: z.string().max(20),
  i: z.number().int().nonnegative(),
  e: z.number().int().nonnegative(),
});

export interface CardSession {
  terminalId: string;
  citizenNumber: string;
  cardNumber: string;
  issuedAtMs: number;
  expiresAtMs: number;
}

export type CardSessionProblem = 'card-session-invalid' | 'card-session-other-terminal' | 'card-session-other-person' | 'certified-outside-card-session';

export class CardSessions {
  private readonly key: Buffer;

  constructor(
    db: SqlDatabase,
    private readonly now: () => number = Date.now,
  ) {
    db.prepare('CREATE TABLE IF NOT EXISTS kiosk_keys (name TEXT PRIMARY KEY, key BLOB NOT NULL) STRICT').run();
    db.prepare('INSERT OR IGNORE INTO kiosk_keys (name, key) VALUES (?, ?)').run(KEY_NAME, randomBytes(KEY_BYTES));
    this.key = (db.prepare('SELECT key FROM kiosk_keys WHERE name = ?').get(KEY_NAME) as { key: Buffer }).key;
  }

  issue(binding: { terminalId: string; citizenNumber: string; cardNumber: string }): string {
    const issuedAtMs = this.now();
    const payload = Buffer.from(
      JSON.stringify({ t: binding.terminalId, c: binding.citizenNumber, k: binding.cardNumber, i: issuedAtMs, e: issuedAtMs + CARD_SESSION_TTL_MS }),
    );
    return `${payload.toString('base64url')}.${this.mac(payload).toString('base64url')}`;
  }

  /**
   * Checks a token for an event of `terminalId` about `citizenNumber` made at
   * `atMs`: the signature, the binding, and that `atMs` lies in the session.
   */
  check(token: string, expected: { terminalId: string; citizenNumber: string; atMs: number }): { ok: true; session: CardSession } | { ok: false; problem: CardSessionProblem } {
    const session = this.decode(token);
    if (!session) return { ok: false, problem: 'card-session-invalid' };
    if (session.terminalId !== expected.terminalId) return { ok: false, problem: 'card-session-other-terminal' };
    if (session.citizenNumber !== expected.citizenNumber) return { ok: false, problem: 'card-session-other-person' };
    if (expected.atMs < session.issuedAtMs - KIOSK_CLOCK_SKEW_MS || expected.atMs > session.expiresAtMs) {
      return { ok: false, problem: 'certified-outside-card-session' };
    }
    return { ok: true, session };
  }

  private decode(token: string): CardSession | undefined {
    const [payloadText, macText] = token.split('.');
    if (!payloadText || !macText) return undefined;
    const payload = Buffer.from(payloadText, 'base64url');
    const mac = Buffer.from(macText, 'base64url');
    const expected = this.mac(payload);
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    let parsed: z.infer<typeof payloadSchema>;
    try {
      parsed = payloadSchema.parse(JSON.parse(payload.toString('utf8')));
    } catch {
      return undefined;
    }
    return { terminalId: parsed.t, citizenNumber: parsed.c, cardNumber: parsed.k, issuedAtMs: parsed.i, expiresAtMs: parsed.e };
  }

  private mac(payload: Buffer): Buffer {
    return createHmac('sha256', this.key).update(payload).digest();
  }
}
