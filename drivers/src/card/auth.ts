// Card authenticity (issue #3 §2): challenge-response with a per-card key
// diversified from an issuer key. Designed so the issuer key lives on the
// server (or an HSM / PSAM), never in the kiosk:
//
//   kiosk                         card                         server
//   GET CHALLENGE  ───────────────▶ cardRandom (8)
//   INTERNAL AUTHENTICATE(terminalChallenge(8) ‖ cardRandom(8))
//                  ───────────────▶ cryptogram = CMAC(cardKey, ...)
//   evidence {cardIdentifier, challenge(16), cryptogram} ───────▶ verifyCardCryptogram(issuerKey, ...)
//
// Algorithm choice: AES-128-CMAC (RFC 4493 / NIST SP 800-38B) for both key
// diversification and the cryptogram, as card chips and PSAMs implement block-
// cipher MACs natively (HMAC would not fit a real card). Node has no CMAC, so
// it is built here over aes-128-ecb and tested against RFC 4493's vectors.
//   cardKey    = CMAC(issuerKey, 01 ‖ "NBSSC-KD" ‖ cardIdentifier(16))
//   cryptogram = CMAC(cardKey,   02 ‖ "NBSSC-IA" ‖ cardIdentifier(16) ‖ challenge(16))
// A clone with the right EF05/EF06 data but without cardKey cannot produce the
// cryptogram for a fresh challenge. Freshness: the server issues (or at least
// records and refuses re-use of) the terminal half of the challenge.
import { createCipheriv, randomBytes, timingSafeEqual } from 'node:crypto';
import { AUTH_CHALLENGE_BYTES, AUTH_CRYPTOGRAM_BYTES, AUTH_TERMINAL_CHALLENGE_BYTES, CARD_KEY_BYTES } from './constants.js';
import { CardError, CardErrorCode } from './errors.js';

const BLOCK = 16;
const KD_LABEL = Buffer.from('NBSSC-KD', 'ascii');
const IA_LABEL = Buffer.from('NBSSC-IA', 'ascii');

/**
 * Issuer key of the demo and the tests ONLY (it is in the source). A real
 * deployment loads its issuer key from the server's key store.
 */
export const DEMO_ISSUER_KEY = Buffer.from('4E6F6E6762616F2D44454D4F2D4B4559', 'hex'); // "Nongbao-DEMO-KEY"

function aesBlock(key: Buffer, block: Buffer): Buffer {
  const cipher = createCipheriv('aes-128-ecb', key, null);
  cipher.setAutoPadding(false);
  return Buffer.concat([cipher.update(block), cipher.final()]);
}

function shiftLeftOne(input: Buffer): Buffer {
  const out = Buffer.alloc(input.length);
  for (let i = 0; i < input.length; i += 1) out[i] = ((input[i]! << 1) | ((input[i + 1] ?? 0) >> 7)) & 0xff;
  return out;
}

function subkey(previous: Buffer): Buffer {
  const k = shiftLeftOne(previous);
  if (previous[0]! & 0x80) k[BLOCK - 1]! ^= 0x87;
  return k;
}

/** AES-128-CMAC (RFC 4493), full 16-byte tag. */
export function aesCmac(key: Buffer, message: Buffer): Buffer {
  if (key.length !== 16) throw new CardError(CardErrorCode.fieldInvalid, 'AES-CMAC key must be 16 bytes');
  const l = aesBlock(key, Buffer.alloc(BLOCK));
  const k1 = subkey(l);
  const k2 = subkey(k1);
  const n = Math.max(1, Math.ceil(message.length / BLOCK));
  const complete = message.length > 0 && message.length % BLOCK === 0;
  const last = Buffer.alloc(BLOCK);
  if (complete) {
    message.copy(last, 0, (n - 1) * BLOCK);
    for (let i = 0; i < BLOCK; i += 1) last[i]! ^= k1[i]!;
  } else {
    const tail = message.subarray((n - 1) * BLOCK);
    tail.copy(last);
    last[tail.length] = 0x80;
    for (let i = 0; i < BLOCK; i += 1) last[i]! ^= k2[i]!;
  }
  let x: Buffer = Buffer.alloc(BLOCK);
  for (let b = 0; b < n - 1; b += 1) {
    const y = Buffer.alloc(BLOCK);
    for (let i = 0; i < BLOCK; i += 1) y[i] = x[i]! ^ message[b * BLOCK + i]!;
    x = aesBlock(key, y);
  }
  for (let i = 0; i < BLOCK; i += 1) last[i]! ^= x[i]!;
  return aesBlock(key, last);
}

