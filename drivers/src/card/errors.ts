// One error class for the card layer, with ranged numeric codes and predicates
// (STYLE.md §4, CONVENTIONS "Logs, errors, limits"). Callers branch on `code`
// or the predicates, never on message text.
//
//   1000-1099  reader / transport (PC/SC, vpcd, timeouts)
//   1100-1199  status words answered by the card (ISO 7816-4, LD/T 32-2015)
//   1200-1299  card data the parser or application refuses
//   1300-1399  checks on the holder data (GB 11643, expiry)
//   1400-1499  card authenticity
//   1500-1599  virtual card profile / tooling

export const CardErrorCode = {
  ReaderServiceUnavailable: 1001,
  ReaderRemoved: 1002,
  CardRemoved: 1003,
  Timeout: 1004,
  TransportFailed: 1005,
  Aborted: 1006,
  ResponseTooShort: 1007,
  ResponseTooLong: 1008,
  ConnectFailed: 1009,
  SessionBusy: 1010,
  VpcdUnavailable: 1011,
  VpcdDisconnected: 1012,
  CommandInvalid: 1013,

  PinWrong: 1101,
  PinBlocked: 1102,
  FileNotFound: 1103,
  RecordNotFound: 1104,
  SecurityNotSatisfied: 1105,
  ConditionsNotSatisfied: 1106,
  WrongParameters: 1107,
  InstructionNotSupported: 1108,
  ClassNotSupported: 1109,
  WrongLength: 1110,
  FunctionNotSupported: 1111,
  DataInvalid: 1112,
  MemoryFailure: 1113,
  AuthenticationMethodBlocked: 1114,
  UnexpectedStatus: 1199,

  AtrInvalid: 1201,
  NotSocialSecurityCard: 1202,
  RecordDamaged: 1203,
  WrongGenerationLayout: 1204,
  FieldMissing: 1205,
  FieldInvalid: 1206,
  PinFormat: 1207,

  CitizenNumberInvalid: 1301,
  BirthDateMismatch: 1302,
  CardExpired: 1303,
  CardNotYetValid: 1304,

  CardAuthenticationFailed: 1401,

  ProfileInvalid: 1501,
} as const;
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

  /** The code's name, e.g. `PinWrong`, for log lines. */
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

export const isTransportError = (e: unknown): e is CardError => inRange(e, 1000, 1099);
export const isStatusWordError = (e: unknown): e is CardError => inRange(e, 1100, 1199);
export const isCardDataError = (e: unknown): e is CardError => inRange(e, 1200, 1299);
export const isCardCheckError = (e: unknown): e is CardError => inRange(e, 1300, 1399);

/** The card (or reader) is gone: the session is over, ask for the card again. */
export function isCardGone(error: unknown): error is CardError {
  return (
    isCardError(error) &&
    (error.code === CardErrorCode.CardRemoved ||
      error.code === CardErrorCode.ReaderRemoved ||
      error.code === CardErrorCode.ReaderServiceUnavailable)
  );
}

/** Worth trying again with the same card (after re-inserting if it was gone). */
export function isRetryable(error: unknown): error is CardError {
  return (
    isCardGone(error) ||
    (isCardError(error) &&
      (error.code === CardErrorCode.Timeout ||
        error.code === CardErrorCode.TransportFailed ||
        error.code === CardErrorCode.ConnectFailed ||
        error.code === CardErrorCode.SessionBusy))
  );
}

// ---- status words -------------------------------------------------------

/** Named status words (ISO 7816-4 §5.1.3; 63Cx / 6983 as LD/T 32-2015 uses them). */
const STATUS_WORDS: ReadonlyMap<number, [CardErrorCode, string]> = new Map([
  [0x6983, [CardErrorCode.PinBlocked, 'PIN blocked']],
  [0x6984, [CardErrorCode.PinBlocked, 'reference data not usable (PIN blocked)']],
  [0x6a82, [CardErrorCode.FileNotFound, 'file or application not found']],
  [0x6a83, [CardErrorCode.RecordNotFound, 'record not found']],
  [0x6982, [CardErrorCode.SecurityNotSatisfied, 'security status not satisfied']],
  [0x6985, [CardErrorCode.ConditionsNotSatisfied, 'conditions of use not satisfied']],
  [0x6986, [CardErrorCode.ConditionsNotSatisfied, 'command not allowed (no current EF)']],
  [0x6a86, [CardErrorCode.WrongParameters, 'incorrect P1-P2']],
  [0x6b00, [CardErrorCode.WrongParameters, 'wrong parameters P1-P2']],
  [0x6d00, [CardErrorCode.InstructionNotSupported, 'instruction not supported']],
  [0x6e00, [CardErrorCode.ClassNotSupported, 'class not supported']],
  [0x6700, [CardErrorCode.WrongLength, 'wrong length']],
  [0x6a81, [CardErrorCode.FunctionNotSupported, 'function not supported']],
  [0x6a80, [CardErrorCode.DataInvalid, 'incorrect data field']],
  [0x6581, [CardErrorCode.MemoryFailure, 'memory failure']],
  [0x6300, [CardErrorCode.CardAuthenticationFailed, 'authentication failed']],
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
    if (triesLeft === 0) return new CardError(CardErrorCode.PinBlocked, `${context}: PIN blocked (${statusWord})`, { statusWord, triesLeft });
    return new CardError(CardErrorCode.PinWrong, `${context}: wrong PIN, ${triesLeft} tries left (${statusWord})`, { statusWord, triesLeft });
  }
  const known = STATUS_WORDS.get(sw);
  if (known) return new CardError(known[0], `${context}: ${known[1]} (${statusWord})`, { statusWord });
  return new CardError(CardErrorCode.UnexpectedStatus, `${context}: unexpected status word ${statusWord}`, { statusWord });
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
    case CardErrorCode.PinWrong:
      return { key: 'card.pinWrong', triesLeft: error.triesLeft ?? 0 };
    case CardErrorCode.PinBlocked:
    case CardErrorCode.AuthenticationMethodBlocked:
      return { key: 'card.pinBlocked' };
    case CardErrorCode.PinFormat:
      return { key: 'card.pinFormat' };
    case CardErrorCode.CardExpired:
      return { key: 'card.expired' };
    case CardErrorCode.CardNotYetValid:
      return { key: 'card.notYetValid' };
    case CardErrorCode.CardRemoved:
    case CardErrorCode.Aborted:
      return { key: 'card.removed' };
    case CardErrorCode.Timeout:
    case CardErrorCode.TransportFailed:
    case CardErrorCode.ConnectFailed:
    case CardErrorCode.SessionBusy:
      return { key: 'card.tryAgain' };
    case CardErrorCode.ReaderServiceUnavailable:
    case CardErrorCode.ReaderRemoved:
    case CardErrorCode.VpcdUnavailable:
    case CardErrorCode.VpcdDisconnected:
      return { key: 'card.readerUnavailable' };
    case CardErrorCode.CardAuthenticationFailed:
      return { key: 'card.notAuthentic' };
    default:
      // Not a social-security card, damaged record, wrong layout, bad ATR,
      // invalid citizen number, unexpected status word, ...
      return { key: 'card.unreadable' };
  }
}
