// The virtual card as a client of pcscd's vsmartcard driver (vpcd), issue #3 §3.
//
// Wire format (vsmartcard vpcd): each message is a 2-byte big-endian length
// then the payload. A 1-byte payload is a control: 00 power off, 01 power on,
// 02 reset, 04 get ATR (only ATR is answered; pcscd asks about every 450 ms).
// Anything else is a command APDU to answer. Insert = connect; remove = close.
import { sleepUnlessAborted } from '../device/wait.js';
import { Socket } from 'node:net';
import { pino, type Logger } from 'pino';
import { MAX_VPCD_BUFFER_BYTES, MAX_VPCD_FRAME_BYTES, VPCD_CONNECT_TIMEOUT_MS, VPCD_RECONNECT_DELAY_MS } from './constants.js';
import { CardError, CardErrorCode } from './errors.js';
import type { VirtualCard } from './simulator.js';

export const VPCD_HOST = '127.0.0.1';
/** Slot 0 ("Virtual PCD 00 00") listens on 35963, slot 1 ("Virtual PCD 00 01") on 35964. */
export const VPCD_BASE_PORT = 35963;
export const vpcdPort = (slot: number): number => VPCD_BASE_PORT + slot;
export const vpcdReaderName = (slot: number): string => `Virtual PCD 00 ${String(slot).padStart(2, '0')}`;

export const VpcdControl = { powerOff: 0x00, powerOn: 0x01, reset: 0x02, getAtr: 0x04 } as const;

export function encodeVpcdFrame(payload: Buffer): Buffer {
  if (payload.length > MAX_VPCD_FRAME_BYTES) throw new CardError(CardErrorCode.commandInvalid, `vpcd payload of ${payload.length} bytes too long`);
  const out = Buffer.alloc(2 + payload.length);
  out.writeUInt16BE(payload.length, 0);
  payload.copy(out, 2);
  return out;
}

export type VpcdItem =
  | { kind: 'control'; code: number }
  | { kind: 'apdu'; apdu: Buffer }
  | { kind: 'discard'; bytes: Buffer; reason: 'empty-frame' | 'frame-too-long' | 'buffer-overflow' };

/**
 * Cuts vpcd frames out of a byte stream. Never throws: malformed input yields
 * discards. A frame longer than MAX_VPCD_FRAME_BYTES cannot be resynchronised
 * in a length-prefixed stream, so the parser reports it and drops everything
 * buffered; the client then closes the connection.
 */
export class VpcdFrameParser {
  private buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): VpcdItem[] {
    const items: VpcdItem[] = [];
    if (this.buffer.length + chunk.length > MAX_VPCD_BUFFER_BYTES) {
      items.push({ kind: 'discard', bytes: Buffer.concat([this.buffer, chunk]).subarray(0, 64), reason: 'buffer-overflow' });
      this.buffer = Buffer.alloc(0);
      return items;
    }
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    while (this.buffer.length >= 2) {
      const length = this.buffer.readUInt16BE(0);
      if (length > MAX_VPCD_FRAME_BYTES) {
        items.push({ kind: 'discard', bytes: this.buffer.subarray(0, 64), reason: 'frame-too-long' });
        this.buffer = Buffer.alloc(0);
        break;
      }
      if (this.buffer.length < 2 + length) break;
      const payload = Buffer.from(this.buffer.subarray(2, 2 + length));
      this.buffer = this.buffer.subarray(2 + length);
      if (length === 0) items.push({ kind: 'discard', bytes: Buffer.alloc(0), reason: 'empty-frame' });
      else if (length === 1) items.push({ kind: 'control', code: payload[0]! });
      else items.push({ kind: 'apdu', apdu: payload });
    }
    return items;
  }
}

export interface RunVpcdClientOptions {
  host?: string;
  /** Defaults to slot 0's port (35963). */
  port?: number;
  /** Abort = take the card out (the socket is closed) and resolve. */
  signal?: AbortSignal;
  logger?: Logger;
  /**
   * Reconnect after vpcd closes the connection (pcscd restarting) or is not
   * listening yet, until aborted. Default false: such an event rejects with
   * VpcdDisconnected / VpcdUnavailable.
   */
  reconnect?: boolean;
  /** Called each time the card is connected (inserted). */
  onConnected?: () => void;
}

