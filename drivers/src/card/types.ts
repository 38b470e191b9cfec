// Shared types and the device contracts of the card path.
import type { CardError } from './errors.js';

export type CardGeneration = 1 | 2 | 3;
export type CardKind = 'resident' | 'staff';
export type Sex = 'male' | 'female' | 'unknown' | 'unspecified';

/** EF05 (card data). */
export interface CardData {
  kind: CardKind;
  /** 16 bytes as 32 upper-case hex digits: region code BCD + D156000005 + 8 bytes. */
  cardIdentifier: string;
  /** 6-digit administrative region code from the identifier's first 3 bytes. */
  regionCode: string;
  cardType: string;
  /** As on the card, NULs removed: '1.00', '2.00', '3.00' or real-world '2.0'. */
  specVersion: string;
  generation: CardGeneration;
  /** Initialising organisation code as hex (binary on real cards). */
  initialisingOrg: string | undefined;
  issueDate: string;
  expiryDate: string;
  /** 'year' when the card held only a year (expiry then taken as Dec 31). */
  datePrecision: 'day' | 'year';
  cardNumber: string;
}

/** EF06 (holder data). */
export interface HolderData {
  citizenNumber: string;
  /** Name (GBK) with the name extension (tag 4E, generation 2+) appended. */
  name: string;
  sex: Sex;
  /** GB 3304 two-digit code ('01' Han ... '56'; '97' other; '98' foreign-born). */
  ethnicity: string;
  /** 6-digit region code of the birthplace, when the card has it. */
  birthplace: string | undefined;
  birthDate: string;
}

export type CardIdentity = CardData & HolderData;

// ---- transport ------------------------------------------------------------

export interface TransmitOptions {
  /** Deadline for this exchange including T=0 follow-ups; defaults to APDU_TIMEOUT_MS. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * One card session's APDU channel.
 *
 * Contract:
 * - `transmit` resolves with the complete response: data followed by SW1 SW2.
 *   T=0 procedure bytes are already dealt with by the transport (t0.ts):
 *   `61xx` was followed by GET RESPONSE (data concatenated), `6Cxx` resent with
 *   Le = xx. Callers never see 61xx or 6Cxx.
 * - Status words other than those are returned as they are; mapping them to
 *   errors is the caller's (application.ts, `statusWordError`).
 * - It rejects only with a CardError: Timeout after `timeoutMs`, Aborted when
 *   `signal` aborts, CardRemoved / ReaderRemoved / ReaderServiceUnavailable when
 *   the session ended (once ended, every later call rejects the same way at once),
 *   SessionBusy when more than MAX_QUEUED_APDUS calls are waiting.
 * - Calls are serialised: one command is on the wire at a time.
 */
export interface ApduTransport {
  transmit(command: Buffer, options?: TransmitOptions): Promise<Buffer>;
}

// ---- reader driver ------------------------------------------------------------

export interface CardInsertedEvent {
  readerName: string;
  atr: Buffer;
  /** Valid until the matching card-removed; afterwards it rejects with CardRemoved. */
  transport: ApduTransport;
}

export interface CardReaderEvents {
  'reader-added': [{ readerName: string }];
  'reader-removed': [{ readerName: string }];
  'card-inserted': [CardInsertedEvent];
  'card-removed': [{ readerName: string }];
  /** Operating errors (pcscd gone, connect failed, ...). The driver keeps running; emitted only when someone listens (always logged). */
  error: [CardError];
}

export type CardReaderEventName = keyof CardReaderEvents;

/**
 * A reader driver (one per kiosk; several readers/slots possible).
 *
 * Contract:
 * - After `start()`, emits reader-added for each reader present and as they
 *   appear, reader-removed as they go; card-inserted once the card is
 *   connected and its transport usable; card-removed exactly once per
 *   card-inserted (also when the reader or the service goes away first).
 * - `error` is emitted for operating errors and never ends the driver;
 *   `stop()` ends every session (transports reject with CardRemoved) and
 *   resolves when no timer or native watcher is left.
 * - Events for one reader are emitted in order: added, (inserted, removed)*, removed.
 */
export interface CardReaderDriver {
  start(): Promise<void>;
  stop(): Promise<void>;
  on<E extends CardReaderEventName>(event: E, listener: (...args: CardReaderEvents[E]) => void): this;
  off<E extends CardReaderEventName>(event: E, listener: (...args: CardReaderEvents[E]) => void): this;
  once<E extends CardReaderEventName>(event: E, listener: (...args: CardReaderEvents[E]) => void): this;
}
