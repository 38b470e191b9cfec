// One card session: the ApduTransport handed out with card-inserted, shared
// by the PC/SC driver and the in-process reader. It serialises commands, puts
// a deadline on each, applies T=0 handling (t0.ts), and ends exactly once.
import type { Logger } from 'pino';
import { APDU_TIMEOUT_MS, MAX_COMMAND_BYTES, MAX_QUEUED_APDUS } from './constants.js';
import { CardError, CardErrorCode, cardDeadlineErrors, isCardError } from './errors.js';
import { withDeadline } from '../device/wait.js';
import { exchangeT0, type RawExchange } from './t0.js';
import type { ApduTransport, TransmitOptions } from './types.js';

/**
 * After a vague transport failure, how long to wait for the reader's status
 * watcher to report the card gone, so that a card pulled mid-exchange ends in
 * CardRemoved whichever of the two events arrives first (issue #3 §1). pcscd
 * polls vpcd about every 450 ms; real readers report sooner.
 */
export const REMOVAL_SETTLE_MS = 1_200;

export interface CardSessionOptions {
  readerName: string;
  logger: Logger;
  apduTimeoutMs?: number;
  removalSettleMs?: number;
}

export class CardSession implements ApduTransport {
  readonly readerName: string;
  private readonly raw: RawExchange;
  private readonly logger: Logger;
  private readonly apduTimeoutMs: number;
  private readonly removalSettleMs: number;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private endError: CardError | undefined;
  private readonly endWaiters = new Set<(error: CardError) => void>();

  constructor(raw: RawExchange, options: CardSessionOptions) {
    this.raw = raw;
    this.readerName = options.readerName;
    this.logger = options.logger;
    this.apduTimeoutMs = options.apduTimeoutMs ?? APDU_TIMEOUT_MS;
    this.removalSettleMs = options.removalSettleMs ?? REMOVAL_SETTLE_MS;
  }

  get endedWith(): CardError | undefined {
    return this.endError;
  }

  /** Ends the session: pending and later transmits reject with `error`. Idempotent (first error wins). */
  end(error: CardError): void {
    if (this.endError) return;
    this.endError = error;
    for (const waiter of [...this.endWaiters]) waiter(error);
    this.endWaiters.clear();
  }

  transmit(command: Buffer, options: TransmitOptions = {}): Promise<Buffer> {
    if (this.endError) return Promise.reject(this.endError);
    if (!Buffer.isBuffer(command) || command.length < 4 || command.length > MAX_COMMAND_BYTES) {
      return Promise.reject(new CardError(CardErrorCode.commandInvalid, `command APDU must be 4-${MAX_COMMAND_BYTES} bytes`));
    }
    if (this.queued >= MAX_QUEUED_APDUS) {
      return Promise.reject(new CardError(CardErrorCode.sessionBusy, `${MAX_QUEUED_APDUS} commands already queued`, { readerName: this.readerName }));
    }
    const timeoutMs = options.timeoutMs ?? this.apduTimeoutMs;
    if (options.signal?.aborted) return Promise.reject(cardDeadlineErrors(this.readerName).canceled('exchange'));
    // Set once the caller stopped waiting (deadline, abort, session end): a
    // command still queued is then never sent.
    let abandoned = false;
    this.queued += 1;
    // Chained on the native exchanges, not on our timed promises: after a
    // timeout the next command still waits for the card to finish the last.
    const run = this.tail.then(async (): Promise<Buffer | undefined> => {
      if (abandoned) return undefined;
      try {
        return await exchangeT0(this.raw, command);
      } catch (error) {
        throw await this.classify(error);
      }
    });
    this.tail = run.then(
      () => undefined,
      () => undefined,
    );
    void this.tail.finally(() => {
      this.queued -= 1;
    });
    return withDeadline('exchange', timeoutMs, options.signal, (signal) => this.awaitExchange(run, signal, () => (abandoned = true)), cardDeadlineErrors(this.readerName));
  }

  /** The queued exchange's answer, or the session's end, whichever comes first. */
  private awaitExchange(run: Promise<Buffer | undefined>, signal: AbortSignal, abandon: () => void): Promise<Buffer> {
    return new Promise<Buffer>((resolve, reject) => {
      const onEnd = (error: CardError): void => {
        abandon();
        reject(error);
      };
      this.endWaiters.add(onEnd);
      signal.addEventListener(
        'abort',
        () => {
          abandon();
          this.endWaiters.delete(onEnd);
        },
        { once: true },
      );
      run.then(
        (response) => {
          this.endWaiters.delete(onEnd);
          if (response) resolve(response);
        },
        (error: unknown) => {
          this.endWaiters.delete(onEnd);
          reject(error);
        },
      );
    });
  }

  /** Maps a failure; a vague one waits briefly for a removal report to arrive. */
  private async classify(error: unknown): Promise<CardError> {
    const typed = isCardError(error)
      ? error
      : new CardError(CardErrorCode.transportFailed, 'transmit failed', { readerName: this.readerName, cause: error });
    if (typed.code === CardErrorCode.cardRemoved || typed.code === CardErrorCode.readerRemoved || typed.code === CardErrorCode.readerServiceUnavailable) {
      this.end(typed);
      return typed;
    }
    if (typed.code !== CardErrorCode.transportFailed || this.endError) return this.endError ?? typed;
    const gone = await new Promise<CardError | undefined>((resolve) => {
      const timer = setTimeout(() => {
        this.endWaiters.delete(waiter);
        resolve(undefined);
      }, this.removalSettleMs);
      const waiter = (e: CardError): void => {
        clearTimeout(timer);
        resolve(e);
      };
      this.endWaiters.add(waiter);
    });
    if (gone) return gone;
    this.logger.warn({ readerName: this.readerName, err: typed.message }, 'card transmit failed');
    return typed;
  }
}
