// ESC/POS receipt printer driver over a ByteLink (issue #4 §3), implementing
// the ReceiptPrinter device model. Status is asked with DLE EOT n, one query
// at a time, each with a timeout, and every reply's fixed bits are checked.
// `print()` refuses when the printer cannot print (paper out, cover open), so
// the terminal can refuse cash it could not receipt (issue #4, "Bad input and
// faults"), and checks status again afterwards, since paper can run out mid-receipt.
import pino, { type Logger } from 'pino';
import { TypedEmitter } from '../device/emitter.js';
import { DeviceError, DeviceErrorCode } from '../device/errors.js';
import type { ByteLink } from '../device/link.js';
import type { CommandOptions, PrinterCapabilities, PrinterEvents, PrinterStatus, ReceiptPrinter } from '../device/types.js';
import { withDeadline } from '../device/wait.js';
import { decodeStatusByte, statusQuery } from './codec.js';
import { DEFAULT_WIDTH_DOTS, FONT_A_WIDTH_DOTS, StatusQuery } from './constants.js';

/** A printer answers DLE EOT within a few ms; 500 ms covers a busy print head. */
export const STATUS_REPLY_TIMEOUT_MS = 500;
/** All four status queries. */
export const STATUS_QUERY_TIMEOUT_MS = 3_000;
/** Sending one receipt at 9600 baud (~1 KB/s) with raster lines and a QR code. */
export const PRINT_TIMEOUT_MS = 30_000;
/** Bytes per write; lets a cancel take effect between chunks. */
export const PRINT_CHUNK_BYTES = 1_024;
/** A receipt's bytes; a raster-heavy receipt stays far below. */
export const PRINT_MAX_BYTES = 512 * 1_024;
/** Commands waiting behind the one running. */
export const PRINTER_QUEUE_LIMIT = 8;
/**
 * Idle status polling: finds paper running low before a payment starts and a
 * pulled cable (a pty hang-up is only noticed on the next write). 0 turns it off.
 */
export const PRINTER_STATUS_POLL_INTERVAL_MS = 2_000;
/** Failed idle polls in a row before the printer is reported offline. */
export const PRINTER_STATUS_FAILURE_LIMIT = 2;

export interface EscPosPrinterOptions {
  link: ByteLink;
  widthDots?: number;
  statusPollIntervalMs?: number;
  log?: Logger;
}

export class EscPosPrinter extends TypedEmitter<PrinterEvents> implements ReceiptPrinter {
  readonly kind = 'receiptPrinter' as const;
  readonly capabilities: PrinterCapabilities;
  readonly #link: ByteLink;
  #status: PrinterStatus = { device: 'offline', paper: 'unknown', coverOpen: false, cutterError: false, otherError: false };
  #opened = false;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #byteWaiter: ((byte: number) => void) | undefined;
  readonly #statusPollIntervalMs: number;
  #statusTimer: NodeJS.Timeout | undefined;
  #statusFailures = 0;

