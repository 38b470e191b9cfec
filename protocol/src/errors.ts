// The one error register (issue 13 section 1): every layer's numeric code
// range in one table, every code a kiosk can report with its name, whether
// it is retryable and what staff should do about it. Each layer keeps its own
// error class (STYLE.md point 4: DeviceError, CardError, ...), but takes its
// codes from here, so two layers can never claim one number again (before
// this, device and card errors both used 1000-1099). The words for each code
// and action are the kiosk UI's (kiosk-ui/src/i18n/errors.ts, four languages);
// tests/src/protocol/error-register.test.ts fails when ranges overlap or a
// code has no message or action.

/** The layers, each with the ranges it owns. */
export const ERROR_LAYERS = ['device', 'card', 'terminal', 'gateway', 'server'] as const;
export type ErrorLayer = (typeof ERROR_LAYERS)[number];

export interface ErrorRange {
  layer: ErrorLayer;
  /** Inclusive bounds. */
  from: number;
  to: number;
  /** What the codes in this range are about, and which class raises them. */
  about: string;
}

export const ERROR_RANGES: readonly ErrorRange[] = [
  { layer: 'device', from: 1000, to: 1099, about: 'DeviceError: link / transport (port closed, write failed, timeout, canceled)' },
  { layer: 'device', from: 1100, to: 1199, about: 'DeviceError: protocol (bad frame, NAK, unexpected reply, bad status byte)' },
  { layer: 'device', from: 1200, to: 1299, about: 'DeviceError: device state (not open, hardware error, paper out, ...)' },
  { layer: 'device', from: 1300, to: 1399, about: 'DeviceError: caller errors (invalid argument, unsupported)' },
  { layer: 'card', from: 2000, to: 2099, about: 'CardError: reader / transport (PC/SC, vpcd, timeouts)' },
  { layer: 'card', from: 2100, to: 2199, about: 'CardError: status words answered by the card (ISO 7816-4, LD/T 32-2015)' },
  { layer: 'card', from: 2200, to: 2299, about: 'CardError: card data the parser or application refuses' },
  { layer: 'card', from: 2300, to: 2399, about: 'CardError: checks on the holder data (GB 11643, expiry)' },
  { layer: 'card', from: 2400, to: 2499, about: 'CardError: card authenticity' },
  { layer: 'card', from: 2500, to: 2599, about: 'CardError: virtual card profile / tooling' },
  { layer: 'terminal', from: 3000, to: 3099, about: 'terminal resources (disk, journal, outbox, clock, link)' },
  { layer: 'terminal', from: 3100, to: 3199, about: 'terminal self-tests' },
  { layer: 'gateway', from: 4000, to: 4099, about: 'gateway replies on the terminal protocol (replies.ts PROTOCOL_ERROR_CODES)' },
  { layer: 'server', from: 5000, to: 5099, about: 'LedgerError (server/src/ledger/errors.ts)' },
  { layer: 'server', from: 5100, to: 5199, about: 'PolicyError (server/src/policy/errors.ts)' },
  { layer: 'server', from: 6000, to: 6099, about: 'RegistryError (server/src/registry/errors.ts)' },
  { layer: 'server', from: 6100, to: 6199, about: 'RunError (server/src/runs/errors.ts)' },
  { layer: 'server', from: 6200, to: 6299, about: 'ApiError (server/src/api/errors.ts)' },
  { layer: 'server', from: 6300, to: 6399, about: 'CollectionError (server/src/collections/errors.ts)' },
];

/** What staff (or the office) should do about a fault; the UI has words for each. */
export const STAFF_ACTIONS = [
  'none',
  'retry',
  'reset',
  'checkConnection',
  'clearJam',
  'insertStacker',
  'emptyStacker',
  'reconcileCashBox',
  'loadPaper',
  'closeCover',
  'callMaintenance',
  'reinsertCard',
  'replaceCard',
  'checkNetwork',
  'freeDisk',
  'settleOutbox',
  'setClock',
  'callOffice',
] as const;
export type StaffAction = (typeof STAFF_ACTIONS)[number];

import type { ProtocolErrorCode } from './replies.js';

// ---------------------------------------------------------------- codes
/** DeviceError codes (drivers/src/device/errors.ts). */
export const DEVICE_ERROR_CODES = {
  linkClosed: 1000,
  writeFailed: 1001,
  timeout: 1002,
  canceled: 1003,
  queueFull: 1004,
  badFrame: 1100,
  nak: 1101,
  busyReply: 1102,
  unexpectedReply: 1103,
  badStatusByte: 1104,
  lostEvents: 1105,
  notOpen: 1200,
  hardwareError: 1201,
  paperOut: 1202,
  coverOpen: 1203,
  cutterError: 1204,
  escrowEmpty: 1205,
  routeFailed: 1206,
  fraudAttempt: 1207,
  busy: 1208,
  stackerFull: 1209,
  stackerRemoved: 1210,
  jammed: 1211,
  invalidArgument: 1300,
  unsupported: 1301,
} as const;

