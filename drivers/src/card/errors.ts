// One error class for the card layer, with ranged numeric codes and predicates
// (STYLE.md §4, CONVENTIONS "Logs, errors, limits"). Callers branch on `code`
// or the predicates, never on message text.
//
// Codes come from the one register (protocol errors.ts, issue 13 section 1;
// until then they shared 1000-1099 with the device layer):
//   2000-2099  reader / transport (PC/SC, vpcd, timeouts)
//   2100-2199  status words answered by the card (ISO 7816-4, LD/T 32-2015)
//   2200-2299  card data the parser or application refuses
//   2300-2399  checks on the holder data (GB 11643, expiry)
//   2400-2499  card authenticity
//   2500-2599  virtual card profile / tooling
import { CARD_ERROR_CODES, isRetryable } from '@nongbao/protocol/errors';
import type { DeadlineErrors } from '../device/wait.js';

export const CardErrorCode = CARD_ERROR_CODES;
export type CardErrorCode = (typeof CardErrorCode)[keyof typeof CardErrorCode];

const CODE_NAMES = new Map<number, string>(Object.entries(CardErrorCode).map(([k, v]) => [v, k]));

export interface CardErrorDetails {
  /** 63Cx: tries left before the PIN blocks. */
  triesLeft?: number;
  /** The status word that caused the error, as 4 hex digits. */
  statusWord?: string;
  readerName?: string;
  /** Which record tag / field a data error is about. */
  field?: string;
  cause?: unknown;
}

export class CardError extends Error {
  override readonly name = 'CardError';
  readonly code: CardErrorCode;
  readonly triesLeft: number | undefined;
  readonly statusWord: string | undefined;
  readonly readerName: string | undefined;
  readonly field: string | undefined;

  constructor(code: CardErrorCode, message: string, details: CardErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.triesLeft = details.triesLeft;
    this.statusWord = details.statusWord;
    this.readerName = details.readerName;
    this.field = details.field;
  }

  /** The code's name, e.g. `pinWrong`, for log lines. */
  get codeName(): string {
    return CODE_NAMES.get(this.code) ?? String(this.code);
  }
}

export function isCardError(error: unknown): error is CardError {
  return error instanceof CardError;
}

function inRange(error: unknown, low: number, high: number): error is CardError {
  return isCardError(error) && error.code >= low && error.code <= high;
}

export const isTransportError = (e: unknown): e is CardError => inRange(e, 2000, 2099);
export const isStatusWordError = (e: unknown): e is CardError => inRange(e, 2100, 2199);
export const isCardDataError = (e: unknown): e is CardError => inRange(e, 2200, 2299);
export const isCardCheckError = (e: unknown): e is CardError => inRange(e, 2300, 2399);

/** The card (or reader) is gone: the session is over, ask for the card again. */
export function isCardGone(error: unknown): error is CardError {
  return (
    isCardError(error) &&
    (error.code === CardErrorCode.cardRemoved ||
      error.code === CardErrorCode.readerRemoved ||
      error.code === CardErrorCode.readerServiceUnavailable)
  );
}

/**
 * Worth repeating the same exchange unchanged (a timeout, a passing transport
 * fault, a busy session): the register's one meaning. A removed card is not
 * retryable (a person must insert it again): ask `isCardGone`.
 */
export { isRetryable };

/** The card layer's errors for the shared deadline helper (device/wait.ts `withDeadline`). */
export function cardDeadlineErrors(readerName?: string): DeadlineErrors {
  const details = readerName === undefined ? {} : { readerName };
  return {
    timeout: (what, timeoutMs) => new CardError(CardErrorCode.timeout, `${what}: no answer within ${timeoutMs} ms`, details),
    canceled: (what) => new CardError(CardErrorCode.aborted, `${what}: aborted`, details),
    invalidTimeout: (what, timeoutMs) => new CardError(CardErrorCode.commandInvalid, `${what}: timeoutMs must be a positive number, got ${timeoutMs}`, details),
  };
}

// ---- status words -------------------------------------------------------

