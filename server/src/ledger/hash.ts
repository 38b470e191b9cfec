// Tamper evidence (issue #5 section 1): each transfer's hash is SHA-256 over
// its predecessor's hash and a canonical encoding of every stored field, so an
// edited, inserted or deleted row breaks the chain from that point on.
import { hash } from 'node:crypto';
import type { StoredTransfer } from './store.js';

/** prevHash of the first transfer. */
export const GENESIS_HASH = '0'.repeat(64);

/** Bumped only with a migration: every stored hash depends on it. */
const ENCODING_VERSION = 'nongbao-ledger/1';

/**
 * The canonical encoding: a JSON array with the fields in a fixed order. JSON
 * quotes every string, so no field can bleed into the next; meta is already
 * canonical JSON (keys sorted) and `at` already canonical ISO.
 */
export function canonicalTransferEncoding(t: Omit<StoredTransfer, 'hash' | 'prevHash'>): string {
  return JSON.stringify([
    ENCODING_VERSION,
    t.seq,
    t.id,
    t.debitAccountId,
    t.creditAccountId,
    t.amountFen,
    t.code,
    t.at,
    t.reference,
    t.metaJson,
    t.linked ? 1 : 0,
    t.recordedAt,
  ]);
}

/**
 * SHA-256 (hex) of prevHash, '\n' and the canonical encoding. One-shot
 * crypto.hash (Node >= 20.12; the engines field asks 20.19) gives the same
 * digest as createHash().update()... about 3x faster, which verify over
 * millions of transfers feels (issue #5 section 7).
 */
export function transferHash(prevHash: string, t: Omit<StoredTransfer, 'hash' | 'prevHash'>): string {
  return hash('sha256', `${prevHash}\n${canonicalTransferEncoding(t)}`, 'hex');
}
