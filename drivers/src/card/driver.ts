// PcscCardReader: the CardReaderDriver over pcsc-lite (the `pcsclite` npm
// binding). Hot-plug of readers and cards, survival of pcscd restarts, one
// typed error when the card or reader goes mid-session (issue #3 §1).
//
// The binding is reached through the small PcscBinding interface below so the
// driver's event handling can be tested against a scripted binding as well as
// the real daemon (tests/src/card/).
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { pino, type Logger } from 'pino';
import { CONNECT_TIMEOUT_MS, DISCONNECT_TIMEOUT_MS, PCSCD_RETRY_MS, RECEIVE_BUFFER_BYTES } from './constants.js';
import { CardError, CardErrorCode, cardDeadlineErrors } from './errors.js';
import { withDeadline } from '../device/wait.js';
import { CardSession } from './session.js';
import type { CardReaderDriver, CardReaderEvents } from './types.js';

// ---- binding contract (the subset of `pcsclite` we use) ------------------

export interface PcscReaderStatus {
  state: number;
  atr?: Buffer;
}

export interface PcscBindingReader {
  readonly name: string;
  readonly connected: boolean;
  readonly SCARD_SHARE_SHARED: number;
  readonly SCARD_SHARE_EXCLUSIVE: number;
  readonly SCARD_PROTOCOL_T0: number;
  readonly SCARD_PROTOCOL_T1: number;
  readonly SCARD_STATE_PRESENT: number;
  readonly SCARD_STATE_MUTE: number;
  readonly SCARD_LEAVE_CARD: number;
  readonly SCARD_UNPOWER_CARD: number;
  on(event: 'status', listener: (status: PcscReaderStatus) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  connect(options: { share_mode?: number; protocol?: number }, cb: (err: Error | null | undefined, protocol: number) => void): void;
  disconnect(disposition: number, cb: (err: Error | null | undefined) => void): void;
  transmit(data: Buffer, resLen: number, protocol: number, cb: (err: Error | null | undefined, response: Buffer) => void): void;
  close(): void;
}

export interface PcscBindingContext {
  on(event: 'reader', listener: (reader: PcscBindingReader) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  close(): void;
}

/** Creates a PC/SC context; throws at once when pcscd is not running (as pcsclite does). */
export type PcscBinding = () => PcscBindingContext;

let realBinding: PcscBinding | undefined;
/** The `pcsclite` native module, loaded on first use so importing this package never needs libpcsclite. */
export function defaultPcscBinding(): PcscBindingContext {
  realBinding ??= createRequire(import.meta.url)('pcsclite') as PcscBinding;
  return realBinding();
}

// ---- PC/SC return codes (pcsclite.h) --------------------------------------

const SCARD = {
  E_NO_SMARTCARD: 0x8010000c,
  W_REMOVED_CARD: 0x80100069,
  W_RESET_CARD: 0x80100068,
  W_UNPOWERED_CARD: 0x80100067,
  W_UNRESPONSIVE_CARD: 0x80100066,
  E_READER_UNAVAILABLE: 0x80100017,
  E_UNKNOWN_READER: 0x80100009,
  E_NO_READERS_AVAILABLE: 0x8010002e,
  E_NO_SERVICE: 0x8010001d,
  E_SERVICE_STOPPED: 0x8010001e,
  E_INVALID_HANDLE: 0x80100003,
  E_TIMEOUT: 0x8010000a,
} as const;

/**
 * The PC/SC return code of a pcsclite error. The binding reports errors only as
 * `Error("SCardTransmit error: <text>(0x80100069)")`; we read the numeric code
 * from the parentheses (never the text) and branch on that.
 */
export function pcscReturnCode(error: unknown): number | undefined {
  const message = error instanceof Error ? error.message : String(error);
  const m = /\(0x([0-9a-fA-F]{8})\)/.exec(message);
  return m ? Number.parseInt(m[1]!, 16) : undefined;
}

export function mapPcscError(error: unknown, readerName: string, operation: string): CardError {
  const code = pcscReturnCode(error);
  const details = { readerName, cause: error };
  switch (code) {
    case SCARD.W_REMOVED_CARD:
    case SCARD.E_NO_SMARTCARD:
    case SCARD.W_RESET_CARD:
    case SCARD.W_UNPOWERED_CARD:
    case SCARD.E_INVALID_HANDLE:
      return new CardError(CardErrorCode.cardRemoved, `${operation}: card removed or reset`, details);
    case SCARD.E_READER_UNAVAILABLE:
    case SCARD.E_UNKNOWN_READER:
    case SCARD.E_NO_READERS_AVAILABLE:
      return new CardError(CardErrorCode.readerRemoved, `${operation}: reader gone`, details);
    case SCARD.E_NO_SERVICE:
    case SCARD.E_SERVICE_STOPPED:
      return new CardError(CardErrorCode.readerServiceUnavailable, `${operation}: pcscd not available`, details);
    case SCARD.E_TIMEOUT:
      return new CardError(CardErrorCode.timeout, `${operation}: timed out in pcscd`, details);
    case SCARD.W_UNRESPONSIVE_CARD:
      return new CardError(CardErrorCode.connectFailed, `${operation}: card does not answer (upside down, or not a chip card)`, details);
    default:
      return new CardError(CardErrorCode.transportFailed, `${operation} failed (${code === undefined ? 'no code' : `0x${code.toString(16)}`})`, details);
  }
}

// ---- the driver -------------------------------------------------------------

export interface PcscCardReaderOptions {
  logger?: Logger;
  /** Which readers to watch (all by default), e.g. `(n) => n.startsWith('Virtual PCD 00 00')`. */
  readerFilter?: (readerName: string) => boolean;
  binding?: PcscBinding;
  shareMode?: 'exclusive' | 'shared';
  apduTimeoutMs?: number;
  connectTimeoutMs?: number;
  retryMs?: number;
  removalSettleMs?: number;
}

interface ReaderSlot {
  reader: PcscBindingReader;
  present: boolean;
  /** Bumped on every insertion/removal so a late connect callback knows it is stale. */
  insertion: number;
  session: CardSession | undefined;
}

/**
 * Reader watchers left unclosed because pcscd died under them (see dropReader):
 * a few objects per pcscd restart, kept for the life of the process.
 */
const ABANDONED_WATCHERS = new Set<PcscBindingReader>();

export class PcscCardReader extends EventEmitter<CardReaderEvents> implements CardReaderDriver {
  private readonly logger: Logger;
  private readonly binding: PcscBinding;
  private readonly options: PcscCardReaderOptions;
  private context: PcscBindingContext | undefined;
  private readonly readers = new Map<string, ReaderSlot>();
  private retryTimer: NodeJS.Timeout | undefined;
  private running = false;
  /** Set while pcscd is unreachable, so the outage is reported once, not every retry. */
  private serviceDown = false;