/** Named status words (ISO 7816-4 §5.1.3; 63Cx / 6983 as LD/T 32-2015 uses them). */
const STATUS_WORDS: ReadonlyMap<number, [CardErrorCode, string]> = new Map([
  [0x6983, [CardErrorCode.pinBlocked, 'PIN blocked']],
  [0x6984, [CardErrorCode.pinBlocked, 'reference data not usable (PIN blocked)']],
  [0x6a82, [CardErrorCode.fileNotFound, 'file or application not found']],
  [0x6a83, [CardErrorCode.recordNotFound, 'record not found']],
  [0x6982, [CardErrorCode.securityNotSatisfied, 'security status not satisfied']],
  [0x6985, [CardErrorCode.conditionsNotSatisfied, 'conditions of use not satisfied']],
  [0x6986, [CardErrorCode.conditionsNotSatisfied, 'command not allowed (no current EF)']],
  [0x6a86, [CardErrorCode.wrongParameters, 'incorrect P1-P2']],
  [0x6b00, [CardErrorCode.wrongParameters, 'wrong parameters P1-P2']],
  [0x6d00, [CardErrorCode.instructionNotSupported, 'instruction not supported']],
  [0x6e00, [CardErrorCode.classNotSupported, 'class not supported']],
  [0x6700, [CardErrorCode.wrongLength, 'wrong length']],
  [0x6a81, [CardErrorCode.functionNotSupported, 'function not supported']],
  [0x6a80, [CardErrorCode.dataInvalid, 'incorrect data field']],
  [0x6581, [CardErrorCode.memoryFailure, 'memory failure']],
  [0x6300, [CardErrorCode.cardAuthenticationFailed, 'authentication failed']],
]);

export function formatStatusWord(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}

/**
 * The typed error for a non-9000 status word. `63Cx` carries x tries left
 * (and 63C0 is reported as blocked, which is what the card will say next).
 */
export function statusWordError(sw: number, context: string): CardError {
  const statusWord = formatStatusWord(sw);
  if ((sw & 0xfff0) === 0x63c0) {
    const triesLeft = sw & 0x0f;
    if (triesLeft === 0) return new CardError(CardErrorCode.pinBlocked, `${context}: PIN blocked (${statusWord})`, { statusWord, triesLeft });
    return new CardError(CardErrorCode.pinWrong, `${context}: wrong PIN, ${triesLeft} tries left (${statusWord})`, { statusWord, triesLeft });
  }
  const known = STATUS_WORDS.get(sw);
  if (known) return new CardError(known[0], `${context}: ${known[1]} (${statusWord})`, { statusWord });
  return new CardError(CardErrorCode.unexpectedStatus, `${context}: unexpected status word ${statusWord}`, { statusWord });
}

// ---- resident-facing messages ------------------------------------------

/** Message keys the kiosk UI translates (the UI owns the wording in every language). */
export type ResidentMessageKey =
  | 'card.unreadable' // "this card cannot be read here; please go to the office"
  | 'card.pinWrong' // wrong PIN, {triesLeft} tries left
  | 'card.pinBlocked' // PIN blocked: take card and ID to the office to unblock
  | 'card.pinFormat' // the PIN has 6 digits
  | 'card.expired' // card expired: apply for a new card at the office
  | 'card.notYetValid'
  | 'card.removed' // the card was taken out; insert it again
  | 'card.tryAgain' // a passing fault: take the card out and insert it again
  | 'card.readerUnavailable' // the reader is out of order: call the service point
  | 'card.notAuthentic'; // the card failed the authenticity check: go to the office

export interface ResidentMessage {
  key: ResidentMessageKey;
  triesLeft?: number;
}

/** Maps any error (typed or not) to the short message the resident sees. */
export function residentMessage(error: unknown): ResidentMessage {
  if (!isCardError(error)) return { key: 'card.unreadable' };
  switch (error.code) {
    case CardErrorCode.pinWrong:
      return { key: 'card.pinWrong', triesLeft: error.triesLeft ?? 0 };
    case CardErrorCode.pinBlocked:
    case CardErrorCode.authenticationMethodBlocked:
      return { key: 'card.pinBlocked' };
    case CardErrorCode.pinFormat:
      return { key: 'card.pinFormat' };
    case CardErrorCode.cardExpired:
      return { key: 'card.expired' };
    case CardErrorCode.cardNotYetValid:
      return { key: 'card.notYetValid' };
    case CardErrorCode.cardRemoved:
    case CardErrorCode.aborted:
      return { key: 'card.removed' };
    case CardErrorCode.timeout:
    case CardErrorCode.transportFailed:
    case CardErrorCode.connectFailed:
    case CardErrorCode.sessionBusy:
      return { key: 'card.tryAgain' };
    case CardErrorCode.readerServiceUnavailable:
    case CardErrorCode.readerRemoved:
    case CardErrorCode.vpcdUnavailable:
    case CardErrorCode.vpcdDisconnected:
      return { key: 'card.readerUnavailable' };
    case CardErrorCode.cardAuthenticationFailed:
      return { key: 'card.notAuthentic' };
    default:
      // Not a social-security card, damaged record, wrong layout, bad ATR,
      // invalid citizen number, unexpected status word, ...
      return { key: 'card.unreadable' };
  }
}
