// Deterministic ids for transfers a run or a service derives from another id.
//
// ARCHITECTURE.md "Contracts": ids are UUIDv7 strings, and the ledger answers
// `exists` for a repeated id (issue 5, section 4: "every run is idempotent").
// A run cannot draw a random id and stay idempotent, so its ids are derived:
// the 48-bit timestamp of UUIDv7 is the business time of the event (so the ids
// still sort by time like the originators' ones) and the 74 "random" bits are
// SHA-256 of a name such as `payroll:2024-05|<citizen>|account`. The same name
// always gives the same id; different names collide with probability 2^-74.
// A run that writes very many ids with one time (the payroll) may instead put
// an ordinal of its own in those bits (`orderedUuidV7`), so that its ids sort
// in the order it writes them (issue 5 section 7).
import { hash, randomBytes } from 'node:crypto';

const UUID_V7_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function formatUuid(bytes: Uint8Array): string {
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

function uuidV7FromBits(timeMs: number, bits: Uint8Array): string {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs >= 2 ** 48) {
    throw new RangeError(`UUIDv7 time out of range: ${timeMs}`);
  }
  const bytes = new Uint8Array(16);
  let t = timeMs;
  for (let i = 5; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  for (let i = 6; i < 16; i++) bytes[i] = bits[i - 6]!;
  bytes[6] = 0x70 | (bytes[6]! & 0x0f); // version 7
  bytes[8] = 0x80 | (bytes[8]! & 0x3f); // RFC 9562 variant
  return formatUuid(bytes);
}

/** The same (time, name) always gives the same UUIDv7-shaped id. */
export function derivedUuidV7(timeMs: number, name: string): string {
  // One-shot hash: a payroll of a million people derives ~1.5 million ids.
  const digest = hash('sha256', name, 'buffer');
  return uuidV7FromBits(timeMs, digest);
}

/** The 74 bits after the timestamp that a UUIDv7 can carry (rand_a 12, rand_b 62; RFC 9562 section 5.7). */
export const UUIDV7_ORDINAL_BITS = 74;
const ORDINAL_LIMIT = 1n << BigInt(UUIDV7_ORDINAL_BITS);
const RAND_B_BITS = 62n;
const RAND_B_MASK = (1n << RAND_B_BITS) - 1n;
const VARIANT_BITS = 0b10n << RAND_B_BITS;

/**
 * A UUIDv7 whose 74 "random" bits are `ordinal`, chosen by the caller: ids with
 * the same time sort (as strings and as bytes) in the order of their ordinals.
 * For a run that writes many ids with one business time (the payroll: issue 5
 * section 7), ids that sort in write order land next to each other in the
 * ledger's UNIQUE id index instead of one random index page each. The caller
 * owns uniqueness: the ordinal must be distinct for distinct names.
 */
export function orderedUuidV7(timeMs: number, ordinal: bigint): string {
  if (!Number.isSafeInteger(timeMs) || timeMs < 0 || timeMs >= 2 ** 48) {
    throw new RangeError(`UUIDv7 time out of range: ${timeMs}`);
  }
  if (ordinal < 0n || ordinal >= ORDINAL_LIMIT) throw new RangeError(`UUIDv7 ordinal out of range (0 to 2^74 - 1): ${ordinal}`);
  const time = timeMs.toString(16).padStart(12, '0');
  const randA = (ordinal >> RAND_B_BITS).toString(16).padStart(3, '0');
  const randB = (VARIANT_BITS | (ordinal & RAND_B_MASK)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${randA}-${randB.slice(0, 4)}-${randB.slice(4, 16)}`;
}

/** A fresh UUIDv7 for records the server originates itself (e.g. an office certification). */
export function newUuidV7(nowMs: number = Date.now()): string {
  return uuidV7FromBits(nowMs, randomBytes(10));
}

export function isUuidV7(id: string): boolean {
  return UUID_V7_PATTERN.test(id);
}