  constructor(options: PcscCardReaderOptions = {}) {
    super();
    this.options = options;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.binding = options.binding ?? defaultPcscBinding;
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.openContext();
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const gone = new CardError(CardErrorCode.cardRemoved, 'card reader driver stopped');
    await Promise.all([...this.readers.keys()].map((name) => this.dropReader(name, gone, true)));
    this.closeContext();
  }

  private openContext(): void {
    if (!this.running) return;
    let context: PcscBindingContext;
    try {
      context = this.binding();
    } catch (error) {
      // pcsclite throws at once when pcscd is absent: report once, keep trying.
      if (!this.serviceDown) {
        this.serviceDown = true;
        const mapped = mapPcscError(error, '', 'SCardEstablishContext');
        this.logger.warn({ code: mapped.codeName, err: mapped.message }, 'pcscd not reachable; retrying');
        this.reportError(new CardError(CardErrorCode.readerServiceUnavailable, 'pcscd not reachable', { cause: error }));
      }
      this.scheduleReopen();
      return;
    }
    if (this.serviceDown) this.logger.info('pcscd reachable again');
    this.serviceDown = false;
    this.context = context;
    context.on('reader', (reader) => this.onReader(context, reader));
    context.on('error', (error) => this.onContextError(context, error));
  }

  private scheduleReopen(): void {
    if (!this.running || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.openContext();
    }, this.options.retryMs ?? PCSCD_RETRY_MS);
  }