  constructor(options: EscPosPrinterOptions) {
    super(options.log ?? pino({ level: 'silent' }));
    const widthDots = options.widthDots ?? DEFAULT_WIDTH_DOTS;
    this.capabilities = { widthDots, columns: Math.floor(widthDots / FONT_A_WIDTH_DOTS), qr: true, cutter: true };
    this.#link = options.link;
    this.#statusPollIntervalMs = options.statusPollIntervalMs ?? PRINTER_STATUS_POLL_INTERVAL_MS;
    this.#link.onData((chunk) => {
      for (const byte of chunk) {
        if (this.#byteWaiter) this.#byteWaiter(byte);
        else this.log.warn({ byte }, 'printer: unsolicited byte dropped');
      }
    });
    this.#link.onClose((reason) => {
      this.#opened = false;
      clearInterval(this.#statusTimer);
      this.#setStatus({ device: 'offline' });
      this.emit('deviceError', {
        error: new DeviceError(DeviceErrorCode.linkClosed, `printer link ${reason}`, 'checkConnection'),
        suggestedAction: 'checkConnection',
      });
    });
  }

  status(): PrinterStatus {
    return { ...this.#status };
  }

  #setStatus(patch: Partial<PrinterStatus>): void {
    const changed: Partial<PrinterStatus> = {};
    for (const key of Object.keys(patch) as (keyof PrinterStatus)[]) {
      if (patch[key] !== this.#status[key]) (changed as Record<string, unknown>)[key] = patch[key];
    }
    if (Object.keys(changed).length === 0) return;
    const before = this.#status;
    this.#status = { ...this.#status, ...changed };
    this.emit('statusChanged', changed);
    // New faults also go out as error events, with what a person should do.
    if (changed.paper === 'out') this.#fault(DeviceErrorCode.paperOut, 'paper out', 'loadPaper');
    if (changed.coverOpen === true && !before.coverOpen) this.#fault(DeviceErrorCode.coverOpen, 'cover open', 'closeCover');
    if (changed.cutterError === true) this.#fault(DeviceErrorCode.cutterError, 'cutter error', 'callMaintenance');
    if (changed.otherError === true) this.#fault(DeviceErrorCode.hardwareError, 'printer error', 'callMaintenance');
  }

  #fault(code: DeviceErrorCode, message: string, action: 'loadPaper' | 'closeCover' | 'callMaintenance'): void {
    this.emit('deviceError', { error: new DeviceError(code, message, action), suggestedAction: action });
  }

  /** Runs `work` alone: one status query or print job on the line at a time. */
  #exclusive<T>(what: string, work: () => Promise<T>): Promise<T> {
    if (this.#queued >= PRINTER_QUEUE_LIMIT) {
      return Promise.reject(new DeviceError(DeviceErrorCode.queueFull, `${what}: ${PRINTER_QUEUE_LIMIT} commands already queued`));
    }
    this.#queued += 1;
    const run = this.#tail.then(work);
    this.#tail = run.catch(() => undefined).finally(() => {
      this.#queued -= 1;
    });
    return run;
  }

  #requireLink(what: string): void {
    if (!this.#link.isOpen) throw new DeviceError(DeviceErrorCode.notOpen, `${what}: printer link is closed`, 'checkConnection');
  }

  async open(options: CommandOptions = {}): Promise<void> {
    this.#requireLink('open');
    this.#setStatus({ device: 'starting' });
    this.#opened = true;
    try {
      await this.queryStatus(options);
    } catch (error) {
      this.#opened = false;
      this.#setStatus({ device: 'offline' });
      throw error;
    }
    if (this.#statusPollIntervalMs > 0) {
      this.#statusTimer = setInterval(() => this.#idlePoll(), this.#statusPollIntervalMs);
      this.#statusTimer.unref();
    }
  }

  #idlePoll(): void {
    if (this.#queued > 0 || !this.#opened) return;
    this.queryStatus().then(
      () => {
        this.#statusFailures = 0;
      },
      (error: unknown) => {
        this.#statusFailures += 1;
        if (this.#statusFailures === PRINTER_STATUS_FAILURE_LIMIT) {
          this.#setStatus({ device: 'offline' });
          this.emit('deviceError', {
            error: error instanceof DeviceError ? error : new DeviceError(DeviceErrorCode.timeout, String(error)),
            suggestedAction: 'checkConnection',
          });
        }
      },
    );
  }

  async close(): Promise<void> {
    clearInterval(this.#statusTimer);
    this.#opened = false;
    await this.#link.close();
    this.#setStatus({ device: 'offline' });
  }

  /** One DLE EOT n exchange: exactly one byte back, fixed bits checked. */
  async #askOnce(n: StatusQuery, signal: AbortSignal): Promise<number> {
    return withDeadline(`DLE EOT ${n}`, STATUS_REPLY_TIMEOUT_MS, signal, async () => {
      const reply = new Promise<number>((resolve) => {
        this.#byteWaiter = resolve;
      });
      try {
        await this.#link.write(statusQuery(n));
        return await reply;
      } finally {
        this.#byteWaiter = undefined;
      }
    });
  }

  async #ask(n: StatusQuery, signal: AbortSignal): Promise<number> {
    const byte = await this.#askOnce(n, signal);
    if (decodeStatusByte(n, byte).ok) return byte;
    // A byte without the fixed bits is noise (or an ASB message); ask once more.
    this.log.warn({ n, byte }, 'printer: status byte fails fixed-bit check; asking again');
    const again = await this.#askOnce(n, signal);
    if (decodeStatusByte(n, again).ok) return again;
    throw new DeviceError(DeviceErrorCode.badStatusByte, `DLE EOT ${n} answered 0x${again.toString(16)}, fixed bits wrong`, 'checkConnection');
  }

  queryStatus(options: CommandOptions = {}): Promise<PrinterStatus> {
    if (!this.#opened) return Promise.reject(new DeviceError(DeviceErrorCode.notOpen, 'queryStatus: printer is not open', 'checkConnection'));
    return this.#exclusive('queryStatus', () =>
      withDeadline('printer status', options.timeoutMs ?? STATUS_QUERY_TIMEOUT_MS, options.signal, async (signal) => {
        this.#requireLink('queryStatus');
        const printer = decodeStatusByte(StatusQuery.printer, await this.#ask(StatusQuery.printer, signal));
        const offline = decodeStatusByte(StatusQuery.offline, await this.#ask(StatusQuery.offline, signal));
        const error = decodeStatusByte(StatusQuery.error, await this.#ask(StatusQuery.error, signal));
        const paper = decodeStatusByte(StatusQuery.paper, await this.#ask(StatusQuery.paper, signal));
        if (!printer.ok || !offline.ok || !error.ok || !paper.ok) throw new DeviceError(DeviceErrorCode.badStatusByte, 'status byte check failed');
        const paperState = paper.value.out || offline.value.paperEndStop ? 'out' : paper.value.nearEnd ? 'nearEnd' : 'ok';
        const otherError = error.value.unrecoverable || error.value.autoRecoverable;
        const device =
          paperState === 'out' || offline.value.coverOpen
            ? 'userError'
            : error.value.cutterError || otherError
              ? 'hardwareError'
              : printer.value.offline
                ? 'offline'
                : 'online';
        this.#setStatus({ device, paper: paperState, coverOpen: offline.value.coverOpen, cutterError: error.value.cutterError, otherError });
        return this.status();
      }),
    );
  }

  #refuseReason(): DeviceError | undefined {
    const s = this.#status;
    if (s.paper === 'out') return new DeviceError(DeviceErrorCode.paperOut, 'printer is out of paper', 'loadPaper');
    if (s.coverOpen) return new DeviceError(DeviceErrorCode.coverOpen, 'printer cover is open', 'closeCover');
    if (s.cutterError) return new DeviceError(DeviceErrorCode.cutterError, 'printer cutter error', 'callMaintenance');
    if (s.otherError) return new DeviceError(DeviceErrorCode.hardwareError, 'printer error', 'callMaintenance');
    return undefined;
  }

  async print(bytes: Uint8Array, options: CommandOptions = {}): Promise<void> {
    if (!this.#opened) throw new DeviceError(DeviceErrorCode.notOpen, 'print: printer is not open', 'checkConnection');
    if (bytes.length === 0 || bytes.length > PRINT_MAX_BYTES) {
      throw new DeviceError(DeviceErrorCode.invalidArgument, `print: ${bytes.length} bytes; 1..${PRINT_MAX_BYTES} allowed`);
    }
    const deadline = Date.now() + (options.timeoutMs ?? PRINT_TIMEOUT_MS);
    const remaining = (): number => Math.max(1, deadline - Date.now());
    await this.queryStatus({ timeoutMs: Math.min(STATUS_QUERY_TIMEOUT_MS, remaining()), ...(options.signal ? { signal: options.signal } : {}) });
    const refuse = this.#refuseReason();
    if (refuse) throw refuse;
    await this.#exclusive('print', () =>
      withDeadline('print', remaining(), options.signal, async (signal) => {
        this.#setStatus({ device: 'busy' });
        try {
          for (let offset = 0; offset < bytes.length; offset += PRINT_CHUNK_BYTES) {
            if (signal.aborted) return;
            await this.#link.write(bytes.subarray(offset, offset + PRINT_CHUNK_BYTES));
          }
        } finally {
          if (this.#status.device === 'busy') this.#setStatus({ device: 'online' });
        }
      }),
    );
    // Paper may have run out, or the cutter failed, while printing: the receipt is then incomplete.
    await this.queryStatus({ timeoutMs: Math.min(STATUS_QUERY_TIMEOUT_MS, remaining()), ...(options.signal ? { signal: options.signal } : {}) });
    const after = this.#refuseReason();
    if (after) throw after;
  }
}