/** CardError codes (drivers/src/card/errors.ts). */
export const CARD_ERROR_CODES = {
  readerServiceUnavailable: 2001,
  readerRemoved: 2002,
  cardRemoved: 2003,
  timeout: 2004,
  transportFailed: 2005,
  aborted: 2006,
  responseTooShort: 2007,
  responseTooLong: 2008,
  connectFailed: 2009,
  sessionBusy: 2010,
  vpcdUnavailable: 2011,
  vpcdDisconnected: 2012,
  commandInvalid: 2013,

  pinWrong: 2101,
  pinBlocked: 2102,
  fileNotFound: 2103,
  recordNotFound: 2104,
  securityNotSatisfied: 2105,
  conditionsNotSatisfied: 2106,
  wrongParameters: 2107,
  instructionNotSupported: 2108,
  classNotSupported: 2109,
  wrongLength: 2110,
  functionNotSupported: 2111,
  dataInvalid: 2112,
  memoryFailure: 2113,
  authenticationMethodBlocked: 2114,
  unexpectedStatus: 2199,

  atrInvalid: 2201,
  notSocialSecurityCard: 2202,
  recordDamaged: 2203,
  wrongGenerationLayout: 2204,
  fieldMissing: 2205,
  fieldInvalid: 2206,
  pinFormat: 2207,

  citizenNumberInvalid: 2301,
  birthDateMismatch: 2302,
  cardExpired: 2303,
  cardNotYetValid: 2304,

  cardAuthenticationFailed: 2401,

  profileInvalid: 2501,
} as const;

/** Faults the terminal itself finds (diagnostics.ts, self-tests). */
export const TERMINAL_ERROR_CODES = {
  diskLow: 3001,
  journalLarge: 3002,
  outboxBacklog: 3003,
  outboxHalted: 3004,
  clockDrift: 3005,
  serverUnreachable: 3006,
  deviceAbsent: 3101,
  noCardInserted: 3102,
  selfTestBusy: 3103,
  selfTestFailed: 3104,
} as const;

/** The gateway's reply codes (replies.ts PROTOCOL_ERROR_CODES) as numbers. */
export const GATEWAY_ERROR_CODES = {
  badRequest: 4001,
  unsupportedVersion: 4002,
  unknownEvent: 4003,
  notFound: 4004,
  refused: 4005,
  rateLimited: 4006,
  unavailable: 4007,
  internal: 4008,
} as const;

type CodeName<T> = keyof T & string;

/**
 * Codes worth repeating unchanged, by the software, after a short wait,
 * without anyone doing anything: a lost or garbled frame, a busy device or
 * server, a passing transport fault. This is the one meaning of "retryable"
 * (before it, the card layer also counted a removed card, which needs a
 * person, and the ccTalk driver kept its own list).
 */
const RETRYABLE = new Set<number>([
  DEVICE_ERROR_CODES.timeout,
  DEVICE_ERROR_CODES.badFrame,
  DEVICE_ERROR_CODES.nak,
  DEVICE_ERROR_CODES.busyReply,
  CARD_ERROR_CODES.timeout,
  CARD_ERROR_CODES.transportFailed,
  CARD_ERROR_CODES.connectFailed,
  CARD_ERROR_CODES.sessionBusy,
  GATEWAY_ERROR_CODES.rateLimited,
  GATEWAY_ERROR_CODES.unavailable,
]);

const DEVICE_ACTIONS: Record<CodeName<typeof DEVICE_ERROR_CODES>, StaffAction> = {
  linkClosed: 'checkConnection',
  writeFailed: 'checkConnection',
  timeout: 'retry',
  canceled: 'none',
  queueFull: 'retry',
  badFrame: 'retry',
  nak: 'retry',
  busyReply: 'retry',
  unexpectedReply: 'reset',
  badStatusByte: 'checkConnection',
  lostEvents: 'reconcileCashBox',
  notOpen: 'checkConnection',
  hardwareError: 'callMaintenance',
  paperOut: 'loadPaper',
  coverOpen: 'closeCover',
  cutterError: 'callMaintenance',
  escrowEmpty: 'reconcileCashBox',
  routeFailed: 'clearJam',
  fraudAttempt: 'callOffice',
  busy: 'retry',
  stackerFull: 'emptyStacker',
  stackerRemoved: 'insertStacker',
  jammed: 'clearJam',
  invalidArgument: 'callMaintenance',
  unsupported: 'callMaintenance',
};