  private closeContext(): void {
    const context = this.context;
    this.context = undefined;
    try {
      context?.close();
    } catch (error) {
      this.logger.debug({ err: String(error) }, 'closing PC/SC context failed');
    }
  }

  /** The context's watcher died: pcscd stopped or restarted. Drop everything, re-create. */
  private onContextError(context: PcscBindingContext, error: Error): void {
    if (context !== this.context) return;
    const mapped = mapPcscError(error, '', 'SCardGetStatusChange');
    this.logger.warn({ code: mapped.codeName, err: mapped.message }, 'PC/SC context lost; re-creating');
    const gone = new CardError(CardErrorCode.readerServiceUnavailable, 'pcscd went away', { cause: error });
    this.reportError(gone);
    for (const name of [...this.readers.keys()]) void this.dropReader(name, gone, true);
    this.closeContext();
    this.scheduleReopen();
  }

  private onReader(context: PcscBindingContext, reader: PcscBindingReader): void {
    const filter = this.options.readerFilter;
    if (context !== this.context || !this.running || (filter && !filter(reader.name))) {
      // Not ours to watch: its watcher thread still reports errors, which
      // must have a listener or they would be thrown.
      reader.on('error', () => undefined);
      reader.close();
      return;
    }
    const slot: ReaderSlot = { reader, present: false, insertion: 0, session: undefined };
    this.readers.set(reader.name, slot);
    this.logger.info({ readerName: reader.name }, 'reader added');
    this.emit('reader-added', { readerName: reader.name });
    reader.on('status', (status) => this.onStatus(slot, status));
    reader.on('error', (error) => this.logger.debug({ readerName: reader.name, err: error.message }, 'reader watcher error'));
    reader.on('end', () => {
      if (this.readers.get(reader.name) !== slot) return;
      void this.dropReader(reader.name, new CardError(CardErrorCode.readerRemoved, 'reader removed', { readerName: reader.name }), false);
    });
  }

  private onStatus(slot: ReaderSlot, status: PcscReaderStatus): void {
    if (this.readers.get(slot.reader.name) !== slot) return;
    const r = slot.reader;
    const present = (status.state & r.SCARD_STATE_PRESENT) !== 0 && (status.state & r.SCARD_STATE_MUTE) === 0;
    if (present && !slot.present) {
      slot.present = true;
      slot.insertion += 1;
      void this.connect(slot, slot.insertion, status.atr ?? Buffer.alloc(0));
    } else if (!present && slot.present) {
      slot.present = false;
      slot.insertion += 1;
      void this.endSession(slot, new CardError(CardErrorCode.cardRemoved, 'card removed', { readerName: r.name }), true);
    }
  }