function identifierBytes(cardIdentifier: string | Buffer): Buffer {
  const bytes = typeof cardIdentifier === 'string' ? (/^[0-9a-fA-F]{32}$/.test(cardIdentifier) ? Buffer.from(cardIdentifier, 'hex') : Buffer.alloc(0)) : cardIdentifier;
  if (bytes.length !== 16) throw new CardError(CardErrorCode.fieldInvalid, 'card identifier must be 16 bytes', { field: 'cardIdentifier' });
  return bytes;
}

/** The per-card key: what a card personalisation tool writes into the card. */
export function diversifyCardKey(issuerKey: Buffer, cardIdentifier: string | Buffer): Buffer {
  if (issuerKey.length !== CARD_KEY_BYTES) throw new CardError(CardErrorCode.fieldInvalid, 'issuer key must be 16 bytes');
  return aesCmac(issuerKey, Buffer.concat([Buffer.from([0x01]), KD_LABEL, identifierBytes(cardIdentifier)]));
}

/** What the card answers to INTERNAL AUTHENTICATE (also the server's expected value). */
export function computeCardCryptogram(cardKey: Buffer, cardIdentifier: string | Buffer, challenge: Buffer): Buffer {
  if (challenge.length !== AUTH_CHALLENGE_BYTES) throw new CardError(CardErrorCode.fieldInvalid, `challenge must be ${AUTH_CHALLENGE_BYTES} bytes`);
  return aesCmac(cardKey, Buffer.concat([Buffer.from([0x02]), IA_LABEL, identifierBytes(cardIdentifier), challenge]));
}

/**
 * Server side: true iff the cryptogram proves knowledge of the card key
 * diversified from `issuerKey`. Malformed inputs give false, never a throw
 * (they come from the network).
 */
export function verifyCardCryptogram(issuerKey: Buffer, cardIdentifier: string, challenge: Buffer, cryptogram: Buffer): boolean {
  try {
    if (cryptogram.length !== AUTH_CRYPTOGRAM_BYTES) return false;
    const expected = computeCardCryptogram(diversifyCardKey(issuerKey, cardIdentifier), cardIdentifier, challenge);
    return timingSafeEqual(expected, cryptogram);
  } catch {
    return false;
  }
}

/** The terminal half of the challenge when no server-issued one is at hand. */
export function newTerminalChallenge(): Buffer {
  return randomBytes(AUTH_TERMINAL_CHALLENGE_BYTES);
}

/** What the kiosk forwards to the server; hex strings so it can go into JSON as is. */
export interface CardAuthenticationEvidence {
  cardIdentifier: string;
  /** terminalChallenge(8) ‖ cardRandom(8), 32 hex digits. */
  challenge: string;
  /** 32 hex digits. */
  cryptogram: string;
}

/** Convenience for the server: verify JSON-shaped evidence. */
export function verifyCardAuthenticationEvidence(issuerKey: Buffer, evidence: CardAuthenticationEvidence): boolean {
  if (!/^[0-9a-fA-F]{32}$/.test(evidence.challenge) || !/^[0-9a-fA-F]{32}$/.test(evidence.cryptogram)) return false;
  return verifyCardCryptogram(issuerKey, evidence.cardIdentifier, Buffer.from(evidence.challenge, 'hex'), Buffer.from(evidence.cryptogram, 'hex'));
}
