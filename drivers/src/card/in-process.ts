// A reader for in-process use (unit tests, the demo without pcscd): the same
// CardReaderDriver contract as PcscCardReader, with insert()/remove() standing
// in for a hand. Answers arrive on a later tick, like a real reader's.
import { EventEmitter } from 'node:events';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { pino, type Logger } from 'pino';
import { CardError, CardErrorCode } from './errors.js';
import { CardSession } from './session.js';
import type { VirtualCard } from './simulator.js';
import type { CardReaderDriver, CardReaderEvents } from './types.js';

export const IN_PROCESS_READER_NAME = 'Nongbao in-process reader';

export interface InProcessCardReaderOptions {
  readerName?: string;
  logger?: Logger;
  apduTimeoutMs?: number;
}

export class InProcessCardReader extends EventEmitter<CardReaderEvents> implements CardReaderDriver {
  readonly readerName: string;
  private readonly logger: Logger;
  private readonly apduTimeoutMs: number | undefined;
  private started = false;
  private card: VirtualCard | undefined;
  private session: CardSession | undefined;

  constructor(options: InProcessCardReaderOptions = {}) {
    super();
    this.readerName = options.readerName ?? IN_PROCESS_READER_NAME;
    this.logger = options.logger ?? pino({ level: 'silent' });
    this.apduTimeoutMs = options.apduTimeoutMs;
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.emit('reader-added', { readerName: this.readerName });
    if (this.card) this.connect(this.card);
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.endSession();
    this.started = false;
    this.emit('reader-removed', { readerName: this.readerName });
  }

  /** Puts a card in the reader (removing any card already there). */
  insert(card: VirtualCard): void {
    if (this.card) this.remove();
    this.card = card;
    if (this.started) this.connect(card);
  }

  /** Takes the card out: its transport rejects with CardRemoved from now on. */
  remove(): void {
    if (!this.card) return;
    this.card = undefined;
    this.endSession();
  }

  private connect(card: VirtualCard): void {
    card.reset();
    const session = new CardSession(
      async (command) => {
        await nextTurn();
        if (this.card !== card || this.session !== session) {
          throw new CardError(CardErrorCode.cardRemoved, 'card removed', { readerName: this.readerName });
        }
        return card.transmit(command);
      },
      { readerName: this.readerName, logger: this.logger, ...(this.apduTimeoutMs === undefined ? {} : { apduTimeoutMs: this.apduTimeoutMs }) },
    );
    this.session = session;
    this.emit('card-inserted', { readerName: this.readerName, atr: Buffer.from(card.atr), transport: session });
  }

  private endSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.end(new CardError(CardErrorCode.cardRemoved, 'card removed', { readerName: this.readerName }));
    this.emit('card-removed', { readerName: this.readerName });
  }
}