  private async connect(slot: ReaderSlot, insertion: number, atr: Buffer): Promise<void> {
    const r = slot.reader;
    const shareMode = this.options.shareMode === 'shared' ? r.SCARD_SHARE_SHARED : r.SCARD_SHARE_EXCLUSIVE;
    if (r.connected) await this.disconnect(r, r.SCARD_LEAVE_CARD);
    let protocol: number;
    try {
      protocol = await withDeadline(
        'SCardConnect',
        this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
        undefined,
        () =>
          new Promise<number>((resolve, reject) =>
            r.connect({ share_mode: shareMode, protocol: r.SCARD_PROTOCOL_T0 | r.SCARD_PROTOCOL_T1 }, (err, p) => (err ? reject(err) : resolve(p))),
          ),
        cardDeadlineErrors(r.name),
      );
    } catch (error) {
      if (slot.insertion !== insertion) return; // card already gone again
      const mapped = error instanceof CardError ? error : mapPcscError(error, r.name, 'SCardConnect');
      const typed = mapped.code === CardErrorCode.transportFailed ? new CardError(CardErrorCode.connectFailed, mapped.message, { readerName: r.name, cause: error }) : mapped;
      this.logger.warn({ readerName: r.name, code: typed.codeName, err: typed.message }, 'card connect failed');
      this.reportError(typed);
      return;
    }
    if (slot.insertion !== insertion || this.readers.get(r.name) !== slot || !this.running) {
      await this.disconnect(r, r.SCARD_LEAVE_CARD);
      return;
    }
    if (typeof protocol !== 'number') {
      this.reportError(new CardError(CardErrorCode.connectFailed, 'SCardConnect gave no protocol', { readerName: r.name }));
      return;
    }
    const session = new CardSession(
      (command) =>
        new Promise<Buffer>((resolve, reject) => {
          r.transmit(command, RECEIVE_BUFFER_BYTES, protocol, (err, response) => {
            if (err) reject(mapPcscError(err, r.name, 'SCardTransmit'));
            // vpcd answers an exchange cut by removal with 0 bytes and success:
            // a transport failure (CardSession then waits for the removal report).
            else if (response.length < 2) reject(new CardError(CardErrorCode.transportFailed, `SCardTransmit returned ${response.length} bytes`, { readerName: r.name }));
            else resolve(response);
          });
        }),
      {
        readerName: r.name,
        logger: this.logger,
        ...(this.options.apduTimeoutMs === undefined ? {} : { apduTimeoutMs: this.options.apduTimeoutMs }),
        ...(this.options.removalSettleMs === undefined ? {} : { removalSettleMs: this.options.removalSettleMs }),
      },
    );
    slot.session = session;
    this.logger.info({ readerName: r.name, atr: atr.toString('hex').toUpperCase(), protocol }, 'card inserted');
    this.emit('card-inserted', { readerName: r.name, atr: Buffer.from(atr), transport: session });
  }

  private async endSession(slot: ReaderSlot, error: CardError, disconnect: boolean): Promise<void> {
    const session = slot.session;
    if (!session) return;
    slot.session = undefined;
    session.end(error);
    this.logger.info({ readerName: slot.reader.name, reason: error.codeName }, 'card removed');
    this.emit('card-removed', { readerName: slot.reader.name });
    if (disconnect) await this.disconnect(slot.reader, slot.reader.SCARD_LEAVE_CARD);
  }

  private async dropReader(name: string, error: CardError, closeWatcher: boolean): Promise<void> {
    const slot = this.readers.get(name);
    if (!slot) return;
    this.readers.delete(name);
    slot.insertion += 1;
    await this.endSession(slot, new CardError(error.code, error.message, { readerName: name, cause: error }), closeWatcher);
    if (closeWatcher && error.code === CardErrorCode.readerServiceUnavailable) {
      // pcscd is gone: pcsclite's close() would SCardCancel (which fails without
      // the service) and then join the reader's watcher thread with no timeout;
      // a watcher still inside a PC/SC call then blocks the kiosk's event loop
      // for good (seen 1 run in ~10 of the pcscd restart test). The watcher
      // ends by itself once its call fails; keep the object reachable so that
      // its destructor, which joins the same way, never runs on the event loop.
      ABANDONED_WATCHERS.add(slot.reader);
      this.logger.debug({ readerName: name }, 'reader watcher abandoned: pcscd is gone');
    } else if (closeWatcher) {
      try {
        slot.reader.close();
      } catch (e) {
        this.logger.debug({ readerName: name, err: String(e) }, 'closing reader watcher failed');
      }
    }
    this.logger.info({ readerName: name, reason: error.codeName }, 'reader removed');
    this.emit('reader-removed', { readerName: name });
  }

  /** `error` events only go to listeners: an unheard error must not throw out of a kiosk's event loop (it is logged). */
  private reportError(error: CardError): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private async disconnect(r: PcscBindingReader, disposition: number): Promise<void> {
    if (!r.connected) return;
    try {
      await withDeadline(
        'SCardDisconnect',
        DISCONNECT_TIMEOUT_MS,
        undefined,
        () => new Promise<void>((resolve, reject) => r.disconnect(disposition, (err) => (err ? reject(err) : resolve()))),
        cardDeadlineErrors(r.name),
      );
    } catch (error) {
      this.logger.debug({ readerName: r.name, err: String(error) }, 'disconnect failed');
    }
  }
}
