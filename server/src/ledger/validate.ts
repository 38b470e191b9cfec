// Shape checks of one transfer, before the ledger looks at any stored state
// (issue #5 "Bad input": each problem gets its own result code). Pure.
import type { TransferInput, TransferResultCode } from './types.js';
import { ACCOUNT_ID_MAX_LENGTH } from './chart.js';

/** A transfer checked and put in stored form (canonical at, canonical meta JSON). */
export interface NormalizedTransfer {
  id: string;
  debitAccountId: string;
  creditAccountId: string;
  amountFen: number;
  code: string;
  at: string;
  reference: string | null;
  metaJson: string;
  linked: boolean;
}

// UUIDv7, lowercase only: one spelling per id, so that a retry with the id in
// capitals is not a second transfer (ARCHITECTURE.md "Contracts": ids are UUIDv7).
const UUID_V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const CODE = /^[a-z][a-z0-9_.-]{0,63}$/;
const REFERENCE = /^[!-~]{1,128}$/;
const META_KEY = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;
export const META_MAX_KEYS = 32;
export const META_STRING_MAX_LENGTH = 512;
/** The one code that must reference the transfer it corrects (issue #5: corrections are new transfers). */
export const CORRECTION_CODE = 'correction';

// YYYY-MM-DD, or with a time and an explicit zone (a time without a zone would
// mean the server's local time, which differs between machines).
const ISO_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/** Canonical `Date.toISOString()` form of an ISO timestamp, or undefined when it is not one. */
export function canonicalTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length > 40) return undefined;
  const m = ISO_TIMESTAMP.exec(value);
  if (!m) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > 31) return undefined;
  if (m[4] !== undefined && (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6] ?? 0) > 59)) return undefined;
  // Reject impossible calendar days (2021-02-30) that Date would roll over.
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCDate() !== day) return undefined;
  const iso = new Date(ms).toISOString();
  // Years outside 0000-9999 print with a sign and would not sort as strings.
  return iso.length === 24 ? iso : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** Canonical JSON of meta (keys sorted), '' for none or empty; undefined when malformed. */
export function canonicalMeta(meta: unknown): string | undefined {
  if (meta === undefined) return '';
  if (!isPlainObject(meta)) return undefined;
  const keys = Object.keys(meta);
  if (keys.length === 0) return '';
  if (keys.length > META_MAX_KEYS) return undefined;
  keys.sort();
  const sorted: Record<string, unknown> = {};
  for (const key of keys) {
    if (!META_KEY.test(key)) return undefined;
    const v = meta[key];
    if (typeof v === 'string') {
      if (v.length > META_STRING_MAX_LENGTH) return undefined;
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) return undefined;
    } else if (typeof v !== 'boolean' && v !== null) {
      return undefined;
    }
    sorted[key] = v;
  }
  return JSON.stringify(sorted);
}

function isAccountId(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= ACCOUNT_ID_MAX_LENGTH;
}

export function isTransferId(value: unknown): value is string {
  return typeof value === 'string' && UUID_V7.test(value);
}

/**
 * Memo of one batch's normalizations (issue #5 section 7): the transfers of a
 * batch mostly share one `at` and, in a run's chain, one meta object, each
 * with the transfer before it; the last one of each is remembered. Only for
 * the length of one synchronous call: an object cannot change in between.
 */
export interface NormalizeMemo {
  atIn: unknown;
  atOut: string | undefined;
  metaIn: object | undefined;
  metaOut: string | undefined;
}

export function newNormalizeMemo(): NormalizeMemo {
  return { atIn: undefined, atOut: undefined, metaIn: undefined, metaOut: undefined };
}

/** The normalized transfer, or the result code of the first shape problem found. */
export function normalizeTransfer(input: unknown, memo?: NormalizeMemo): NormalizedTransfer | TransferResultCode {
  if (!isPlainObject(input)) return 'invalid_transfer';
  const t = input as Partial<Record<keyof TransferInput, unknown>>;
  if (!isTransferId(t.id)) return 'invalid_id';
  if (t.linked !== undefined && typeof t.linked !== 'boolean') return 'invalid_transfer';
  if (!isAccountId(t.debitAccountId) || !isAccountId(t.creditAccountId)) return 'invalid_account_id';
  if (t.debitAccountId === t.creditAccountId) return 'accounts_must_be_different';
  // Money is integer fen (ARCHITECTURE.md "Contracts"): 12.5 or 2**53 are refused, not rounded.
  if (typeof t.amountFen !== 'number' || !Number.isSafeInteger(t.amountFen) || t.amountFen <= 0) {
    return 'amount_must_be_positive_integer';
  }
  if (typeof t.code !== 'string' || !CODE.test(t.code)) return 'invalid_code';
  let at: string | undefined;
  if (memo !== undefined && memo.atIn !== undefined && t.at === memo.atIn) {
    at = memo.atOut;
  } else {
    at = canonicalTimestamp(t.at);
    // Only strings are remembered: they compare by value, so the memo cannot go stale.
    if (memo !== undefined && typeof t.at === 'string') {
      memo.atIn = t.at;
      memo.atOut = at;
    }
  }
  if (at === undefined) return 'invalid_at';
  let reference: string | null = null;
  if (t.reference !== undefined) {
    if (typeof t.reference !== 'string' || !REFERENCE.test(t.reference)) return 'invalid_reference';
    reference = t.reference;
  }
  if (t.code === CORRECTION_CODE && reference === null) return 'reference_required';
  let metaJson: string | undefined;
  if (memo !== undefined && typeof t.meta === 'object' && t.meta !== null) {
    if (t.meta !== memo.metaIn) {
      memo.metaIn = t.meta;
      memo.metaOut = canonicalMeta(t.meta);
    }
    metaJson = memo.metaOut;
  } else {
    metaJson = canonicalMeta(t.meta);
  }
  if (metaJson === undefined) return 'invalid_meta';
  return {
    id: t.id,
    debitAccountId: t.debitAccountId,
    creditAccountId: t.creditAccountId,
    amountFen: t.amountFen,
    code: t.code,
    at,
    reference,
    metaJson,
    linked: t.linked === true,
  };
}
