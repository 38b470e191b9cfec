// An ESC/POS receipt printer on the device side of a ByteLink (issue #4 §5):
// answers DLE EOT status queries with real status bytes, keeps what it prints
// (rendered to text and PNG by the shared renderer), and can be scripted:
// paper near end / out, cover open, cutter error, unresponsive.
import pino, { type Logger } from 'pino';
import type { ByteLink } from '../device/link.js';
import { encodeStatusByte } from './codec.js';
import { DEFAULT_WIDTH_DOTS, type StatusQuery } from './constants.js';
import { EscPosParser } from './parser.js';
import { renderCommands, type RenderedReceipt } from './render.js';
import type { EscPosCommand } from './types.js';

/** Receipts kept in memory; older ones are dropped. */
export const PRINTER_SIMULATOR_RECEIPT_LIMIT = 100;
/** Commands in one receipt not yet cut; a receipt that never ends is cut off here. */
export const PRINTER_SIMULATOR_JOB_COMMAND_LIMIT = 20_000;

export interface PrintedReceipt {
  commands: EscPosCommand[];
  /** False when the cutter failed: the paper is still attached. */
  cut: boolean;
  render(): RenderedReceipt;
}

export interface PrinterControl {
  setPaper(paper: 'ok' | 'nearEnd' | 'out'): Promise<void>;
  setCoverOpen(open: boolean): Promise<void>;
  setCutterError(error: boolean): Promise<void>;
  setUnresponsive(unresponsive: boolean): Promise<void>;
  /** Text of every receipt printed (and cut or not) so far. */
  receiptTexts(): Promise<string[]>;
}

export interface PrinterSimulatorOptions {
  link: ByteLink;
  widthDots?: number;
  log?: Logger;
}

export class PrinterSimulator implements PrinterControl {
  #link: ByteLink;
  #offData: () => void;
  readonly #widthDots: number;
  readonly #log: Logger;
  #parser = new EscPosParser();
  #job: EscPosCommand[] = [];
  readonly #receipts: PrintedReceipt[] = [];
  #paper: 'ok' | 'nearEnd' | 'out' = 'ok';
  #coverOpen = false;
  #cutterError = false;
  /** Scripted: the next cut fails and leaves the printer in cutter error. */
  #cutterWillFail = false;
  #unresponsive = false;
  /** Print data that arrived while the printer could not print. */
  lostCommands = 0;

  constructor(options: PrinterSimulatorOptions) {
    this.#link = options.link;
    this.#widthDots = options.widthDots ?? DEFAULT_WIDTH_DOTS;
    this.#log = options.log ?? pino({ level: 'silent' });
    this.#offData = this.#link.onData((chunk) => this.#onData(chunk));
  }

  /** Move to a new line (the host reconnected). */
  attach(link: ByteLink): void {
    this.#offData();
    this.#link = link;
    this.#parser = new EscPosParser();
    this.#offData = link.onData((chunk) => this.#onData(chunk));
  }

  stop(): void {
    this.#offData();
  }

  get receipts(): readonly PrintedReceipt[] {
    return this.#receipts;
  }

  async setPaper(paper: 'ok' | 'nearEnd' | 'out'): Promise<void> {
    this.#paper = paper;
  }
  async setCoverOpen(open: boolean): Promise<void> {
    this.#coverOpen = open;
  }
  /** true: the next cut fails (then status shows a cutter error); false: repaired. */
  async setCutterError(error: boolean): Promise<void> {
    this.#cutterWillFail = error;
    if (!error) this.#cutterError = false;
  }
  async setUnresponsive(unresponsive: boolean): Promise<void> {
    this.#unresponsive = unresponsive;
  }
  async receiptTexts(): Promise<string[]> {
    return this.#receipts.map((r) => r.render().text);
  }

  #canPrint(): boolean {
    return this.#paper !== 'out' && !this.#coverOpen && !this.#cutterError;
  }

  #onData(chunk: Buffer): void {
    for (const command of this.#parser.push(chunk)) {
      if (command.op === 'status') {
        // Real-time command: answered even while offline (ESC/POS, DLE EOT).
        if (this.#unresponsive) continue;
        const byte = encodeStatusByte(command.n as StatusQuery, {
          offline: !this.#canPrint(),
          coverOpen: this.#coverOpen,
          paperOut: this.#paper === 'out',
          paperNearEnd: this.#paper === 'nearEnd',
          cutterError: this.#cutterError,
          otherError: false,
        });
        this.#link.write(Buffer.from([byte])).catch((error: unknown) => this.#log.warn({ err: error }, 'printer simulator: write failed'));
        continue;
      }
      if (!this.#canPrint()) {
        this.lostCommands += 1;
        continue;
      }
      this.#job.push(command);
      if (command.op === 'cut') {
        if (this.#cutterWillFail) {
          this.#cutterWillFail = false;
          this.#cutterError = true;
        }
        this.#finish(true);
      }
      else if (this.#job.length >= PRINTER_SIMULATOR_JOB_COMMAND_LIMIT) this.#finish(false);
    }
  }

  #finish(cutRequested: boolean): void {
    const commands = this.#job;
    this.#job = [];
    const widthDots = this.#widthDots;
    // The log hears (once per process) whether the picture has Unifont glyphs or boxes.
    const log = this.#log;
    let rendered: RenderedReceipt | undefined;
    this.#receipts.push({
      commands,
      cut: cutRequested && !this.#cutterError,
      render: () => (rendered ??= renderCommands(commands, { widthDots, log })),
    });
    if (this.#receipts.length > PRINTER_SIMULATOR_RECEIPT_LIMIT) this.#receipts.shift();
  }
}
