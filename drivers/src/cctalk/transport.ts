// One ccTalk request at a time over a ByteLink (ccTalk is strictly
// master/slave: part 1 §5). Matches each reply to the request it answers,
// strips the single-wire echo, bounds every wait and the queue. The request /
// reply matching plays the role of zigbee-herdsman's Waitress.
import type { Logger } from 'pino';
import { DeviceError, DeviceErrorCode } from '../device/errors.js';
import type { ByteLink } from '../device/link.js';
import { sleepUnlessAborted, withDeadline } from '../device/wait.js';
import { encodeFrame, toHex } from './codec.js';
import { Header } from './constants.js';
import { CctalkParser } from './parser.js';
import type { CctalkFrame, ChecksumMode } from './types.js';

/** A ccTalk device answers within ~100 ms at 9600 baud; 300 ms leaves room for a loaded host. */
export const CCTALK_REPLY_TIMEOUT_MS = 300;
/** Requests waiting behind the one on the wire; the poll loop and one escrow route need far fewer. */
export const CCTALK_QUEUE_LIMIT = 8;
/**
 * After a request timed out, the line is left this long to fall quiet before
 * the next request goes out: ccTalk replies carry no request id, and a late
 * reply would otherwise be taken as the answer to the next request (on a
 * loaded host the chaos run, issue 11 section 7, saw bill-type replies shifted
 * by one: 50-yuan notes credited as 20, 100-yuan ones as 50).
 */
export const CCTALK_LATE_REPLY_SETTLE_MS = 350;

export interface CctalkTransportOptions {
  link: ByteLink;
  mode: ChecksumMode;
  hostAddress: number;
  deviceAddress: number;
  /** The link is a single-wire bus that returns our own bytes (part 1 §4). */
  echo: boolean;
  log: Logger;
}

export class CctalkTransport {
  readonly #options: CctalkTransportOptions;
  readonly #parser: CctalkParser;
  #tail: Promise<unknown> = Promise.resolve();
  #queued = 0;
  #waiter: ((frame: CctalkFrame) => void) | undefined;
  #closed = false;
  /** The last exchange timed out: its reply may still come. */
  #lateReplyPossible = false;
  readonly #unsubscribe: Array<() => void> = [];

  constructor(options: CctalkTransportOptions) {
    this.#options = options;
    this.#parser = new CctalkParser({
      mode: options.mode,
      assumedSource: options.deviceAddress,
      // Replies are addressed to the host; our echo to the device.
      destinations: [options.hostAddress, options.deviceAddress],
    });
    this.#unsubscribe.push(
      options.link.onData((chunk) => this.#onData(chunk)),
      options.link.onClose(() => {
        this.#closed = true;
      }),
    );
  }

  get closed(): boolean {
    return this.#closed || !this.#options.link.isOpen;
  }

  dispose(): void {
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  #onData(chunk: Buffer): void {
    for (const result of this.#parser.push(chunk)) {
      if (result.kind === 'echo') continue;
      if (result.kind === 'discard') {
        this.#options.log.warn({ bytes: toHex(result.raw), reason: result.reason }, 'cctalk: discarded bytes');
        continue;
      }
      const { frame } = result;
      if (frame.destination !== this.#options.hostAddress) {
        // Our own request heard without an expected echo, or another host's traffic.
        this.#options.log.debug({ bytes: toHex(result.raw) }, 'cctalk: frame not for the host ignored');
        continue;
      }
      if (this.#options.mode === 'simple8' && frame.source !== this.#options.deviceAddress) {
        this.#options.log.warn({ bytes: toHex(result.raw) }, 'cctalk: reply from an unexpected address ignored');
        continue;
      }
      if (!this.#waiter) {
        this.#options.log.warn({ bytes: toHex(result.raw) }, 'cctalk: unsolicited reply dropped');
        continue;
      }
      this.#waiter(frame);
    }
  }

  /**
   * Sends one request and resolves with the device's reply (header 0). NAK and
   * BUSY replies reject with `nak` / `busyReply`; silence with `timeout`.
   */
  request(header: number, data: Uint8Array, options: { timeoutMs?: number; signal?: AbortSignal; what: string }): Promise<CctalkFrame> {
    if (this.closed) return Promise.reject(new DeviceError(DeviceErrorCode.linkClosed, `${options.what}: link closed`, 'checkConnection'));
    if (this.#queued >= CCTALK_QUEUE_LIMIT) {
      return Promise.reject(new DeviceError(DeviceErrorCode.queueFull, `${options.what}: ${CCTALK_QUEUE_LIMIT} requests already queued`));
    }
    this.#queued += 1;
    const run = this.#tail.then(() => this.#exchange(header, data, options));
    this.#tail = run.catch(() => undefined).finally(() => {
      this.#queued -= 1;
    });
    return run;
  }

  async #exchange(header: number, data: Uint8Array, options: { timeoutMs?: number; signal?: AbortSignal; what: string }): Promise<CctalkFrame> {
    const { link, mode, hostAddress, deviceAddress, echo } = this.#options;
    if (this.closed) throw new DeviceError(DeviceErrorCode.linkClosed, `${options.what}: link closed`, 'checkConnection');
    if (this.#lateReplyPossible) {
      // Replies that come while no request waits are dropped (#onData).
      if (!(await sleepUnlessAborted(CCTALK_LATE_REPLY_SETTLE_MS, options.signal))) throw new DeviceError(DeviceErrorCode.canceled, `${options.what}: canceled`);
      this.#lateReplyPossible = false;
    }
    const bytes = encodeFrame({ destination: deviceAddress, source: hostAddress, header, data: Buffer.from(data) }, mode);
    try {
      return await withDeadline(options.what, options.timeoutMs ?? CCTALK_REPLY_TIMEOUT_MS, options.signal, async (signal) => {
        let offClose: () => void = () => undefined;
        const reply = new Promise<CctalkFrame>((resolve, reject) => {
          this.#waiter = resolve;
          offClose = link.onClose(() => reject(new DeviceError(DeviceErrorCode.linkClosed, `${options.what}: link closed`, 'checkConnection')));
        });
        signal.addEventListener('abort', () => offClose(), { once: true });
        reply.then(offClose, offClose);
        if (echo) this.#parser.expectEcho(bytes);
        await link.write(bytes);
        const frame = await reply;
        if (frame.header === Header.nak) throw new DeviceError(DeviceErrorCode.nak, `${options.what}: NAK`, 'retry');
        if (frame.header === Header.busy) throw new DeviceError(DeviceErrorCode.busyReply, `${options.what}: BUSY`, 'retry');
        if (frame.header !== Header.reply) {
          throw new DeviceError(DeviceErrorCode.unexpectedReply, `${options.what}: reply header ${frame.header}`);
        }
        return frame;
      });
    } catch (error) {
      if (error instanceof DeviceError && error.code === DeviceErrorCode.timeout) this.#lateReplyPossible = true;
      // Whatever half-frame is buffered belongs to the failed exchange.
      for (const dropped of this.#parser.reset()) {
        this.#options.log.debug({ bytes: toHex(dropped.raw) }, 'cctalk: dropped after failed exchange');
      }
      throw error;
    } finally {
      this.#waiter = undefined;
    }
  }
}