const CARD_ACTIONS: Record<CodeName<typeof CARD_ERROR_CODES>, StaffAction> = {
  readerServiceUnavailable: 'reset',
  readerRemoved: 'checkConnection',
  cardRemoved: 'reinsertCard',
  timeout: 'reinsertCard',
  transportFailed: 'reinsertCard',
  aborted: 'none',
  responseTooShort: 'reinsertCard',
  responseTooLong: 'reinsertCard',
  connectFailed: 'reinsertCard',
  sessionBusy: 'retry',
  vpcdUnavailable: 'reset',
  vpcdDisconnected: 'reset',
  commandInvalid: 'callMaintenance',
  pinWrong: 'none',
  pinBlocked: 'callOffice',
  fileNotFound: 'replaceCard',
  recordNotFound: 'replaceCard',
  securityNotSatisfied: 'reinsertCard',
  conditionsNotSatisfied: 'reinsertCard',
  wrongParameters: 'callMaintenance',
  instructionNotSupported: 'replaceCard',
  classNotSupported: 'replaceCard',
  wrongLength: 'callMaintenance',
  functionNotSupported: 'replaceCard',
  dataInvalid: 'callMaintenance',
  memoryFailure: 'replaceCard',
  authenticationMethodBlocked: 'callOffice',
  unexpectedStatus: 'reinsertCard',
  atrInvalid: 'reinsertCard',
  notSocialSecurityCard: 'none',
  recordDamaged: 'replaceCard',
  wrongGenerationLayout: 'replaceCard',
  fieldMissing: 'replaceCard',
  fieldInvalid: 'replaceCard',
  pinFormat: 'none',
  citizenNumberInvalid: 'callOffice',
  birthDateMismatch: 'callOffice',
  cardExpired: 'replaceCard',
  cardNotYetValid: 'callOffice',
  cardAuthenticationFailed: 'callOffice',
  profileInvalid: 'callMaintenance',
};

const TERMINAL_ACTIONS: Record<CodeName<typeof TERMINAL_ERROR_CODES>, StaffAction> = {
  diskLow: 'freeDisk',
  journalLarge: 'checkNetwork',
  outboxBacklog: 'checkNetwork',
  outboxHalted: 'settleOutbox',
  clockDrift: 'setClock',
  serverUnreachable: 'checkNetwork',
  deviceAbsent: 'checkConnection',
  noCardInserted: 'reinsertCard',
  selfTestBusy: 'retry',
  selfTestFailed: 'callMaintenance',
};

const GATEWAY_ACTIONS: Record<CodeName<typeof GATEWAY_ERROR_CODES>, StaffAction> = {
  badRequest: 'callMaintenance',
  unsupportedVersion: 'callOffice',
  unknownEvent: 'callOffice',
  notFound: 'none',
  refused: 'callOffice',
  rateLimited: 'retry',
  unavailable: 'checkNetwork',
  internal: 'callOffice',
};

// ---------------------------------------------------------------- the register
export interface RegisteredError {
  code: number;
  layer: ErrorLayer;
  /** The code's name in its layer, e.g. `paperOut`. */
  name: string;
  /** `<layer>.<name>`: the key the UI's words for the fault are under. */
  messageKey: string;
  action: StaffAction;
  retryable: boolean;
}

function entries<T extends Record<string, number>>(layer: ErrorLayer, codes: T, actions: Record<keyof T & string, StaffAction>): RegisteredError[] {
  return Object.entries(codes).map(([name, code]) => ({
    code,
    layer,
    name,
    messageKey: `${layer}.${name}`,
    action: actions[name as keyof T & string],
    retryable: RETRYABLE.has(code),
  }));
}

/** Every code a kiosk reports (server codes are only ranged here: they never reach a kiosk). */
export const ERROR_REGISTER: ReadonlyMap<number, RegisteredError> = new Map(
  [
    ...entries('device', DEVICE_ERROR_CODES, DEVICE_ACTIONS),
    ...entries('card', CARD_ERROR_CODES, CARD_ACTIONS),
    ...entries('terminal', TERMINAL_ERROR_CODES, TERMINAL_ACTIONS),
    ...entries('gateway', GATEWAY_ERROR_CODES, GATEWAY_ACTIONS),
  ].map((e) => [e.code, e]),
);

/** The range a code falls in, or undefined. */
export function errorRangeOf(code: number): ErrorRange | undefined {
  return ERROR_RANGES.find((r) => code >= r.from && code <= r.to);
}

/** The registered numeric code an error carries (`code`, or `numericCode` on the server's classes), or undefined. */
export function registeredCode(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'number' && ERROR_REGISTER.has(code) ? code : undefined;
}

/** The one meaning of retryable (see RETRYABLE): any layer's error, by its registered code. */
export function isRetryable(error: unknown): boolean {
  const code = registeredCode(error);
  return code !== undefined && RETRYABLE.has(code);
}

/** The gateway reply code's registered number. */
export function gatewayErrorCode(code: ProtocolErrorCode): number {
  const camel = code.replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as CodeName<typeof GATEWAY_ERROR_CODES>;
  return GATEWAY_ERROR_CODES[camel];
}