/** Serves `card` on vpcd until `signal` aborts. */
export async function runVpcdClient(card: VirtualCard, options: RunVpcdClientOptions = {}): Promise<void> {
  const logger = options.logger ?? pino({ level: 'silent' });
  const host = options.host ?? VPCD_HOST;
  const port = options.port ?? VPCD_BASE_PORT;
  const signal = options.signal;
  for (;;) {
    if (signal?.aborted) return;
    let outcome: 'aborted' | CardError;
    try {
      outcome = await serveOnce(card, host, port, logger, signal, options.onConnected);
    } catch (error) {
      outcome = error instanceof CardError ? error : new CardError(CardErrorCode.vpcdUnavailable, 'vpcd connection failed', { cause: error });
    }
    if (outcome === 'aborted') return;
    if (!options.reconnect) throw outcome;
    logger.info({ host, port, code: outcome.codeName }, 'vpcd connection lost; reconnecting');
    await sleepUnlessAborted(VPCD_RECONNECT_DELAY_MS, signal);
  }
}

function serveOnce(
  card: VirtualCard,
  host: string,
  port: number,
  logger: Logger,
  signal: AbortSignal | undefined,
  onConnected: (() => void) | undefined,
): Promise<'aborted' | CardError> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    const parser = new VpcdFrameParser();
    let connected = false;
    let finished = false;
    const finish = (outcome: 'aborted' | CardError): void => {
      if (finished) return;
      finished = true;
      clearTimeout(connectTimer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(outcome);
    };
    const onAbort = (): void => finish('aborted');
    const connectTimer = setTimeout(
      () => finish(new CardError(CardErrorCode.vpcdUnavailable, `vpcd at ${host}:${port} did not accept within ${VPCD_CONNECT_TIMEOUT_MS} ms`)),
      VPCD_CONNECT_TIMEOUT_MS,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.setNoDelay(true);
    socket.on('error', (error) => {
      finish(
        connected
          ? new CardError(CardErrorCode.vpcdDisconnected, 'vpcd connection failed', { cause: error })
          : new CardError(CardErrorCode.vpcdUnavailable, `vpcd not listening at ${host}:${port} (is pcscd running with vsmartcard-vpcd?)`, { cause: error }),
      );
    });
    socket.on('close', () => finish(new CardError(CardErrorCode.vpcdDisconnected, 'vpcd closed the connection')));
    socket.on('connect', () => {
      connected = true;
      clearTimeout(connectTimer);
      card.reset();
      logger.info({ host, port }, 'virtual card inserted (connected to vpcd)');
      onConnected?.();
    });
    socket.on('data', (chunk: Buffer) => {
      for (const item of parser.push(chunk)) {
        if (item.kind === 'discard') {
          logger.warn({ reason: item.reason, bytes: item.bytes.toString('hex') }, 'vpcd bytes discarded');
          if (item.reason !== 'empty-frame') finish(new CardError(CardErrorCode.vpcdDisconnected, `vpcd stream corrupt (${item.reason})`));
          continue;
        }
        if (item.kind === 'control') {
          if (item.code === VpcdControl.getAtr) socket.write(encodeVpcdFrame(card.atr));
          else if (item.code === VpcdControl.powerOff || item.code === VpcdControl.powerOn || item.code === VpcdControl.reset) card.reset();
          else logger.warn({ code: item.code }, 'unknown vpcd control ignored');
          continue;
        }
        // APDU bytes are not logged: a VERIFY carries the PIN.
        socket.write(encodeVpcdFrame(card.transmit(item.apdu)));
      }
    });
    if (signal?.aborted) {
      finish('aborted');
      return;
    }
    try {
      socket.connect(port, host);
    } catch (error) {
      clearTimeout(connectTimer);
      reject(error);
    }
  });
}
